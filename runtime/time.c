/*
 * time.c - now, since, durations, and the channels of after, tick and
 * tickers (time_sleep is the scheduler's).
 *
 * A timer's callback runs on a scheduler thread and must not block, so it
 * offers the current time to a channel of capacity 1 with a non-blocking
 * send: a tick that finds the previous one unread is dropped, as Go's
 * tickers drop ticks for slow receivers.
 *
 * Memory: the channel of after/tick and its timer are one slot of the
 * channel pool; free(c) releases both (the timer stops first). A ticker's
 * stop releases its channel. In a select, `case <-time_after(d):` allocates
 * nothing at all: the code generator turns it into the select's deadline.
 */
#include <stdlib.h>
#include <time.h>

#include "chan.h"
#include "sched_impl.h"

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

/* A time channel: capacity 1, with its timer in the channel's own slot (chanmem.c), so one allocation
 * from the channel pool and no malloc. free(c) (gocc_chan_free) stops the timer, waiting for a callback
 * in progress, before the slot can be reused. */
static void fire(gocc_timer *t)
{
    time_time now = time_now();
    (void)gocc_chan_trysend(t->arg, &now); /* a freed channel drops it */
}

static gocc_chan *tchan_new(time_duration d, time_duration period)
{
    static const gocc_site site = {.file = "<runtime time>", .line = 0};
    gocc_chan *c = gocc_chan_make_ext(sizeof(time_time), 1, sizeof(gocc_timer), &site);
    gocc_timer *t = (gocc_timer *)c->ext;
    *t = (gocc_timer){.when = gocc_sched_nanotime() + (d > 0 ? d : 0), .period = period,
                      .fn = fire, .arg = c, .gocc__index = -1};
    c->timer = t;
    gocc_timer_start(t);
    return c;
}

GOCC_CHAN_RECV(time_time) time_after(time_duration d)
{
    return (GOCC_CHAN_RECV(time_time))tchan_new(d, 0);
}

/* As Go's time.Tick: nil for d <= 0. free(c) stops it. */
GOCC_CHAN_RECV(time_time) time_tick(time_duration d)
{
    if (d <= 0)
        return (GOCC_CHAN_RECV(time_time))0;
    return (GOCC_CHAN_RECV(time_time))tchan_new(d, d);
}

time_ticker *time_newticker(time_duration d)
{
    static const gocc_site site = {.file = "<runtime time>", .line = 0};
    if (d <= 0)
        gocc_panic("non-positive interval for NewTicker", &site);
    time_ticker *tk = malloc(sizeof *tk);
    if (!tk)
        gocc_panic("time: out of memory", &site);
    gocc_chan *c = tchan_new(d, d);
    tk->c = (GOCC_CHAN_RECV(time_time))c;
    tk->gocc__impl = c;
    return tk;
}

/* Stops the ticker and releases its channel (t->c becomes nil); a goroutine still blocked on the
 * channel is a panic, as for free. The record itself is the caller's to free (free(t)). */
void time_ticker_stop(time_ticker *tk)
{
    static const gocc_site site = {.file = "<runtime time>", .line = 0};
    gocc_chan *c = tk->gocc__impl;
    if (!c)
        return;
    gocc_chan_free(c, &site);
    tk->gocc__impl = NULL;
    tk->c = (GOCC_CHAN_RECV(time_time))0;
}

/* After a stop, a reset gives the ticker a new channel (Go lets a stopped ticker be reset). */
void time_ticker_reset(time_ticker *tk, time_duration d)
{
    static const gocc_site site = {.file = "<runtime time>", .line = 0};
    if (d <= 0)
        gocc_panic("non-positive interval for Ticker.Reset", &site);
    gocc_chan *c = tk->gocc__impl;
    if (!c) {
        c = tchan_new(d, d);
        tk->c = (GOCC_CHAN_RECV(time_time))c;
        tk->gocc__impl = c;
        return;
    }
    gocc_timer *t = c->timer;
    gocc_timer_stop_wait(t);
    t->when = gocc_sched_nanotime() + d;
    t->period = d;
    gocc_timer_start(t);
}

/* <-time_after(d) outside a select, lowered by the code generator: a sleep, no channel, no timer left
 * behind. */
time_time gocc_time_after_wait(time_duration d)
{
    time_sleep(d);
    return time_now();
}
