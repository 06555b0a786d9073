/* func.c - function bodies (prefix fn_): the entry check, defer and its
 * exit path, return, and the main adaptor. Go blocks are function bodies too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 *   { GOCC_FUNCTION_ENTRY(); [gocc_defer *gocc__defers = 0, *gocc__cur = 0; RET gocc__ret;] ...
 *   return e;   ->  { gocc__ret = (e); goto gocc__exit; }
 *   ... goto gocc__exit; gocc__exit:
 *       while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next;
 *           switch (gocc__cur->site) { case K: goto gocc__defer_K; ... }
 *           gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); }
 *       return gocc__ret; }
 * Deferred actions thus run last-in first-out after the returned value is
 * evaluated, and once per executed defer statement. `sites` lists the defer
 * numbers K of this body. */
static void finish_fn(lw *w, lw_fn *f, const int *sites, int nsites, const char *prefix)
{
    sb b = {0};
    char *rd = NULL;
    if (prefix) sb_puts(&b, prefix);
    sb_puts(&b, " GOCC_FUNCTION_ENTRY();");
    if (!f->is_go) rd = ret_decl(w, f->def);
    if (f->has_defer) {
        sb_puts(&b, " gocc_defer *gocc__defers = 0, *gocc__cur = 0;");
        if (rd) sb_printf(&b, " %s%s;", rd, f->is_main ? " = 0" : "");
    }
    ed_open(&w->ed, S(f->body) + 1, b.s);
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
        sb_puts(&b, " } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); }");
        sb_puts(&b, rd ? " return gocc__ret; " : " return; ");
        ed_open(&w->ed, E(f->body) - 1, b.s);
    } else if (f->is_main && rd) {
        ed_open(&w->ed, E(f->body) - 1, " return 0; ");
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

/* defer f(a, b);  ->
 *   { __auto_type gocc__f_K = (f); __auto_type gocc__a_K_0 = (a); ...
 *     struct gocc__dr_K { gocc_defer h; __typeof__(gocc__f_K) fn; __typeof__(gocc__a_K_0) a0; ... }
 *       *gocc__r_K = <alloca, or gocc_defer_alloc inside a loop>;
 *     gocc__r_K->h = (gocc_defer){ gocc__defers, K, heap }; gocc__r_K->fn = gocc__f_K; ...;
 *     gocc__defers = &gocc__r_K->h;
 *     if (0) { gocc__defer_K: { struct gocc__dr_K *gocc__d = (void *)gocc__cur; gocc__d->fn(gocc__d->a0, ...); }
 *              goto gocc__defer_next; } }
 * The runner sits at the defer site so that the record's type is in scope;
 * the exit loop of finish_fn jumps to it.
 * defer { block }  ->  the same with no payload; the block is the runner and
 * sees the variables as they are when it runs. */
void fn_defer(lw *w, TSNode n, int k)
{
    lw_fn *f = w->fn;
    const char *alloc = f->loops ? "gocc_defer_alloc" : "__builtin_alloca";
    int heap = f->loops > 0;
    TSNode call = fld(n, "call");
    sb b = {0};
    if (ts_node_is_null(call)) {
        TSNode body = fld(n, "body");
        sb_printf(&b,
                  "{ gocc_defer *gocc__r_%d = %s(sizeof *gocc__r_%d); gocc__r_%d->next = gocc__defers; gocc__r_%d->site = %d; "
                  "gocc__r_%d->heap = %d; gocc__defers = gocc__r_%d; if (0) { gocc__defer_%d: ",
                  k, alloc, k, k, k, k, k, heap, k, k);
        ed_replace(&w->ed, S(n), S(body), b.s);
        ed_close(&w->ed, E(body), " goto gocc__defer_next; } }");
        sb_free(&b);
        return;
    }
    TSNode fn = fld(call, "function"), args = fld(call, "arguments");
    sb_printf(&b, "{ __auto_type gocc__f_%d = (", k);
    ed_replace(&w->ed, S(n), S(fn), b.s);
    int na = 0;
    TSNode prev_end = fn; /* the previous operand: its end opens the next */
    for (uint32_t i = 0; i < nkids(args); i++) {
        TSNode a = kid(args, i);
        if (!ts_node_is_named(a) || is(a, "comment")) continue;
        b.len = 0;
        sb_printf(&b, "); __auto_type gocc__a_%d_%d = (", k, na++);
        ed_replace(&w->ed, E(prev_end), S(a), b.s);
        prev_end = a;
    }
    b.len = 0;
    sb_printf(&b, "); struct gocc__dr_%d { gocc_defer h; __typeof__(gocc__f_%d) fn;", k, k);
    for (int i = 0; i < na; i++) sb_printf(&b, " __typeof__(gocc__a_%d_%d) a%d;", k, i, i);
    sb_printf(&b, " } *gocc__r_%d = %s(sizeof *gocc__r_%d); gocc__r_%d->h.next = gocc__defers; gocc__r_%d->h.site = %d; "
                  "gocc__r_%d->h.heap = %d; gocc__r_%d->fn = gocc__f_%d;",
              k, alloc, k, k, k, k, k, heap, k, k);
    for (int i = 0; i < na; i++) sb_printf(&b, " gocc__r_%d->a%d = gocc__a_%d_%d;", k, i, k, i);
    sb_printf(&b, " gocc__defers = &gocc__r_%d->h; if (0) { gocc__defer_%d: { struct gocc__dr_%d *gocc__d = (struct gocc__dr_%d *)gocc__cur; gocc__d->fn(",
              k, k, k, k);
    for (int i = 0; i < na; i++) sb_printf(&b, "%sgocc__d->a%d", i ? ", " : "", i);
    sb_puts(&b, "); } goto gocc__defer_next; } }");
    ed_replace(&w->ed, E(prev_end), E(n), b.s);
    sb_free(&b);
}

void fn_walk_body(lw *w, lw_fn *f)
{
    f->up = w->fn;
    w->fn = f;
    lw_walk(w, f->body);
    w->fn = f->up;
}

void fn_finish(lw *w, lw_fn *f, const char *prefix)
{
    int *sites = NULL, nsites = 0, cap = 0;
    collect_defers(w, f->body, &sites, &nsites, &cap);
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

/* main is renamed gocc__main_body, and
 *   int gocc__main(int argc, char **argv, char **envp) { return gocc__main_body(<its arity>); }
 * follows it (then a #line resync), for the runtime's main() to run as the
 * main goroutine. */
static void main_adaptor(lw *w, TSNode def, TSNode name)
{
    ed_replace(&w->ed, S(name), E(name), "gocc__main_body");
    TSNode fd = fn_declarator(fld(def, "declarator"));
    TSNode params = fld(fd, "parameters");
    int arity = 0;
    for (uint32_t i = 0; i < ts_node_named_child_count(params); i++) {
        TSNode p = ts_node_named_child(params, i);
        if (!is(p, "parameter_declaration")) continue;
        char *t = lw_text(w, p);
        if (strcmp(t, "void") != 0) arity++;
        free(t);
    }
    char *rd = ret_decl(w, def);
    static const char *args[] = {"", "argc", "argc, argv", "argc, argv, envp"};
    if (arity > 3) arity = 3;
    sb b = {0};
    size_t at = E(def);
    while (at < w->len && w->src[at] != '\n') at++;
    sb_printf(&b, "\nint gocc__main(int argc, char **argv, char **envp) { (void)argc; (void)argv; (void)envp; %sgocc__main_body(%s);%s }\n",
              rd ? "return " : "", args[arity], rd ? "" : " return 0;");
    sb_printf(&b, "#line %u ", ts_node_end_point(def).row + 2);
    lw_quote_path(&b, w->path);
    if (at >= w->len) sb_puts(&b, "\n");
    ed_close(&w->ed, at, b.s);
    sb_free(&b);
    free(rd);
}

void fn_definition(lw *w, TSNode n)
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
    fn_walk_body(w, &f);
    lw_pop_frame(w);
    fn_finish(w, &f, NULL);
    if (f.is_main) main_adaptor(w, n, name);
    if (top && w->lifted.len) {
        sb b = {0};
        if (ts_node_start_point(n).column != 0) sb_puts(&b, "\n");
        sb_puts(&b, w->lifted.s);
        sb_printf(&b, "#line %u ", line(n));
        lw_quote_path(&b, w->path);
        sb_puts(&b, "\n");
        ed_open(&w->ed, S(n), b.s);
        sb_free(&b);
    }
}

