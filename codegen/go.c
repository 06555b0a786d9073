/* go.c - go statements (prefix go_): `go f(a, b);` and `go { ... }`, and
 * the file-scope environment structs that carry captured locals. C cannot
 * name a block-scope expression's type at file scope, so the declarations of
 * the locals involved are copied (with the locals they mention mapped). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* ------------------------------------------------------------------------ */
/* go: environments                                                          */

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
static char *sym_decl(lw *w, int s, int k, TSNode at)
{
    lw_sym *y = &w->syms[s];
    TSNode decl = y->decl, d = y->dtor;
    sb b = {0};
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
        if (is(a, "array_declarator") && !ts_node_eq(a, adjust) && !ts_node_is_null(fld(a, "size"))) {
            sb t = {0};
            env_expr(w, fld(a, "size"), k, k, &t);
            int vla = strstr(t.s ? t.s : "", "((struct gocc__t_") != NULL;
            sb_free(&t);
            if (vla) {
                lw_err(w, at, "'%s' is a variable-length array, which a go block can neither share nor copy (use a pointer to its first element)", y->name);
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
        char *d = sym_decl(w, order[i], k, at);
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
        if (dep[syms[i]]) {
            sb_printf(b, " __typeof__(((struct gocc__t_%d_%d *)0)->%s) %s%s;", k, syms[i], nm, ref && ref[i] ? "*" : "", nm);
        } else {
            char *d = sym_decl(w, syms[i], k, at);
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

/* go f(a, b);  ->  at file scope, before the enclosing function, on one
 * line under the go statement's #line:
 *     struct gocc__env_K { <the declarations of the locals mentioned> };   (env_structs)
 *     struct gocc__go_K { __typeof__(((void)0, ENV(f))) fn; __typeof__(((void)0, ENV(a))) a0; ... };
 *     static void gocc__go_K_run(void *gocc__p) { struct gocc__go_K *gocc__a = gocc__p; gocc__a->fn(gocc__a->a0, ...); }
 *   in place:
 *     { struct gocc__go_K gocc__g_K = { f, a, b }; gocc_go(gocc__go_K_run, &gocc__g_K, sizeof gocc__g_K, site); }
 * ENV(e) is e with locals replaced by members of a null environment pointer
 * (only ever inside typeof; see env_expr). The comma with void decays arrays
 * and function designators and drops qualifiers, as passing an argument
 * does. f and the arguments are evaluated by the caller, now; the runtime
 * copies the block. When the callee is a name (lw_direct_callee: a
 * function, a library function or function-like macro such as log_println,
 * or len/cap/close) there is no fn member: the runner writes the call
 * `f(gocc__a->a0, ...)` (a builtin lowered around its operand), with string
 * literal arguments left literal. */
void go_call(lw *w, TSNode n)
{
    int k = lw_next_id(w);
    TSNode call = fld(n, "call"), f = fld(call, "function"), args = fld(call, "arguments");
    int direct = lw_direct_callee(w, call);
    char *pre = NULL, *post = NULL;
    if (direct && ch_is_builtin(w, call)) ch_builtin_parts(w, call, &pre, &post);
    int *syms, ns = captures(w, S(call), E(call), w->nsyms, &syms);
    sb lift = {0};
    /* All on one line, under the go statement's line: a C error in the
     * lifted code (a call that does not type-check) names that line. */
    sb_printf(&lift, "#line %u ", line(n));
    lw_quote_path(&lift, w->path);
    sb_puts(&lift, "\n");
    /* a static local is fine here: only its type is copied, the value is passed */
    if (ns && !env_structs(w, k, syms, NULL, ns, n, &lift)) {
        free(syms);
        sb_free(&lift);
        free(pre);
        free(post);
        return;
    }
    free(syms);
    if (ns) lift.s[--lift.len] = ' '; /* keep the struct on the same line */
    sb run = {0};
    int first = 1;
    sb_printf(&lift, "struct gocc__go_%d {", k);
    if (!direct) {
        sb_puts(&lift, " __typeof__(((void)0, ");
        env_expr(w, f, k, -1, &lift);
        sb_puts(&lift, ")) fn;");
        sb_puts(&run, "gocc__a->fn(");
    } else if (pre) {
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
    /* in place: the callee's and the literals' text go, each other operand
     * becomes an initializer of the block */
    char b[200];
    snprintf(b, sizeof b, "{ struct gocc__go_%d gocc__g_%d = { ", k, k);
    size_t gap = S(n);
    if (!direct) {
        ed_replace(&w->ed, gap, S(f), b);
        gap = E(f);
    }
    int na = 0;
    for (uint32_t i = 0; i < ts_node_named_child_count(args); i++) {
        TSNode a = ts_node_named_child(args, i);
        if (is(a, "comment")) continue;
        if (!first && !pre) sb_puts(&run, ", ");
        first = 0;
        if (direct && !pre && (is(a, "string_literal") || is(a, "concatenated_string"))) {
            char *t = lw_text(w, a);
            sb_puts(&run, t);
            free(t);
            continue;
        }
        sb_puts(&lift, " __typeof__(((void)0, ");
        env_expr(w, a, k, -1, &lift);
        sb_printf(&lift, ")) a%d;", na);
        sb_printf(&run, "gocc__a->a%d", na);
        ed_replace(&w->ed, gap, S(a), gap == S(n) ? b : ", ");
        gap = E(a);
        na++;
    }
    sb_puts(&run, pre ? post : ")");
    /* a struct needs a member */
    if (!direct || na) sb_printf(&lift, " }; static void gocc__go_%d_run(void *gocc__p) { struct gocc__go_%d *gocc__a = gocc__p; %s; }\n", k, k, run.s);
    else sb_printf(&lift, " char gocc__none; }; static void gocc__go_%d_run(void *gocc__p) { (void)gocc__p; %s; }\n", k, run.s);
    sb_puts(&w->lifted, lift.s);
    sb_free(&lift);
    sb_free(&run);
    free(pre);
    free(post);

    char e[300];
    sb tmp = {0}; /* no operand: the block's one member is 0 */
    snprintf(e, sizeof e, "%s }; gocc_go(gocc__go_%d_run, &gocc__g_%d, sizeof gocc__g_%d, GOCC_HERE); }",
             gap == S(n) ? (sb_puts(&tmp, b), sb_puts(&tmp, "0"), tmp.s) : "", k, k, k);
    ed_replace(&w->ed, gap, E(n), e);
    sb_free(&tmp);
}


/* go { block }  ->  at file scope, before the enclosing function:
 *     struct gocc__env_K { <the declarations of the captured locals> };   (env_structs)
 *     #line L "file"
 *     static void gocc__go_K(void *gocc__p) { struct gocc__env_K *gocc__cap = gocc__p;
 *         __typeof__(gocc__cap->x) x; __builtin_memcpy((void *)&x, &gocc__cap->x, sizeof x); ...
 *         GOCC_FUNCTION_ENTRY(); block }
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
 * body, then calls go_block_env, finishes the body with the prefix it
 * built (func.c), and calls go_block_emit: this module is a leaf. */
int go_block_env(lw *w, TSNode n, int sym_base, go_env *g)
{
    TSNode body = fld(n, "body");
    memset(g, 0, sizeof *g);
    cp_go_seen(w, n, sym_base);
    int k = g->k = lw_next_id(w);
    int *syms, ns = captures(w, S(body), E(body), sym_base, &syms);
    g->ns = ns;
    int ok = cp_hoist_types(w, n, syms, ns, sym_base);
    /* shared by address: cells, and static locals */
    char *ref = xmalloc((size_t)ns + 1);
    for (int i = 0; i < ns; i++) ref[i] = cp_is_cell(w, syms[i]) || w->syms[syms[i]].kind == SYM_STATIC;
    w->hoisting = 1;
    if (ok && ns) ok = env_structs(w, k, syms, ref, ns, n, &g->env);
    w->hoisting = 0;
    if (ns) sb_printf(&g->in, " struct gocc__env_%d *gocc__cap = gocc__p;", k);
    else sb_puts(&g->in, " (void)gocc__p;");
    sb_printf(&g->out, "{ ");
    if (ns) sb_printf(&g->out, "struct gocc__env_%d gocc__e_%d; ", k, k);
    for (int i = 0; i < ns && ok; i++) {
        const char *nm = w->syms[syms[i]].name;
        if (ref[i]) {
            /* the goroutine's reference to the cell is dropped when it ends */
            int cell = cp_is_cell(w, syms[i]);
            sb_printf(&g->in, " __typeof__(gocc__cap->%s) %s%s = gocc__cap->%s;", nm, nm, cell ? " GOCC_CELL_DROP" : "", nm);
            if (cell) sb_printf(&g->out, "gocc__e_%d.%s = gocc_cell_ref(%s); ", k, nm, nm);
            else sb_printf(&g->out, "gocc__e_%d.%s = %s%s; ", k, nm, cp_is_ref(w, syms[i]) ? "" : "&", nm);
            continue;
        }
        sb_printf(&g->in, " __typeof__(gocc__cap->%s) %s; __builtin_memcpy((void *)&%s, &gocc__cap->%s, sizeof %s);", nm, nm,
                  nm, nm, nm);
        sb_printf(&g->out, "__builtin_memcpy((void *)&gocc__e_%d.%s, &%s, sizeof gocc__e_%d.%s); ", k, nm, nm, k, nm);
    }
    free(syms);
    free(ref);
    if (!ok) go_env_free(g);
    return ok;
}

void go_block_emit(lw *w, TSNode n, go_env *g)
{
    TSNode body = fld(n, "body");
    int k = g->k;
    char *text_ = lw_render(w, body);
    if (g->env.s) {
        sb_printf(&w->lifted, "#line %u ", line(n));
        lw_quote_path(&w->lifted, w->path);
        sb_printf(&w->lifted, "\n%s", g->env.s);
    }
    sb_printf(&w->lifted, "#line %u ", line(body));
    lw_quote_path(&w->lifted, w->path);
    sb_printf(&w->lifted, "\nstatic void gocc__go_%d(void *gocc__p) %s\n", k, text_);
    free(text_);
    if (g->ns) sb_printf(&g->out, "gocc_go(gocc__go_%d, &gocc__e_%d, sizeof gocc__e_%d, GOCC_HERE); }", k, k, k);
    else sb_printf(&g->out, "gocc_go(gocc__go_%d, 0, 0, GOCC_HERE); }", k);
    ed_replace(&w->ed, S(n), E(n), g->out.s);
    go_env_free(g);
}

void go_env_free(go_env *g)
{
    sb_free(&g->env);
    sb_free(&g->in);
    sb_free(&g->out);
}
