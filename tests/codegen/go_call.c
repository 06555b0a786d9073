#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/go_call.gc"
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 2 "tests/codegen/go_call.gc"

struct ops { void (*run)(int, const char *); };

void worker(int id, GOCC_CHAN( int) out) { GOCC_FUNCTION_ENTRY(); { { __auto_type gocc__c_1 = (out ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_1), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1 = ( id); gocc_chan_send((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); }  } }
static void say(int n, const char *s) { GOCC_FUNCTION_ENTRY(); { printf("%d %s\n", n, s);  } }

#line 8 "tests/codegen/go_call.gc"
void start(int n, int arr[], GOCC_CHAN( int) out, struct ops *o);
#line 10 "tests/codegen/go_call.gc"
struct gocc__env_2 { GOCC_CHAN( int) out; };struct gocc__go_2 { __typeof__(((void)0, 1)) a0; __typeof__(((void)0, ((struct gocc__env_2 *)0)->out)) a1; }; static void gocc__go_2_run(void *gocc__p) { struct gocc__go_2 *gocc__a = gocc__p; worker(gocc__a->a0, gocc__a->a1); }
#line 12 "tests/codegen/go_call.gc"
struct gocc__env_3 { int i; GOCC_CHAN( int) out; };struct gocc__go_3 { __typeof__(((void)0, ((struct gocc__env_3 *)0)->i)) a0; __typeof__(((void)0, ((struct gocc__env_3 *)0)->out)) a1; }; static void gocc__go_3_run(void *gocc__p) { struct gocc__go_3 *gocc__a = gocc__p; worker(gocc__a->a0, gocc__a->a1); }
#line 14 "tests/codegen/go_call.gc"
struct gocc__env_4 { void (*fp)(int, const char *); int n; };struct gocc__go_4 { __typeof__(((void)0, ((struct gocc__env_4 *)0)->fp)) fn; __typeof__(((void)0, ((struct gocc__env_4 *)0)->n)) a0; __typeof__(((void)0, "pointer")) a1; }; static void gocc__go_4_run(void *gocc__p) { struct gocc__go_4 *gocc__a = gocc__p; gocc__a->fn(gocc__a->a0, gocc__a->a1); }
#line 15 "tests/codegen/go_call.gc"
struct gocc__env_5 { struct ops *o; int (*arr); };struct gocc__go_5 { __typeof__(((void)0, ((struct gocc__env_5 *)0)->o->run)) fn; __typeof__(((void)0, ((struct gocc__env_5 *)0)->arr[0])) a0; __typeof__(((void)0, "member")) a1; }; static void gocc__go_5_run(void *gocc__p) { struct gocc__go_5 *gocc__a = gocc__p; gocc__a->fn(gocc__a->a0, gocc__a->a1); }
#line 17 "tests/codegen/go_call.gc"
struct gocc__env_6 { char buf[8]; };struct gocc__go_6 { __typeof__(((void)0, ((__SIZE_TYPE__)0))) a0; __typeof__(((void)0, ((struct gocc__env_6 *)0)->buf)) a1; }; static void gocc__go_6_run(void *gocc__p) { struct gocc__go_6 *gocc__a = gocc__p; say(gocc__a->a0, gocc__a->a1); }
#line 19 "tests/codegen/go_call.gc"
struct gocc__env_7 { int counter; };struct gocc__go_7 { __typeof__(((void)0, ((struct gocc__env_7 *)0)->counter)) a0; }; static void gocc__go_7_run(void *gocc__p) { struct gocc__go_7 *gocc__a = gocc__p; say(gocc__a->a0, "static"); }
#line 20 "tests/codegen/go_call.gc"
struct gocc__env_9 { GOCC_CHAN( int) out; };struct gocc__go_9 { __typeof__(((void)0, (*(GOCC_CHAN_ELEM(((struct gocc__env_9 *)0)->out) *)0))) a0; }; static void gocc__go_9_run(void *gocc__p) { struct gocc__go_9 *gocc__a = gocc__p; say(gocc__a->a0, "received"); }
#line 21 "tests/codegen/go_call.gc"
struct gocc__go_10 { char gocc__none; }; static void gocc__go_10_run(void *gocc__p) { (void)gocc__p; puts("no locals"); }
#line 8 "tests/codegen/go_call.gc"
void start(int n, int arr[], GOCC_CHAN( int) out, struct ops *o)
{ GOCC_FUNCTION_ENTRY(); {
    { struct gocc__go_2 gocc__g_2 = { 1, out }; gocc_go(gocc__go_2_run, &gocc__g_2, sizeof gocc__g_2, GOCC_GO_SITE("worker", (void (*)(void))worker)); }
    for (int i = 0; i < n; i++, GOCC_LOOP_CHECK_EXPR())
        { struct gocc__go_3 gocc__g_3 = { i, out }; gocc_go(gocc__go_3_run, &gocc__g_3, sizeof gocc__g_3, GOCC_GO_SITE("worker", (void (*)(void))worker)); }
    void (*fp)(int, const char *) = say;
    { struct gocc__go_4 gocc__g_4 = { fp, n, "pointer" }; gocc_go(gocc__go_4_run, &gocc__g_4, sizeof gocc__g_4, GOCC_GO_SITE("fp", GOCC_GO_FNARG)); }
    { struct gocc__go_5 gocc__g_5 = { o->run, arr[0], "member" }; gocc_go(gocc__go_5_run, &gocc__g_5, sizeof gocc__g_5, GOCC_GO_SITE("o->run", GOCC_GO_FNARG)); }
    char buf[8] = "array";
    { struct gocc__go_6 gocc__g_6 = { sizeof buf, buf }; gocc_go(gocc__go_6_run, &gocc__g_6, sizeof gocc__g_6, GOCC_GO_SITE("say", (void (*)(void))say)); }
    static int counter;
    { struct gocc__go_7 gocc__g_7 = { counter }; gocc_go(gocc__go_7_run, &gocc__g_7, sizeof gocc__g_7, GOCC_GO_SITE("say", (void (*)(void))say)); }
    { struct gocc__go_9 gocc__g_9 = { ({ __auto_type gocc__c_8 = (out); _Static_assert(!GOCC_CHAN_IS_SEND_ONLY(gocc__c_8), "receive from send-only channel"); GOCC_CHAN_ELEM(gocc__c_8) gocc__v_8; gocc_chan_recv((struct gocc_chan *)gocc__c_8, &gocc__v_8, GOCC_HERE); gocc__v_8; }) }; gocc_go(gocc__go_9_run, &gocc__g_9, sizeof gocc__g_9, GOCC_GO_SITE("say", (void (*)(void))say)); }
    { struct gocc__go_10 gocc__g_10 = { 0 }; gocc_go(gocc__go_10_run, &gocc__g_10, sizeof gocc__g_10, GOCC_GO_SITE("puts", 0)); }
 } }
