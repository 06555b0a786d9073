#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/go_block.gc"
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 2 "tests/codegen/go_block.gc"

void show(int v) { GOCC_FUNCTION_ENTRY(); { printf("%d\n", v);  } }

#line 5 "tests/codegen/go_block.gc"
void spawn(int n, GOCC_CHAN( int) done);
#line 8 "tests/codegen/go_block.gc"
struct gocc__t_4_5 { int x; }; struct gocc__t_4_6 { int arr[3]; }; struct gocc__env_4 { __typeof__(((struct gocc__t_4_5 *)0)->x) *x; __typeof__(((struct gocc__t_4_6 *)0)->arr) *arr; int n; GOCC_CHAN( int) done; };
#line 8 "tests/codegen/go_block.gc"
static void gocc__go_4(void *gocc__p) { struct gocc__env_4 *gocc__cap = gocc__p; __typeof__(gocc__cap->x) x GOCC_CELL_DROP = gocc__cap->x; __typeof__(gocc__cap->arr) arr GOCC_CELL_DROP = gocc__cap->arr; __typeof__(gocc__cap->n) n; __typeof__(gocc__cap->done) done; __builtin_memcpy((void *)&n, &gocc__cap->n, sizeof n); __builtin_memcpy((void *)&done, &gocc__cap->done, sizeof done); GOCC_FUNCTION_ENTRY(); {
        (*x)++;
        show((*x) + (*arr)[2] + n);
        { __auto_type gocc__c_3 = (done ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_3), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_3) gocc__v_3 = ( (*x)); gocc_chan_send((struct gocc_chan *)gocc__c_3, &gocc__v_3, GOCC_HERE); }
     } }
#line 13 "tests/codegen/go_block.gc"
static void gocc__go_5(void *gocc__p) { (void)gocc__p; GOCC_FUNCTION_ENTRY(); {
        puts("no captures");
     } }
#line 19 "tests/codegen/go_block.gc"
struct gocc__env_7 { int local; int i; GOCC_CHAN( int) done; };
#line 19 "tests/codegen/go_block.gc"
static void gocc__go_7(void *gocc__p) { struct gocc__env_7 *gocc__cap = gocc__p; __typeof__(gocc__cap->local) local; __typeof__(gocc__cap->i) i; __typeof__(gocc__cap->done) done; __builtin_memcpy((void *)&local, &gocc__cap->local, sizeof local); __builtin_memcpy((void *)&i, &gocc__cap->i, sizeof i); __builtin_memcpy((void *)&done, &gocc__cap->done, sizeof done); GOCC_FUNCTION_ENTRY(); {
                show(local + i);
                { __auto_type gocc__c_6 = (done ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_6), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_6) gocc__v_6 = ( 0); gocc_chan_send((struct gocc_chan *)gocc__c_6, &gocc__v_6, GOCC_HERE); }
             } }
#line 17 "tests/codegen/go_block.gc"
struct gocc__env_10 { int i; GOCC_CHAN( int) done; };
#line 17 "tests/codegen/go_block.gc"
static void gocc__go_10(void *gocc__p) { gocc_defer *gocc__defers = 0, *gocc__cur = 0; struct gocc__env_10 *gocc__cap = gocc__p; __typeof__(gocc__cap->i) i; __typeof__(gocc__cap->done) done; __builtin_memcpy((void *)&i, &gocc__cap->i, sizeof i); __builtin_memcpy((void *)&done, &gocc__cap->done, sizeof done); GOCC_FUNCTION_ENTRY(); {
            int local = i * 2;
            { struct gocc__env_7 gocc__e_7; __builtin_memcpy((void *)&gocc__e_7.local, &local, sizeof gocc__e_7.local); __builtin_memcpy((void *)&gocc__e_7.i, &i, sizeof gocc__e_7.i); __builtin_memcpy((void *)&gocc__e_7.done, &done, sizeof gocc__e_7.done); gocc_go(gocc__go_7, &gocc__e_7, sizeof gocc__e_7, GOCC_HERE); }



            { __auto_type gocc__a_8_0 = (-i); struct gocc__dr_8 { gocc_defer h; __typeof__(gocc__a_8_0) a0; } *gocc__r_8 = __builtin_alloca(sizeof *gocc__r_8); gocc__r_8->h.next = gocc__defers; gocc__r_8->h.site = 8; gocc__r_8->h.heap = 0; gocc__r_8->a0 = gocc__a_8_0; gocc__defers = &gocc__r_8->h; if (0) { gocc__defer_8: { struct gocc__dr_8 *gocc__d = (struct gocc__dr_8 *)gocc__cur; show(gocc__d->a0); } goto gocc__defer_next; } }
            if (local > 4) goto gocc__exit;
            { __auto_type gocc__c_9 = (done ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_9), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_9) gocc__v_9 = ( local); gocc_chan_send((struct gocc_chan *)gocc__c_9, &gocc__v_9, GOCC_HERE); }
         goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 8: goto gocc__defer_8; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return; } }
#line 5 "tests/codegen/go_block.gc"
void spawn(int n, GOCC_CHAN( int) done)
{ GOCC_FUNCTION_ENTRY(); {
    int gocc__v_1 = 1, (*x) GOCC_CELL_DROP = gocc_cell_dup(&gocc__v_1, sizeof gocc__v_1), gocc__v_2[3] = {1, 2, 3}, (*arr)[3] GOCC_CELL_DROP = gocc_cell_dup(&gocc__v_2, sizeof gocc__v_2);
    { struct gocc__env_4 gocc__e_4; gocc__e_4.x = gocc_cell_ref(x); gocc__e_4.arr = gocc_cell_ref(arr); __builtin_memcpy((void *)&gocc__e_4.n, &n, sizeof gocc__e_4.n); __builtin_memcpy((void *)&gocc__e_4.done, &done, sizeof gocc__e_4.done); gocc_go(gocc__go_4, &gocc__e_4, sizeof gocc__e_4, GOCC_HERE); }




    { gocc_go(gocc__go_5, 0, 0, GOCC_HERE); }


    for (int i = 0; i < n; i++) { GOCC_LOOP_CHECK(); {
        { struct gocc__env_10 gocc__e_10; __builtin_memcpy((void *)&gocc__e_10.i, &i, sizeof gocc__e_10.i); __builtin_memcpy((void *)&gocc__e_10.done, &done, sizeof gocc__e_10.done); gocc_go(gocc__go_10, &gocc__e_10, sizeof gocc__e_10, GOCC_HERE); }









    } }
 } }
