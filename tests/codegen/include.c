#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/include.gc"
#include <stdio.h>
#include "wire.gocc.h"
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 3 "tests/codegen/include.gc"

void serve(GOCC_CHAN(struct msg *) in, GOCC_CHAN_SEND( int) out)
{ GOCC_FUNCTION_ENTRY(); {
    for (int gocc__k_2 = 1; gocc__k_2; gocc__k_2 = 0) for (__auto_type gocc__c_2 = (in); gocc__k_2; gocc__k_2 = 0) for (GOCC_CHAN_ELEM(gocc__c_2) gocc__t_2; ({ _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2), "receive from send-only channel"); gocc_chan_recv((struct gocc_chan *)gocc__c_2, &gocc__t_2, GOCC_HERE); }); ) 
{ struct msg *m = gocc__t_2; GOCC_LOOP_CHECK(); { __auto_type gocc__c_1 = (out ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_1), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1 = ( m->id); gocc_chan_send((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); } }
 } }
