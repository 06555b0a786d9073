/* func.c - function bodies (prefix fn_): the entry check, defer and its
 * exit path, return, and the main adaptor. Go blocks are function bodies too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "lower.h"

/* ------------------------------------------------------------------------ */
/* functions, defer, go blocks                                               */

void fn_push_ret(lw_fn *f, TSNode r)
{
    if (f->nrets == f->caprets) {
        f->caprets = f->caprets ? f->caprets * 2 : 16;
        f->rets = xrealloc(f->rets, (size_t)f->caprets * sizeof *f->rets);
    }
    f->rets[f->nrets++] = r;
}

/* The innermost function_declarator of a definition's declarator (the one
 * whose declarator is the name). */
static TSNode fn_declarator(TSNode d)
{
    TSNode found = {{0}, 0, 0};
    while (!ts_node_is_null(d) && !is(d, "identifier")) {
        if (is(d, "function_declarator")) found = d;
        TSNode inner = fld(d, "declarator");
        if (ts_node_is_null(inner) && is(d, "parenthesized_declarator")) inner = ts_node_named_child(d, 0);
        d = inner;
    }
    return found;
}

/* The declaration of gocc__ret with f's return type: the definition's type
 * specifiers and its declarator with the function declarator replaced by
 * gocc__ret (`int *f(void)` -> `int *gocc__ret`). NULL for void. */
static char *ret_decl(lw *w, TSNode def)
{
    TSNode d = fld(def, "declarator"), fd = fn_declarator(d);
    sb b = {0};
    int is_void = 0;
    for (uint32_t i = 0; i < nkids(def); i++) {
        TSNode k = kid(def, i);
        const char *f = lw_field_of(def, i);
        if ((f && strcmp(f, "type") == 0) || is(k, "type_qualifier")) {
            char *t = lw_render(w, k);
            if (f && strcmp(f, "type") == 0 && strcmp(t, "void") == 0) is_void = 1;
            sb_puts(&b, t);
            sb_puts(&b, " ");
            free(t);
        }
    }
    if (is_void && ts_node_eq(d, fd)) {
        sb_free(&b);
        return NULL;
    }
    char *pre = ed_render(&w->ed, S(d), S(fd)), *post = ed_render(&w->ed, E(fd), E(d));
    sb_printf(&b, "%sgocc__ret%s", pre, post);
    free(pre);
    free(post);
    return sb_take(&b);
}

/* The end of a function body (definition or go block):
 *   { [gocc_defer *gocc__defers = 0, *gocc__cur = 0; RET gocc__ret;] [prefix] GOCC_FUNCTION_ENTRY(); { ... }
 * (the program's code in a block of its own, after the check: its declarations then follow no statement
 * of their block, -Wdeclaration-after-statement, and a GNU __label__ declaration stays first in a block)
 *   return e;   ->  { gocc__ret = (e); goto gocc__exit; }
 *   ... goto gocc__exit; gocc__exit:
 *       while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next;
 *           switch (gocc__cur->site) { case K: goto gocc__defer_K; ... default: break; }
 *           gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); }
 *       return gocc__ret; }
 * Deferred actions thus run last-in first-out after the returned value is
 * evaluated, and once per executed defer statement. `sites` lists the defer
 * numbers K of this body. */
static void finish_fn(lw *w, lw_fn *f, const int *sites, int nsites, const char *prefix)
{
    sb b = {0};
    char *rd = NULL;
    if (!f->is_go) rd = ret_decl(w, f->def);
    if (f->has_defer) {
        sb_puts(&b, " gocc_defer *gocc__defers = 0, *gocc__cur = 0;");
        if (rd) sb_printf(&b, " %s%s;", rd, f->is_main ? " = 0" : "");
    }
    if (prefix) sb_puts(&b, prefix);
    sb_puts(&b, " GOCC_FUNCTION_ENTRY();");
    /* a body whose braces tree-sitter assumed (MISSING) gets nothing
     * inserted: the tree does not show where it really starts or ends */
    int braced = !ts_node_is_missing(kid(f->body, 0)) && !ts_node_is_missing(kid(f->body, nkids(f->body) - 1));
    /* nor does an old-style definition whose head (specifiers, declarator,
     * parameter declarations) holds an error: tree-sitter's recovery can
     * make a run of prototypes with attribute macros plus the next
     * `typedef struct { ... } T;` into one "old-style definition" whose
     * body is the struct's braces (bzip2's bzip2.c). Skipping the check
     * there costs a preemption point at worst. (A prototype-style head
     * with an error, `l_sinline StkId f(StkId x) {`, keeps its check.) */
    int kr = 0, head_error = 0;
    for (uint32_t i = 0; is(f->def, "function_definition") && i < nkids(f->def); i++) {
        TSNode k = kid(f->def, i);
        if (ts_node_eq(k, f->body)) continue;
        kr |= is(k, "declaration");
        head_error |= ts_node_has_error(k) || ts_node_is_missing(k);
    }
    if (kr && head_error) braced = 0;
    int inner = braced && lw_block_splittable(w, f->body);
    if (inner) sb_puts(&b, " {");
    if (braced) ed_open(&w->ed, S(f->body) + 1, b.s);
    b.len = 0;
    if (f->has_defer) {
        for (int i = 0; i < f->nrets; i++) {
            TSNode r = f->rets[i], e = ts_node_named_child(r, 0);
            if (!ts_node_is_null(e) && is(e, "comment")) e = (TSNode){{0}, 0, 0};
            if (ts_node_is_null(e)) {
                ed_replace(&w->ed, S(r), E(r), "goto gocc__exit;");
            } else {
                TSNode kw = lw_tok(r, "return");
                ed_replace(&w->ed, S(kw), E(kw), rd ? "{ gocc__ret = (" : "{ (");
                ed_replace(&w->ed, E(e), E(r), "); goto gocc__exit; }");
            }
        }
        sb_puts(&b, " goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; "
                    "gocc__defers = gocc__cur->next; switch (gocc__cur->site) {");
        for (int i = 0; i < nsites; i++) sb_printf(&b, " case %d: goto gocc__defer_%d;", sites[i], sites[i]);
        if (f->cell_recs) sb_puts(&b, " case -1: gocc_cell_unref(((gocc_cell_rec_ *)gocc__cur)->cell); break;");
        sb_puts(&b, " default: break;"); /* never taken; -Wswitch-default */
        /* no defer statement (only cell records, capture.c): nothing jumps
         * back, and an unused label would warn */
        sb_puts(&b, nsites ? " } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); }"
                           : " } if (gocc__cur->heap) gocc_defer_free(gocc__cur); }");
        sb_puts(&b, rd ? " return gocc__ret; " : " return; ");
        /* the exit path inside the inner block: the deferred code reads the body's variables, whose
         * lifetime ends when the block is left (a jump back into it found them dead: gcc -O2 warned
         * maybe-uninitialized in tests/e2e/closure_share) */
        if (inner) sb_puts(&b, "} ");
        ed_open(&w->ed, E(f->body) - 1, b.s);
    } else if (braced) {
        if (inner) sb_puts(&b, " }");
        if (f->is_main && rd) sb_puts(&b, " return 0;");
        sb_puts(&b, " ");
        ed_open(&w->ed, E(f->body) - 1, b.s);
    }
    free(rd);
    sb_free(&b);
}

/* The defer numbers of the defer statements that belong to body (not to a
 * nested go block). */
static void collect_defers(lw *w, TSNode n, int **v, int *nv, int *cap)
{
    for (uint32_t i = 0; i < nkids(n); i++) {
        TSNode k = kid(n, i);
        if (is(k, "go_statement")) continue;
        if (is(k, "defer_statement")) {
            /* the number is stored in the res table under the defer's byte
             * position + 1 (no identifier starts inside a keyword) */
            int s = lw_res_at(w, S(k) + 1);
            if (*nv == *cap) {
                *cap = *cap ? *cap * 2 : 8;
                *v = xrealloc(*v, (size_t)*cap * sizeof **v);
            }
            (*v)[(*nv)++] = -2 - s;
        }
        collect_defers(w, k, v, nv, cap);
    }
}

/* The opener of defer block d (see fn_defer), once the function's body has
 * been walked. */
static void defer_block_opener(lw *w, lw_fn *f, const lw_defer_block *d)
{
    TSNode n = d->n;
    int k = d->k;
    int *caps, nc = cp_defer_block_captures(w, f, n, d->base, &caps);
    sb b = {0};
    sb_printf(&b, "{ struct gocc__dr_%d { gocc_defer h;", k);
    for (int i = 0; i < nc; i++) sb_printf(&b, " __typeof__(%s) %s;", w->syms[caps[i]].name, w->syms[caps[i]].name);
    sb_printf(&b, " } *gocc__r_%d = %s(sizeof *gocc__r_%d); gocc__r_%d->h.next = gocc__defers; gocc__r_%d->h.site = %d; "
                  "gocc__r_%d->h.heap = %d;",
              k, d->heap ? "gocc_defer_alloc" : "__builtin_alloca", k, k, k, k, k, d->heap);
    for (int i = 0; i < nc; i++) {
        const char *nm = w->syms[caps[i]].name;
        sb_printf(&b, " __builtin_memcpy((void *)&gocc__r_%d->%s, &%s, sizeof %s);", k, nm, nm, nm);
    }
    sb_printf(&b, " gocc__defers = &gocc__r_%d->h; if (0) { gocc__defer_%d: {", k, k);
    if (nc) sb_printf(&b, " struct gocc__dr_%d *gocc__d = (struct gocc__dr_%d *)gocc__cur;", k, k);
    /* The copies hide the variables they copy, on purpose (-Wshadow, between pragmas); declared first and
     * set after, so that no declaration follows a statement (-Wdeclaration-after-statement; the block
     * keeps its own braces) */
    if (nc) sb_puts(&b, " " GOCC_PRAGMA_NOSHADOW);
    for (int i = 0; i < nc; i++) {
        const char *nm = w->syms[caps[i]].name;
        sb_printf(&b, " __typeof__(gocc__d->%s) %s;", nm, nm);
    }
    if (nc) sb_puts(&b, " " GOCC_PRAGMA_POP);
    for (int i = 0; i < nc; i++) {
        const char *nm = w->syms[caps[i]].name;
        sb_printf(&b, " __builtin_memcpy((void *)&%s, &gocc__d->%s, sizeof %s);", nm, nm, nm);
    }
    sb_puts(&b, " ");
    free(w->ed.e[d->edit].text);
    w->ed.e[d->edit].text = sb_take(&b);
    free(caps);
}

/* defer f(a, b);  ->
 *   { __auto_type gocc__f_K = (f); __auto_type gocc__a_K_0 = (a); ...
 *     struct gocc__dr_K { gocc_defer h; __typeof__(gocc__f_K) fn; __typeof__(gocc__a_K_0) a0; ... }
 *       *gocc__r_K = <alloca, or gocc_defer_alloc inside a loop>;
 *     gocc__r_K->h = (gocc_defer){ gocc__defers, K, heap }; gocc__r_K->fn = gocc__f_K; ...;
 *     gocc__defers = &gocc__r_K->h;
 *     if (0) { gocc__defer_K: { struct gocc__dr_K *gocc__d = (void *)gocc__cur; gocc__d->fn(gocc__d->a0, ...); }
 *              goto gocc__defer_next; } }
 * The runner sits at the defer site so that the record's type is in scope;
 * the exit loop of finish_fn jumps to it. When the callee is a name
 * (lw_direct_callee: a function, a library function or function-like macro
 * such as log_println, or len/cap/close), there is no fn member: the runner
 * writes the call `f(gocc__d->a0, ...)` (a builtin lowered around its
 * operand), and string literal arguments stay literal in it (printf's
 * format is still checked).
 * defer { block }  ->  the same with no payload but the locals the block
 * copies (`captured`):
 *   { struct gocc__dr_K { gocc_defer h; __typeof__(j) j; } *gocc__r_K = ...; <memcpy j in>; ...
 *     if (0) { gocc__defer_K: { struct gocc__dr_K *gocc__d = ...; <no -Wshadow> __typeof__(gocc__d->j) j; <pop>
 *              <memcpy j out>; block } goto gocc__defer_next; } }
 * Other variables the block sees as they are when it runs. */
void fn_defer(lw *w, TSNode n, int k, int base)
{
    lw_fn *f = w->fn;
    const char *alloc = f->loops ? "gocc_defer_alloc" : "__builtin_alloca";
    int heap = f->loops > 0;
    TSNode call = fld(n, "call");
    sb b = {0};
    if (ts_node_is_null(call)) {
        /* which locals the block copies depends on the statements after
         * it, not walked yet: the opener's text is written by fn_finish */
        TSNode body = fld(n, "body");
        ed_replace(&w->ed, S(n), S(body), "");
        f->dblocks = xrealloc(f->dblocks, (size_t)(f->ndblocks + 1) * sizeof *f->dblocks);
        f->dblocks[f->ndblocks++] = (lw_defer_block){n, k, base, heap, w->ed.n - 1};
        ed_close(&w->ed, E(body), " } goto gocc__defer_next; } }");
        return;
    }
    TSNode fn = fld(call, "function");
    cp_call c;
    cp_call_capture(w, call, "gocc__d", &c);
    int direct = c.direct, na = c.nargs;
    size_t gap = S(n); /* the start of the source not yet replaced */
    if (!direct) {
        sb_printf(&b, "{ __auto_type gocc__f_%d = (", k);
        ed_replace(&w->ed, gap, S(fn), b.s);
        gap = E(fn);
    }
    for (int i = 0; i < na; i++) {
        TSNode a = c.args[i];
        b.len = 0;
        sb_printf(&b, "%s__auto_type gocc__a_%d_%d = (", gap == S(n) ? "{ " : "); ", k, i);
        ed_replace(&w->ed, gap, S(a), b.s);
        gap = E(a);
    }
    b.len = 0;
    sb_printf(&b, "%sstruct gocc__dr_%d { gocc_defer h;", gap == S(n) ? "{ " : "); ", k);
    if (!direct) sb_printf(&b, " __typeof__(gocc__f_%d) fn;", k);
    for (int i = 0; i < na; i++) sb_printf(&b, " __typeof__(gocc__a_%d_%d) a%d;", k, i, i);
    sb_printf(&b, " } *gocc__r_%d = %s(sizeof *gocc__r_%d); gocc__r_%d->h.next = gocc__defers; gocc__r_%d->h.site = %d; "
                  "gocc__r_%d->h.heap = %d;",
              k, alloc, k, k, k, k, k, heap);
    if (!direct) sb_printf(&b, " gocc__r_%d->fn = gocc__f_%d;", k, k);
    for (int i = 0; i < na; i++) sb_printf(&b, " gocc__r_%d->a%d = gocc__a_%d_%d;", k, i, k, i);
    sb_printf(&b, " gocc__defers = &gocc__r_%d->h; if (0) { gocc__defer_%d: {", k, k);
    if (na || !direct) sb_printf(&b, " struct gocc__dr_%d *gocc__d = (struct gocc__dr_%d *)gocc__cur;", k, k);
    sb_printf(&b, " %s; } goto gocc__defer_next; } }", c.run);
    ed_replace(&w->ed, gap, E(n), b.s);
    sb_free(&b);
    cp_call_free(&c);
}

void fn_walk_body(lw *w, lw_fn *f)
{
    /* a function whose cells are dropped through the defer list
     * (capture.c) has the defer machinery even without a defer */
    if (cp_needs_defer_list(w, f)) f->has_defer = 1;
    f->up = w->fn;
    w->fn = f;
    lw_walk(w, f->body);
    w->fn = f->up;
}

void fn_finish(lw *w, lw_fn *f, const char *prefix)
{
    int *sites = NULL, nsites = 0, cap = 0;
    for (int i = 0; i < f->ndblocks; i++) defer_block_opener(w, f, &f->dblocks[i]);
    free(f->dblocks);
    /* only a function with a defer statement has sites (walk_defer sets
     * has_defer); the walk over the whole body was 6 % of translating
     * sqlite3.c, whose functions have none */
    if (f->has_defer) collect_defers(w, f->body, &sites, &nsites, &cap);
    cp_fn_done(w, f);
    finish_fn(w, f, sites, nsites, prefix);
    free(sites);
    free(f->rets);
}

/* The name of a function definition's declarator. */
static TSNode def_name(TSNode def)
{
    TSNode fd = fn_declarator(fld(def, "declarator"));
    TSNode null = {{0}, 0, 0};
    if (ts_node_is_null(fd)) return null;
    TSNode d = fld(fd, "declarator");
    while (!ts_node_is_null(d) && !is(d, "identifier")) {
        TSNode inner = fld(d, "declarator");
        if (ts_node_is_null(inner) && ts_node_named_child_count(d)) inner = ts_node_named_child(d, 0);
        d = inner;
    }
    return d;
}

/* main is renamed gocc__main_body (its definition between diagnostic pragmas), and
 *   int gocc__main(int argc, char **argv, char **envp) { return gocc__main_body(<its arity>); }
 * follows it (then a #line resync), for the runtime's main() to run as the
 * main goroutine. */
static void main_adaptor(lw *w, TSNode def, TSNode name)
{
    ed_replace(&w->ed, S(name), E(name), "gocc__main_body");
    /* C exempts main from -Wmissing-prototypes and -Wmissing-declarations, which C projects build with;
     * gocc__main_body has no prototype to show either (its parameters are main's, which vary). On the same
     * line, so that every line keeps its number. */
    ed_open(&w->ed, S(def), GOCC_PRAGMA_PUSH " " GOCC_PRAGMA_IGNORE("-Wmissing-prototypes") " "
                            GOCC_PRAGMA_IGNORE("-Wmissing-declarations") " ");
    ed_close(&w->ed, E(def), " " GOCC_PRAGMA_POP);
    TSNode fd = fn_declarator(fld(def, "declarator"));
    TSNode params = fld(fd, "parameters");
    int arity = 0;
    for (uint32_t i = 0; i < ts_node_named_child_count(params); i++) {
        TSNode p = ts_node_named_child(params, i);
        if (is(p, "identifier")) { arity++; continue; } /* main(argc, argv) int argc; ... */
        if (!is(p, "parameter_declaration")) continue;
        char *t = lw_text(w, p);
        if (strcmp(t, "void") != 0) arity++;
        free(t);
    }
    char *rd = ret_decl(w, def);
    /* argv and envp go through void *, so that every main C accepts gets
     * them: char **, char *[], const char ** (a pointer parameter of
     * another pointer type would be a constraint violation without it). */
    static const char *args[] = {"", "argc", "argc, (void *)argv", "argc, (void *)argv, (void *)envp"};
    if (arity > 3) arity = 3;
    sb b = {0};
    size_t at = E(def);
    while (at < w->len && w->src[at] != '\n') at++;
    /* The adaptor is part of main: debuggers and TSan's stacks show it at
     * main's line, not past the end of the file. */
    sb_printf(&b, "\n#line %u ", line(def));
    lw_quote_path(&b, w->path);
    sb_printf(&b, "\nint gocc__main(int argc, char **argv, char **envp) { (void)argc; (void)argv; (void)envp; %sgocc__main_body(%s);%s }\n",
              rd ? "return " : "", args[arity], rd ? "" : " return 0;");
    sb_printf(&b, "#line %u ", ts_node_end_point(def).row + 2);
    lw_quote_path(&b, w->path);
    if (at >= w->len) sb_puts(&b, "\n");
    ed_close(&w->ed, at, b.s);
    sb_free(&b);
    free(rd);
}

/* Whether definition n declares its parameters old-style (K&R). */
static int has_kr_params(TSNode n)
{
    for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
        if (is(ts_node_named_child(n, i), "declaration")) return 1;
    return 0;
}

static void definition(lw *w, TSNode n);

/* A top-level definition may be lowered twice (capture.c). */
void fn_definition(lw *w, TSNode n)
{
    if (ts_node_is_null(fn_declarator(fld(n, "declarator"))) || ts_node_is_null(fld(n, "body"))) {
        /* `int c{}`: tree-sitter's C grammar takes a definition without a
         * parameter list, which C does not; the C compiler says so, unless
         * it holds gc that would go unlowered */
        TSNode where;
        if (dg_has_gc(w->src, w->len, n, &where))
            lw_err(w, fld(n, "declarator"), "%s", "expected a parameter list in this function definition");
        return;
    }
    cp_definition(w, n, definition);
}

static void definition(lw *w, TSNode n)
{
    TSNode name = def_name(n);
    if (!ts_node_is_null(name)) {
        char *nm = lw_text(w, name);
        lw_add_sym(w, nm, SYM_GLOBAL, n, name);
        free(nm);
    }
    int top = w->fn == NULL;
    if (top) w->lifted.len = 0;
    lw_push_frame(w);
    lw_walk_specs(w, n);
    /* the parameters are in scope in the body */
    TSNode fd = fn_declarator(fld(n, "declarator"));
    lw_fn f = {0};
    f.def = n;
    f.body = fld(n, "body");
    f.sym_base = w->nsyms;
    if (!ts_node_is_null(fd)) {
        TSNode params = fld(fd, "parameters");
        for (uint32_t i = 0; i < ts_node_named_child_count(params); i++) {
            TSNode p = ts_node_named_child(params, i);
            if (!is(p, "parameter_declaration")) continue;
            lw_walk_specs(w, p);
            TSNode bare, pn = lw_walk_dtor(w, fld(p, "declarator"), &bare);
            if (ts_node_is_null(pn)) continue;
            char *nm = lw_text(w, pn);
            lw_add_sym(w, nm, SYM_PARAM, p, bare);
            free(nm);
        }
    }
    if (!ts_node_is_null(name) && !w->is_header) {
        char *nm = lw_text(w, name);
        f.is_main = strcmp(nm, "main") == 0;
        free(nm);
    }
    sb cells = {0};
    cp_params(w, &f, f.sym_base, w->nsyms, &cells);
    fn_walk_body(w, &f);
    lw_pop_frame(w);
    fn_finish(w, &f, cells.s);
    sb_free(&cells);
    if (f.is_main) main_adaptor(w, n, name);
    if (top && w->lifted.len) {
        sb b = {0};
        if (ts_node_start_point(n).column != 0) sb_puts(&b, "\n");
        /* The lifted code may name the function itself (`go f(n - 1)` in f):
         * declare it first. Not for old-style definitions, nor when the
         * specifiers define a type (the prototype would define it again). */
        char *proto = ed_render(&w->ed, S(n), S(f.body));
        for (size_t e = strlen(proto); e > 0 && strchr(" \t\n", proto[e - 1]); e--) proto[e - 1] = '\0';
        if (!ts_node_is_null(name) && !strchr(proto, '{') && !has_kr_params(n)) {
            sb_printf(&b, "#line %u ", line(n));
            lw_quote_path(&b, w->path);
            sb_printf(&b, "\n%s;\n", proto);
        }
        free(proto);
        sb_puts(&b, w->lifted.s);
        sb_printf(&b, "#line %u ", line(n));
        lw_quote_path(&b, w->path);
        sb_puts(&b, "\n");
        ed_open(&w->ed, S(n), b.s);
        sb_free(&b);
    }
}

