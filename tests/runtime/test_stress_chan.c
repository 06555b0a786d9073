/*
 * test_stress_chan.c - thousands of goroutines doing randomized sends,
 * receives, selects and closes over shared channels. Every value must be
 * delivered exactly once (a bitmap catches duplicates, counts and sums catch
 * losses) and nothing may hang (the runner's timeout). Also built into the
 * runtime-race suite (smaller) against libgocc-race.a, where ThreadSanitizer
 * must stay silent: the payload written before a send is read after the
 * receive without any other synchronisation.
 */
#include "test_chan_util.h"

#if GOCC_RACE
enum { SCALE = 40, GSCALE = 40 };  /* values, goroutines */
#else
enum { SCALE = 1, GSCALE = 1 };
#endif

enum { NCHAN = 8 };

/* GOCC_STRESS_MULT=k multiplies the number of values (not goroutines), for
 * longer soak runs by hand: runner --timeout 600 stress_shared_channels. */
static long mult(void)
{
    const char *e = getenv("GOCC_STRESS_MULT");
    long m = e ? atol(e) : 1;
    return m > 0 ? m : 1;
}

typedef struct payload {
    long id;
    long check;   /* written by the sender before the send: id * 7 + 1 */
} payload;

typedef struct shared {
    chan_t *ch[NCHAN];
    chan_t *quit;                 /* closed when every producer is done */
    sync_waitgroup producers, consumers;
    unsigned long long *seen;     /* bitmap of received ids */
    long nvalues;
    long count, sum, dups, bad;   /* atomics */
    long perprod;
} shared;

typedef struct { shared *s; long id; } worker_arg;

static void producer(worker_arg *a)
{
    shared *s = a->s;
    unsigned long long rng = 0x9e3779b97f4a7c15ULL * (unsigned long long)(a->id + 1);
    for (long i = 0; i < s->perprod; i++) {
        payload *p = malloc(sizeof *p); /* heap payload: TSan checks its hand-off */
        p->id = a->id * s->perprod + i;
        p->check = p->id * 7 + 1;
        unsigned r = tcu_rand(&rng);
        if (r % 3 == 0) {
            gocc_chan_send(s->ch[r / 3 % NCHAN], &p, GOCC_HERE);
        } else {
            /* select over 2-3 send cases, sometimes with a nil case */
            gocc_select_case sc[3];
            int n = 2 + (int)(r >> 8) % 2;
            for (int k = 0; k < n; k++)
                sc[k] = (gocc_select_case){s->ch[tcu_rand(&rng) % NCHAN], &p, 1};
            if ((r >> 12) % 4 == 0)
                sc[0].chan = NULL;
            int w = gocc_select(sc, n, 0, NULL, GOCC_HERE);
            if (w < 0 || w >= n || !sc[w].chan)
                __atomic_fetch_add(&s->bad, 1, __ATOMIC_RELAXED);
        }
        if (r % 64 == 0)
            runtime_gosched();
    }
    sync_waitgroup_done(&s->producers);
}

static void take(shared *s, payload *p)
{
    if (!p || p->id < 0 || p->id >= s->nvalues || p->check != p->id * 7 + 1) {
        __atomic_fetch_add(&s->bad, 1, __ATOMIC_RELAXED);
        return;
    }
    unsigned long long bit = 1ULL << (p->id % 64);
    if (__atomic_fetch_or(&s->seen[p->id / 64], bit, __ATOMIC_RELAXED) & bit)
        __atomic_fetch_add(&s->dups, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&s->sum, p->id, __ATOMIC_RELAXED);
    free(p);
}

/* A consumer polls one channel, or blocks in a select over every channel
 * (shuffled, with duplicates and nil cases mixed in) and quit. Blocking only
 * on all of them keeps the workload itself deadlock-free: producers may
 * block on any subset. */
static void consumer(worker_arg *a)
{
    shared *s = a->s;
    unsigned long long rng = 0x2545f4914f6cdd1dULL * (unsigned long long)(a->id + 7);
    for (;;) {
        unsigned r = tcu_rand(&rng);
        payload *p = NULL;
        _Bool ok = 0;
        if (r % 4 == 0) {
            gocc_select_case sc[1] = {{s->ch[r / 4 % NCHAN], &p, 0}};
            if (gocc_select(sc, 1, 1, &ok, GOCC_HERE) == 0) {
                if (!ok)
                    __atomic_fetch_add(&s->bad, 1, __ATOMIC_RELAXED);
                take(s, p);
                continue;
            }
        }
        gocc_select_case sc[NCHAN + 3];
        int n = 0;
        for (int k = 0; k < NCHAN; k++)
            sc[n++] = (gocc_select_case){s->ch[k], &p, 0};
        if (r & 0x100)
            sc[n++] = (gocc_select_case){s->ch[tcu_rand(&rng) % NCHAN], &p, 0};
        if (r & 0x200)
            sc[n++] = (gocc_select_case){NULL, &p, 0};
        for (int k = n - 1; k > 0; k--) {
            int j = (int)(tcu_rand(&rng) % (unsigned)(k + 1));
            gocc_select_case t = sc[k];
            sc[k] = sc[j];
            sc[j] = t;
        }
        sc[n] = (gocc_select_case){s->quit, NULL, 0};
        int w = gocc_select(sc, n + 1, 0, &ok, GOCC_HERE);
        if (w == n)
            break;
        if (w < 0 || !sc[w].chan || !ok)
            __atomic_fetch_add(&s->bad, 1, __ATOMIC_RELAXED);
        take(s, p);
    }
    /* Producers are done: drain until every channel is empty. */
    for (;;) {
        gocc_select_case sc[NCHAN];
        payload *p = NULL;
        for (int k = 0; k < NCHAN; k++)
            sc[k] = (gocc_select_case){s->ch[k], &p, 0};
        if (gocc_select(sc, NCHAN, 1, NULL, GOCC_HERE) < 0)
            break;
        take(s, p);
    }
    sync_waitgroup_done(&s->consumers);
}

static void run_shared(int nprod, int ncons, long perprod)
{
    static shared s;
    memset(&s, 0, sizeof s);
    static const int caps[NCHAN] = {0, 0, 0, 1, 1, 4, 16, 128};
    for (int k = 0; k < NCHAN; k++)
        s.ch[k] = gocc_chan_make(sizeof(payload *), caps[k], GOCC_HERE);
    s.quit = gocc_chan_make(0, 0, GOCC_HERE);
    s.perprod = perprod;
    s.nvalues = nprod * perprod;
    s.seen = calloc((size_t)s.nvalues / 64 + 1, sizeof *s.seen);
    sync_waitgroup_add(&s.producers, nprod);
    sync_waitgroup_add(&s.consumers, ncons);
    for (long i = 0; i < ncons; i++) {
        worker_arg a = {&s, i};
        GO(consumer, a);
    }
    for (long i = 0; i < nprod; i++) {
        worker_arg a = {&s, i};
        GO(producer, a);
    }
    sync_waitgroup_wait(&s.producers);
    gocc_chan_close(s.quit, GOCC_HERE);
    sync_waitgroup_wait(&s.consumers);
    long n = s.nvalues;
    CU_ASSERT_EQUAL(s.bad, 0);
    CU_ASSERT_EQUAL(s.dups, 0);
    CU_ASSERT_EQUAL(s.count, n);
    CU_ASSERT_EQUAL(s.sum, n * (n - 1) / 2);
    long missing = 0;
    for (long i = 0; i < n; i++)
        if (!(s.seen[i / 64] & (1ULL << (i % 64))))
            missing++;
    CU_ASSERT_EQUAL(missing, 0);
    for (int k = 0; k < NCHAN; k++)
        CU_ASSERT_EQUAL(gocc_chan_len(s.ch[k]), 0);
    free(s.seen);
}

/* 2,000 goroutines, 1M values: 1M sends and 1M receives, most through select. */
GOCC_TEST(stress_shared_channels)
{
    run_shared(1000 / GSCALE, 1000 / GSCALE, 1000 * GSCALE / SCALE * mult());
}

/* Fewer goroutines, longer runs: channels stay full and empty in turn. */
GOCC_TEST(stress_shared_channels_few)
{
    run_shared(8, 3, 100000 / SCALE * mult());
}

/* ---- closes: many short-lived channels, each closed by its sender while
 * receivers (plain and select) are blocked on it ---- */

typedef struct { chan_t *c; int n; sync_waitgroup *wg; long *total; } pair_arg;

static void closing_sender(pair_arg *a)
{
    for (int i = 1; i <= a->n; i++)
        SEND(a->c, int, i);
    gocc_chan_close(a->c, GOCC_HERE);
    sync_waitgroup_done(a->wg);
}

static void closing_receiver(pair_arg *a)
{
    long sum = 0;
    chan_t *never = MKCHAN(int, 0);
    for (int i = 0;; i++) {
        int v = -1;
        _Bool ok;
        if (i % 2) {
            ok = gocc_chan_recv(a->c, &v, GOCC_HERE);
        } else {
            gocc_select_case sc[3] = {{never, &v, 0}, {a->c, &v, 0}, {NULL, &v, 0}};
            if (gocc_select(sc, 3, 0, &ok, GOCC_HERE) != 1)
                ok = 0, v = -100000;
        }
        if (!ok) {
            if (v != 0)
                sum -= 1000000000; /* the zero value must come with ok == false */
            break;
        }
        sum += v;
    }
    __atomic_fetch_add(a->total, sum, __ATOMIC_RELAXED);
    sync_waitgroup_done(a->wg);
}

GOCC_TEST(stress_close_many_channels)
{
    static sync_waitgroup wg;
    static long total;
    enum { PAIRS = 2000 / GSCALE, RECV = 3 };
    long want = 0;
    for (int p = 0; p < PAIRS; p++) {
        int n = p % 50;
        pair_arg a = {MKCHAN(int, p % 3 == 0 ? 0 : p % 7), n, &wg, &total};
        sync_waitgroup_add(&wg, 1 + RECV);
        for (int r = 0; r < RECV; r++)
            GO(closing_receiver, a);
        GO(closing_sender, a);
        want += (long)n * (n + 1) / 2;
    }
    sync_waitgroup_wait(&wg);
    CU_ASSERT_EQUAL(total, want);
}

/* ---- ping-pong chains: hand-offs through unbuffered channels ---- */

typedef struct { chan_t *in, *out; int n; } relay_arg;

static void relay(relay_arg *a)
{
    for (int i = 0; i < a->n; i++) {
        long v = RECV(a->in, long);
        SEND(a->out, long, v + 1);
    }
}

GOCC_TEST(stress_relay_ring)
{
    enum { R = 500 / GSCALE, ROUNDS = 400 / SCALE + 1 };
    chan_t *first = MKCHAN(long, 0), *in = first;
    for (int i = 0; i < R; i++) {
        relay_arg a = {in, MKCHAN(long, i % 2), ROUNDS};
        GO(relay, a);
        in = a.out;
    }
    for (int r = 0; r < ROUNDS; r++) {
        SEND(first, long, r);
        CU_ASSERT_EQUAL_FATAL(RECV(in, long), r + R);
    }
}

/* ---- mutex under contention: sync stress rides along here ---- */

typedef struct { sync_mutex *mu; sync_waitgroup *wg; long *counter; int n; } mu_arg;

static void mu_worker(mu_arg *a)
{
    for (int i = 0; i < a->n; i++) {
        sync_mutex_lock(a->mu);
        (*a->counter)++;
        sync_mutex_unlock(a->mu);
    }
    sync_waitgroup_done(a->wg);
}

GOCC_TEST(stress_mutex)
{
    static sync_mutex mu;
    static sync_waitgroup wg;
    static long counter;
    enum { G = 200 / GSCALE, N = 5000 / SCALE };
    mu_arg a = {&mu, &wg, &counter, N};
    sync_waitgroup_add(&wg, G);
    for (int g = 0; g < G; g++)
        GO(mu_worker, a);
    sync_waitgroup_wait(&wg);
    CU_ASSERT_EQUAL(counter, (long)G * N);
}

/* ---- the race detector sees real races between goroutines ---- */

static long racy_counter;
static chan_t *racy_done;

static void racy_inc(void *x)
{
    for (int i = 0; i < 1000; i++)
        racy_counter++; /* no synchronisation: a real race */
    SEND(racy_done, int, 1);
}

GOCC_HELPER(race_unsynchronised_counter)
{
    racy_done = MKCHAN(int, 2);
    gocc_go(racy_inc, NULL, 0, GOCC_HERE);
    gocc_go(racy_inc, NULL, 0, GOCC_HERE);
    RECV(racy_done, int);
    RECV(racy_done, int);
    printf("counter %ld\n", racy_counter);
}

/* The same counter handed from goroutine to goroutine through a channel:
 * ordered by the hand-offs, so no report. */
static void token_inc(chan_t **c)
{
    for (int i = 0; i < 1000; i++) {
        RECV(c[0], int);
        racy_counter++;
        SEND(c[1], int, 1);
    }
}

GOCC_HELPER(race_channel_ordered_counter)
{
    chan_t *a = MKCHAN(int, 0), *b = MKCHAN(int, 0);
    chan_t *ab[2] = {a, b}, *ba[2] = {b, a};
    GO(token_inc, ab);
    SEND(a, int, 1);
    for (int i = 0; i < 999; i++) {
        RECV(b, int);
        racy_counter++;
        SEND(a, int, 1);
    }
    RECV(b, int);
    (void)ba;
    printf("counter %ld\n", racy_counter);
}

GOCC_TEST(stress_race_detector_sees_goroutine_races)
{
#if GOCC_RACE
    static char out[1 << 16];
    int st = gtest_run_helper("race_unsynchronised_counter", gtest_procs(), out, sizeof out, 60);
    CU_ASSERT(strstr(out, "WARNING: ThreadSanitizer: data race") != NULL);
    CU_ASSERT(strstr(out, "racy_inc") != NULL);
    CU_ASSERT(gtest_exit_code(st) == 66);
    st = gtest_run_helper("race_channel_ordered_counter", gtest_procs(), out, sizeof out, 60);
    CU_ASSERT(strstr(out, "ThreadSanitizer") == NULL);
    CU_ASSERT(strstr(out, "counter 1999") != NULL);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 0);
    if (strstr(out, "ThreadSanitizer"))
        fprintf(stderr, "%s\n", out);
#endif
}
