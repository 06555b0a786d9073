#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/defer_capture.gc"
/* defer and go with builtins and macros as the call; a defer block copies
 * the inner-block locals that nothing changes after it (j) and shares the
 * function's own (last). err_defer_block_dead: the other inner-block case. */
void f(int x);

#line 6 "tests/codegen/defer_capture.gc"
void closer(GOCC_CHAN( int) c);
#line 10 "tests/codegen/defer_capture.gc"
struct gocc__env_5 { GOCC_CHAN( int) c; };struct gocc__go_5 { __typeof__(((void)0, ((struct gocc__env_5 *)0)->c)) a0; }; static void gocc__go_5_run(void *gocc__p) { struct gocc__go_5 *gocc__a = gocc__p; ({ __auto_type gocc__x_6 = (gocc__a->a0); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_6), gocc__x_6, (GOCC_CHAN(int))0)), "close of receive-only channel"); __builtin_choose_expr(GOCC__IS_PTR(gocc__x_6), (gocc_chan_close((struct gocc_chan *)GOCC__PTR_OR_NULL(gocc__x_6), GOCC_HERE), 0), gocc_close_fd(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_6), 0, gocc__x_6))); }); }
#line 6 "tests/codegen/defer_capture.gc"
void closer(GOCC_CHAN( int) c)
{ gocc_defer *gocc__defers = 0, *gocc__cur = 0; GOCC_FUNCTION_ENTRY(); {
    { __auto_type gocc__a_1_0 = (c); struct gocc__dr_1 { gocc_defer h; __typeof__(gocc__a_1_0) a0; } *gocc__r_1 = __builtin_alloca(sizeof *gocc__r_1); gocc__r_1->h.next = gocc__defers; gocc__r_1->h.site = 1; gocc__r_1->h.heap = 0; gocc__r_1->a0 = gocc__a_1_0; gocc__defers = &gocc__r_1->h; if (0) { gocc__defer_1: { struct gocc__dr_1 *gocc__d = (struct gocc__dr_1 *)gocc__cur; ({ __auto_type gocc__x_2 = (gocc__d->a0); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_2), gocc__x_2, (GOCC_CHAN(int))0)), "close of receive-only channel"); __builtin_choose_expr(GOCC__IS_PTR(gocc__x_2), (gocc_chan_close((struct gocc_chan *)GOCC__PTR_OR_NULL(gocc__x_2), GOCC_HERE), 0), gocc_close_fd(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_2), 0, gocc__x_2))); }); } goto gocc__defer_next; } }
    { __auto_type gocc__a_3_0 = (({ __auto_type gocc__c_4 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_4), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_4) gocc__v_4; gocc_chan_recv((struct gocc_chan *)gocc__c_4, &gocc__v_4, GOCC_HERE); gocc__v_4; })); struct gocc__dr_3 { gocc_defer h; __typeof__(gocc__a_3_0) a0; } *gocc__r_3 = __builtin_alloca(sizeof *gocc__r_3); gocc__r_3->h.next = gocc__defers; gocc__r_3->h.site = 3; gocc__r_3->h.heap = 0; gocc__r_3->a0 = gocc__a_3_0; gocc__defers = &gocc__r_3->h; if (0) { gocc__defer_3: { struct gocc__dr_3 *gocc__d = (struct gocc__dr_3 *)gocc__cur; log_println("done", gocc__d->a0); } goto gocc__defer_next; } }
    { struct gocc__go_5 gocc__g_5 = { c }; gocc_go(gocc__go_5_run, &gocc__g_5, sizeof gocc__g_5, GOCC_GO_SITE("close", 0)); }
 goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 1: goto gocc__defer_1; case 3: goto gocc__defer_3; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return; } }

#line 13 "tests/codegen/defer_capture.gc"
void loop(int n);
#line 22 "tests/codegen/defer_capture.gc"
struct gocc__go_8 { __typeof__(((void)0, ((int)0))) a0; }; static void gocc__go_8_run(void *gocc__p) { struct gocc__go_8 *gocc__a = gocc__p; f(gocc__a->a0); }
#line 13 "tests/codegen/defer_capture.gc"
void loop(int n)
{ gocc_defer *gocc__defers = 0, *gocc__cur = 0; GOCC_FUNCTION_ENTRY(); {
    int last = 0;
    for (int i = 0; i < n; i++) { GOCC_LOOP_CHECK(); {
        int j = i * 2;
        { struct gocc__dr_7 { gocc_defer h; __typeof__(j) j; } *gocc__r_7 = gocc_defer_alloc(sizeof *gocc__r_7); gocc__r_7->h.next = gocc__defers; gocc__r_7->h.site = 7; gocc__r_7->h.heap = 1; __builtin_memcpy((void *)&gocc__r_7->j, &j, sizeof j); gocc__defers = &gocc__r_7->h; if (0) { gocc__defer_7: { struct gocc__dr_7 *gocc__d = (struct gocc__dr_7 *)gocc__cur; _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wshadow\"") __typeof__(gocc__d->j) j; _Pragma("GCC diagnostic pop") __builtin_memcpy((void *)&j, &gocc__d->j, sizeof j); { f(j + last); } } goto gocc__defer_next; } }
        last = j;
    } }
    enum { K = 2 };
    { struct gocc__go_8 gocc__g_8 = { K }; gocc_go(gocc__go_8_run, &gocc__g_8, sizeof gocc__g_8, GOCC_GO_SITE("f", (void (*)(void))f)); }
 goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 7: goto gocc__defer_7; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return; } }
