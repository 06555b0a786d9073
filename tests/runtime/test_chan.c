/* test_chan.c - channels: hand-off, buffering, close, nil, len/cap, panics. */
#include "test_chan_util.h"

typedef struct { chan_t *c, *done; long n, base; } prod_arg;

static void producer(prod_arg *a)
{
    for (long i = 0; i < a->n; i++)
        SEND(a->c, long, a->base + i);
    if (a->done)
        SEND(a->done, int, 1);
}

GOCC_TEST(chan_unbuffered_handoff_in_order)
{
    chan_t *c = MKCHAN(long, 0);
    prod_arg a = {c, NULL, 20000, 0};
    GO(producer, a);
    for (long i = 0; i < 20000; i++)
        CU_ASSERT_EQUAL_FATAL(RECV(c, long), i);
    CU_ASSERT_EQUAL(gocc_chan_len(c), 0);
    CU_ASSERT_EQUAL(gocc_chan_cap(c), 0);
}

static void echo(chan_t **cs)
{
    for (;;) {
        long v;
        if (!gocc_chan_recv(cs[0], &v, GOCC_HERE))
            return;
        SEND(cs[1], long, v * 2);
    }
}

GOCC_TEST(chan_unbuffered_pingpong)
{
    chan_t *cs[2] = {MKCHAN(long, 0), MKCHAN(long, 0)};
    GO(echo, cs);
    for (long i = 0; i < 20000; i++) {
        SEND(cs[0], long, i);
        CU_ASSERT_EQUAL_FATAL(RECV(cs[1], long), 2 * i);
    }
    gocc_chan_close(cs[0], GOCC_HERE);
}

/* The receiver waits first: the value goes straight into its variable. */
static void late_sender(chan_t **c)
{
    for (int i = 0; i < 100; i++)
        runtime_gosched();
    SEND(*c, long, 42);
}

GOCC_TEST(chan_receiver_waits_first)
{
    chan_t *c = MKCHAN(long, 0);
    GO(late_sender, c);
    CU_ASSERT_EQUAL(RECV(c, long), 42);
}

GOCC_TEST(chan_buffered_fifo_len_cap)
{
    chan_t *c = MKCHAN(int, 5);
    CU_ASSERT_EQUAL(gocc_chan_cap(c), 5);
    for (int round = 0; round < 3; round++) { /* wrap the ring */
        for (int i = 0; i < 5; i++) {
            SEND(c, int, round * 10 + i);
            CU_ASSERT_EQUAL(gocc_chan_len(c), i + 1);
        }
        for (int i = 0; i < 3; i++)
            CU_ASSERT_EQUAL(RECV(c, int), round * 10 + i);
        CU_ASSERT_EQUAL(gocc_chan_len(c), 2);
        for (int i = 3; i < 5; i++)
            CU_ASSERT_EQUAL(RECV(c, int), round * 10 + i);
        CU_ASSERT_EQUAL(gocc_chan_len(c), 0);
    }
}

/* A full buffer with blocked senders: FIFO order holds across the buffer and
 * the senders' queue (a receive moves the first waiting sender into the
 * freed slot). */
GOCC_TEST(chan_buffered_full_with_waiting_senders)
{
    chan_t *c = MKCHAN(long, 4), *done = MKCHAN(int, 1);
    prod_arg a = {c, done, 50000, 0};
    GO(producer, a);
    for (long i = 0; i < 50000; i++) {
        if (i % 1000 == 0)
            for (int y = 0; y < 10; y++)
                runtime_gosched(); /* let the sender fill the buffer and block */
        CU_ASSERT_EQUAL_FATAL(RECV(c, long), i);
    }
    CU_ASSERT_EQUAL(RECV(done, int), 1);
}

typedef struct big { char s[100]; long x; } big;

static void big_sender(chan_t **c)
{
    for (int i = 0; i < 1000; i++) {
        big b;
        memset(b.s, 'a' + i % 26, sizeof b.s);
        b.x = i;
        gocc_chan_send(*c, &b, GOCC_HERE);
    }
}

GOCC_TEST(chan_large_elements)
{
    for (int cap = 0; cap <= 3; cap += 3) {
        chan_t *c = gocc_chan_make(sizeof(big), cap, GOCC_HERE);
        GO(big_sender, c);
        for (int i = 0; i < 1000; i++) {
            big b;
            gocc_chan_recv(c, &b, GOCC_HERE);
            CU_ASSERT_EQUAL_FATAL(b.x, i);
            CU_ASSERT_FATAL(b.s[0] == 'a' + i % 26 && b.s[99] == 'a' + i % 26);
        }
    }
}

GOCC_TEST(chan_zero_size_elements)
{
    chan_t *c = gocc_chan_make(0, 2, GOCC_HERE);
    gocc_chan_send(c, NULL, GOCC_HERE);
    gocc_chan_send(c, NULL, GOCC_HERE);
    CU_ASSERT_EQUAL(gocc_chan_len(c), 2);
    CU_ASSERT(gocc_chan_recv(c, NULL, GOCC_HERE));
    gocc_chan_close(c, GOCC_HERE);
    CU_ASSERT(gocc_chan_recv(c, NULL, GOCC_HERE));
    CU_ASSERT(!gocc_chan_recv(c, NULL, GOCC_HERE));
}

GOCC_TEST(chan_close_drains_then_zero)
{
    chan_t *c = MKCHAN(long, 3);
    SEND(c, long, 7);
    SEND(c, long, 8);
    gocc_chan_close(c, GOCC_HERE);
    CU_ASSERT_EQUAL(gocc_chan_len(c), 2);
    long v = -1;
    CU_ASSERT(gocc_chan_recv(c, &v, GOCC_HERE));
    CU_ASSERT_EQUAL(v, 7);
    CU_ASSERT(gocc_chan_recv(c, &v, GOCC_HERE));
    CU_ASSERT_EQUAL(v, 8);
    for (int i = 0; i < 3; i++) {
        v = -1;
        CU_ASSERT(!gocc_chan_recv(c, &v, GOCC_HERE));
        CU_ASSERT_EQUAL(v, 0);
    }
}

typedef struct { chan_t *c, *res; } waitrecv_arg;

static void wait_recv(waitrecv_arg *a)
{
    long v = 99;
    _Bool ok = gocc_chan_recv(a->c, &v, GOCC_HERE);
    SEND(a->res, long, ok ? -1 : v); /* 0 expected: the zero value */
}

GOCC_TEST(chan_close_wakes_all_receivers)
{
    for (int cap = 0; cap <= 2; cap += 2) {
        chan_t *c = MKCHAN(long, cap), *res = MKCHAN(long, 10);
        waitrecv_arg a = {c, res};
        for (int i = 0; i < 10; i++)
            GO(wait_recv, a);
        for (int i = 0; i < 50; i++)
            runtime_gosched();
        gocc_chan_close(c, GOCC_HERE);
        for (int i = 0; i < 10; i++)
            CU_ASSERT_EQUAL(RECV(res, long), 0);
    }
}

/* ---- nil channels ---- */

static void nil_blocker(chan_t **flag)
{
    chan_t *nilc = NULL;
    SEND(*flag, int, 1);
    long v;
    gocc_chan_recv(nilc, &v, GOCC_HERE); /* never returns */
    SEND(*flag, int, 2);
}

GOCC_TEST(chan_nil_blocks_forever)
{
    chan_t *flag = MKCHAN(int, 2);
    GO(nil_blocker, flag);
    CU_ASSERT_EQUAL(RECV(flag, int), 1);
    for (int i = 0; i < 200; i++)
        runtime_gosched();
    time_sleep(20 * time_millisecond);
    CU_ASSERT_EQUAL(gocc_chan_len(flag), 0); /* the second send never came */
    CU_ASSERT_EQUAL(gocc_chan_len(NULL), 0);
    CU_ASSERT_EQUAL(gocc_chan_cap(NULL), 0);
}

/* ---- panics (in a child process) ---- */

static void do_close_nil(void *a) { gocc_chan_close(NULL, &(gocc_site){.file = "x.gc", .line = 11}); }
static void do_close_twice(void *a)
{
    chan_t *c = MKCHAN(int, 0);
    gocc_chan_close(c, GOCC_HERE);
    static const gocc_site s = {.file = "y.gc", .line = 22};
    gocc_chan_close(c, &s);
}
static void do_send_closed(void *a)
{
    chan_t *c = MKCHAN(int, 4);
    gocc_chan_close(c, GOCC_HERE);
    static const gocc_site s = {.file = "z.gc", .line = 33};
    int v = 1;
    gocc_chan_send(c, &v, &s);
}
static void do_make_negative(void *a)
{
    static const gocc_site s = {.file = "w.gc", .line = 44};
    gocc_chan_make(4, -1, &s);
}

GOCC_TEST(chan_panics)
{
    CU_ASSERT(expect_death(do_close_nil, NULL, 2, "panic: close of nil channel", "x.gc:11"));
    CU_ASSERT(expect_death(do_close_twice, NULL, 2, "panic: close of closed channel", "y.gc:22"));
    CU_ASSERT(expect_death(do_send_closed, NULL, 2, "panic: send on closed channel", "z.gc:33"));
    CU_ASSERT(expect_death(do_make_negative, NULL, 2, "panic: makechan: size out of range", "w.gc:44"));
}

/* A sender blocked when the channel is closed panics at its own site. The
 * child runs it on a plain thread (fork keeps only the calling thread, so no
 * scheduler workers): a non-goroutine thread parks on its own. */
static const gocc_site blocked_site = {.file = "blocked.gc", .line = 55};
static void *blocked_sender(void *c)
{
    int v = 1;
    gocc_chan_send(c, &v, &blocked_site);
    return NULL;
}
static void do_close_with_blocked_sender(void *a)
{
    chan_t *c = MKCHAN(int, 0);
    start_thread(blocked_sender, c);
    usleep(50000);
    gocc_chan_close(c, GOCC_HERE);
    usleep(2000000);
}

GOCC_TEST(chan_close_panics_blocked_sender)
{
    CU_ASSERT(expect_death(do_close_with_blocked_sender, NULL, 2, "panic: send on closed channel", "blocked.gc:55"));
}

/* ---- plain threads use channels too ---- */

static void *thread_producer(void *p)
{
    prod_arg *a = p;
    for (long i = 0; i < a->n; i++)
        SEND(a->c, long, a->base + i);
    return NULL;
}

/* The receiver polls (select with default, then a short sleep) rather than
 * blocking: the deadlock detector cannot know that a plain thread will send,
 * and a sleeping goroutine keeps it quiet. The thread parks on the channel
 * (its own futex) whenever the buffer is full or no receiver waits. */
GOCC_TEST(chan_plain_thread_sender)
{
    for (int cap = 0; cap <= 8; cap += 8) {
        static prod_arg a;
        a = (prod_arg){MKCHAN(long, cap), NULL, 5000, 100};
        start_thread(thread_producer, &a);
        for (long i = 0; i < 5000;) {
            long v;
            _Bool ok;
            gocc_select_case sc = {a.c, &v, 0};
            if (gocc_select(&sc, 1, 1, &ok, GOCC_HERE) < 0) {
                time_sleep(50 * time_microsecond);
                continue;
            }
            CU_ASSERT_EQUAL_FATAL(v, 100 + i);
            i++;
        }
    }
}

GOCC_TEST(chan_trysend)
{
    chan_t *c = MKCHAN(int, 1);
    int v = 5;
    CU_ASSERT(gocc_chan_trysend(c, &v));
    CU_ASSERT(!gocc_chan_trysend(c, &v)); /* full */
    CU_ASSERT_EQUAL(RECV(c, int), 5);
    CU_ASSERT(!gocc_chan_trysend(NULL, &v));
    chan_t *u = MKCHAN(int, 0);
    CU_ASSERT(!gocc_chan_trysend(u, &v)); /* no receiver */
    gocc_chan_close(c, GOCC_HERE);
    CU_ASSERT(!gocc_chan_trysend(c, &v)); /* closed: no panic */
}

/* ---- the deadlock report names what each goroutine blocks on ---- */

static const gocc_site nil_site = {.file = "nilrecv.gc", .line = 88};
static const gocc_site sel_site = {.file = "emptysel.gc", .line = 99};

GOCC_HELPER(deadlock_nil_recv)
{
    long v;
    gocc_chan_recv(NULL, &v, &nil_site);
}

static void empty_select_forever(void *x) { gocc_select(NULL, 0, 0, NULL, &sel_site); }

GOCC_HELPER(deadlock_select_and_send)
{
    gocc_go(empty_select_forever, NULL, 0, GOCC_HERE);
    chan_t *c = MKCHAN(int, 0);
    static const gocc_site s = {.file = "send.gc", .line = 7};
    int v = 1;
    gocc_chan_send(c, &v, &s);
}

GOCC_TEST(chan_deadlock_report)
{
    static char out[1 << 14];
    int st = gtest_run_helper("deadlock_nil_recv", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT(strstr(out, "fatal error: all goroutines are asleep - deadlock!") != NULL);
    CU_ASSERT(strstr(out, "[chan receive (nil chan)]") != NULL);
    CU_ASSERT(strstr(out, "nilrecv.gc:88") != NULL);
    st = gtest_run_helper("deadlock_select_and_send", gtest_procs(), out, sizeof out, 10);
    CU_ASSERT_EQUAL(gtest_exit_code(st), 2);
    CU_ASSERT(strstr(out, "fatal error: all goroutines are asleep - deadlock!") != NULL);
    CU_ASSERT(strstr(out, "[chan send]") != NULL && strstr(out, "send.gc:7") != NULL);
    CU_ASSERT(strstr(out, "[select (no cases)]") != NULL && strstr(out, "emptysel.gc:99") != NULL);
}
