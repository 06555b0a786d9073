/* test_time.c - now, since, durations, after, tick, tickers. */
#include "test_chan_util.h"

#define TIMECHAN(c) ((chan_t *)(c))

GOCC_TEST(time_now_since_seconds)
{
    time_time t0 = time_now();
    CU_ASSERT(t0.wall > 1600000000LL * 1000000000LL); /* after 2020 */
    time_sleep(10 * time_millisecond);
    time_duration d = time_since(t0);
    CU_ASSERT(d >= 10 * time_millisecond);
    CU_ASSERT(d < 2 * time_second);
    CU_ASSERT(time_duration_seconds(1500 * time_millisecond) == 1.5);
    CU_ASSERT(time_duration_seconds(-2 * time_second) == -2.0);
    CU_ASSERT(time_duration_seconds(time_hour + 1) > 3600.0);
}

GOCC_TEST(time_after_fires_once)
{
    time_time t0 = time_now();
    chan_t *c = TIMECHAN(time_after(20 * time_millisecond));
    CU_ASSERT_EQUAL(gocc_chan_cap(c), 1);
    time_time got;
    CU_ASSERT(gocc_chan_recv(c, &got, GOCC_HERE));
    time_duration d = time_since(t0);
    CU_ASSERT(d >= 20 * time_millisecond && d < 2 * time_second);
    CU_ASSERT(got.mono - t0.mono >= 20 * time_millisecond);
    time_sleep(30 * time_millisecond);
    CU_ASSERT_EQUAL(gocc_chan_len(c), 0); /* once only */
}

/* The classic timeout: select on a channel that never fires and after. */
GOCC_TEST(time_after_in_select_timeout)
{
    chan_t *never = MKCHAN(int, 0);
    for (int i = 0; i < 20; i++) {
        int v;
        time_time tv;
        gocc_select_case sc[2] = {{never, &v, 0}, {TIMECHAN(time_after(time_millisecond)), &tv, 0}};
        CU_ASSERT_EQUAL_FATAL(gocc_select(sc, 2, 0, NULL, GOCC_HERE), 1);
    }
    chan_t *now = MKCHAN(int, 1);
    SEND(now, int, 3);
    int v = 0;
    time_time tv;
    gocc_select_case sc[2] = {{now, &v, 0}, {TIMECHAN(time_after(time_second)), &tv, 0}};
    CU_ASSERT_EQUAL(gocc_select(sc, 2, 0, NULL, GOCC_HERE), 0);
    CU_ASSERT_EQUAL(v, 3);
}

GOCC_TEST(time_ticker_ticks_and_stops)
{
    time_ticker *t = time_newticker(5 * time_millisecond);
    time_time t0 = time_now(), prev = t0;
    for (int i = 0; i < 5; i++) {
        time_time got;
        CU_ASSERT(gocc_chan_recv(TIMECHAN(t->c), &got, GOCC_HERE));
        CU_ASSERT(got.mono >= prev.mono);
        prev = got;
    }
    CU_ASSERT(time_since(t0) >= 20 * time_millisecond);
    time_ticker_stop(t);
    time_sleep(2 * time_millisecond);
    /* Drain what may have fired just before the stop, then nothing comes. */
    time_time got;
    gocc_select_case sc[1] = {{(chan_t *)t->c, &got, 0}};
    gocc_select(sc, 1, 1, NULL, GOCC_HERE);
    time_sleep(20 * time_millisecond);
    CU_ASSERT_EQUAL(gocc_chan_len(TIMECHAN(t->c)), 0);
    /* Reset starts it again. */
    time_ticker_reset(t, 3 * time_millisecond);
    CU_ASSERT(gocc_chan_recv(TIMECHAN(t->c), &got, GOCC_HERE));
    time_ticker_stop(t);
}

/* A slow receiver: ticks are dropped, not queued (capacity 1). */
GOCC_TEST(time_tick_drops_for_slow_receiver)
{
    CU_ASSERT(time_tick(0) == NULL);
    chan_t *c = TIMECHAN(time_tick(time_millisecond));
    time_sleep(30 * time_millisecond);
    CU_ASSERT_EQUAL(gocc_chan_len(c), 1);
    time_time got;
    CU_ASSERT(gocc_chan_recv(c, &got, GOCC_HERE));
    CU_ASSERT(gocc_chan_recv(c, &got, GOCC_HERE));
}

static void do_bad_ticker(void *x) { time_newticker(0); }

GOCC_TEST(time_ticker_panics)
{
    CU_ASSERT(expect_death(do_bad_ticker, NULL, 2, "panic: non-positive interval for NewTicker", NULL));
}
