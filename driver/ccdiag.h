/* ccdiag.h - the C compiler's diagnostics about generated code, rewritten
 * in gc terms (prefix cd_). See ccdiag.c. */
#ifndef GOCC_CCDIAG_H
#define GOCC_CCDIAG_H

#include <stddef.h>
#include <stdio.h>

typedef struct cd_map {
    const char *gc_path;  /* the .gc file, as named in the #line directives */
    const char *gen_path; /* the generated .c file cc compiles (a temporary) */
    const char *gen_text; /* its text */
    size_t gen_len;
} cd_map;

/* Reads cc's stderr from fd until end of file and writes it to out,
 * rewritten. */
void cd_relay(int fd, const cd_map *m, FILE *out);

/* Rewrites diagnostics text (for the tests: tests/e2e/ccdiag-test). */
char *cd_rewrite(const char *text, size_t len, const cd_map *m);

#endif
