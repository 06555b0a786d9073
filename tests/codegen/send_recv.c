#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/send_recv.gc"
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 2 "tests/codegen/send_recv.gc"

int sink(int v) { GOCC_FUNCTION_ENTRY(); { return v;  } }

void ops(GOCC_CHAN( int) c, GOCC_CHAN( GOCC_CHAN( int)) cc, GOCC_CHAN( double) d)
{ GOCC_FUNCTION_ENTRY(); {
    { __auto_type gocc__c_1 = (c ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_1), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1 = ( 1); gocc_chan_send((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); }
    { __auto_type gocc__c_2 = (c ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_2), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_2) gocc__v_2 = ( sink(2) + 3); gocc_chan_send((struct gocc_chan *)gocc__c_2, &gocc__v_2, GOCC_HERE); }
    int x = ({ __auto_type gocc__c_3 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_3), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_3) gocc__v_3; gocc_chan_recv((struct gocc_chan *)gocc__c_3, &gocc__v_3, GOCC_HERE); gocc__v_3; });
    x = ({ __auto_type gocc__c_4 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_4), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_4) gocc__v_4; gocc_chan_recv((struct gocc_chan *)gocc__c_4, &gocc__v_4, GOCC_HERE); gocc__v_4; }) + ({ __auto_type gocc__c_5 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_5), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_5) gocc__v_5; gocc_chan_recv((struct gocc_chan *)gocc__c_5, &gocc__v_5, GOCC_HERE); gocc__v_5; });
    if (({ __auto_type gocc__c_6 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_6), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_6) gocc__v_6; gocc_chan_recv((struct gocc_chan *)gocc__c_6, &gocc__v_6, GOCC_HERE); gocc__v_6; }) > 0)
        x++;
    sink(({ __auto_type gocc__c_7 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_7), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_7) gocc__v_7; gocc_chan_recv((struct gocc_chan *)gocc__c_7, &gocc__v_7, GOCC_HERE); gocc__v_7; }));
    (void)({ __auto_type gocc__c_8 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_8), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_8) gocc__v_8; gocc_chan_recv((struct gocc_chan *)gocc__c_8, &gocc__v_8, GOCC_HERE); gocc__v_8; });
    { __auto_type gocc__c_10 = (c ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_10), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_10) gocc__v_10 = ( ({ __auto_type gocc__c_9 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_9), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_9) gocc__v_9; gocc_chan_recv((struct gocc_chan *)gocc__c_9, &gocc__v_9, GOCC_HERE); gocc__v_9; })); gocc_chan_send((struct gocc_chan *)gocc__c_10, &gocc__v_10, GOCC_HERE); }
    { __auto_type gocc__c_12 = ((({ __auto_type gocc__c_11 = (cc); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_11), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_11) gocc__v_11; gocc_chan_recv((struct gocc_chan *)gocc__c_11, &gocc__v_11, GOCC_HERE); gocc__v_11; })) ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_12), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_12) gocc__v_12 = ( 4); gocc_chan_send((struct gocc_chan *)gocc__c_12, &gocc__v_12, GOCC_HERE); }
    x = ({ __auto_type gocc__c_14 = (({ __auto_type gocc__c_13 = (cc); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_13), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_13) gocc__v_13; gocc_chan_recv((struct gocc_chan *)gocc__c_13, &gocc__v_13, GOCC_HERE); gocc__v_13; })); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_14), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_14) gocc__v_14; gocc_chan_recv((struct gocc_chan *)gocc__c_14, &gocc__v_14, GOCC_HERE); gocc__v_14; });
    { __auto_type gocc__c_15 = (d ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_15), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_15) gocc__v_15 = ( x); gocc_chan_send((struct gocc_chan *)gocc__c_15, &gocc__v_15, GOCC_HERE); }
    _Bool ok;
    { __auto_type gocc__c_16 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_16), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_16) gocc__v_16; _Bool gocc__ok_16 = gocc_chan_recv((struct gocc_chan *)gocc__c_16, &gocc__v_16, GOCC_HERE); x = gocc__v_16; ok = gocc__ok_16; }
    printf("%d %d\n", x, ok);
    int y = x<-1; /* C: x < -1 */
    (void)y;
 } }
