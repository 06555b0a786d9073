/* chan.c - channel types and operations (prefix ch_): chan T, make, <-c,
 * c <- v, v, ok = <-c, len/cap/close, for (T v : c), and the preemption
 * check in every loop body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* ------------------------------------------------------------------------ */
/* types                                                                     */

/* chan T        ->  GOCC_CHAN(T)
 * chan<- T      ->  GOCC_CHAN_SEND(T)
 * <-chan T      ->  GOCC_CHAN_RECV(T)
 * chan(TYPE)    ->  GOCC_CHAN(TYPE)    (and the same for the directions)
 * The macros expand to a typeof, so the result stands wherever a type
 * specifier does; declarators are untouched (`chan int *p` is a pointer to a
 * channel). Qualifiers written before the element stay inside. */
void ch_type(lw *w, TSNode n)
{
    const char *mac = is(n, "channel_type") ? "GOCC_CHAN(" : is(n, "send_channel_type") ? "GOCC_CHAN_SEND(" : "GOCC_CHAN_RECV(";
    TSNode ch = lw_tok(n, "chan");
    TSNode arrow = lw_tok(n, "<-");
    size_t kw_end = E(ch);
    if (!ts_node_is_null(arrow) && E(arrow) > kw_end) kw_end = E(arrow);
    TSNode lp = lw_tok(n, "("), rp = lw_tok(n, ")");
    if (!ts_node_is_null(lp)) {
        ed_replace(&w->ed, S(n), E(lp), mac);
        ed_replace(&w->ed, S(rp), E(rp), ")");
    } else {
        ed_replace(&w->ed, S(n), kw_end, mac);
        ed_close(&w->ed, E(n), ")");
    }
}

/* make(chan T)      ->  ((GOCC_CHAN(T))gocc_chan_make(sizeof(T), 0, GOCC_HERE))
 * make(chan T, n)   ->  ((GOCC_CHAN(T))gocc_chan_make(sizeof(T), n, GOCC_HERE)) */
void ch_make(lw *w, TSNode n)
{
    TSNode type = fld(n, "type"), size = fld(n, "size");
    /* The element's text is taken from inside the lowered type, GOCC_CHAN(T):
     * a rendering of the element node alone would also take the type's
     * closing parenthesis, which is queued at the same offset. */
    char *t = lw_render(w, type);
    char *open = strchr(t, '(');
    char *el = open ? xstrndup(open + 1, strlen(open + 1) - 1) : xstrdup(t);
    sb b = {0};
    sb_printf(&b, "((%s)gocc_chan_make(sizeof(%s), ", t, el);
    if (ts_node_is_null(size)) {
        sb_puts(&b, "0, GOCC_HERE))");
        ed_replace(&w->ed, S(n), E(n), b.s);
    } else {
        ed_replace(&w->ed, S(n), S(size), b.s);
        ed_replace(&w->ed, E(size), E(n), ", GOCC_HERE))");
    }
    sb_free(&b);
    free(t);
    free(el);
}

/* The type argument of make(T) / make(T, n) written as a call: make not
 * declared by the user, and T a typedef name (the grammar's make_expression
 * takes a channel type written out; Go allows a named channel type too).
 * Null otherwise. */
TSNode ch_make_typedef(lw *w, TSNode n)
{
    TSNode null = {{0}, 0, 0};
    TSNode f = fld(n, "function"), args = fld(n, "arguments");
    uint32_t na = ts_node_named_child_count(args);
    if (!is(f, "identifier") || na < 1 || na > 2) return null;
    char *name = lw_text(w, f);
    int mk = strcmp(name, "make") == 0 && lw_lookup(w, name) < 0;
    free(name);
    TSNode t = ts_node_named_child(args, 0);
    if (!mk || !(is(t, "identifier") || is(t, "type_identifier"))) return null;
    int s = lw_lookup_n(w, t);
    if (s < 0 || !(w->syms[s].kind == SYM_TYPEDEF || is(w->syms[s].decl, "type_definition"))) return null;
    return t;
}

/* make(T)      ->  ((T)gocc_chan_make(sizeof(GOCC_CHAN_ELEM((T)0)), 0, GOCC_HERE))
 * make(T, n)   ->  ((T)gocc_chan_make(sizeof(GOCC_CHAN_ELEM((T)0)), n, GOCC_HERE))
 * for T a typedef name of a channel type (`typedef chan int ci;`): a call in
 * the grammar (see ch_make_typedef). Any other T fails to compile at the
 * line (GOCC_CHAN_ELEM needs a channel). */
void ch_make_call(lw *w, TSNode n)
{
    TSNode t = ch_make_typedef(w, n);
    if (ts_node_is_null(t)) return;
    TSNode args = fld(n, "arguments");
    char *tn = lw_text(w, t);
    sb b = {0};
    sb_printf(&b, "((%s)gocc_chan_make(sizeof(GOCC_CHAN_ELEM((%s)0)), ", tn, tn);
    if (ts_node_named_child_count(args) == 1) {
        sb_puts(&b, "0, GOCC_HERE))");
        ed_replace(&w->ed, S(n), E(n), b.s);
    } else {
        TSNode size = ts_node_named_child(args, 1);
        ed_replace(&w->ed, S(n), S(size), b.s);
        ed_replace(&w->ed, E(size), E(n), ", GOCC_HERE))");
    }
    sb_free(&b);
    free(tn);
}

/* ------------------------------------------------------------------------ */
/* channel operations                                                        */

/* Whether type node t (a type specifier or type descriptor) names an array
 * type: `int[4]` written out, or a typedef name of an array type. */
static int type_is_array(lw *w, TSNode t)
{
    if (is(t, "type_descriptor")) {
        TSNode d = fld(t, "declarator");
        if (is(d, "abstract_array_declarator")) return 1;
        if (!ts_node_is_null(d)) return 0;
        t = fld(t, "type");
    }
    if (!is(t, "type_identifier")) return 0;
    int s = lw_lookup_n(w, t);
    if (s < 0 || !is(w->syms[s].decl, "type_definition")) return 0;
    TSNode d = w->syms[s].dtor;
    if (is(d, "array_declarator")) return 1;
    if (is(d, "type_identifier") || is(d, "identifier")) return type_is_array(w, fld(w->syms[s].decl, "type"));
    return 0;
}

/* Whether channel expression c is known, from its declaration, to carry
 * arrays (chan(int[4]) c, a typedef of an array as element). The C
 * compiler cannot tell the code generator, and arrays are neither assigned
 * nor returned by value in C: sends and receives on such a channel copy
 * through pointers instead. */
int ch_elem_is_array(lw *w, TSNode c)
{
    while (is(c, "parenthesized_expression")) c = ts_node_named_child(c, 0);
    if (!is(c, "identifier")) return 0;
    int s = lw_lookup_n(w, c);
    if (s < 0 || !is(w->syms[s].dtor, "identifier")) return 0;
    TSNode t = fld(w->syms[s].decl, "type");
    if (!(is(t, "channel_type") || is(t, "send_channel_type") || is(t, "receive_channel_type"))) return 0;
    for (uint32_t i = 0; i < ts_node_named_child_count(t); i++) {
        TSNode e = ts_node_named_child(t, i);
        if (is(e, "type_qualifier") || is(e, "comment")) continue;
        return type_is_array(w, e);
    }
    return 0;
}

#define RECV_CHECK(k) "_Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_" k "), \"receive from send-only channel\"); "

/* Whether channel operand ch is a call time_after(d) of the library's time_after (not a function of the
 * program's own of that name); *arg gets d. Receiving from it directly needs no channel: a receive
 * becomes a sleep, a select case the select's deadline (LANGUAGE.md: a timeout costs nothing). */
int ch_time_after(lw *w, TSNode ch, TSNode *arg)
{
    while (is(ch, "parenthesized_expression")) ch = ts_node_named_child(ch, 0);
    if (!is(ch, "call_expression")) return 0;
    TSNode f = fld(ch, "function"), args = fld(ch, "arguments");
    if (!is(f, "identifier") || ts_node_named_child_count(args) != 1) return 0;
    char *name = lw_text(w, f);
    int yes = strcmp(name, "time_after") == 0 && !lw_user_name(w, name);
    free(name);
    if (yes) *arg = ts_node_named_child(args, 0);
    return yes;
}

/* <-time_after(d)  ->  gocc_time_after_wait((time_duration)(d)): sleeps, then the time (no channel).
 * <-c  ->  ({ __auto_type gocc__c_K = (c); <not send-only>;
 *             GOCC_CHAN_ELEM(gocc__c_K) gocc__v_K;
 *             gocc_chan_recv(gocc__c_K, &gocc__v_K, site); gocc__v_K; }) */
void ch_recv_expr(lw *w, TSNode n)
{
    int k = lw_next_id(w);
    TSNode ch = fld(n, "channel"), d;
    char b[64], c[600];
    /* `<-c;` as a statement discards the value: say so, or -Wunused-value
     * warns about the common idiom */
    int discard = is(ts_node_parent(n), "expression_statement");
    if (ch_time_after(w, ch, &d)) {
        ed_replace(&w->ed, S(n), S(d), discard ? "(void)gocc_time_after_wait((time_duration)(" : "gocc_time_after_wait((time_duration)(");
        ed_replace(&w->ed, E(d), E(n), "))");
        return;
    }
    snprintf(b, sizeof b, "%s%s({ __auto_type gocc__c_%d = (", discard ? "(void)" : "", ch_elem_is_array(w, ch) ? "(" : "", k);
    if (ch_elem_is_array(w, ch))
        /* an array value: a member of a struct rvalue, which lives until
         * the end of the full expression (a bare array would decay to a
         * pointer to the dead temporary) */
        snprintf(c, sizeof c,
                 "); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_%d), \"receive from send-only channel\"); "
                 "struct { GOCC_CHAN_ELEM(gocc__c_%d) a; } gocc__v_%d; "
                 "gocc_chan_recv((struct gocc_chan *)gocc__c_%d, &gocc__v_%d.a, GOCC_HERE); gocc__v_%d; }).a)",
                 k, k, k, k, k, k);
    else
        snprintf(c, sizeof c,
                 "); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_%d), \"receive from send-only channel\"); "
                 "GOCC_CHAN_ELEM(gocc__c_%d) gocc__v_%d; "
                 "gocc_chan_recv((struct gocc_chan *)gocc__c_%d, &gocc__v_%d, GOCC_HERE); gocc__v_%d; })",
                 k, k, k, k, k, k);
    ed_replace(&w->ed, S(n), S(ch), b);
    ed_close(&w->ed, E(ch), c);
}

/* c <- e;  ->  { __auto_type gocc__c_K = (c); <not receive-only>;
 *               GOCC_CHAN_ELEM(gocc__c_K) gocc__v_K = (e);
 *               gocc_chan_send(gocc__c_K, &gocc__v_K, site); }
 * Initialising a variable of the element type converts e as an assignment
 * would: a value of the wrong type is a C error at this line. */
void ch_send(lw *w, TSNode n)
{
    int k = lw_next_id(w);
    TSNode ch = fld(n, "channel"), val = fld(n, "value"), arrow = lw_tok(n, "<-");
    char b[64], m[400], e[200];
    snprintf(b, sizeof b, "{ __auto_type gocc__c_%d = (", k);
    snprintf(m, sizeof m,
             "); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_%d), \"send on receive-only channel\"); "
             "GOCC_CHAN_ELEM(gocc__c_%d) gocc__v_%d = (",
             k, k, k);
    if (ch_elem_is_array(w, ch)) {
        /* an array is sent from where it is: &(e) must point to the
         * element type, which checks e's type */
        snprintf(m, sizeof m,
                 "); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_%d), \"send on receive-only channel\"); "
                 "GOCC_CHAN_ELEM(gocc__c_%d) *gocc__v_%d = &(",
                 k, k, k);
        snprintf(e, sizeof e, "); gocc_chan_send((struct gocc_chan *)gocc__c_%d, gocc__v_%d, GOCC_HERE); }", k, k);
    } else {
        snprintf(e, sizeof e, "); gocc_chan_send((struct gocc_chan *)gocc__c_%d, &gocc__v_%d, GOCC_HERE); }", k, k);
    }
    ed_open(&w->ed, S(ch), b);
    ed_replace(&w->ed, S(arrow), E(arrow), m);
    ed_replace(&w->ed, E(val), E(n), e);
}

/* v, ok = <-c;  ->  { __auto_type gocc__c_K = (c); <not send-only>;
 *                     GOCC_CHAN_ELEM(gocc__c_K) gocc__v_K;
 *                     _Bool gocc__ok_K = gocc_chan_recv(...);
 *                     v = gocc__v_K; ok = gocc__ok_K; } */
void ch_recv_stmt(lw *w, TSNode n)
{
    int k = lw_next_id(w);
    TSNode ch = fld(n, "channel"), d;
    char *v = lw_render(w, fld(n, "value")), *ok = lw_render(w, fld(n, "ok"));
    sb b = {0}, assign = {0};
    if (ch_time_after(w, ch, &d)) {
        sb_printf(&b, "{ time_time gocc__v_%d = gocc_time_after_wait((time_duration)(", k);
        ed_replace(&w->ed, S(n), S(d), b.s);
        b.len = 0;
        sb_printf(&b, ")); %s = gocc__v_%d; %s = 1; }", v, k, ok);
        ed_replace(&w->ed, E(d), E(n), b.s);
        sb_free(&b);
        sb_free(&assign);
        free(v);
        free(ok);
        return;
    }
    if (ch_elem_is_array(w, ch)) /* copied through a pointer of the element type */
        sb_printf(&assign, "GOCC_CHAN_ELEM(gocc__c_%d) *gocc__d_%d = &(%s); __builtin_memcpy(gocc__d_%d, &gocc__v_%d, sizeof gocc__v_%d)",
                  k, k, v, k, k, k);
    else
        sb_printf(&assign, "%s = gocc__v_%d", v, k);
    sb_printf(&b, "{ __auto_type gocc__c_%d = (", k);
    ed_replace(&w->ed, S(n), S(ch), b.s);
    b.len = 0;
    sb_printf(&b,
              "); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_%d), \"receive from send-only channel\"); "
              "GOCC_CHAN_ELEM(gocc__c_%d) gocc__v_%d; "
              "_Bool gocc__ok_%d = gocc_chan_recv((struct gocc_chan *)gocc__c_%d, &gocc__v_%d, GOCC_HERE); "
              "%s; %s = gocc__ok_%d; }",
              k, k, k, k, k, k, assign.s, ok, k);
    ed_replace(&w->ed, E(ch), E(n), b.s);
    sb_free(&b);
    sb_free(&assign);
    free(v);
    free(ok);
}

/* Whether expression e is known to be a channel from its declaration: a
 * name declared with a channel type (and a plain declarator), or make(). */
static int known_chan(lw *w, TSNode e)
{
    while (is(e, "parenthesized_expression")) e = ts_node_named_child(e, 0);
    if (is(e, "make_expression")) return 1;
    if (!is(e, "identifier")) return 0;
    int s = lw_lookup_n(w, e);
    if (s < 0 || !is(w->syms[s].dtor, "identifier")) return 0;
    TSNode t = fld(w->syms[s].decl, "type");
    return is(t, "channel_type") || is(t, "send_channel_type") || is(t, "receive_channel_type");
}

/* Whether call n is len(c), cap(c), close(x) or free(p), the builtins: the
 * operand is known to be a channel, or the program gives the name no meaning
 * of its own (lw_user_name: no declaration in scope or anywhere at file scope
 * in the translation, no macro). LANGUAGE.md: the builtins apply to
 * channels; on other values the program's len/cap/close keep their meaning,
 * so a `#define close(fd) my_close(fd)` or a `size_t len(const char *)` from
 * a quoted header is left alone, token for token. (POSIX close(2) of an
 * integer still goes through the builtin: gocc_close_fd also releases the
 * descriptor's netpoller state and wakes goroutines parked on it.) free(p)
 * is the builtin on every operand (the runtime passes non-channels to C's
 * free), except when the program has its own free, and except free(0), left
 * to C (a literal 0 is a null pointer only where C sees it as one). */
int ch_is_builtin(lw *w, TSNode n)
{
    TSNode f = fld(n, "function"), args = fld(n, "arguments");
    if (!is(f, "identifier") || ts_node_named_child_count(args) != 1) return 0;
    char *name = lw_text(w, f);
    TSNode a = ts_node_named_child(args, 0);
    int builtin = (strcmp(name, "len") == 0 || strcmp(name, "cap") == 0 || strcmp(name, "close") == 0) &&
                  (known_chan(w, a) || !lw_user_name(w, name));
    if (strcmp(name, "free") == 0)
        builtin = (!lw_user_name(w, name) && !is(a, "number_literal")) || known_chan(w, a);
    free(name);
    return builtin;
}

/* The C that stands before and after the operand of builtin call n (see
 * ch_builtin); the caller frees both. */
void ch_builtin_parts(lw *w, TSNode n, char **pre, char **post)
{
    char *name = lw_text(w, fld(n, "function"));
    sb b = {0}, e = {0};
    if (strcmp(name, "close") == 0) {
        int k = lw_next_id(w);
        sb_printf(&b, "({ __auto_type gocc__x_%d = (", k);
        sb_printf(&e,
                  "); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_%d), "
                  "gocc__x_%d, (GOCC_CHAN(int))0)), \"close of receive-only channel\"); "
                  "__builtin_choose_expr(GOCC__IS_PTR(gocc__x_%d), "
                  "(gocc_chan_close((struct gocc_chan *)GOCC__PTR_OR_NULL(gocc__x_%d), GOCC_HERE), 0), "
                  "gocc_close_fd(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_%d), 0, gocc__x_%d))); })",
                  k, k, k, k, k, k);
    } else if (strcmp(name, "free") == 0) {
        int k = lw_next_id(w);
        sb_printf(&b, "({ __auto_type gocc__x_%d = (", k);
        sb_printf(&e,
                  "); gocc_free(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_%d), (void *)GOCC__PTR_OR_NULL(gocc__x_%d), "
                  "gocc__x_%d), GOCC_HERE); })",
                  k, k, k);
    } else {
        /* an int, as Go's len and cap are: printf("%d", len(c)) is the
         * literal conversion of fmt.Printf("%d", len(c)) and must build
         * under -Wformat -Werror */
        sb_printf(&b, "((int)gocc_chan_%s((const struct gocc_chan *)(", name);
        sb_puts(&e, ")))");
    }
    free(name);
    *pre = sb_take(&b);
    *post = sb_take(&e);
}

/* free(p) -> ({ __auto_type gocc__x_K = (p); gocc_free(p', site); }): the
 * runtime tells a channel from other memory by its address,
 * len(c) -> ((int)gocc_chan_len(c)), cap(c) -> ((int)gocc_chan_cap(c)),
 * close(x) -> channel close if x is a pointer, POSIX close(2) if an integer:
 *   ({ __auto_type gocc__x_K = (x); <not receive-only>;
 *      __builtin_choose_expr(GOCC__IS_PTR(gocc__x_K),
 *          (gocc_chan_close(gocc__x_K, site), 0), gocc_close_fd(gocc__x_K)); })
 * The call of a `go` or `defer` statement is left to go_call and fn_defer,
 * which evaluate the operand now and apply the builtin later. */
void ch_builtin(lw *w, TSNode n)
{
    TSNode parent = ts_node_parent(n);
    if ((is(parent, "go_statement") || is(parent, "defer_statement")) && ts_node_eq(fld(parent, "call"), n)) return;
    if (!ch_is_builtin(w, n)) return;
    TSNode a = ts_node_named_child(fld(n, "arguments"), 0);
    char *pre, *post;
    ch_builtin_parts(w, n, &pre, &post);
    ed_replace(&w->ed, S(n), S(a), pre);
    ed_replace(&w->ed, E(a), E(n), post);
    free(pre);
    free(post);
}

/* ------------------------------------------------------------------------ */
/* loops                                                                     */

/* The preemption check at every loop's back-edge. A block body gets it
 * first:  `while (c) { s }` -> `while (c) { GOCC_LOOP_CHECK(); { s } }`.
 * Any other body is left as it is, because wrapping it in braces can regroup
 * it: with `#define TWO(x) x++; x++`, `while (k < 20) TWO(k);` loops over
 * the first statement only, and `{ GOCC_LOOP_CHECK(); TWO(k); }` would loop
 * over both. The check then goes where the back-edge is, as an expression:
 *   while (c) s            ->  for (; c; GOCC_LOOP_CHECK_EXPR()) s
 *   for (i; c; u) s        ->  for (i; c; u, GOCC_LOOP_CHECK_EXPR()) s
 *   do s while (c);        ->  do s while (GOCC_LOOP_CHECK_EXPR(), c);
 * (`continue` reaches the check in all three, as the back-edge does; a
 * while's constant condition stays constant, so `while (1) s` is still
 * known not to fall through). If the tokens needed are missing (a loop in
 * a region the parser could not read), the loop gets no check. */
void ch_loop_check(lw *w, TSNode loop)
{
    TSNode body = fld(loop, "body");
    if (ts_node_is_null(body)) return;
    if (is(body, "compound_statement")) {
        /* the body's code in a block of its own, after the check (as a function body's, func.c) */
        if (ts_node_is_missing(kid(body, nkids(body) - 1))) return;
        if (!lw_block_splittable(w, body)) {
            ed_open(&w->ed, S(body) + 1, " GOCC_LOOP_CHECK();");
            return;
        }
        ed_open(&w->ed, S(body) + 1, " GOCC_LOOP_CHECK(); {");
        ed_close(&w->ed, E(body) - 1, "} ");
        return;
    }
    TSNode cond = fld(loop, "condition");
    if (is(loop, "while_statement")) {
        TSNode kw = lw_tok(loop, "while");
        if (ts_node_is_null(kw) || !is(cond, "parenthesized_expression") || ts_node_has_error(cond)) return;
        /* The condition keeps its own parentheses as the for's: `for (;(x == 0); ...)` would draw clang's
         * -Wparentheses-equality (on by default) for a comparison the program did not parenthesize. */
        ed_replace(&w->ed, S(kw), E(kw), "for");
        ed_open(&w->ed, S(cond) + 1, "; ");
        ed_close(&w->ed, E(cond) - 1, "; GOCC_LOOP_CHECK_EXPR()");
    } else if (is(loop, "do_statement")) {
        if (!is(cond, "parenthesized_expression") || ts_node_has_error(cond)) return;
        ed_open(&w->ed, S(cond) + 1, "GOCC_LOOP_CHECK_EXPR(), ");
    } else if (is(loop, "for_statement")) {
        /* the ')' before the body */
        TSNode rp = {{0}, 0, 0};
        for (uint32_t i = 0; i < nkids(loop); i++) {
            TSNode k = kid(loop, i);
            if (S(k) >= S(body)) break;
            if (!ts_node_is_named(k) && is(k, ")")) rp = k;
        }
        if (ts_node_is_null(rp)) return;
        ed_open(&w->ed, S(rp), ts_node_is_null(fld(loop, "update")) ? "GOCC_LOOP_CHECK_EXPR()" : ", GOCC_LOOP_CHECK_EXPR()");
    }
}

/* for (T v : c) body  ->
 *   for (int gocc__k_K = 1; gocc__k_K; gocc__k_K = 0)
 *   for (__auto_type gocc__c_K = (c); gocc__k_K; gocc__k_K = 0)
 *   for (GOCC_CHAN_ELEM(gocc__c_K) gocc__t_K;
 *        ({ <not send-only>; gocc_chan_recv(gocc__c_K, &gocc__t_K, site); }); )
 *       { T v = gocc__t_K; GOCC_LOOP_CHECK(); body }
 * c is evaluated once; v is a new variable in each iteration (so it may be
 * const, and a wrong element type is a C error at this line); break and
 * continue act on the innermost for, the receive loop, and after a break the
 * two outer loops end too. */
void ch_for_range(lw *w, TSNode n)
{
    int k = lw_next_id(w);
    TSNode ch = fld(n, "channel"), body = fld(n, "body"), d = fld(n, "declarator");
    TSNode first_spec = kid(n, 2); /* after 'for' '(' */
    char *decl = ed_render(&w->ed, S(first_spec), E(d));
    sb b = {0};
    sb_printf(&b, "for (int gocc__k_%d = 1; gocc__k_%d; gocc__k_%d = 0) for (__auto_type gocc__c_%d = (", k, k, k, k);
    ed_replace(&w->ed, S(n), S(ch), b.s);
    b.len = 0;
    sb_printf(&b,
              "); gocc__k_%d; gocc__k_%d = 0) for (GOCC_CHAN_ELEM(gocc__c_%d) gocc__t_%d; ({ " RECV_CHECK("%d")
              "gocc_chan_recv((struct gocc_chan *)gocc__c_%d, &gocc__t_%d, GOCC_HERE); }); ) ",
              k, k, k, k, k, k, k);
    ed_replace(&w->ed, E(ch), S(body), b.s);
    /* the body stays a block of its own inside v's, as with an ordinary
     * for, so that it may declare another v */
    b.len = 0;
    TSNode name = d;
    while (!ts_node_is_null(name) && !is(name, "identifier")) name = fld(name, "declarator");
    if (ch_elem_is_array(w, ch) && !ts_node_is_null(name)) {
        /* an array is not initialized from an expression: copied */
        char *nm = lw_text(w, name);
        sb_printf(&b, "{ %s; __builtin_memcpy(&%s, &gocc__t_%d, sizeof gocc__t_%d); GOCC_LOOP_CHECK(); ", decl, nm, k, k);
        free(nm);
    } else {
        /* shared with a go block: a cell per iteration (capture.c) */
        int s = -1;
        if (!ts_node_is_null(name)) {
            char *nm = lw_text(w, name);
            s = lw_lookup(w, nm);
            free(nm);
        }
        sb cell = {0};
        if (s >= 0 && ts_node_eq(w->syms[s].decl, n)) {
            char *spec = ed_render(&w->ed, S(first_spec), S(d)), *pre = ed_render(&w->ed, S(d), S(name)),
                 *post = ed_render(&w->ed, E(name), E(d)), init[64];
            snprintf(init, sizeof init, "gocc__t_%d", k);
            cp_range_decl(w, s, spec, pre, post, init, &cell);
            free(spec);
            free(pre);
            free(post);
        }
        if (cell.len) sb_printf(&b, "{ %s; GOCC_LOOP_CHECK(); ", cell.s);
        else sb_printf(&b, "{ %s = gocc__t_%d; GOCC_LOOP_CHECK(); ", decl, k);
        sb_free(&cell);
    }
    ed_open(&w->ed, S(body), b.s);
    ed_close(&w->ed, E(body), " }");
    sb_free(&b);
    free(decl);
}

