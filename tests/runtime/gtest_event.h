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

static void gtest_event_unlock(void *e) { gocc_lock_release(&((gtest_event *)e)->lock); }

static inline void gtest_event_wait(gtest_event *e)
{
    gocc_lock_acquire(&e->lock);
    if (e->done) {
        gocc_lock_release(&e->lock);
        return;
    }
    e->waiter = gocc_sched_self();
    gocc_sched_park(gtest_event_unlock, e, "test event", GOCC_HERE);
}

static inline void gtest_event_fire(gtest_event *e)
{
    gocc_lock_acquire(&e->lock);
    e->done = 1;
    gocc_g *w = e->waiter;
    e->waiter = NULL;
    gocc_lock_release(&e->lock);
    if (w)
        gocc_sched_ready(w);
}

#endif
