/* test_stress_race_sched.c - the race detector sees goroutines (runtime-race suite only: test_stress_race_*
 * files are left out of the plain build). */
#include <stdio.h>
#include <string.h>

#include "gtest.h"

typedef struct xev {
    gocc_lock lock;
    int done;
    gocc_g *waiter;
} xev;

static void xev_unlock(void *e) { gocc_lock_release(&((xev *)e)->lock); }

static void xev_wait(xev *e)
{
    gocc_lock_acquire(&e->lock);
    if (e->done) {
        e->done--;
        gocc_lock_release(&e->lock);
        return;
    }
    e->waiter = gocc_sched_self();
    gocc_sched_park(xev_unlock, e, "test event", GOCC_HERE);
    gocc_lock_acquire(&e->lock);
    e->done--;
    gocc_lock_release(&e->lock);
}

static void xev_fire(xev *e)
{
    gocc_lock_acquire(&e->lock);
    e->done++;
    gocc_g *w = e->waiter;
    e->waiter = NULL;
    gocc_lock_release(&e->lock);
    if (w)
        gocc_sched_ready(w);
}

/* The race detector sees goroutines as such: a race between two goroutines is reported even when they
 * share one thread, and correctly synchronised code is clean. */
static long shared;
static gocc_lock shared_lock;
static xev racers_done;

static void racer(void *arg)
{
    int locked = *(int *)arg;
    for (int i = 0; i < 100; i++) {
        if (locked)
            gocc_lock_acquire(&shared_lock);
        shared++;
        if (locked)
            gocc_lock_release(&shared_lock);
        gocc_sched_yield();
    }
    xev_fire(&racers_done);
}

static void two_racers(int locked)
{
    gocc_go(racer, &locked, sizeof locked, GOCC_HERE);
    gocc_go(racer, &locked, sizeof locked, GOCC_HERE);
    xev_wait(&racers_done);
    xev_wait(&racers_done);
    printf("shared=%ld\n", shared);
}

GOCC_HELPER(race_unsynchronised) { two_racers(0); }
GOCC_HELPER(race_synchronised) { two_racers(1); }

GOCC_TEST(stress_race_detector_sees_goroutines)
{
    static char out[65536];
    int st = gtest_run_helper("race_unsynchronised", gtest_procs(), out, sizeof out, 30);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 66);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "WARNING: ThreadSanitizer: data race"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "racer"));
    st = gtest_run_helper("race_synchronised", gtest_procs(), out, sizeof out, 30);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 0);
    CU_ASSERT_PTR_NULL(strstr(out, "ThreadSanitizer"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "shared=200"));
}
