/* buf.h - growable byte strings (prefix sb_). Used by the code generator to
 * build generated text; every sb_ function keeps `s` NUL-terminated. */
#ifndef GOCC_BUF_H
#define GOCC_BUF_H

#include <stddef.h>

typedef struct sb {
    char *s;
    size_t len, cap;
} sb;

void sb_add(sb *b, const char *s, size_t n);
void sb_puts(sb *b, const char *s);
void sb_printf(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_take(sb *b); /* returns the string (never NULL) and resets b */
/* The bytes of file path, NUL-terminated, length in *len; NULL if it cannot be opened or read. Reading
 * stops once more than max bytes are in, so a caller that refuses larger files sees len > max. */
char *sb_read_file(const char *path, size_t max, size_t *len);
void sb_free(sb *b);

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
