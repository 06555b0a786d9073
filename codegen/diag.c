/* diag.c - error messages for syntax errors and lowering errors.
 *
 * tree-sitter always returns a tree; a syntax error shows up as an ERROR node
 * (tokens it could not fit) or a MISSING node (a token it assumed). The
 * message is chosen from the node and what surrounds it. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { MAX_ERRORS = 20 };

void dg_error(const char *path, const char *src, size_t len, TSPoint at, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%u:%u: error: ", path, at.row + 1, at.column + 1);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    /* the source line, then spaces (tabs kept, so the caret lines up) and ^ */
    size_t ls = 0;
    unsigned row = 0;
    while (ls < len && row < at.row) {
        if (src[ls] == '\n') row++;
        ls++;
    }
    size_t le = ls;
    while (le < len && src[le] != '\n') le++;
    fprintf(stderr, "%.*s\n", (int)(le - ls), src + ls);
    for (size_t i = 0; i < at.column && ls + i < le; i++) fputc(src[ls + i] == '\t' ? '\t' : ' ', stderr);
    fputs("^\n", stderr);
}

static int is(TSNode n, const char *t) { return !ts_node_is_null(n) && strcmp(ts_node_type(n), t) == 0; }

/* What a statement-like parent is called in "expected ';' after ...". */
static const char *construct_name(const char *t)
{
    static const struct { const char *type, *name; } names[] = {
        {"go_statement", "go statement"},
        {"defer_statement", "defer statement"},
        {"send_statement", "send statement"},
        {"receive_statement", "receive statement"},
        {"expression_statement", "expression"},
        {"declaration", "declaration"},
        {"field_declaration", "member declaration"},
        {"return_statement", "return statement"},
        {"break_statement", "'break'"},
        {"continue_statement", "'continue'"},
        {"goto_statement", "goto statement"},
        {"do_statement", "do statement"},
        {"type_definition", "typedef"},
        {"make_expression", "make"},
        {"select_receive", "'<-'"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].type, t) == 0) return names[i].name;
    return NULL;
}

static const char *keyword_decl(const char *src, TSNode parent);
static void keyword_error(const char *path, const char *src, size_t len, TSNode parent, const char *kw);

static int parent_is_range(TSNode p) { return !ts_node_is_null(p) && strcmp(ts_node_type(p), "for_range_statement") == 0; }

/* parent and the previous sibling come from the scan: ts_node_parent and
 * ts_node_prev_sibling of tree-sitter 0.20.7 can miss around MISSING nodes. */
static void missing(const char *path, const char *src, size_t len, TSNode n, TSNode parent, TSNode prev)
{
    const char *t = ts_node_type(n);
    const char *what = ts_node_is_null(parent) ? NULL : construct_name(ts_node_type(parent));
    const char *kw = keyword_decl(src, parent);
    if (kw) {
        keyword_error(path, src, len, parent, kw);
        return;
    }
    char tok[64];
    if (ts_node_is_named(n)) {
        /* after an operator, what is missing is an operand */
        if (!ts_node_is_null(prev) && !ts_node_is_named(prev) && ts_node_child_count(prev) == 0) {
            const char *pt = ts_node_type(prev);
            int chan = strcmp(pt, "<-") == 0 || (strcmp(pt, ":") == 0 && what == NULL && parent_is_range(parent));
            TSPoint at = ts_node_end_point(prev);
            dg_error(path, src, len, at, "expected %s after '%s'", chan ? "a channel expression" : "an expression", pt);
            return;
        }
        snprintf(tok, sizeof tok, "%s", strcmp(t, "identifier") == 0 ? "an identifier" : "an expression");
    } else {
        /* tree-sitter may "repair" with any token (an operator even); only
         * closing punctuation is worth naming */
        static const char *const closers[] = {";", ")", "]", "}", ":", ",", "(", "{", "=", "while"};
        int named = 0;
        for (size_t i = 0; i < sizeof closers / sizeof closers[0]; i++) named |= strcmp(t, closers[i]) == 0;
        if (!named) {
            TSPoint at = ts_node_is_null(prev) ? ts_node_start_point(n) : ts_node_end_point(prev);
            dg_error(path, src, len, at, "syntax error%s%s", what ? " in " : "", what ? what : "");
            return;
        }
        snprintf(tok, sizeof tok, "'%s'", t);
    }
    /* Report at the end of the token before, as C compilers do for a
     * missing ';'. */
    TSPoint at = ts_node_is_null(prev) ? ts_node_start_point(n) : ts_node_end_point(prev);
    if (!ts_node_is_null(parent) && (is(parent, "select_receive") || is(parent, "select_send") || is(parent, "select_case"))) {
        dg_error(path, src, len, at, "expected ':' after the select case");
        return;
    }
    if (is(parent, "select_body") && strcmp(t, "}") == 0) {
        /* point at what stands where a case should */
        size_t b = ts_node_start_byte(n);
        while (b < len && (src[b] == ' ' || src[b] == '\t' || src[b] == '\n' || src[b] == '\r')) b++;
        TSPoint p = {0, 0};
        for (size_t i = 0; i < b; i++) {
            if (src[i] == '\n') { p.row++; p.column = 0; }
            else p.column++;
        }
        dg_error(path, src, len, p, "expected 'case' or 'default' in select");
        return;
    }
    size_t rest = ts_node_start_byte(n);
    while (rest < len && (src[rest] == ' ' || src[rest] == '\t' || src[rest] == '\n' || src[rest] == '\r')) rest++;
    if (rest >= len) dg_error(path, src, len, at, "expected %s at end of file", tok);
    else if (what) dg_error(path, src, len, at, "expected %s after %s", tok, what);
    else dg_error(path, src, len, at, "expected %s", tok);
}

/* The first leaf of n (a token). */
static TSNode first_leaf(TSNode n)
{
    while (ts_node_child_count(n) > 0) n = ts_node_child(n, 0);
    return n;
}

static int has_child_type(TSNode n, const char *t)
{
    for (uint32_t i = 0; i < ts_node_child_count(n); i++)
        if (is(ts_node_child(n, i), t)) return 1;
    return 0;
}

static int leaf_is(const char *src, TSNode n, const char *word)
{
    if (ts_node_is_null(n) || ts_node_child_count(n) != 0) return 0;
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    return strlen(word) == e - s && memcmp(src + s, word, e - s) == 0;
}

static void scan(const char *path, const char *src, size_t len, TSNode n, TSNode parent, TSNode prev, TSNode next,
                 int *count);

/* The last leaf of n. */
static TSNode last_leaf(TSNode n)
{
    while (ts_node_child_count(n) > 0) n = ts_node_child(n, ts_node_child_count(n) - 1);
    return n;
}

/* `select`, `go` or `defer` that tree-sitter took for a type name in a
 * declaration (`select\n c <- 1;`): the construct is what was meant. */
static const char *keyword_decl(const char *src, TSNode parent)
{
    static const char *const kw[] = {"select", "go", "defer"};
    if (!is(parent, "declaration")) return NULL;
    TSNode t = ts_node_child_by_field_name(parent, "type", 4);
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (leaf_is(src, t, kw[i])) return kw[i];
    return NULL;
}

static void keyword_error(const char *path, const char *src, size_t len, TSNode parent, const char *kw)
{
    TSPoint at = ts_node_end_point(ts_node_child_by_field_name(parent, "type", 4));
    if (strcmp(kw, "select") == 0) dg_error(path, src, len, at, "expected '{' after 'select'");
    else dg_error(path, src, len, at, "expected a call or a block after '%s'", kw);
}

static void error_node(const char *path, const char *src, size_t len, TSNode n, TSNode parent, TSNode prev,
                       TSNode next, int *count)
{
    /* An unmatched '(' among the ERROR's own tokens, before any inner error:
     * a missing ')', reported where the line with the '(' ends. */
    uint32_t first_inner = UINT32_MAX;
    for (uint32_t i = 0; i < ts_node_child_count(n); i++) {
        TSNode k = ts_node_child(n, i);
        if (ts_node_has_error(k) || ts_node_is_missing(k) || is(k, "ERROR")) {
            first_inner = ts_node_start_byte(k);
            break;
        }
    }
    int depth = 0;
    TSNode open = {{0}, 0, 0};
    for (uint32_t i = 0; i < ts_node_child_count(n); i++) {
        TSNode k = ts_node_child(n, i);
        if (ts_node_start_byte(k) >= first_inner) break;
        if (leaf_is(src, k, "(")) { if (depth++ == 0) open = k; }
        else if (leaf_is(src, k, ")") && depth > 0) depth--;
    }
    if (depth > 0 && !ts_node_is_null(open)) {
        /* the last token on the '(' line, among the ERROR's leaves */
        TSNode cur = open, best = open;
        uint32_t row = ts_node_start_point(open).row;
        TSTreeCursor c = ts_tree_cursor_new(n);
        int more = ts_tree_cursor_goto_first_child(&c);
        while (more) {
            TSNode x = ts_tree_cursor_current_node(&c);
            if (ts_node_child_count(x) > 0 && ts_node_start_point(x).row <= row) {
                more = ts_tree_cursor_goto_first_child(&c);
                continue;
            }
            if (ts_node_start_byte(x) > ts_node_start_byte(open) && ts_node_child_count(x) == 0) {
                if (ts_node_start_point(x).row > row) break;
                best = x;
            }
            while (!(more = ts_tree_cursor_goto_next_sibling(&c)))
                if (!ts_tree_cursor_goto_parent(&c) || ts_node_eq(ts_tree_cursor_current_node(&c), n)) break;
            if (!more) break;
        }
        ts_tree_cursor_delete(&c);
        (void)cur;
        ++*count;
        dg_error(path, src, len, ts_node_end_point(best), "expected ')'");
        return;
    }
    /* An ERROR that runs to the end of the file with an unclosed '{'. */
    size_t end = ts_node_end_byte(n);
    while (end < len && (src[end] == ' ' || src[end] == '\t' || src[end] == '\n' || src[end] == '\r')) end++;
    if (end >= len) {
        int braces = 0;
        for (uint32_t i = 0; i < ts_node_child_count(n); i++) {
            TSNode k = ts_node_child(n, i);
            if (leaf_is(src, k, "{")) braces++;
            else if (leaf_is(src, k, "}")) braces--;
        }
        if (braces > 0) {
            ++*count;
            dg_error(path, src, len, ts_node_end_point(n), "expected '}' at end of file");
            return;
        }
    }
    /* An ERROR that holds errors of its own: the inner ones are the precise
     * ones (tree-sitter wraps whole functions after a bad token). */
    for (uint32_t i = 0; i < ts_node_child_count(n); i++) {
        TSNode k = ts_node_child(n, i);
        if (ts_node_has_error(k) || ts_node_is_missing(k)) {
            TSNode before = {{0}, 0, 0};
            for (uint32_t j = 0; j < ts_node_child_count(n); j++) {
                TSNode c = ts_node_child(n, j);
                TSNode after = j + 1 < ts_node_child_count(n) ? ts_node_child(n, j + 1) : next;
                scan(path, src, len, c, n, before, after, count);
                before = c;
            }
            return;
        }
    }
    ++*count;
    const char *kw = keyword_decl(src, parent);
    if (kw) {
        keyword_error(path, src, len, parent, kw);
        return;
    }
    /* Junk that ends a line, before a statement on the next one: a missing
     * ';' at the end of the line. */
    TSNode last = last_leaf(n);
    if (!ts_node_is_null(next) && ts_node_start_point(next).row > ts_node_end_point(n).row &&
        !leaf_is(src, last, ";") && !leaf_is(src, last, "{") && !leaf_is(src, last, "}") &&
        ts_node_named_child_count(n) > 0) {
        const char *what = ts_node_is_null(parent) ? NULL : construct_name(ts_node_type(parent));
        if (is(parent, "select_receive") || is(parent, "select_send") || is(parent, "select_case"))
            dg_error(path, src, len, ts_node_end_point(n), "expected ':' after the select case");
        else if (what) dg_error(path, src, len, ts_node_end_point(n), "expected ';' after %s", what);
        else dg_error(path, src, len, ts_node_end_point(n), "expected ';' at end of line");
        return;
    }
    TSNode leaf = first_leaf(n);
    TSPoint at = ts_node_start_point(n);
    char text[48];
    uint32_t s = ts_node_start_byte(leaf), e = ts_node_end_byte(leaf);
    if (e - s > 40) e = s + 40;
    snprintf(text, sizeof text, "%.*s", (int)(e - s), src + s);
    const char *lt = ts_node_type(leaf);

    /* A construct keyword swallowed by the error: the tree-sitter scanner
     * gives it to us as a token of its own. */
    /* `go 5;` parses as the identifier go followed by junk */
    if (leaf_is(src, prev, "go") || leaf_is(src, prev, "defer")) {
        dg_error(path, src, len, at, "expected a call or a block after '%s'", leaf_is(src, prev, "go") ? "go" : "defer");
        return;
    }
    if (leaf_is(src, prev, "select")) {
        dg_error(path, src, len, at, "expected '{' after 'select'");
        return;
    }
    if (has_child_type(n, "go") || strcmp(lt, "go") == 0) {
        dg_error(path, src, len, at, "expected a call or a block after 'go'");
        return;
    }
    if (has_child_type(n, "defer") || strcmp(lt, "defer") == 0) {
        dg_error(path, src, len, at, "expected a call or a block after 'defer'");
        return;
    }
    if (has_child_type(n, "select") || strcmp(lt, "select") == 0) {
        dg_error(path, src, len, at, "expected '{' after 'select'");
        return;
    }
    if (has_child_type(n, "make") || strcmp(lt, "make") == 0) {
        for (uint32_t i = 0; i < ts_node_child_count(n); i++)
            if (is(ts_node_child(n, i), "make")) at = ts_node_start_point(ts_node_child(n, i));
        dg_error(path, src, len, at, "expected a channel type in make(chan T) or make(chan T, n)");
        return;
    }
    if (has_child_type(n, "chan") || strcmp(lt, "chan") == 0) {
        dg_error(path, src, len, at, "expected an element type after 'chan'");
        return;
    }
    if (is(parent, "select_body") || is(parent, "select_case")) {
        if (strcmp(lt, "case") == 0)
            dg_error(path, src, len, at, "expected a send (c <- v) or a receive (<-c) after 'case'");
        else
            dg_error(path, src, len, at, "expected 'case' or 'default' in select, found '%s'", text);
        return;
    }
    if (strcmp(lt, "<-") == 0) {
        dg_error(path, src, len, at, "expected a channel expression after '<-'");
        return;
    }
    if (ts_node_end_byte(n) >= len && ts_node_start_byte(n) == ts_node_end_byte(n)) {
        dg_error(path, src, len, at, "unexpected end of file");
        return;
    }
    if (strcmp(lt, ";") == 0 && ts_node_child_count(n) == 1) {
        dg_error(path, src, len, at, "expected an expression before ';'");
        return;
    }
    if (strcmp(lt, "}") == 0 || strcmp(lt, ")") == 0 || strcmp(lt, "]") == 0)
        dg_error(path, src, len, at, "expected an expression or statement before '%s'", text);
    else
        dg_error(path, src, len, at, "unexpected '%s'", text);
}

static void scan(const char *path, const char *src, size_t len, TSNode n, TSNode parent, TSNode prev, TSNode next,
                 int *count)
{
    if (*count >= MAX_ERRORS) return;
    if (ts_node_is_missing(n)) {
        missing(path, src, len, n, parent, prev);
        ++*count;
        return;
    }
    if (is(n, "ERROR")) {
        error_node(path, src, len, n, parent, prev, next, count);
        return;
    }
    if (!ts_node_has_error(n)) return;
    TSNode before = {{0}, 0, 0};
    for (uint32_t i = 0; i < ts_node_child_count(n); i++) {
        TSNode k = ts_node_child(n, i);
        TSNode after = i + 1 < ts_node_child_count(n) ? ts_node_child(n, i + 1) : next;
        scan(path, src, len, k, n, before, after, count);
        before = k;
    }
}

int dg_syntax(const char *path, const char *src, size_t len, TSNode root)
{
    int count = 0;
    TSNode null = {{0}, 0, 0};
    scan(path, src, len, root, null, null, null, &count);
    if (count >= MAX_ERRORS) fprintf(stderr, "%s: too many errors, stopping\n", path);
    return count;
}
