/*
 * test_stress_uni.c - single-P ("uni") mode of sync.Mutex (runtime/uni.h):
 * at GOMAXPROCS=1 goroutines exclude each other with plain loads and stores,
 * and every way a second thread can start touching a mutex turns the mode off
 * first (a plain thread's call, sysmon's hand-off of a blocked thread's p,
 * runtime_gomaxprocs). Each test checks the mode it expects and an exact
 * counter kept by a non-atomic read-modify-write under the mutex. Also built
 * into runtime-race, where the mode is never on (TSan must see the atomics)
 * and must report nothing. No wall-clock bounds: every wait is for an event,
 * the runner's timeout is the hang guard.
 */
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "test_chan_util.h"
#include "uni.h"

#if GOCC_RACE
enum { SCALE = 20 };
#else
enum { SCALE = 1 };
#endif

static int mode(void) { return __atomic_load_n(&gocc_uni_rseq.mode, __ATOMIC_ACQUIRE); }

extern const unsigned int __rseq_size __attribute__((weak)); /* glibc's, as uni.c reads it */

/* The mode the runtime must have chosen at start for this run. */
static int start_mode(void)
{
#if GOCC_RACE
    return GOCC_UNI_OFF;
#else
#ifdef GOCC_UNI_RSEQ_
    long q = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    int can = q >= 0 && (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) && &__rseq_size && __rseq_size >= 16;
    return gtest_procs() == 1 && can ? GOCC_UNI_ON : GOCC_UNI_OFF;
#else
    return GOCC_UNI_OFF; /* no plain section on this machine */
#endif
#endif
}

typedef struct {
    sync_mutex *mu;
    long *counter;
    int *inside, *bad;
    long n;          /* at least this many increments */
    int *stop;       /* and, if not NULL, until *stop */
    long *done;      /* increments made, added at the end */
    sync_waitgroup *wg;
} hammer_arg;

/* Non-atomic increment plus an occupancy check under the mutex: two holders at once are seen, or lose
 * increments. Every 64th holder yields with the lock held, so the others park on it (the contended,
 * atomic path on a word the plain path wrote). */
static long hammer(hammer_arg *a, int yield)
{
    long i = 0;
    for (; i < a->n || (a->stop && !__atomic_load_n(a->stop, __ATOMIC_ACQUIRE)); i++) {
        if (i % 5 == 4) {
            if (!sync_mutex_trylock(a->mu))
                sync_mutex_lock(a->mu);
        } else {
            sync_mutex_lock(a->mu);
        }
        if (__atomic_fetch_add(a->inside, 1, __ATOMIC_RELAXED) != 0)
            __atomic_store_n(a->bad, 1, __ATOMIC_RELAXED);
        long v = *(volatile long *)a->counter;
        if (yield && i % 64 == 0)
            runtime_gosched();
        *(volatile long *)a->counter = v + 1;
        __atomic_fetch_sub(a->inside, 1, __ATOMIC_RELAXED);
        sync_mutex_unlock(a->mu);
    }
    __atomic_fetch_add(a->done, i, __ATOMIC_RELAXED);
    return i;
}

static void hammer_g(hammer_arg *a)
{
    hammer(a, 1);
    sync_waitgroup_done(a->wg);
}

/* Goroutines that park while holding the lock: the mode stays on throughout at GOMAXPROCS=1. */
GOCC_TEST(uni_mutex_goroutines_park_holding)
{
    enum { G = 8 };
    static sync_mutex mu;
    static sync_waitgroup wg;
    static long counter, done;
    static int inside, bad;
    CU_ASSERT_EQUAL(mode(), start_mode());
    hammer_arg a = {&mu, &counter, &inside, &bad, 20000 / SCALE, NULL, &done, &wg};
    sync_waitgroup_add(&wg, G);
    for (int g = 0; g < G; g++)
        GO(hammer_g, a);
    sync_waitgroup_wait(&wg);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(counter, (long)G * a.n);
    CU_ASSERT_EQUAL(done, counter);
    CU_ASSERT_EQUAL(mode(), start_mode());
    CU_ASSERT(sync_mutex_trylock(&mu));
    CU_ASSERT(!sync_mutex_trylock(&mu));
    sync_mutex_unlock(&mu);
}

/* ---- a plain thread joins goroutines that hammer the mutex ---- */

static sync_mutex pt_mu;
static long pt_counter, pt_done;
static int pt_inside, pt_bad, pt_stop, pt_started;

static void *plain_hammer(void *arg)
{
    hammer_arg *a = arg;
    __atomic_store_n(&pt_started, 1, __ATOMIC_RELEASE);
    hammer(a, 0);
    __atomic_store_n(&pt_stop, 1, __ATOMIC_RELEASE); /* the goroutines ran all along: now they stop */
    return NULL;
}

GOCC_TEST(uni_mutex_plain_thread_joins)
{
    enum { G = 4 };
    static sync_waitgroup wg;
    CU_ASSERT_EQUAL(mode(), start_mode());
    hammer_arg ga = {&pt_mu, &pt_counter, &pt_inside, &pt_bad, 2000 / SCALE, &pt_stop, &pt_done, &wg};
    sync_waitgroup_add(&wg, G);
    for (int g = 0; g < G; g++)
        GO(hammer_g, ga);
    /* Let the goroutines take the lock (the plain path, at GOMAXPROCS=1) before the thread starts. */
    for (;;) {
        sync_mutex_lock(&pt_mu);
        long c = pt_counter;
        sync_mutex_unlock(&pt_mu);
        if (c >= 100)
            break;
        runtime_gosched();
    }
    static hammer_arg ta;
    ta = (hammer_arg){&pt_mu, &pt_counter, &pt_inside, &pt_bad, 200000 / SCALE, NULL, &pt_done, NULL};
    start_thread(plain_hammer, &ta);
    sync_waitgroup_wait(&wg);
    CU_ASSERT(__atomic_load_n(&pt_started, __ATOMIC_ACQUIRE));
    CU_ASSERT_EQUAL(pt_bad, 0);
    sync_mutex_lock(&pt_mu);
    CU_ASSERT_EQUAL(pt_counter, pt_done);
    CU_ASSERT(pt_done >= (long)G * ga.n + ta.n);
    sync_mutex_unlock(&pt_mu);
    CU_ASSERT_EQUAL(mode(), GOCC_UNI_OFF); /* the plain thread's first call turned it off for good */
}

/* A plain thread whose first sync call is an unlock (of a mutex a goroutine locked: allowed, as in Go). */
static sync_mutex pu_mu;
static void *plain_unlock(void *arg)
{
    (void)arg;
    sync_mutex_unlock(&pu_mu);
    return NULL;
}

GOCC_TEST(uni_mutex_plain_thread_unlocks)
{
    CU_ASSERT_EQUAL(mode(), start_mode());
    sync_mutex_lock(&pu_mu);
    pthread_t t;
    pthread_create(&t, NULL, plain_unlock, NULL);
    sync_mutex_lock(&pu_mu); /* parks (or, with a plain thread's wait, blocks) until that unlock */
    sync_mutex_unlock(&pu_mu);
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(mode(), GOCC_UNI_OFF);
}

/* ---- sysmon hands off the p of a thread blocked in a system call ---- */

static sync_mutex sc_mu;
static long sc_counter, sc_done;
static int sc_inside, sc_bad, sc_stop, sc_incall, sc_pipe[2];
static sync_waitgroup sc_wg;

/* Blocks its thread in read(2) (plain C: the scheduler knows nothing of it) until the main goroutine,
 * which can only run once sysmon has handed the p to another thread, writes. Then, back in plain C with
 * no preemption check, it hammers the mutex beside the goroutines of the new p's thread. */
static void blocked_then_hammer(hammer_arg *a)
{
    char c;
    __atomic_store_n(&sc_incall, 1, __ATOMIC_RELEASE);
    CU_ASSERT_EQUAL(read(sc_pipe[0], &c, 1), 1);
    hammer(a, 0);
    __atomic_store_n(&sc_stop, 1, __ATOMIC_RELEASE);
    sync_waitgroup_done(a->wg);
}

GOCC_TEST(uni_mutex_after_syscall_handoff)
{
    enum { G = 3 };
    CU_ASSERT_EQUAL(mode(), start_mode());
    CU_ASSERT_EQUAL_FATAL(pipe(sc_pipe), 0);
    hammer_arg ba = {&sc_mu, &sc_counter, &sc_inside, &sc_bad, 100000 / SCALE, NULL, &sc_done, &sc_wg};
    sync_waitgroup_add(&sc_wg, 1);
    GO(blocked_then_hammer, ba);
    while (!__atomic_load_n(&sc_incall, __ATOMIC_ACQUIRE))
        runtime_gosched();
    /* At GOMAXPROCS=1 we run again only on a p that sysmon took from the blocked thread; the yields
     * give it the time (20 ms of blocking) without a clock. */
    hammer_arg ga = {&sc_mu, &sc_counter, &sc_inside, &sc_bad, 1000 / SCALE, &sc_stop, &sc_done, &sc_wg};
    sync_waitgroup_add(&sc_wg, G);
    for (int g = 0; g < G; g++)
        GO(hammer_g, ga);
    CU_ASSERT_EQUAL(write(sc_pipe[1], "x", 1), 1);
    sync_waitgroup_wait(&sc_wg);
    CU_ASSERT_EQUAL(sc_bad, 0);
    CU_ASSERT_EQUAL(sc_counter, sc_done);
    CU_ASSERT(sc_done >= (long)G * ga.n + ba.n);
    if (gtest_procs() == 1)
        CU_ASSERT_EQUAL(mode(), GOCC_UNI_OFF); /* the hand-off turned it off before the p moved */
    close(sc_pipe[0]);
    close(sc_pipe[1]);
}

/* ---- GOMAXPROCS raised at run time ---- */

GOCC_TEST(uni_mutex_gomaxprocs_raised)
{
    enum { G = 8 };
    static sync_mutex mu;
    static sync_waitgroup wg;
    static long counter, done;
    static int inside, bad;
    CU_ASSERT_EQUAL(mode(), start_mode());
    hammer_arg a = {&mu, &counter, &inside, &bad, 2000 / SCALE, NULL, &done, &wg};
    sync_waitgroup_add(&wg, G / 2);
    for (int g = 0; g < G / 2; g++)
        GO(hammer_g, a);
    runtime_gosched();
    int old = runtime_gomaxprocs(2);
    CU_ASSERT_EQUAL(mode(), GOCC_UNI_OFF);
    sync_waitgroup_add(&wg, G / 2);
    for (int g = 0; g < G / 2; g++)
        GO(hammer_g, a);
    sync_waitgroup_wait(&wg);
    runtime_gomaxprocs(old);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(counter, (long)G * a.n);
    CU_ASSERT_EQUAL(done, counter);
    CU_ASSERT_EQUAL(mode(), GOCC_UNI_OFF); /* for good, even back at 1 */
}

/* ---- a plain thread that only ever tries the lock ---- */

static sync_mutex tt_mu;
static long tt_counter, tt_done;
static int tt_inside, tt_bad, tt_stop, tt_mode_first = -1;

static void *plain_trylock(void *arg)
{
    long n = *(long *)arg, i = 0;
    for (; i < n; i++) {
        while (!sync_mutex_trylock(&tt_mu))
            sched_yield();
        if (i == 0) /* the mode after the thread's first sync call, before its first unlock */
            __atomic_store_n(&tt_mode_first, mode(), __ATOMIC_RELEASE);
        if (__atomic_fetch_add(&tt_inside, 1, __ATOMIC_RELAXED) != 0)
            __atomic_store_n(&tt_bad, 1, __ATOMIC_RELAXED);
        long v = *(volatile long *)&tt_counter;
        *(volatile long *)&tt_counter = v + 1;
        __atomic_fetch_sub(&tt_inside, 1, __ATOMIC_RELAXED);
        sync_mutex_unlock(&tt_mu);
    }
    __atomic_fetch_add(&tt_done, i, __ATOMIC_RELAXED);
    __atomic_store_n(&tt_stop, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Its first call is a trylock, which must turn the mode off as lock does. */
GOCC_TEST(uni_mutex_plain_thread_trylocks)
{
    enum { G = 4 };
    static sync_waitgroup wg;
    static long n = 20000 / SCALE;
    CU_ASSERT_EQUAL(mode(), start_mode());
    hammer_arg ga = {&tt_mu, &tt_counter, &tt_inside, &tt_bad, 1000 / SCALE, &tt_stop, &tt_done, &wg};
    sync_waitgroup_add(&wg, G);
    for (int g = 0; g < G; g++)
        GO(hammer_g, ga);
    runtime_gosched();
    start_thread(plain_trylock, &n);
    sync_waitgroup_wait(&wg);
    CU_ASSERT_EQUAL(tt_bad, 0);
    sync_mutex_lock(&tt_mu);
    CU_ASSERT_EQUAL(tt_counter, tt_done);
    CU_ASSERT(tt_done >= (long)G * ga.n + n);
    sync_mutex_unlock(&tt_mu);
    CU_ASSERT_EQUAL(__atomic_load_n(&tt_mode_first, __ATOMIC_ACQUIRE), GOCC_UNI_OFF);
    CU_ASSERT_EQUAL(mode(), GOCC_UNI_OFF);
}

/* ---- a second leaver while the first one's barrier runs ----
 * A thread that finds the mode OFF goes straight to the atomic path, so OFF must not be visible before
 * the barrier is over: a leaver that returns finds OFF, and so does every leaver that started while
 * another one's barrier ran (they wait at leave_lk). When OFF was stored first, two plain threads and
 * goroutines sharing a mutex at GOMAXPROCS=1 saw "unlock of unlocked mutex" in 1-3 % of runs. */
static int sl_mode_seen[2] = { -1, -1 };

static void *sl_leave(void *arg)
{
    gocc_uni_leave();
    __atomic_store_n(&sl_mode_seen[(intptr_t)arg], mode(), __ATOMIC_RELEASE);
    return NULL;
}

GOCC_TEST(uni_second_leaver_waits_for_handshake)
{
    CU_ASSERT_EQUAL(mode(), start_mode());
    if (start_mode() != GOCC_UNI_ON)
        return; /* nothing to leave */
    pthread_t first, second;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&first, NULL, sl_leave, (void *)0), 0);
    while (mode() == GOCC_UNI_ON)
        sched_yield(); /* the first leaver has begun */
    CU_ASSERT_EQUAL_FATAL(pthread_create(&second, NULL, sl_leave, (void *)1), 0);
    pthread_join(first, NULL);
    pthread_join(second, NULL);
    CU_ASSERT_EQUAL(__atomic_load_n(&sl_mode_seen[0], __ATOMIC_ACQUIRE), GOCC_UNI_OFF);
    CU_ASSERT_EQUAL(__atomic_load_n(&sl_mode_seen[1], __ATOMIC_ACQUIRE), GOCC_UNI_OFF);
    CU_ASSERT_EQUAL(mode(), GOCC_UNI_OFF);
}

/* ---- the plain section is a restartable sequence ----
 * The p's thread runs plain sections (gocc.h, gocc__uni_swap_plain) back to back while a plain thread
 * signals it (pthread_kill does not leave the mode). The handler finds where the thread was interrupted:
 * never inside a section (the kernel moves it to the section's abort address before the handler runs),
 * and at an abort address for some of the signals (the descriptors are the ones the kernel reads: their
 * section of the binary, gocc_rseq_cs). A wrong descriptor or signature kills the process with SIGSEGV;
 * a thread without rseq leaves the interrupted address inside. The word ends as the committed swaps say. */
#ifdef GOCC_UNI_RSEQ_

static long rs_inside, rs_aborted, rs_signals;

static void rs_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    unsigned long long ip = (unsigned long long)((ucontext_t *)ucv)->uc_mcontext.gregs[REG_RIP];
    for (const gocc_uni_desc *d = __start_gocc_rseq_cs; d < __stop_gocc_rseq_cs; d++) {
        if (ip >= d->start && ip < d->start + d->len)
            __atomic_add_fetch(&rs_inside, 1, __ATOMIC_RELAXED);
        if (ip == d->abort)
            __atomic_add_fetch(&rs_aborted, 1, __ATOMIC_RELAXED);
    }
    __atomic_add_fetch(&rs_signals, 1, __ATOMIC_RELEASE);
}

static pthread_t rs_target;
static int rs_stop;

static void *rs_signaller(void *arg)
{
    (void)arg;
    for (long i = 0; i < 200000 && __atomic_load_n(&rs_aborted, __ATOMIC_RELAXED) < 50; i++) {
        long before = __atomic_load_n(&rs_signals, __ATOMIC_ACQUIRE);
        pthread_kill(rs_target, SIGUSR2);
        while (__atomic_load_n(&rs_signals, __ATOMIC_ACQUIRE) == before)
            sched_yield(); /* one at a time: a pending signal is not queued twice */
    }
    __atomic_store_n(&rs_stop, 1, __ATOMIC_RELEASE);
    return NULL;
}
#endif

GOCC_TEST(uni_plain_section_aborted_by_signal)
{
    CU_ASSERT_EQUAL(mode(), start_mode());
    if (start_mode() != GOCC_UNI_ON)
        return; /* no plain section runs */
#ifdef GOCC_UNI_RSEQ_
    CU_ASSERT_FATAL((uintptr_t)__stop_gocc_rseq_cs > (uintptr_t)__start_gocc_rseq_cs);
    struct sigaction sa = { 0 }, old;
    sa.sa_sigaction = rs_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR2, &sa, &old), 0);
    rs_target = pthread_self(); /* at GOMAXPROCS=1 and no blocking call, this goroutine stays here */
    pthread_t t;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, rs_signaller, NULL), 0);
    int word = 0;
    long locks = 0, unlocks = 0, declined = 0;
    while (!__atomic_load_n(&rs_stop, __ATOMIC_ACQUIRE)) {
        if (gocc__uni_swap_plain(&word, 0, 1))
            locks++;
        else
            declined++;
        if (gocc__uni_swap_plain(&word, 1, 0))
            unlocks++;
        else
            declined++;
        if (word != 0 && word != 1)
            break;
    }
    pthread_join(t, NULL);
    sigaction(SIGUSR2, &old, NULL);
    CU_ASSERT_EQUAL(mode(), GOCC_UNI_ON); /* signals are not sync calls: the mode stays */
    CU_ASSERT_EQUAL(rs_inside, 0);
    CU_ASSERT(rs_aborted > 0);
    CU_ASSERT(declined >= 1);
    CU_ASSERT_EQUAL(word, (int)(locks - unlocks));
#endif
}
