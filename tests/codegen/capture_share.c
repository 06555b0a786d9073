#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/capture_share.gc"
/* Variables that go blocks share live in reference-counted cells
 * (codegen/capture.c); the others are copied. */
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 4 "tests/codegen/capture_share.gc"

void use(int);

/* a parameter changed by the block; an unchanged one is copied */
#line 8 "tests/codegen/capture_share.gc"
void param(int gocc__v_1, int k);
#line 10 "tests/codegen/capture_share.gc"
struct gocc__t_2_2 { int n; }; struct gocc__env_2 { __typeof__(((struct gocc__t_2_2 *)0)->n) *n; int k; };
#line 10 "tests/codegen/capture_share.gc"
static void gocc__go_2(void *gocc__p) { struct gocc__env_2 *gocc__cap = gocc__p; __typeof__(gocc__cap->n) n GOCC_CELL_DROP = gocc__cap->n; __typeof__(gocc__cap->k) k; __builtin_memcpy((void *)&k, &gocc__cap->k, sizeof k); GOCC_FUNCTION_ENTRY(); {
        (*n) += k;
     } }
#line 8 "tests/codegen/capture_share.gc"
void param(int gocc__v_1, int k)
{ __typeof__(gocc__v_1) (*n) GOCC_CELL_DROP = gocc_cell_dup(&gocc__v_1, sizeof gocc__v_1); GOCC_FUNCTION_ENTRY(); {
    { struct gocc__env_2 gocc__e_2; gocc__e_2.n = gocc_cell_ref(n); __builtin_memcpy((void *)&gocc__e_2.k, &k, sizeof gocc__e_2.k); gocc_go(gocc__go_2, &gocc__e_2, sizeof gocc__e_2, GOCC_HERE); }


    use((*n));
 } }

/* a for clause's variable is per iteration; changed in the body after the
 * go statement, it is shared, and the update moves it to a new cell */
#line 18 "tests/codegen/capture_share.gc"
void loops(int m);
#line 21 "tests/codegen/capture_share.gc"
struct gocc__env_3 { int i; };
#line 21 "tests/codegen/capture_share.gc"
static void gocc__go_3(void *gocc__p) { struct gocc__env_3 *gocc__cap = gocc__p; __typeof__(gocc__cap->i) i; __builtin_memcpy((void *)&i, &gocc__cap->i, sizeof i); GOCC_FUNCTION_ENTRY(); {
            use(i);
         } }
#line 26 "tests/codegen/capture_share.gc"
struct gocc__t_5_7 { int j; }; struct gocc__env_5 { __typeof__(((struct gocc__t_5_7 *)0)->j) *j; };
#line 26 "tests/codegen/capture_share.gc"
static void gocc__go_5(void *gocc__p) { struct gocc__env_5 *gocc__cap = gocc__p; __typeof__(gocc__cap->j) j GOCC_CELL_DROP = gocc__cap->j; GOCC_FUNCTION_ENTRY(); {
            use((*j));
         } }
#line 33 "tests/codegen/capture_share.gc"
struct gocc__t_7_8 { int w; }; struct gocc__env_7 { __typeof__(((struct gocc__t_7_8 *)0)->w) *w; };
#line 33 "tests/codegen/capture_share.gc"
static void gocc__go_7(void *gocc__p) { struct gocc__env_7 *gocc__cap = gocc__p; __typeof__(gocc__cap->w) w GOCC_CELL_DROP = gocc__cap->w; GOCC_FUNCTION_ENTRY(); {
            use((*w));
         } }
#line 18 "tests/codegen/capture_share.gc"
void loops(int m)
{ GOCC_FUNCTION_ENTRY(); {
    for (int i = 0; i < m; i++) { GOCC_LOOP_CHECK(); {
        { struct gocc__env_3 gocc__e_3; __builtin_memcpy((void *)&gocc__e_3.i, &i, sizeof gocc__e_3.i); gocc_go(gocc__go_3, &gocc__e_3, sizeof gocc__e_3, GOCC_HERE); }


    } }
    for (int gocc__v_4 = 0, (*j) GOCC_CELL_DROP = gocc_cell_dup(&gocc__v_4, sizeof gocc__v_4); (*j) < m; j = gocc_cell_renew(j, sizeof *j), (*j)++) { GOCC_LOOP_CHECK(); {
        { struct gocc__env_5 gocc__e_5; gocc__e_5.j = gocc_cell_ref(j); gocc_go(gocc__go_5, &gocc__e_5, sizeof gocc__e_5, GOCC_HERE); }


        (*j)++;
    } }
    int gocc__v_6 = 0, (*w) GOCC_CELL_DROP = gocc_cell_dup(&gocc__v_6, sizeof gocc__v_6);
    while ((*w) < m) { GOCC_LOOP_CHECK(); {
        { struct gocc__env_7 gocc__e_7; gocc__e_7.w = gocc_cell_ref(w); gocc_go(gocc__go_7, &gocc__e_7, sizeof gocc__e_7, GOCC_HERE); }


        (*w)++;
    } }
 } }

/* in a function with defers, cells are dropped by records on its defer list */
#line 41 "tests/codegen/capture_share.gc"
int deferred(void);
#line 46 "tests/codegen/capture_share.gc"
struct gocc__t_9_10 { int total; }; struct gocc__env_9 { __typeof__(((struct gocc__t_9_10 *)0)->total) *total; };
#line 46 "tests/codegen/capture_share.gc"
static void gocc__go_9(void *gocc__p) { struct gocc__env_9 *gocc__cap = gocc__p; __typeof__(gocc__cap->total) total GOCC_CELL_DROP = gocc__cap->total; GOCC_FUNCTION_ENTRY(); {
        (*total) = 1;
     } }
#line 50 "tests/codegen/capture_share.gc"
struct gocc__t_11_12 { int q; }; struct gocc__env_11 { __typeof__(((struct gocc__t_11_12 *)0)->q) *q; };
#line 50 "tests/codegen/capture_share.gc"
static void gocc__go_11(void *gocc__p) { struct gocc__env_11 *gocc__cap = gocc__p; __typeof__(gocc__cap->q) q GOCC_CELL_DROP = gocc__cap->q; GOCC_FUNCTION_ENTRY(); {
            (*q)++;
         } }
#line 41 "tests/codegen/capture_share.gc"
int deferred(void)
{ gocc_defer *gocc__defers = 0, *gocc__cur = 0; int gocc__ret; GOCC_FUNCTION_ENTRY(); {
    int (*total) = gocc_cell_defer(&gocc__defers, gocc_cell_new(sizeof *total));
    int *p = &(*total);
    { struct gocc__dr_8 { gocc_defer h; } *gocc__r_8 = __builtin_alloca(sizeof *gocc__r_8); gocc__r_8->h.next = gocc__defers; gocc__r_8->h.site = 8; gocc__r_8->h.heap = 0; gocc__defers = &gocc__r_8->h; if (0) { gocc__defer_8: { puts("done"); } goto gocc__defer_next; } }
    { struct gocc__env_9 gocc__e_9; gocc__e_9.total = gocc_cell_ref(total); gocc_go(gocc__go_9, &gocc__e_9, sizeof gocc__e_9, GOCC_HERE); }


    for (int gocc__v_10 = 0, (*q) = gocc_cell_defer(&gocc__defers, gocc_cell_dup(&gocc__v_10, sizeof gocc__v_10)); (*q) < 2; q = gocc_cell_defer(&gocc__defers, gocc_cell_dup(q, sizeof *q)), (*q)++) { GOCC_LOOP_CHECK(); {
        { struct gocc__env_11 gocc__e_11; gocc__e_11.q = gocc_cell_ref(q); gocc_go(gocc__go_11, &gocc__e_11, sizeof gocc__e_11, GOCC_HERE); }


    } }
    { gocc__ret = ( *p); goto gocc__exit; }
 goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 8: goto gocc__defer_8; case -1: gocc_cell_unref(((gocc_cell_rec_ *)gocc__cur)->cell); break; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return gocc__ret; } }
