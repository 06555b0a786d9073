/* test_stack.c - goroutine stacks: deep recursion, overflow reports, pooling, a million parked goroutines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "gtest.h"
#include "gtest_event.h"


/* .gc-style recursion: every frame checks the stack at entry. About 1 KiB per frame. */
static __attribute__((noinline)) long recurse(int depth)
{
    GOCC_FUNCTION_ENTRY();
    volatile char buf[1000];
    buf[0] = (char)depth;
    if (depth == 0)
        return buf[0];
    return recurse(depth - 1) + buf[0];
}

/* Plain C recursion: no checks at all. */
static __attribute__((noinline)) long recurse_c(int depth)
{
    volatile char buf[1000];
    for (int i = 0; i < 1000; i++) /* write the whole frame, as real code would */
        buf[i] = (char)depth;
    if (depth == 0)
        return buf[0];
    return recurse_c(depth - 1) + buf[0];
}

static gtest_event deep_done;
static long deep_result;

static void deep(void *arg)
{
    deep_result = recurse(*(int *)arg);
    gtest_event_fire(&deep_done);
}

GOCC_TEST(stack_deep_recursion_ok)
{
    int depth = 400; /* ~400 KiB */
    gocc_go(deep, &depth, sizeof depth, GOCC_HERE);
    gtest_event_wait(&deep_done);
    CU_ASSERT(deep_result != 0);
    /* And in the main goroutine too. */
    CU_ASSERT(recurse(400) != 0);
}

static void overflow(void *arg)
{
    (void)arg;
    recurse(100000);
}

static const gocc_site created_here = { "prog.gc", 99 };

GOCC_HELPER(overflow_gc_code)
{
    static gtest_event never;
    gocc_go(overflow, NULL, 0, &created_here);
    gtest_event_wait(&never);
}

GOCC_TEST(stack_overflow_reported)
{
    static char out[4096];
    int st = gtest_run_helper("overflow_gc_code", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: goroutine stack overflow"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "goroutine 2 [running]:\n\ttests/runtime/test_stack.c:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "created by goroutine 1 at prog.gc:99"));
}

static void overflow_c(void *arg)
{
    (void)arg;
    recurse_c(100000);
}

GOCC_HELPER(overflow_c_code_guarded)
{
    static gtest_event never;
    gocc_go(overflow_c, NULL, 0, &created_here);
    gtest_event_wait(&never);
}

/* A 1 MiB frame in the first goroutine, touched from its bottom up (as a loop over a local array
 * does): that goroutine has the chunk's bottom stack since the main goroutine got a stack of its own,
 * and the frame's bottom lies below the whole chunk. It must fault in the chunk's guard gap, reported
 * as a stack overflow (with a one-page gap it landed in whatever was mapped below: "unexpected
 * signal", or silent corruption). */
static __attribute__((noinline)) void touch_up(volatile char *p, long n)
{
    for (long i = 0; i < n; i += 4096)
        p[i] = 1;
}

static void big_frame_goroutine(void *arg)
{
    (void)arg;
    char big[1 << 20];
    touch_up(big, sizeof big);
}

GOCC_HELPER(overflow_big_frame_first_goroutine)
{
    static gtest_event never;
    gocc_go(big_frame_goroutine, NULL, 0, &created_here);
    gtest_event_wait(&never);
}

GOCC_TEST(stack_overflow_big_frame_bottom_stack)
{
    static char out[4096];
    int st = gtest_run_helper("overflow_big_frame_first_goroutine", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: goroutine stack overflow"));
    CU_ASSERT_PTR_NULL(strstr(out, "unexpected signal"));
}

GOCC_TEST(stack_overflow_in_c_code_guard_page)
{
    static char out[4096];
    int st = gtest_run_helper("overflow_c_code_guarded", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: goroutine stack overflow"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "created by goroutine 1 at prog.gc:99"));
}

/* The main goroutine runs plain C (LANGUAGE.md): its stack is as large as RLIMIT_STACK would give the
 * process under cc (it used to be an ordinary 480 KiB goroutine stack). */
static __attribute__((noinline)) long big_frame(void)
{
    volatile char a[2 << 20];
    for (size_t i = 0; i < sizeof a; i += 4096)
        a[i] = (char)i;
    return a[sizeof a - 4096];
}

GOCC_HELPER(main_big_stack)
{
    printf("%ld %ld\n", big_frame(), recurse_c(3000)); /* 2 MiB of locals, then ~3 MiB of frames */
}

GOCC_HELPER(main_overflow_c)
{
    recurse_c(100000000);
}

GOCC_TEST(stack_main_goroutine_as_rlimit)
{
    static char out[4096];
    struct rlimit rl, old;
    getrlimit(RLIMIT_STACK, &old);
    rl = old;
    rl.rlim_cur = (rlim_t)16 << 20;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
        rl.rlim_cur = rl.rlim_max;
    CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_STACK, &rl), 0);
    int st = gtest_run_helper("main_big_stack", gtest_procs(), out, sizeof out, 20);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 0);
    CU_ASSERT_PTR_NULL(strstr(out, "fatal"));
    /* Overflowing it in C code lands in its guard gap: a stack overflow of goroutine 1, not a stray SIGSEGV. */
    st = gtest_run_helper("main_overflow_c", gtest_procs(), out, sizeof out, 20);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: goroutine stack overflow"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "goroutine 1 [running]"));
    /* A smaller limit gives a smaller stack, as with cc. */
    rl.rlim_cur = (rlim_t)1 << 20;
    CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_STACK, &rl), 0);
    st = gtest_run_helper("main_big_stack", gtest_procs(), out, sizeof out, 20);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: goroutine stack overflow"));
    setrlimit(RLIMIT_STACK, &old);
}

/* Past the guarded stacks: C code that runs a little below its stack is caught by the canary at its next switch. */
static gtest_event hold_ev;
static void holder(void *arg) { (void)arg; gtest_event_wait(&hold_ev); }

static void overflow_c_bit(void *arg)
{
    (void)arg;
    char *lo = (char *)__builtin_frame_address(0) - (512 * 1024 - 8 * 1024); /* just below this stack */
    (void)lo;
    recurse_c(540); /* ~540 KiB: overruns a 512 KiB stack by a little */
    gocc_sched_yield();
}

GOCC_HELPER(overflow_c_code_canary)
{
    for (int i = 0; i < 600; i++) /* use up the first chunk's guarded stacks */
        gocc_go(holder, NULL, 0, GOCC_HERE);
    gocc_sched_yield();
    gocc_go(overflow_c_bit, NULL, 0, &created_here);
    time_sleep(200 * time_millisecond);
    printf("not detected\n");
}

GOCC_TEST(stack_overflow_in_c_code_canary)
{
    static char out[4096];
    int st = gtest_run_helper("overflow_c_code_canary", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: goroutine stack overflow"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "created by goroutine 1 at prog.gc:99"));
}

static gtest_event pool_ev;
static void quick(void *arg) { (void)arg; }

GOCC_TEST(stack_pool_reuses_without_faults)
{
    /* Goroutines that come and go reuse pooled stacks: no page faults in steady state. */
    for (int i = 0; i < 2000; i++) {
        gocc_go(quick, NULL, 0, GOCC_HERE);
        gocc_sched_yield();
    }
    struct rusage a, b;
    getrusage(RUSAGE_SELF, &a);
    for (int i = 0; i < 20000; i++) {
        gocc_go(quick, NULL, 0, GOCC_HERE);
        gocc_sched_yield();
    }
    getrusage(RUSAGE_SELF, &b);
    CU_ASSERT(b.ru_minflt - a.ru_minflt < 200);
    (void)pool_ev;
}

/* A million goroutines parked at once, then released. */
typedef struct waiter {
    struct waiter *next;
    gocc_g *g;
} waiter;

static gocc_lock wq_lock;
static waiter *wq;
static long nparked, nreleased;
static gtest_event allparked, alldone;
/* A million by default would spend most of the test's time in first-touch page faults (one fresh page per
 * parked goroutine, 12-40 us each on this VM): the suite runs 100000; GTEST_PARKED=1000000 runs the full size. */
static long MILLION = 100000;

static void wq_unlock(void *arg) { (void)arg; gocc_lock_release(&wq_lock); }

static void parker(void *arg)
{
    (void)arg;
    waiter w = { NULL, gocc_sched_self() };
    gocc_lock_acquire(&wq_lock);
    w.next = wq;
    wq = &w;
    if (++nparked == MILLION)
        gtest_event_fire(&allparked);
    gocc_sched_park(wq_unlock, NULL, "test wait", GOCC_HERE);
    if (__atomic_add_fetch(&nreleased, 1, __ATOMIC_ACQ_REL) == MILLION)
        gtest_event_fire(&alldone);
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

GOCC_TEST(stack_million_parked)
{
    if (getenv("GTEST_PARKED"))
        MILLION = atol(getenv("GTEST_PARKED"));
    long rss0 = rss_kib();
    for (int i = 0; i < MILLION; i++)
        gocc_go(parker, NULL, 0, GOCC_HERE);
    gtest_event_wait(&allparked);
    long rss1 = rss_kib();
    CU_ASSERT_EQUAL(runtime_numgoroutine(), MILLION + 1);
    double per = (double)(rss1 - rss0) * 1024 / MILLION;
    printf("[%.0f bytes per parked goroutine] ", per);
    CU_ASSERT(per < 4.5 * 1024);
    gocc_lock_acquire(&wq_lock);
    waiter *w = wq;
    wq = NULL;
    gocc_lock_release(&wq_lock);
    while (w) {
        waiter *next = w->next; /* read before readying: w lives on the goroutine's stack */
        gocc_sched_ready(w->g);
        w = next;
    }
    gtest_event_wait(&alldone);
    CU_ASSERT_EQUAL(nreleased, MILLION);
}
