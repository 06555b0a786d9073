/* go.c - go statements (prefix go_): the lowering of `go f(a, b);` and the
 * lifting of `go { ... }`, as leaves of the walker's table. What they
 * capture and the file-scope types of the captured values (C cannot name a
 * block-scope expression's type at file scope, so the declarations of the
 * locals involved are copied) are capture.c's, shared with defer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* The site argument of gocc_go for `go f(...)`: GOCC_GO_SITE("f", f) names
 * the function for the dump of a goroutine that has not run yet (its address
 * only when f is a function of the program's: a builtin or a macro has
 * none); a callee expression (`h->cb`, `tab[i]`) gives its text when it is
 * plain enough to quote as is, else no name, and GOCC_GO_FNARG: its value
 * is the first member (fn) of the goroutine's argument block, where the
 * runtime finds the function (keep the two in step). */
static void go_site(lw *w, TSNode call, int direct, sb *out)
{
    TSNode f = fld(call, "function");
    char *t = lw_text(w, f);
    int plain = strlen(t) < 80;
    for (const char *c = t; *c && plain; c++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.->[]()*& ", *c) != NULL;
    if (!direct) sb_printf(out, "GOCC_GO_SITE(%s%s%s, GOCC_GO_FNARG)", plain ? "\"" : "", plain ? t : "0", plain ? "\"" : "");
    else if (!plain) sb_puts(out, "GOCC_GO_SITE(0, 0)");
    else if (is(f, "identifier") && !ch_is_builtin(w, call) && lw_lookup_n(w, f) >= 0)
        sb_printf(out, "GOCC_GO_SITE(\"%s\", (void (*)(void))%s)", t, t);
    else sb_printf(out, "GOCC_GO_SITE(\"%s\", 0)", t);
    free(t);
}

/* go f(a, b);  ->  at file scope, before the enclosing function, on one
 * line under the go statement's #line:
 *     struct gocc__env_K { <the declarations of the locals mentioned> };   (env_structs)
 *     struct gocc__go_K { __typeof__(((void)0, ENV(f))) fn; __typeof__(((void)0, ENV(a))) a0; ... };
 *     static void gocc__go_K_run(void *gocc__p) { struct gocc__go_K *gocc__a = gocc__p; gocc__a->fn(gocc__a->a0, ...); }
 *   in place:
 *     { struct gocc__go_K gocc__g_K = { f, a, b }; gocc_go(gocc__go_K_run, &gocc__g_K, sizeof gocc__g_K, site); }
 * ENV(e) and which operands are values taken now are capture.c's
 * (cp_call_capture, cp_call_env, cp_value_type), shared with defer. f and
 * the arguments are evaluated by the caller, now; the runtime copies the
 * block. When the callee is a name written where the call runs, there is no
 * fn member: the runner writes `f(gocc__a->a0, ...)`. */
void go_call(lw *w, TSNode n)
{
    int k = lw_next_id(w);
    TSNode call = fld(n, "call"), f = fld(call, "function");
    cp_call c;
    cp_call_capture(w, call, "gocc__a", &c);
    sb lift = {0};
    /* All on one line, under the go statement's line: a C error in the
     * lifted code (a call that does not type-check) names that line. */
    sb_printf(&lift, "#line %u ", line(n));
    lw_quote_path(&lift, w->path);
    sb_puts(&lift, "\n");
    size_t head = lift.len;
    if (!cp_call_env(w, n, call, k, &lift)) {
        sb_free(&lift);
        cp_call_free(&c);
        return;
    }
    if (lift.len > head) lift.s[--lift.len] = ' '; /* keep the struct on the same line */
    sb_printf(&lift, "struct gocc__go_%d {", k);
    /* in place: the callee's and the literals' text go, each other operand
     * becomes an initializer of the block */
    char b[200];
    snprintf(b, sizeof b, "{ struct gocc__go_%d gocc__g_%d = { ", k, k);
    size_t gap = S(n);
    if (!c.direct) {
        sb_puts(&lift, " ");
        cp_value_type(w, f, k, &lift);
        sb_puts(&lift, " fn;");
        ed_replace(&w->ed, gap, S(f), b);
        gap = E(f);
    }
    for (int i = 0; i < c.nargs; i++) {
        TSNode a = c.args[i];
        sb_puts(&lift, " ");
        cp_value_type(w, a, k, &lift);
        sb_printf(&lift, " a%d;", i);
        ed_replace(&w->ed, gap, S(a), gap == S(n) ? b : ", ");
        gap = E(a);
    }
    /* a struct needs a member */
    if (!c.direct || c.nargs) sb_printf(&lift, " }; static void gocc__go_%d_run(void *gocc__p) { struct gocc__go_%d *gocc__a = gocc__p; %s; }\n", k, k, c.run);
    else sb_printf(&lift, " char gocc__none; }; static void gocc__go_%d_run(void *gocc__p) { (void)gocc__p; %s; }\n", k, c.run);
    sb_puts(&w->lifted, lift.s);
    sb_free(&lift);
    sb e = {0}, tmp = {0}; /* no operand: the block's one member is 0 */
    sb_printf(&e, "%s }; gocc_go(gocc__go_%d_run, &gocc__g_%d, sizeof gocc__g_%d, ",
              gap == S(n) ? (sb_puts(&tmp, b), sb_puts(&tmp, "0"), tmp.s) : "", k, k, k);
    go_site(w, call, c.direct, &e);
    cp_call_free(&c);
    sb_puts(&e, "); }");
    ed_replace(&w->ed, gap, E(n), e.s);
    sb_free(&e);
    sb_free(&tmp);
}

/* go { block }: the lifted function, after the walker has walked the block
 * as a function body and capture.c has built its environment and prologue
 * (cp_block_env; the lowering is shown there). */
void go_block_emit(lw *w, TSNode n, cp_env *g)
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
    cp_env_free(g);
}
