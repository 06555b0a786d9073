/*
 * gtest_event.h - a one-shot event for runtime tests: the park/ready protocol
 * in its smallest form. One waiter (a goroutine, or a plain thread, which
 * gocc_sched_park blocks instead); fire readies it after unlocking, or makes a
 * later wait return at once.
 */
#ifndef GTEST_EVENT_H
#define GTEST_EVENT_H

#include "sched.h"

typedef struct gtest_event {
    gocc_lock lock; /* guards done and waiter */
    int done;
    gocc_g *waiter;
} gtest_event;

/* Runtime locks carry no happens-before edge for the race detector (only program-level operations
 * do), so the event announces its own: it is the test's synchronisation, not the runtime's. */
static inline void gtest_event_lock(gtest_event *e)
{
    gocc_lock_acquire(&e->lock);
    gocc_race_acquire(&e->lock);
}

static inline void gtest_event_release(gtest_event *e)
{
    gocc_race_release(&e->lock);
    gocc_lock_release(&e->lock);
}

static void gtest_event_unlock(void *e) { gtest_event_release(e); }

static inline void gtest_event_wait(gtest_event *e)
{
    gtest_event_lock(e);
    if (e->done) {
        gtest_event_release(e);
        return;
    }
    e->waiter = gocc_sched_self();
    gocc_sched_park(gtest_event_unlock, e, "test event", GOCC_HERE);
}

static inline void gtest_event_fire(gtest_event *e)
{
    gtest_event_lock(e);
    e->done = 1;
    gocc_g *w = e->waiter;
    e->waiter = NULL;
    gtest_event_release(e);
    if (w)
        gocc_sched_ready(w);
}

#endif
