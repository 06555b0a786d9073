/*
 * gtest_event.h - a one-shot event (and, below, a counting semaphore) for runtime tests: the park/ready protocol
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
 * do), so a test that uses one as its own lock announces the edges itself: it is the test's
 * synchronisation, not the runtime's. */
static inline void gtest_lock(gocc_lock *l)
{
    gocc_lock_acquire(l);
    gocc_race_acquire(l);
}

static inline void gtest_unlock(gocc_lock *l)
{
    gocc_race_release(l);
    gocc_lock_release(l);
}

static inline void gtest_event_lock(gtest_event *e) { gtest_lock(&e->lock); }
static inline void gtest_event_release(gtest_event *e) { gtest_unlock(&e->lock); }

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

/* A counting semaphore of one waiter: wait returns once per post. */
typedef struct gtest_sema {
    gocc_lock lock; /* guards done and waiter */
    int done;
    gocc_g *waiter;
} gtest_sema;

static void gtest_sema_unlock(void *e) { gtest_unlock(&((gtest_sema *)e)->lock); }

static inline void gtest_sema_wait(gtest_sema *e)
{
    gtest_lock(&e->lock);
    if (e->done) {
        e->done--;
        gtest_unlock(&e->lock);
        return;
    }
    e->waiter = gocc_sched_self();
    gocc_sched_park(gtest_sema_unlock, e, "test event", GOCC_HERE);
    gtest_lock(&e->lock); /* the poster consumed nothing; take the token now */
    e->done--;
    gtest_unlock(&e->lock);
}

static inline void gtest_sema_post(gtest_sema *e)
{
    gtest_lock(&e->lock);
    e->done++;
    gocc_g *w = e->waiter;
    e->waiter = NULL;
    gtest_unlock(&e->lock);
    if (w)
        gocc_sched_ready(w);
}

#endif
