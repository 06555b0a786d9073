/* test_stress_sched.c - scheduler stress, also run under ThreadSanitizer (runtime-race). */
#include <stdio.h>
#include <string.h>

#include "gtest.h"
#include "gtest_event.h"
#include <pthread.h>
#include <unistd.h>
#include "chan.h"
#include "sched_impl.h"

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


/* The p->state protocol (sched_impl.h) under fire: a plain thread plays sysmon and takes the ps
 * (gocc_sched_takep, then hands each to a new m as sysmon does) every few microseconds, while goroutine
 * pairs hand a counter back and forth over unbuffered channels and spawn children, so that takes land
 * during parks, readies, spawns and direct switches (enterp..leavep on the goroutine side). A take that
 * let two threads use one p would lose or duplicate a goroutine of its run queues (a wrong sum, a
 * missing child: a hang, caught by the timeout) or, under TSan, race on p's caches. Sysmon itself only
 * takes a p whose thread sat blocked for 20 ms, which never happens here. */
static int taker_stop;
static long taker_takes, taker_tries;
static long takep_children;

static void *taker(void *arg)
{
    (void)arg;
    while (!LOAD(taker_stop)) {
        for (int i = 0; i < LOAD(gocc_sched.nprocs); i++) {
            gocc_p *p = gocc_sched.allp[i];
            uint64_t st = LOAD(p->state);
            if ((st & 3) != PS_USER)
                continue;
            ADD(taker_tries, 1);
            ADD(gocc_sched.nlost, 1); /* as sysmon: the deadlock check waits for the lost m */
            if (gocc_sched_takep(p, st)) {
                ADD(taker_takes, 1);
                gocc_sched_startm(p, 0);
            } else {
                ADD(gocc_sched.nlost, -1);
            }
        }
        usleep(20);
    }
    return NULL;
}

static void takep_child(void *arg)
{
    (void)arg;
    ADD(takep_children, 1);
}

struct tkpair {
    struct gocc_chan *ping, *pong;
    int n;
};

static void takep_ponger(void *arg)
{
    struct tkpair *t = *(struct tkpair **)arg;
    long v;
    for (int i = 0;; i++) {
        gocc_chan_recv(t->ping, &v, GOCC_HERE);
        if (v < 0)
            return;
        v++;
        if (i % 16 == 0)
            gocc_go(takep_child, NULL, 0, GOCC_HERE);
        gocc_chan_send(t->pong, &v, GOCC_HERE);
    }
}

/* Runs until the taker has tried TRIES takes (at least MINROUNDS rounds, at most MAXROUNDS): what is
 * checked does not depend on how many rounds that took. */
GOCC_TEST(stress_takep_during_handoffs)
{
    enum { PAIRS = 4, TRIES = SCALE(3000), MINROUNDS = SCALE(20000), MAXROUNDS = SCALE(5000000) };
    static struct tkpair pairs[PAIRS];
    pthread_t th;
    STORE(taker_stop, 0);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, taker, NULL), 0);
    for (int k = 0; k < PAIRS; k++) {
        struct tkpair *t = &pairs[k];
        t->ping = gocc_chan_make(sizeof(long), 0, GOCC_HERE);
        t->pong = gocc_chan_make(sizeof(long), 0, GOCC_HERE);
        gocc_go(takep_ponger, &t, sizeof t, GOCC_HERE);
    }
    long sum = 0, n = 0;
    for (; n < MAXROUNDS && (n < MINROUNDS || LOAD(taker_tries) < TRIES); n++)
        for (int k = 0; k < PAIRS; k++) {
            long v = n;
            gocc_chan_send(pairs[k].ping, &v, GOCC_HERE);
            gocc_chan_recv(pairs[k].pong, &v, GOCC_HERE);
            sum += v;
        }
    for (int k = 0; k < PAIRS; k++) {
        long v = -1;
        gocc_chan_send(pairs[k].ping, &v, GOCC_HERE);
    }
    STORE(taker_stop, 1);
    pthread_join(th, NULL);
    CU_ASSERT_EQUAL(sum, (long)PAIRS * (n * (n - 1) / 2 + n));
    long want = (long)PAIRS * ((n + 15) / 16);
    for (int i = 0; i < 10000 && LOAD(takep_children) < want; i++)
        time_sleep(time_millisecond);
    CU_ASSERT_EQUAL(LOAD(takep_children), want);
    printf("takep: %ld of %ld takes succeeded in %ld rounds\n", LOAD(taker_takes), LOAD(taker_tries), n);
}
