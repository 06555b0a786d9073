/* test_chanfree.c - free(c): nil, waiters (panic), poisoning, reuse from the pool, time channels' timers. */
#include "test_chan_util.h"
#include "sched_impl.h"

#define TIMECHAN(c) ((chan_t *)(c))

GOCC_TEST(chanfree_nil_does_nothing)
{
    gocc_chan_free(NULL, GOCC_HERE);
    gocc_free(NULL, GOCC_HERE);
    /* Anything that is not a channel goes to the C library's free. */
    char *p = malloc(100);
    CU_ASSERT(!gocc_chan_is_arena(p));
    gocc_free(p, GOCC_HERE);
    chan_t *c = MKCHAN(int, 3);
    CU_ASSERT(gocc_chan_is_arena(c));
    gocc_free(c, GOCC_HERE);
    CU_ASSERT_EQUAL(c->magic, GOCC_CHAN_FREED);
}

/* Channels made and freed in a loop come back from the pool: a million make/free pairs (of three sizes,
 * one with a buffer too big for a slot) touch a handful of slots, not a million. */
GOCC_TEST(chanfree_reuses_memory)
{
    chan_t *seen[8] = {0};
    int nseen = 0;
    for (int i = 0; i < 1000000; i++) {
        chan_t *a = MKCHAN(long, 0), *b = MKCHAN(char[100], 10), *big = NULL;
        if (i % 1000 == 0)
            big = MKCHAN(char[1024], 1000); /* 1 MB buffer: malloc'd beside the slot */
        char msg[100] = "x";
        gocc_chan_send(b, msg, GOCC_HERE);
        int known = 0;
        for (int k = 0; k < nseen; k++)
            known |= seen[k] == a;
        if (!known) {
            CU_ASSERT_FATAL(nseen < 8);
            seen[nseen++] = a;
        }
        gocc_chan_free(b, GOCC_HERE);
        gocc_chan_free(a, GOCC_HERE);
        gocc_chan_free(big, GOCC_HERE);
    }
    CU_ASSERT(nseen <= 2);
}

/* A freed channel is poisoned: a later use panics at the use's line. */
static void do_send_freed(void *x)
{
    chan_t *c = MKCHAN(int, 1);
    gocc_chan_free(c, GOCC_HERE);
    static const gocc_site s = {.file = "uaf.gc", .line = 7};
    int v = 1;
    gocc_chan_send(c, &v, &s);
}
static void do_recv_freed(void *x)
{
    chan_t *c = MKCHAN(int, 1);
    gocc_chan_free(c, GOCC_HERE);
    static const gocc_site s = {.file = "uaf.gc", .line = 8};
    int v;
    gocc_chan_recv(c, &v, &s);
}
static void do_select_freed(void *x)
{
    chan_t *c = MKCHAN(int, 1);
    gocc_chan_free(c, GOCC_HERE);
    static const gocc_site s = {.file = "uaf.gc", .line = 9};
    int v;
    gocc_select_case sc[1] = {{c, &v, 0}};
    gocc_select(sc, 1, 1, NULL, &s);
}
static void do_double_free(void *x)
{
    chan_t *c = MKCHAN(int, 1);
    gocc_free(c, GOCC_HERE);
    static const gocc_site s = {.file = "uaf.gc", .line = 10};
    gocc_free(c, &s);
}
static void do_close_freed(void *x)
{
    chan_t *c = MKCHAN(int, 1);
    gocc_free(c, GOCC_HERE);
    static const gocc_site s = {.file = "uaf.gc", .line = 11};
    gocc_chan_close(c, &s);
}

GOCC_TEST(chanfree_use_after_free_panics)
{
    CU_ASSERT(expect_death(do_send_freed, NULL, 2, "panic: use of freed channel", "uaf.gc:7"));
    CU_ASSERT(expect_death(do_recv_freed, NULL, 2, "panic: use of freed channel", "uaf.gc:8"));
    CU_ASSERT(expect_death(do_select_freed, NULL, 2, "panic: use of freed channel", "uaf.gc:9"));
    CU_ASSERT(expect_death(do_double_free, NULL, 2, "panic: use of freed channel", "uaf.gc:10"));
    CU_ASSERT(expect_death(do_close_freed, NULL, 2, "panic: use of freed channel", "uaf.gc:11"));
}

/* Freeing a channel that a goroutine (here a plain thread: fork keeps only the calling thread) is blocked
 * on, in a receive, a send or a select, panics at the free's line. */
static void *blocked_recv(void *c)
{
    int v;
    gocc_chan_recv(c, &v, GOCC_HERE);
    return NULL;
}
static void *blocked_send(void *c)
{
    int v = 1;
    gocc_chan_send(c, &v, GOCC_HERE);
    return NULL;
}
static void *blocked_select(void *c)
{
    int v;
    chan_t *other = MKCHAN(int, 0);
    gocc_select_case sc[2] = {{other, &v, 0}, {c, &v, 0}};
    gocc_select(sc, 2, 0, NULL, GOCC_HERE);
    return NULL;
}
static void do_free_with_waiter(void *fn)
{
    chan_t *c = MKCHAN(int, 0);
    start_thread((void *(*)(void *))fn, c);
    /* Free only once the thread is queued on c: a fixed sleep lost that race on a loaded machine (the free
     * then succeeded and the late thread reported "use of freed channel" instead). */
    for (int i = 0; i < 10000 && !__atomic_load_n(&c->recvq.first, __ATOMIC_ACQUIRE) &&
                    !__atomic_load_n(&c->sendq.first, __ATOMIC_ACQUIRE); i++)
        usleep(1000);
    static const gocc_site s = {.file = "waiters.gc", .line = 21};
    gocc_chan_free(c, &s);
    usleep(2000000);
}

GOCC_TEST(chanfree_with_waiters_panics)
{
    const char *want = "panic: free of channel with waiting goroutines";
    CU_ASSERT(expect_death(do_free_with_waiter, (void *)blocked_recv, 2, want, "waiters.gc:21"));
    CU_ASSERT(expect_death(do_free_with_waiter, (void *)blocked_send, 2, want, "waiters.gc:21"));
    CU_ASSERT(expect_death(do_free_with_waiter, (void *)blocked_select, 2, want, "waiters.gc:21"));
}

/* A select won on one channel leaves its record on the others until it runs again: freeing one of those
 * then is legitimate (nobody waits on it) and must not let the select touch a reused channel. */
typedef struct { chan_t *a, *b, *done; } two;
static void sel_two(two *t)
{
    int v;
    gocc_select_case sc[2] = {{t->a, &v, 0}, {t->b, &v, 0}};
    int i = gocc_select(sc, 2, 0, NULL, GOCC_HERE);
    SEND(t->done, int, i);
}

GOCC_TEST(chanfree_after_select_won_elsewhere)
{
    for (int i = 0; i < 2000; i++) {
        two t = {MKCHAN(int, 0), MKCHAN(int, 0), MKCHAN(int, 1)};
        GO(sel_two, t);
        SEND(t.a, int, 1);
        gocc_chan_free(t.b, GOCC_HERE); /* the select may not have unlinked its record yet */
        chan_t *reuse = MKCHAN(int, 0); /* likely b's slot */
        CU_ASSERT_EQUAL_FATAL(RECV(t.done, int), 0);
        CU_ASSERT_EQUAL(reuse->recvq.first, NULL);
        gocc_chan_free(reuse, GOCC_HERE);
        gocc_chan_free(t.a, GOCC_HERE);
        gocc_chan_free(t.done, GOCC_HERE);
    }
}

/* free on a time_after channel stops its timer: the timer count drops back. */
GOCC_TEST(chanfree_time_after_stops_timer)
{
    int before = gocc_timer_active();
    chan_t *c = TIMECHAN(time_after(time_hour));
    CU_ASSERT_EQUAL(gocc_timer_active(), before + 1);
    gocc_chan_free(c, GOCC_HERE);
    CU_ASSERT_EQUAL(gocc_timer_active(), before);
    chan_t *t = TIMECHAN(time_tick(time_hour));
    CU_ASSERT_EQUAL(gocc_timer_active(), before + 1);
    gocc_free(t, GOCC_HERE);
    CU_ASSERT_EQUAL(gocc_timer_active(), before);
}

/* A time channel freed while its timer fires: the slot is reused at once by a plain channel, which must
 * never receive the late tick (free waits for a running callback). */
GOCC_TEST(chanfree_time_after_racing_fire)
{
    for (int i = 0; i < 20000; i++) {
        chan_t *c = TIMECHAN(time_after(i % 3 == 0 ? 0 : 1000));
        if (i % 7 == 0)
            runtime_gosched();
        gocc_chan_free(c, GOCC_HERE);
        chan_t *plain = gocc_chan_make(sizeof(time_time), 1, GOCC_HERE);
        chan_t *plain2 = gocc_chan_make_ext(sizeof(time_time), 1, sizeof(gocc_timer), GOCC_HERE);
        CU_ASSERT_EQUAL_FATAL(gocc_chan_len(plain), 0);
        CU_ASSERT_EQUAL_FATAL(gocc_chan_len(plain2), 0);
        gocc_chan_free(plain, GOCC_HERE);
        gocc_chan_free(plain2, GOCC_HERE);
    }
    time_sleep(5 * time_millisecond);
}

/* time_ticker_stop stops the timer and releases the channel (the ticker's c becomes nil); reset after
 * the stop gives it a new one. */
GOCC_TEST(chanfree_ticker_stop_releases_channel)
{
    int before = gocc_timer_active();
    time_ticker *t = time_newticker(time_millisecond);
    chan_t *c = TIMECHAN(t->c);
    time_time got;
    CU_ASSERT(gocc_chan_recv(c, &got, GOCC_HERE));
    CU_ASSERT_EQUAL(gocc_timer_active(), before + 1);
    time_ticker_stop(t);
    CU_ASSERT_EQUAL(gocc_timer_active(), before);
    CU_ASSERT(t->c == NULL);
    CU_ASSERT_EQUAL(c->magic, GOCC_CHAN_FREED);
    time_ticker_stop(t); /* twice: nothing */
    time_ticker_reset(t, time_millisecond);
    CU_ASSERT(t->c != NULL);
    CU_ASSERT(gocc_chan_recv(TIMECHAN(t->c), &got, GOCC_HERE));
    time_ticker_stop(t);
    CU_ASSERT_EQUAL(gocc_timer_active(), before);
    free(t);
}
