#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/lines.gc"
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 2 "tests/codegen/lines.gc"

static void f(int v) { GOCC_FUNCTION_ENTRY(); { printf("%d\n", v);  } }

#line 5 "tests/codegen/lines.gc"
int twice(int a);
#line 8 "tests/codegen/lines.gc"
struct gocc__env_1 { int b; };struct gocc__go_1 { __typeof__(((void)0, ((struct gocc__env_1 *)0)->b)) a0; }; static void gocc__go_1_run(void *gocc__p) { struct gocc__go_1 *gocc__a = gocc__p; f(gocc__a->a0); }
#line 9 "tests/codegen/lines.gc"
struct gocc__env_2 { int b; };
#line 9 "tests/codegen/lines.gc"
static void gocc__go_2(void *gocc__p) { struct gocc__env_2 *gocc__cap = gocc__p; __typeof__(gocc__cap->b) b; __builtin_memcpy((void *)&b, &gocc__cap->b, sizeof b); GOCC_FUNCTION_ENTRY(); {
        f(b);
     } }
#line 5 "tests/codegen/lines.gc"
int twice(int a)
{ GOCC_FUNCTION_ENTRY(); {
    int b = a;
    { struct gocc__go_1 gocc__g_1 = { b }; gocc_go(gocc__go_1_run, &gocc__g_1, sizeof gocc__g_1, GOCC_GO_SITE("f", (void (*)(void))f)); }
    { struct gocc__env_2 gocc__e_2; __builtin_memcpy((void *)&gocc__e_2.b, &b, sizeof gocc__e_2.b); gocc_go(gocc__go_2, &gocc__e_2, sizeof gocc__e_2, GOCC_HERE); }


    return b * 2;
 } }

int after(void)
{ GOCC_FUNCTION_ENTRY(); {
    return __LINE__;
 } }
