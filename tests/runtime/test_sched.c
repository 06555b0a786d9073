/* test_sched.c - scheduler: spawn, yield, runnext, stealing, park/ready, preemption, hand-off, deadlock. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gtest.h"
#include "gtest_event.h"
#include "sched_impl.h" /* GOCC_RUNQ */
#include "test_chan_util.h"

/* A counting latch on the same protocol. */
typedef struct latch {
    int n;
    gtest_event ev;
} latch;

static void latch_done(latch *l)
{
    if (__atomic_sub_fetch(&l->n, 1, __ATOMIC_ACQ_REL) == 0)
        gtest_event_fire(&l->ev);
}

GOCC_TEST(sched_main_is_goroutine_1)
{
    CU_ASSERT_EQUAL(runtime_goid(), 1);
    CU_ASSERT_PTR_NOT_NULL(gocc_sched_self());
    CU_ASSERT_EQUAL(gocc_sched_goid(gocc_sched_self()), 1);
    CU_ASSERT_EQUAL(runtime_gomaxprocs(0), gtest_procs());
    CU_ASSERT(runtime_numcpu() >= 1);
    CU_ASSERT_EQUAL(runtime_numgoroutine(), 1);
}

struct spawnarg {
    latch *l;
    int *seen;
    int i;
    char pad[40];
};

static void spawned(void *arg)
{
    struct spawnarg *a = arg;
    CU_ASSERT(runtime_goid() > 1);
    CU_ASSERT_EQUAL(a->pad[39], 7);
    __atomic_add_fetch(&a->seen[a->i], 1, __ATOMIC_RELAXED);
    latch_done(a->l);
}

GOCC_TEST(sched_spawn_many_args_copied)
{
    enum { N = 20000 };
    static int seen[N];
    latch l = { .n = N };
    for (int i = 0; i < N; i++) {
        struct spawnarg a = { &l, seen, i, { 0 } };
        a.pad[39] = 7;
        gocc_go(spawned, &a, sizeof a, GOCC_HERE);
        memset(&a, 0, sizeof a); /* the goroutine has its own copy */
    }
    gtest_event_wait(&l.ev);
    for (int i = 0; i < N; i++)
        CU_ASSERT_EQUAL_FATAL(seen[i], 1);
    CU_ASSERT_EQUAL(l.n, 0);
}

static int turns[2];
static volatile int yield_stop;

static void yielder(void *arg)
{
    int id = *(int *)arg;
    while (!yield_stop) {
        turns[id]++;
        gocc_sched_yield();
    }
}

GOCC_TEST(sched_yield_fairness)
{
    for (int i = 0; i < 2; i++)
        gocc_go(yielder, &i, sizeof i, GOCC_HERE);
    while (turns[0] < 10000 || turns[1] < 10000)
        gocc_sched_yield();
    yield_stop = 1;
    /* Both goroutines got turns; at one P they strictly alternate with main. */
    CU_ASSERT(turns[0] >= 10000 && turns[1] >= 10000);
    if (gtest_procs() == 1)
        CU_ASSERT(abs(turns[0] - turns[1]) <= 2);
}

static int order[8], norder;
static gtest_event ex;
static latch order_done = { .n = 3 };

static void record_order(void *arg)
{
    int id = *(int *)arg;
    if (id == 0)
        gtest_event_wait(&ex);
    order[norder++] = id;
    latch_done(&order_done);
}

GOCC_TEST(sched_runnext_handoff_order)
{
    /* At one P, a goroutine readied by the running one runs next, ahead of older runnable ones. */
    if (gtest_procs() != 1)
        return;
    int x = 0, y1 = 1, y2 = 2;
    gocc_go(record_order, &x, sizeof x, GOCC_HERE);
    gocc_sched_yield(); /* x runs and parks on ex */
    gocc_go(record_order, &y1, sizeof y1, GOCC_HERE);
    gocc_go(record_order, &y2, sizeof y2, GOCC_HERE);
    gtest_event_fire(&ex);       /* x -> runnext, ahead of y1 and y2 */
    gtest_event_wait(&order_done.ev);
    CU_ASSERT_EQUAL(norder, 3);
    CU_ASSERT_EQUAL(order[0], 0);
    CU_ASSERT_EQUAL(order[1], 1);
    CU_ASSERT_EQUAL(order[2], 2);
}

struct twoev {
    gtest_event *a, *b;
};

static void *thread_side(void *p);

GOCC_TEST(sched_park_ready_from_thread)
{
    /* A plain pthread readies a parked goroutine; a goroutine readies a parked plain thread. */
    static gtest_event a, b;
    pthread_t th;
    struct twoev arg = { &a, &b };
    pthread_create(&th, NULL, thread_side, &arg);
    gtest_event_wait(&a);            /* readied by the thread */
    gtest_event_fire(&b);            /* readies the thread, which parked with gocc_sched_park */
    pthread_join(th, NULL);
    CU_ASSERT(a.done && b.done);
}

static void *thread_side(void *p)
{
    struct twoev *arg = p;
    CU_ASSERT_EQUAL(runtime_goid(), 0);
    usleep(20000);
    gtest_event_fire(arg->a);
    gtest_event_wait(arg->b);
    return NULL;
}

static int stealee_tids[4];

static void stealee(void *arg)
{
    latch *l = *(latch **)arg;
    int tid = gettid();
    for (int i = 0; i < 4; i++) {
        int z = 0;
        if (__atomic_load_n(&stealee_tids[i], __ATOMIC_ACQUIRE) == tid ||
            __atomic_compare_exchange_n(&stealee_tids[i], &z, tid, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
            z == tid)
            break;
    }
    volatile double x = 1;
    for (int i = 0; i < 200000; i++)
        x = x * 1.0000001;
    latch_done(l);
}

static void busy_main_until(latch *l) { gtest_event_wait(&l->ev); }

GOCC_TEST(sched_work_stealing_uses_all_procs)
{
    /* 64 cpu-bound goroutines spawned on one P: with GOMAXPROCS=2 another thread must steal some. */
    enum { N = 64 };
    latch l = { .n = N };
    latch *lp = &l;
    for (int i = 0; i < N; i++)
        gocc_go(stealee, &lp, sizeof lp, GOCC_HERE);
    busy_main_until(&l);
    CU_ASSERT_EQUAL(l.n, 0);
    int threads = 0;
    for (int i = 0; i < 4; i++)
        threads += stealee_tids[i] != 0;
    CU_ASSERT(threads >= 1);
    if (gtest_procs() == 2)
        CU_ASSERT(threads >= 2); /* the idle P woke and stole part of the queue */
}

/* --- preemption ------------------------------------------------------ */

static volatile int spin_stop;
static volatile long spin_iters;

static void spin_loopcheck(void *arg)
{
    (void)arg;
    while (!spin_stop) {
        spin_iters++;
        GOCC_LOOP_CHECK();
    }
}

static __attribute__((noinline)) void leaf(void)
{
    GOCC_FUNCTION_ENTRY();
    spin_iters++;
}

static void spin_calls(void *arg)
{
    (void)arg;
    /* No loop check: only function entries can preempt this one. */
    while (!spin_stop)
        leaf();
}

static void preempt_case(void (*fn)(void *))
{
    spin_stop = 0;
    spin_iters = 0;
    gocc_go(fn, NULL, 0, GOCC_HERE);
    gocc_go(fn, NULL, 0, GOCC_HERE);
    gocc_int64 t0 = gocc_sched_nanotime();
    gocc_sched_yield(); /* let the spinners start */
    int rounds = 0;
    while (gocc_sched_nanotime() - t0 < 200 * 1000000LL) {
        gocc_sched_yield(); /* at GOMAXPROCS=1 we get back here only if the spinners are preempted */
        rounds++;
    }
    spin_stop = 1;
    CU_ASSERT(rounds >= 3);
    CU_ASSERT(spin_iters > 0);
    time_sleep(20 * 1000000LL);
}

GOCC_TEST(sched_preempt_loop_check)
{
    preempt_case(spin_loopcheck);
}

GOCC_TEST(sched_preempt_function_entry)
{
    preempt_case(spin_calls);
}

/* --- blocking system calls ------------------------------------------- */

static volatile int in_sleep;

static void sleeper_syscall(void *arg)
{
    (void)arg;
    in_sleep = 1;
    sleep(1); /* a blocking call the scheduler knows nothing about */
    in_sleep = 2;
}

GOCC_TEST(sched_syscall_handoff)
{
    gocc_go(sleeper_syscall, NULL, 0, GOCC_HERE);
    while (!in_sleep)
        gocc_sched_yield();
    /* With GOMAXPROCS=1 the sleeper's thread holds the only P: sysmon must hand it to another thread. */
    gocc_int64 t0 = gocc_sched_nanotime();
    int progress = 0;
    while (in_sleep == 1 && gocc_sched_nanotime() - t0 < 2000000000LL) {
        time_sleep(10 * 1000000LL);
        progress++;
    }
    CU_ASSERT(progress >= 20);
    while (in_sleep != 2)
        time_sleep(10 * 1000000LL);
    /* And the returning thread gives the P back: scheduling still works. */
    latch l = { .n = 100 };
    latch *lp = &l;
    for (int i = 0; i < 100; i++)
        gocc_go(stealee, &lp, sizeof lp, GOCC_HERE);
    gtest_event_wait(&l.ev);
    CU_ASSERT_EQUAL(runtime_numgoroutine(), 1);
}

/* A new goroutine is work for an idle p at once (Go's newproc -> wakep), even from runnext: before,
 * it sat in the spawner's runnext until the spawner blocked, so a spawner that computes (here: in C,
 * with no preemption points) starved it forever. The wait bound is a generous hang guard, not a timing. */
static int spawned_ran;
static void set_spawned(void *arg) { (void)arg; __atomic_store_n(&spawned_ran, 1, __ATOMIC_RELEASE); }

GOCC_TEST(sched_spawn_wakes_idle_p)
{
    if (gtest_procs() < 2)
        return;
    for (int i = 0; i < 20; i++) {
        __atomic_store_n(&spawned_ran, 0, __ATOMIC_RELEASE);
        gocc_go(set_spawned, NULL, 0, GOCC_HERE);
        gocc_int64 until = gocc_sched_nanotime() + 5000000000LL;
        while (!__atomic_load_n(&spawned_ran, __ATOMIC_ACQUIRE) && gocc_sched_nanotime() < until) {}
        CU_ASSERT_FATAL(__atomic_load_n(&spawned_ran, __ATOMIC_ACQUIRE));
    }
}

static long flood_ran;

static void flood_child(void *arg)
{
    (void)arg;
    __atomic_add_fetch(&flood_ran, 1, __ATOMIC_RELAXED);
}

/* A loop of go statements that fills its p's run queue is asked to yield (sched.c, spawnflood) at its
 * next loop check, so the goroutines it made run while their records are warm and the queue stays
 * bounded. Without the request, the loop (20,000 spawns, a few ms) ran to its end before any child did:
 * 20,000 queued at once. At GOMAXPROCS=1 the bound is the ring, its overflow to the global queue, and a
 * batch: a few ring sizes. */
GOCC_TEST(sched_spawn_flood_yields)
{
    enum { N = 20000 };
    long most = 0;
    __atomic_store_n(&flood_ran, 0, __ATOMIC_RELAXED);
    for (long i = 1; i <= N; i++) {
        gocc_go(flood_child, NULL, 0, GOCC_HERE);
        long queued = i - __atomic_load_n(&flood_ran, __ATOMIC_RELAXED);
        if (queued > most)
            most = queued;
        GOCC_LOOP_CHECK(); /* what generated code puts at a loop's back edge */
    }
    while (__atomic_load_n(&flood_ran, __ATOMIC_RELAXED) < N)
        gocc_sched_yield();
    CU_ASSERT_EQUAL(flood_ran, N);
    if (gtest_procs() == 1)
        CU_ASSERT(most <= 4 * GOCC_RUNQ);
    CU_ASSERT(most < N);
}

/* A .gc function run as a signal handler makes its stack check on whatever stack the signal found. Here
 * that is a signal stack mapped below the goroutine stacks, so its stack pointer is under the goroutine's
 * guard, as the previous goroutine's stack was in the middle of a direct switch (a 10 kHz SIGALRM handler
 * in a .gc file was reported as a goroutine stack overflow in about 1 of 30 runs). The handler calls the
 * check's slow path, as GOCC_FUNCTION_ENTRY would: it must neither report an overflow (the process
 * exited) nor yield, and the guard stays for the goroutine's own next check. */
static int altcheck_ran;
static uintptr_t altcheck_sp;

static void altcheck_handler(int sig)
{
    (void)sig;
    altcheck_sp = (uintptr_t)__builtin_frame_address(0);
    gocc_sched_morestack(GOCC_HERE);
    altcheck_ran = 1;
}

GOCC_TEST(sched_stack_check_on_signal_stack_is_not_overflow)
{
    size_t size = 256 << 10;
    /* A low hint: goroutine stacks are mapped top-down near the top of the address space. */
    char *alt = mmap((void *)(uintptr_t)0x100000000ULL, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_FATAL(alt != MAP_FAILED);
    stack_t ss = { .ss_sp = alt, .ss_size = size, .ss_flags = 0 }, oldss;
    CU_ASSERT_EQUAL_FATAL(sigaltstack(&ss, &oldss), 0);
    struct sigaction sa = { 0 }, old;
    sa.sa_handler = altcheck_handler;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR1, &sa, &old), 0);
    uintptr_t guard = gocc_sched_stack_guard;
    raise(SIGUSR1);
    sigaction(SIGUSR1, &old, NULL);
    sigaltstack(&oldss, NULL);
    CU_ASSERT_EQUAL(altcheck_ran, 1);
    CU_ASSERT(altcheck_sp >= (uintptr_t)alt && altcheck_sp < (uintptr_t)alt + size);
    CU_ASSERT(altcheck_sp < guard); /* the case under test: below the goroutine's guard */
    CU_ASSERT_EQUAL(gocc_sched_stack_guard, guard);
    munmap(alt, size);
}

/* A .gc function run as a signal handler makes its loop checks wherever the signal landed. When that is
 * runtime code holding a runtime lock, a preemption request must wait: a goroutine switched out there
 * keeps the lock, and at GOMAXPROCS=1 the goroutine that runs next spins on it for ever (a 10 kHz SIGALRM
 * handler hung plain threads and goroutines sharing a mutex once in ~2,200 runs). Here the main goroutine
 * holds a lock with a request pending and a runnable goroutine queued, and the handler makes a loop
 * check: nothing may run until the lock is given back, and the request is taken after. */
static gocc_lock heldlock;
static int held_other_ran, held_seen_in_handler = -1;

static void held_other(void *arg)
{
    (void)arg;
    __atomic_store_n(&held_other_ran, 1, __ATOMIC_RELEASE);
}

static void held_handler(int sig)
{
    (void)sig;
    GOCC_LOOP_CHECK(); /* what a loop in a .gc handler does */
    held_seen_in_handler = __atomic_load_n(&held_other_ran, __ATOMIC_ACQUIRE);
}

GOCC_TEST(sched_no_preemption_under_runtime_lock)
{
    if (gtest_procs() != 1)
        return; /* another p could run the goroutine meanwhile */
    struct sigaction sa = { 0 }, old;
    sa.sa_handler = held_handler;
    sigemptyset(&sa.sa_mask);
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR1, &sa, &old), 0);
    gocc_go(held_other, NULL, 0, GOCC_HERE);
    long long me = runtime_goid();
    gocc_lock_acquire(&heldlock);
    gocc_m *m = gocc_sched_m();
    __atomic_store_n(&m->p->preempt, 1, __ATOMIC_RELAXED); /* as sysmon's request */
    __atomic_store_n(&gocc_sched_preempt_flag, 1, __ATOMIC_RELEASE);
    raise(SIGUSR1);
    int ran_under_lock = __atomic_load_n(&held_other_ran, __ATOMIC_ACQUIRE);
    long long still = runtime_goid();
    gocc_lock_release(&heldlock);
    sigaction(SIGUSR1, &old, NULL);
    CU_ASSERT_EQUAL(held_seen_in_handler, 0);
    CU_ASSERT_EQUAL(ran_under_lock, 0);
    CU_ASSERT_EQUAL(still, me);
    GOCC_LOOP_CHECK(); /* back in the goroutine's own code: the request is taken now */
    while (!__atomic_load_n(&held_other_ran, __ATOMIC_ACQUIRE))
        gocc_sched_yield();
}

/* --- deadlock and panics --------------------------------------------- */

static gtest_event never;

static void blocked_forever(void *arg)
{
    (void)arg;
    gtest_event_wait(&never);
}

GOCC_HELPER(deadlock_two)
{
    gocc_go(blocked_forever, NULL, 0, GOCC_HERE);
    printf("before\n");
    fflush(stdout);
    gtest_event_wait(&never);
}

GOCC_TEST(sched_deadlock_report)
{
    static char out[8192];
    int st = gtest_run_helper("deadlock_two", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "before\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: all goroutines are asleep - deadlock!\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "goroutine 1 [test event]:\n\ttests/runtime/gtest_event.h:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "goroutine 2 [test event]:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "created by goroutine 1 at tests/runtime/test_sched.c:"));
}

GOCC_HELPER(no_deadlock_while_sleeping)
{
    gocc_go(blocked_forever, NULL, 0, GOCC_HERE);
    time_sleep(300 * 1000000LL); /* a timer is armed: not a deadlock */
    printf("woke\n");
}

GOCC_TEST(sched_no_deadlock_with_timer)
{
    static char out[8192];
    int st = gtest_run_helper("no_deadlock_while_sleeping", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 0);
    CU_ASSERT_STRING_EQUAL(out, "woke\n");
}

/* The timer thread readies the sleeper and only then counts its callback finished: the last p going
 * idle in between saw a firing timer and skipped the check, so the report must come from the timer
 * side (it used to hang in 10-60% of runs). */
GOCC_HELPER(deadlock_after_sleep)
{
    time_sleep(10 * 1000000LL);
    gtest_event_wait(&never);
}

static void sleep_then_exit(void *arg)
{
    (void)arg;
    time_sleep(5 * 1000000LL);
}

GOCC_HELPER(deadlock_after_sleeper_exits)
{
    gocc_go(sleep_then_exit, NULL, 0, GOCC_HERE);
    gtest_event_wait(&never);
}

GOCC_TEST(sched_deadlock_after_timer)
{
    static char out[8192];
    static const char *const helpers[] = { "deadlock_after_sleep", "deadlock_after_sleeper_exits" };
    for (int i = 0; i < 200; i++) {
        int st = gtest_run_helper(helpers[i % 2], gtest_procs(), out, sizeof out, 5);
        CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: all goroutines are asleep - deadlock!\n"));
        if (gtest_exit_code(st) != 2) {
            fprintf(stderr, "run %d of %s: exit %d\n", i, helpers[i % 2], gtest_exit_code(st));
            break;
        }
    }
}

static const gocc_site site42 = {.file = "prog.gc", .line = 42}, site7 = {.file = "prog.gc", .line = 7};

static void panicker(void *arg)
{
    (void)arg;
    gocc_panic("send on closed channel", &site42);
}

GOCC_HELPER(panic_in_goroutine)
{
    gocc_go(panicker, NULL, 0, &site7);
    gtest_event_wait(&never);
}

GOCC_TEST(sched_panic_report)
{
    static char out[8192];
    int st = gtest_run_helper("panic_in_goroutine", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "panic: send on closed channel\n\ngoroutine 2 [running]:\n\tprog.gc:42\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "created by goroutine 1 at prog.gc:7"));
}

GOCC_HELPER(main_returns_exits)
{
    gocc_go(blocked_forever, NULL, 0, GOCC_HERE);
    gocc_go(spin_loopcheck, NULL, 0, GOCC_HERE);
    printf("bye\n");
    /* returning from the main goroutine ends the process at once, whatever the others do */
}

GOCC_TEST(sched_main_return_exits)
{
    static char out[256];
    int st = gtest_run_helper("main_returns_exits", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 0);
    CU_ASSERT_STRING_EQUAL(out, "bye\n");
}

GOCC_HELPER(segv_in_goroutine)
{
    volatile int *p = (int *)16;
    *p = 1;
}
/* The faulting store's line (three lines up): the report must name it, wherever this file's lines move. */
static const int segv_line = __LINE__ - 3;

GOCC_TEST(sched_fatal_signal_reported)
{
    static char out[4096];
    int st = gtest_run_helper("segv_in_goroutine", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    /* Go's report of a fault near address 0. */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "panic: runtime error: invalid memory address or nil pointer dereference\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "[signal SIGSEGV: segmentation violation code=0x1 addr=0x10 pc=0x"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "goroutine 1 [running]:\n"));
    char frame[128];
    snprintf(frame, sizeof frame, "gtest_HELPER_segv_in_goroutine(...)\n\ttests/runtime/test_sched.c:%d +0x", segv_line);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, frame));
}

/* --- GOMAXPROCS at run time --------------------------------------------- */

/* Runs n cpu-bound stealee goroutines to completion, noting the threads they ran on (stealee_tids). */
static void run_stealees(int n)
{
    memset(stealee_tids, 0, sizeof stealee_tids);
    latch l = { .n = n };
    latch *lp = &l;
    for (int i = 0; i < n; i++)
        gocc_go(stealee, &lp, sizeof lp, GOCC_HERE);
    gtest_event_wait(&l.ev);
}

GOCC_TEST(sched_gomaxprocs_change)
{
    int n0 = gtest_procs();
    CU_ASSERT_EQUAL(runtime_gomaxprocs(0), n0);
    CU_ASSERT_EQUAL(runtime_gomaxprocs(1), n0);
    CU_ASSERT_EQUAL(runtime_gomaxprocs(-1), 1);
    /* Work still gets done on one P, and its goroutines are preempted as usual. */
    run_stealees(32);
    CU_ASSERT_EQUAL(runtime_gomaxprocs(3), 1);
    CU_ASSERT_EQUAL(runtime_gomaxprocs(0), 3);
    run_stealees(64);
    int threads = 0;
    for (int i = 0; i < 4; i++)
        threads += stealee_tids[i] != 0;
    CU_ASSERT(threads >= 2);
    CU_ASSERT_EQUAL(runtime_gomaxprocs(n0), 3);
    CU_ASSERT_EQUAL(runtime_numgoroutine(), 1);
}

/* GOMAXPROCS goes up to max(64, the starting count), with the ps past the starting count allocated when it
 * first gets there (sched.c gocc_sched_allocp): they run goroutines, and the goroutine count sums them. */
GOCC_TEST(sched_gomaxprocs_raise_allocates_ps)
{
    int n0 = gtest_procs();
    CU_ASSERT_EQUAL(runtime_gomaxprocs(1000), n0);
    int cap = n0 > 64 ? n0 : 64;
    CU_ASSERT_EQUAL(runtime_gomaxprocs(0), cap);
    run_stealees(128);
    CU_ASSERT_EQUAL(runtime_gomaxprocs(2), cap);
    CU_ASSERT_EQUAL(runtime_gomaxprocs(cap), 2);
    CU_ASSERT_EQUAL(runtime_gomaxprocs(n0), cap);
    CU_ASSERT_EQUAL(runtime_numgoroutine(), 1);
}

GOCC_HELPER(deadlock_after_gomaxprocs)
{
    runtime_gomaxprocs(3);
    runtime_gomaxprocs(1);
    gtest_event_wait(&never);
}

GOCC_TEST(sched_gomaxprocs_deadlock_still_detected)
{
    static char out[4096];
    int st = gtest_run_helper("deadlock_after_gomaxprocs", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: all goroutines are asleep - deadlock!"));
}

/* Direct switches (sched.c: parkdirect, parkdirect_queue, exitdirect): a skynet-like tree where parents
 * park in their first receive with never-run children queued, children exit while runnext holds their
 * parent or a sibling, and argument blocks of every size class go through (argbuf word copies, memcpy,
 * malloc'd). Every value arrives once, and every goroutine is counted as exited (exitfinish's accounting)
 * and its record reused. */
struct dnode {
    chan_t *out;
    long long num, size;
    char pad[120]; /* the whole record is more than GOCC_GARG: the malloc'd case */
};

static void dnode_run(void *arg);

static void dnode_spawn(chan_t *out, long long num, long long size, int variant)
{
    struct dnode d = { out, num, size, { 0 } };
    /* Argument blocks of 24 (word copies), 28 (memcpy into argbuf) and 144 bytes (malloc'd). */
    static const size_t sizes[3] = { __builtin_offsetof(struct dnode, pad), __builtin_offsetof(struct dnode, pad) + 4,
                                     sizeof(struct dnode) };
    gocc_go(dnode_run, &d, sizes[variant % 3], GOCC_HERE);
}

static void dnode_run(void *arg)
{
    struct dnode *d = arg;
    if (d->size == 1) {
        SEND(d->out, long long, d->num);
        return;
    }
    chan_t *rc = MKCHAN(long long, 0);
    long long step = d->size / 10, sum = 0;
    for (int i = 0; i < 10; i++)
        dnode_spawn(rc, d->num + i * step, step, i);
    for (int i = 0; i < 10; i++)
        sum += RECV(rc, long long);
    gocc_chan_free(rc, GOCC_HERE);
    SEND(d->out, long long, sum);
}

GOCC_TEST(sched_direct_switch_tree)
{
    enum { LEAVES = 10000 };
    for (int round = 0; round < 3; round++) {
        chan_t *out = MKCHAN(long long, 0);
        dnode_spawn(out, 0, LEAVES, round);
        CU_ASSERT_EQUAL(RECV(out, long long), (long long)LEAVES * (LEAVES - 1) / 2);
        gocc_chan_free(out, GOCC_HERE);
        /* The root may still be on its way out after its send. */
        for (int i = 0; i < 1000 && runtime_numgoroutine() > 1; i++)
            time_sleep(time_millisecond);
        CU_ASSERT_EQUAL_FATAL(runtime_numgoroutine(), 1);
    }
}

/* --- stealing policy ------------------------------------------------- */

/* Stealing leaves a short queue to a running p whose stolen goroutines only block again (sched.c,
 * leavetovictim): a select fan-in at GOMAXPROCS=2 is the case it is for. Whatever score that leaves on
 * the idle p, goroutines readied onto the queues of a p whose goroutine then computes without switching
 * must still run elsewhere (the last steal round's grace, sysmon's wake-up). The wait bound is a
 * generous hang guard, not a timing. */
struct faninarg {
    chan_t *c;
    long long base, n;
};

static void fanin_produce(struct faninarg *a)
{
    for (long long i = 0; i < a->n; i++)
        SEND(a->c, long long, a->base + i);
    gocc_chan_close(a->c, GOCC_HERE);
}

static int readied_ran[2];
struct readiedarg {
    chan_t *c;
    int i;
};

static void readied_set(struct readiedarg *a)
{
    (void)RECV(a->c, int);
    __atomic_store_n(&readied_ran[a->i], 1, __ATOMIC_RELEASE);
}

/* At GOMAXPROCS >= 2: two goroutines readied onto our p (runnext and queue) run elsewhere while we compute
 * without switching. */
static void stuck_p_helped(void)
{
    if (gtest_procs() < 2)
        return;
    for (int round = 0; round < 5; round++) {
        chan_t *rc[2];
        for (int i = 0; i < 2; i++) {
            readied_ran[i] = 0;
            rc[i] = MKCHAN(int, 0);
            struct readiedarg a = {rc[i], i};
            GO(readied_set, a);
        }
        time_sleep(5 * 1000000LL); /* both park in their receive (if not, the sends below wait for them) */
        SEND(rc[0], int, 1);       /* readied to our runnext ... */
        SEND(rc[1], int, 1);       /* ... and this one too, the first moving to our queue */
        gocc_int64 until = gocc_sched_nanotime() + 5000000000LL;
        while (!(__atomic_load_n(&readied_ran[0], __ATOMIC_ACQUIRE) && __atomic_load_n(&readied_ran[1], __ATOMIC_ACQUIRE)) &&
               gocc_sched_nanotime() < until) {}
        CU_ASSERT_FATAL(readied_ran[0] && readied_ran[1]);
        gocc_chan_free(rc[0], GOCC_HERE);
        gocc_chan_free(rc[1], GOCC_HERE);
    }
}

GOCC_TEST(sched_fanin_then_stuck_p_still_helped)
{
    enum { P = 4, N = 20000 };
    chan_t *cs[P];
    for (int p = 0; p < P; p++) {
        cs[p] = MKCHAN(long long, 0);
        struct faninarg a = {cs[p], (long long)p * N, N};
        GO(fanin_produce, a);
    }
    long long sum = 0, count = 0;
    for (int open = P; open > 0;) {
        long long v = 0;
        _Bool ok = 0;
        gocc_select_case sc[P];
        for (int p = 0; p < P; p++)
            sc[p] = (gocc_select_case){cs[p], &v, 0};
        int w = gocc_select(sc, P, 0, &ok, GOCC_HERE);
        CU_ASSERT_FATAL(w >= 0 && w < P);
        if (!ok) {
            cs[w] = NULL;
            open--;
            continue;
        }
        sum += v;
        count++;
    }
    CU_ASSERT_EQUAL(count, (long long)P * N);
    CU_ASSERT_EQUAL(sum, (long long)P * N * (P * N - 1) / 2);
    stuck_p_helped();
}

/* The same after goroutines fought over one sync_mutex (sched.c's fightwaste: an idle p whose steals only
 * contended leaves even a stuck p's short queue and runnext alone for a while). The goroutines readied
 * onto the queues of main's p, which then computes in C without switching, must still run: the score
 * decays with each search that sysmon's wake-ups cause. The wait bound is a hang guard, not a timing. */
struct fightarg {
    sync_mutex *mu;
    long long *counter;
    long long n;
    sync_waitgroup *wg;
};

static void fight(struct fightarg *a)
{
    for (long long i = 0; i < a->n; i++) {
        sync_mutex_lock(a->mu);
        ++*a->counter;
        sync_mutex_unlock(a->mu);
    }
    sync_waitgroup_done(a->wg);
}

GOCC_TEST(sched_fight_then_stuck_p_still_helped)
{
    enum { G = 4, N = 200000 };
    static sync_mutex mu;
    static long long counter;
    for (int round = 0; round < 3; round++) {
        sync_waitgroup wg = {0};
        counter = 0;
        for (int i = 0; i < G; i++) {
            sync_waitgroup_add(&wg, 1);
            struct fightarg a = {&mu, &counter, N, &wg};
            GO(fight, a);
        }
        sync_waitgroup_wait(&wg);
        CU_ASSERT_EQUAL(counter, (long long)G * N);
        stuck_p_helped();
    }
}
