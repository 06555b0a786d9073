#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/time_after.gc"
#include <stdlib.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 2 "tests/codegen/time_after.gc"

int wait(GOCC_CHAN( int) c, GOCC_CHAN( int) q)
{ GOCC_FUNCTION_ENTRY(); {
    int v = 0;
    { gocc_select_case gocc__sc_1[4]; _Bool gocc__ok_1 = 0; int gocc__i_1 = -2; static const gocc_site gocc__site_1 = { .file = __FILE__, .line = __LINE__ }; __typeof__(1 ? (c) : (c)) gocc__c_1_0; GOCC_CHAN_ELEM(c) gocc__v_1_0; time_duration gocc__c_1_1; time_duration gocc__c_1_2; __typeof__(1 ? (q) : (q)) gocc__c_1_3; GOCC_CHAN_ELEM(q) gocc__v_1_3; gocc_int64 gocc__dl_1 = 0; int gocc__to_1 = 0; __builtin_memset(&gocc__v_1_0, 0, sizeof gocc__v_1_0); __builtin_memset(&gocc__v_1_3, 0, sizeof gocc__v_1_3); gocc__sel_1: switch (gocc__i_1) { default: __builtin_unreachable(); case -2: ;
    gocc__c_1_0 = (c); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_1_0), "receive from send-only channel"); } gocc__sc_1[0].chan = (struct gocc_chan *)gocc__c_1_0; gocc__sc_1[0].elem = &gocc__v_1_0; gocc__sc_1[0].is_send = 0; if (0) { case 0: { v = gocc__v_1_0;
        break; } break; }
    gocc__c_1_1 = (time_duration)(100 * time_millisecond); if (gocc__c_1_1 < 0) gocc__c_1_1 = 0; gocc__c_1_1 += gocc_nanotime(); if (!gocc__dl_1 || gocc__c_1_1 < gocc__dl_1) { gocc__dl_1 = gocc__c_1_1; gocc__to_1 = 1; } gocc__sc_1[1].chan = 0; gocc__sc_1[1].elem = 0; gocc__sc_1[1].is_send = 0; if (0) { case 1: { gocc__ok_1 = 1; time_time gocc__v_1_1 = time_now(); time_time t = gocc__v_1_1;
        (void)t;
        v = -1; } break; }
    gocc__c_1_2 = (time_duration)(time_second); if (gocc__c_1_2 < 0) gocc__c_1_2 = 0; gocc__c_1_2 += gocc_nanotime(); if (!gocc__dl_1 || gocc__c_1_2 < gocc__dl_1) { gocc__dl_1 = gocc__c_1_2; gocc__to_1 = 2; } gocc__sc_1[2].chan = 0; gocc__sc_1[2].elem = 0; gocc__sc_1[2].is_send = 0; if (0) { case 2: {
        v = -2; } break; }
    gocc__c_1_3 = (q); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_1_3), "receive from send-only channel"); } gocc__sc_1[3].chan = (struct gocc_chan *)gocc__c_1_3; gocc__sc_1[3].elem = &gocc__v_1_3; gocc__sc_1[3].is_send = 0; if (0) { case 3: {
        v = -3; } break; }
    gocc__i_1 = gocc_select_deadline(gocc__sc_1, 4, 0, &gocc__ok_1, gocc__dl_1, &gocc__site_1); if (gocc__i_1 == GOCC_SELECT_TIMEOUT) gocc__i_1 = gocc__to_1; goto gocc__sel_1; } }
    (void)gocc_time_after_wait((time_duration)(time_millisecond));
    time_time now = gocc_time_after_wait((time_duration)(1));
    _Bool ok;
    { time_time gocc__v_4 = gocc_time_after_wait((time_duration)(2)); now = gocc__v_4; ok = 1; }
    ({ __auto_type gocc__x_5 = (c); gocc_free(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_5), (void *)GOCC__PTR_OR_NULL(gocc__x_5), gocc__x_5), GOCC_HERE); });
    ({ __auto_type gocc__x_6 = (v ? malloc(1) : NULL); gocc_free(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_6), (void *)GOCC__PTR_OR_NULL(gocc__x_6), gocc__x_6), GOCC_HERE); });
    free(0);
    return v + (int)now.mono + ok;
 } }
