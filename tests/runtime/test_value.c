/* test_value.c - atomic_value. */
#include "test_chan_util.h"

typedef struct pair { long a, b; } pair;

GOCC_TEST(value_store_load)
{
    static atomic_value v;
    pair p = {1, 2};
    CU_ASSERT(!atomic_value_load(&v, &p, sizeof p));
    CU_ASSERT(p.a == 1 && p.b == 2); /* untouched */
    atomic_value_store_of(&v, ((pair){3, 4}));
    pair q = atomic_value_load_as(&v, pair);
    CU_ASSERT(q.a == 3 && q.b == 4);
    for (long i = 0; i < 1000; i++)
        atomic_value_store_of(&v, ((pair){i, -i}));
    q = atomic_value_load_as(&v, pair);
    CU_ASSERT(q.a == 999 && q.b == -999);
}

typedef struct { atomic_value *v; sync_waitgroup *wg; int *bad; int n; } val_arg;

static void val_writer(val_arg *a)
{
    for (long i = 1; i <= a->n; i++)
        atomic_value_store_of(a->v, ((pair){i, -i}));
    sync_waitgroup_done(a->wg);
}

static void val_reader(val_arg *a)
{
    for (int i = 0; i < a->n; i++) {
        pair p = atomic_value_load_as(a->v, pair);
        if (p.a != -p.b) /* torn */
            __atomic_store_n(a->bad, 1, __ATOMIC_RELAXED);
        if (i % 100 == 0)
            runtime_gosched();
    }
    sync_waitgroup_done(a->wg);
}

GOCC_TEST(value_concurrent_never_torn)
{
    static atomic_value v;
    static sync_waitgroup wg;
    static int bad;
    atomic_value_store_of(&v, ((pair){0, 0}));
    val_arg a = {&v, &wg, &bad, 20000};
    sync_waitgroup_add(&wg, 6);
    for (int i = 0; i < 2; i++)
        GO(val_writer, a);
    for (int i = 0; i < 4; i++)
        GO(val_reader, a);
    sync_waitgroup_wait(&wg);
    CU_ASSERT_EQUAL(bad, 0);
}

static void do_inconsistent(void *x)
{
    static atomic_value v;
    atomic_value_store_of(&v, (int)1);
    atomic_value_store_of(&v, (long)2);
}

static void do_must_load_empty(void *x)
{
    static atomic_value v;
    pair p = atomic_value_load_as(&v, pair);
    (void)p;
}

GOCC_TEST(value_panics)
{
    CU_ASSERT(expect_death(do_inconsistent, NULL, 2, "panic: sync/atomic: store of inconsistently typed value into Value", NULL));
    CU_ASSERT(expect_death(do_must_load_empty, NULL, 2, "panic: interface conversion: interface {} is nil, not pair", NULL));
}
