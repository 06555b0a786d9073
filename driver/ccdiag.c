/* ccdiag.c - the C compiler's diagnostics about generated code, rewritten
 * in gc terms (prefix cd_).
 *
 * The driver compiles the translation of a .gc file; #line makes cc name the
 * .gc file and line, but the rest of a message still shows the C that gocc
 * wrote. The driver pipes cc's stderr through cd_relay, which rewrites:
 *   - channel types from their C encoding (gocc.h) to gc:
 *     `int * (**)(struct gocc_chan_tag *)` (gcc) and
 *     `typeof(typeof(int) *(**)(struct gocc_chan_tag *))` (clang) are
 *     `chan int`; `(* const*)` is `<-chan`, `(* volatile*)` is `chan<-`;
 *     clang's `(aka '...')` that says the same again goes;
 *   - the code generator's names: gocc__main_body is main, a go block's
 *     function is "a go block", other gocc__ temporaries are named by what
 *     they hold (the channel operand, the value sent, ...);
 *   - the failed _Static_assert of a channel direction to its message
 *     ("send on receive-only channel"), and a discarded volatile qualifier
 *     to the send-only channel it is;
 *   - the column to the .gc line's column (the generated line and the .gc
 *     line are aligned, character by character, by their longest common
 *     subsequence: the generated line is the .gc line with the lowering's
 *     insertions), and the source excerpt under the message to the .gc line
 *     with a caret there (gcc shows the .gc line with a caret at the
 *     generated column; clang shows the generated line);
 *   - the column in clang's names of unnamed types, `struct (unnamed struct
 *     at f.gc:3:37)`, mapped the same way;
 *   - the temporary file's path to the .gc file's, and the "In file included
 *     from" line of the generated file's own #include <gocc.h> goes;
 *   - gocc.h's own lines: macro notes go, an error inside an operand check
 *     moves to the user's line as "not a channel" (see cd_rewrite).
 * Lines it does not recognise pass unchanged. */
#define _GNU_SOURCE
#include "ccdiag.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../codegen/buf.h"

/* ------------------------------------------------------------------------ */
/* text helpers                                                              */

/* Replaces every occurrence of `from` in *s by `to`. */
static void replace_all(char **s, const char *from, const char *to)
{
    size_t fl = strlen(from);
    if (!fl || !strstr(*s, from)) return;
    sb b = {0};
    const char *p = *s, *q;
    while ((q = strstr(p, from))) {
        sb_add(&b, p, (size_t)(q - p));
        sb_puts(&b, to);
        p = q + fl;
    }
    sb_puts(&b, p);
    free(*s);
    *s = sb_take(&b);
}

/* ------------------------------------------------------------------------ */
/* channel types                                                             */

static const char MARK[] = "(struct gocc_chan_tag *)";

/* One encoded channel type ending at the marker at m in s: on success
 * returns 1 and sets [*from, *to) to the span to replace and *repl. */
static int chan_type_at(const char *s, const char *m, const char **from, const char **to, char **repl)
{
    /* the pointer part right before the marker: (**), (* const*), (*const *), ... */
    const char *rp = m - 1;
    if (rp < s || *rp != ')') return 0;
    const char *lp = rp;
    while (lp > s && *lp != '(') lp--;
    if (*lp != '(') return 0;
    int stars = 0, isconst = 0, isvol = 0;
    for (const char *p = lp + 1; p < rp; p++) {
        if (*p == '*') stars++;
        else if (!strncmp(p, "const", 5)) isconst = 1, p += 4;
        else if (!strncmp(p, "volatile", 8)) isvol = 1, p += 7;
        else if (*p != ' ') return 0;
    }
    if (stars < 2) return 0;
    /* before it: the element type and the returned pointer's '*' */
    const char *e = lp;
    while (e > s && e[-1] == ' ') e--;
    if (e <= s || e[-1] != '*') return 0;
    e--;
    while (e > s && e[-1] == ' ') e--;
    /* the element starts after the nearest quote, "typeof(" or "aka '" */
    const char *st = e;
    int depth = 0;
    while (st > s) {
        char c = st[-1];
        if (c == ')') depth++;
        else if (c == '(') {
            if (depth == 0) break;
            depth--;
        } else if (depth == 0 && (c == '\'' || c == ',' || (unsigned char)c == 0x98)) {
            break;
        }
        st--;
    }
    const char *end = m + strlen(MARK);
    /* clang: typeof(typeof(E) *(**)(...)) */
    if (st - s >= 7 && !strncmp(st - 7, "typeof(", 7) && *end == ')') {
        st -= 7;
        end++;
    }
    const char *es = st;
    if (!strncmp(es, "typeof(", 7)) es += 7;
    while (es < e && *es == ' ') es++;
    char *elem = xstrndup(es, (size_t)(e - es));
    size_t el = strlen(elem);
    if (!strncmp(elem, "typeof(", 7) && el > 8 && elem[el - 1] == ')') {
        memmove(elem, elem + 7, el - 7);
        elem[el - 8] = '\0';
    }
    if (!*elem) {
        free(elem);
        return 0;
    }
    sb b = {0};
    sb_printf(&b, "%s %s", isconst ? "<-chan" : isvol ? "chan<-" : "chan", elem);
    for (int i = 2; i < stars; i++) sb_puts(&b, " *");
    free(elem);
    *from = st;
    *to = end;
    *repl = sb_take(&b);
    return 1;
}

static void rewrite_chan_types(char **s)
{
    for (int guard = 0; guard < 64; guard++) {
        const char *m = strstr(*s, MARK);
        if (!m) return;
        const char *from, *to;
        char *repl;
        if (!chan_type_at(*s, m, &from, &to, &repl)) {
            /* unknown shape: at least do not show the tag */
            sb b = {0};
            sb_add(&b, *s, (size_t)(m - *s));
            sb_puts(&b, "(channel)");
            sb_puts(&b, m + strlen(MARK));
            free(*s);
            *s = sb_take(&b);
            continue;
        }
        sb b = {0};
        sb_add(&b, *s, (size_t)(from - *s));
        sb_puts(&b, repl);
        sb_puts(&b, to);
        free(repl);
        free(*s);
        *s = sb_take(&b);
    }
}

/* clang's "'X' (aka 'Y')": dropped when Y says X again, and when X is the
 * code generator's spelling (typeof of a gocc__ temporary), X becomes Y. */
static void rewrite_aka(char **s)
{
    for (int guard = 0; guard < 64; guard++) {
        char *a = strstr(*s, "' (aka '");
        if (!a) return;
        char *qs = a;
        while (qs > *s && qs[-1] != '\'') qs--;
        if (qs == *s) return;
        qs--; /* the opening quote of X */
        char *ys = a + 8, *ye = strstr(ys, "')");
        if (!ye) return;
        char *x = xstrndup(qs + 1, (size_t)(a - qs - 1)), *y = xstrndup(ys, (size_t)(ye - ys));
        sb b = {0};
        sb_add(&b, *s, (size_t)(qs - *s));
        /* the code generator's spelling of a channel's element type */
        int ours = strstr(x, "gocc__") || strstr(x, "typeof (*(**(") || strstr(x, "typeof(*(**(");
        if (strcmp(x, y) == 0 || !ours) sb_printf(&b, "'%s'", x);
        else sb_printf(&b, "'%s'", y);
        if (strcmp(x, y) != 0 && !ours && !strstr(y, "chan") && strstr(x, "chan") == NULL)
            sb_printf(&b, " (aka '%s')", y);
        sb_puts(&b, ye + 2);
        free(x);
        free(y);
        free(*s);
        *s = sb_take(&b);
    }
}

/* ------------------------------------------------------------------------ */
/* names and messages                                                        */

static const struct { const char *prefix, *what; } TEMPS[] = {
    {"gocc__c_", "the channel operand"}, {"gocc__v_", "the value"},  {"gocc__x_", "the operand"},
    {"gocc__a_", "the argument"},        {"gocc__f_", "the deferred function"},
    {"gocc__e_", "the goroutine's variables"}, {"gocc__r_", "the deferred call"}, {"gocc__d", "the deferred call"},
    {"gocc__g_", "the goroutine's arguments"}, {"gocc__t_", "the received value"},
};

/* A gocc__ name at p (inside a message): its length, and what to say. */
static const char *temp_name(const char *p, size_t *len)
{
    const char *q = p + 6;
    while (isalnum((unsigned char)*q) || *q == '_') q++;
    *len = (size_t)(q - p);
    if (!strncmp(p, "gocc__main_body", 15) && *len == 15) return "main";
    if (!strncmp(p, "gocc__go_", 9)) {
        int run = *len > 4 && !strncmp(q - 4, "_run", 4);
        return run ? "a go statement" : "a go block";
    }
    for (size_t i = 0; i < sizeof TEMPS / sizeof TEMPS[0]; i++)
        if (!strncmp(p, TEMPS[i].prefix, strlen(TEMPS[i].prefix))) return TEMPS[i].what;
    return "a temporary";
}

static void rewrite_names(char **s)
{
    if (!strstr(*s, "gocc__")) return;
    sb b = {0};
    const char *p = *s;
    while (*p) {
        const char *q = strstr(p, "gocc__");
        if (!q) {
            sb_puts(&b, p);
            break;
        }
        /* a quoted name ‘gocc__x’ / 'gocc__x' loses its quotes with it */
        size_t len;
        const char *what = temp_name(q, &len);
        const char *qs = q, *qe = q + len;
        if (q - p >= 3 && !strncmp(q - 3, "\xe2\x80\x98", 3) && !strncmp(qe, "\xe2\x80\x99", 3)) qs -= 3, qe += 3;
        else if (q > p && q[-1] == '\'' && *qe == '\'') qs--, qe++;
        sb_add(&b, p, (size_t)(qs - p));
        if (!strcmp(what, "main")) { /* keeps its quotes */
            sb_add(&b, qs, (size_t)(q - qs));
            sb_puts(&b, "main");
            sb_add(&b, q + len, (size_t)(qe - (q + len)));
        } else {
            sb_puts(&b, what);
        }
        p = qe;
    }
    free(*s);
    *s = sb_take(&b);
}

static void rewrite_message(char **s)
{
    rewrite_chan_types(s);
    rewrite_aka(s);
    /* a failed direction check: the assertion's message is the diagnostic */
    static const char *asserts[] = {"send on receive-only channel", "receive from send-only channel",
                                    "close of receive-only channel"};
    for (size_t i = 0; i < sizeof asserts / sizeof asserts[0]; i++) {
        char *k = strstr(*s, "static assertion failed");
        if (!k) k = strstr(*s, "static_assert failed");
        if (!k || !strstr(*s, asserts[i])) continue;
        sb b = {0};
        sb_add(&b, *s, (size_t)(k - *s));
        sb_printf(&b, "invalid operation: %s", asserts[i]);
        free(*s);
        *s = sb_take(&b);
    }
    replace_all(s, "discards \xe2\x80\x98" "volatile" "\xe2\x80\x99 qualifier from pointer target type",
                "loses the send-only direction of a channel (a chan<- T is not a chan T)");
    replace_all(s, "discards 'volatile' qualifier from pointer target type",
                "loses the send-only direction of a channel (a chan<- T is not a chan T)");
    replace_all(s, "discards \xe2\x80\x98" "const" "\xe2\x80\x99 qualifier from pointer target type",
                "discards \xe2\x80\x98" "const" "\xe2\x80\x99 qualifier from pointer target type (for a channel: a <-chan T is not a chan T)");
    rewrite_names(s);
    replace_all(s, "In function a go block", "In a go block");
    replace_all(s, "In function a go statement", "In a go statement");
}

/* ------------------------------------------------------------------------ */
/* lines and columns                                                         */

typedef struct gen_line {
    const char *text;
    size_t len;
    long gc_line; /* the .gc line it stands for, or 0 */
} gen_line;

static gen_line *gen_lines(const cd_map *m, int *n)
{
    gen_line *v = NULL;
    int cap = 0, k = 0;
    long cur = 0;
    int in_gc = 0;
    char *quoted = NULL;
    {
        sb q = {0};
        sb_puts(&q, "\"");
        for (const char *p = m->gc_path; *p; p++) {
            if (*p == '"' || *p == '\\') sb_add(&q, "\\", 1);
            sb_add(&q, p, 1);
        }
        sb_puts(&q, "\"");
        quoted = sb_take(&q);
    }
    const char *p = m->gen_text, *end = m->gen_text + m->gen_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len > 6 && !strncmp(p, "#line ", 6)) {
            char *after;
            long l = strtol(p + 6, &after, 10);
            while (*after == ' ') after++;
            in_gc = !strncmp(after, quoted, strlen(quoted));
            cur = l;
        } else {
            if (k == cap) {
                cap = cap ? cap * 2 : 256;
                v = xrealloc(v, (size_t)cap * sizeof *v);
            }
            v[k++] = (gen_line){p, len, in_gc ? cur : 0};
            if (cur) cur++;
        }
        p += len + 1;
    }
    free(quoted);
    *n = k;
    return v;
}

/* The .gc column for byte column col (1-based) of generated line g, whose
 * .gc line is s: the alignment of the two by their longest common
 * subsequence (the generated line is s with insertions; matches are taken
 * as late as possible, where the user's text was copied). A column in
 * inserted text maps to the next user character. */
static int map_column(const char *g, size_t n, const char *s, size_t m, int col)
{
    /* the common prefix (indentation, a line's untouched start) and suffix
     * are matched as they stand; the rest is aligned */
    size_t pre = 0;
    while (pre < n && pre < m && g[pre] == s[pre]) pre++;
    if (col >= 1 && (size_t)col <= pre) return col;
    size_t suf = 0;
    while (suf < n - pre && suf < m - pre && g[n - 1 - suf] == s[m - 1 - suf]) suf++;
    if (col >= 1 && (size_t)col > n - suf) return (int)(m - (n - (size_t)col));
    if (pre || suf) {
        int c = map_column(g + pre, n - pre - suf, s + pre, m - pre - suf, col - (int)pre);
        return c + (int)pre;
    }
    if (n == 0 || m == 0) return 1;
    if ((double)n * (double)m > 3e7) return col <= (int)m + 1 ? col : (int)m + 1; /* too long to align */
    unsigned short *dp = xmalloc((n + 1) * (m + 1) * sizeof *dp);
#define DP(i, j) dp[(size_t)(i) * (m + 1) + (size_t)(j)]
    for (size_t i = 0; i <= n; i++)
        for (size_t j = 0; j <= m; j++) {
            if (!i || !j) DP(i, j) = 0;
            else if (g[i - 1] == s[j - 1]) DP(i, j) = (unsigned short)(DP(i - 1, j - 1) + 1);
            else DP(i, j) = DP(i - 1, j) > DP(i, j - 1) ? DP(i - 1, j) : DP(i, j - 1);
        }
    long *match = xmalloc(n * sizeof *match);
    for (size_t i = 0; i < n; i++) match[i] = -1;
    for (size_t i = n, j = m; i && j;) {
        if (g[i - 1] == s[j - 1] && DP(i, j) == DP(i - 1, j - 1) + 1) {
            match[i - 1] = (long)(j - 1);
            i--, j--;
        } else if (DP(i - 1, j) >= DP(i, j - 1)) {
            i--;
        } else {
            j--;
        }
    }
#undef DP
    free(dp);
    size_t c = col > 0 ? (size_t)col - 1 : 0;
    int out = -1;
    for (size_t i = c; i < n && out < 0; i++)
        if (match[i] >= 0) out = (int)match[i] + 1;
    for (size_t i = c < n ? c : n; i-- > 0 && out < 0;)
        if (match[i] >= 0) out = (int)match[i] + 2;
    free(match);
    if (out < 1) out = 1;
    if (out > (int)m + 1) out = (int)m + 1;
    return out;
}

/* Whether line l starts a diagnostic or is one of cc's own lines (not part
 * of a source excerpt). */
static int is_header(const char *l)
{
    if (!strncmp(l, "In file included from", 21) || !strncmp(l, "                 from ", 22)) return 1;
    if (!strncmp(l, "cc1:", 4) || !strncmp(l, "collect2:", 9) || !strncmp(l, "gocc:", 5)) return 1;
    if (strstr(l, ": In function ") || strstr(l, ": At top level:") || strstr(l, ": In instantiation")) return 1;
    if (isdigit((unsigned char)l[0]) && (strstr(l, " generated.") != NULL)) return 1;
    if (l[0] == ' ' || l[0] == '\t' || !l[0]) return 0;
    const char *c = strchr(l, ':');
    while (c) {
        const char *p = c + 1;
        if (isdigit((unsigned char)*p)) {
            while (isdigit((unsigned char)*p)) p++;
            if (*p == ':') return 1;
        }
        c = strchr(c + 1, ':');
    }
    return 0;
}

/* Line l (1-based) of text, without its newline. */
static const char *nth_line(const char *t, size_t tlen, long l, size_t *len)
{
    const char *p = t, *end = t + tlen;
    for (long k = 1; k < l && p < end; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return NULL;
        p = nl + 1;
    }
    if (p >= end && l > 1) return NULL;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    return p;
}

/* The .gc column of byte column col of a generated line that stands for
 * .gc line ln: the generated line clang showed (`shown`, when given), else
 * the first of that .gc line long enough for the column. col itself when
 * the line is not known. */
static int gc_column(const gen_line *gen, int ngen, const char *gc, size_t gclen, long ln, int col, const char *shown)
{
    size_t sl = 0;
    const char *src = nth_line(gc, gclen, ln, &sl);
    if (!src) return col;
    const gen_line *best = NULL;
    for (int k = 0; k < ngen; k++) {
        if (gen[k].gc_line != ln) continue;
        if (shown && gen[k].len == strlen(shown) && !strncmp(gen[k].text, shown, gen[k].len)) {
            best = &gen[k];
            break;
        }
        /* Not a preprocessor line: gocc's own (the errno block after a run of #includes) share the
         * .gc lines they follow, and a user's directive passes through unchanged (col is right). */
        size_t i = 0;
        while (i < gen[k].len && (gen[k].text[i] == ' ' || gen[k].text[i] == '\t')) i++;
        if (i < gen[k].len && gen[k].text[i] == '#') continue;
        if (!best || (best->len + 1 < (size_t)col && gen[k].len + 1 >= (size_t)col)) best = &gen[k];
    }
    return best ? map_column(best->text, best->len, src, sl, col) : col;
}

/* clang names an unnamed struct, union or enum by where it is declared,
 * `struct (unnamed struct at f.gc:3:88)`: #line makes that the .gc line,
 * but the column is the generated line's; it becomes the .gc column. */
static void rewrite_unnamed(char **s, const char *gc_path, const gen_line *gen, int ngen, const char *gc, size_t gclen)
{
    if (!strstr(*s, "(unnamed ")) return;
    sb b = {0};
    char at[4200];
    snprintf(at, sizeof at, " at %s:", gc_path);
    const char *p = *s, *q;
    while ((q = strstr(p, at))) {
        const char *num = q + strlen(at);
        char *e1, *e2;
        long ln = strtol(num, &e1, 10);
        long col = *e1 == ':' ? strtol(e1 + 1, &e2, 10) : 0;
        if (e1 == num || *e1 != ':' || col <= 0 || *e2 != ')') {
            sb_add(&b, p, (size_t)(num - p));
            p = num;
            continue;
        }
        sb_add(&b, p, (size_t)(num - p));
        sb_printf(&b, "%ld:%d", ln, gc_column(gen, ngen, gc, gclen, ln, (int)col, NULL));
        p = e2;
    }
    sb_puts(&b, p);
    free(*s);
    *s = sb_take(&b);
}

/* ------------------------------------------------------------------------ */
/* gocc.h's macros                                                           */

/* Whether diagnostic line l is located in gocc.h (`.../gocc.h:N:M: ...`). */
static int in_gocc_h(const char *l)
{
    const char *h = strstr(l, "gocc.h:"), *sp = strstr(l, ": ");
    if (!h || (sp && sp < h) || !isdigit((unsigned char)h[7])) return 0;
    return h == l || h[-1] == '/';
}

/* The GOCC_ macro a note names (`in expansion of macro 'GOCC_X'`, clang's
 * `expanded from macro 'GOCC_X'`, `in definition of macro ...`), copied
 * into buf; 0 when l is no such note. */
static int macro_note(const char *l, char *buf, size_t n)
{
    const char *k = strstr(l, " note: ");
    if (!k) return 0;
    const char *mm = strstr(k, " macro ");
    if (!mm) return 0;
    const char *g = strstr(mm, "GOCC_");
    if (!g) return 0;
    size_t i = 0;
    while ((isalnum((unsigned char)g[i]) || g[i] == '_') && i + 1 < n) buf[i] = g[i], i++;
    buf[i] = '\0';
    return 1;
}

/* The operand checks of gocc.h: a channel operation whose operand is not a
 * channel fails inside one of these. */
static int operand_macro(const char *mac)
{
    return !strcmp(mac, "GOCC_CHAN_ELEM") || !strcmp(mac, "GOCC_CHAN_IS_RECV_ONLY") ||
           !strcmp(mac, "GOCC_CHAN_IS_SEND_ONLY");
}

/* The channel types of gocc.h (chan T, <-chan T, chan<- T). */
static int type_macro(const char *mac)
{
    return !strcmp(mac, "GOCC_CHAN") || !strcmp(mac, "GOCC_CHAN_SEND") || !strcmp(mac, "GOCC_CHAN_RECV");
}

/* `: error: invalid type argument of unary '*' (have 'T')` (gcc) or
 * `: error: indirection requires pointer operand ('T' invalid)` (clang),
 * raised in an operand check, in gc terms; NULL for any other message.
 * `undeclared`: an earlier error named an undeclared identifier, the usual
 * cause (`chan bool c` without <stdbool.h>: cc takes c as an int). */
static const char NONCHAN[] = ": error: invalid operation: the operand of a channel operation is not a channel";

/* mac: the check that failed; only GOCC_CHAN_IS_*_ONLY dereference the
 * operand once, so only theirs names the operand's own type (the element
 * check's may be that of *c or **c). */
static char *non_channel(const char *msg, const char *mac, int undeclared)
{
    const char *t = strstr(msg, "(have ");
    size_t skip = 6;
    if (!t) t = strstr(msg, "requires pointer operand ("), skip = 26;
    if (!t || !strstr(msg, "error: ")) return NULL;
    t += skip;
    const char *e = strstr(t, " invalid)");
    if (!e) e = strrchr(t, ')');
    if (!e) return NULL;
    /* clang names a type by its spelling and, for typeof sugar (select's channel temporaries are
     * `__typeof__(1 ? (c) : (c))`), adds the type itself: `'typeof (...)' (aka 'int')`. The latter. */
    for (const char *a = t; a + 5 < e; a++)
        if (!strncmp(a, "(aka ", 5)) {
            const char *q = e;
            while (q > a + 5 && q[-1] != ')') q--;
            if (q > a + 5) t = a + 5, e = q - 1;
            break;
        }
    sb b = {0};
    sb_puts(&b, NONCHAN);
    if (strcmp(mac, "GOCC_CHAN_ELEM") != 0) sb_printf(&b, " (its type is %.*s)", (int)(e - t), t);
    size_t tl = (size_t)(e - t);
    int is_int = (tl == 5 && !strncmp(t, "'int'", 5)) || (tl == 9 && !strncmp(t, "\xe2\x80\x98int\xe2\x80\x99", 9));
    if (undeclared && is_int)
        sb_puts(&b, "; an error in its declaration (such as bool without <stdbool.h>) can leave it an int");
    return sb_take(&b);
}

/* What the C compiler says after an operand check failed, about the same
 * line: the lowering's own expressions, nothing the user wrote. */
static int follow_on(const char *msg)
{
    static const char *k[] = {"expression in static assertion is not an integer", "static assertion expression is not",
                              "cast to pointer from integer", "cast to 'struct gocc_chan *'",
                              "incompatible type 'void'", "void value not ignored", "('void' invalid)"};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (strstr(msg, k[i])) return 1;
    return 0;
}

/* Whether .gc line ln holds a channel operator (`<-`): a textual check, enough to tell a follow-on error
 * of a channel operation from an error of its own on another line. */
static int line_has_chan_op(const char *gc, size_t gclen, long ln)
{
    size_t sl = 0;
    const char *src = nth_line(gc, gclen, ln, &sl);
    for (size_t k = 0; src && k + 1 < sl; k++)
        if (src[k] == '<' && src[k + 1] == '-') return 1;
    return 0;
}

char *cd_rewrite(const char *text, size_t len, const cd_map *m)
{
    size_t gclen = 0;
    char *gc = m->gc_path ? sb_read_file(m->gc_path, (size_t)-1 / 2, &gclen) : NULL;
    int ngen = 0;
    gen_line *gen = m->gen_text ? gen_lines(m, &ngen) : NULL;
    size_t pl = m->gc_path ? strlen(m->gc_path) : 0;
    sb out = {0};
    char **lines = NULL;
    int nl = 0, capl = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t l = e ? (size_t)(e - p) : (size_t)(end - p);
        if (nl == capl) {
            capl = capl ? capl * 2 : 64;
            lines = xrealloc(lines, (size_t)capl * sizeof *lines);
        }
        lines[nl++] = xstrndup(p, l);
        p += l + 1;
    }
    /* gocc.h's macros: their notes go; an error raised inside an operand
     * check moves to the .gc line of its expansion (gcc) and says what it
     * means in gc terms; what cc says after it about the same line goes
     * (follow_on), as does an error in a channel type's macro on a line that
     * already had one (clang's "reference to overloaded function" after an
     * undeclared element type) */
    long chan_err_line = 0, err_line = 0;
    int undeclared = 0;
    for (int i = 0; i < nl; i++) {
        char *l = lines[i];
        if (is_header(l) && in_gocc_h(l)) {
            int j = i + 1;
            while (j < nl && !is_header(lines[j])) j++;
            char mac[64];
            const char *k = strstr(l, ": error: ");
            int moved = 0;
            if (k && j < nl && macro_note(lines[j], mac, sizeof mac) && operand_macro(mac) &&
                !in_gocc_h(lines[j]) && strstr(lines[j], ": note: ")) {
                /* gcc: `gocc.h:N:M: error: ...` then `f.gc:L:C: note: in
                 * expansion of macro ...`: the error, at f.gc:L:C */
                const char *at = strstr(lines[j], ": note: ");
                char *nc = non_channel(k, mac, undeclared);
                if (nc) {
                    sb b = {0};
                    sb_add(&b, lines[j], (size_t)(at - lines[j]));
                    sb_puts(&b, nc);
                    free(nc);
                    free(lines[j]);
                    lines[j] = sb_take(&b);
                    moved = 1;
                }
            }
            /* the gocc.h line and its excerpt go: a macro's note, or an
             * error moved to the user's line; any other diagnostic in
             * gocc.h stays (not hidden, whatever it is) */
            if (moved || strstr(l, ": note: ")) {
                i = j - 1;
                continue;
            }
        }
        /* the generated file's #include <gocc.h> */
        if (m->gen_path && (!strncmp(l, "In file included from ", 22) || !strncmp(l, "                 from ", 22)) &&
            strstr(l, m->gen_path))
            continue;
        if (m->gen_path) replace_all(&l, m->gen_path, m->gc_path);
        lines[i] = l;
        long ln = 0;
        int col = 0;
        char *rest = NULL;
        if (gc && !strncmp(l, m->gc_path, pl) && l[pl] == ':' && isdigit((unsigned char)l[pl + 1])) {
            char *q;
            ln = strtol(l + pl + 1, &q, 10);
            if (*q == ':' && isdigit((unsigned char)q[1])) {
                col = (int)strtol(q + 1, &q, 10);
                if (*q == ':') rest = q;
            }
        }
        if (!rest) {
            char *msg = xstrdup(l);
            rewrite_message(&msg);
            if (gc) rewrite_unnamed(&msg, m->gc_path, gen, ngen, gc, gclen);
            sb_puts(&out, msg);
            sb_puts(&out, "\n");
            free(msg);
            continue;
        }
        /* a diagnostic at a .gc line: its excerpt follows */
        int j = i + 1;
        while (j < nl && !is_header(lines[j])) j++;
        char mac[64] = "";
        char *nc = NULL;
        if (j < nl && in_gocc_h(lines[j])) macro_note(lines[j], mac, sizeof mac); /* clang */
        if (!strncmp(rest, NONCHAN, strlen(NONCHAN))) nc = xstrdup(rest); /* gcc's, moved here above */
        else if (operand_macro(mac)) nc = non_channel(rest, mac, undeclared); /* clang's */
        int is_err = strstr(rest, ": error: ") == rest;
        if (!nc && ln == chan_err_line && (follow_on(rest) || (is_err && operand_macro(mac)))) {
            i = j - 1;
            continue;
        }
        if (is_err && type_macro(mac) && ln == err_line) {
            i = j - 1;
            continue;
        }
        /* clang: a channel whose declaration failed (`chan bool c` without <stdbool.h>: bool undeclared)
         * has no type at all, so a receive from it is a void expression and no operand check fires; what
         * clang then says of that void value on a line with a channel operation follows from the error
         * already reported, and goes, as Go reports only the undefined name */
        if (!nc && undeclared && is_err && follow_on(rest) && line_has_chan_op(gc, gclen, ln)) {
            i = j - 1;
            continue;
        }
        if (nc) {
            if (ln == chan_err_line) { /* said once a line */
                free(nc);
                i = j - 1;
                continue;
            }
            chan_err_line = ln;
            rest = nc;
        }
        if (is_err) err_line = ln;
        if (strstr(rest, "undeclared")) undeclared = 1;
        int gcc_style = i + 1 < j && strstr(lines[i + 1], " | ") != NULL;
        size_t sl = 0;
        const char *src = nth_line(gc, gclen, ln, &sl);
        int newcol = gc_column(gen, ngen, gc, gclen, ln, col, !gcc_style && i + 1 < j ? lines[i + 1] : NULL);
        char *msg = xstrdup(rest);
        rewrite_message(&msg);
        rewrite_unnamed(&msg, m->gc_path, gen, ngen, gc, gclen);
        sb_printf(&out, "%s:%ld:%d%s\n", m->gc_path, ln, newcol, msg);
        free(msg);
        free(nc);
        if (src && i + 1 < j) {
            /* the excerpt: the .gc line and a caret, in the compiler's style */
            sb caret = {0};
            for (int k = 1; k < newcol && (size_t)(k - 1) < sl; k++) sb_puts(&caret, src[k - 1] == '\t' ? "\t" : " ");
            sb_puts(&caret, "^");
            if (gcc_style) {
                char num[32];
                int w = snprintf(num, sizeof num, "%ld", ln);
                sb_printf(&out, " %*s%s | %.*s\n", w < 4 ? 4 - w : 0, "", num, (int)sl, src);
                sb_printf(&out, " %*s | %s\n", w < 4 ? 4 : w, "", caret.s);
            } else {
                sb_printf(&out, "%.*s\n%s\n", (int)sl, src, caret.s);
            }
            sb_free(&caret);
            i = j - 1;
        }
    }
    for (int i = 0; i < nl; i++) free(lines[i]);
    free(lines);
    free(gen);
    free(gc);
    return out.s ? sb_take(&out) : xstrdup("");
}

void cd_relay(int fd, const cd_map *m, FILE *out)
{
    sb b = {0};
    char buf[65536];
    ssize_t k;
    for (;;) {
        k = read(fd, buf, sizeof buf);
        if (k > 0) sb_add(&b, buf, (size_t)k);
        else if (k == 0 || (errno != EINTR)) break;
    }
    if (!b.len) return;
    char *r = cd_rewrite(b.s, b.len, m);
    fputs(r, out);
    fflush(out);
    free(r);
    sb_free(&b);
}
