/* capture.c - what go and defer blocks capture (prefix cp_), and the heap
 * cells of the variables a go block shares with its function.
 *
 * Go's closures share variables: `go func() { wg.Done(); a[i] = 1 }()`
 * signals the caller's wg and writes the caller's array. A go block is
 * lifted into a function of its own, so a variable it shares cannot stay in
 * the enclosing frame (which may return first); it moves to a heap cell,
 * and every mention of it, on both sides, becomes `(*x)` where x now holds
 * the cell's address:
 *     int n = 0;      ->  int gocc__v_K = 0, (*n) GOCC_CELL_DROP = gocc_cell_dup(&gocc__v_K, sizeof gocc__v_K);
 *     int a[8];       ->  int (*a)[8] GOCC_CELL_DROP = gocc_cell_new(sizeof *a);
 *     n++; a[i] = 1;  ->  (*n)++; (*a)[i] = 1;
 * The cell counts references (gocc.h): the declaring scope's is dropped on
 * every exit from it by the cleanup attribute (return, break, continue,
 * goto, the end of the block); in a function with defers, whose exit path
 * jumps between defer sites (which a cleanup variable's scope may not be
 * jumped into), or with a goto or switch (which may jump past the
 * declaration), by a record on the function's defer list instead, run in
 * order with the deferred actions. Each goroutine takes a reference at the
 * go statement and drops it when it ends.
 *
 * Which variables: a go block's local or parameter x (of the enclosing
 * functions) is shared when the difference could show: x is an array (its
 * elements are written through any mention), or the block changes x, or x's
 * address is taken anywhere, or something changes x after the go statement
 * (counting from the start of the outermost loop inside x's scope that
 * encloses the go statement, since the next iteration comes after).
 * Otherwise it is copied into the goroutine at the go statement, which
 * nobody can tell from sharing and costs no allocation. A for clause's
 * variable belongs to one iteration (Go 1.22): its update clause is not
 * "after" the go statement, and when it is shared the update first moves it
 * to a new cell holding its value (gocc_cell_renew). Static locals are
 * shared by address, without a cell.
 *
 * Knowing whether x changes after the go statement needs the rest of the
 * function, and x's declaration comes before: a top-level function whose go
 * blocks share anything is lowered twice. The first pass finds the go
 * blocks; their shared variables are marked; the second pass (the edit
 * queue and symbol table rolled back) rewrites them as cells. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* Whether the mention of a variable at identifier id may change it: the
 * left side of an assignment (or of a member or element of it), ++/--, or
 * its address taken (2). */
static int mod_kind_of(TSNode id, int ptr);
static int mod_kind(TSNode id) { return mod_kind_of(id, 0); }

/* ptr: the variable is declared as a pointer, so p[i] = v and p->f = v
 * change what it points to, not the variable. (Through `->` that holds
 * for any variable.) */
static int mod_kind_of(TSNode id, int ptr)
{
    TSNode cur = id, p = ts_node_parent(cur);
    if (is(p, "field_expression") && ts_node_eq(fld(p, "argument"), cur) && !ts_node_is_null(lw_tok(p, "->"))) return 0;
    if (ptr && is(p, "subscript_expression") && ts_node_eq(fld(p, "argument"), cur)) return 0;
    while (is(p, "parenthesized_expression") || (is(p, "field_expression") && ts_node_eq(fld(p, "argument"), cur)) ||
           (is(p, "subscript_expression") && ts_node_eq(fld(p, "argument"), cur))) {
        cur = p;
        p = ts_node_parent(cur);
    }
    if (is(p, "assignment_expression")) return ts_node_eq(fld(p, "left"), cur);
    if (is(p, "update_expression")) return 1;
    if (is(p, "pointer_expression")) return ts_node_is_null(lw_tok(p, "&")) ? 0 : 2;
    return 0;
}

int cp_modifies(TSNode id) { return mod_kind(id) != 0; }

static int is_loop(TSNode n)
{
    return is(n, "for_statement") || is(n, "while_statement") || is(n, "do_statement") || is(n, "for_range_statement");
}

static int is_array(lw_sym *y)
{
    if (y->kind == SYM_PARAM) return 0; /* a pointer */
    for (TSNode d = y->dtor; !ts_node_is_null(d) && !is(d, "identifier"); d = fld(d, "declarator"))
        if (is(d, "array_declarator")) return 1;
    return 0;
}

/* The offset from which a change of s counts as after statement n: n's
 * end, or the start of the outermost loop inside s's scope enclosing n. */
static size_t after(lw_sym *y, TSNode n)
{
    size_t from = E(n);
    for (TSNode a = ts_node_parent(n); !ts_node_is_null(a) && S(a) > S(y->decl); a = ts_node_parent(a))
        if (is_loop(a)) from = S(a);
    return from;
}

static TSNode node_at(TSNode any, size_t at)
{
    return ts_node_named_descendant_for_byte_range(ts_tree_root_node(any.tree), (uint32_t)at, (uint32_t)at + 1);
}

/* Whether defer block n (statement n of function f) captures local s by
 * value. The block runs when the function returns and sees the variables as
 * they are then; a variable of an inner block (a loop body, say) has ended
 * by then, so "as it is then" means its last value. When nothing can change
 * it after the defer statement, that is its value at the defer statement: a
 * copy then gives Go's result (each iteration's own variable), where a
 * shared variable would show the last iteration's. So s is copied when it
 * is declared in a block inside the function's outermost one and is not
 * assigned, incremented or addressed (any mention, for an array) after the
 * defer statement (see `after`). Returns 1 to copy, 0 to share, and -1 for
 * a variable of an inner block that does change after the defer: its final
 * value is gone by the time the block runs (Go keeps it alive in the
 * closure), so the caller reports an error rather than let the block read a
 * dead variable. */
int cp_defer_copies(lw *w, lw_fn *f, TSNode n, int s)
{
    lw_sym *y = &w->syms[s];
    if (y->kind != SYM_LOCAL) return 0;
    TSNode scope = ts_node_parent(y->decl);
    if (ts_node_eq(scope, f->body)) return 0;
    size_t from = after(y, n);
    int array = is_array(y);
    for (int i = 0; i < w->nres; i++) {
        if (w->res[i].sym != s || w->res[i].at < from || (w->res[i].at >= S(n) && w->res[i].at < E(n))) continue;
        if (array) return -1;
        if (cp_modifies(node_at(n, w->res[i].at))) return -1;
    }
    return 1;
}

/* ------------------------------------------------------------------------ */
/* the two passes                                                            */

/* The walk's stack of enclosing loops, which `after` needs for go blocks:
 * tree-sitter's ts_node_parent searches down from the root, so climbing
 * from a go block nested N deep costs N^2, for each of N go blocks. */
void cp_loop_enter(lw *w, TSNode loop)
{
    if (w->nloops == w->caploops) {
        w->caploops = w->caploops ? w->caploops * 2 : 16;
        w->loops = xrealloc(w->loops, (size_t)w->caploops * sizeof *w->loops);
    }
    w->loops[w->nloops++] = S(loop);
}

void cp_loop_leave(lw *w) { w->nloops--; }

void cp_go_seen(lw *w, TSNode n, int sym_base)
{
    if (w->pass != 1) return;
    if (w->ngos == w->capgos) {
        w->capgos = w->capgos ? w->capgos * 2 : 16;
        w->gos = xrealloc(w->gos, (size_t)w->capgos * sizeof *w->gos);
    }
    size_t *loops = NULL;
    if (w->nloops) {
        loops = xmalloc((size_t)w->nloops * sizeof *loops);
        memcpy(loops, w->loops, (size_t)w->nloops * sizeof *loops);
    }
    w->gos[w->ngos++] = (cp_go){n, sym_base, loops, w->nloops};
}

static void forget_gos(lw *w)
{
    for (int i = 0; i < w->ngos; i++) free(w->gos[i].loops);
    w->ngos = 0;
}

int cp_is_cell(lw *w, int s) { return s >= 0 && s < w->capcell && w->cell[s]; }

static void set_cell(lw *w, int s)
{
    if (s >= w->capcell) {
        int c = w->capcell ? w->capcell : 64;
        while (c <= s) c *= 2;
        w->cell = xrealloc(w->cell, (size_t)c);
        memset(w->cell + w->capcell, 0, (size_t)(c - w->capcell));
        w->capcell = c;
    }
    w->cell[s] = 1;
}

/* `after` for go block g, from the loops the walk saw around it. */
static size_t after_go(lw_sym *y, const cp_go *g)
{
    for (int i = 0; i < g->nloops; i++)
        if (g->loops[i] > S(y->decl)) return g->loops[i];
    return E(g->n);
}

/* decide()'s indexes of the symbol table: each symbol's mentions (res
 * indices, grouped by symbol), and each mention's mod_kind_of, computed
 * once (both climb the tree, and a go block nested N deep is asked about
 * every mention inside it). */
typedef struct uses {
    int *first; /* per symbol: its mentions are at[first[s] .. first[s + 1]) */
    int *at;
    signed char *kind; /* per res index: mod_kind_of, or -1 not yet known */
} uses;

static void uses_build(lw *w, uses *u)
{
    u->first = xmalloc(((size_t)w->nsyms + 2) * sizeof *u->first);
    memset(u->first, 0, ((size_t)w->nsyms + 2) * sizeof *u->first);
    u->at = xmalloc(((size_t)w->nres + 1) * sizeof *u->at);
    u->kind = xmalloc((size_t)w->nres + 1);
    memset(u->kind, -1, (size_t)w->nres + 1);
    for (int i = 0; i < w->nres; i++)
        if (w->res[i].sym >= 0 && w->res[i].sym < w->nsyms) u->first[w->res[i].sym + 1]++;
    for (int s = 0; s < w->nsyms; s++) u->first[s + 1] += u->first[s];
    int *fill = xmalloc(((size_t)w->nsyms + 1) * sizeof *fill);
    memcpy(fill, u->first, ((size_t)w->nsyms + 1) * sizeof *fill);
    for (int i = 0; i < w->nres; i++)
        if (w->res[i].sym >= 0 && w->res[i].sym < w->nsyms) u->at[fill[w->res[i].sym]++] = i;
    free(fill);
}

static void uses_free(uses *u)
{
    free(u->first);
    free(u->at);
    free(u->kind);
}

/* Whether go block g must share local s rather than copy it (see the top). */
static int must_share(lw *w, uses *u, const cp_go *g, int s)
{
    lw_sym *y = &w->syms[s];
    if (is_array(y)) return 1;
    TSNode body = fld(g->n, "body");
    size_t from = after_go(y, g);
    for (int j = u->first[s]; j < u->first[s + 1]; j++) {
        int i = u->at[j];
        size_t at = w->res[i].at;
        if (u->kind[i] < 0) u->kind[i] = (signed char)mod_kind_of(node_at(g->n, at), is(y->dtor, "pointer_declarator"));
        int k = u->kind[i];
        if (k == 2 || (k && ((at >= S(body) && at < E(body)) || at >= from))) return 1;
    }
    return 0;
}

/* After the first pass: marks the shared variables. Returns how many. */
static int decide(lw *w)
{
    int count = 0;
    uses u;
    uses_build(w, &u);
    int *asked = xmalloc(((size_t)w->nsyms + 1) * sizeof *asked); /* the last go block asked about s */
    for (int s = 0; s < w->nsyms; s++) asked[s] = -1;
    for (int gi = 0; gi < w->ngos; gi++) {
        const cp_go *g = &w->gos[gi];
        TSNode body = fld(g->n, "body");
        for (int i = 0; i < w->nres; i++) {
            if (w->res[i].at < S(body) || w->res[i].at >= E(body)) continue;
            int s = w->res[i].sym;
            if (s < 0 || s >= g->sym_base || cp_is_cell(w, s) || asked[s] == gi) continue;
            asked[s] = gi;
            int kind = w->syms[s].kind;
            if (kind != SYM_LOCAL && kind != SYM_PARAM) continue;
            if (!must_share(w, &u, g, s)) continue;
            TSNode d = w->syms[s].decl;
            if (!is(d, "declaration") && !is(d, "parameter_declaration")) {
                lw_err(w, g->n, "the go block shares '%s', a variable that a for-range statement or a select case "
                                "declares; gocc cannot share it (copy it into a variable declared in the loop body)",
                       w->syms[s].name);
                continue;
            }
            set_cell(w, s);
            count++;
        }
    }
    free(asked);
    uses_free(&u);
    return count;
}

void cp_fn_done(lw *w, lw_fn *f)
{
    if (w->pass != 1 || !f->has_defer) return;
    if (w->ndfns == w->capdfns) {
        w->capdfns = w->capdfns ? w->capdfns * 2 : 16;
        w->dfns = xrealloc(w->dfns, (size_t)w->capdfns * sizeof *w->dfns);
    }
    w->dfns[w->ndfns++] = S(f->body);
}

static int fn_has_defer(lw *w, lw_fn *f);

/* Whether function body n (not counting go blocks, functions of their own)
 * holds a goto or a switch: either can jump past a declaration into its
 * scope, and a cell variable's cleanup would then run on a pointer that
 * was never set (clang refuses such a jump; gcc runs the cleanup). */
static int has_jump_in(TSNode n)
{
    for (uint32_t i = 0; i < nkids(n); i++) {
        TSNode k = kid(n, i);
        if (is(k, "go_statement")) continue;
        if (is(k, "goto_statement") || is(k, "switch_statement")) return 1;
        if (has_jump_in(k)) return 1;
    }
    return 0;
}

/* The body of the function (definition or go block) that declares s. */
static TSNode owner_body(TSNode decl)
{
    for (TSNode a = ts_node_parent(decl); !ts_node_is_null(a); a = ts_node_parent(a)) {
        TSNode p = ts_node_parent(a);
        if (is(a, "compound_statement") && (is(p, "function_definition") || is(p, "go_statement"))) return a;
    }
    TSNode null = {{0}, 0, 0};
    return null;
}

/* After decide(): a function that declares a cell and holds a goto or a
 * switch drops its cells through the defer list instead (cp_declare), which
 * a jumped-over declaration never joins. */
static void note_jump_fns(lw *w)
{
    for (int s = 0; s < w->capcell && s < w->nsyms; s++) {
        if (!w->cell[s] || w->syms[s].kind != SYM_LOCAL) continue;
        TSNode body = owner_body(w->syms[s].decl);
        if (ts_node_is_null(body) || !has_jump_in(body)) continue;
        int have = 0;
        for (int i = 0; i < w->ndfns; i++) have |= w->dfns[i] == S(body);
        if (have) continue;
        if (w->ndfns == w->capdfns) {
            w->capdfns = w->capdfns ? w->capdfns * 2 : 16;
            w->dfns = xrealloc(w->dfns, (size_t)w->capdfns * sizeof *w->dfns);
        }
        w->dfns[w->ndfns++] = S(body);
    }
}

int cp_needs_defer_list(lw *w, lw_fn *f) { return w->pass == 2 && fn_has_defer(w, f); }

static int fn_has_defer(lw *w, lw_fn *f)
{
    for (int i = 0; f && i < w->ndfns; i++)
        if (w->dfns[i] == S(f->body)) return 1;
    return 0;
}

/* Lowers top-level function definition n with `lower`, twice when its go
 * blocks share variables (see the top). */
void cp_definition(lw *w, TSNode n, void (*lower)(lw *w, TSNode n))
{
    if (w->pass) {
        lower(w, n);
        return;
    }
    int nsyms = w->nsyms, nscope = w->nscope, nres = w->nres, ned = w->ed.n, counter = w->tr->counter;
    int errors = w->errors;
    size_t lifted = w->lifted.len;
    forget_gos(w);
    w->ndfns = w->nhoisted = 0;
    if (w->capcell) memset(w->cell, 0, (size_t)w->capcell);
    w->pass = 1;
    lower(w, n);
    int fresh = w->nsyms;
    if (w->errors == errors && !w->ed.failed && w->ngos && decide(w) && w->errors == errors) {
        note_jump_fns(w);
        for (int i = nsyms; i < fresh; i++) free(w->syms[i].name);
        w->nsyms = nsyms;
        w->nscope = nscope;
        w->nres = nres;
        ed_truncate(&w->ed, ned);
        w->tr->counter = counter;
        w->lifted.len = lifted;
        w->nhoisted = 0;
        if (w->lifted.s) w->lifted.s[lifted] = '\0';
        w->pass = 2;
        lower(w, n);
    }
    w->pass = 0;
    if (w->capcell) memset(w->cell, 0, (size_t)w->capcell);
}

void cp_free(lw *w)
{
    free(w->cell);
    forget_gos(w);
    free(w->gos);
    free(w->loops);
    free(w->dfns);
    free(w->hoisted);
}

/* ------------------------------------------------------------------------ */
/* the second pass's rewriting                                               */

/* Whether identifier uses of s are (*s) where the walk is: a cell, or a
 * static local inside a go block (the block holds its address). */
int cp_is_ref(lw *w, int s)
{
    if (cp_is_cell(w, s)) return 1;
    if (w->syms[s].kind != SYM_STATIC) return 0;
    for (lw_fn *f = w->fn; f; f = f->up)
        if (f->is_go && s < f->sym_base) return 1;
    return 0;
}

void cp_use(lw *w, TSNode id, int s)
{
    if (s < 0 || !cp_is_ref(w, s)) return;
    char b[300];
    snprintf(b, sizeof b, "(*%s)", w->syms[s].name);
    ed_replace(&w->ed, S(id), E(id), b);
}

/* Renames the mentions of nm inside initializer v to tmp. The initializer was
 * walked before nm was declared, so none of them carries an edit yet. */
static void self_refs(lw *w, TSNode v, const char *nm, const char *tmp)
{
    if (ts_node_is_null(v)) return;
    if (is(v, "identifier")) {
        size_t n = strlen(nm);
        if (E(v) - S(v) == n && memcmp(w->src + S(v), nm, n) == 0) ed_replace(&w->ed, S(v), E(v), tmp);
        return;
    }
    for (uint32_t i = 0; i < ts_node_child_count(v); i++) self_refs(w, ts_node_child(v, i), nm, tmp);
}

/* The declaration of cell variable s (declarator d, without initializer
 * bare, name `name`); see the top. */
void cp_declare(lw *w, TSNode d, TSNode bare, TSNode name, int s)
{
    if (!cp_is_cell(w, s)) return;
    const char *nm = w->syms[s].name;
    int rec = fn_has_defer(w, w->fn);
    if (rec) w->fn->cell_recs = 1;
    char *pre = ed_render(&w->ed, S(bare), S(name)), *post = ed_render(&w->ed, E(name), E(bare));
    sb b = {0}, val = {0};
    if (is(d, "init_declarator")) {
        int k = lw_next_id(w);
        char tmp[64];
        snprintf(tmp, sizeof tmp, "gocc__v_%d", k);
        ed_replace(&w->ed, S(name), E(name), tmp);
        /* C puts x in scope right after its declarator, so its own initializer may name it
         * (`struct w *ws = calloc(n, sizeof *ws)`); there the name is the temporary now. */
        self_refs(w, fld(d, "value"), nm, tmp);
        sb_printf(&val, "gocc_cell_dup(&%s, sizeof %s)", tmp, tmp);
        /* `int a[] = {...}` and `char s[] = "..."` take their size from the
         * initializer; the cell's pointer gets it from the temporary, so that
         * `sizeof a` and `a` as a complete array keep working in the function. */
        const char *p = post;
        while (*p == ' ' || *p == '\t') p++;
        if (p[0] == '[' && p[1] == ']' && strspn(pre, " \t") == strlen(pre))
            sb_printf(&b, ", (*%s)[sizeof %s / sizeof %s[0]]%s", nm, tmp, tmp, p + 2);
        else
            sb_printf(&b, ", %s(*%s)%s", pre, nm, post);
    } else {
        sb_printf(&b, "(*%s)", nm);
        ed_replace(&w->ed, S(name), E(name), b.s);
        b.len = 0;
        b.s[0] = '\0';
        sb_printf(&val, "gocc_cell_new(sizeof *%s)", nm);
    }
    if (rec) sb_printf(&b, " = gocc_cell_defer(&gocc__defers, %s)", val.s);
    else sb_printf(&b, " GOCC_CELL_DROP = %s", val.s);
    ed_close(&w->ed, E(d), b.s);
    sb_free(&b);
    sb_free(&val);
    free(pre);
    free(post);
}

/* Parameters [from, to) of function f that are cells: each is renamed and
 * copied into a cell at the top of the body (prefix). */
void cp_params(lw *w, lw_fn *f, int from, int to, sb *prefix)
{
    (void)f;
    for (int s = from; s < to; s++) {
        if (!cp_is_cell(w, s) || w->syms[s].kind != SYM_PARAM) continue;
        TSNode name = w->syms[s].dtor;
        while (!ts_node_is_null(name) && !is(name, "identifier")) {
            TSNode inner = fld(name, "declarator");
            if (ts_node_is_null(inner) && ts_node_named_child_count(name)) inner = ts_node_named_child(name, 0);
            name = inner;
        }
        if (ts_node_is_null(name)) continue;
        int k = lw_next_id(w);
        char tmp[64];
        snprintf(tmp, sizeof tmp, "gocc__v_%d", k);
        ed_replace(&w->ed, S(name), E(name), tmp);
        sb_printf(prefix, " __typeof__(%s) (*%s) GOCC_CELL_DROP = gocc_cell_dup(&%s, sizeof %s);", tmp,
                  w->syms[s].name, tmp, tmp);
    }
}

/* for (T x = ...; c; u) with x [from, to) shared: each iteration has its own
 * x (Go 1.22), so u first moves x to a new cell holding its value. */
void cp_for(lw *w, TSNode n, int from, int to)
{
    sb b = {0};
    int rec = fn_has_defer(w, w->fn);
    for (int s = from; s < to; s++) {
        if (!cp_is_cell(w, s) || !ts_node_eq(ts_node_parent(w->syms[s].decl), n)) continue;
        const char *nm = w->syms[s].name;
        /* with defers, the old cell keeps its record; the new one gets one */
        if (rec) sb_printf(&b, "%s = gocc_cell_defer(&gocc__defers, gocc_cell_dup(%s, sizeof *%s)), ", nm, nm, nm);
        else sb_printf(&b, "%s = gocc_cell_renew(%s, sizeof *%s), ", nm, nm, nm);
    }
    if (b.len) {
        TSNode u = fld(n, "update");
        if (!ts_node_is_null(u)) {
            ed_open(&w->ed, S(u), b.s);
        } else {
            /* no update clause: after the second ';' of the header */
            TSNode semi = {{0}, 0, 0};
            int seen = 0;
            for (uint32_t i = 0; i < nkids(n); i++) {
                TSNode k = kid(n, i);
                if (is(k, ")")) break;
                if (is(k, ";")) semi = k, seen++;
                if (is(k, "declaration")) seen++; /* its ';' is its own */
            }
            b.len -= 2; /* drop the trailing ", " */
            b.s[b.len] = '\0';
            if (!ts_node_is_null(semi) && seen >= 2) ed_close(&w->ed, E(semi), b.s);
        }
    }
    sb_free(&b);
}

/* ------------------------------------------------------------------------ */
/* local types in go blocks                                                  */

/* Adds to set v the local type symbols (typedef names, tags, enumeration
 * constants declared before symbol `before`) that node n mentions, and
 * those their declarations mention. */
static void type_deps(lw *w, TSNode n, int before, char *v)
{
    if (ts_node_is_null(n)) return;
    int s = -1;
    if (is(n, "identifier") || is(n, "type_identifier")) {
        s = lw_res_at(w, S(n));
        if (s >= 0 && w->syms[s].kind != SYM_TYPEDEF && w->syms[s].kind != SYM_ENUMCONST) s = -1;
    } else if ((is(n, "struct_specifier") || is(n, "union_specifier") || is(n, "enum_specifier")) &&
               !ts_node_is_null(fld(n, "name")) && ts_node_is_null(fld(n, "body"))) {
        const char *kw = is(n, "struct_specifier") ? "struct" : is(n, "union_specifier") ? "union" : "enum";
        char *nm = lw_text(w, fld(n, "name")), buf[300];
        snprintf(buf, sizeof buf, "%s %s", kw, nm);
        free(nm);
        s = lw_lookup(w, buf);
        if (s >= 0 && w->syms[s].kind != SYM_TAG) s = -1;
    }
    if (s >= 0 && s < before && !v[s]) {
        v[s] = 1;
        TSNode d = w->syms[s].decl;
        if (w->syms[s].kind == SYM_ENUMCONST) d = ts_node_parent(ts_node_parent(d));
        type_deps(w, d, before, v);
    }
    /* a nested go block with a body copies the types it needs itself, before
     * this one's function; walking it again made N nested blocks cost N^2 */
    TSTreeCursor c = ts_tree_cursor_new(n);
    if (ts_tree_cursor_goto_first_child(&c)) {
        do {
            TSNode k = ts_tree_cursor_current_node(&c);
            if (!(is(k, "go_statement") && !ts_node_is_null(fld(k, "body")))) type_deps(w, k, before, v);
        } while (ts_tree_cursor_goto_next_sibling(&c));
    }
    ts_tree_cursor_delete(&c);
}

/* The declaration to copy for local type symbol s: a typedef's whole
 * definition, a tag's specifier, an enumeration constant's enum specifier;
 * the outermost one when a typedef defines the tag. */
static TSNode hoist_node(lw *w, int s)
{
    TSNode d = w->syms[s].decl;
    if (w->syms[s].kind == SYM_ENUMCONST) d = ts_node_parent(ts_node_parent(d));
    for (TSNode a = ts_node_parent(d); !ts_node_is_null(a) && !is(a, "compound_statement"); a = ts_node_parent(a))
        if (is(a, "type_definition")) d = a;
    return d;
}

int cp_hoisted(lw *w, int s)
{
    TSNode d = hoist_node(w, s);
    for (int i = 0; i < w->nhoisted; i++)
        if (w->hoisted[i] == S(d)) return 1;
    return 0;
}

/* Copies to file scope (w->lifted, before the go block's function) the
 * types and enumeration constants declared inside the function that go
 * block n uses, or that the declarations of its captured symbols use: a
 * block-scope declaration cannot be named from file scope. The copy
 * declares the same names at file scope, where the function's own
 * declaration still hides it; its members' layout is the same, and values
 * cross between the two only by copying bytes or through void pointers.
 * Returns 0 (error reported) when such a declaration depends on a local
 * variable (a variable-length array type, __typeof__ of a variable). */
int cp_hoist_types(lw *w, TSNode n, const int *syms, int ns, int before)
{
    char *v = xmalloc((size_t)w->nsyms + 1);
    memset(v, 0, (size_t)w->nsyms + 1);
    type_deps(w, fld(n, "body"), before, v);
    for (int i = 0; i < ns; i++) {
        TSNode d = w->syms[syms[i]].decl;
        for (uint32_t j = 0; j < nkids(d); j++) {
            const char *f = lw_field_of(d, j);
            if (f && strcmp(f, "declarator") == 0) continue;
            TSNode t = kid(d, j);
            if (!ts_node_is_null(fld(t, "body"))) {
                /* a type defined by the captured variable's declaration */
                if (is(t, "enum_specifier") && ts_node_is_null(fld(t, "name"))) {
                    TSNode e = ts_node_named_child(fld(t, "body"), 0);
                    int s = is(e, "enumerator") ? lw_res_at(w, S(fld(e, "name"))) : -1;
                    if (s < 0 && is(e, "enumerator")) {
                        char *nm = lw_text(w, fld(e, "name"));
                        s = lw_lookup(w, nm);
                        free(nm);
                    }
                    if (s >= 0 && s < before && w->syms[s].kind == SYM_ENUMCONST) v[s] = 1;
                } else if (!ts_node_is_null(fld(t, "name"))) {
                    const char *kw = is(t, "struct_specifier") ? "struct" : is(t, "union_specifier") ? "union" : "enum";
                    char *nm = lw_text(w, fld(t, "name")), buf[300];
                    snprintf(buf, sizeof buf, "%s %s", kw, nm);
                    free(nm);
                    int s = lw_lookup(w, buf);
                    if (s >= 0 && s < before && w->syms[s].kind == SYM_TAG) v[s] = 1;
                }
            }
            type_deps(w, t, before, v);
        }
        type_deps(w, w->syms[syms[i]].dtor, before, v);
    }
    int ok = 1;
    /* symbol order is declaration order: dependencies come first */
    for (int s = 0; s < w->nsyms && ok; s++) {
        if (!v[s]) continue;
        TSNode d = hoist_node(w, s);
        int done = 0;
        for (int i = 0; i < w->nhoisted; i++) done |= w->hoisted[i] == S(d);
        if (done) continue;
        for (int i = 0; i < w->nres && ok; i++) {
            if (w->res[i].at < S(d) || w->res[i].at >= E(d) || w->res[i].sym < 0) continue;
            int k = w->syms[w->res[i].sym].kind;
            if (k == SYM_LOCAL || k == SYM_PARAM || k == SYM_STATIC) {
                lw_err(w, n, "the go block uses '%s', a type declared inside the function that depends on a local "
                             "variable (declare the type at file scope)", w->syms[s].name);
                ok = 0;
            }
        }
        if (!ok) break;
        if (w->nhoisted == w->caphoisted) {
            w->caphoisted = w->caphoisted ? w->caphoisted * 2 : 16;
            w->hoisted = xrealloc(w->hoisted, (size_t)w->caphoisted * sizeof *w->hoisted);
        }
        w->hoisted[w->nhoisted++] = S(d);
        if (is(d, "type_definition")) /* its only users may be in go blocks */
            for (uint32_t j = 0; j < nkids(d); j++) {
                const char *f = lw_field_of(d, j);
                if (f && strcmp(f, "declarator") == 0) ed_close(&w->ed, E(kid(d, j)), " __attribute__((unused))");
            }
        char *t = ed_render(&w->ed, S(d), E(d));
        sb_printf(&w->lifted, "#line %u ", line(d));
        lw_quote_path(&w->lifted, w->path);
        sb_printf(&w->lifted, "\n%s%s\n", t, is(d, "type_definition") ? "" : ";");
        free(t);
    }
    free(v);
    return ok;
}
