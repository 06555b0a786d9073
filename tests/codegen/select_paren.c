#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/select_paren.gc"
/* A receive case may be parenthesised, any number of times, as Go allows:
 * each lowers as its unparenthesised form. */
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 4 "tests/codegen/select_paren.gc"

void sel(GOCC_CHAN( int) a, GOCC_CHAN( GOCC_CHAN( int)) cc, GOCC_CHAN( int) out)
{ GOCC_FUNCTION_ENTRY(); {
    int v = 0;
    _Bool ok;
    { gocc_select_case gocc__sc_3[7]; _Bool gocc__ok_3 = 0; int gocc__i_3 = -2; static const gocc_site gocc__site_3 = { .file = __FILE__, .line = __LINE__ }; __typeof__(1 ? (a) : (a)) gocc__c_3_0; GOCC_CHAN_ELEM(a) gocc__v_3_0; __typeof__(1 ? (a) : (a)) gocc__c_3_1; GOCC_CHAN_ELEM(a) gocc__v_3_1; __typeof__(1 ? (a) : (a)) gocc__c_3_2; GOCC_CHAN_ELEM(a) gocc__v_3_2; __typeof__(1 ? (a) : (a)) gocc__c_3_3; GOCC_CHAN_ELEM(a) gocc__v_3_3; __typeof__(1 ? (a) : (a)) gocc__c_3_4; GOCC_CHAN_ELEM(a) gocc__v_3_4; __typeof__(1 ? ((({ __auto_type gocc__c_1 = (cc); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_1), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1; gocc_chan_recv((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); gocc__v_1; }))) : ((({ __auto_type gocc__c_1 = (cc); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_1), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1; gocc_chan_recv((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); gocc__v_1; })))) gocc__c_3_5; GOCC_CHAN_ELEM((({ __auto_type gocc__c_1 = (cc); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_1), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1; gocc_chan_recv((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); gocc__v_1; }))) gocc__v_3_5; __typeof__(1 ? (out) : (out)) gocc__c_3_6; GOCC_CHAN_ELEM(out) gocc__v_3_6; __builtin_memset(&gocc__v_3_0, 0, sizeof gocc__v_3_0); __builtin_memset(&gocc__v_3_1, 0, sizeof gocc__v_3_1); __builtin_memset(&gocc__v_3_2, 0, sizeof gocc__v_3_2); __builtin_memset(&gocc__v_3_3, 0, sizeof gocc__v_3_3); __builtin_memset(&gocc__v_3_4, 0, sizeof gocc__v_3_4); gocc__sel_3: switch (gocc__i_3) { default: __builtin_unreachable(); case -2: ;
    gocc__c_3_0 = (a); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_3_0), "receive from send-only channel"); } gocc__sc_3[0].chan = (struct gocc_chan *)gocc__c_3_0; gocc__sc_3[0].elem = &gocc__v_3_0; gocc__sc_3[0].is_send = 0; if (0) { case 0: {
        puts("bare"); } break; }
    gocc__c_3_1 = (a); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_3_1), "receive from send-only channel"); } gocc__sc_3[1].chan = (struct gocc_chan *)gocc__c_3_1; gocc__sc_3[1].elem = &gocc__v_3_1; gocc__sc_3[1].is_send = 0; if (0) { case 1: {
        puts("twice"); } break; }
    gocc__c_3_2 = (a); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_3_2), "receive from send-only channel"); } gocc__sc_3[2].chan = (struct gocc_chan *)gocc__c_3_2; gocc__sc_3[2].elem = &gocc__v_3_2; gocc__sc_3[2].is_send = 0; if (0) { case 2: { v = gocc__v_3_2;
        printf("%d\n", v); } break; }
    gocc__c_3_3 = (a); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_3_3), "receive from send-only channel"); } gocc__sc_3[3].chan = (struct gocc_chan *)gocc__c_3_3; gocc__sc_3[3].elem = &gocc__v_3_3; gocc__sc_3[3].is_send = 0; if (0) { case 3: { int w = gocc__v_3_3;
        printf("%d\n", w); } break; }
    gocc__c_3_4 = (a); { _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_3_4), "receive from send-only channel"); } gocc__sc_3[4].chan = (struct gocc_chan *)gocc__c_3_4; gocc__sc_3[4].elem = &gocc__v_3_4; gocc__sc_3[4].is_send = 0; if (0) { case 4: { v = gocc__v_3_4; ok = gocc__ok_3;
        if (!ok) return; } break; }
    gocc__c_3_5 = ((({ __auto_type gocc__c_1 = (cc); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_1), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1; gocc_chan_recv((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); gocc__v_1; })) ); { _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_3_5), "send on receive-only channel"); } { GOCC_CHAN_ELEM(gocc__c_3_5) gocc__t_3_5 = ( v); __builtin_memcpy((void *)&gocc__v_3_5, &gocc__t_3_5, sizeof gocc__v_3_5); } gocc__sc_3[5].chan = (struct gocc_chan *)gocc__c_3_5; gocc__sc_3[5].elem = &gocc__v_3_5; gocc__sc_3[5].is_send = 1; if (0) { case 5: {
        puts("sent on a received channel"); } break; }
    gocc__c_3_6 = (out ); { _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_3_6), "send on receive-only channel"); } { GOCC_CHAN_ELEM(gocc__c_3_6) gocc__t_3_6 = ( (({ __auto_type gocc__c_2 = (a); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_2) gocc__v_2; gocc_chan_recv((struct gocc_chan *)gocc__c_2, &gocc__v_2, GOCC_HERE); gocc__v_2; }))); __builtin_memcpy((void *)&gocc__v_3_6, &gocc__t_3_6, sizeof gocc__v_3_6); } gocc__sc_3[6].chan = (struct gocc_chan *)gocc__c_3_6; gocc__sc_3[6].elem = &gocc__v_3_6; gocc__sc_3[6].is_send = 1; if (0) { case 6: {
        puts("sent a received value"); } break; }
    gocc__i_3 = gocc_select(gocc__sc_3, 7, 0, &gocc__ok_3, &gocc__site_3); goto gocc__sel_3; } }
 } }
