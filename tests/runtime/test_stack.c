/* test_stack.c - goroutine stacks: deep recursion, overflow reports, pooling, a million parked goroutines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "gtest.h"
#include "gtest_event.h"
#include "sched_impl.h"


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

static const gocc_site created_here = {.file = "prog.gc", .line = 99};

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

/* Frames larger than the whole (default, 448 KiB) stack. In .gc code (a function-entry check) a 600 KiB
 * local array is caught at entry, before the frame is touched: the check reads the stack pointer after
 * the prologue, the bottom of the frame. In plain C, a 480 KiB frame touched from its bottom up (as a
 * loop over a local array does) faults in the 64 KiB gap below the stack. Both are reported as stack
 * overflows with the goroutine's creation site; with GOCC_STACK=1M both fit. */
static __attribute__((noinline)) void touch_up(volatile char *p, long n)
{
    for (long i = 0; i < n; i += 4096)
        p[i] = 1;
}

static void hold_never(void *arg)
{
    static gtest_event never;
    (void)arg;
    gtest_event_wait(&never);
}

static void big_frame_gc(void *arg)
{
    GOCC_FUNCTION_ENTRY();
    (void)arg;
    char big[600 << 10];
    touch_up(big, sizeof big);
    printf("600 KiB frame fits\n");
}

static void big_frame_c(void *arg)
{
    (void)arg;
    char big[480 << 10];
    touch_up(big, sizeof big);
    printf("480 KiB frame fits\n");
}

static void big_frames(void (*fn)(void *))
{
    for (int i = 0; i < 5; i++) /* not the chunk's bottom stack: the gap between two stacks */
        gocc_go(hold_never, NULL, 0, GOCC_HERE);
    runtime_gosched();
    gocc_go(fn, NULL, 0, &created_here);
    time_sleep(500 * time_millisecond);
}

GOCC_HELPER(overflow_big_frame_gc) { big_frames(big_frame_gc); }
GOCC_HELPER(overflow_big_frame_c) { big_frames(big_frame_c); }

GOCC_TEST(stack_overflow_big_frame)
{
    static char out[4096];
    const char *helpers[2] = {"overflow_big_frame_gc", "overflow_big_frame_c"};
    const char *fits[2] = {"600 KiB frame fits", "480 KiB frame fits"};
    for (int k = 0; k < 2; k++) {
        int st = gtest_run_helper(helpers[k], gtest_procs(), out, sizeof out, 10);
        CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: goroutine stack overflow"));
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "created by goroutine 1 at prog.gc:99"));
        CU_ASSERT_PTR_NULL(strstr(out, "unexpected signal"));
        CU_ASSERT_PTR_NULL(strstr(out, fits[k]));
        setenv("GOCC_STACK", "1M", 1);
        st = gtest_run_helper(helpers[k], gtest_procs(), out, sizeof out, 10);
        unsetenv("GOCC_STACK");
        CU_ASSERT_EQUAL(gtest_exit_code(st), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, fits[k]));
    }
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

/* Past the mapping budget (GOCC_STACK_GUARDS=0: only each chunk's bottom stack keeps a PROT_NONE gap),
 * C code that runs a little below its stack writes into its own writable gap, which corrupts nobody and
 * is found at the goroutine's next switch. */
static gtest_event hold_ev;
static void holder(void *arg) { (void)arg; gtest_event_wait(&hold_ev); }

static void overflow_c_bit(void *arg)
{
    (void)arg;
    recurse_c(540); /* ~540 KiB: overruns a 512 KiB stack by a little */
    gocc_sched_yield();
    printf("not detected\n");
}

GOCC_HELPER(overflow_c_code_unguarded)
{
    for (int i = 0; i < 10; i++) /* not the chunk's bottom stack */
        gocc_go(holder, NULL, 0, GOCC_HERE);
    gocc_sched_yield();
    gocc_go(overflow_c_bit, NULL, 0, &created_here);
    time_sleep(200 * time_millisecond);
}

GOCC_TEST(stack_overflow_in_c_code_unguarded)
{
    static char out[4096];
    setenv("GOCC_STACK", "512K", 1);
    setenv("GOCC_STACK_GUARDS", "0", 1);
    int st = gtest_run_helper("overflow_c_code_unguarded", gtest_procs(), out, sizeof out, 10);
    unsetenv("GOCC_STACK");
    unsetenv("GOCC_STACK_GUARDS");
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: goroutine stack overflow"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "created by goroutine 1 at prog.gc:99"));
    CU_ASSERT_PTR_NULL(strstr(out, "not detected"));
}

/* The same overrun among many goroutines that end while main stays busy (its p never idles): ended
 * goroutines' unguarded stacks are checked 32 at a time, and the report blames the goroutine that
 * overran, not another that ended beside it. */
static void overflow_c_quiet(void *arg)
{
    (void)arg;
    recurse_c(540);
}
static void nothing(void *arg) { (void)arg; }

GOCC_HELPER(overflow_c_code_unguarded_batch)
{
    for (int i = 0; i < 100; i++)
        gocc_go(i == 20 ? overflow_c_quiet : nothing, NULL, 0, i == 20 ? &created_here : GOCC_HERE);
    for (int i = 0; i < 100000; i++) /* every goroutine ends long before this */
        gocc_sched_yield();
    printf("not detected\n");
    fflush(stdout);
}

GOCC_TEST(stack_overflow_in_c_code_unguarded_batch)
{
    static char out[4096];
    setenv("GOCC_STACK", "512K", 1);
    setenv("GOCC_STACK_GUARDS", "0", 1);
    /* One thread: the ends all happen on main's p, which checks them at the 32nd whatever the load (at
     * GOMAXPROCS=2 the other thread, starved by a loaded machine, could hold the stack unchecked until
     * main returned). */
    int st = gtest_run_helper("overflow_c_code_unguarded_batch", 1, out, sizeof out, 20);
    unsetenv("GOCC_STACK");
    unsetenv("GOCC_STACK_GUARDS");
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: goroutine stack overflow"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "created by goroutine 1 at prog.gc:99"));
    CU_ASSERT_PTR_NULL(strstr(out, "not detected"));
}

/* Where the kernel has guard regions (MADV_GUARD_INSTALL), every stack is guarded, however many live:
 * C code that overruns the 10,001st goroutine's stack faults in its gap at once (the mprotect budget
 * guards 8,189 on a stock kernel; past it the overrun was found only when the goroutine ended). */
static int kernel_has_guard_regions(void)
{
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int ok = p != MAP_FAILED && madvise(p, 4096, 102 /* MADV_GUARD_INSTALL */) == 0;
    if (p != MAP_FAILED)
        munmap(p, 8192);
    return ok;
}

static long nholding;
static void counted_holder(void *arg)
{
    (void)arg;
    __atomic_add_fetch(&nholding, 1, __ATOMIC_RELAXED);
    gtest_event_wait(&hold_ev);
}

GOCC_HELPER(overflow_c_code_10000_live)
{
    for (int i = 0; i < 10000; i++)
        gocc_go(counted_holder, NULL, 0, GOCC_HERE);
    /* every holder has its stack before the overrunning goroutine takes the 10,001st */
    while (__atomic_load_n(&nholding, __ATOMIC_RELAXED) < 10000)
        gocc_sched_yield();
    gocc_go(overflow_c_bit, NULL, 0, &created_here);
    time_sleep(2000 * time_millisecond);
}

GOCC_TEST(stack_every_stack_guarded)
{
    static char out[4096];
    if (!kernel_has_guard_regions()) {
        printf("[kernel without MADV_GUARD_INSTALL: guards are budgeted, not checked here] ");
        return;
    }
    setenv("GOCC_STACK", "512K", 1);
    int st = gtest_run_helper("overflow_c_code_10000_live", gtest_procs(), out, sizeof out, 30);
    unsetenv("GOCC_STACK");
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "in the guard gap below its stack"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "created by goroutine 1 at prog.gc:99"));
    CU_ASSERT_PTR_NULL(strstr(out, "not detected"));
}

/* Ordinary deep recursion in a goroutine: 20,000 frames of ~400 bytes (8 MB) fit the default stack as
 * they fit a C thread's; the pages it touched go back when the goroutine ends. */
static __attribute__((noinline)) long recurse400(int depth, volatile char *prev)
{
    GOCC_FUNCTION_ENTRY();
    volatile char buf[368];
    buf[0] = (char)depth;
    buf[367] = 1;
    if (depth == 0)
        return (long)(prev - buf); /* one frame's size */
    return recurse400(depth - 1, buf);
}

static gtest_event d400_done;
static long d400_frame;
static void deep400(void *arg)
{
    (void)arg;
    d400_frame = recurse400(20000, NULL);
    gtest_event_fire(&d400_done); /* a switch at the top of the stack: spmin alone never saw the depth */
}

static long rss_kib(void);

GOCC_HELPER(deep_recursion_20000_frames)
{
    long rss0 = rss_kib();
    gocc_go(deep400, NULL, 0, GOCC_HERE);
    gtest_event_wait(&d400_done);
    time_sleep(20 * time_millisecond); /* let it exit */
    long rss1 = rss_kib();
    /* the frames really are ~400 bytes; the ~8 MB the recursion touched went back at its exit */
    printf("frame>=384 %d given back %d\n", d400_frame >= 384, rss1 - rss0 < 1024);
}

GOCC_TEST(stack_deep_recursion_20000_frames)
{
    static char out[4096];
    setenv("GOCC_STACK", "8M", 1); /* a C thread's default stack */
    int st = gtest_run_helper("deep_recursion_20000_frames", gtest_procs(), out, sizeof out, 20);
    unsetenv("GOCC_STACK");
    CU_ASSERT_EQUAL(gtest_exit_code(st), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "frame>=384 1 given back 1"));
    /* With the default stack it overflows, and says how to raise it. */
    st = gtest_run_helper("deep_recursion_20000_frames", gtest_procs(), out, sizeof out, 20);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fatal error: goroutine stack overflow"));
}

/* The mappings stay within budget: 20,000 live goroutines (default GOCC_STACK) take far fewer than
 * vm.max_map_count mappings. */
static long nmaps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    long n = 0;
    int c;
    while (f && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

GOCC_TEST(stack_mappings_within_budget)
{
    for (int i = 0; i < 20000; i++)
        gocc_go(holder, NULL, 0, GOCC_HERE);
    time_sleep(50 * time_millisecond);
    long n = nmaps();
    printf("[%ld mappings for 20000 goroutines] ", n);
    CU_ASSERT(n < 2 * 20000 + 2000);
    CU_ASSERT(n < 65530 - 16384);
    gtest_event_fire(&hold_ev);
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

/* g records come into a p's cache 32 at a time and leave it 32 at a time for the global list, where any
 * p takes them: waves of goroutines that all end before the next wave starts reuse the records of the
 * waves before, whichever p ran (and freed) them. At GOMAXPROCS=2 the spawner's p runs some, the other
 * p steals the rest, so records freed on one p are reused by the other. Without reuse, 20 waves of
 * 5,000 would carve 100,000 records; with it, about one wave's worth plus the ps' caches. */
static sync_waitgroup wave_wg;
static void wave_member(void *arg)
{
    (void)arg;
    gocc_sched_yield(); /* a switch in the middle: the record is in use across it */
    sync_waitgroup_done(&wave_wg);
}

GOCC_TEST(stack_g_records_reused_across_ps)
{
    enum { WAVE = 5000, WAVES = 20 };
    for (int w = 0; w < WAVES; w++) {
        sync_waitgroup_add(&wave_wg, WAVE);
        for (int i = 0; i < WAVE; i++)
            gocc_go(wave_member, NULL, 0, GOCC_HERE);
        sync_waitgroup_wait(&wave_wg);
        while (runtime_numgoroutine() > 1) /* the last members are past Done but not yet freed */
            gocc_sched_yield();
    }
    long carved = gocc_g_carved();
    printf("[%ld g records for %d goroutines in waves of %d] ", carved, WAVE * WAVES, WAVE);
    CU_ASSERT(carved <= WAVE + 1000);
}

/* A plain C call that goes deep and returns before any switch is not seen by spmin or the watermark;
 * the pages it touched go back when its stack leaves the p's cache for the global list (release_batch:
 * every page below the top one, 32 stacks to a call). 600 goroutines each touch 192 KiB of stack in
 * plain C (115 MiB in all), all alive at once so that each has its own stack; once they have ended, at
 * most the ps' caches (64 stacks each) may still hold such pages. */
static sync_waitgroup deepc_started, deepc_gate, deepc_ended;
static void deepc_member(void *arg)
{
    (void)arg;
    recurse_c(190); /* ~1 KiB frames: ~192 KiB, then back to the top page */
    sync_waitgroup_done(&deepc_started);
    sync_waitgroup_wait(&deepc_gate); /* parked at the top of the stack: spmin sees only the top */
    sync_waitgroup_done(&deepc_ended);
}

static long rss_kib(void);

GOCC_TEST(stack_deep_c_call_pages_released)
{
    enum { N = 600 };
    long rss0 = rss_kib();
    sync_waitgroup_add(&deepc_started, N);
    sync_waitgroup_add(&deepc_ended, N);
    sync_waitgroup_add(&deepc_gate, 1);
    for (int i = 0; i < N; i++)
        gocc_go(deepc_member, NULL, 0, GOCC_HERE);
    sync_waitgroup_wait(&deepc_started);
    long rss1 = rss_kib();
    sync_waitgroup_done(&deepc_gate);
    sync_waitgroup_wait(&deepc_ended);
    while (runtime_numgoroutine() > 1)
        gocc_sched_yield();
    long rss2 = rss_kib();
    long caches = 2L * 64 * 192; /* KiB the ps' caches may hold at GOMAXPROCS <= 2 */
    printf("[touched %ld KiB, kept %ld KiB after the ends] ", rss1 - rss0, rss2 - rss0);
    CU_ASSERT(rss1 - rss0 > N * 150);
    CU_ASSERT(rss2 - rss0 < caches + N * 8 + 4096);
}

/* Free g records move between ps through the global pool as pointers (stack.c). Three ps of the test's
 * own: p0 takes 1,000 records (refills from the pool, carving what it lacks), p1 frees them all (its
 * cache spills to the pool past GOCC_GCACHE), then p1 takes back what its cache holds and p2 as many
 * whole refills (32 each) as the pool holds of them: every record handed out once, all of them among the
 * 1,000 freed, none carved. Then the lock-only path (no p): last in, first out, nothing carved. */
static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

GOCC_TEST(stack_g_pool_moves_records_between_ps)
{
    enum { N = 1000 };
    static gocc_g *a[N], *b[N];
    gocc_p *ps = aligned_alloc(64, 3 * sizeof(gocc_p));
    memset(ps, 0, 3 * sizeof(gocc_p));
    for (int i = 0; i < N; i++)
        a[i] = gocc_g_alloc(&ps[0]);
    qsort(a, N, sizeof a[0], cmp_ptr);
    int dup = 0;
    for (int i = 1; i < N; i++)
        dup += a[i] == a[i - 1];
    CU_ASSERT_EQUAL(dup, 0);
    long carved = gocc_g_carved();
    for (int i = 0; i < N; i++)
        gocc_g_free(&ps[1], a[i]);
    int n1 = ps[1].ngfree;
    CU_ASSERT(n1 > GOCC_GCACHE / 2 && n1 <= GOCC_GCACHE);
    int nb = n1 + (N - n1) / (GOCC_GCACHE / 2) * (GOCC_GCACHE / 2);
    for (int i = 0; i < nb; i++)
        b[i] = gocc_g_alloc(i < n1 ? &ps[1] : &ps[2]);
    CU_ASSERT_EQUAL(gocc_g_carved(), carved);
    qsort(b, (size_t)nb, sizeof b[0], cmp_ptr);
    int foreign = 0;
    dup = 0;
    for (int i = 0; i < nb; i++) {
        foreign += !bsearch(&b[i], a, N, sizeof a[0], cmp_ptr);
        dup += i > 0 && b[i] == b[i - 1];
    }
    CU_ASSERT(nb > N - GOCC_GCACHE / 2);
    CU_ASSERT_EQUAL(foreign, 0);
    CU_ASSERT_EQUAL(dup, 0);
    for (int i = 0; i < nb; i++)
        gocc_g_free(NULL, b[i]);
    int lifo = 0;
    for (int i = nb - 1; i >= 0; i--)
        lifo += gocc_g_alloc(NULL) == b[i];
    CU_ASSERT_EQUAL(lifo, nb);
    CU_ASSERT_EQUAL(gocc_g_carved(), carved);
    for (int i = 0; i < nb; i++)
        gocc_g_free(NULL, b[i]);
    free(ps);
}
