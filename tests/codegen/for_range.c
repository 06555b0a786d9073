#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/for_range.gc"
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 2 "tests/codegen/for_range.gc"

void ranges(GOCC_CHAN( int) c, GOCC_CHAN(char *) names, GOCC_CHAN( GOCC_CHAN( int)) cc)
{ GOCC_FUNCTION_ENTRY(); {
    for (int gocc__k_1 = 1; gocc__k_1; gocc__k_1 = 0) for (__auto_type gocc__c_1 = (c); gocc__k_1; gocc__k_1 = 0) for (GOCC_CHAN_ELEM(gocc__c_1) gocc__t_1; ({ _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_1), "receive from send-only channel"); gocc_chan_recv((struct gocc_chan *)gocc__c_1, &gocc__t_1, GOCC_HERE); }); ) 
{ int v = gocc__t_1; GOCC_LOOP_CHECK(); printf("%d\n", v); }
    for (int gocc__k_2 = 1; gocc__k_2; gocc__k_2 = 0) for (__auto_type gocc__c_2 = (names); gocc__k_2; gocc__k_2 = 0) for (GOCC_CHAN_ELEM(gocc__c_2) gocc__t_2; ({ _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2), "receive from send-only channel"); gocc_chan_recv((struct gocc_chan *)gocc__c_2, &gocc__t_2, GOCC_HERE); }); ) { char *s = gocc__t_2; GOCC_LOOP_CHECK(); {
        if (!s) continue;
        if (s[0] == 'q') break;
        puts(s);
    } }
    for (int gocc__k_4 = 1; gocc__k_4; gocc__k_4 = 0) for (__auto_type gocc__c_4 = (cc); gocc__k_4; gocc__k_4 = 0) for (GOCC_CHAN_ELEM(gocc__c_4) gocc__t_4; ({ _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_4), "receive from send-only channel"); gocc_chan_recv((struct gocc_chan *)gocc__c_4, &gocc__t_4, GOCC_HERE); }); ) 
{ GOCC_CHAN( int) inner = gocc__t_4; GOCC_LOOP_CHECK(); for (int gocc__k_3 = 1; gocc__k_3; gocc__k_3 = 0) for (__auto_type gocc__c_3 = (inner); gocc__k_3; gocc__k_3 = 0) for (GOCC_CHAN_ELEM(gocc__c_3) gocc__t_3; ({ _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_3), "receive from send-only channel"); gocc_chan_recv((struct gocc_chan *)gocc__c_3, &gocc__t_3, GOCC_HERE); }); ) { const int v = gocc__t_3; GOCC_LOOP_CHECK(); printf("%d\n", v); } }
    for (int gocc__k_5 = 1; gocc__k_5; gocc__k_5 = 0) for (__auto_type gocc__c_5 = (c); gocc__k_5; gocc__k_5 = 0) for (GOCC_CHAN_ELEM(gocc__c_5) gocc__t_5; ({ _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_5), "receive from send-only channel"); gocc_chan_recv((struct gocc_chan *)gocc__c_5, &gocc__t_5, GOCC_HERE); }); ) { long v = gocc__t_5; GOCC_LOOP_CHECK(); ; }
 } }
