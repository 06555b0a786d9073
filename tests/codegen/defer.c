#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/defer.gc"
#include <stdio.h>
#include <stdlib.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 3 "tests/codegen/defer.gc"

static void say(const char *s, int n) { GOCC_FUNCTION_ENTRY(); { printf("%s %d\n", s, n);  } }

int value(void)
{ gocc_defer *gocc__defers = 0, *gocc__cur = 0; int gocc__ret; GOCC_FUNCTION_ENTRY(); {
    int x = 1;
    { struct gocc__dr_1 { gocc_defer h; } *gocc__r_1 = __builtin_alloca(sizeof *gocc__r_1); gocc__r_1->h.next = gocc__defers; gocc__r_1->h.site = 1; gocc__r_1->h.heap = 0; gocc__defers = &gocc__r_1->h; if (0) { gocc__defer_1: { { x = 100; say("block sees", x); } } goto gocc__defer_next; } }
    { __auto_type gocc__a_2_0 = (x); struct gocc__dr_2 { gocc_defer h; __typeof__(gocc__a_2_0) a0; } *gocc__r_2 = __builtin_alloca(sizeof *gocc__r_2); gocc__r_2->h.next = gocc__defers; gocc__r_2->h.site = 2; gocc__r_2->h.heap = 0; gocc__r_2->a0 = gocc__a_2_0; gocc__defers = &gocc__r_2->h; if (0) { gocc__defer_2: { struct gocc__dr_2 *gocc__d = (struct gocc__dr_2 *)gocc__cur; say("args evaluated at defer", gocc__d->a0); } goto gocc__defer_next; } }
    x = 2;
    { gocc__ret = ( x * 10); goto gocc__exit; }
 goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 1: goto gocc__defer_1; case 2: goto gocc__defer_2; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return gocc__ret; } }

void loop(int n)
{ gocc_defer *gocc__defers = 0, *gocc__cur = 0; GOCC_FUNCTION_ENTRY(); {
    for (int i = 0; i < n; i++, GOCC_LOOP_CHECK_EXPR())
        { __auto_type gocc__a_3_0 = (i); struct gocc__dr_3 { gocc_defer h; __typeof__(gocc__a_3_0) a0; } *gocc__r_3 = gocc_defer_alloc(sizeof *gocc__r_3); gocc__r_3->h.next = gocc__defers; gocc__r_3->h.site = 3; gocc__r_3->h.heap = 1; gocc__r_3->a0 = gocc__a_3_0; gocc__defers = &gocc__r_3->h; if (0) { gocc__defer_3: { struct gocc__dr_3 *gocc__d = (struct gocc__dr_3 *)gocc__cur; say("loop", gocc__d->a0); } goto gocc__defer_next; } }
    if (n > 5) goto gocc__exit;
    say("end of loop", n);
 goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 3: goto gocc__defer_3; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return; } }

char *dup(const char *s)
{ gocc_defer *gocc__defers = 0, *gocc__cur = 0; char *gocc__ret; GOCC_FUNCTION_ENTRY(); {
    char *p = malloc(16);
    { struct gocc__dr_4 { gocc_defer h; } *gocc__r_4 = __builtin_alloca(sizeof *gocc__r_4); gocc__r_4->h.next = gocc__defers; gocc__r_4->h.site = 4; gocc__r_4->h.heap = 0; gocc__defers = &gocc__r_4->h; if (0) { gocc__defer_4: { {
        if (!p) goto gocc__defer_next;
        say("dup", 0);
    } } goto gocc__defer_next; } }
    { gocc__ret = ( p ? p : (char *)s); goto gocc__exit; }
 goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 4: goto gocc__defer_4; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return gocc__ret; } }

void nothing(void) { gocc_defer *gocc__defers = 0, *gocc__cur = 0; GOCC_FUNCTION_ENTRY(); { { struct gocc__dr_5 { gocc_defer h; } *gocc__r_5 = __builtin_alloca(sizeof *gocc__r_5); gocc__r_5->h.next = gocc__defers; gocc__r_5->h.site = 5; gocc__r_5->h.heap = 0; gocc__defers = &gocc__r_5->h; if (0) { gocc__defer_5: { puts("bye"); } goto gocc__defer_next; } }  goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 5: goto gocc__defer_5; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return; } }
