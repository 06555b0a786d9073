/* select.c - the select statement (prefix sl_). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* ------------------------------------------------------------------------ */
/* select                                                                    */

/* The channel of a select_receive: its `channel` field, or for a bare
 * parenthesised case, `case (<-c):` / `case ((<-c)):`, the channel of the
 * receive inside the parentheses (the grammar reads those as a
 * parenthesized_expression, field `parenthesized`: see frontend/grammar.js).
 * A null node when the parentheses hold no receive (`case (x):`); the walk
 * (lower.c: walk_select_case) reports that. */
TSNode sl_receive_channel(TSNode rcv)
{
    TSNode ch = fld(rcv, "channel"), p = fld(rcv, "parenthesized");
    if (!ts_node_is_null(ch) || ts_node_is_null(p)) return ch;
    while (is(p, "parenthesized_expression")) {
        TSNode inner = {0};
        for (uint32_t i = 0; i < ts_node_named_child_count(p); i++)
            if (!is(ts_node_named_child(p, i), "comment")) {
                inner = ts_node_named_child(p, i);
                break;
            }
        p = inner;
    }
    if (!ts_node_is_null(p) && is(p, "receive_expression")) return fld(p, "channel");
    return (TSNode){0};
}

/* A case's two temporaries, declared before the switch: the channel, with the channel expression's type
 * (unevaluated, its qualifiers dropped as an rvalue's: `1 ? (c) : (c)`), and the value sent or received. */
static void case_temps(lw *w, sb *temps, TSNode ch, int k, int idx)
{
    char *t = lw_render(w, ch);
    sb_printf(temps, " __typeof__(1 ? (%s) : (%s)) gocc__c_%d_%d; GOCC_CHAN_ELEM(%s) gocc__v_%d_%d;", t, t, k, idx, t,
              k, idx);
    free(t);
}

/* select { case ...: body ... }  ->  evaluate, choose, dispatch in one switch:
 *   { gocc_select_case gocc__sc_N[n]; _Bool gocc__ok_N = 0; int gocc__i_N = -2;
 *     static const gocc_site gocc__site_N = {...};
 *     __typeof__(1 ? (c1) : (c1)) gocc__c_N_0; GOCC_CHAN_ELEM(c1) gocc__v_N_0; ...  <- temporaries
 *     memset each received value's temporary to 0;
 *     gocc__sel_N: switch (gocc__i_N) { default: __builtin_unreachable(); case -2: ;
 *       gocc__c_N_0 = (c1); { _Static_assert(...); }                           <- first pass:
 *       [{ GOCC_CHAN_ELEM(gocc__c_N_0) gocc__t_N_0 = (value); copy it to gocc__v_N_0; }]   operands in
 *       gocc__sc_N[0] = ...;                                                      source order
 *       if (0) { case 0: { v = gocc__v_N_0; body... } break; }
 *       ...
 *       if (0) { case -1: { default body... } break; }
 *     gocc__i_N = gocc_select(gocc__sc_N, n, has_default, &gocc__ok_N, &site);
 *     goto gocc__sel_N; } }                                                  <- second pass
 * Every declaration of the lowering comes before its first statement, and a case's body is a block of its
 * own, so that a declaration of the program's (`case T v = <-c:`, the body's own) follows no statement of
 * gocc's (-Wdeclaration-after-statement).  * The first pass through the switch evaluates every channel and value in
 * source order (the case bodies are skipped by `if (0)`), then gocc_select
 * chooses and the goto re-enters the switch at the chosen case, whose
 * assignment (v = ..., T w = ..., v, ok = ...) and body run. `break` leaves
 * the switch, i.e. the select; `continue` reaches the enclosing loop; a body
 * that ends breaks, so there is no fallthrough. gocc__i_N is -2 or a case
 * index: the unreachable default tells the C compiler so, and a select
 * whose every case returns ends a function without -Wreturn-type. */
void sl_select(lw *w, TSNode n)
{
    int k = lw_next_id(w);
    TSNode body = fld(n, "body");
    int ncases = 0, has_default = 0, timeouts = 0;
    for (uint32_t i = 0; i < ts_node_named_child_count(body); i++) {
        TSNode c = ts_node_named_child(body, i), rcv, d;
        if (!is(c, "select_case")) continue;
        if (!ts_node_is_null(fld(c, "default"))) {
            if (has_default) lw_err(w, c, "%s", "multiple defaults in select");
            has_default = 1;
        } else {
            ncases++;
            rcv = fld(c, "receive");
            if (!ts_node_is_null(rcv) && !ts_node_is_null(sl_receive_channel(rcv)) &&
                ch_time_after(w, sl_receive_channel(rcv), &d))
                timeouts = 1;
        }
    }
    sb b = {0};
    TSNode lb = lw_tok(body, "{"), rb = lw_tok(body, "}");
    if (ncases == 0 && !has_default) {
        ed_replace(&w->ed, S(n), E(n), "{ gocc_select(0, 0, 0, 0, GOCC_HERE); }");
        return;
    }
    /* The temporaries are declared before the switch, received values'
     * zeroed: the second pass jumps past anything declared inside it, and
     * gcc -O2 then reports the value read at the case as "may be used
     * uninitialized" (-Wall -Werror builds must pass). Their type comes from
     * the channel expression, unevaluated inside __typeof__. */
    sb temps = {0}, zero = {0}; /* declarations, then the statements that zero them */
    int idx = 0;
    for (uint32_t i = 0; i < ts_node_named_child_count(body); i++) {
        TSNode c = ts_node_named_child(body, i);
        if (!is(c, "select_case")) continue;
        TSNode colon = lw_tok(c, ":");
        b.len = 0;
        if (!ts_node_is_null(fld(c, "default"))) {
            ed_replace(&w->ed, S(c), E(colon), "if (0) { case -1: {");
            ed_close(&w->ed, E(c), " } break; }");
            continue;
        }
        TSNode snd = fld(c, "send"), rcv = fld(c, "receive");
        if (!ts_node_is_null(snd)) {
            TSNode ch = fld(snd, "channel"), val = fld(snd, "value"), arrow = lw_tok(snd, "<-");
            case_temps(w, &temps, ch, k, idx);
            sb_printf(&b, "gocc__c_%d_%d = (", k, idx);
            ed_replace(&w->ed, S(c), S(ch), b.s);
            b.len = 0;
            /* the value converted as an initializer converts it, then copied (the temporary is declared
             * before the switch) */
            sb_printf(&b,
                      "); { _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_%d_%d), \"send on receive-only channel\"); } "
                      "{ GOCC_CHAN_ELEM(gocc__c_%d_%d) gocc__t_%d_%d = (",
                      k, idx, k, idx, k, idx);
            ed_replace(&w->ed, S(arrow), E(arrow), b.s);
            b.len = 0;
            sb_printf(&b,
                      "); __builtin_memcpy((void *)&gocc__v_%d_%d, &gocc__t_%d_%d, sizeof gocc__v_%d_%d); } "
                      "gocc__sc_%d[%d].chan = (struct gocc_chan *)gocc__c_%d_%d; gocc__sc_%d[%d].elem = &gocc__v_%d_%d; "
                      "gocc__sc_%d[%d].is_send = 1; if (0) { case %d: {",
                      k, idx, k, idx, k, idx, k, idx, k, idx, k, idx, k, idx, k, idx, idx);
            ed_replace(&w->ed, E(val), E(colon), b.s);
        } else {
            TSNode ch = sl_receive_channel(rcv), left = fld(rcv, "left"), ok = fld(rcv, "ok"), d = fld(rcv, "declarator");
            if (ts_node_is_null(ch)) continue; /* reported by the walk */
            TSNode dur;
            int after = ch_time_after(w, ch, &dur);
            if (after) {
                sb_printf(&temps, " time_duration gocc__c_%d_%d;", k, idx);
                sb_printf(&b, "gocc__c_%d_%d = (time_duration)(", k, idx);
            } else {
                sb_printf(&b, "gocc__c_%d_%d = (", k, idx);
            }
            sb assign = {0};
            if (after && (!ts_node_is_null(d) || !ts_node_is_null(left)))
                sb_printf(&assign, " gocc__ok_%d = 1; time_time gocc__v_%d_%d = time_now();", k, k, idx);
            /* arrays (chan.c: ch_elem_is_array) are copied, through a
             * pointer of the element type */
            int arr = !after && ch_elem_is_array(w, ch);
            if (!ts_node_is_null(d)) {
                char *decl = ed_render(&w->ed, S(rcv), E(d));
                TSNode name = d;
                while (!ts_node_is_null(name) && !is(name, "identifier")) name = fld(name, "declarator");
                if (arr && !ts_node_is_null(name)) {
                    char *nm = lw_text(w, name);
                    sb_printf(&assign, " %s; __builtin_memcpy(&%s, &gocc__v_%d_%d, sizeof gocc__v_%d_%d);", decl, nm, k, idx, k, idx);
                    free(nm);
                } else {
                    /* shared with a go block: a cell (capture.c) */
                    int sym = -1;
                    for (int i = w->nsyms - 1; i >= 0 && sym < 0 && !ts_node_is_null(name); i--)
                        if (ts_node_eq(w->syms[i].decl, rcv)) sym = i;
                    sb cell = {0};
                    if (sym >= 0 && cp_is_cell(w, sym)) {
                        char *spec = ed_render(&w->ed, S(rcv), S(d)), *pre = ed_render(&w->ed, S(d), S(name)),
                             *post = ed_render(&w->ed, E(name), E(d)), init[64];
                        snprintf(init, sizeof init, "gocc__v_%d_%d", k, idx);
                        cp_range_decl(w, sym, spec, pre, post, init, &cell);
                        free(spec);
                        free(pre);
                        free(post);
                    }
                    if (cell.len) sb_printf(&assign, " %s;", cell.s);
                    else sb_printf(&assign, " %s = gocc__v_%d_%d;", decl, k, idx);
                    sb_free(&cell);
                }
                free(decl);
            } else if (!ts_node_is_null(left)) {
                char *l = lw_render(w, left);
                if (arr)
                    sb_printf(&assign, " { __typeof__(gocc__v_%d_%d) *gocc__d_%d_%d = &(%s); __builtin_memcpy(gocc__d_%d_%d, &gocc__v_%d_%d, sizeof gocc__v_%d_%d); }",
                              k, idx, k, idx, l, k, idx, k, idx, k, idx);
                else
                    sb_printf(&assign, " %s = gocc__v_%d_%d;", l, k, idx);
                free(l);
                if (!ts_node_is_null(ok)) {
                    char *o = lw_render(w, ok);
                    sb_printf(&assign, " %s = gocc__ok_%d;", o, k);
                    free(o);
                }
            }
            if (after) {
                /* case <-time_after(d): no channel: the select's deadline is the earliest
                 * now + d of such cases, and its timeout runs this case with time_now(). */
                ed_replace(&w->ed, S(c), S(dur), b.s);
                b.len = 0;
                sb_printf(&b,
                          "); if (gocc__c_%d_%d < 0) gocc__c_%d_%d = 0; gocc__c_%d_%d += gocc_nanotime(); "
                          "if (!gocc__dl_%d || gocc__c_%d_%d < gocc__dl_%d) { gocc__dl_%d = gocc__c_%d_%d; gocc__to_%d = %d; } "
                          "gocc__sc_%d[%d].chan = 0; gocc__sc_%d[%d].elem = 0; gocc__sc_%d[%d].is_send = 0; "
                          "if (0) { case %d: {%s",
                          k, idx, k, idx, k, idx, k, k, idx, k, k, k, idx, k, idx, k, idx, k, idx, k, idx, idx,
                          assign.s ? assign.s : "");
                sb_free(&assign);
                ed_replace(&w->ed, E(dur), E(colon), b.s);
                ed_close(&w->ed, E(c), " } break; }");
                idx++;
                continue;
            }
            ed_replace(&w->ed, S(c), S(ch), b.s);
            b.len = 0;
            case_temps(w, &temps, ch, k, idx);
            /* zeroed by memset, not `= {0}`: that initializer is an error (clang) for
             * an element of size zero, the `typedef struct {} empty;` of Go's chan struct{} */
            sb_printf(&zero, " __builtin_memset(&gocc__v_%d_%d, 0, sizeof gocc__v_%d_%d);", k, idx, k, idx);
            sb_printf(&b,
                      "); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_%d_%d), \"receive from send-only channel\"); } "
                      "gocc__sc_%d[%d].chan = (struct gocc_chan *)gocc__c_%d_%d; gocc__sc_%d[%d].elem = &gocc__v_%d_%d; "
                      "gocc__sc_%d[%d].is_send = 0; if (0) { case %d: {%s",
                      k, idx, k, idx, k, idx, k, idx, k, idx, k, idx, idx, assign.s ? assign.s : "");
            sb_free(&assign);
            ed_replace(&w->ed, E(ch), E(colon), b.s);
        }
        ed_close(&w->ed, E(c), " } break; }");
        idx++;
    }
    b.len = 0;
    sb_printf(&b,
              "{ gocc_select_case gocc__sc_%d[%d]; _Bool gocc__ok_%d = 0; int gocc__i_%d = -2; "
              "static const gocc_site gocc__site_%d = { .file = __FILE__, .line = __LINE__ };%s ",
              k, ncases ? ncases : 1, k, k, k, temps.s ? temps.s : "");
    if (timeouts) sb_printf(&b, "gocc_int64 gocc__dl_%d = 0; int gocc__to_%d = 0; ", k, k);
    if (zero.len) sb_printf(&b, "%s ", zero.s + 1);
    sb_free(&zero);
    sb_printf(&b, "gocc__sel_%d: switch (gocc__i_%d) { default: __builtin_unreachable(); case -2: ;", k, k);
    ed_replace(&w->ed, S(n), E(lb), b.s);
    sb_free(&temps);
    b.len = 0;
    if (timeouts)
        sb_printf(&b,
                  "gocc__i_%d = gocc_select_deadline(gocc__sc_%d, %d, %d, &gocc__ok_%d, gocc__dl_%d, &gocc__site_%d); "
                  "if (gocc__i_%d == GOCC_SELECT_TIMEOUT) gocc__i_%d = gocc__to_%d; goto gocc__sel_%d; } }",
                  k, k, ncases, has_default, k, k, k, k, k, k, k);
    else
        sb_printf(&b, "gocc__i_%d = gocc_select(gocc__sc_%d, %d, %d, &gocc__ok_%d, &gocc__site_%d); goto gocc__sel_%d; } }",
                  k, k, ncases, has_default, k, k, k);
    ed_replace(&w->ed, S(rb), E(rb), b.s);
    sb_free(&b);
}

