/* test_select.c - select: uniform choice, default, nil cases, blocking on
 * many channels, simultaneous firing, panics. */
#include "test_chan_util.h"

#define RCASE(c, p) ((gocc_select_case){(c), (p), 0})
#define SCASE(c, p) ((gocc_select_case){(c), (p), 1})

GOCC_TEST(select_uniform_among_ready)
{
    enum { N = 9000 };
    chan_t *c[3] = {MKCHAN(int, 1), MKCHAN(int, 1), MKCHAN(int, 1)};
    int counts[3] = {0};
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < 3; k++)
            if (gocc_chan_len(c[k]) == 0)
                SEND(c[k], int, k);
        int v = -1;
        _Bool ok = 0;
        gocc_select_case sc[3] = {RCASE(c[0], &v), RCASE(c[1], &v), RCASE(c[2], &v)};
        int w = gocc_select(sc, 3, 0, &ok, GOCC_HERE);
        CU_ASSERT_FATAL(w >= 0 && w < 3);
        CU_ASSERT_EQUAL_FATAL(v, w);
        CU_ASSERT(ok);
        counts[w]++;
    }
    /* Expected 3000 each, standard deviation about 45. */
    for (int k = 0; k < 3; k++)
        CU_ASSERT(counts[k] > 2600 && counts[k] < 3400);
}

GOCC_TEST(select_uniform_send_and_recv)
{
    enum { N = 8000 };
    chan_t *in = MKCHAN(int, 1), *out = MKCHAN(int, 1);
    int counts[2] = {0};
    for (int i = 0; i < N; i++) {
        if (gocc_chan_len(in) == 0)
            SEND(in, int, 1);
        if (gocc_chan_len(out) == 1)
            (void)RECV(out, int);
        int v, s = 5;
        gocc_select_case sc[2] = {RCASE(in, &v), SCASE(out, &s)};
        counts[gocc_select(sc, 2, 1, NULL, GOCC_HERE)]++;
    }
    CU_ASSERT(counts[0] > 3600 && counts[1] > 3600);
}

GOCC_TEST(select_default_and_nil_cases)
{
    chan_t *c = MKCHAN(int, 1), *u = MKCHAN(int, 0);
    int v = 0;
    gocc_select_case none[3] = {RCASE(c, &v), RCASE(u, &v), SCASE(u, &v)};
    CU_ASSERT_EQUAL(gocc_select(none, 3, 1, NULL, GOCC_HERE), -1);
    gocc_select_case nils[2] = {RCASE(NULL, &v), SCASE(NULL, &v)};
    CU_ASSERT_EQUAL(gocc_select(nils, 2, 1, NULL, GOCC_HERE), -1);
    CU_ASSERT_EQUAL(gocc_select(NULL, 0, 1, NULL, GOCC_HERE), -1);
    /* A ready case beside nil cases: always it. */
    for (int i = 0; i < 100; i++) {
        SEND(c, int, i);
        gocc_select_case mix[3] = {RCASE(NULL, &v), RCASE(c, &v), SCASE(NULL, &v)};
        _Bool ok = 0;
        CU_ASSERT_EQUAL_FATAL(gocc_select(mix, 3, 0, &ok, GOCC_HERE), 1);
        CU_ASSERT(ok && v == i);
    }
    /* Send case with room. */
    int s = 9;
    gocc_select_case snd[1] = {SCASE(c, &s)};
    CU_ASSERT_EQUAL(gocc_select(snd, 1, 1, NULL, GOCC_HERE), 0);
    CU_ASSERT_EQUAL(RECV(c, int), 9);
}

GOCC_TEST(select_recv_closed)
{
    chan_t *c = MKCHAN(long, 2), *u = MKCHAN(long, 0);
    SEND(c, long, 3);
    gocc_chan_close(c, GOCC_HERE);
    long v = -1;
    _Bool ok = 0;
    gocc_select_case sc[2] = {RCASE(c, &v), RCASE(u, &v)};
    CU_ASSERT_EQUAL(gocc_select(sc, 2, 0, &ok, GOCC_HERE), 0);
    CU_ASSERT(ok && v == 3);
    v = -1;
    CU_ASSERT_EQUAL(gocc_select(sc, 2, 0, &ok, GOCC_HERE), 0);
    CU_ASSERT(!ok && v == 0);
}

typedef struct { chan_t *a, *b, *res; int n; } blk_arg;

/* Blocks in a select on two channels, n times, reporting what it got. */
static void select_receiver(blk_arg *x)
{
    for (int i = 0; i < x->n; i++) {
        long v = 0;
        _Bool ok;
        gocc_select_case sc[2] = {RCASE(x->a, &v), RCASE(x->b, &v)};
        int w = gocc_select(sc, 2, 0, &ok, GOCC_HERE);
        SEND(x->res, long, ok ? v * 2 + w : -1);
    }
}

static void sender_n(blk_arg *x)
{
    for (int i = 0; i < x->n; i++)
        SEND(x->a, long, i + 1);
}

/* Many selects blocked on {a, b}; two senders fire on a and b at once. Every
 * value arrives exactly once (a lost wake-up hangs, a double one duplicates
 * or loses a value), and each went through the case of its channel. */
GOCC_TEST(select_two_channels_fire_together)
{
    enum { G = 50, ROUNDS = 40 };
    chan_t *a = MKCHAN(long, 0), *b = MKCHAN(long, 0), *res = MKCHAN(long, 64);
    blk_arg r = {a, b, res, ROUNDS};
    for (int g = 0; g < G; g++)
        GO(select_receiver, r);
    blk_arg sa = {a, NULL, NULL, G * ROUNDS / 2}, sb = {b, NULL, NULL, G * ROUNDS / 2};
    GO(sender_n, sa);
    GO(sender_n, sb);
    long sum[2] = {0, 0}, cnt[2] = {0, 0};
    for (int i = 0; i < G * ROUNDS; i++) {
        long v = RECV(res, long);
        CU_ASSERT_FATAL(v >= 0);
        sum[v & 1] += v >> 1;
        cnt[v & 1]++;
    }
    long n = G * ROUNDS / 2, want = n * (n + 1) / 2;
    CU_ASSERT_EQUAL(cnt[0], n);
    CU_ASSERT_EQUAL(cnt[1], n);
    CU_ASSERT_EQUAL(sum[0], want);
    CU_ASSERT_EQUAL(sum[1], want);
    CU_ASSERT_EQUAL(gocc_chan_len(res), 0);
}

/* A blocked select with a send case and a receive case; partners arrive.
 * (Assertions stay in the test's goroutine: CUnit is gone once it returns.) */
static void partner(chan_t **cs)
{
    SEND(cs[0], int, 11);                 /* completes the select's receive case */
    int got = RECV(cs[1], int);           /* completes the next select's send case */
    SEND(cs[2], int, got);
}

GOCC_TEST(select_blocking_send_and_recv)
{
    for (int i = 0; i < 200; i++) {
        chan_t *cs[3] = {MKCHAN(int, 0), MKCHAN(int, 0), MKCHAN(int, 1)};
        GO(partner, cs);
        int got = 0, out = 22;
        int done = 0;
        while (done < 2) {
            gocc_select_case sc[2] = {RCASE(done ? NULL : cs[0], &got), SCASE(done ? cs[1] : NULL, &out)};
            int w = gocc_select(sc, 2, 0, NULL, GOCC_HERE);
            CU_ASSERT_EQUAL_FATAL(w, done);
            done++;
        }
        CU_ASSERT_EQUAL(got, 11);
        CU_ASSERT_EQUAL(RECV(cs[2], int), 22);
    }
}

/* More cases than the on-stack fast path holds, the same channel in several
 * cases, and the chosen index is the right one. */
GOCC_TEST(select_many_cases_duplicates)
{
    enum { N = 40 };
    chan_t *c[N];
    for (int i = 0; i < N; i++)
        c[i] = MKCHAN(int, 1);
    for (int round = 0; round < 200; round++) {
        int k = round % N;
        SEND(c[k], int, round);
        int v = -1;
        gocc_select_case sc[N + 2];
        for (int i = 0; i < N; i++)
            sc[i] = RCASE(c[i], &v);
        sc[N] = RCASE(c[k], &v);     /* duplicate */
        sc[N + 1] = RCASE(NULL, &v);
        int w = gocc_select(sc, N + 2, 0, NULL, GOCC_HERE);
        CU_ASSERT_FATAL(w == k || w == N);
        CU_ASSERT_EQUAL(v, round);
    }
    /* Blocking with duplicates: a sender wakes it once. */
    chan_t *u = MKCHAN(long, 0);
    blk_arg s = {u, NULL, NULL, 1};
    GO(sender_n, s);
    long v = 0;
    gocc_select_case sc[N + 1];
    for (int i = 0; i < N; i++)
        sc[i] = RCASE(c[i], &v);
    sc[N] = RCASE(u, &v);
    CU_ASSERT_EQUAL(gocc_select(sc, N + 1, 0, NULL, GOCC_HERE), N);
    CU_ASSERT_EQUAL(v, 1);
}

static void closer(chan_t **c)
{
    for (int i = 0; i < 20; i++)
        runtime_gosched();
    gocc_chan_close(*c, GOCC_HERE);
}

GOCC_TEST(select_blocked_woken_by_close)
{
    chan_t *c = MKCHAN(int, 0), *u = MKCHAN(int, 0);
    GO(closer, c);
    int v = 7;
    _Bool ok = 1;
    gocc_select_case sc[2] = {RCASE(u, &v), RCASE(c, &v)};
    CU_ASSERT_EQUAL(gocc_select(sc, 2, 0, &ok, GOCC_HERE), 1);
    CU_ASSERT(!ok);
    CU_ASSERT_EQUAL(v, 0);
}

static void empty_select(chan_t **flag)
{
    SEND(*flag, int, 1);
    gocc_select(NULL, 0, 0, NULL, GOCC_HERE); /* blocks forever */
    SEND(*flag, int, 2);
}

GOCC_TEST(select_empty_blocks_forever)
{
    chan_t *flag = MKCHAN(int, 2);
    GO(empty_select, flag);
    CU_ASSERT_EQUAL(RECV(flag, int), 1);
    time_sleep(20 * time_millisecond);
    CU_ASSERT_EQUAL(gocc_chan_len(flag), 0);
}

static void do_select_send_closed(void *a)
{
    chan_t *c = MKCHAN(int, 1), *u = MKCHAN(int, 0);
    gocc_chan_close(c, GOCC_HERE);
    int v = 1;
    static const gocc_site s = {.file = "sel.gc", .line = 66};
    gocc_select_case sc[2] = {SCASE(c, &v), RCASE(u, &v)};
    gocc_select(sc, 2, 0, NULL, &s);
}

static const gocc_site blocked_site = {.file = "selblk.gc", .line = 77};
static void *blocked_select_sender(void *c)
{
    int v = 1;
    gocc_select_case sc[2] = {SCASE(c, &v), RCASE(NULL, &v)};
    gocc_select(sc, 2, 0, NULL, &blocked_site);
    return NULL;
}
static void do_close_blocked_select_sender(void *a)
{
    chan_t *c = MKCHAN(int, 0);
    start_thread(blocked_select_sender, c);
    usleep(50000);
    gocc_chan_close(c, GOCC_HERE);
    usleep(2000000);
}

GOCC_TEST(select_send_closed_panics)
{
    CU_ASSERT(expect_death(do_select_send_closed, NULL, 2, "panic: send on closed channel", "sel.gc:66"));
    CU_ASSERT(expect_death(do_close_blocked_select_sender, NULL, 2, "panic: send on closed channel", "selblk.gc:77"));
}

/* One case and a default (a try-send or try-receive) answers "not ready" without the lock; every
 * other outcome still takes the locked path. */
typedef struct trysend_closed { chan_t *c; } trysend_closed;
static void try_send_closed(void *arg)
{
    chan_t *c = arg;
    int v = 1;
    gocc_select_case sc[1] = {SCASE(c, &v)};
    gocc_select(sc, 1, 1, NULL, GOCC_HERE);
}

GOCC_TEST(select_one_case_default_fast_paths)
{
    chan_t *u = MKCHAN(int, 0), *b = MKCHAN(int, 2);
    int v = -1;
    _Bool ok = 1;
    gocc_select_case r_u[1] = {RCASE(u, &v)}, s_u[1] = {SCASE(u, &v)};
    gocc_select_case r_b[1] = {RCASE(b, &v)}, s_b[1] = {SCASE(b, &v)};
    CU_ASSERT_EQUAL(gocc_select(r_u, 1, 1, &ok, GOCC_HERE), -1);
    CU_ASSERT_EQUAL(gocc_select(s_u, 1, 1, &ok, GOCC_HERE), -1);
    CU_ASSERT_EQUAL(gocc_select(r_b, 1, 1, &ok, GOCC_HERE), -1);
    v = 7;
    CU_ASSERT_EQUAL(gocc_select(s_b, 1, 1, NULL, GOCC_HERE), 0);
    CU_ASSERT_EQUAL(gocc_select(s_b, 1, 1, NULL, GOCC_HERE), 0);
    CU_ASSERT_EQUAL(gocc_select(s_b, 1, 1, NULL, GOCC_HERE), -1); /* full */
    v = 0;
    CU_ASSERT_EQUAL(gocc_select(r_b, 1, 1, &ok, GOCC_HERE), 0);
    CU_ASSERT(ok && v == 7);
    (void)RECV(b, int);
    /* Closed and empty: the receive proceeds with ok false, not the default. */
    gocc_chan_close(b, GOCC_HERE);
    gocc_chan_close(u, GOCC_HERE);
    v = 5;
    ok = 1;
    CU_ASSERT_EQUAL(gocc_select(r_b, 1, 1, &ok, GOCC_HERE), 0);
    CU_ASSERT(!ok && v == 0);
    ok = 1;
    CU_ASSERT_EQUAL(gocc_select(r_u, 1, 1, &ok, GOCC_HERE), 0);
    CU_ASSERT(!ok);
    /* A try-send on a closed channel panics, as a send does. */
    CU_ASSERT(expect_death(try_send_closed, u, 2, "send on closed channel", NULL));
}

/* The poll order reads several cases' choices from one random number and draws a fresh one every eight
 * cases (select.c): with 12 ready cases every case, including those past the eighth, is still chosen
 * uniformly. Expected 2000 each, standard deviation about 43; the bounds are 7 of them away. */
GOCC_TEST(select_uniform_many_ready)
{
    enum { K = 12, N = 24000 };
    chan_t *c[K];
    for (int k = 0; k < K; k++) {
        c[k] = MKCHAN(int, 1);
        SEND(c[k], int, k);
    }
    int counts[K] = {0};
    for (int i = 0; i < N; i++) {
        int v = -1;
        gocc_select_case sc[K];
        for (int k = 0; k < K; k++)
            sc[k] = RCASE(c[k], &v);
        int w = gocc_select(sc, K, 0, NULL, GOCC_HERE);
        CU_ASSERT_FATAL(w >= 0 && w < K);
        CU_ASSERT_EQUAL_FATAL(v, w);
        counts[w]++;
        SEND(c[w], int, w);
    }
    for (int k = 0; k < K; k++)
        CU_ASSERT(counts[k] > 1700 && counts[k] < 2300);
}
