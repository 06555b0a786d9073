/*
 * time.c - now, since, durations, and the channels of after, tick and
 * tickers (time_sleep is the scheduler's).
 *
 * A timer's callback runs on a scheduler thread and must not block, so it
 * offers the current time to a channel of capacity 1 with a non-blocking
 * send: a tick that finds the previous one unread is dropped, as Go's
 * tickers drop ticks for slow receivers.
 *
 * Memory: the channel of after/tick lives forever (channels are never
 * freed), and so does its timer record, allocated with it; a stopped ticker
 * keeps its record too, so that a late stop or reset stays safe.
 */
#include <stdlib.h>
#include <time.h>

#include "chan.h"

typedef struct gocc_chan gocc_chan;

time_time time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (time_time){.mono = gocc_sched_nanotime(), .wall = (gocc_int64)ts.tv_sec * 1000000000 + ts.tv_nsec};
}

time_duration time_since(time_time t) { return gocc_sched_nanotime() - t.mono; }

/* As Go: whole seconds and the remainder separately, for precision. */
double time_duration_seconds(time_duration d)
{
    gocc_int64 sec = d / time_second, nsec = d % time_second;
    return (double)sec + (double)nsec / 1e9;
}

typedef struct tchan {
    gocc_timer t;
    gocc_chan *c;
} tchan;

static void fire(gocc_timer *t)
{
    tchan *tc = t->arg;
    time_time now = time_now();
    (void)gocc_chan_trysend(tc->c, &now);
}

static tchan *tchan_new(time_duration d, time_duration period)
{
    static const gocc_site site = {"<runtime time>", 0};
    tchan *tc = malloc(sizeof *tc);
    if (!tc)
        gocc_panic("time: out of memory", &site);
    tc->c = gocc_chan_make(sizeof(time_time), 1, &site);
    tc->t = (gocc_timer){.when = gocc_sched_nanotime() + (d > 0 ? d : 0), .period = period,
                         .fn = fire, .arg = tc, .gocc__index = -1};
    gocc_timer_start(&tc->t);
    return tc;
}

GOCC_CHAN_RECV(time_time) time_after(time_duration d)
{
    return (GOCC_CHAN_RECV(time_time))tchan_new(d, 0)->c;
}

/* As Go's time.Tick: nil for d <= 0. */
GOCC_CHAN_RECV(time_time) time_tick(time_duration d)
{
    if (d <= 0)
        return (GOCC_CHAN_RECV(time_time))0;
    return (GOCC_CHAN_RECV(time_time))tchan_new(d, d)->c;
}

time_ticker *time_newticker(time_duration d)
{
    static const gocc_site site = {"<runtime time>", 0};
    if (d <= 0)
        gocc_panic("non-positive interval for NewTicker", &site);
    time_ticker *tk = malloc(sizeof *tk);
    if (!tk)
        gocc_panic("time: out of memory", &site);
    tchan *tc = tchan_new(d, d);
    tk->c = (GOCC_CHAN_RECV(time_time))tc->c;
    tk->gocc__impl = tc;
    return tk;
}

void time_ticker_stop(time_ticker *tk)
{
    gocc_timer_stop(&((tchan *)tk->gocc__impl)->t);
}

void time_ticker_reset(time_ticker *tk, time_duration d)
{
    static const gocc_site site = {"<runtime time>", 0};
    if (d <= 0)
        gocc_panic("non-positive interval for Ticker.Reset", &site);
    tchan *tc = tk->gocc__impl;
    gocc_timer_stop(&tc->t);
    tc->t.when = gocc_sched_nanotime() + d;
    tc->t.period = d;
    gocc_timer_start(&tc->t);
}
