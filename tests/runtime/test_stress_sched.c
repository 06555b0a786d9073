/* test_stress_sched.c - scheduler stress, also run under ThreadSanitizer (runtime-race). */
#include <stdio.h>
#include <string.h>

#include "gtest.h"

#ifndef GOCC_RACE
#define GOCC_RACE 0
#endif
/* Sizes: TSan runs about ten times slower, and each live goroutine costs it ~800 KB. */
#define SCALE(n) (GOCC_RACE ? (n) / 10 : (n))

/* The runtime's locks carry no happens-before edge for the race detector (only the program-level
 * operations do), so a test that uses one as its own lock announces the edges itself. */
static void tlock(gocc_lock *l)
{
    gocc_lock_acquire(l);
    gocc_race_acquire(l);
}

static void tunlock(gocc_lock *l)
{
    gocc_race_release(l);
    gocc_lock_release(l);
}

typedef struct xev {
    gocc_lock lock;
    int done;
    gocc_g *waiter;
} xev;

static void xev_unlock(void *e) { tunlock(&((xev *)e)->lock); }

/* Waits until the event has fired n times (a counting semaphore of one waiter). */
static void xev_wait(xev *e)
{
    tlock(&e->lock);
    if (e->done) {
        e->done--;
        tunlock(&e->lock);
        return;
    }
    e->waiter = gocc_sched_self();
    gocc_sched_park(xev_unlock, e, "test event", GOCC_HERE);
    tlock(&e->lock); /* the waker consumed nothing; take the token now */
    e->done--;
    tunlock(&e->lock);
}

static void xev_fire(xev *e)
{
    tlock(&e->lock);
    e->done++;
    gocc_g *w = e->waiter;
    e->waiter = NULL;
    tunlock(&e->lock);
    if (w)
        gocc_sched_ready(w);
}

struct pp {
    xev ping, pong, fin;
    int n;
    long sum;
};

static void ponger(void *arg)
{
    struct pp *p = *(struct pp **)arg;
    for (int i = 0; i < p->n; i++) {
        xev_wait(&p->ping);
        p->sum += i; /* ordered by the events' locks */
        xev_fire(&p->pong);
    }
    xev_fire(&p->fin);
}

GOCC_TEST(stress_pingpong_pairs)
{
    enum { PAIRS = 8, N = SCALE(5000) };
    static struct pp pairs[PAIRS];
    static xev done;
    (void)done;
    memset(pairs, 0, sizeof pairs);
    for (int k = 0; k < PAIRS; k++) {
        struct pp *p = &pairs[k];
        p->n = N;
        gocc_go(ponger, &p, sizeof p, GOCC_HERE);
    }
    for (int i = 0; i < N; i++)
        for (int k = 0; k < PAIRS; k++) {
            xev_fire(&pairs[k].ping);
            xev_wait(&pairs[k].pong);
        }
    for (int k = 0; k < PAIRS; k++) {
        xev_wait(&pairs[k].fin);
        CU_ASSERT_EQUAL(pairs[k].sum, (long)N * (N - 1) / 2);
    }
}

static xev tree_done;

static void tree(void *arg)
{
    int depth = *(int *)arg;
    if (depth > 0) {
        int d = depth - 1;
        gocc_go(tree, &d, sizeof d, GOCC_HERE);
        gocc_go(tree, &d, sizeof d, GOCC_HERE);
    }
    xev_fire(&tree_done);
}

GOCC_TEST(stress_spawn_tree)
{
    int depth = GOCC_RACE ? 7 : 14; /* 2^(depth+1) - 1 goroutines, spawned from goroutines on every p */
    gocc_go(tree, &depth, sizeof depth, GOCC_HERE);
    for (int i = 0; i < (1 << (GOCC_RACE ? 8 : 15)) - 1; i++)
        xev_wait(&tree_done);
    for (int i = 0; i < 100 && runtime_numgoroutine() > 1; i++)
        time_sleep(time_millisecond);
    CU_ASSERT_EQUAL(runtime_numgoroutine(), 1);
}

static xev sleepers_done;

static void short_sleeper(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        time_sleep(100 * time_microsecond);
    xev_fire(&sleepers_done);
}

GOCC_TEST(stress_many_sleepers)
{
    for (int i = 0; i < SCALE(2000); i++)
        gocc_go(short_sleeper, NULL, 0, GOCC_HERE);
    for (int i = 0; i < SCALE(2000); i++)
        xev_wait(&sleepers_done);
}

