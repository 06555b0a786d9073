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


static int is_loop(TSNode n)
{
    return is(n, "for_statement") || is(n, "while_statement") || is(n, "do_statement") || is(n, "for_range_statement");
}

/* The derivation nearest the name in s's declarator (what s is: an array,
 * a pointer, a function), or a null node for a plain name. */
static TSNode outer_derivation(lw_sym *y)
{
    TSNode last = {{0}, 0, 0};
    for (TSNode d = y->dtor; !ts_node_is_null(d) && !is(d, "identifier");) {
        if (is(d, "array_declarator") || is(d, "pointer_declarator") || is(d, "function_declarator")) last = d;
        TSNode inner = fld(d, "declarator");
        if (ts_node_is_null(inner) && is(d, "parenthesized_declarator")) inner = ts_node_named_child(d, 0);
        d = inner;
    }
    return last;
}

/* Whether s is an array (`int (*fs[])(void)` is; `int (*p)[4]` is a pointer). */
static int is_array(lw_sym *y)
{
    if (y->kind == SYM_PARAM) return 0; /* a pointer */
    return is(outer_derivation(y), "array_declarator");
}

/* Whether s is an array whose size its initializer gives (`char s[] =
 * "..."`, `int a[] = {...}`): the derivation nearest the name is an array
 * without a size. */
static int is_unsized_array(lw_sym *y)
{
    if (y->kind == SYM_PARAM) return 0;
    TSNode last = outer_derivation(y);
    return is(last, "array_declarator") && ts_node_is_null(fld(last, "size"));
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
static int defer_copies(lw *w, lw_fn *f, TSNode n, int s)
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
        if (mod_kind(node_at(n, w->res[i].at))) return -1;
    }
    return 1;
}

/* The locals that defer block n (statement n of function f; its own
 * declarations are symbols >= base) copies into its record (see
 * defer_copies), in order of first mention, into *caps (malloc'd); returns
 * how many. A variable it cannot keep is reported. */
int cp_defer_block_captures(lw *w, lw_fn *f, TSNode n, int base, int **caps)
{
    TSNode body = fld(n, "body");
    int *v = xmalloc(sizeof *v * (size_t)(w->nres + 1)), nc = 0;
    for (int i = 0; i < w->nres; i++) {
        int s = w->res[i].sym;
        if (w->res[i].at < S(body) || w->res[i].at >= E(body) || s < f->sym_base || s >= base) continue;
        int dup = 0;
        for (int j = 0; j < nc; j++) dup |= v[j] == s;
        if (dup) continue;
        int how = defer_copies(w, f, n, s);
        if (how > 0)
            v[nc++] = s;
        else if (how < 0)
            lw_err(w, n, "the defer block uses '%s', a variable of an inner block that changes after the defer; "
                         "its last value is gone when the block runs (declare it in the function's outermost block, "
                         "or defer a call with it as an argument)", w->syms[s].name);
    }
    *caps = v;
    return nc;
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
            if (!is(d, "declaration") && !is(d, "parameter_declaration") &&
                !((is(d, "for_range_statement") || is(d, "select_receive")) && !is_array(&w->syms[s]))) {
                lw_err(w, g->n, "the go block shares '%s', an array that a for-range statement or a select case "
                                "declares; gocc cannot share it (copy it into a variable declared in the loop body "
                                "or the case)",
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
        TSNode t = fld(w->syms[s].decl, "type");
        char *tt = is(t, "type_identifier") ? lw_text(w, t) : NULL;
        int autotype = tt && strcmp(tt, "__auto_type") == 0;
        free(tt);
        if (autotype && is(ts_node_parent(w->syms[s].decl), "for_statement")) {
            /* __auto_type takes one declarator only, and a for clause holds one
             * declaration: the type is spelt __typeof__(initializer) instead */
            char *init = ed_render(&w->ed, S(fld(d, "value")), E(fld(d, "value")));
            sb t2 = {0};
            sb_printf(&t2, "__typeof__(((void)0, %s))", init); /* decayed, as __auto_type deduces */
            ed_replace(&w->ed, S(t), E(t), t2.s);
            sb_free(&t2);
            free(init);
            sb_printf(&b, ", (*%s)", nm);
        } else if (autotype) /* a declaration of its own, after the temporary's */
            sb_printf(&b, "; __typeof__(%s) (*%s)", tmp, nm);
        else if (p[0] == '[' && p[1] == ']') /* also `char *names[]`, `int (*fs[])(void)` */
            sb_printf(&b, ", %s(*%s)[sizeof %s / sizeof %s[0]]%s", pre, nm, tmp, tmp, p + 2);
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

/* The declaration of the variable s of a for-range statement (chan.c, one
 * per iteration) or a select case (select.c) when it is a cell: `SPEC PRE gocc__v_K POST = INIT, PRE (*v) POST
 * <drop> = gocc_cell_dup(&gocc__v_K, sizeof gocc__v_K)` into *out. Returns 0
 * (nothing written) when s is not a cell. Each iteration has its own v (and
 * its own cell), as Go's range variables are per iteration. */
int cp_range_decl(lw *w, int s, const char *spec, const char *pre, const char *post, const char *init, sb *out)
{
    if (!cp_is_cell(w, s)) return 0;
    int k = lw_next_id(w), rec = fn_has_defer(w, w->fn);
    if (rec) w->fn->cell_recs = 1;
    sb_printf(out, "%s %sgocc__v_%d%s = %s, %s(*%s)%s", spec, pre, k, post, init, pre, w->syms[s].name, post);
    if (rec) sb_printf(out, " = gocc_cell_defer(&gocc__defers, gocc_cell_dup(&gocc__v_%d, sizeof gocc__v_%d))", k, k);
    else sb_printf(out, " GOCC_CELL_DROP = gocc_cell_dup(&gocc__v_%d, sizeof gocc__v_%d)", k, k);
    return 1;
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

/* 1 if s is a function or extern variable declared inside a function body
 * (`void helper(void);` in main): a go block's function is at file scope,
 * where that declaration is not visible, so it is copied there like a type. */
static int block_extern(lw *w, int s)
{
    if (w->syms[s].kind != SYM_GLOBAL || !is(w->syms[s].decl, "declaration")) return 0;
    for (TSNode a = ts_node_parent(w->syms[s].decl); !ts_node_is_null(a); a = ts_node_parent(a))
        if (is(a, "compound_statement")) return 1;
    return 0;
}

/* Adds to set v the local type symbols (typedef names, tags, enumeration
 * constants declared before symbol `before`) that node n mentions, and
 * those their declarations mention; also block-scope function and extern
 * declarations (block_extern). */
static void type_deps(lw *w, TSNode n, int before, char *v)
{
    if (ts_node_is_null(n)) return;
    int s = -1;
    if (is(n, "identifier") || is(n, "type_identifier")) {
        s = lw_res_at(w, S(n));
        if (s >= 0 && w->syms[s].kind != SYM_TYPEDEF && w->syms[s].kind != SYM_ENUMCONST && !block_extern(w, s)) s = -1;
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
        /* the function's own declaration now hides the file-scope copy, on purpose (-Wshadow); queued
         * after the copy was rendered, so that the copy has no pragmas */
        TSNode stmt = is(d, "type_definition") ? d : ts_node_parent(d);
        if (!is(stmt, "declaration")) stmt = d;
        size_t end = E(stmt);
        if (ts_node_eq(stmt, d) && !is(d, "type_definition")) {
            /* `enum { A, B };` is the specifier and a `;` of the block's */
            TSNode semi = ts_node_next_sibling(d);
            end = !ts_node_is_null(semi) && is(semi, ";") ? E(semi) : 0;
        }
        if (end && is(ts_node_parent(stmt), "compound_statement")) {
            ed_open(&w->ed, S(stmt), GOCC_PRAGMA_NOSHADOW " ");
            ed_close(&w->ed, end, " " GOCC_PRAGMA_POP);
        }
    }
    free(v);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* environments: the types of captured values at file scope                                                          */

/* Checks that a type used by a copied declaration is visible at file scope. */
static int type_is_local(lw *w, TSNode t)
{
    if (ts_node_is_null(t)) return 0;
    if (is(t, "type_identifier")) {
        int s = lw_lookup_n(w, t);
        return s >= 0 && w->syms[s].kind == SYM_TYPEDEF;
    }
    if (is(t, "struct_specifier") || is(t, "union_specifier") || is(t, "enum_specifier")) {
        TSNode name = fld(t, "name");
        if (!ts_node_is_null(fld(t, "body"))) return w->fn != NULL;
        if (!ts_node_is_null(name)) {
            const char *kw = is(t, "struct_specifier") ? "struct" : is(t, "union_specifier") ? "union" : "enum";
            char *nm = lw_text(w, name), buf[300];
            snprintf(buf, sizeof buf, "%s %s", kw, nm);
            free(nm);
            int s = lw_lookup(w, buf);
            return s >= 0 && w->syms[s].kind == SYM_TAG;
        }
        return 0;
    }
    for (uint32_t i = 0; i < nkids(t); i++)
        if (type_is_local(w, kid(t, i))) return 1;
    return 0;
}

/* The symbols of the function's locals and parameters mentioned in [from,to),
 * declared before symbol id `before`, in order of first mention. */
static int captures(lw *w, size_t from, size_t to, int before, int **out)
{
    int n = 0;
    int *v = xmalloc(sizeof *v * (size_t)(w->nres + 1));
    for (int i = 0; i < w->nres; i++) {
        if (w->res[i].at < from || w->res[i].at >= to) continue;
        int s = w->res[i].sym;
        if (s < 0 || s >= before) continue; /* negative: a defer number */
        int kind = w->syms[s].kind;
        if (kind != SYM_LOCAL && kind != SYM_PARAM && kind != SYM_STATIC) continue;
        int dup = 0;
        for (int j = 0; j < n; j++) dup |= v[j] == s;
        if (!dup) v[n++] = s;
    }
    *out = v;
    return n;
}

static int is_local_kind(int kind) { return kind == SYM_LOCAL || kind == SYM_PARAM || kind == SYM_STATIC; }

static int decl_keeps(TSNode decl, uint32_t i)
{
    const char *f = lw_field_of(decl, i);
    return (f && strcmp(f, "type") == 0) || is(kid(decl, i), "type_qualifier");
}

static void env_expr(lw *w, TSNode n, int env, int type_env, sb *b);

/* A typedef name T declared inside the function, for env_expr:
 * __typeof__(<T's specifiers> <T's declarator without the name>), e.g.
 * `typedef int *ip;` gives __typeof__(int *). */
static void typedef_expr(lw *w, int s, int env, int type_env, sb *b)
{
    lw_sym *y = &w->syms[s];
    TSNode name = y->dtor;
    while (!ts_node_is_null(name) && !is(name, "type_identifier") && !is(name, "identifier")) {
        TSNode inner = fld(name, "declarator");
        if (ts_node_is_null(inner) && ts_node_named_child_count(name)) inner = ts_node_named_child(name, 0);
        name = inner;
    }
    sb_puts(b, "__typeof__(");
    for (uint32_t i = 0; i < nkids(y->decl); i++)
        if (decl_keeps(y->decl, i)) {
            env_expr(w, kid(y->decl, i), env, type_env, b);
            sb_puts(b, " ");
        }
    TSNode old = w->subst;
    const char *old_text = w->subst_text;
    w->subst = name;
    w->subst_text = "";
    env_expr(w, y->dtor, env, type_env, b);
    w->subst = old;
    w->subst_text = old_text;
    sb_puts(b, ")");
}

/* The text of expression (or type) n for use inside __typeof__ at file
 * scope: locals become members of a null struct pointer (never evaluated):
 * of the environment struct gocc__env_<env> (type_env < 0), or of the
 * symbol's own type struct gocc__t_<type_env>_<id> (see env_structs); and
 * lowered constructs become expressions of the same type without statement
 * expressions, which file scope does not allow. */
static void env_expr(lw *w, TSNode n, int env, int type_env, sb *b)
{
    if (w->subst_text && ts_node_eq(n, w->subst)) {
        sb_puts(b, w->subst_text);
        return;
    }
    if (is(n, "identifier") || is(n, "type_identifier")) {
        int s = lw_res_at(w, S(n));
        if (s >= 0 && is_local_kind(w->syms[s].kind)) {
            if (type_env >= 0) sb_printf(b, "((struct gocc__t_%d_%d *)0)->%s", type_env, s, w->syms[s].name);
            else sb_printf(b, "((struct gocc__env_%d *)0)->%s", env, w->syms[s].name);
            return;
        }
    }
    if (is(n, "identifier")) {
        /* an enumeration constant of the function: a value of type int; its
         * own name once it is copied to file scope, since its value matters in
         * an array size (`int counts[nworkers]`: the type would be int[0]) */
        int s = lw_res_at(w, S(n));
        if (s >= 0 && w->syms[s].kind == SYM_ENUMCONST) {
            if (cp_hoisted(w, s)) sb_add(b, w->src + S(n), E(n) - S(n));
            else sb_puts(b, "((int)0)");
            return;
        }
    }
    if (is(n, "type_identifier") && (w->hoisting || (!ts_node_is_null(ts_node_parent(n)) &&
                                                     ts_node_eq(fld(ts_node_parent(n), "name"), n)))) {
        /* a tag's name (not the typedef name it may share), or a typedef
         * name copied to file scope (cp_hoist_types) */
        sb_add(b, w->src + S(n), E(n) - S(n));
        return;
    }
    if (is(n, "type_identifier") || is(n, "identifier")) {
        /* a typedef name of the function (`(T)x` may parse as an
         * expression: the parser cannot know T is a type) */
        int s = lw_res_at(w, S(n));
        if (s >= 0 && w->syms[s].kind == SYM_TYPEDEF) {
            typedef_expr(w, s, env, type_env, b);
            return;
        }
    }
    if (is(n, "sizeof_expression") || is(n, "alignof_expression")) {
        /* its type is size_t whatever it measures */
        sb_puts(b, "((__SIZE_TYPE__)0)");
        return;
    }
    if (is(n, "receive_expression")) {
        sb_puts(b, "(*(GOCC_CHAN_ELEM(");
        env_expr(w, fld(n, "channel"), env, type_env, b);
        sb_puts(b, ") *)0)");
        return;
    }
    if (is(n, "make_expression")) {
        char *t = lw_render(w, fld(n, "type"));
        sb_printf(b, "((%s)0)", t);
        free(t);
        return;
    }
    if (is(n, "compound_literal_expression")) {
        /* its type only: a file-scope compound literal would need constant
         * elements */
        sb_puts(b, "(*(__typeof__(");
        env_expr(w, fld(n, "type"), env, type_env, b);
        sb_puts(b, ") *)0)");
        return;
    }
    if (is(n, "channel_type") || is(n, "send_channel_type") || is(n, "receive_channel_type")) {
        char *t = lw_render(w, n);
        sb_puts(b, t);
        free(t);
        return;
    }
    if (is(n, "call_expression") && !ts_node_is_null(ch_make_typedef(w, n))) {
        sb_puts(b, "((");
        env_expr(w, ch_make_typedef(w, n), env, type_env, b);
        sb_puts(b, ")0)");
        return;
    }
    if (is(n, "call_expression") && ch_is_builtin(w, n)) {
        /* len/cap/close: an int (the same decision as everywhere else);
         * free: void */
        char *name = lw_text(w, fld(n, "function"));
        sb_puts(b, strcmp(name, "free") == 0 ? "((void)0)" : "((int)0)");
        free(name);
        return;
    }
    if (nkids(n) == 0) {
        sb_add(b, w->src + S(n), E(n) - S(n));
        return;
    }
    size_t pos = S(n);
    for (uint32_t i = 0; i < nkids(n); i++) {
        TSNode k = kid(n, i);
        if (S(k) > pos) sb_add(b, w->src + pos, S(k) - pos);
        env_expr(w, k, env, type_env, b);
        pos = E(k);
    }
    if (E(n) > pos) sb_add(b, w->src + pos, E(n) - pos);
}


static int is_auto(lw *w, int s)
{
    TSNode t = fld(w->syms[s].decl, "type");
    if (!is(t, "type_identifier")) return 0;
    char *x = lw_text(w, t);
    int r = strcmp(x, "__auto_type") == 0;
    free(x);
    return r;
}

/* The locals that the declaration of s mentions (in __typeof__, array
 * sizes, an __auto_type initializer), added to v (no duplicates). */
static void sym_deps(lw *w, int s, int *v, int *n)
{
    lw_sym *y = &w->syms[s];
    size_t ranges[8][2];
    int nr = 0;
    if (is_auto(w, s)) {
        if (!ts_node_is_null(y->init)) { ranges[nr][0] = S(y->init); ranges[nr][1] = E(y->init); nr++; }
    } else {
        for (uint32_t i = 0; i < nkids(y->decl) && nr < 6; i++)
            if (decl_keeps(y->decl, i)) { ranges[nr][0] = S(kid(y->decl, i)); ranges[nr][1] = E(kid(y->decl, i)); nr++; }
        ranges[nr][0] = S(y->dtor); ranges[nr][1] = E(y->dtor); nr++;
    }
    for (int r = 0; r < nr; r++)
        for (int i = 0; i < w->nres; i++) {
            if (w->res[i].at < ranges[r][0] || w->res[i].at >= ranges[r][1]) continue;
            int d = w->res[i].sym;
            if (d < 0 || d == s || !is_local_kind(w->syms[d].kind)) continue;
            int dup = 0;
            for (int j = 0; j < *n; j++) dup |= v[j] == d;
            if (!dup) v[(*n)++] = d;
        }
}

/* Appends s after everything its declaration depends on (depth first). */
static void closure_visit(lw *w, int s, char *seen, int *order, int *n)
{
    if (seen[s]) return;
    seen[s] = 1;
    int *deps = xmalloc(sizeof *deps * (size_t)(w->nsyms + 1)), nd = 0;
    sym_deps(w, s, deps, &nd);
    for (int i = 0; i < nd; i++) closure_visit(w, deps[i], seen, order, n);
    free(deps);
    order[(*n)++] = s;
}

/* The declaration of symbol s with its locals mapped into type structs:
 * its type specifiers and qualifiers (storage classes dropped) and its
 * declarator without initializer; array parameters become pointers;
 * `__auto_type x = e` becomes `__typeof__(((void)0, e)) x`. Returns NULL
 * (error reported at `at`) when the type cannot be named at file scope. */
static char *sym_decl(lw *w, int s, int k, TSNode at, int open)
{
    lw_sym *y = &w->syms[s];
    TSNode decl = y->decl, d = y->dtor;
    sb b = {0};
    /* open: the array's own length (the derivation nearest the name) is
     * left out, `int a[]`, for an array whose length the go statement
     * passes (cp_block_env) */
    TSNode outer = open && y->kind != SYM_PARAM ? outer_derivation(y) : (TSNode){{0}, 0, 0};
    if (!is(outer, "array_declarator")) outer = (TSNode){{0}, 0, 0};
    /* A parameter declared as an array is a pointer: the derivation nearest
     * the name, if an array, becomes (*name), and its size does not count. */
    TSNode adjust = {{0}, 0, 0};
    if (y->kind == SYM_PARAM) {
        for (TSNode a = d; !ts_node_is_null(a) && !is(a, "identifier");) {
            if (is(a, "array_declarator") || is(a, "pointer_declarator") || is(a, "function_declarator")) adjust = a;
            TSNode inner = fld(a, "declarator");
            if (ts_node_is_null(inner) && is(a, "parenthesized_declarator")) inner = ts_node_named_child(a, 0);
            a = inner;
        }
        if (!is(adjust, "array_declarator")) adjust = (TSNode){{0}, 0, 0};
    }
    TSNode first = d;
    for (TSNode a = first; !ts_node_is_null(a) && !is(a, "identifier"); a = fld(a, "declarator")) {
        if (is(a, "array_declarator") && !ts_node_eq(a, adjust) && !ts_node_eq(a, outer) && !ts_node_is_null(fld(a, "size"))) {
            sb t = {0};
            env_expr(w, fld(a, "size"), k, k, &t);
            int vla = strstr(t.s ? t.s : "", "((struct gocc__t_") != NULL;
            sb_free(&t);
            if (vla && y->kind != SYM_PARAM && ts_node_eq(a, outer_derivation(y))) {
                /* a go call's operand (a go block passes the length instead) */
                lw_err(w, at, "'%s' is a variable-length array, whose type a go statement cannot name at file scope "
                              "(pass a pointer to its first element)", y->name);
                return NULL;
            }
            if (vla) {
                lw_err(w, at, "'%s' is an array whose element type has a variable length, which a go block cannot share "
                              "(use a pointer to its first element)", y->name);
                return NULL;
            }
        }
    }
    if (is_auto(w, s)) {
        if (ts_node_is_null(y->init)) {
            lw_err(w, at, "cannot copy '%s' into a goroutine: its type is unknown", y->name);
            return NULL;
        }
        sb_puts(&b, "__typeof__(((void)0, ");
        env_expr(w, y->init, k, k, &b);
        sb_puts(&b, ")) ");
    } else {
        for (uint32_t i = 0; i < nkids(decl); i++) {
            if (!decl_keeps(decl, i)) continue;
            TSNode t = kid(decl, i);
            if (w->hoisting && (is(t, "struct_specifier") || is(t, "union_specifier") || is(t, "enum_specifier")) &&
                !ts_node_is_null(fld(t, "body"))) {
                /* the specifier was copied to file scope (cp_hoist_types) */
                if (!ts_node_is_null(fld(t, "name"))) {
                    char *nm = lw_text(w, fld(t, "name"));
                    sb_printf(&b, "%s %s ", is(t, "struct_specifier") ? "struct" : is(t, "union_specifier") ? "union" : "enum", nm);
                    free(nm);
                    continue;
                }
                if (is(t, "enum_specifier")) {
                    sb_puts(&b, "int ");
                    continue;
                }
            }
            if (!w->hoisting && type_is_local(w, t)) {
                lw_err(w, at, "'%s' has a type declared inside the function; a goroutine cannot copy it (declare the type at file scope)", y->name);
                sb_free(&b);
                return NULL;
            }
            env_expr(w, t, k, k, &b);
            sb_puts(&b, " ");
        }
    }
    char adjusted[300];
    if (!ts_node_is_null(adjust)) {
        snprintf(adjusted, sizeof adjusted, "(*%s)", y->name);
        w->subst = adjust;
        w->subst_text = adjusted;
    } else if (!ts_node_is_null(outer) && !ts_node_is_null(fld(outer, "size"))) {
        w->subst = fld(outer, "size");
        w->subst_text = "";
    }
    env_expr(w, d, k, k, &b);
    w->subst_text = NULL;
    return sb_take(&b);
}

/* The file-scope types of go statement k. Usually just the environment of
 * the captured locals, their declarations copied:
 *     struct gocc__env_K { int i; GOCC_CHAN(int) out; };
 * A local that another's declaration mentions (`__typeof__(x) y`, an
 * __auto_type initializer) gets a struct of its own first, and the mention
 * becomes a member access through a null pointer of that type:
 *     struct gocc__t_K_<id> { int x; };
 *     struct gocc__env_K { __typeof__(((struct gocc__t_K_<id> *)0)->x) y; };
 * Returns 0 on error (reported). */
static int env_structs(lw *w, int k, const int *syms, const char *ref, int n, TSNode at, sb *b)
{
    char *seen = xmalloc((size_t)w->nsyms + 1), *dep = xmalloc((size_t)w->nsyms + 1);
    memset(seen, 0, (size_t)w->nsyms + 1);
    memset(dep, 0, (size_t)w->nsyms + 1);
    int *order = xmalloc(sizeof *order * (size_t)(w->nsyms + 1)), no = 0;
    int *deps = xmalloc(sizeof *deps * (size_t)(w->nsyms + 1));
    for (int i = 0; i < n; i++) closure_visit(w, syms[i], seen, order, &no);
    for (int i = 0; i < n; i++)
        if (ref && ref[i]) dep[syms[i]] = 1; /* a pointer to its type */
    for (int i = 0; i < no; i++) {
        int nd = 0;
        sym_deps(w, order[i], deps, &nd);
        for (int j = 0; j < nd; j++) dep[deps[j]] = 1;
    }
    int ok = 1;
    for (int i = 0; i < no && ok; i++) {
        if (!dep[order[i]]) continue;
        int open = 0;
        for (int j = 0; j < n && ref; j++) open |= syms[j] == order[i] && ref[j] == 2;
        char *d = sym_decl(w, order[i], k, at, open);
        if (!d) { ok = 0; break; }
        /* `int a[] = {...}`: a member of incomplete array type must follow a named
         * member (a flexible array member), so such a carrier gets a pad first
         * (harmless where a `[]` belongs to something else: only the member's type is used). */
        int flex = strstr(d, "[]") != NULL;
        sb_printf(b, "struct gocc__t_%d_%d { %s%s; }; ", k, order[i], flex ? "char gocc__pad; " : "", d);
        free(d);
    }
    if (ok) sb_printf(b, "struct gocc__env_%d {", k);
    for (int i = 0; i < n && ok; i++) {
        const char *nm = w->syms[syms[i]].name;
        if (ref && ref[i] == 2) {
            /* an array sized by its initializer: a pointer to its first
             * element and its length (cp_block_env) */
            sb_printf(b, " __typeof__(((struct gocc__t_%d_%d *)0)->%s[0]) *%s; __SIZE_TYPE__ gocc__n_%s;", k, syms[i], nm, nm, nm);
        } else if (dep[syms[i]]) {
            sb_printf(b, " __typeof__(((struct gocc__t_%d_%d *)0)->%s) %s%s;", k, syms[i], nm, ref && ref[i] ? "*" : "", nm);
        } else {
            char *d = sym_decl(w, syms[i], k, at, 0);
            if (!d) { ok = 0; break; }
            sb_printf(b, " %s;", d);
            free(d);
        }
    }
    if (ok) sb_puts(b, " };\n");
    free(seen);
    free(dep);
    free(order);
    free(deps);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* what each construct captures                                              */

/* go f(a, b) and defer f(a, b): Go evaluates the function value and the
 * arguments at the statement, and the call runs later (in the goroutine, or
 * when the function returns). This decides, for both, which operands are
 * values taken now and how the later call is written, with the record
 * holding the values named `rec` (REC->fn, REC->a0, ...):
 * - the callee is a value (member fn) unless it is a name to write as it
 *   stands where the call runs (lw_direct_callee: a function, a library
 *   function or function-like macro such as log_println, len/cap/close,
 *   whose builtin lowering is written around its operand, or a blocking
 *   POSIX call, written as the runtime's parking version, io_callee);
 * - each argument is a value (member aN), except a string literal passed to
 *   a direct callee, which stays literal (printf's format is still checked).
 * The leaves store the values their own way: go.c in a block whose type is
 * declared at file scope (typed by cp_value_type), func.c in a record on
 * the frame (typed by the temporaries that hold them). */
void cp_call_capture(lw *w, TSNode call, const char *rec, cp_call *c)
{
    memset(c, 0, sizeof *c);
    TSNode f = fld(call, "function"), args = fld(call, "arguments");
    c->direct = lw_direct_callee(w, call);
    sb run = {0};
    char *pre = NULL, *post = NULL;
    int first = 1;
    if (!c->direct) {
        sb_printf(&run, "%s->fn(", rec);
    } else if (ch_is_builtin(w, call)) {
        ch_builtin_parts(w, call, &pre, &post);
        sb_puts(&run, pre);
    } else {
        /* io_callee: `go sleep(1)` runs gocc_io_sleep(site, 1), which parks */
        char *name = lw_text(w, f), *io = io_callee(w, name);
        if (io) sb_puts(&run, io);
        else sb_printf(&run, "%s(", name);
        if (io) first = 0; /* the first argument follows the site */
        free(io);
        free(name);
    }
    uint32_t nk = ts_node_named_child_count(args);
    c->args = xmalloc(((size_t)nk + 1) * sizeof *c->args);
    for (uint32_t i = 0; i < nk; i++) {
        TSNode a = ts_node_named_child(args, i);
        if (is(a, "comment")) continue;
        if (!first && !pre) sb_puts(&run, ", ");
        first = 0;
        if (c->direct && !pre && (is(a, "string_literal") || is(a, "concatenated_string"))) {
            char *t = lw_text(w, a);
            sb_puts(&run, t);
            free(t);
            continue;
        }
        sb_printf(&run, "%s->a%d", rec, c->nargs);
        c->args[c->nargs++] = a;
    }
    sb_puts(&run, pre ? post : ")");
    c->run = sb_take(&run);
    free(pre);
    free(post);
}

void cp_call_free(cp_call *c)
{
    free(c->args);
    free(c->run);
}

/* go f(a, b) at file scope: the environment struct gocc__env_K of the
 * locals that the operands mention (their declarations copied, see
 * env_structs), for cp_value_type. Nothing when they mention none. Returns
 * 0 on error (reported at statement n). */
int cp_call_env(lw *w, TSNode n, TSNode call, int k, sb *b)
{
    int *syms, ns = captures(w, S(call), E(call), w->nsyms, &syms);
    /* a static local is fine here: only its type is copied, the value is passed */
    int ok = !ns || env_structs(w, k, syms, NULL, ns, n, b);
    free(syms);
    return ok;
}

/* The type of operand e of go statement k as file scope can write it:
 * `__typeof__(((void)0, ENV(e)))`, ENV(e) being e with the locals made
 * members of a null gocc__env_K pointer (only ever inside typeof; see
 * env_expr). The comma with void decays arrays and function designators
 * and drops qualifiers, as passing an argument does. */
void cp_value_type(lw *w, TSNode e, int k, sb *b)
{
    sb_puts(b, "__typeof__(((void)0, ");
    env_expr(w, e, k, -1, b);
    sb_puts(b, "))");
}

/* Whether s is a variable-length array: its own length (the derivation
 * nearest the name) mentions a local. */
static int is_vla(lw *w, int s)
{
    lw_sym *y = &w->syms[s];
    if (y->kind == SYM_PARAM) return 0;
    TSNode outer = outer_derivation(y);
    if (!is(outer, "array_declarator") || ts_node_is_null(fld(outer, "size"))) return 0;
    sb t = {0};
    env_expr(w, fld(outer, "size"), 0, 0, &t);
    int vla = strstr(t.s ? t.s : "", "((struct gocc__t_") != NULL;
    sb_free(&t);
    return vla;
}

/* go { block }  ->  at file scope, before the enclosing function:
 *     struct gocc__env_K { <the declarations of the captured locals> };   (env_structs)
 *     #line L "file"
 *     static void gocc__go_K(void *gocc__p) { struct gocc__env_K *gocc__cap = gocc__p;
 *         __typeof__(gocc__cap->x) x; ... __builtin_memcpy((void *)&x, &gocc__cap->x, sizeof x); ...
 *         GOCC_FUNCTION_ENTRY(); { block } }
 *     (the declarations first, then the copies: the block's own declarations follow no statement of
 *     its block, -Wdeclaration-after-statement; func.c's finish_fn adds the check and the braces)
 *   in place:
 *     { struct gocc__env_K gocc__e_K; __builtin_memcpy(&gocc__e_K.x, &x, sizeof x); ...
 *       gocc_go(gocc__go_K, &gocc__e_K, sizeof gocc__e_K, site); }
 * Captured: the locals and parameters of enclosing scopes that the block
 * mentions; each is copied at the go statement (capture by value) into the
 * goroutine's own copy, a local of the same name and type, so the block's
 * text is unchanged. The lifted function is a function like any other: its
 * defers and returns belong to it. capture.c decides which locals are
 * copied and which are shared through cells (or, for a static local, by
 * address). The walker (lower.c, walk_go) walks the block as a function
 * body, then calls cp_block_env, finishes the body with the prefix it
 * built (func.c), and calls go_block_emit (go.c): each is a leaf. */
int cp_block_env(lw *w, TSNode n, int sym_base, cp_env *g)
{
    TSNode body = fld(n, "body");
    memset(g, 0, sizeof *g);
    cp_go_seen(w, n, sym_base);
    int k = g->k = lw_next_id(w);
    int *syms, ns = captures(w, S(body), E(body), sym_base, &syms);
    g->ns = ns;
    int ok = cp_hoist_types(w, n, syms, ns, sym_base);
    /* shared by address: cells, and static locals (2: an array sized by
     * its initializer) */
    char *ref = xmalloc((size_t)ns + 1);
    for (int i = 0; i < ns; i++) {
        ref[i] = cp_is_cell(w, syms[i]) || w->syms[syms[i]].kind == SYM_STATIC;
        /* (an array is always shared: in the first pass, which has not
         * decided the cells yet, it is treated as shared too) */
        if (w->syms[syms[i]].kind != SYM_PARAM && (is_unsized_array(&w->syms[syms[i]]) || is_vla(w, syms[i]))) ref[i] = 2;
    }
    w->hoisting = 1;
    if (ok && ns) ok = env_structs(w, k, syms, ref, ns, n, &g->env);
    w->hoisting = 0;
    if (ns) sb_printf(&g->in, " struct gocc__env_%d *gocc__cap = gocc__p;", k);
    else sb_puts(&g->in, " (void)gocc__p;");
    sb copies = {0}; /* the memcpy statements, after every declaration */
    sb_printf(&g->out, "{ ");
    if (ns) sb_printf(&g->out, "struct gocc__env_%d gocc__e_%d; ", k, k);
    for (int i = 0; i < ns && ok; i++) {
        const char *nm = w->syms[syms[i]].name;
        if (ref[i] == 2) {
            /* `char s[] = "..."`, `int v[n]`: file scope cannot write its
             * length, which its initializer or a variable gives, and
             * `sizeof s` in the block must be the array's; the block's s is
             * a pointer to an array of the length passed at the go statement
             * (a variably modified type, so there `sizeof s` is computed at
             * run time) */
            int cell = cp_is_cell(w, syms[i]), deref = cell || cp_is_ref(w, syms[i]);
            /* set by memcpy, not an initializer: gcc 12 -O2 then takes the pointer
             * for the env member itself and warns that `s[1][2]` of a shared
             * `int s[][3] = {...}` is out of bounds (-Warray-bounds, with the cleanup) */
            sb_printf(&g->in, " __typeof__(*gocc__cap->%s) (*%s)[gocc__cap->gocc__n_%s]%s;", nm, nm, nm,
                      cell ? " GOCC_CELL_DROP" : "");
            sb_printf(&copies, " __builtin_memcpy((void *)&%s, &gocc__cap->%s, sizeof %s);", nm, nm, nm);
            if (cell) sb_printf(&g->out, "gocc__e_%d.%s = gocc_cell_ref(%s); ", k, nm, nm);
            else sb_printf(&g->out, "gocc__e_%d.%s = (void *)%s%s; ", k, nm, deref ? "" : "&", nm);
            sb_printf(&g->out, "gocc__e_%d.gocc__n_%s = sizeof %s%s%s / sizeof %s%s%s[0]; ", k, nm, deref ? "(*" : "", nm,
                      deref ? ")" : "", deref ? "(*" : "", nm, deref ? ")" : "");
            continue;
        }
        if (ref[i]) {
            /* the goroutine's reference to the cell is dropped when it ends */
            int cell = cp_is_cell(w, syms[i]);
            sb_printf(&g->in, " __typeof__(gocc__cap->%s) %s%s = gocc__cap->%s;", nm, nm, cell ? " GOCC_CELL_DROP" : "", nm);
            if (cell) sb_printf(&g->out, "gocc__e_%d.%s = gocc_cell_ref(%s); ", k, nm, nm);
            else sb_printf(&g->out, "gocc__e_%d.%s = %s%s; ", k, nm, cp_is_ref(w, syms[i]) ? "" : "&", nm);
            continue;
        }
        sb_printf(&g->in, " __typeof__(gocc__cap->%s) %s;", nm, nm);
        sb_printf(&copies, " __builtin_memcpy((void *)&%s, &gocc__cap->%s, sizeof %s);", nm, nm, nm);
        sb_printf(&g->out, "__builtin_memcpy((void *)&gocc__e_%d.%s, &%s, sizeof gocc__e_%d.%s); ", k, nm, nm, k, nm);
    }
    if (copies.len) sb_puts(&g->in, copies.s);
    sb_free(&copies);
    free(syms);
    free(ref);
    if (!ok) cp_env_free(g);
    return ok;
}

void cp_env_free(cp_env *g)
{
    sb_free(&g->env);
    sb_free(&g->in);
    sb_free(&g->out);
}
