/* edit.c - queued byte-range edits (see edit.h for the invariants). */
#include "edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ed_init(ed_buf *ed, const char *src, size_t len)
{
    memset(ed, 0, sizeof *ed);
    ed->src = src;
    ed->len = len;
}

void ed_free(ed_buf *ed)
{
    for (int i = 0; i < ed->n; i++) free(ed->e[i].text);
    free(ed->e);
    free(ed->ord);
    ed->e = NULL;
    ed->ord = NULL;
    ed->n = ed->cap = 0;
}

/* The first position in ed->ord whose edit starts at or after `at`. */
static int lower_bound(const ed_buf *ed, size_t at)
{
    int lo = 0, hi = ed->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (ed->e[ed->ord[mid]].start < at) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int count_nl(const char *s, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++) k += s[i] == '\n';
    return k;
}

static void push(ed_buf *ed, size_t start, size_t end, const char *text, int kind)
{
    if (ed->n == ed->cap) {
        ed->cap = ed->cap ? ed->cap * 2 : 64;
        ed->e = xrealloc(ed->e, (size_t)ed->cap * sizeof *ed->e);
        ed->ord = xrealloc(ed->ord, (size_t)ed->cap * sizeof *ed->ord);
    }
    /* Keep ord sorted by start (queue order among equal starts). The walk
     * queues mostly in source order, so this is nearly always an append. */
    int at = lower_bound(ed, start + 1);
    memmove(&ed->ord[at + 1], &ed->ord[at], (size_t)(ed->n - at) * sizeof *ed->ord);
    ed->ord[at] = ed->n;
    ed_edit *e = &ed->e[ed->n];
    e->start = start;
    e->end = end;
    e->text = xstrdup(text);
    e->kind = kind;
    e->seq = ed->n;
    e->dead = -1;
    ed->n++;
}

/* Only edits that start inside [start, end] can be covered by, or reach out
 * of, the new replacement; one that starts before it and reaches into it is
 * a partial overlap too, found by ed_apply's check over the sorted edits. */
void ed_replace(ed_buf *ed, size_t start, size_t end, const char *text)
{
    for (int o = lower_bound(ed, start); o < ed->n && ed->e[ed->ord[o]].start <= end; o++) {
        ed_edit *e = &ed->e[ed->ord[o]];
        if (e->dead >= 0) continue;
        if (e->kind != ED_REPLACE) {
            if (e->start > start && e->start < end) e->dead = ed->n;
            continue;
        }
        if (e->end <= start || e->start >= end) {
            /* Disjoint, except that a zero-length replacement at the boundary
             * of a non-empty one is fine too. */
            if (!(e->start == e->end && e->start > start && e->start < end)) continue;
        }
        if (e->start >= start && e->end <= end && !(e->start == start && e->end == end && start == end)) {
            e->dead = ed->n; /* covered: its text was rendered into ours, or is dropped */
            continue;
        }
        ed->failed = 1;
        fprintf(stderr, "gocc: internal error: overlapping edits [%zu,%zu) and [%zu,%zu)\n",
                e->start, e->end, start, end);
        return;
    }
    int have = count_nl(ed->src + start, end - start), now = count_nl(text, strlen(text));
    if (have > now) {
        sb b = {0};
        sb_puts(&b, text);
        for (int k = now; k < have; k++) sb_puts(&b, "\n");
        push(ed, start, end, b.s, ED_REPLACE);
        sb_free(&b);
    } else {
        push(ed, start, end, text, ED_REPLACE);
    }
}

void ed_open(ed_buf *ed, size_t at, const char *text) { push(ed, at, at, text, ED_OPEN); }
void ed_close(ed_buf *ed, size_t at, const char *text) { push(ed, at, at, text, ED_CLOSE); }

/* Order: by offset; at one offset closers (queued order), openers (reverse
 * order), then replacements. */
static int rank(const ed_edit *e) { return e->kind == ED_CLOSE ? 0 : e->kind == ED_OPEN ? 1 : 2; }

static int cmp(const void *a, const void *b)
{
    const ed_edit *x = *(ed_edit *const *)a, *y = *(ed_edit *const *)b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (rank(x) != rank(y)) return rank(x) - rank(y);
    if (x->kind == ED_OPEN) return y->seq - x->seq;
    return x->seq - y->seq;
}

static int in_range(const ed_edit *e, size_t start, size_t end)
{
    if (e->kind == ED_REPLACE)
        return e->start >= start && e->end <= end && !(e->start == e->end && (e->start == start || e->start == end));
    return (e->start > start && e->start < end) || (e->start == start && e->kind == ED_OPEN) ||
           (e->start == end && e->kind == ED_CLOSE);
}

static char *render(ed_buf *ed, size_t start, size_t end, size_t *outlen)
{
    int first = lower_bound(ed, start), last = lower_bound(ed, end + 1);
    ed_edit **v = xmalloc(sizeof *v * (size_t)(last - first + 1));
    int m = 0;
    for (int o = first; o < last; o++) {
        ed_edit *e = &ed->e[ed->ord[o]];
        if (!in_range(e, start, end)) continue;
        /* An edit covered by a later replacement is left out when that
         * replacement is part of this rendering; rendering a range inside the
         * replaced one (text being moved) still sees it. */
        int k = e->dead;
        while (k >= 0 && k < ed->n && !in_range(&ed->e[k], start, end)) k = ed->e[k].dead;
        if (k >= ed->n) k = -1;
        if (k >= 0) continue;
        v[m++] = e;
    }
    qsort(v, (size_t)m, sizeof *v, cmp);
    sb b = {0};
    size_t pos = start;
    for (int i = 0; i < m; i++) {
        if (v[i]->start > pos) sb_add(&b, ed->src + pos, v[i]->start - pos);
        if (v[i]->start < pos) continue; /* cannot happen: overlaps are refused */
        sb_puts(&b, v[i]->text);
        pos = v[i]->end;
    }
    if (end > pos) sb_add(&b, ed->src + pos, end - pos);
    free(v);
    if (outlen) *outlen = b.len;
    return sb_take(&b);
}

char *ed_render(ed_buf *ed, size_t start, size_t end) { return render(ed, start, end, NULL); }

/* The whole text. First the check ed_replace leaves to the end: no live
 * replacement reaches into the next one (live replacements never nest: a
 * covering one kills those inside it). */
char *ed_apply(ed_buf *ed, size_t *len)
{
    const ed_edit *prev = NULL;
    for (int o = 0; o < ed->n; o++) {
        const ed_edit *e = &ed->e[ed->ord[o]];
        if (e->kind != ED_REPLACE || e->dead >= 0) continue;
        /* (a zero-length replacement at the start of a non-empty one is no overlap) */
        if (prev && e->start < prev->end && !(e->start == e->end && e->start == prev->start)) {
            ed->failed = 1;
            fprintf(stderr, "gocc: internal error: overlapping edits [%zu,%zu) and [%zu,%zu)\n",
                    prev->start, prev->end, e->start, e->end);
        }
        if (!prev || e->end > prev->end) prev = e;
    }
    return render(ed, 0, ed->len, len);
}

/* Drops the edits queued after the first n (the two-pass lowering of a
 * function that shares variables with go blocks rewalks it). */
void ed_truncate(ed_buf *ed, int n)
{
    if (n >= ed->n) return;
    int k = 0;
    for (int o = 0; o < ed->n; o++)
        if (ed->ord[o] < n) ed->ord[k++] = ed->ord[o];
    for (int i = n; i < ed->n; i++) free(ed->e[i].text);
    for (int i = 0; i < n; i++)
        if (ed->e[i].dead >= n) ed->e[i].dead = -1;
    ed->n = n;
}
