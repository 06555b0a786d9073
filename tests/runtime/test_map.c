/* test_map.c - sync_map. */
#include "test_chan_util.h"

#define K(i) ((const void *)(__UINTPTR_TYPE__)(i))
#define V(i) ((void *)(__UINTPTR_TYPE__)(i))

GOCC_TEST(map_basic)
{
    static sync_map m;
    _Bool ok = 1, loaded;
    CU_ASSERT(sync_map_load(&m, K(1), &ok) == NULL && !ok);
    sync_map_store(&m, K(1), V(10));
    CU_ASSERT(sync_map_load(&m, K(1), &ok) == V(10) && ok);
    sync_map_store(&m, K(1), V(11));
    CU_ASSERT(sync_map_load(&m, K(1), NULL) == V(11));
    CU_ASSERT(sync_map_loadorstore(&m, K(1), V(12), &loaded) == V(11) && loaded);
    CU_ASSERT(sync_map_loadorstore(&m, K(2), V(20), &loaded) == V(20) && !loaded);
    CU_ASSERT(sync_map_loadanddelete(&m, K(2), &loaded) == V(20) && loaded);
    CU_ASSERT(sync_map_loadanddelete(&m, K(2), &loaded) == NULL && !loaded);
    sync_map_delete(&m, K(1));
    CU_ASSERT(sync_map_load(&m, K(1), &ok) == NULL && !ok);
    /* Many keys: the stripes grow. */
    for (long i = 0; i < 10000; i++)
        sync_map_store(&m, K(i * 8), V(i));
    for (long i = 0; i < 10000; i++)
        CU_ASSERT_FATAL(sync_map_load(&m, K(i * 8), &ok) == V(i) && ok);
}

GOCC_TEST(map_string_keys)
{
    static sync_map m;
    char key[32];
    strcpy(key, "hello");
    sync_map_store_str(&m, key, V(1));
    strcpy(key, "xxxxx"); /* the map copied the key */
    _Bool ok;
    CU_ASSERT(sync_map_load_str(&m, "hello", &ok) == V(1) && ok);
    CU_ASSERT(sync_map_load_str(&m, "xxxxx", &ok) == NULL && !ok);
    CU_ASSERT(sync_map_load(&m, "hello", &ok) == NULL && !ok); /* pointer keys are separate */
    sync_map_delete_str(&m, "hello");
    CU_ASSERT(sync_map_load_str(&m, "hello", &ok) == NULL && !ok);
}

typedef struct { long n, sum; sync_map *m; } range_acc;

static _Bool count_entry(const void *key, void *value, void *arg)
{
    range_acc *a = arg;
    a->n++;
    a->sum += (long)(__UINTPTR_TYPE__)value;
    /* f may use the map: Range holds no lock while calling it. */
    sync_map_store(a->m, K(1000000 + (long)(__UINTPTR_TYPE__)key), V(0));
    return 1;
}

static _Bool stop_after_3(const void *key, void *value, void *arg)
{
    return ++*(int *)arg < 3;
}

GOCC_TEST(map_range)
{
    static sync_map m, s;
    for (long i = 1; i <= 100; i++)
        sync_map_store(&m, K(i), V(i));
    range_acc a = {0, 0, &s};
    sync_map_range(&m, count_entry, &a);
    CU_ASSERT_EQUAL(a.n, 100);
    CU_ASSERT_EQUAL(a.sum, 5050);
    int calls = 0;
    sync_map_range(&m, stop_after_3, &calls);
    CU_ASSERT_EQUAL(calls, 3);
    for (int i = 0; i < 50; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        sync_map_store_str(&s, k, V(i));
    }
    range_acc b = {0, 0, &m};
    sync_map_range(&s, count_entry, &b);
    CU_ASSERT_EQUAL(b.n, 150);
}

typedef struct { sync_map *m; sync_waitgroup *wg; long base; } map_arg;

static void map_worker(map_arg *a)
{
    for (long i = 0; i < 5000; i++) {
        sync_map_store(a->m, K(a->base + i), V(i));
        _Bool ok;
        if (sync_map_load(a->m, K(a->base + i), &ok) != V(i) || !ok)
            sync_map_store(a->m, K(-1), V(1)); /* marks failure */
        if (i % 2)
            sync_map_delete(a->m, K(a->base + i));
    }
    sync_waitgroup_done(a->wg);
}

GOCC_TEST(map_concurrent)
{
    static sync_map m;
    static sync_waitgroup wg;
    sync_waitgroup_add(&wg, 8);
    for (long g = 0; g < 8; g++) {
        map_arg a = {&m, &wg, g * 100000};
        GO(map_worker, a);
    }
    sync_waitgroup_wait(&wg);
    _Bool ok;
    sync_map_load(&m, K(-1), &ok);
    CU_ASSERT(!ok);
    long n = 0;
    for (long g = 0; g < 8; g++)
        for (long i = 0; i < 5000; i++) {
            void *v = sync_map_load(&m, K(g * 100000 + i), &ok);
            if (ok && v == V(i))
                n++;
        }
    CU_ASSERT_EQUAL(n, 8 * 2500);
}
