/* test_timer.c - timers (ordering, stop, periodic), time_sleep, idle CPU. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "gtest.h"
#include "gtest_event.h"


enum { NT = 200 };
static gocc_lock order_lock;
static int order[NT], norder;
static gtest_event all_fired;

static void record(gocc_timer *t)
{
    gocc_lock_acquire(&order_lock);
    order[norder++] = (int)(long)t->arg;
    int n = norder;
    gocc_lock_release(&order_lock);
    if (n == NT - NT / 4)
        gtest_event_fire(&all_fired);
}

GOCC_TEST(timer_fire_in_deadline_order_and_stop)
{
    static gocc_timer t[NT];
    gocc_int64 now = gocc_sched_nanotime();
    srand(7);
    for (int i = 0; i < NT; i++) {
        t[i].when = now + 20000000LL + (gocc_int64)(rand() % 1000) * 50000; /* 20..70 ms, 50 us apart */
        t[i].fn = record;
        t[i].arg = (void *)(long)i;
        t[i].gocc__index = -1;
        gocc_timer_start(&t[i]);
    }
    /* Stop a quarter of them; re-arm one to later (start on an armed timer moves it). */
    for (int i = 0; i < NT / 4; i++)
        CU_ASSERT_TRUE(gocc_timer_stop(&t[i * 4]));
    CU_ASSERT_FALSE(gocc_timer_stop(&t[0]));
    t[1].when = now + 80000000LL;
    gocc_timer_start(&t[1]);
    gtest_event_wait(&all_fired);
    CU_ASSERT(gocc_sched_nanotime() - now >= 80000000LL);
    CU_ASSERT_EQUAL(norder, NT - NT / 4);
    CU_ASSERT_EQUAL(order[norder - 1], 1);
    for (int i = 1; i < norder; i++)
        CU_ASSERT_FATAL(t[order[i - 1]].when <= t[order[i]].when);
    for (int i = 0; i < norder; i++)
        CU_ASSERT_FATAL(order[i] % 4 != 0);
    CU_ASSERT_FALSE(gocc_timer_stop(&t[2])); /* fired: not armed */
}

static int ticks;
static gtest_event ticked;

static void tick(gocc_timer *t)
{
    if (__atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED) == 5)
        gtest_event_fire(t->arg);
}

GOCC_TEST(timer_periodic)
{
    gocc_timer t = { .when = gocc_sched_nanotime() + 10000000LL, .period = 10000000LL, .fn = tick, .arg = &ticked };
    gocc_int64 t0 = gocc_sched_nanotime();
    gocc_timer_start(&t);
    gtest_event_wait(&ticked);
    gocc_int64 d = gocc_sched_nanotime() - t0;
    CU_ASSERT_TRUE(gocc_timer_stop(&t));
    CU_ASSERT(d >= 50000000LL && d < 500000000LL);
    /* A sixth tick may come between the fifth and the stop (a thread delayed 10 ms), and one that had
     * fired may still be running its function, but none comes later. */
    time_sleep(30 * time_millisecond);
    int n = __atomic_load_n(&ticks, __ATOMIC_RELAXED);
    CU_ASSERT(n >= 5);
    time_sleep(30 * time_millisecond);
    CU_ASSERT_EQUAL(__atomic_load_n(&ticks, __ATOMIC_RELAXED), n);
}

GOCC_TEST(timer_sleep_duration)
{
    gocc_int64 t0 = gocc_sched_nanotime();
    time_sleep(50 * time_millisecond);
    gocc_int64 d = gocc_sched_nanotime() - t0;
    CU_ASSERT(d >= 50 * time_millisecond);
    CU_ASSERT(d < 500 * time_millisecond);
    t0 = gocc_sched_nanotime();
    time_sleep(0);
    time_sleep(-5);
    CU_ASSERT(gocc_sched_nanotime() - t0 < 10 * time_millisecond);
}

static int nwoke;
static gtest_event allwoke;

static void napper(void *arg)
{
    time_sleep(*(gocc_int64 *)arg);
    if (__atomic_add_fetch(&nwoke, 1, __ATOMIC_ACQ_REL) == 1000)
        gtest_event_fire(&allwoke);
}

GOCC_TEST(timer_sleep_parks_goroutine_not_thread)
{
    /* 1000 goroutines sleeping 200 ms each finish in about 200 ms, even at GOMAXPROCS=1. */
    gocc_int64 t0 = gocc_sched_nanotime();
    for (int i = 0; i < 1000; i++) {
        gocc_int64 d = 200 * time_millisecond - i * 1000;
        gocc_go(napper, &d, sizeof d, GOCC_HERE);
    }
    gtest_event_wait(&allwoke);
    gocc_int64 d = gocc_sched_nanotime() - t0;
    CU_ASSERT(d >= 199 * time_millisecond - 1000 * 1000);
    CU_ASSERT(d < 1000 * time_millisecond);
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

GOCC_TEST(timer_idle_program_uses_no_cpu)
{
    time_sleep(20 * time_millisecond); /* let start-up settle */
    double c0 = cpu_seconds();
    time_sleep(1000 * time_millisecond);
    double used = cpu_seconds() - c0;
    CU_ASSERT(used < 0.02);
}
