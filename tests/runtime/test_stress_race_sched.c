/* test_stress_race_sched.c - the race detector sees goroutines (runtime-race suite only: test_stress_race_*
 * files are left out of the plain build). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gtest.h"
#include "gtest_event.h"

/* The race detector sees goroutines as such: a race between two goroutines is reported even when they
 * share one thread, and correctly synchronised code is clean. */
static long shared;
static sync_mutex shared_lock;
static gtest_sema racers_done;

static void racer(void *arg)
{
    int locked = *(int *)arg;
    for (int i = 0; i < 100; i++) {
        if (locked)
            sync_mutex_lock(&shared_lock);
        shared++;
        if (locked)
            sync_mutex_unlock(&shared_lock);
        gocc_sched_yield();
    }
    gtest_sema_post(&racers_done);
}

static void two_racers(int locked)
{
    gocc_go(racer, &locked, sizeof locked, GOCC_HERE);
    gocc_go(racer, &locked, sizeof locked, GOCC_HERE);
    gtest_sema_wait(&racers_done);
    gtest_sema_wait(&racers_done);
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

/* Only the program's own synchronisation orders goroutines, as in Go. Here the first goroutine's Done
 * and main's later Add both go through the WaitGroup's internal lock, which used to give TSan an edge
 * from inc #1 to inc #2 (every runtime lock released and acquired for TSan): the race on counter went
 * unreported. Go reports it: Done orders before Wait only. */
static int wg_counter;
static void wg_inc(void *arg)
{
    wg_counter++;
    sync_waitgroup_done(*(sync_waitgroup **)arg);
}

GOCC_HELPER(race_wg_done_then_add)
{
    sync_waitgroup wg = {0};
    sync_waitgroup *wp = &wg;
    sync_waitgroup_add(&wg, 1);
    gocc_go(wg_inc, &wp, sizeof wp, GOCC_HERE);
    time_sleep(10 * 1000000LL);
    sync_waitgroup_add(&wg, 1);
    gocc_go(wg_inc, &wp, sizeof wp, GOCC_HERE);
    sync_waitgroup_wait(&wg);
    printf("counter=%d\n", wg_counter);
}

/* The same with the Wait in between: Done -> Wait -> go orders the two increments. Clean. */
GOCC_HELPER(race_wg_done_wait_add)
{
    sync_waitgroup wg = {0};
    sync_waitgroup *wp = &wg;
    sync_waitgroup_add(&wg, 1);
    gocc_go(wg_inc, &wp, sizeof wp, GOCC_HERE);
    sync_waitgroup_wait(&wg);
    sync_waitgroup_add(&wg, 1);
    gocc_go(wg_inc, &wp, sizeof wp, GOCC_HERE);
    sync_waitgroup_wait(&wg);
    printf("counter=%d\n", wg_counter);
}

GOCC_TEST(stress_race_runtime_locks_order_nothing)
{
    static char out[65536];
    int st = gtest_run_helper("race_wg_done_then_add", gtest_procs(), out, sizeof out, 30);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 66);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "WARNING: ThreadSanitizer: data race"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "wg_inc"));
    /* Where the goroutines were created: the go statement's own frame and line (gocc_go is not
     * instrumented; it used to be missing, leaving only the caller's caller). */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "gtest_HELPER_race_wg_done_then_add tests/runtime/test_stress_race_sched.c:"));
    st = gtest_run_helper("race_wg_done_wait_add", gtest_procs(), out, sizeof out, 30);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 0);
    CU_ASSERT_PTR_NULL(strstr(out, "ThreadSanitizer"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "counter=2"));
}

/* Code the generator emits reads gocc_sched_stack_guard (TLS) at every function entry and
 * gocc_sched_preempt_flag at loop back-edges. TSan imitates a write to a thread's whole TLS when the
 * thread starts, and a goroutine's fiber is not ordered after that, so inline reads were reported
 * ("Location is TLS of thread Tn") as soon as goroutines ran on a second worker (gocc.h reads them
 * through uninstrumented helpers under TSan). */
static sync_waitgroup tls_wg;
static void gc_style_work(void *arg)
{
    GOCC_FUNCTION_ENTRY();
    (void)arg;
    for (int i = 0; i < 100; i++) {
        GOCC_LOOP_CHECK();
    }
    sync_waitgroup_done(&tls_wg);
}

GOCC_HELPER(race_gc_entry_checks)
{
    GOCC_FUNCTION_ENTRY();
    for (int i = 0; i < 64; i++) {
        GOCC_LOOP_CHECK();
        sync_waitgroup_add(&tls_wg, 1);
        gocc_go(gc_style_work, NULL, 0, GOCC_HERE);
    }
    sync_waitgroup_wait(&tls_wg);
    printf("done\n");
}

GOCC_TEST(stress_race_entry_checks_clean)
{
    static char out[65536];
    for (int i = 0; i < 3; i++) {
        int st = gtest_run_helper("race_gc_entry_checks", 2, out, sizeof out, 30);
        CU_ASSERT_EQUAL(gtest_exit_code(st), 0);
        CU_ASSERT_PTR_NULL(strstr(out, "ThreadSanitizer"));
    }
}

/* The race runtime is uninstrumented and its locks carry no edges: every hand-off a program may rely
 * on must be announced. Each helper passes plain (non-atomic) data through one kind of hand-off and
 * must run clean. */
typedef struct box { long a, b, c; } box; /* 24 bytes: copied by a call, not inline moves */

static sync_map hm;
static sync_waitgroup hwg;

static void map_storer(void *arg)
{
    long i = *(long *)arg;
    box *b = malloc(sizeof *b);
    b->a = i;
    b->b = 2 * i;
    sync_map_store(&hm, (void *)(i + 1), b);
    sync_waitgroup_done(&hwg);
}

static void map_taker(void *arg)
{
    long i = *(long *)arg;
    box *b;
    _Bool ok;
    while (!(b = sync_map_loadanddelete(&hm, (void *)(i + 1), &ok), ok))
        runtime_gosched();
    if (b->b != 2 * b->a)
        abort();
    free(b);
    sync_waitgroup_done(&hwg);
}

static atomic_value hv;
static void value_worker(void *arg)
{
    long i = *(long *)arg;
    for (int k = 0; k < 50; k++) {
        box x = {i, k, i + k};
        if (k % 2)
            atomic_value_store(&hv, &x, sizeof x);
        else if (atomic_value_load(&hv, &x, sizeof x) && x.c != x.a + x.b)
            abort();
        runtime_gosched();
    }
    sync_waitgroup_done(&hwg);
}

static void sel_sender(void *arg)
{
    struct gocc_chan *c = *(struct gocc_chan **)arg;
    for (long k = 0; k < 50; k++) {
        box *b = malloc(sizeof *b);
        b->a = k;
        b->c = 3 * k;
        box v = {k, 0, 3 * k};
        gocc_select_case sc[2] = {{c, &b, 1}, {NULL, NULL, 1}};
        gocc_select(sc, 2, 0, NULL, GOCC_HERE);
        (void)v;
    }
    sync_waitgroup_done(&hwg);
}

GOCC_HELPER(race_handoffs_clean)
{
    long ids[16];
    for (long i = 0; i < 16; i++)
        ids[i] = i;
    sync_waitgroup_add(&hwg, 16);
    for (int i = 0; i < 8; i++) {
        gocc_go(map_taker, &ids[i], sizeof ids[i], GOCC_HERE);
        gocc_go(map_storer, &ids[i], sizeof ids[i], GOCC_HERE);
    }
    sync_waitgroup_wait(&hwg);
    sync_waitgroup_add(&hwg, 8);
    for (int i = 0; i < 8; i++)
        gocc_go(value_worker, &ids[i], sizeof ids[i], GOCC_HERE);
    sync_waitgroup_wait(&hwg);
    /* select send to a blocked select receive and back; then close -> receive of the zero value. */
    struct gocc_chan *c = gocc_chan_make(sizeof(box *), 0, GOCC_HERE);
    sync_waitgroup_add(&hwg, 2);
    gocc_go(sel_sender, &c, sizeof c, GOCC_HERE);
    gocc_go(sel_sender, &c, sizeof c, GOCC_HERE);
    for (int k = 0; k < 100; k++) {
        box *b = NULL;
        _Bool ok;
        gocc_select_case sc[2] = {{c, &b, 0}, {NULL, NULL, 0}};
        gocc_select(sc, 2, 0, &ok, GOCC_HERE);
        if (!ok || b->c != 3 * b->a)
            abort();
        free(b);
    }
    sync_waitgroup_wait(&hwg);
    box last = {1, 2, 3};
    struct gocc_chan *d = gocc_chan_make(sizeof last, 0, GOCC_HERE);
    gocc_chan_close(d, GOCC_HERE);
    _Bool ok = gocc_chan_recv(d, &last, GOCC_HERE);
    printf("ok=%d %ld\n", ok, last.a);
}

GOCC_TEST(stress_race_handoffs_clean)
{
    static char out[65536];
    int st = gtest_run_helper("race_handoffs_clean", gtest_procs(), out, sizeof out, 60);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 0);
    CU_ASSERT_PTR_NULL(strstr(out, "ThreadSanitizer"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "ok=0 0"));
    if (strstr(out, "ThreadSanitizer"))
        fprintf(stderr, "%.3000s\n", out);
}
