/*
 * wait.h - the runtime's one waiter record and its one park/wake path.
 * Internal: not installed, not seen by generated code.
 *
 * Every blocking operation (channel send and receive, select, the sync
 * package, time_sleep, and the netpoller's I/O waits) waits the same way:
 *
 *   1. It puts a gocc_waitset on its own stack (done = 0, an optional absolute
 *      deadline) and one gocc_waiter per thing it waits on (a select: one per
 *      case, all sharing the set). Under the waited-on object's lock it links
 *      each record into that object's gocc_waitq.
 *   2. It calls gocc_wait_park(set, unlockf, arg, ...). The goroutine leaves
 *      its stack; only then does unlockf(arg) release the object's lock, so a
 *      waker (who takes the same lock) can never ready a goroutine that still
 *      runs.
 *   3. A waker, holding the object's lock, takes the first record it can
 *      claim (gocc_waitq_get: claiming moves set->done 0 -> 1, by CAS unless
 *      the set has one record and no deadline, and records the winner),
 *      completes the operation for it (copies the value, sets success),
 *      releases the lock and then calls gocc_wait_wake. The record
 *      is on the waiter's stack: after the lock is released only w->g, read
 *      before, may be used.
 *   4. The deadline is one more claimant: the goroutine's own timer (embedded
 *      in its g record, so a deadline costs no allocation) is armed once the
 *      goroutine is off its stack, and at expiry CASes done 0 -> 1 with
 *      winner = NULL and wakes it. The waiter then dequeues its own records
 *      (rec->dequeue, under each object's lock), so nothing of it stays
 *      queued. Whoever loses the CAS leaves the set alone: a waker drops the
 *      record it dequeued, the timer does nothing; a woken waiter first stops
 *      its timer and waits for a callback in flight, so the timer never
 *      touches a set that has gone.
 *
 * Exactly one claimant wins, so a goroutine is readied exactly once per park
 * (no double ready, no lost wake-up), whatever the number of records and
 * whether or not a deadline races with a waker.
 *
 * Records of a set that was won elsewhere may stay linked in other objects'
 * queues until their owner's dequeue or a later gocc_waitq_get drops them
 * (claim fails, so the record is unlinked and skipped).
 */
#ifndef GOCC_WAIT_H
#define GOCC_WAIT_H

#include "sched.h"

typedef struct gocc_waiter gocc_waiter;

typedef struct gocc_waitset {    /* one per blocking operation, on the waiter's stack; a select's cases share one */
    int done;                    /* 0 while waiting; whoever CASes it 0 -> 1 owns the wake-up */
    gocc_waiter *winner;         /* the record that won; NULL when the deadline fired */
    gocc_int64 deadline;         /* absolute gocc_sched_nanotime(); 0 = none */
    gocc_waiter *recs;           /* the records of this wait (the waiter dequeues them after a timeout) */
    int nrecs;
} gocc_waitset;

struct gocc_waiter {
    gocc_g *g;                   /* the waiting goroutine (or a plain thread's record) */
    gocc_waitset *set;
    gocc_waiter *next, *prev;    /* link in the waited-on object's queue, under that object's lock */
    void *obj;                   /* what is waited on: channel, mutex, poll descriptor, ... */
    void (*dequeue)(gocc_waiter *w); /* takes obj's lock and unlinks w if still queued (after a timeout) */
    void *elem;                  /* channels: the value to send / the receive destination; others: free use */
    gocc_int64 since;            /* sync.Mutex: when the waiter first queued (starvation mode) */
    int caseidx;                 /* select: the case this record stands for */
    _Bool queued;                /* linked into obj's queue (obj's lock) */
    _Bool success;               /* set by the winner's waker: channels: a value moved (false: closed);
                                    sync: the object was handed over */
};

typedef struct gocc_waitq {
    gocc_waiter *first, *last;
} gocc_waitq;

/* Claims w's set for w: CAS set->done 0 -> 1, then set->winner = w. True: the caller owns the wake-up
 * and must complete the operation and call gocc_wait_wake(w) (after releasing obj's lock). */
static inline _Bool gocc_wait_claim(gocc_waiter *w)
{
    gocc_waitset *s = w->set;
    /* A set of one record without a deadline (a plain channel send or receive, one I/O wait) has no
     * claimant but the wakers of that one object, and they claim under its lock: a plain store is
     * enough, and saves a locked instruction on every hand-off (two per ping-pong round trip). Sets of
     * several records (select, poll) or with a deadline (the timer claims without the lock) CAS. */
    if (s->nrecs == 1 && !s->deadline) {
        if (s->done)
            return 0;
        __atomic_store_n(&s->done, 1, __ATOMIC_RELAXED);
    } else {
        int zero = 0;
        if (!__atomic_compare_exchange_n(&s->done, &zero, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return 0;
    }
    s->winner = w;
    return 1;
}

/* After a successful claim, outside the object's lock: readies w's goroutine. w stays valid until then
 * (its goroutine cannot resume before this call: only the claimant wakes it); not after. */
static inline void gocc_wait_wake(gocc_waiter *w) { gocc_sched_ready(w->g); }

/* Queue helpers; obj's lock held. */
static inline void gocc_waitq_put(gocc_waitq *q, gocc_waiter *w)
{
    w->next = NULL;
    w->prev = q->last;
    if (q->last)
        q->last->next = w;
    else
        q->first = w;
    q->last = w;
    w->queued = 1;
}

/* Puts w first (a sync.Mutex waiter that was woken and lost the race goes back to the front). */
static inline void gocc_waitq_put_front(gocc_waitq *q, gocc_waiter *w)
{
    w->prev = NULL;
    w->next = q->first;
    if (q->first)
        q->first->prev = w;
    else
        q->last = w;
    q->first = w;
    w->queued = 1;
}

/* Unlinks w; a no-op unless w->queued. */
static inline void gocc_waitq_remove(gocc_waitq *q, gocc_waiter *w)
{
    if (!w->queued)
        return;
    if (w->prev)
        w->prev->next = w->next;
    else
        q->first = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->last = w->prev;
    w->next = w->prev = NULL;
    w->queued = 0;
}

/* Unlinks and returns the first record whose set it could claim; records of sets already won (a select
 * that fired elsewhere, a wait whose deadline passed) are unlinked and skipped. NULL when none. */
static inline gocc_waiter *gocc_waitq_get(gocc_waitq *q)
{
    gocc_waiter *w;
    while ((w = q->first) != NULL) {
        /* gocc_waitq_remove of the first record, shortened: its prev is NULL. Its own links are left
         * as they are (queued = 0 says it is out; close and the netpoller reuse next). */
        gocc_waiter *n = w->next;
        q->first = n;
        if (n)
            n->prev = NULL;
        else
            q->last = NULL;
        w->queued = 0;
        if (gocc_wait_claim(w))
            return w;
    }
    return NULL;
}

/* Parks the calling goroutine (a plain thread blocks on a futex instead) until a waker claims one of the
 * set's records and wakes it, or until set->deadline passes. unlockf(arg) runs once the goroutine is off
 * its stack (the object's lock is released there, so no wake-up is lost); unlockf may be NULL. The
 * deadline costs no allocation: each g embeds one timer. Returns the winning record, or NULL on timeout
 * (then every record of the set has been dequeued). A deadline wait needs rec->dequeue set on each
 * record. reason and site feed the deadlock report and the goroutine dump. */
gocc_waiter *gocc_wait_park_slow(gocc_waitset *s, void (*unlockf)(void *), void *arg, const char *reason,
                                 const gocc_site *site);
/* Without a deadline (and outside race builds, whose wait.c announces an edge first) the park is the
 * scheduler's alone: inline, one call level fewer on every blocking channel operation. */
static inline gocc_waiter *gocc_wait_park(gocc_waitset *s, void (*unlockf)(void *), void *arg, const char *reason,
                                          const gocc_site *site)
{
#if !(defined(GOCC_RACE) && GOCC_RACE)
    if (!s->deadline) {
        gocc_sched_park(unlockf, arg, reason, site);
        return __atomic_load_n(&s->winner, __ATOMIC_ACQUIRE);
    }
#endif
    return gocc_wait_park_slow(s, unlockf, arg, reason, site);
}

/* gocc_wait_park for a set of one record w whose w->g is not filled in yet: the park stores the waiting
 * goroutine there under the object's lock (gocc_sched_park_self), which saves the caller a
 * gocc_sched_self call (a blocking channel send or receive). */
static inline gocc_waiter *gocc_wait_park_rec(gocc_waitset *s, gocc_waiter *w, void (*unlockf)(void *), void *arg,
                                              const char *reason, const gocc_site *site)
{
#if !(defined(GOCC_RACE) && GOCC_RACE)
    if (!s->deadline) {
        gocc_sched_park_self(&w->g, unlockf, arg, reason, site);
        return __atomic_load_n(&s->winner, __ATOMIC_ACQUIRE);
    }
#endif
    w->g = gocc_sched_self();
    return gocc_wait_park_slow(s, unlockf, arg, reason, site);
}

/* Sleeps until the absolute deadline (a waitset with a deadline and no records). */
void gocc_wait_until(gocc_int64 deadline, const char *reason, const gocc_site *site);

#endif /* GOCC_WAIT_H */
