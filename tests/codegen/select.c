#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/select.gc"
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 2 "tests/codegen/select.gc"

void sel(GOCC_CHAN( int) a, GOCC_CHAN( int) b, GOCC_CHAN(char *) names, GOCC_CHAN( int) out, GOCC_CHAN_RECV( int) ticks)
{ GOCC_FUNCTION_ENTRY(); {
    int v = 0;
    _Bool ok;
    for (;;) { GOCC_LOOP_CHECK(); {
        { gocc_select_case gocc__sc_2[6]; _Bool gocc__ok_2 = 0; int gocc__i_2 = -2; static const gocc_site gocc__site_2 = { .file = __FILE__, .line = __LINE__ }; __typeof__(1 ? (a) : (a)) gocc__c_2_0; GOCC_CHAN_ELEM(a) gocc__v_2_0; __typeof__(1 ? (b) : (b)) gocc__c_2_1; GOCC_CHAN_ELEM(b) gocc__v_2_1; __typeof__(1 ? (a) : (a)) gocc__c_2_2; GOCC_CHAN_ELEM(a) gocc__v_2_2; __typeof__(1 ? (ticks) : (ticks)) gocc__c_2_3; GOCC_CHAN_ELEM(ticks) gocc__v_2_3; __typeof__(1 ? (out) : (out)) gocc__c_2_4; GOCC_CHAN_ELEM(out) gocc__v_2_4; __typeof__(1 ? (names) : (names)) gocc__c_2_5; GOCC_CHAN_ELEM(names) gocc__v_2_5; __builtin_memset(&gocc__v_2_0, 0, sizeof gocc__v_2_0); __builtin_memset(&gocc__v_2_1, 0, sizeof gocc__v_2_1); __builtin_memset(&gocc__v_2_2, 0, sizeof gocc__v_2_2); __builtin_memset(&gocc__v_2_3, 0, sizeof gocc__v_2_3); __builtin_memset(&gocc__v_2_5, 0, sizeof gocc__v_2_5); gocc__sel_2: switch (gocc__i_2) { default: __builtin_unreachable(); case -2: ;
        gocc__c_2_0 = (a); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2_0), "receive from send-only channel"); } gocc__sc_2[0].chan = (struct gocc_chan *)gocc__c_2_0; gocc__sc_2[0].elem = &gocc__v_2_0; gocc__sc_2[0].is_send = 0; if (0) { case 0: { v = gocc__v_2_0;
            printf("a %d\n", v); } break; }
        gocc__c_2_1 = (b); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2_1), "receive from send-only channel"); } gocc__sc_2[1].chan = (struct gocc_chan *)gocc__c_2_1; gocc__sc_2[1].elem = &gocc__v_2_1; gocc__sc_2[1].is_send = 0; if (0) { case 1: { int w = gocc__v_2_1;
            if (w < 0) break;
            printf("b %d\n", w);
            continue; } break; }
        gocc__c_2_2 = (a); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2_2), "receive from send-only channel"); } gocc__sc_2[2].chan = (struct gocc_chan *)gocc__c_2_2; gocc__sc_2[2].elem = &gocc__v_2_2; gocc__sc_2[2].is_send = 0; if (0) { case 2: { v = gocc__v_2_2; ok = gocc__ok_2;
            if (!ok) return; } break; }
        gocc__c_2_3 = (ticks); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2_3), "receive from send-only channel"); } gocc__sc_2[3].chan = (struct gocc_chan *)gocc__c_2_3; gocc__sc_2[3].elem = &gocc__v_2_3; gocc__sc_2[3].is_send = 0; if (0) { case 3: { } break; }
        gocc__c_2_4 = (out ); { _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_2_4), "send on receive-only channel"); } { GOCC_CHAN_ELEM(gocc__c_2_4) gocc__t_2_4 = ( v + 1); __builtin_memcpy((void *)&gocc__v_2_4, &gocc__t_2_4, sizeof gocc__v_2_4); } gocc__sc_2[4].chan = (struct gocc_chan *)gocc__c_2_4; gocc__sc_2[4].elem = &gocc__v_2_4; gocc__sc_2[4].is_send = 1; if (0) { case 4: {
            puts("sent"); } break; }
        gocc__c_2_5 = (names); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2_5), "receive from send-only channel"); } gocc__sc_2[5].chan = (struct gocc_chan *)gocc__c_2_5; gocc__sc_2[5].elem = &gocc__v_2_5; gocc__sc_2[5].is_send = 0; if (0) { case 5: { char *s = gocc__v_2_5; puts(s); } break; }
        if (0) { case -1: {
            { gocc_select_case gocc__sc_1[1]; _Bool gocc__ok_1 = 0; int gocc__i_1 = -2; static const gocc_site gocc__site_1 = { .file = __FILE__, .line = __LINE__ }; __typeof__(1 ? (a) : (a)) gocc__c_1_0; GOCC_CHAN_ELEM(a) gocc__v_1_0; __builtin_memset(&gocc__v_1_0, 0, sizeof gocc__v_1_0); gocc__sel_1: switch (gocc__i_1) { default: __builtin_unreachable(); case -2: ;
            gocc__c_1_0 = (a); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_1_0), "receive from send-only channel"); } gocc__sc_1[0].chan = (struct gocc_chan *)gocc__c_1_0; gocc__sc_1[0].elem = &gocc__v_1_0; gocc__sc_1[0].is_send = 0; if (0) { case 0: { ; } break; }
            gocc__i_1 = gocc_select(gocc__sc_1, 1, 0, &gocc__ok_1, &gocc__site_1); goto gocc__sel_1; } } } break; }
        gocc__i_2 = gocc_select(gocc__sc_2, 6, 1, &gocc__ok_2, &gocc__site_2); goto gocc__sel_2; } }
    } }
    { gocc_select(0, 0, 0, 0, GOCC_HERE); }
    { gocc_select_case gocc__sc_4[1]; _Bool gocc__ok_4 = 0; int gocc__i_4 = -2; static const gocc_site gocc__site_4 = { .file = __FILE__, .line = __LINE__ }; gocc__sel_4: switch (gocc__i_4) { default: __builtin_unreachable(); case -2: ; if (0) { case -1: { puts("default only"); } break; } gocc__i_4 = gocc_select(gocc__sc_4, 0, 1, &gocc__ok_4, &gocc__site_4); goto gocc__sel_4; } }
 } }
