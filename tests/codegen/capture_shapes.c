#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/capture_shapes.gc"
/* The four capturing statements side by side (codegen/capture.c decides
 * what each captures): go f(args) and defer f(args) take the callee (a
 * pointer here) and the arguments as values at the statement, a direct
 * callee's string literal stays literal; go { } copies y (never changed)
 * and shares x (changed after); defer { } copies j (an inner block's,
 * unchanged after it). len is the program's own function in all four. */
#include <stdio.h>
#include <string.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 9 "tests/codegen/capture_shapes.gc"

int len(const char *s) { GOCC_FUNCTION_ENTRY(); { return (int)strlen(s);  } }
void show(const char *what, int n) { GOCC_FUNCTION_ENTRY(); { printf("%s %d\n", what, n);  } }

#line 13 "tests/codegen/capture_shapes.gc"
void shapes(const char *w);
#line 17 "tests/codegen/capture_shapes.gc"
struct gocc__env_2 { void (*f)(const char *, int); const char *w; int x; };struct gocc__go_2 { __typeof__(((void)0, ((struct gocc__env_2 *)0)->f)) fn; __typeof__(((void)0, "go")) a0; __typeof__(((void)0, len(((struct gocc__env_2 *)0)->w) + ((struct gocc__env_2 *)0)->x)) a1; }; static void gocc__go_2_run(void *gocc__p) { struct gocc__go_2 *gocc__a = gocc__p; gocc__a->fn(gocc__a->a0, gocc__a->a1); }
#line 18 "tests/codegen/capture_shapes.gc"
struct gocc__env_3 { const char *w; };struct gocc__go_3 { __typeof__(((void)0, len(((struct gocc__env_3 *)0)->w))) a0; }; static void gocc__go_3_run(void *gocc__p) { struct gocc__go_3 *gocc__a = gocc__p; show("go direct", gocc__a->a0); }
#line 21 "tests/codegen/capture_shapes.gc"
struct gocc__t_6_8 { int x; }; struct gocc__env_6 { __typeof__(((struct gocc__t_6_8 *)0)->x) *x; int y; const char *w; };
#line 21 "tests/codegen/capture_shapes.gc"
static void gocc__go_6(void *gocc__p) { struct gocc__env_6 *gocc__cap = gocc__p; __typeof__(gocc__cap->x) x GOCC_CELL_DROP = gocc__cap->x; __typeof__(gocc__cap->y) y; __typeof__(gocc__cap->w) w; __builtin_memcpy((void *)&y, &gocc__cap->y, sizeof y); __builtin_memcpy((void *)&w, &gocc__cap->w, sizeof w); GOCC_FUNCTION_ENTRY(); { show("go block", (*x) + y + len(w));  } }
#line 13 "tests/codegen/capture_shapes.gc"
void shapes(const char *w)
{ gocc_defer *gocc__defers = 0, *gocc__cur = 0; GOCC_FUNCTION_ENTRY(); {
    void (*f)(const char *, int) = show;
    int gocc__v_1 = 1, (*x) = gocc_cell_defer(&gocc__defers, gocc_cell_dup(&gocc__v_1, sizeof gocc__v_1)), y = 2;
    { struct gocc__go_2 gocc__g_2 = { f, "go", len(w) + (*x) }; gocc_go(gocc__go_2_run, &gocc__g_2, sizeof gocc__g_2, GOCC_GO_SITE("f", GOCC_GO_FNARG)); }
    { struct gocc__go_3 gocc__g_3 = { len(w) }; gocc_go(gocc__go_3_run, &gocc__g_3, sizeof gocc__g_3, GOCC_GO_SITE("show", (void (*)(void))show)); }
    { __auto_type gocc__f_4 = (f); __auto_type gocc__a_4_0 = ("defer"); __auto_type gocc__a_4_1 = (len(w) + (*x)); struct gocc__dr_4 { gocc_defer h; __typeof__(gocc__f_4) fn; __typeof__(gocc__a_4_0) a0; __typeof__(gocc__a_4_1) a1; } *gocc__r_4 = __builtin_alloca(sizeof *gocc__r_4); gocc__r_4->h.next = gocc__defers; gocc__r_4->h.site = 4; gocc__r_4->h.heap = 0; gocc__r_4->fn = gocc__f_4; gocc__r_4->a0 = gocc__a_4_0; gocc__r_4->a1 = gocc__a_4_1; gocc__defers = &gocc__r_4->h; if (0) { gocc__defer_4: { struct gocc__dr_4 *gocc__d = (struct gocc__dr_4 *)gocc__cur; gocc__d->fn(gocc__d->a0, gocc__d->a1); } goto gocc__defer_next; } }
    { __auto_type gocc__a_5_0 = (len(w)); struct gocc__dr_5 { gocc_defer h; __typeof__(gocc__a_5_0) a0; } *gocc__r_5 = __builtin_alloca(sizeof *gocc__r_5); gocc__r_5->h.next = gocc__defers; gocc__r_5->h.site = 5; gocc__r_5->h.heap = 0; gocc__r_5->a0 = gocc__a_5_0; gocc__defers = &gocc__r_5->h; if (0) { gocc__defer_5: { struct gocc__dr_5 *gocc__d = (struct gocc__dr_5 *)gocc__cur; show("defer direct", gocc__d->a0); } goto gocc__defer_next; } }
    { struct gocc__env_6 gocc__e_6; gocc__e_6.x = gocc_cell_ref(x); __builtin_memcpy((void *)&gocc__e_6.y, &y, sizeof gocc__e_6.y); __builtin_memcpy((void *)&gocc__e_6.w, &w, sizeof gocc__e_6.w); gocc_go(gocc__go_6, &gocc__e_6, sizeof gocc__e_6, GOCC_HERE); }
    for (int i = 0; i < 2; i++) { GOCC_LOOP_CHECK(); {
        int j = i * 10;
        { struct gocc__dr_7 { gocc_defer h; __typeof__(j) j; } *gocc__r_7 = gocc_defer_alloc(sizeof *gocc__r_7); gocc__r_7->h.next = gocc__defers; gocc__r_7->h.site = 7; gocc__r_7->h.heap = 1; __builtin_memcpy((void *)&gocc__r_7->j, &j, sizeof j); gocc__defers = &gocc__r_7->h; if (0) { gocc__defer_7: { struct gocc__dr_7 *gocc__d = (struct gocc__dr_7 *)gocc__cur; _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wshadow\"") __typeof__(gocc__d->j) j; _Pragma("GCC diagnostic pop") __builtin_memcpy((void *)&j, &gocc__d->j, sizeof j); { show("defer block", j + len(w)); } } goto gocc__defer_next; } }
    } }
    (*x) = 3;
 goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 4: goto gocc__defer_4; case 5: goto gocc__defer_5; case 7: goto gocc__defer_7; case -1: gocc_cell_unref(((gocc_cell_rec_ *)gocc__cur)->cell); break; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return; } }
