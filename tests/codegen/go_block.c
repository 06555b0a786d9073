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

void show(int v) { GOCC_FUNCTION_ENTRY(); printf("%d\n", v); }

#line 5 "tests/codegen/go_block.gc"
void spawn(int n, GOCC_CHAN( int) done);
#line 8 "tests/codegen/go_block.gc"
struct gocc__env_2 { int x; int arr[3]; int n; GOCC_CHAN( int) done; };
#line 8 "tests/codegen/go_block.gc"
static void gocc__go_2(void *gocc__p) { struct gocc__env_2 *gocc__cap = gocc__p; __typeof__(gocc__cap->x) x; __builtin_memcpy((void *)&x, &gocc__cap->x, sizeof x); __typeof__(gocc__cap->arr) arr; __builtin_memcpy((void *)&arr, &gocc__cap->arr, sizeof arr); __typeof__(gocc__cap->n) n; __builtin_memcpy((void *)&n, &gocc__cap->n, sizeof n); __typeof__(gocc__cap->done) done; __builtin_memcpy((void *)&done, &gocc__cap->done, sizeof done); GOCC_FUNCTION_ENTRY();
        x++;
        show(x + arr[2] + n);
        { __auto_type gocc__c_1 = (done ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_1), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_1) gocc__v_1 = ( x); gocc_chan_send((struct gocc_chan *)gocc__c_1, &gocc__v_1, GOCC_HERE); }
    }
#line 13 "tests/codegen/go_block.gc"
static void gocc__go_3(void *gocc__p) { (void)gocc__p; GOCC_FUNCTION_ENTRY();
        puts("no captures");
    }
#line 19 "tests/codegen/go_block.gc"
struct gocc__env_5 { int local; int i; GOCC_CHAN( int) done; };
#line 19 "tests/codegen/go_block.gc"
static void gocc__go_5(void *gocc__p) { struct gocc__env_5 *gocc__cap = gocc__p; __typeof__(gocc__cap->local) local; __builtin_memcpy((void *)&local, &gocc__cap->local, sizeof local); __typeof__(gocc__cap->i) i; __builtin_memcpy((void *)&i, &gocc__cap->i, sizeof i); __typeof__(gocc__cap->done) done; __builtin_memcpy((void *)&done, &gocc__cap->done, sizeof done); GOCC_FUNCTION_ENTRY();
                show(local + i);
                { __auto_type gocc__c_4 = (done ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_4), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_4) gocc__v_4 = ( 0); gocc_chan_send((struct gocc_chan *)gocc__c_4, &gocc__v_4, GOCC_HERE); }
            }
#line 17 "tests/codegen/go_block.gc"
struct gocc__env_8 { int i; GOCC_CHAN( int) done; };
#line 17 "tests/codegen/go_block.gc"
static void gocc__go_8(void *gocc__p) { struct gocc__env_8 *gocc__cap = gocc__p; __typeof__(gocc__cap->i) i; __builtin_memcpy((void *)&i, &gocc__cap->i, sizeof i); __typeof__(gocc__cap->done) done; __builtin_memcpy((void *)&done, &gocc__cap->done, sizeof done); GOCC_FUNCTION_ENTRY(); gocc_defer *gocc__defers = 0, *gocc__cur = 0;
            int local = i * 2;
            { struct gocc__env_5 gocc__e_5; __builtin_memcpy((void *)&gocc__e_5.local, &local, sizeof gocc__e_5.local); __builtin_memcpy((void *)&gocc__e_5.i, &i, sizeof gocc__e_5.i); __builtin_memcpy((void *)&gocc__e_5.done, &done, sizeof gocc__e_5.done); gocc_go(gocc__go_5, &gocc__e_5, sizeof gocc__e_5, GOCC_HERE); }



            { __auto_type gocc__a_6_0 = (-i); struct gocc__dr_6 { gocc_defer h; __typeof__(gocc__a_6_0) a0; } *gocc__r_6 = __builtin_alloca(sizeof *gocc__r_6); gocc__r_6->h.next = gocc__defers; gocc__r_6->h.site = 6; gocc__r_6->h.heap = 0; gocc__r_6->a0 = gocc__a_6_0; gocc__defers = &gocc__r_6->h; if (0) { gocc__defer_6: { struct gocc__dr_6 *gocc__d = (struct gocc__dr_6 *)gocc__cur; show(gocc__d->a0); } goto gocc__defer_next; } }
            if (local > 4) goto gocc__exit;
            { __auto_type gocc__c_7 = (done ); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(gocc__c_7), "send on receive-only channel"); GOCC_CHAN_ELEM(gocc__c_7) gocc__v_7 = ( local); gocc_chan_send((struct gocc_chan *)gocc__c_7, &gocc__v_7, GOCC_HERE); }
         goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 6: goto gocc__defer_6; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return; }
#line 5 "tests/codegen/go_block.gc"
void spawn(int n, GOCC_CHAN( int) done)
{ GOCC_FUNCTION_ENTRY();
    int x = 1, arr[3] = {1, 2, 3};
    { struct gocc__env_2 gocc__e_2; __builtin_memcpy((void *)&gocc__e_2.x, &x, sizeof gocc__e_2.x); __builtin_memcpy((void *)&gocc__e_2.arr, &arr, sizeof gocc__e_2.arr); __builtin_memcpy((void *)&gocc__e_2.n, &n, sizeof gocc__e_2.n); __builtin_memcpy((void *)&gocc__e_2.done, &done, sizeof gocc__e_2.done); gocc_go(gocc__go_2, &gocc__e_2, sizeof gocc__e_2, GOCC_HERE); }




    { gocc_go(gocc__go_3, 0, 0, GOCC_HERE); }


    for (int i = 0; i < n; i++) { GOCC_LOOP_CHECK();
        { struct gocc__env_8 gocc__e_8; __builtin_memcpy((void *)&gocc__e_8.i, &i, sizeof gocc__e_8.i); __builtin_memcpy((void *)&gocc__e_8.done, &done, sizeof gocc__e_8.done); gocc_go(gocc__go_8, &gocc__e_8, sizeof gocc__e_8, GOCC_HERE); }









    }
}
