/* diag.c - error messages for syntax errors and lowering errors.
 *
 * tree-sitter always returns a tree; a syntax error shows up as an ERROR node
 * (tokens it could not fit) or a MISSING node (a token it assumed). The
 * message is chosen from the node and what surrounds it. */
#include "diag.h"
#include "gc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
    /* a very long line (minified code, not C at all) is shown as a window
     * of 240 bytes around the column */
    size_t col = at.column;
    if (le - ls > 240) {
        size_t from = col > 120 ? col - 120 : 0;
        ls += from;
        col -= from;
        if (le - ls > 240) le = ls + 240;
    }
    fprintf(stderr, "%.*s\n", (int)(le - ls), src + ls);
    for (size_t i = 0; i < col && ls + i < le; i++) fputc(src[ls + i] == '\t' ? '\t' : ' ', stderr);
    fputs("^\n", stderr);
}

static int is(TSNode n, const char *t)
{
    if (ts_node_is_null(n)) return 0;
    const char *a = ts_node_type(n);
    return a[0] == t[0] && strcmp(a, t) == 0;
}

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

/* n's children, through a cursor (ts_node_child(n, i) of tree-sitter 0.20.7
 * steps over the i children before it: indexing a wide ERROR, as random
 * bytes make, was quadratic). */
static TSNode *kids_of(TSNode n, uint32_t *nk)
{
    uint32_t cnt = ts_node_child_count(n), i = 0;
    TSNode *k = malloc((cnt ? cnt : 1) * sizeof *k);
    if (!k) {
        *nk = 0;
        return NULL;
    }
    TSTreeCursor c = ts_tree_cursor_new(n);
    if (ts_tree_cursor_goto_first_child(&c)) {
        do k[i++] = ts_tree_cursor_current_node(&c);
        while (i < cnt && ts_tree_cursor_goto_next_sibling(&c));
    }
    ts_tree_cursor_delete(&c);
    *nk = i;
    return k;
}

static int has_kid_type(const TSNode *kids, uint32_t nk, const char *t)
{
    for (uint32_t i = 0; i < nk; i++)
        if (is(kids[i], t)) return 1;
    return 0;
}

static int leaf_is(const char *src, TSNode n, const char *word)
{
    if (ts_node_is_null(n) || ts_node_child_count(n) != 0) return 0;
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    return strlen(word) == e - s && memcmp(src + s, word, e - s) == 0;
}

typedef struct boundary boundary;
static void scan(const char *path, const char *src, size_t len, TSNode n, TSNode parent, TSNode prev, TSNode next,
                 int *count, int in_gc, boundary *bd);

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

static void error_node_kids(const char *path, const char *src, size_t len, TSNode n, TSNode parent, TSNode prev,
                            TSNode next, int *count, TSNode *kids, uint32_t nk)
{
    /* An unmatched '(' among the ERROR's own tokens, before any inner error:
     * a missing ')', reported where the line with the '(' ends. */
    uint32_t first_inner = UINT32_MAX;
    for (uint32_t i = 0; i < nk; i++) {
        TSNode k = kids[i];
        if (ts_node_has_error(k) || ts_node_is_missing(k) || is(k, "ERROR")) {
            first_inner = ts_node_start_byte(k);
            break;
        }
    }
    int depth = 0;
    TSNode open = {{0}, 0, 0};
    for (uint32_t i = 0; i < nk; i++) {
        TSNode k = kids[i];
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
        for (uint32_t i = 0; i < nk; i++) {
            TSNode k = kids[i];
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
    for (uint32_t i = 0; i < nk; i++) {
        TSNode k = kids[i];
        if (ts_node_has_error(k) || ts_node_is_missing(k)) {
            TSNode before = {{0}, 0, 0};
            for (uint32_t j = 0; j < nk; j++) {
                TSNode c = kids[j];
                TSNode after = j + 1 < nk ? kids[j + 1] : next;
                scan(path, src, len, c, n, before, after, count, 1, NULL);
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
    if (has_kid_type(kids, nk, "go") || strcmp(lt, "go") == 0) {
        dg_error(path, src, len, at, "expected a call or a block after 'go'");
        return;
    }
    if (has_kid_type(kids, nk, "defer") || strcmp(lt, "defer") == 0) {
        dg_error(path, src, len, at, "expected a call or a block after 'defer'");
        return;
    }
    if (has_kid_type(kids, nk, "select") || strcmp(lt, "select") == 0) {
        dg_error(path, src, len, at, "expected '{' after 'select'");
        return;
    }
    if (has_kid_type(kids, nk, "make") || strcmp(lt, "make") == 0) {
        for (uint32_t i = 0; i < nk; i++)
            if (is(kids[i], "make")) at = ts_node_start_point(kids[i]);
        dg_error(path, src, len, at, "expected a channel type in make(chan T) or make(chan T, n)");
        return;
    }
    if (has_kid_type(kids, nk, "chan") || strcmp(lt, "chan") == 0) {
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
    if (strcmp(lt, ";") == 0 && nk == 1) {
        dg_error(path, src, len, at, "expected an expression before ';'");
        return;
    }
    if (strcmp(lt, "}") == 0 || strcmp(lt, ")") == 0 || strcmp(lt, "]") == 0)
        dg_error(path, src, len, at, "expected an expression or statement before '%s'", text);
    else
        dg_error(path, src, len, at, "unexpected '%s'", text);
}


static void error_node(const char *path, const char *src, size_t len, TSNode n, TSNode parent, TSNode prev,
                       TSNode next, int *count)
{
    uint32_t nk;
    TSNode *kids = kids_of(n, &nk);
    error_node_kids(path, src, len, n, parent, prev, next, count, kids, nk);
    free(kids);
}

/* ------------------------------------------------------------------------ */
/* Which syntax errors are gocc's                                            */
/*
 * tree-sitter parses C without preprocessing, so valid C that leans on macros
 * (`LUA_API int f(void);`, `luai_intop(+, a, b)`, `#if` branches that each
 * open a brace) leaves ERROR and MISSING nodes. Such a region is gocc's
 * business only when gc syntax is involved; otherwise its bytes pass through
 * unchanged and the C compiler, which sees the preprocessed text, judges them
 * (its messages name the .gc line through #line). A region involves gc when
 *   - it is inside a gc construct (not behind a statement or block of C in
 *     between): the construct's lowering would read a broken tree; or
 *   - it holds a gc node or token (`go`, `defer`, `select`, `chan`, `make`
 *     as keywords, `<-`, or a gc statement or expression); or
 *   - it holds a gc keyword the parser could not lex as one, used as gc uses
 *     it: `go`/`defer` before a name or `{`, `select` before `{`, `chan`
 *     before a name, `(` or `<-`, `make(chan`, or `<-` where a receive
 *     (after `=`, `(`, `,`, `return`, ...) or a send (`name <-` at the start
 *     of a statement) stands.
 * Children of an ERROR that the walk lowers as usual (dg_error_walked:
 * complete function definitions, declarations, typedefs, #include) are not
 * part of the region. Such a region is therefore never passed through with gc
 * syntax left unlowered in it: the C compiler never sees `<-` or `chan` from
 * a gocc that said nothing.
 */

static int is_gc_name(const char *t)
{
    static const char *const types[] = {
        "go_statement", "defer_statement", "select_statement", "select_body", "select_case", "select_send",
        "select_receive", "send_statement", "receive_statement", "receive_expression", "for_range_statement",
        "make_expression", "channel_type", "send_channel_type", "receive_channel_type",
        "go", "defer", "select", "chan", "make", "<-",
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(t, types[i]) == 0) return 1;
    return 0;
}

/* A node that ends a gc construct's reach upwards: C statements, blocks,
 * declarations. An error below one of these (and above any gc construct) is
 * the C's own. */
static int is_c_boundary_name(const char *t)
{
    if (is_gc_name(t)) return 0;
    if (strstr(t, "_statement") || strncmp(t, "preproc_", 8) == 0) return 1;
    static const char *const types[] = {"translation_unit", "function_definition", "declaration", "type_definition",
                                        "field_declaration", "field_declaration_list", "enumerator_list",
                                        "initializer_list", "linkage_specification"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(t, types[i]) == 0) return 1;
    return 0;
}

static int is_error_walked_name(const char *t)
{
    static const char *const types[] = {"function_definition", "declaration", "type_definition", "preproc_include"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(t, types[i]) == 0) return 1;
    return 0;
}

/* What the checks below ask of a node's type, decided once per grammar
 * symbol: the walks ask it of every node of the file, and comparing type
 * names took a tenth of translating sqlite3.c (21 strcmp calls a node for
 * the gc types alone). */
enum { K_GC = 1, K_BOUNDARY = 2, K_WALKED = 4, K_COMMENT = 8, K_ERROR = 16, K_IDENT = 32 };

static unsigned kind_of_name(const char *t)
{
    unsigned k = 0;
    if (is_gc_name(t)) k |= K_GC;
    if (is_c_boundary_name(t)) k |= K_BOUNDARY;
    if (is_error_walked_name(t)) k |= K_WALKED;
    if (strcmp(t, "comment") == 0) k |= K_COMMENT;
    if (strcmp(t, "ERROR") == 0) k |= K_ERROR;
    if (strstr(t, "identifier")) k |= K_IDENT;
    return k;
}

static unsigned kind(TSNode n)
{
    static unsigned char *table;
    static uint32_t count;
    if (!table) {
        const TSLanguage *lang = tree_sitter_gc();
        uint32_t c = ts_language_symbol_count(lang);
        unsigned char *t = malloc(c ? c : 1);
        if (t) {
            for (uint32_t i = 0; i < c; i++) t[i] = (unsigned char)kind_of_name(ts_language_symbol_name(lang, (TSSymbol)i));
            table = t;
            count = c;
        }
    }
    TSSymbol s = ts_node_symbol(n);
    if (table && s < count) return table[s];
    return kind_of_name(ts_node_type(n)); /* ts_builtin_sym_error, or no memory */
}

int dg_error_walked(TSNode k)
{
    return (kind(k) & K_WALKED) != 0;
}

static int ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

/* The offset of the next non-blank byte at or after i (comments skipped). */
static size_t skip_blank(const char *src, size_t len, size_t i)
{
    for (;;) {
        while (i < len && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r' || src[i] == '\\')) i++;
        if (i + 1 < len && src[i] == '/' && src[i + 1] == '*') {
            const char *e = NULL;
            for (size_t j = i + 2; j + 1 < len; j++)
                if (src[j] == '*' && src[j + 1] == '/') { e = src + j + 2; break; }
            i = e ? (size_t)(e - src) : len;
        } else if (i + 1 < len && src[i] == '/' && src[i + 1] == '/') {
            while (i < len && src[i] != '\n') i++;
        } else {
            return i;
        }
    }
}

static int text_is(const char *src, TSNode n, const char *word)
{
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    return strlen(word) == e - s && memcmp(src + s, word, e - s) == 0;
}

/* A word leaf (identifier, type name, ...) spelled as a gc keyword and
 * followed by what that keyword takes in gc. */
static int gc_word(const char *src, size_t len, TSNode leaf)
{
    static const char *const words[] = {"go", "defer", "select", "chan", "make"};
    int w = -1;
    for (int i = 0; i < 5; i++)
        if (text_is(src, leaf, words[i])) w = i;
    if (w < 0) return 0;
    size_t i = skip_blank(src, len, ts_node_end_byte(leaf));
    if (i >= len) return 0;
    char c = src[i];
    switch (w) {
    case 0: case 1: return c == '{' || ident_start(c);
    case 2: return c == '{';
    case 3: return c == '(' || ident_start(c) || (c == '<' && i + 1 < len && src[i + 1] == '-');
    default:
        if (c != '(') return 0;
        i = skip_blank(src, len, i + 1);
        return i + 4 <= len && memcmp(src + i, "chan", 4) == 0 && (i + 4 == len || !ident_start(src[i + 4]));
    }
}

/* `<` immediately followed by `-`, where gc would read `<-`: prev and
 * prev2 are the two leaves before it (null at the region's start). */
static int gc_arrow(const char *src, size_t len, TSNode leaf, TSNode prev, TSNode prev2)
{
    uint32_t s = ts_node_start_byte(leaf);
    if (!text_is(src, leaf, "<") || s + 1 >= len || src[s + 1] != '-') return 0;
    static const char *const before_recv[] = {"=", "(", ",", ";", "{", "}", ":", "?", "return", "[", "!", "&&", "||"};
    if (ts_node_is_null(prev)) return 1;
    for (size_t i = 0; i < sizeof before_recv / sizeof before_recv[0]; i++)
        if (text_is(src, prev, before_recv[i])) return 1;
    /* name <- value at the start of a statement */
    if (ts_node_is_named(prev) && ts_node_child_count(prev) == 0 && ident_start(src[ts_node_start_byte(prev)]) &&
        (ts_node_is_null(prev2) || text_is(src, prev2, ";") || text_is(src, prev2, "{") || text_is(src, prev2, "}")))
        return 1;
    return 0;
}

/* Whether the subtree n holds gc syntax, leaving out the dg_error_walked
 * children of ERROR nodes in it (for an ERROR n: whether its region does).
 * Iterative: an ERROR can span a whole file, and nesting can be deep. */
int dg_has_gc(const char *src, size_t len, TSNode n, TSNode *where)
{
    TSTreeCursor c = ts_tree_cursor_new(n);
    TSNode prev = {{0}, 0, 0}, prev2 = prev;
    int found = 0;
    /* in_error[d]: the node at depth d-1 (the parent of depth d) is an ERROR */
    size_t cap = 64, depth = 0;
    char *in_error = malloc(cap);
    if (!in_error) return 1; /* cannot tell: the caller refuses */
    in_error[0] = (kind(n) & K_ERROR) != 0;
    int more = ts_tree_cursor_goto_first_child(&c);
    if (more) depth = 1;
    while (more && !found) {
        TSNode k = ts_tree_cursor_current_node(&c);
        unsigned kk = kind(k);
        int skip = (in_error[depth - 1] && (kk & K_WALKED)) || (kk & K_COMMENT);
        int leaf = ts_node_child_count(k) == 0;
        int word = leaf && (!ts_node_is_named(k) || (kk & K_IDENT));
        if (!skip && ((kk & K_GC) || (word && gc_word(src, len, k)) || (leaf && gc_arrow(src, len, k, prev, prev2)))) {
            *where = k;
            found = 1;
            break;
        }
        if (!skip && !leaf && ts_tree_cursor_goto_first_child(&c)) {
            if (depth == cap) {
                char *m = realloc(in_error, cap *= 2);
                if (!m) {
                    *where = k;
                    found = 1;
                    break;
                }
                in_error = m;
            }
            in_error[depth++] = (kk & K_ERROR) != 0;
            continue;
        }
        if (!skip && leaf && ts_node_end_byte(k) > ts_node_start_byte(k)) {
            prev2 = prev;
            prev = k;
        }
        while (!(more = ts_tree_cursor_goto_next_sibling(&c)) && depth > 1) {
            ts_tree_cursor_goto_parent(&c);
            depth--;
        }
    }
    free(in_error);
    ts_tree_cursor_delete(&c);
    return found;
}

static dg_stats *stats;

/* `for (` whose parenthesis holds a ':' at its own depth that is no part of
 * a `?:` before any ';': a gc range loop, however broken. */
static int gc_range_for(const char *src, size_t len, TSNode leaf)
{
    if (!text_is(src, leaf, "for")) return 0;
    size_t i = skip_blank(src, len, ts_node_end_byte(leaf));
    if (i >= len || src[i] != '(') return 0;
    int depth = 0, cond = 0;
    for (; i < len; i++) {
        char c = src[i];
        if (c == '"' || c == '\'') {
            for (i++; i < len && src[i] != c && src[i] != '\n'; i++)
                if (src[i] == '\\') i++;
        } else if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if (c == ')' || c == ']' || c == '}') {
            if (--depth == 0) return 0;
        } else if (depth == 1 && c == ';') {
            return 0;
        } else if (c == '?') {
            cond++;
        } else if (c == ':' && depth == 1) {
            if (i + 1 < len && src[i + 1] == ':') { i++; continue; }
            if (cond) cond--;
            else return 1;
        }
    }
    return 0;
}

/* The leaf just before the ERROR or MISSING node (its previous sibling's
 * last leaf) is a gc keyword word or `<-`: `go 5;`, `defer 5;` (the word
 * stays outside the ERROR). */
static int gc_before(const char *src, TSNode prev)
{
    if (ts_node_is_null(prev)) return 0;
    TSNode l = last_leaf(prev);
    static const char *const words[] = {"go", "defer", "select", "chan", "make", "<-"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (leaf_is(src, l, words[i])) return 1;
    return 0;
}

/* What follows the ERROR or MISSING node reads as a send, `name <- v`:
 * error recovery may have glued it to the broken code before it, so the
 * parser took its `<-` for C's `< -` (`s += ; out <- v;`). */
static int gc_after(const char *src, size_t len, TSNode next)
{
    if (ts_node_is_null(next)) return 0;
    TSNode l = first_leaf(next);
    if (!is(l, "identifier")) return 0;
    size_t i = skip_blank(src, len, ts_node_end_byte(l));
    return i + 1 < len && src[i] == '<' && src[i + 1] == '-';
}

/* The nearest C statement, block or declaration around an error (see
 * scan): whether it holds gc syntax is computed once, when first asked. */
typedef struct boundary {
    TSNode n;
    int gc; /* -1: not computed yet */
    TSNode where; /* the gc in it */
} boundary;

static int boundary_gc(const char *src, size_t len, boundary *b)
{
    if (!b || ts_node_is_null(b->n) || is(b->n, "translation_unit")) return 0;
    if (b->gc < 0) b->gc = dg_has_gc(src, len, b->n, &b->where);
    return b->gc;
}

/* Go spellings that gc writes otherwise, found in an ERROR node n (parent
 * and prev as in scan): the message names the gc spelling. Returns 1 and
 * reports when found. */
static int go_spelling(const char *path, const char *src, size_t len, TSNode n, TSNode parent, TSNode prev)
{
    /* the first ':' of the region that is followed by '=' (Go's `:=`) */
    TSNode colon = {{0}, 0, 0}, first = {{0}, 0, 0};
    int has_range = 0;
    TSTreeCursor c = ts_tree_cursor_new(n);
    int more = ts_tree_cursor_goto_first_child(&c);
    unsigned depth = more ? 1 : 0;
    while (more) {
        TSNode k = ts_tree_cursor_current_node(&c);
        if (depth == 1 && dg_error_walked(k)) {
            /* a complete definition: its own errors are scanned apart */
            if (ts_node_is_null(first)) first = first_leaf(k);
        } else if (ts_node_child_count(k) == 0) {
            if (ts_node_is_null(first) && ts_node_end_byte(k) > ts_node_start_byte(k)) first = k;
            uint32_t e = ts_node_end_byte(k);
            if (ts_node_is_null(colon) && text_is(src, k, ":") && e < len && src[e] == '=') colon = k;
            if (text_is(src, k, "range")) has_range = 1;
        } else if (ts_tree_cursor_goto_first_child(&c)) {
            depth++;
            continue;
        }
        while (!(more = ts_tree_cursor_goto_next_sibling(&c)) && depth > 1) {
            ts_tree_cursor_goto_parent(&c);
            depth--;
        }
    }
    ts_tree_cursor_delete(&c);
    /* `:` alone as the ERROR, with `=` after it, in an assignment: `x := e` */
    if (ts_node_is_null(first) && ts_node_start_byte(n) < len && src[ts_node_start_byte(n)] == ':' &&
        ts_node_start_byte(n) + 1 < len && src[ts_node_start_byte(n) + 1] == '=')
        colon = n;
    if (!ts_node_is_null(first) && text_is(src, first, "for") && (has_range || !ts_node_is_null(colon))) {
        dg_error(path, src, len, ts_node_start_point(first),
                 "'for v := range c' is Go; gc writes 'for (T v : c)', with v's type");
        return 1;
    }
    if (!ts_node_is_null(first) && (text_is(src, first, "func")) && gc_before(src, prev)) {
        const char *kw = leaf_is(src, last_leaf(prev), "defer") ? "defer" : "go";
        dg_error(path, src, len, ts_node_start_point(first),
                 "'%s func() { ... }()' is Go; gc writes '%s { ... }' (the block sees the function's variables)", kw,
                 kw);
        return 1;
    }
    if (!ts_node_is_null(colon)) {
        TSPoint at = ts_node_start_point(colon);
        if (is(parent, "receive_statement"))
            dg_error(path, src, len, at, "'v, ok := <-c' is Go; gc writes 'v, ok = <-c;' with v and ok declared before");
        else if (is(parent, "select_receive") || is(parent, "select_case"))
            dg_error(path, src, len, at, "'case v := <-c:' is Go; gc declares v with its type: 'case T v = <-c:'");
        else
            dg_error(path, src, len, at, "':=' is Go; gc declares a variable with its type: 'T x = e;' (or '__auto_type x = e;')");
        return 1;
    }
    /* make(chan int *, n) */
    if (is(parent, "make_expression") && !ts_node_is_null(first) && text_is(src, first, "*")) {
        dg_error(path, src, len, ts_node_start_point(first),
                 "a channel of pointers is written 'chan(T *)' in gc ('chan T *' is a pointer to a channel)");
        return 1;
    }
    return 0;
}

/* Walks the tree and reports the error regions that involve gc. in_gc: n is
 * inside a gc construct, with no C statement, block or declaration between;
 * bd: the nearest C statement, block or declaration around n. Recursion
 * depth is bounded by the caller (cg_translate refuses deeper trees). */
static void scan(const char *path, const char *src, size_t len, TSNode n, TSNode parent, TSNode prev, TSNode next,
                 int *count, int in_gc, boundary *bd)
{
    if (*count >= MAX_ERRORS) return;
    if (ts_node_is_missing(n)) {
        /* a token tree-sitter assumed: gocc's when the statement (or block)
         * it belongs to has gc in it, since the lowering of that gc reads
         * the assumed tree */
        int mine = in_gc || gc_before(src, prev) || keyword_decl(src, parent) != NULL || boundary_gc(src, len, bd) ||
                   gc_after(src, len, next);
        if (stats) {
            if (in_gc) stats->gc_inside++;
            else if (mine) stats->gc_tree++;
            else stats->passed++;
        }
        if (!mine) return;
        missing(path, src, len, n, parent, prev);
        ++*count;
        return;
    }
    if (is(n, "ERROR")) {
        if (go_spelling(path, src, len, n, parent, prev)) {
            if (stats) stats->gc_words++;
            ++*count;
            return;
        }
        TSNode where = {{0}, 0, 0};
        /* inside a gc construct, or in a statement or declaration that
         * holds gc (`defer f(&x);` read as a declaration of f) */
        int inside = in_gc || keyword_decl(src, parent) != NULL;
        if (!inside && boundary_gc(src, len, bd) && !dg_has_gc(src, len, n, &where)) {
            /* C that needs its macros, in a statement that holds gc: gocc
             * cannot lower the gc without the statement's tree */
            if (stats) stats->gc_inside++;
            TSPoint g = ts_node_start_point(bd->where);
            uint32_t gs = ts_node_start_byte(bd->where), ge = ts_node_end_byte(bd->where);
            if (ge - gs > 8) ge = gs + 8;
            dg_error(path, src, len, ts_node_start_point(n),
                     "gocc cannot parse this (a macro's arguments?) in a statement that holds gc ('%.*s' at %u:%u)",
                     (int)(ge - gs), src + gs, g.row + 1, g.column + 1);
            ++*count;
            return;
        }
        int tree = 0, words = 0;
        if (!inside && dg_has_gc(src, len, n, &where)) {
            /* a gc node or token, or a keyword found by the word check */
            if (kind(where) & K_GC) tree = 1;
            else words = 1;
        }
        /* `go 5;` (the word outside the ERROR); a broken `for (T v : c)`
         * leaves no gc token */
        if (!inside && !tree && !words) words = gc_before(src, prev) || gc_after(src, len, next);
        if (!inside && !tree && !words) {
            TSTreeCursor c = ts_tree_cursor_new(n);
            if (ts_tree_cursor_goto_first_child(&c)) {
                do words = gc_range_for(src, len, ts_tree_cursor_current_node(&c));
                while (!words && ts_tree_cursor_goto_next_sibling(&c));
            }
            ts_tree_cursor_delete(&c);
        }
        if (stats) {
            if (inside) stats->gc_inside++;
            else if (tree) stats->gc_tree++;
            else if (words) stats->gc_words++;
            else stats->passed++;
        }
        if (!inside && !tree && !words) {
            /* the C's own: but the children the walk lowers may hold
             * errors of their own */
            TSTreeCursor c = ts_tree_cursor_new(n);
            if (ts_tree_cursor_goto_first_child(&c)) {
                do {
                    TSNode k = ts_tree_cursor_current_node(&c);
                    if (dg_error_walked(k) && ts_node_has_error(k)) {
                        TSNode null = {{0}, 0, 0};
                        boundary b = {k, -1, {{0}, 0, 0}};
                        scan(path, src, len, k, n, null, null, count, 0, &b);
                    }
                } while (ts_tree_cursor_goto_next_sibling(&c));
            }
            ts_tree_cursor_delete(&c);
            return;
        }
        int before = *count;
        error_node(path, src, len, n, parent, prev, next, count);
        if (*count == before) {
            ++*count;
            dg_error(path, src, len, ts_node_start_point(n), "syntax error");
        }
        return;
    }
    if (!ts_node_has_error(n)) return;
    unsigned kn = kind(n);
    boundary mine = {n, -1, {{0}, 0, 0}};
    if (kn & K_GC) in_gc = 1;
    else if (kn & K_BOUNDARY) in_gc = 0, bd = &mine;
    /* children through a cursor (see lw_walk_kids), one ahead for `next` */
    TSNode before = {{0}, 0, 0};
    TSTreeCursor c = ts_tree_cursor_new(n);
    if (ts_tree_cursor_goto_first_child(&c)) {
        TSNode k = ts_tree_cursor_current_node(&c);
        for (;;) {
            int more = ts_tree_cursor_goto_next_sibling(&c);
            TSNode after = more ? ts_tree_cursor_current_node(&c) : next;
            scan(path, src, len, k, n, before, after, count, in_gc, bd);
            if (!more || *count >= MAX_ERRORS) break;
            before = k;
            k = after;
        }
    }
    ts_tree_cursor_delete(&c);
}

int dg_syntax(const char *path, const char *src, size_t len, TSNode root, dg_stats *st)
{
    int count = 0;
    TSNode null = {{0}, 0, 0};
    stats = st;
    scan(path, src, len, root, null, null, null, &count, 0, NULL);
    stats = NULL;
    if (count >= MAX_ERRORS) fprintf(stderr, "%s: too many errors, stopping\n", path);
    return count;
}
