/* diag.h - diagnostics at .gc source positions (prefix dg_).
 * Form: FILE:LINE:COL: error: MESSAGE, then the source line and a caret line
 * (LINE and COL 1-based; COL counts bytes, as gcc does). */
#ifndef GOCC_DIAG_H
#define GOCC_DIAG_H

#include <stddef.h>
#include <tree_sitter/api.h>

void dg_error(const char *path, const char *src, size_t len, TSPoint at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Counts of error regions by how dg_syntax judged them (see diag.c). */
typedef struct dg_stats {
    int passed;    /* no gc syntax involved: passed to the C compiler */
    int gc_inside; /* inside a gc construct */
    int gc_tree;   /* holds a gc node or token */
    int gc_words;  /* holds a gc keyword or `<-` only the word check finds */
} dg_stats;

/* Reports every ERROR and MISSING node under root that involves gc syntax
 * (up to a limit) with a message that says what was expected where the tree
 * tells; the others are left to the C compiler. Returns the number of
 * errors; st (may be NULL) gets the counts. */
int dg_syntax(const char *path, const char *src, size_t len, TSNode root, dg_stats *st);
/* Whether the walk lowers child k of an ERROR node as usual (complete
 * function definitions, declarations, typedefs, #include). */
int dg_error_walked(TSNode k);
/* Whether subtree n holds gc syntax (a gc node or token, or a gc keyword or
 * `<-` used as gc uses it), not counting the dg_error_walked children of the
 * ERROR nodes in it; *where gets the first such node. */
int dg_has_gc(const char *src, size_t len, TSNode n, TSNode *where);

#endif
