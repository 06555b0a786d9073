/* edit.h - queued byte-range edits over an original text (prefix ed_).
 *
 * As Go's cmd/internal/edit: the code generator never rewrites the source in
 * place; it queues replacements of byte ranges and insertions at byte offsets,
 * and ed_apply produces the result. Bytes no edit touches pass through
 * unchanged. Invariants:
 *   - two replacements never partially overlap (refused: ed->failed is set);
 *   - a replacement that covers earlier edits kills them (the code generator
 *     renders a subtree with ed_render first when it moves that text);
 *   - insertions at one offset come out as: closers in the order queued, then
 *     openers in reverse order (the lowering runs inner constructs first, so
 *     an outer construct's opener precedes an inner one's and its closer
 *     follows the inner closer), then a replacement starting there;
 *   - a replacement keeps the line count: if the replaced bytes held more
 *     newlines than the new text, the missing newlines are appended. */
#ifndef GOCC_EDIT_H
#define GOCC_EDIT_H

#include <stddef.h>
#include "buf.h"

typedef struct ed_edit {
    size_t start, end; /* end == start: an insertion */
    char *text;
    int kind;          /* ED_REPLACE, ED_OPEN, ED_CLOSE */
    int seq;
    int dead;          /* -1, or the index of the replacement that covered it */
} ed_edit;

enum { ED_REPLACE, ED_OPEN, ED_CLOSE };

typedef struct ed_buf {
    const char *src;
    size_t len;
    ed_edit *e;        /* in queue order */
    int *ord;          /* indexes of e sorted by start, queue order among ties */
    int n, cap;
    int failed; /* an overlapping edit was refused: a code generator bug */
} ed_buf;

void ed_init(ed_buf *ed, const char *src, size_t len);
void ed_free(ed_buf *ed);
void ed_replace(ed_buf *ed, size_t start, size_t end, const char *text);
void ed_open(ed_buf *ed, size_t at, const char *text);  /* text that opens before `at` */
void ed_close(ed_buf *ed, size_t at, const char *text); /* text that closes after `at` */
/* The text of [start, end) with the live edits inside applied (not consumed). */
char *ed_render(ed_buf *ed, size_t start, size_t end);
char *ed_apply(ed_buf *ed, size_t *len);
void ed_truncate(ed_buf *ed, int n); /* drop the edits queued after the first n */

#endif
