/* The program's own len and cap, declared in a quoted header. */
#include <stddef.h>
size_t len(const char *s);
static inline int cap(int x) { return x > 10 ? 10 : x; }
