/* test_stress_sched.c - scheduler stress, also run under ThreadSanitizer (runtime-race). */
#include <stdio.h>
#include <string.h>

#include "gtest.h"
#include "gtest_event.h"

#ifndef GOCC_RACE
#define GOCC_RACE 0
#endif
/* Sizes: TSan runs about ten times slower, and each live goroutine costs it ~800 KB. */
#define SCALE(n) (GOCC_RACE ? (n) / 10 : (n))

struct pp {
    gtest_sema ping, pong, fin;
    int n;
    long sum;
};

static void ponger(void *arg)
{
    struct pp *p = *(struct pp **)arg;
    for (int i = 0; i < p->n; i++) {
        gtest_sema_wait(&p->ping);
        p->sum += i; /* ordered by the events' locks */
        gtest_sema_post(&p->pong);
    }
    gtest_sema_post(&p->fin);
}

GOCC_TEST(stress_pingpong_pairs)
{
    enum { PAIRS = 8, N = SCALE(5000) };
    static struct pp pairs[PAIRS];
    static gtest_sema done;
    (void)done;
    memset(pairs, 0, sizeof pairs);
    for (int k = 0; k < PAIRS; k++) {
        struct pp *p = &pairs[k];
        p->n = N;
        gocc_go(ponger, &p, sizeof p, GOCC_HERE);
    }
    for (int i = 0; i < N; i++)
        for (int k = 0; k < PAIRS; k++) {
            gtest_sema_post(&pairs[k].ping);
            gtest_sema_wait(&pairs[k].pong);
        }
    for (int k = 0; k < PAIRS; k++) {
        gtest_sema_wait(&pairs[k].fin);
        CU_ASSERT_EQUAL(pairs[k].sum, (long)N * (N - 1) / 2);
    }
}

static gtest_sema tree_done;

static void tree(void *arg)
{
    int depth = *(int *)arg;
    if (depth > 0) {
        int d = depth - 1;
        gocc_go(tree, &d, sizeof d, GOCC_HERE);
        gocc_go(tree, &d, sizeof d, GOCC_HERE);
    }
    gtest_sema_post(&tree_done);
}

GOCC_TEST(stress_spawn_tree)
{
    int depth = GOCC_RACE ? 7 : 14; /* 2^(depth+1) - 1 goroutines, spawned from goroutines on every p */
    gocc_go(tree, &depth, sizeof depth, GOCC_HERE);
    for (int i = 0; i < (1 << (GOCC_RACE ? 8 : 15)) - 1; i++)
        gtest_sema_wait(&tree_done);
    for (int i = 0; i < 100 && runtime_numgoroutine() > 1; i++)
        time_sleep(time_millisecond);
    CU_ASSERT_EQUAL(runtime_numgoroutine(), 1);
}

static gtest_sema sleepers_done;

static void short_sleeper(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        time_sleep(100 * time_microsecond);
    gtest_sema_post(&sleepers_done);
}

GOCC_TEST(stress_many_sleepers)
{
    for (int i = 0; i < SCALE(2000); i++)
        gocc_go(short_sleeper, NULL, 0, GOCC_HERE);
    for (int i = 0; i < SCALE(2000); i++)
        gtest_sema_wait(&sleepers_done);
}

