#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/capture_enum.gc"
void use(int);
#line 2 "tests/codegen/capture_enum.gc"
void g(void);
#line 4 "tests/codegen/capture_enum.gc"
enum { RED, GREEN };
#line 5 "tests/codegen/capture_enum.gc"
struct gocc__env_1 { int c; };
#line 5 "tests/codegen/capture_enum.gc"
static void gocc__go_1(void *gocc__p) { struct gocc__env_1 *gocc__cap = gocc__p; __typeof__(gocc__cap->c) c; __builtin_memcpy((void *)&c, &gocc__cap->c, sizeof c); GOCC_FUNCTION_ENTRY(); {
        use(c == GREEN);
     } }
#line 2 "tests/codegen/capture_enum.gc"
void g(void)
{ GOCC_FUNCTION_ENTRY(); {
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wshadow\"") enum { RED, GREEN } c = RED; _Pragma("GCC diagnostic pop")
    { struct gocc__env_1 gocc__e_1; __builtin_memcpy((void *)&gocc__e_1.c, &c, sizeof gocc__e_1.c); gocc_go(gocc__go_1, &gocc__e_1, sizeof gocc__e_1, GOCC_HERE); }


 } }
