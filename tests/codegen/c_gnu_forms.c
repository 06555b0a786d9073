#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/c_gnu_forms.gc"
// clang's __builtin_available and GNU's `__extension__ (...)` statement
// parse (they were error regions, and `go` was refused beside them).
static void work(int n) { GOCC_FUNCTION_ENTRY(); { (void)n;  } }

#line 5 "tests/codegen/c_gnu_forms.gc"
int pick(GOCC_CHAN( int) c);
#line 12 "tests/codegen/c_gnu_forms.gc"
struct gocc__env_1 { int v; };struct gocc__go_1 { __typeof__(((void)0, ((struct gocc__env_1 *)0)->v)) a0; }; static void gocc__go_1_run(void *gocc__p) { struct gocc__go_1 *gocc__a = gocc__p; work(gocc__a->a0); }
#line 5 "tests/codegen/c_gnu_forms.gc"
int pick(GOCC_CHAN( int) c) { GOCC_FUNCTION_ENTRY(); {
    int v = 0;
#ifdef __APPLE__
    if (__builtin_available(macOS 10.12.1, iOS 10, *)) v = 1;
#endif
    __extension__ (void)v;
    __extension__ ({ v += 2; });
    { struct gocc__go_1 gocc__g_1 = { v }; gocc_go(gocc__go_1_run, &gocc__g_1, sizeof gocc__g_1, GOCC_GO_SITE("work", (void (*)(void))work)); }
    return v + ({ __auto_type gocc__c_2 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_2) gocc__v_2; gocc_chan_recv((struct gocc_chan *)gocc__c_2, &gocc__v_2, GOCC_HERE); gocc__v_2; });
 } }
