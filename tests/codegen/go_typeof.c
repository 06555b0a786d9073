#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/go_typeof.gc"
/* Captured locals whose declarations mention other locals. */
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 3 "tests/codegen/go_typeof.gc"

#line 4 "tests/codegen/go_typeof.gc"
void f(double d, GOCC_CHAN(double) out);
#line 9 "tests/codegen/go_typeof.gc"
struct gocc__t_2_1 { double d; }; struct gocc__t_2_3 { __typeof__(((void)0, ((struct gocc__t_2_1 *)0)->d * 2)) x; }; struct gocc__env_2 { GOCC_CHAN(double) out; __typeof__(((struct gocc__t_2_3 *)0)->x) x; __typeof__(((struct gocc__t_2_3 *)0)->x) y; int n; };
#line 9 "tests/codegen/go_typeof.gc"
static void gocc__go_2(void *gocc__p) { struct gocc__env_2 *gocc__cap = gocc__p; __typeof__(gocc__cap->out) out; __typeof__(gocc__cap->x) x; __typeof__(gocc__cap->y) y; __typeof__(gocc__cap->n) n; __builtin_memcpy((void *)&out, &gocc__cap->out, sizeof out); __builtin_memcpy((void *)&x, &gocc__cap->x, sizeof x); __builtin_memcpy((void *)&y, &gocc__cap->y, sizeof y); __builtin_memcpy((void *)&n, &gocc__cap->n, sizeof n); GOCC_FUNCTION_ENTRY(); {
        { __auto_type gocc__c_1 = (out ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_1), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1 = ( x + y + n); gocc_chan_send((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); }
     } }
#line 12 "tests/codegen/go_typeof.gc"
struct gocc__t_3_1 { double d; }; struct gocc__t_3_3 { __typeof__(((void)0, ((struct gocc__t_3_1 *)0)->d * 2)) x; }; struct gocc__env_3 { __typeof__(((struct gocc__t_3_3 *)0)->x) y; };struct gocc__go_3 { __typeof__(((void)0, ((struct gocc__env_3 *)0)->y)) a0; }; static void gocc__go_3_run(void *gocc__p) { struct gocc__go_3 *gocc__a = gocc__p; printf("%g\n", gocc__a->a0); }
#line 4 "tests/codegen/go_typeof.gc"
void f(double d, GOCC_CHAN(double) out)
{ GOCC_FUNCTION_ENTRY(); {
    __auto_type x = d * 2;
    __typeof__(x) y = x + 1;
    int n = 3;
    { struct gocc__env_2 gocc__e_2; __builtin_memcpy((void *)&gocc__e_2.out, &out, sizeof gocc__e_2.out); __builtin_memcpy((void *)&gocc__e_2.x, &x, sizeof gocc__e_2.x); __builtin_memcpy((void *)&gocc__e_2.y, &y, sizeof gocc__e_2.y); __builtin_memcpy((void *)&gocc__e_2.n, &n, sizeof gocc__e_2.n); gocc_go(gocc__go_2, &gocc__e_2, sizeof gocc__e_2, GOCC_HERE); }


    { struct gocc__go_3 gocc__g_3 = { y }; gocc_go(gocc__go_3_run, &gocc__g_3, sizeof gocc__g_3, GOCC_GO_SITE("printf", 0)); }
 } }
