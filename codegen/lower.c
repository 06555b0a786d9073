/* lower.c - lowering gc to C: the walk (prefix lw_; entry point
 * cg_translate). The constructs' lowerings live in chan.c, select.c, go.c
 * and func.c (lower.h lists them).
 *
 * One post-order walk over the tree: each construct is lowered after the
 * constructs inside it, by queueing edits (edit.h) on the tokens that belong
 * to the construct itself (keywords, operators, punctuation). The user's
 * sub-expressions and statements stay where they are, byte for byte, so
 * nested constructs compose, and every generated piece sits on the line of
 * the token it replaces: line numbers stay exact without #line directives,
 * except around the file-scope functions that `go` lifts out, which are
 * followed by a #line resync.
 *
 * The walk keeps a scope-aware symbol table of the user's declarations:
 *   - `go` needs the types of the locals it captures or passes (C cannot name
 *     a block-scope expression's type at file scope, so the declarations are
 *     copied into a file-scope "environment" struct);
 *   - len/cap/close are the channel builtins unless the user declared those
 *     names.
 * Identifiers the code generator invents are gocc__<kind>_<n>, n unique in
 * the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "gc.h"
#include "lower.h"
#include "parse.h"


/* ------------------------------------------------------------------------ */
/* tree helpers                                                              */


/* The first child token of n spelled t (anonymous nodes: "(", "<-", ...). */
TSNode lw_tok(TSNode n, const char *t)
{
    for (uint32_t i = 0; i < nkids(n); i++)
        if (!ts_node_is_named(kid(n, i)) && is(kid(n, i), t)) return kid(n, i);
    TSNode null = {{0}, 0, 0};
    return null;
}

/* The field name of parent's i-th child, or NULL. (A tree cursor, because
 * ts_node_field_name_for_child of tree-sitter 0.20.7 misses fields of
 * children after a hidden rule's.) */
const char *lw_field_of(TSNode parent, uint32_t i)
{
    TSTreeCursor c = ts_tree_cursor_new(parent);
    const char *f = NULL;
    if (ts_tree_cursor_goto_first_child(&c)) {
        uint32_t k = 0;
        while (k < i && ts_tree_cursor_goto_next_sibling(&c)) k++;
        if (k == i) f = ts_tree_cursor_current_field_name(&c);
    }
    ts_tree_cursor_delete(&c);
    return f;
}


void lw_err(lw *w, TSNode at, const char *fmt, const char *arg)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, arg);
    dg_error(w->path, w->src, w->len, ts_node_start_point(at), "%s", msg);
    w->errors++;
}

char *lw_text(lw *w, TSNode n) { return xstrndup(w->src + S(n), E(n) - S(n)); }

/* Whether the conditional directives in src[from, to) balance: every #if, #ifdef, #ifndef closed by its
 * #endif within, no #else, #elif or #endif of a conditional opened before. A brace pair inserted at the
 * two ends of a block is then in the same branch (in `#if A int f(int a) { #else int f(int a, int b) {
 * #endif ... }` the body's first brace is in the #else branch and its last is in both). */
static int pp_balanced(lw *w, size_t from, size_t to)
{
    int depth = 0, bol = 1;
    for (size_t i = from; i < to && i < w->len; i++) {
        char c = w->src[i];
        if (c == '\n') { bol = 1; continue; }
        if (!bol || c == ' ' || c == '\t') continue;
        bol = 0;
        if (c != '#') continue;
        size_t j = i + 1;
        while (j < to && (w->src[j] == ' ' || w->src[j] == '\t')) j++;
        const char *d = w->src + j;
        size_t n = to - j;
        if ((n >= 2 && strncmp(d, "if", 2) == 0)) depth++; /* #if, #ifdef, #ifndef */
        else if (n >= 5 && strncmp(d, "endif", 5) == 0) { if (--depth < 0) return 0; }
        else if (n >= 4 && (strncmp(d, "else", 4) == 0 || strncmp(d, "elif", 4) == 0)) { if (depth == 0) return 0; }
    }
    return depth == 0;
}

/* Whether a check and an inner block may go around the contents of block body, `{ CHECK; { ... } }` (func.c,
 * chan.c): not for an empty body (both insertions at one offset, where the end would come out first), nor
 * for one whose braces lie in different conditional branches. */
int lw_block_splittable(lw *w, TSNode body)
{
    return E(body) - S(body) > 2 && pp_balanced(w, S(body), E(body));
}
char *lw_render(lw *w, TSNode n) { return ed_render(&w->ed, S(n), E(n)); }

int lw_next_id(lw *w) { return ++w->tr->counter; }


/* ------------------------------------------------------------------------ */
/* symbols and scopes                                                        */

void lw_push_frame(lw *w)
{
    if (w->nscope == w->capscope) {
        w->capscope = w->capscope ? w->capscope * 2 : 64;
        w->scope = xrealloc(w->scope, (size_t)w->capscope * sizeof *w->scope);
    }
    w->scope[w->nscope++] = -1;
}

void lw_pop_frame(lw *w)
{
    while (w->nscope > 0 && w->scope[w->nscope - 1] != -1) w->nscope--;
    if (w->nscope > 0) w->nscope--;
}

static void index_add(lw *w, int id);

/* A name declared at file scope or #defined in some file of the
 * translation (a header's declarations are in its own symbol table, which
 * is gone when the including file is lowered). */
static void add_user_name(lw_tr *tr, const char *name)
{
    if (!tr) return;
    for (int i = tr->nuser_names - 1; i >= 0; i--)
        if (strcmp(tr->user_names[i], name) == 0) return;
    if (tr->nuser_names == tr->capuser_names) {
        tr->capuser_names = tr->capuser_names ? tr->capuser_names * 2 : 64;
        tr->user_names = xrealloc(tr->user_names, (size_t)tr->capuser_names * sizeof *tr->user_names);
    }
    tr->user_names[tr->nuser_names++] = xstrdup(name);
}

int lw_user_name(lw *w, const char *name)
{
    if (lw_lookup(w, name) >= 0) return 1;
    for (int i = 0; i < w->tr->nuser_names; i++)
        if (strcmp(w->tr->user_names[i], name) == 0) return 1;
    const cg_options *o = w->tr->opt;
    return o->is_macro && o->is_macro(o->macro_ctx, name);
}

int lw_add_sym(lw *w, const char *name, int kind, TSNode decl, TSNode dtor)
{
    if (w->nsyms == w->capsyms) {
        w->capsyms = w->capsyms ? w->capsyms * 2 : 64;
        w->syms = xrealloc(w->syms, (size_t)w->capsyms * sizeof *w->syms);
    }
    lw_sym *s = &w->syms[w->nsyms];
    s->name = xstrdup(name);
    s->kind = kind;
    s->decl = decl;
    s->dtor = dtor;
    memset(&s->init, 0, sizeof s->init);
    if (w->nscope == w->capscope) {
        w->capscope = w->capscope ? w->capscope * 2 : 64;
        w->scope = xrealloc(w->scope, (size_t)w->capscope * sizeof *w->scope);
    }
    s->spos = w->nscope;
    w->scope[w->nscope++] = w->nsyms;
    if (!w->fn && kind == SYM_GLOBAL) add_user_name(w->tr, name);
    int id = w->nsyms++;
    index_add(w, id);
    return id;
}

/* lw_lookup's index: a hash of names whose chains link the symbols from
 * newest to oldest. Scanning the whole scope stack per identifier was the
 * largest cost on big files (sqlite3.c: 18% of translation time in strcmp,
 * thousands of file-scope names times every identifier). A symbol is
 * visible when its scope-stack slot still holds it. The index is rebuilt
 * when the symbol table shrank behind its back (capture.c rolls a
 * definition back to lower it again). */
static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void index_sym(lw *w, int id)
{
    unsigned b = name_hash(w->syms[id].name) & (unsigned)(w->hcap - 1);
    w->syms[id].hnext = w->hhead[b];
    w->hhead[b] = id;
}

static void index_rebuild(lw *w)
{
    int cap = 256;
    while (cap < 2 * w->nsyms) cap *= 2;
    if (cap != w->hcap) {
        free(w->hhead);
        w->hhead = xrealloc(NULL, (size_t)cap * sizeof *w->hhead);
        w->hcap = cap;
    }
    for (int i = 0; i < cap; i++) w->hhead[i] = -1;
    for (int i = 0; i < w->nsyms; i++) index_sym(w, i);
    w->hindexed = w->nsyms;
}

static void index_add(lw *w, int id)
{
    if (w->hindexed != id || 2 * w->nsyms > w->hcap) {
        index_rebuild(w);
        return;
    }
    index_sym(w, id);
    w->hindexed = id + 1;
}

int lw_lookup(lw *w, const char *name)
{
    if (w->hindexed != w->nsyms || !w->hhead) index_rebuild(w);
    for (int s = w->hhead[name_hash(name) & (unsigned)(w->hcap - 1)]; s >= 0; s = w->syms[s].hnext) {
        int p = w->syms[s].spos;
        if (p < w->nscope && w->scope[p] == s && strcmp(w->syms[s].name, name) == 0) return s;
    }
    return -1;
}

int lw_lookup_n(lw *w, TSNode id)
{
    char *name = lw_text(w, id);
    int s = lw_lookup(w, name);
    free(name);
    return s;
}

void lw_add_res(lw *w, size_t at, int sym)
{
    if (w->nres == w->capres) {
        w->capres = w->capres ? w->capres * 2 : 256;
        w->res = xrealloc(w->res, (size_t)w->capres * sizeof *w->res);
    }
    /* keep the table sorted by offset (res_at searches it); the walk
     * visits identifiers almost in source order, so this rarely moves */
    int i = w->nres;
    while (i > 0 && w->res[i - 1].at > at) {
        w->res[i] = w->res[i - 1];
        i--;
    }
    w->res[i].at = at;
    w->res[i].sym = sym;
    w->nres++;
}

/* The symbol the identifier at byte `at` resolved to, or -1. */
int lw_res_at(lw *w, size_t at)
{
    int lo = 0, hi = w->nres - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (w->res[mid].at == at) return w->res[mid].sym;
        if (w->res[mid].at < at) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

/* ------------------------------------------------------------------------ */
/* the walk                                                                  */

void lw_walk(lw *w, TSNode n);

/* Through a cursor: ts_node_child(n, i) of tree-sitter 0.20.7 steps over
 * the i children before, so indexing made the walk quadratic in a node's
 * width (a translation unit of 10,000 definitions; an ERROR of random
 * bytes). */
void lw_walk_kids(lw *w, TSNode n)
{
    TSTreeCursor c = ts_tree_cursor_new(n);
    if (ts_tree_cursor_goto_first_child(&c)) {
        do lw_walk(w, ts_tree_cursor_current_node(&c));
        while (ts_tree_cursor_goto_next_sibling(&c));
    }
    ts_tree_cursor_delete(&c);
}

/* Walks a declarator: array sizes and initializers are uses, the declared
 * name is not. Returns the declared name's node (null if none); *bare gets
 * the declarator without its initializer. */
TSNode lw_walk_dtor(lw *w, TSNode d, TSNode *bare)
{
    TSNode null = {{0}, 0, 0};
    if (bare) *bare = d;
    if (ts_node_is_null(d)) return null;
    if (is(d, "identifier") || is(d, "type_identifier") || is(d, "field_identifier")) return d;
    if (is(d, "init_declarator")) {
        TSNode name = lw_walk_dtor(w, fld(d, "declarator"), bare);
        lw_walk(w, fld(d, "value"));
        return name;
    }
    if (is(d, "array_declarator")) {
        lw_walk(w, fld(d, "size"));
        return lw_walk_dtor(w, fld(d, "declarator"), NULL);
    }
    if (is(d, "function_declarator")) {
        /* tree-sitter-c takes names after the parameters as macros
         * (`int f(void) NOTHROW;`): a gc keyword there is a statement whose
         * function lost its '{' */
        static const char *const kw[] = {"go", "defer", "select", "chan", "make"};
        for (uint32_t i = 0; i < nkids(d); i++) {
            TSNode k = kid(d, i);
            if (!is(k, "identifier") || ts_node_eq(k, fld(d, "declarator"))) continue;
            for (size_t j = 0; j < sizeof kw / sizeof kw[0]; j++)
                if (E(k) - S(k) == strlen(kw[j]) && memcmp(w->src + S(k), kw[j], E(k) - S(k)) == 0)
                    lw_err(w, k, "'%s' after a function's parameter list: a missing '{' before it?", kw[j]);
        }
        lw_push_frame(w); /* a prototype's parameter names are not in scope */
        lw_walk(w, fld(d, "parameters"));
        lw_pop_frame(w);
        return lw_walk_dtor(w, fld(d, "declarator"), NULL);
    }
    if (is(d, "pointer_declarator") || is(d, "parenthesized_declarator") || is(d, "attributed_declarator")) {
        TSNode inner = fld(d, "declarator");
        if (ts_node_is_null(inner))
            for (uint32_t i = 0; i < nkids(d); i++)
                if (ts_node_is_named(kid(d, i)) && !is(kid(d, i), "type_qualifier")) inner = kid(d, i);
        for (uint32_t i = 0; i < nkids(d); i++)
            if (!ts_node_eq(kid(d, i), inner)) lw_walk(w, kid(d, i));
        return lw_walk_dtor(w, inner, NULL);
    }
    lw_walk_kids(w, d);
    return null;
}

/* Whether declarator d declares a function (not a pointer to one): the
 * derivation nearest the name decides, as C reads declarators inside out. */
static int is_fn_dtor(TSNode d)
{
    int fn = 0;
    while (!ts_node_is_null(d) && !is(d, "identifier")) {
        if (is(d, "function_declarator")) fn = 1;
        else if (is(d, "pointer_declarator") || is(d, "array_declarator")) fn = 0;
        TSNode inner = fld(d, "declarator");
        if (ts_node_is_null(inner) && is(d, "parenthesized_declarator")) inner = ts_node_named_child(d, 0);
        d = inner;
    }
    return fn;
}

/* Whether the callee of call n (of a go or defer statement) is to be
 * written as it stands where the call finally runs, rather than evaluated
 * into a function pointer now: len/cap/close, a name declared as a function,
 * or a name the user did not declare (a library function, or a
 * function-like macro such as log_println, which has no address). A name is
 * constant, so naming it later calls what evaluating it now would. */
int lw_direct_callee(lw *w, TSNode n)
{
    TSNode f = fld(n, "function");
    if (!is(f, "identifier")) return 0;
    if (ch_is_builtin(w, n)) return 1;
    int s = lw_lookup_n(w, f);
    if (s < 0) return 1;
    return w->syms[s].kind == SYM_GLOBAL && (is(w->syms[s].decl, "function_definition") || is_fn_dtor(w->syms[s].dtor));
}

static int has_storage(lw *w, TSNode decl, const char *word)
{
    for (uint32_t i = 0; i < nkids(decl); i++) {
        TSNode k = kid(decl, i);
        if (is(k, "storage_class_specifier")) {
            char *t = lw_text(w, k);
            int r = strcmp(t, word) == 0;
            free(t);
            if (r) return 1;
        }
    }
    return 0;
}

/* Walks the declaration specifiers of decl (everything but declarators). */
void lw_walk_specs(lw *w, TSNode decl)
{
    for (uint32_t i = 0; i < nkids(decl); i++) {
        const char *f = lw_field_of(decl, i);
        if (f && (strcmp(f, "declarator") == 0 || strcmp(f, "body") == 0 || strcmp(f, "channel") == 0)) continue;
        lw_walk(w, kid(decl, i));
    }
}

static void declaration(lw *w, TSNode n)
{
    lw_walk_specs(w, n);
    int is_static = has_storage(w, n, "static"), is_extern = has_storage(w, n, "extern");
    for (uint32_t i = 0; i < nkids(n); i++) {
        const char *f = lw_field_of(n, i);
        if (!f || strcmp(f, "declarator") != 0) continue;
        TSNode d = kid(n, i), bare;
        TSNode name = lw_walk_dtor(w, d, &bare);
        if (ts_node_is_null(name)) continue;
        char *nm = lw_text(w, name);
        int kind = !w->fn || is_extern || is_fn_dtor(bare) ? SYM_GLOBAL : is_static ? SYM_STATIC : SYM_LOCAL;
        int id = lw_add_sym(w, nm, kind, n, bare);
        if (is(d, "init_declarator")) w->syms[id].init = fld(d, "value");
        cp_declare(w, d, bare, name, id);
        free(nm);
    }
}

static void type_definition(lw *w, TSNode n)
{
    lw_walk_specs(w, n);
    for (uint32_t i = 0; i < nkids(n); i++) {
        const char *f = lw_field_of(n, i);
        if (!f || strcmp(f, "declarator") != 0) continue;
        TSNode bare, name = lw_walk_dtor(w, kid(n, i), &bare);
        if (ts_node_is_null(name)) continue;
        char *nm = lw_text(w, name);
        lw_add_sym(w, nm, w->fn ? SYM_TYPEDEF : SYM_GLOBAL, n, bare);
        free(nm);
    }
}

/* struct/union/enum X { ... } inside a function: a block-scope tag. */
static void tag_specifier(lw *w, TSNode n)
{
    if (is(n, "enum_specifier") && w->fn) {
        /* enumeration constants declared inside a function: a goroutine's
         * lifted code cannot name them */
        TSNode body = fld(n, "body");
        for (uint32_t i = 0; !ts_node_is_null(body) && i < ts_node_named_child_count(body); i++) {
            TSNode e = ts_node_named_child(body, i);
            if (!is(e, "enumerator")) continue;
            lw_walk(w, fld(e, "value"));
            char *nm = lw_text(w, fld(e, "name"));
            lw_add_sym(w, nm, SYM_ENUMCONST, e, fld(e, "name"));
            free(nm);
        }
        TSNode name = fld(n, "name");
        if (!ts_node_is_null(name) && !ts_node_is_null(body)) {
            char *nm = lw_text(w, name), buf[300];
            snprintf(buf, sizeof buf, "enum %s", nm);
            lw_add_sym(w, buf, SYM_TAG, n, n);
            free(nm);
        }
        return;
    }
    lw_walk_kids(w, n);
    TSNode name = fld(n, "name"), body = fld(n, "body");
    if (!w->fn || ts_node_is_null(name) || ts_node_is_null(body)) return;
    const char *kw = is(n, "struct_specifier") ? "struct" : is(n, "union_specifier") ? "union" : "enum";
    char *nm = lw_text(w, name);
    char buf[300];
    snprintf(buf, sizeof buf, "%s %s", kw, nm);
    lw_add_sym(w, buf, SYM_TAG, n, n);
    free(nm);
}


void lw_quote_path(sb *b, const char *p)
{
    sb_puts(b, "\"");
    for (; *p; p++) {
        if (*p == '"' || *p == '\\') sb_add(b, "\\", 1);
        sb_add(b, p, 1);
    }
    sb_puts(b, "\"");
}


/* ------------------------------------------------------------------------ */
/* includes                                                                  */

static int translate_file(lw_tr *tr, const char *path, int is_header, char **name_out);

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *dir_of(const char *p)
{
    const char *s = strrchr(p, '/');
    if (!s) return xstrdup(".");
    if (s == p) return xstrdup("/");
    return xstrndup(p, (size_t)(s - p));
}

static char *join(const char *dir, const char *name)
{
    if (name[0] == '/' || strcmp(dir, ".") == 0) return xstrdup(name);
    sb b = {0};
    sb_printf(&b, "%s/%s", dir, name);
    return sb_take(&b);
}

/* #include "x.h"  ->  #include "x.gocc.h", the translation of x.h, found as
 * cc would: the including file's directory, then -iquote/-I directories. */
static void lower_include(lw *w, TSNode n)
{
    io_include(w, n);
    TSNode p = fld(n, "path");
    if (!is(p, "string_literal")) return;
    char *raw = lw_text(w, p);
    size_t l = strlen(raw);
    if (l < 2) {
        free(raw);
        return;
    }
    char *name = xstrndup(raw + 1, l - 2);
    free(raw);
    char *dir = dir_of(w->path), *found = join(dir, name);
    free(dir);
    for (int i = 0; !exists(found) && i < w->tr->opt->nquote_dirs; i++) {
        free(found);
        found = join(w->tr->opt->quote_dirs[i], name);
    }
    if (exists(found)) {
        char *out = NULL;
        int e = translate_file(w->tr, found, 1, &out);
        if (e) {
            w->errors += e;
        } else {
            sb b = {0};
            lw_quote_path(&b, out);
            ed_replace(&w->ed, S(p), E(p), b.s);
            sb_free(&b);
        }
    }
    free(found);
    free(name);
}

/* ------------------------------------------------------------------------ */
/* the walk's dispatch                                                       */

/* Each walker handles one node type: it walks what it must (a scope, a
 * declarator, the children) and queues the node's rewrite. A node type with
 * no walker just has its children walked. */
typedef void walk_fn(lw *w, TSNode n);

static void walk_scope(lw *w, TSNode n)
{
    lw_push_frame(w);
    lw_walk_kids(w, n);
    lw_pop_frame(w);
}

/* Whether the loop check may go into loop n: not when the loop's own
 * parts (other than a braced body) hold a region tree-sitter could not parse,
 * since the tree may then not show what the C compiler will see (an `#if`
 * that splits the loop), and inserted braces could cross the region. */
static int loop_parses(TSNode n, TSNode body)
{
    if (!ts_node_has_error(n)) return 1;
    if (!is(body, "compound_statement") || ts_node_is_missing(kid(body, 0)) ||
        ts_node_is_missing(kid(body, nkids(body) - 1)))
        return 0;
    for (uint32_t i = 0; i < nkids(n); i++)
        if (!ts_node_eq(kid(n, i), body) && (ts_node_has_error(kid(n, i)) || ts_node_is_missing(kid(n, i)))) return 0;
    return 1;
}

/* while / do: the body gets the preemption check of its back-edge. */
static void walk_loop(lw *w, TSNode n)
{
    if (w->fn) w->fn->loops++;
    cp_loop_enter(w, n);
    lw_walk_kids(w, n);
    cp_loop_leave(w);
    if (w->fn) w->fn->loops--;
    if (loop_parses(n, fld(n, "body"))) ch_loop_check(w, n);
}

/* Whether error region e (an ERROR node in the body of a function) is out
 * of sight of the statement go, `go f(args);`: the call's arguments are
 * evaluated and copied where it stands, so only the declarations visible
 * there matter (go.c copies their types). Those are in the blocks that
 * enclose go, before it. So e is harmless when it starts after go, or when
 * the innermost block (or for-statement) around it does not hold go; and it
 * must hold no brace, or tree-sitter's blocks around it may not be the C
 * compiler's. A MISSING token is never harmless (a `}` assumed somewhere
 * moves every block after it). */
static int error_out_of_sight(lw *w, TSNode e, TSNode go)
{
    if (ts_node_is_missing(e) || !is(e, "ERROR")) return 0;
    if (memchr(w->src + S(e), '{', E(e) - S(e)) || memchr(w->src + S(e), '}', E(e) - S(e))) return 0;
    if (S(e) >= E(go)) return 1;
    for (TSNode a = ts_node_parent(e); !ts_node_is_null(a); a = ts_node_parent(a))
        if (is(a, "compound_statement") || is(a, "for_statement")) return !(S(a) <= S(go) && E(go) <= E(a));
    return 0;
}

/* go and defer copy or keep the function's variables, so they need every
 * declaration in it: refused in a function with C that tree-sitter could
 * not parse (dg_syntax passed it to the C compiler). Except `go f(args);`
 * when every such region is out of its sight (error_out_of_sight): a go
 * block or a defer also needs every later use of the variables it shares
 * (capture.c) and every return (func.c), which a region can hide. */
static int captures_parse(lw *w, TSNode n, const char *what, int call_form)
{
    for (lw_fn *f = w->fn; f; f = f->up) {
        if (!ts_node_has_error(f->body)) continue;
        /* the error nodes of the body, in order; the first one in sight
         * refuses */
        TSNode bad = {{0}, 0, 0};
        TSTreeCursor c = ts_tree_cursor_new(f->body);
        for (;;) {
            TSNode k = ts_tree_cursor_current_node(&c);
            int err = is(k, "ERROR") || ts_node_is_missing(k);
            if (err && !(call_form && error_out_of_sight(w, k, n))) {
                bad = k;
                break;
            }
            if (!err && ts_node_has_error(k) && ts_tree_cursor_goto_first_child(&c)) continue;
            int up = 0;
            while (!ts_tree_cursor_goto_next_sibling(&c)) {
                if (!ts_tree_cursor_goto_parent(&c)) {
                    up = 1;
                    break;
                }
            }
            if (up) break;
        }
        ts_tree_cursor_delete(&c);
        if (ts_node_is_null(bad)) continue;
        char msg[200];
        snprintf(msg, sizeof msg, "%%s in a function that gocc cannot fully parse (line %u, col %u): "
                 "it would not see every variable",
                 ts_node_start_point(bad).row + 1, ts_node_start_point(bad).column + 1);
        lw_err(w, n, msg, what);
        return 0;
    }
    return 1;
}

/* for (init; cond; step): init's declarations are scoped to the loop. */
static void walk_for(lw *w, TSNode n)
{
    lw_push_frame(w);
    int from = w->nsyms;
    walk_loop(w, n);
    cp_for(w, n, from, w->nsyms);
    lw_pop_frame(w);
}

/* for (T v : c) body */
static void walk_for_range(lw *w, TSNode n)
{
    lw_push_frame(w);
    lw_walk_specs(w, n);
    lw_walk(w, fld(n, "channel"));
    TSNode bare, name = lw_walk_dtor(w, fld(n, "declarator"), &bare);
    if (!ts_node_is_null(name)) {
        char *nm = lw_text(w, name);
        lw_add_sym(w, nm, SYM_LOCAL, n, bare);
        free(nm);
    }
    if (w->fn) w->fn->loops++;
    cp_loop_enter(w, n);
    lw_walk(w, fld(n, "body"));
    cp_loop_leave(w);
    if (w->fn) w->fn->loops--;
    ch_for_range(w, n);
    lw_pop_frame(w);
}

/* #define NAME ...: the program's own meaning of NAME (lw_user_name). */
static void walk_define(lw *w, TSNode n)
{
    TSNode name = fld(n, "name");
    if (!ts_node_is_null(name)) {
        char *nm = lw_text(w, name);
        add_user_name(w->tr, nm);
        free(nm);
    }
    lw_walk_kids(w, n);
}

static void walk_call(lw *w, TSNode n)
{
    lw_walk_kids(w, n);
    ch_builtin(w, n);
    ch_make_call(w, n);
    io_call(w, n);
}

/* s.f, p->f: the field name is not a variable. */
static void walk_field(lw *w, TSNode n)
{
    lw_walk(w, fld(n, "argument"));
}

static void walk_defer(lw *w, TSNode n)
{
    if (!captures_parse(w, n, "'defer'", 0)) return;
    int k = lw_next_id(w);
    lw_add_res(w, S(n) + 1, -2 - k); /* see collect_defers */
    w->fn->has_defer = 1;
    int base = w->nsyms; /* the block's own declarations come after */
    TSNode body = fld(n, "body");
    if (!ts_node_is_null(body)) {
        w->fn->in_defer++;
        lw_walk(w, body);
        w->fn->in_defer--;
    } else {
        lw_walk(w, fld(n, "call"));
    }
    fn_defer(w, n, k, base);
}

static void walk_go(lw *w, TSNode n)
{
    if (!captures_parse(w, n, "'go'", ts_node_is_null(fld(n, "body")))) return;
    if (!ts_node_is_null(fld(n, "body"))) {
        /* go { }: the block is a function body of its own (func.c), with
         * the captured variables as its prologue (go.c, capture.c) */
        lw_fn f = {0};
        f.def = n;
        f.body = fld(n, "body");
        f.is_go = 1;
        f.sym_base = w->nsyms;
        fn_walk_body(w, &f);
        cp_env g;
        if (cp_block_env(w, n, f.sym_base, &g)) {
            fn_finish(w, &f, g.in.s);
            go_block_emit(w, n, &g);
        } else {
            free(f.rets);
            free(f.dblocks);
        }
    } else {
        lw_walk_kids(w, n);
        go_call(w, n);
    }
}

static void walk_return(lw *w, TSNode n)
{
    lw_walk_kids(w, n);
    if (!w->fn) return;
    if (w->fn->in_defer) ed_replace(&w->ed, S(n), E(n), "goto gocc__defer_next;");
    else fn_push_ret(w->fn, n);
}

/* A `case T w = <-c:` declaration is scoped to its case. */
static void walk_select_case(lw *w, TSNode n)
{
    lw_push_frame(w);
    TSNode r = fld(n, "receive");
    if (!ts_node_is_null(r) && !ts_node_is_null(fld(r, "declarator"))) {
        lw_walk_specs(w, r);
        lw_walk(w, fld(r, "channel"));
        TSNode bare, name = lw_walk_dtor(w, fld(r, "declarator"), &bare);
        if (!ts_node_is_null(name)) {
            char *nm = lw_text(w, name);
            lw_add_sym(w, nm, SYM_LOCAL, r, bare);
            free(nm);
        }
        for (uint32_t i = 0; i < nkids(n); i++)
            if (!ts_node_eq(kid(n, i), r)) lw_walk(w, kid(n, i));
    } else if (!ts_node_is_null(r) && !ts_node_is_null(fld(r, "parenthesized"))) {
        /* case (<-c): only the channel is walked, not the receive around it
         * (sl_select lowers the case, not ch_recv_expr) */
        TSNode ch = sl_receive_channel(r);
        if (ts_node_is_null(ch))
            lw_err(w, fld(r, "parenthesized"), "%s", "select case must be receive, send or assign recv");
        else
            lw_walk(w, ch);
        for (uint32_t i = 0; i < nkids(n); i++)
            if (!ts_node_eq(kid(n, i), r)) lw_walk(w, kid(n, i));
    } else {
        lw_walk_kids(w, n);
    }
    lw_pop_frame(w);
}

/* A variable's name where a type may stand: __typeof__(x). */
static void walk_type_identifier(lw *w, TSNode n)
{
    int s = lw_lookup_n(w, n);
    if (s >= 0 && (w->syms[s].kind == SYM_LOCAL || w->syms[s].kind == SYM_PARAM || w->syms[s].kind == SYM_STATIC ||
                   w->syms[s].kind == SYM_TYPEDEF)) {
        lw_add_res(w, S(n), s);
        if (w->syms[s].kind != SYM_TYPEDEF) cp_use(w, n, s);
    }
}

/* 1 if declaration d is inside a function body. */
static int in_body(TSNode d)
{
    for (TSNode a = ts_node_parent(d); !ts_node_is_null(a); a = ts_node_parent(a))
        if (is(a, "compound_statement")) return 1;
    return 0;
}

static void walk_identifier(lw *w, TSNode n)
{
    int s = lw_lookup_n(w, n);
    /* Go's nil, in a program that gives the name no meaning of its own */
    if (s < 0 && E(n) - S(n) == 3 && memcmp(w->src + S(n), "nil", 3) == 0 && !lw_user_name(w, "nil")) {
        lw_err(w, n, "%s", "'nil' is Go; gc writes NULL (the zero value of a channel or pointer)");
        return;
    }
    if (s >= 0 && (w->syms[s].kind != SYM_GLOBAL || in_body(w->syms[s].decl))) {
        /* a block-scope function or extern declaration is resolved too: a go
         * block that uses it needs a copy at file scope (capture.c, type_deps) */
        lw_add_res(w, S(n), s);
        if (w->syms[s].kind == SYM_LOCAL || w->syms[s].kind == SYM_PARAM || w->syms[s].kind == SYM_STATIC) cp_use(w, n, s);
    }
    io_identifier(w, n);
}

/* chan T, chan<- T, <-chan T. `chan struct{}` is Go's signal channel; in C
 * every `struct {}` is a type of its own, so two such channels never have
 * the same type (make(chan struct{}) could not even initialise one). */
static void walk_chan_type(lw *w, TSNode n)
{
    TSNode el = fld(n, "element");
    if ((is(el, "struct_specifier") || is(el, "union_specifier")) && ts_node_is_null(fld(el, "name")) &&
        !ts_node_is_null(fld(el, "body"))) {
        lw_err(w, el, "%s",
               "a channel of an unnamed struct (Go's 'chan struct{}'): in C each unnamed struct is a new type, so two such channels never match: "
               "name the struct ('chan struct done') or use a typedef");
        return;
    }
    lw_walk_kids(w, n);
    ch_type(w, n);
}

/* Sorted by type for bsearch. `walk` NULL: walk the children, then `lower`
 * rewrites the node (the gc expressions and statements, lowered innermost
 * first so that a rewrite can copy its operands' rewritten text). */
static const struct walker {
    const char *type;
    walk_fn *walk, *lower;
} walkers[] = {
    {"call_expression", walk_call, NULL},
    {"channel_type", walk_chan_type, NULL},
    {"compound_statement", walk_scope, NULL},
    {"declaration", declaration, NULL},
    {"defer_statement", walk_defer, NULL},
    {"do_statement", walk_loop, NULL},
    {"enum_specifier", tag_specifier, NULL},
    {"field_expression", walk_field, NULL},
    {"for_range_statement", walk_for_range, NULL},
    {"for_statement", walk_for, NULL},
    {"function_definition", fn_definition, NULL},
    {"go_statement", walk_go, NULL},
    {"identifier", walk_identifier, NULL},
    {"make_expression", NULL, ch_make},
    {"preproc_def", walk_define, NULL},
    {"preproc_function_def", walk_define, NULL},
    {"preproc_include", lower_include, NULL},
    {"receive_channel_type", walk_chan_type, NULL},
    {"receive_expression", NULL, ch_recv_expr},
    {"receive_statement", NULL, ch_recv_stmt},
    {"return_statement", walk_return, NULL},
    {"select_case", walk_select_case, NULL},
    {"select_statement", NULL, sl_select},
    {"send_channel_type", walk_chan_type, NULL},
    {"send_statement", NULL, ch_send},
    {"struct_specifier", tag_specifier, NULL},
    {"type_definition", type_definition, NULL},
    {"type_identifier", walk_type_identifier, NULL},
    {"union_specifier", tag_specifier, NULL},
    {"while_statement", walk_loop, NULL},
};

static int walker_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct walker *)elem)->type);
}

/* The walker of n's type, looked up once per grammar symbol (a bsearch by
 * name for every node of the file cost about 6 strcmp calls a node).
 * *is_error: n is an ERROR node. */
static const struct walker *walker_of(TSNode n, int *is_error)
{
    static short *table; /* walker index + 1, 0: none; -1: ERROR */
    static uint32_t count;
    if (!table) {
        const TSLanguage *lang = tree_sitter_gc();
        uint32_t c = ts_language_symbol_count(lang);
        short *t = malloc((c ? c : 1) * sizeof *t);
        if (t) {
            for (uint32_t i = 0; i < c; i++) {
                const char *name = ts_language_symbol_name(lang, (TSSymbol)i);
                const struct walker *k = bsearch(name, walkers, sizeof walkers / sizeof walkers[0],
                                                 sizeof walkers[0], walker_cmp);
                t[i] = strcmp(name, "ERROR") == 0 ? -1 : k ? (short)(k - walkers + 1) : 0;
            }
            table = t;
            count = c;
        }
    }
    TSSymbol s = ts_node_symbol(n);
    if (table && s < count) {
        *is_error = table[s] < 0;
        return table[s] > 0 ? &walkers[table[s] - 1] : NULL;
    }
    const char *t = ts_node_type(n); /* ts_builtin_sym_error, or no memory */
    *is_error = strcmp(t, "ERROR") == 0;
    return bsearch(t, walkers, sizeof walkers / sizeof walkers[0], sizeof walkers[0], walker_cmp);
}

void lw_walk(lw *w, TSNode n)
{
    if (ts_node_is_null(n)) return;
    int is_error;
    const struct walker *k = walker_of(n, &is_error);
    if (is_error) {
        /* A region of C that tree-sitter could not parse (dg_syntax let it
         * through: no gc in it). Its bytes pass through untouched; only the
         * complete definitions and includes inside it are lowered, so that
         * no code is inserted into or across the region. */
        TSTreeCursor c = ts_tree_cursor_new(n);
        if (ts_tree_cursor_goto_first_child(&c)) {
            do {
                TSNode k = ts_tree_cursor_current_node(&c);
                if (is(k, "ERROR") || dg_error_walked(k)) lw_walk(w, k);
            } while (ts_tree_cursor_goto_next_sibling(&c));
        }
        ts_tree_cursor_delete(&c);
        return;
    }
    if (!w->fn && k) {
        const char *t = ts_node_type(n);
        static const struct { const char *type, *what; } stmts[] = {
            {"go_statement", "a go statement"},         {"defer_statement", "a defer statement"},
            {"select_statement", "a select statement"}, {"send_statement", "a send statement"},
            {"receive_statement", "a receive statement"}, {"for_range_statement", "a for statement"},
        };
        for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
            if (strcmp(t, stmts[i].type) == 0) {
                lw_err(w, n, "%s outside a function", stmts[i].what);
                return;
            }
    }
    if (k && k->walk) {
        k->walk(w, n);
    } else {
        lw_walk_kids(w, n);
        if (k) k->lower(w, n);
    }
}

/* ------------------------------------------------------------------------ */
/* files                                                                     */

/* Bounds on one input (the .gc file or a quoted header), so that no input
 * makes gocc run for minutes or take gigabytes:
 *   - size: tree-sitter's tree takes about 60 bytes of memory per byte of
 *     source (a 50 MB file took 3 GB); 24 MiB is nearly three times sqlite's
 *     amalgamation (8.5 MiB, the largest C file we know of);
 *   - parse time: real C parses at about 1 us per byte (4 s for a 5 MB
 *     file on a busy machine); input that is not C (random bytes) sends
 *     tree-sitter's error recovery into 10 us per byte and more, and its
 *     memory grows with it. The budget is 10 s plus 2 us per byte of CPU
 *     time (not wall-clock time, so that load cannot refuse a real file);
 *   - nesting: the walks recurse along the tree; 5,000 levels (2,500
 *     parentheses, blocks or `a + b + ...` terms in one chain) fit easily in
 *     an 8 MB stack, and clang refuses 256 nested brackets by default. */
enum { MAX_INPUT = 24 << 20, MAX_DEPTH = 5000 };
static const uint64_t PARSE_BUDGET_US = 10000000, PARSE_US_PER_BYTE = 2;

/* The parse budget for len bytes, in microseconds of CPU time (parse.c says
 * why CPU time). GOCC_PARSE_BUDGET_MS replaces it by a fixed number of
 * milliseconds: tests/fuzz uses it to check, in a fraction of a second, that
 * a pathological input is refused and that a starved but cheap parse is
 * not. */
static uint64_t parse_budget(size_t len)
{
    const char *e = getenv("GOCC_PARSE_BUDGET_MS");
    if (e && *e) {
        char *end;
        unsigned long long ms = strtoull(e, &end, 10);
        if (*end == 0) return (uint64_t)ms * 1000;
    }
    return PARSE_BUDGET_US + PARSE_US_PER_BYTE * (uint64_t)len;
}

/* GOCC_GENERATED turns on gocc.h's call-site macros (which the runtime's own
 * sources, including gocc.h too, must not see). */
static const char PROLOGUE[] =
    "#define GOCC_GENERATED 1\n"
    "#include <gocc.h>\n"
    "#pragma GCC diagnostic error \"-Wincompatible-pointer-types\"\n"
    "#pragma GCC diagnostic error \"-Wint-conversion\"\n"
    "#ifdef __clang__\n"
    "#pragma GCC diagnostic error \"-Wincompatible-pointer-types-discards-qualifiers\"\n"
    "#else\n"
    "#pragma GCC diagnostic error \"-Wdiscarded-qualifiers\"\n"
    "#endif\n";

static void add_file(cg_result *r, const char *name, const char *source, char *text, size_t len)
{
    r->files = xrealloc(r->files, (size_t)(r->nfiles + 1) * sizeof *r->files);
    cg_file *f = &r->files[r->nfiles++];
    f->name = name ? xstrdup(name) : NULL;
    f->source = xstrdup(source);
    f->text = text;
    f->len = len;
}

static void add_srcdir(cg_result *r, const char *path)
{
    char *d = dir_of(path);
    for (int i = 0; i < r->nsrcdirs; i++)
        if (strcmp(r->srcdirs[i], d) == 0) {
            free(d);
            return;
        }
    r->srcdirs = xrealloc(r->srcdirs, (size_t)(r->nsrcdirs + 1) * sizeof *r->srcdirs);
    r->srcdirs[r->nsrcdirs++] = d;
}

/* A header's output name: its base name with .gocc before the extension,
 * made unique among the translation's outputs. */
static char *header_name(cg_result *r, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t stem = dot ? (size_t)(dot - base) : strlen(base);
    for (int n = 1;; n++) {
        sb b = {0};
        sb_add(&b, base, stem);
        if (n > 1) sb_printf(&b, ".%d", n);
        sb_puts(&b, ".gocc");
        sb_puts(&b, dot ? dot : ".h");
        int clash = 0;
        for (int i = 1; i < r->nfiles; i++) clash |= r->files[i].name && strcmp(r->files[i].name, b.s) == 0;
        if (!clash) return sb_take(&b);
        sb_free(&b);
    }
}

/* Refuses a tree deeper than MAX_DEPTH (the walks recurse along it), with
 * the place where it gets too deep. Iterative. */
static int too_deep(const char *path, const char *src, size_t len, TSNode root)
{
    TSTreeCursor c = ts_tree_cursor_new(root);
    unsigned depth = 0;
    int deep = 0;
    for (;;) {
        if (depth >= MAX_DEPTH) {
            deep = 1;
            break;
        }
        if (ts_tree_cursor_goto_first_child(&c)) {
            depth++;
            continue;
        }
        while (!ts_tree_cursor_goto_next_sibling(&c)) {
            if (depth == 0 || !ts_tree_cursor_goto_parent(&c)) goto done;
            depth--;
        }
    }
done:
    if (deep)
        dg_error(path, src, len, ts_node_start_point(ts_tree_cursor_current_node(&c)),
                 "nested too deeply (over %d levels of syntax; gocc's limit)", MAX_DEPTH);
    ts_tree_cursor_delete(&c);
    return deep;
}

/* Translates path (the .gc file, or a quoted header) and adds it to the
 * result; for a header *name_out gets its output name (also when it was
 * translated before). Returns the number of errors. */
static int translate_file(lw_tr *tr, const char *path, int is_header, char **name_out)
{
    cg_result *r = tr->out;
    if (is_header) {
        for (int i = 1; i < r->nfiles; i++)
            if (strcmp(r->files[i].source, path) == 0) {
                *name_out = r->files[i].name;
                return 0;
            }
    }
    size_t len;
    char *src = sb_read_file(path, MAX_INPUT, &len); /* one byte past the limit is enough to refuse */
    if (!src) {
        fprintf(stderr, "gocc: error: cannot read %s\n", path);
        return 1;
    }
    if (len > MAX_INPUT) {
        fprintf(stderr, "gocc: error: %s is too large (over %d MiB, gocc's limit for one file)\n", path,
                MAX_INPUT >> 20);
        free(src);
        return 1;
    }
    int slot = -1;
    if (is_header) {
        /* claim the name first: a header that includes itself terminates */
        char *nm = header_name(r, path);
        add_file(r, nm, path, NULL, 0);
        slot = r->nfiles - 1;
        *name_out = r->files[slot].name;
        free(nm);
    }
    add_srcdir(r, path);
    uint64_t budget = parse_budget(len);
    TSTree *tree = ps_parse(src, len, budget);
    if (!tree) {
        fprintf(stderr,
                "gocc: error: %s: parsing takes too long (over %.2f s of CPU time, gocc's limit for %zu bytes); is it C?\n",
                path, budget / 1e6, len);
        free(src);
        return 1;
    }
    TSNode root = ts_tree_root_node(tree);
    dg_stats st = {0};
    int errors = too_deep(path, src, len, root);
    if (!errors) errors = dg_syntax(path, src, len, root, &st);
    if (getenv("GOCC_SYNTAX_STATS"))
        /* a measuring aid (docs/language.md, "Syntax errors"): how the
         * error regions of this file were judged */
        fprintf(stderr, "%s: error regions: %d passed to cc, %d inside gc, %d with gc nodes, %d with gc words\n", path,
                st.passed, st.gc_inside, st.gc_tree, st.gc_words);
    lw w = {0};
    if (!errors) {
        w.tr = tr;
        w.path = path;
        w.src = src;
        w.len = len;
        w.is_header = is_header;
        ed_init(&w.ed, src, len);
        lw_push_frame(&w);
        lw_walk(&w, root);
        errors = w.errors + w.ed.failed;
    }
    if (!errors) {
        sb b = {0};
        if (is_header) sb_puts(&b, "#define GOCC_GENERATED 1\n#include <gocc.h>\n");
        else sb_puts(&b, PROLOGUE);
        sb_puts(&b, "#line 1 ");
        lw_quote_path(&b, path);
        sb_puts(&b, "\n");
        size_t olen;
        char *out = ed_apply(&w.ed, &olen);
        sb_add(&b, out, olen);
        free(out);
        size_t tl = b.len;
        if (is_header) {
            r->files[slot].text = sb_take(&b);
            r->files[slot].len = tl;
        } else {
            /* the main file comes first */
            char *t = sb_take(&b);
            add_file(r, NULL, path, t, tl);
            cg_file main = r->files[r->nfiles - 1];
            memmove(r->files + 1, r->files, (size_t)(r->nfiles - 1) * sizeof *r->files);
            r->files[0] = main;
        }
    }
    ed_free(&w.ed);
    for (int i = 0; i < w.nsyms; i++) free(w.syms[i].name);
    free(w.syms);
    free(w.hhead);
    free(w.scope);
    free(w.res);
    cp_free(&w);
    sb_free(&w.lifted);
    ts_tree_delete(tree);
    free(src);
    return errors;
}

int cg_translate(const char *path, const cg_options *opt, cg_result *res)
{
    static const cg_options none = {0};
    lw_tr tr = {0};
    memset(res, 0, sizeof *res);
    tr.opt = opt ? opt : &none;
    tr.out = res;
    int errors = translate_file(&tr, path, 0, NULL);
    for (int i = 0; i < tr.nuser_names; i++) free(tr.user_names[i]);
    free(tr.user_names);
    if (errors) {
        cg_result_free(res);
        return errors;
    }
    return 0;
}

void cg_result_free(cg_result *res)
{
    for (int i = 0; i < res->nfiles; i++) {
        free(res->files[i].name);
        free(res->files[i].source);
        free(res->files[i].text);
    }
    free(res->files);
    for (int i = 0; i < res->nsrcdirs; i++) free(res->srcdirs[i]);
    free(res->srcdirs);
    memset(res, 0, sizeof *res);
}

