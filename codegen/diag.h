/* diag.h - diagnostics at .gc source positions (prefix dg_).
 * Form: FILE:LINE:COL: error: MESSAGE, then the source line and a caret line
 * (LINE and COL 1-based; COL counts bytes, as gcc does). */
#ifndef GOCC_DIAG_H
#define GOCC_DIAG_H

#include <stddef.h>
#include <tree_sitter/api.h>

void dg_error(const char *path, const char *src, size_t len, TSPoint at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Reports every ERROR and MISSING node under root (up to a limit) with a
 * message that says what was expected where the tree tells. Returns the
 * number of errors. */
int dg_syntax(const char *path, const char *src, size_t len, TSNode root);

#endif
