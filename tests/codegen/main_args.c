#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/main_args.gc"
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 2 "tests/codegen/main_args.gc"

_Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmissing-prototypes\"") _Pragma("GCC diagnostic ignored \"-Wmissing-declarations\"") int gocc__main_body(int argc, char **argv)
{ GOCC_FUNCTION_ENTRY(); {
    GOCC_CHAN( int) c = ((GOCC_CHAN( int))gocc_chan_make(sizeof( int), 1, GOCC_HERE));
    { __auto_type gocc__c_1 = (c ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_1), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1 = ( argc); gocc_chan_send((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); }
    printf("%s %d\n", argv[0], ({ __auto_type gocc__c_2 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_2) gocc__v_2; gocc_chan_recv((struct gocc_chan *)gocc__c_2, &gocc__v_2, GOCC_HERE); gocc__v_2; }));
 } return 0; } _Pragma("GCC diagnostic pop")
#line 3 "tests/codegen/main_args.gc"
int gocc__main(int argc, char **argv, char **envp) { (void)argc; (void)argv; (void)envp; return gocc__main_body(argc, (void *)argv); }
#line 9 "tests/codegen/main_args.gc"
