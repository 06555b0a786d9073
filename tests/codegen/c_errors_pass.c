#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/c_errors_pass.gc"
// Valid C that tree-sitter cannot parse without the preprocessor: the
// regions it cannot parse hold no gc, so their bytes pass through and the C
// compiler (which sees the macros) judges them; the gc around them is
// lowered as usual, and no loop check or function entry goes into them.
#define API extern
#define l_sinline static inline
#define intop(op, a, b) ((a) op (b))
#define VARIADIC(fmt, args...) printf(fmt, args)
typedef int StkId;

API int api_f(int x);
l_sinline StkId g(StkId x) { GOCC_FUNCTION_ENTRY(); { return x;  } }

int h(int a, int b)
{ GOCC_FUNCTION_ENTRY(); {
    int r = intop(+, a, b);
    while (r < 10) r = intop(*, r, 2);
    __signed__ int s = r;
    return s;
 } }

#if 1
int split(int a) {
#else
int split(int a, int b) { GOCC_FUNCTION_ENTRY();
#endif
    for (; a < 100; GOCC_LOOP_CHECK_EXPR())
        a++;
    return a;
 }

void chans(GOCC_CHAN( int) c)
{ GOCC_FUNCTION_ENTRY(); {
    int v = intop(-, 5, 2);
    { __auto_type gocc__c_1 = (c ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_1), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1 = ( v); gocc_chan_send((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); }
    v = ({ __auto_type gocc__c_2 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_2), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_2) gocc__v_2; gocc_chan_recv((struct gocc_chan *)gocc__c_2, &gocc__v_2, GOCC_HERE); gocc__v_2; });
    for (int i = 0; i < v; i++) intop(+, i, 1);
 } }
