/*
 * wait.c - gocc_wait_park: the one way a goroutine (or a plain thread) blocks,
 * with an optional deadline. The protocol is in wait.h; this file adds the
 * deadline to gocc_sched_park.
 *
 * Invariants:
 *   - g->waitset and g->waittimer belong to g's current deadline wait; they
 *     are written only by g itself, before the timer is armed, and the timer
 *     callback reads them only while the timer is armed or firing.
 *   - The timer is armed on the scheduler side of the park (after g is
 *     G_WAITING), before the object's lock is released: so the callback never
 *     readies a goroutine that still runs, and a waker (who needs that lock)
 *     cannot wake g before the timer is armed, which would let g stop a timer
 *     not yet armed and return while it still will be.
 *   - A woken waiter whose set was won by a record (not by the deadline) stops
 *     its timer and waits for a callback in flight before it returns: the
 *     callback touches the set (on g's stack) only in its CAS.
 */
#include "race.h"
#include "sched_impl.h"
#include "wait.h"

/* Timer callback, on the timer thread: the deadline's claim. It must not touch the set after a
 * successful CAS except to wake g (g's stack resumes from then on). */
static void wait_expire(gocc_timer *t)
{
    gocc_g *g = t->arg;
    gocc_waitset *s = g->waitset;
    int zero = 0;
    if (__atomic_compare_exchange_n(&s->done, &zero, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        gocc_sched_ready(g); /* winner stays NULL: the deadline won */
}

typedef struct armarg {
    void (*unlockf)(void *);
    void *arg;
    gocc_timer *t;
} armarg;

/* unlockf of a deadline wait: runs once g is off its stack. Copies its arguments out first: from the
 * moment the timer is armed g may be readied, and this frame is on g's stack. */
static void arm_and_unlock(void *p)
{
    armarg *a = p;
    void (*unlockf)(void *) = a->unlockf;
    void *arg = a->arg;
    gocc_timer_start(a->t);
    if (unlockf)
        unlockf(arg);
}

gocc_waiter *gocc_wait_park_slow(gocc_waitset *s, void (*unlockf)(void *), void *arg, const char *reason,
                                 const gocc_site *site)
{
    /* unlockf runs on the scheduler's own context, which TSan sees as another fiber with no edge from
     * the goroutine: every unlockf of the runtime starts by acquiring arg, which we release here, so
     * the writes made under the lock are ordered before whoever takes it next. */
    race_rel(arg);
    if (!s->deadline) {
        gocc_sched_park(unlockf, arg, reason, site);
        return __atomic_load_n(&s->winner, __ATOMIC_ACQUIRE);
    }
    gocc_g *g = gocc_sched_self();
    g->waitset = s;
    g->waittimer.when = s->deadline;
    g->waittimer.period = 0;
    g->waittimer.fn = wait_expire;
    g->waittimer.arg = g;
    armarg a = {unlockf, arg, &g->waittimer};
    gocc_sched_park(arm_and_unlock, &a, reason, site);
    gocc_waiter *w = __atomic_load_n(&s->winner, __ATOMIC_ACQUIRE);
    if (w) {
        /* A record won: the callback may be failing its CAS right now. */
        gocc_timer_stop_wait(&g->waittimer);
        return w;
    }
    /* The deadline won. Records still queued are ours to unlink; a waker that found one first failed
     * its claim and unlinked it already. */
    for (int i = 0; i < s->nrecs; i++)
        if (s->recs[i].dequeue)
            s->recs[i].dequeue(&s->recs[i]);
    return NULL;
}

void gocc_wait_until(gocc_int64 deadline, const char *reason, const gocc_site *site)
{
    /* A deadline already past returns at once, as Go's Sleep(0) does, rather than parking until the
     * timer thread fires: a select loop of nil channels and `case <-time_after(0):` took 6.4 us an
     * iteration (mostly the timer thread's futex wake-ups) and now ~300 instructions. */
    if (deadline <= gocc_sched_nanotime())
        return;
    gocc_waitset s = {.deadline = deadline};
    gocc_wait_park(&s, NULL, NULL, reason, site);
}

gocc_int64 gocc_nanotime(void) { return gocc_sched_nanotime(); }
