#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/c_gnu_extension.gc"
// __extension__ before any expression: inside parentheses (what glibc's
// macros expand to) it was an error region passed to cc untouched, and the
// go block and the receive beside it were refused. Now it is C like any
// other expression, and gc inside it is lowered.
static void work(int n) { GOCC_FUNCTION_ENTRY(); { (void)n;  } }

#line 7 "tests/codegen/c_gnu_extension.gc"
int pick(GOCC_CHAN( int) c);
#line 10 "tests/codegen/c_gnu_extension.gc"
struct gocc__env_1 { int v; };struct gocc__go_1 { __typeof__(((void)0, ((struct gocc__env_1 *)0)->v)) a0; }; static void gocc__go_1_run(void *gocc__p) { struct gocc__go_1 *gocc__a = gocc__p; work(gocc__a->a0); }
#line 11 "tests/codegen/c_gnu_extension.gc"
struct gocc__env_2 { long long big; };
#line 11 "tests/codegen/c_gnu_extension.gc"
static void gocc__go_2(void *gocc__p) { struct gocc__env_2 *gocc__cap = gocc__p; __typeof__(gocc__cap->big) big; __builtin_memcpy((void *)&big, &gocc__cap->big, sizeof big); GOCC_FUNCTION_ENTRY(); { work((int)big);  } }
#line 7 "tests/codegen/c_gnu_extension.gc"
int pick(GOCC_CHAN( int) c) { GOCC_FUNCTION_ENTRY(); {
    int v = (__extension__ ({ int t = 1; t + 1; }));
    long long big = __extension__ 1LL << 40;
    { struct gocc__go_1 gocc__g_1 = { v }; gocc_go(gocc__go_1_run, &gocc__g_1, sizeof gocc__g_1, GOCC_GO_SITE("work", (void (*)(void))work)); }
    { struct gocc__env_2 gocc__e_2; __builtin_memcpy((void *)&gocc__e_2.big, &big, sizeof gocc__e_2.big); gocc_go(gocc__go_2, &gocc__e_2, sizeof gocc__e_2, GOCC_HERE); }
    return (__extension__ ({ int r = ({ __auto_type gocc__c_3 = (c); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_3), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_3) gocc__v_3; gocc_chan_recv((struct gocc_chan *)gocc__c_3, &gocc__v_3, GOCC_HERE); gocc__v_3; }); r + v; }));
 } }
