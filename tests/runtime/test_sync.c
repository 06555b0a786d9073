/* test_sync.c - Mutex, RWMutex, WaitGroup, Once, Cond and their misuse panics. */
#include "test_chan_util.h"

typedef struct {
    sync_mutex *mu;
    sync_waitgroup *wg;
    long *counter;
    int *inside;
    int n;
    int bad;
} mu_arg;

static void mu_worker(mu_arg *a)
{
    for (int i = 0; i < a->n; i++) {
        sync_mutex_lock(a->mu);
        /* Non-atomic read-modify-write plus an occupancy check: two holders
         * at once would be seen, or would lose increments. */
        if (__atomic_fetch_add(a->inside, 1, __ATOMIC_RELAXED) != 0)
            __atomic_store_n(&a->bad, 1, __ATOMIC_RELAXED);
        long v = *a->counter;
        if (i % 64 == 0)
            runtime_gosched(); /* hold the lock across a switch: others park */
        *a->counter = v + 1;
        __atomic_fetch_sub(a->inside, 1, __ATOMIC_RELAXED);
        sync_mutex_unlock(a->mu);
    }
    sync_waitgroup_done(a->wg);
}

GOCC_TEST(sync_mutex_exclusion)
{
    enum { G = 16, N = 5000 };
    static sync_mutex mu;
    static sync_waitgroup wg;
    static long counter;
    static int inside;
    mu_arg a = {&mu, &wg, &counter, &inside, N, 0};
    sync_waitgroup_add(&wg, G);
    for (int g = 0; g < G; g++)
        GO(mu_worker, a);
    sync_waitgroup_wait(&wg);
    CU_ASSERT_EQUAL(counter, (long)G * N);
    CU_ASSERT_EQUAL(inside, 0);
    CU_ASSERT(sync_mutex_trylock(&mu));
    CU_ASSERT(!sync_mutex_trylock(&mu));
    sync_mutex_unlock(&mu);
}

typedef struct { sync_rwmutex *rw; sync_waitgroup *wg; long *data; int *readers; int *writers; int *bad; int n; } rw_arg;

static void rw_reader(rw_arg *a)
{
    for (int i = 0; i < a->n; i++) {
        sync_rwmutex_rlock(a->rw);
        __atomic_fetch_add(a->readers, 1, __ATOMIC_RELAXED);
        if (__atomic_load_n(a->writers, __ATOMIC_RELAXED))
            __atomic_store_n(a->bad, 1, __ATOMIC_RELAXED);
        long d0 = a->data[0];
        if (i % 16 == 0)
            runtime_gosched();
        if (a->data[1] != d0) /* a writer keeps both equal */
            __atomic_store_n(a->bad, 1, __ATOMIC_RELAXED);
        __atomic_fetch_sub(a->readers, 1, __ATOMIC_RELAXED);
        sync_rwmutex_runlock(a->rw);
    }
    sync_waitgroup_done(a->wg);
}

static void rw_writer(rw_arg *a)
{
    for (int i = 0; i < a->n; i++) {
        sync_rwmutex_lock(a->rw);
        if (__atomic_fetch_add(a->writers, 1, __ATOMIC_RELAXED) || __atomic_load_n(a->readers, __ATOMIC_RELAXED))
            __atomic_store_n(a->bad, 1, __ATOMIC_RELAXED);
        a->data[0]++;
        if (i % 8 == 0)
            runtime_gosched();
        a->data[1]++;
        __atomic_fetch_sub(a->writers, 1, __ATOMIC_RELAXED);
        sync_rwmutex_unlock(a->rw);
    }
    sync_waitgroup_done(a->wg);
}

GOCC_TEST(sync_rwmutex_readers_and_writers)
{
    static sync_rwmutex rw;
    static sync_waitgroup wg;
    static long data[2];
    static int readers, writers, bad;
    rw_arg a = {&rw, &wg, data, &readers, &writers, &bad, 2000};
    sync_waitgroup_add(&wg, 12);
    for (int g = 0; g < 8; g++)
        GO(rw_reader, a);
    for (int g = 0; g < 4; g++)
        GO(rw_writer, a);
    sync_waitgroup_wait(&wg);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(data[0], 4 * 2000);
    CU_ASSERT_EQUAL(data[1], 4 * 2000);
}

typedef struct { sync_rwmutex *rw; chan_t *ev; } rwpref_arg;

static void late_reader(rwpref_arg *a)
{
    sync_rwmutex_rlock(a->rw);
    SEND(a->ev, int, 2);
    sync_rwmutex_runlock(a->rw);
}

static void waiting_writer(rwpref_arg *a)
{
    sync_rwmutex_lock(a->rw);
    SEND(a->ev, int, 1);
    sync_rwmutex_unlock(a->rw);
}

/* A reader holds it; a writer queues; a later reader must wait behind the
 * writer (writer preference), so the writer's event comes first. */
GOCC_TEST(sync_rwmutex_writer_preference)
{
    static sync_rwmutex rw;
    chan_t *ev = MKCHAN(int, 4);
    rwpref_arg a = {&rw, ev};
    sync_rwmutex_rlock(&rw);
    GO(waiting_writer, a);
    time_sleep(20 * time_millisecond); /* the writer queues meanwhile */
    GO(late_reader, a);
    time_sleep(20 * time_millisecond);
    CU_ASSERT_EQUAL(gocc_chan_len(ev), 0);
    sync_rwmutex_runlock(&rw);
    CU_ASSERT_EQUAL(RECV(ev, int), 1);
    CU_ASSERT_EQUAL(RECV(ev, int), 2);
}

typedef struct { sync_waitgroup *wg; long *sum; int v; } wg_arg;

static void wg_worker(wg_arg *a)
{
    for (int i = 0; i < 10; i++)
        runtime_gosched();
    __atomic_fetch_add(a->sum, a->v, __ATOMIC_RELAXED);
    sync_waitgroup_done(a->wg);
}

static void wg_waiter(wg_arg *a)
{
    sync_waitgroup_wait(a->wg);
    __atomic_fetch_add(a->sum, 1000000, __ATOMIC_RELAXED);
}

GOCC_TEST(sync_waitgroup)
{
    static sync_waitgroup wg, wg2;
    sync_waitgroup_wait(&wg); /* zero: returns at once */
    static long sum, waited;
    for (int round = 0; round < 20; round++) {
        sum = waited = 0;
        wg_arg w2 = {&wg, &waited, 0};
        sync_waitgroup_add(&wg, 100);
        for (int i = 0; i < 3; i++)
            GO(wg_waiter, w2); /* several waiters */
        for (int i = 1; i <= 100; i++) {
            wg_arg a = {&wg, &sum, i};
            GO(wg_worker, a);
        }
        sync_waitgroup_wait(&wg);
        CU_ASSERT_EQUAL_FATAL(sum, 5050);
        /* The other waiters were released too. */
        for (int i = 0; i < 100 && __atomic_load_n(&waited, __ATOMIC_RELAXED) != 3000000; i++)
            time_sleep(time_millisecond);
        CU_ASSERT_EQUAL_FATAL(waited, 3000000);
    }
    sync_waitgroup_add(&wg2, 2);
    sync_waitgroup_done(&wg2);
    sync_waitgroup_done(&wg2);
    sync_waitgroup_wait(&wg2);
}

static int once_calls;
static void once_fn(void)
{
    time_sleep(2 * time_millisecond); /* others arrive and must wait */
    __atomic_fetch_add(&once_calls, 1, __ATOMIC_RELAXED);
}

typedef struct { sync_once *o; chan_t *res; } once_arg;

static void once_caller(once_arg *a)
{
    sync_once_do(a->o, once_fn);
    /* f has finished for everyone that returns from do. */
    SEND(a->res, int, __atomic_load_n(&once_calls, __ATOMIC_RELAXED));
}

GOCC_TEST(sync_once)
{
    static sync_once o;
    chan_t *res = MKCHAN(int, 10);
    once_arg a = {&o, res};
    for (int i = 0; i < 10; i++)
        GO(once_caller, a);
    for (int i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(RECV(res, int), 1);
    sync_once_do(&o, once_fn);
    CU_ASSERT_EQUAL(once_calls, 1);
}

typedef struct { sync_cond *c; sync_mutex *mu; int *ready; int *woken; chan_t *done; } cond_arg;

static void cond_waiter(cond_arg *a)
{
    sync_mutex_lock(a->mu);
    while (!*a->ready)
        sync_cond_wait(a->c);
    (*a->woken)++; /* holds mu again */
    sync_mutex_unlock(a->mu);
    SEND(a->done, int, 1);
}

GOCC_TEST(sync_cond_signal_broadcast)
{
    static sync_mutex mu;
    static sync_cond c;
    static int ready, woken;
    sync_cond_init(&c, &mu);
    chan_t *done = MKCHAN(int, 20);
    cond_arg a = {&c, &mu, &ready, &woken, done};
    for (int i = 0; i < 10; i++)
        GO(cond_waiter, a);
    time_sleep(5 * time_millisecond);
    /* Signal with the condition false: the woken one waits again. */
    sync_cond_signal(&c);
    time_sleep(2 * time_millisecond);
    CU_ASSERT_EQUAL(gocc_chan_len(done), 0);
    sync_mutex_lock(&mu);
    ready = 1;
    sync_mutex_unlock(&mu);
    sync_cond_broadcast(&c);
    for (int i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(RECV(done, int), 1);
    CU_ASSERT_EQUAL(woken, 10);
}

/* Signal wakes one at a time. */
GOCC_TEST(sync_cond_signal_one)
{
    static sync_mutex mu;
    static sync_cond c;
    static int ready, woken;
    c = (sync_cond){.l = &mu};
    chan_t *done = MKCHAN(int, 20);
    cond_arg a = {&c, &mu, &ready, &woken, done};
    for (int i = 0; i < 3; i++)
        GO(cond_waiter, a);
    time_sleep(5 * time_millisecond);
    sync_mutex_lock(&mu);
    ready = 1;
    sync_mutex_unlock(&mu);
    for (int i = 0; i < 3; i++) {
        sync_cond_signal(&c);
        CU_ASSERT_EQUAL(RECV(done, int), 1);
    }
    CU_ASSERT_EQUAL(woken, 3);
}

static void do_unlock_unlocked(void *x) { static sync_mutex m; sync_mutex_unlock(&m); }
static void do_runlock_unlocked(void *x) { static sync_rwmutex m; sync_rwmutex_runlock(&m); }
static void do_rwunlock_unlocked(void *x) { static sync_rwmutex m; sync_rwmutex_unlock(&m); }
static void do_negative_wg(void *x) { static sync_waitgroup wg; sync_waitgroup_add(&wg, 1); sync_waitgroup_add(&wg, -2); }
static void do_double_unlock(void *x) { static sync_mutex m; sync_mutex_lock(&m); sync_mutex_unlock(&m); sync_mutex_unlock(&m); }

GOCC_TEST(sync_misuse_panics)
{
    CU_ASSERT(expect_death(do_unlock_unlocked, NULL, 2, "panic: sync: unlock of unlocked mutex", NULL));
    CU_ASSERT(expect_death(do_double_unlock, NULL, 2, "panic: sync: unlock of unlocked mutex", NULL));
    CU_ASSERT(expect_death(do_runlock_unlocked, NULL, 2, "panic: sync: RUnlock of unlocked RWMutex", NULL));
    CU_ASSERT(expect_death(do_rwunlock_unlocked, NULL, 2, "panic: sync: Unlock of unlocked RWMutex", NULL));
    CU_ASSERT(expect_death(do_negative_wg, NULL, 2, "panic: sync: negative WaitGroup counter", NULL));
}

/* A mutex held across a long wait parks the waiters rather than their
 * threads: at GOMAXPROCS=1, the holder must be able to run while 50
 * goroutines wait on the lock. */
static void holder(mu_arg *a)
{
    sync_mutex_lock(a->mu);
    sync_waitgroup_done(a->wg); /* locked */
    time_sleep(10 * time_millisecond);
    (*a->counter)++;
    sync_mutex_unlock(a->mu);
}

static void contender(mu_arg *a)
{
    sync_mutex_lock(a->mu);
    (*a->counter)++;
    sync_mutex_unlock(a->mu);
    sync_waitgroup_done(a->wg);
}

GOCC_TEST(sync_mutex_parks_goroutines)
{
    static sync_mutex mu;
    static sync_waitgroup wg;
    static long counter;
    mu_arg a = {&mu, &wg, &counter, NULL, 0, 0};
    sync_waitgroup_add(&wg, 1);
    GO(holder, a);
    sync_waitgroup_wait(&wg);
    sync_waitgroup_add(&wg, 50);
    for (int i = 0; i < 50; i++)
        GO(contender, a);
    sync_waitgroup_wait(&wg);
    CU_ASSERT_EQUAL(counter, 51);
}

/* WaitGroup's Add is one atomic add; only the Add that reaches 0 takes the lock, to wake the waiters.
 * 3,000 rounds of 8 workers (each counts, then calls Done) and 2 waiting goroutines besides main: every
 * Wait returns only after all 8 Done calls of its round (an early return sees the count short), and
 * none is left asleep (a lost wake-up hangs the round: the runner's timeout fails the test). At
 * GOMAXPROCS=2 the last Done and the waiters' checks race on the two threads. */
typedef struct {
    sync_waitgroup *wg, *waiters;
    long *count;
    long want;
    int *early;
} wgr_arg;

static void wgr_worker(wgr_arg *a)
{
    __atomic_fetch_add(a->count, 1, __ATOMIC_RELAXED);
    sync_waitgroup_done(a->wg);
}

static void wgr_waiter(wgr_arg *a)
{
    sync_waitgroup_wait(a->wg);
    if (__atomic_load_n(a->count, __ATOMIC_RELAXED) != a->want)
        __atomic_fetch_add(a->early, 1, __ATOMIC_RELAXED);
    sync_waitgroup_done(a->waiters);
}

GOCC_TEST(sync_waitgroup_wait_after_every_done)
{
    enum { ROUNDS = 3000, K = 8, W = 2 };
    static sync_waitgroup wg, waiters;
    static long count;
    static int early;
    for (int r = 0; r < ROUNDS; r++) {
        wgr_arg a = {&wg, &waiters, &count, (long)(r + 1) * K, &early};
        sync_waitgroup_add(&wg, K);
        sync_waitgroup_add(&waiters, W);
        for (int i = 0; i < W; i++)
            GO(wgr_waiter, a);
        for (int i = 0; i < K; i++)
            GO(wgr_worker, a);
        sync_waitgroup_wait(&wg);
        if (__atomic_load_n(&count, __ATOMIC_RELAXED) != a.want)
            early++;
        sync_waitgroup_wait(&waiters); /* the round's waiters returned before wg is reused */
    }
    CU_ASSERT_EQUAL(early, 0);
    CU_ASSERT_EQUAL(count, (long)ROUNDS * K);
}

/* Once Wait has returned, the WaitGroup's memory is its owner's again (Go allows freeing or reusing it:
 * a local wg in a function called in a loop), so the Done that brought the counter to 0 must not touch it
 * when no one waits. Here the memory is "reused" at once: every word Add left zero (the lock, the queue)
 * becomes garbage, as a new life would make it, before Done runs on a plain thread. A Done that takes the
 * lock spins on the garbage as a held lock (after 10 s the test gives up, clears the words to let it go
 * and fails); one that writes the memory changes a canary. A runtime that took the lock whenever the
 * counter reached 0 failed this every time. */
static int wgm_returned;

static void *wgm_done(void *wg)
{
    sync_waitgroup_done(wg);
    __atomic_store_n(&wgm_returned, 1, __ATOMIC_RELEASE);
    return NULL;
}

GOCC_TEST(sync_waitgroup_done_leaves_memory_alone)
{
    enum { NW = sizeof(sync_waitgroup) / sizeof(unsigned long long) };
    const unsigned long long canary = 0xababababababababULL;
    union { sync_waitgroup wg; unsigned long long w[NW]; } u;
    memset(&u, 0, sizeof u);
    sync_waitgroup_add(&u.wg, 1);
    int filled[NW], nfilled = 0;
    for (int i = 0; i < NW; i++) {
        filled[i] = u.w[i] == 0;
        if (filled[i]) {
            __atomic_store_n(&u.w[i], canary, __ATOMIC_RELAXED);
            nfilled++;
        }
    }
    CU_ASSERT_FATAL(nfilled > 0);
    wgm_returned = 0;
    pthread_t th;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, wgm_done, &u.wg), 0);
    for (int ms = 0; ms < 10000 && !__atomic_load_n(&wgm_returned, __ATOMIC_ACQUIRE); ms++)
        usleep(1000);
    int returned = __atomic_load_n(&wgm_returned, __ATOMIC_ACQUIRE);
    CU_ASSERT(returned);
    if (!returned)
        for (int i = 0; i < NW; i++)
            if (filled[i])
                __atomic_store_n(&u.w[i], 0, __ATOMIC_RELEASE); /* let it finish */
    pthread_join(th, NULL);
    if (returned)
        for (int i = 0; i < NW; i++)
            if (filled[i])
                CU_ASSERT_EQUAL(__atomic_load_n(&u.w[i], __ATOMIC_RELAXED), canary);
}
