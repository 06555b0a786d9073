/*
 * race.c - happens-before edges for the race detector. No runtime file is
 * compiled with TSan instrumentation, even in libgocc-race.a, and runtime locks
 * (gocc_lock) announce nothing: the runtime's own hand-offs must not create
 * edges between goroutines (that would hide real races, e.g. two goroutines
 * whose WaitGroup Done and Add take the same internal lock), so every edge the
 * program is entitled to is announced explicitly (GOCC_RACE_* in chan.h).
 *
 * Also here: the pool of TSan fibers (race builds only), one per running
 * goroutine. Lock: fibers.lock guards the ring; taken with no other lock
 * held but (at most) sched-side state of the calling m.
 */
#include <stdlib.h>

#include "race.h"
#include "sched_impl.h"

#ifndef GOCC_RACE
#define GOCC_RACE 0
#endif

void gocc_race_release(const void *addr) { race_rel(addr); (void)addr; }
void gocc_race_acquire(const void *addr) { race_acq(addr); (void)addr; }

#if GOCC_RACE
/* Each running goroutine has a TSan fiber, which TSan treats as a thread: whatever one fiber does is
 * ordered by program order. A fiber per goroutine would be exact, but creating and destroying them
 * costs milliseconds each (TSan resets its slots), so exited goroutines' fibers are reused, oldest
 * first, and only once RACEFIBER_SPARE newer ones wait in the pool. The price: a goroutine is ordered
 * after the goroutine whose fiber it took, which exited at least RACEFIBER_SPARE exits earlier. (Reuse
 * of the last exited goroutine's fiber used to hide the race of a goroutine with the one that ran just
 * before it, e.g. two increments separated only by WaitGroup Done and a later Add.) */
#define RACEFIBER_SPARE 64
static struct {
    gocc_lock lock;             /* guards the ring */
    void **ring;
    int head, n, cap;
} fibers;

/* A fiber the go statement made (gocc.h's gocc_go_fiber), for the gocc_go that this thread is in. */
static __thread void *handed;

/* A fiber from the pool, or NULL when fewer than RACEFIBER_SPARE newer ones wait. */
void *gocc_race_fiber_take(void)
{
    void *f = NULL;
    gocc_lock_acquire(&fibers.lock);
    if (fibers.n > RACEFIBER_SPARE) {
        f = fibers.ring[fibers.head];
        fibers.head = (fibers.head + 1) % fibers.cap;
        fibers.n--;
    }
    gocc_lock_release(&fibers.lock);
    return f;
}

void *gocc_race_fiber_get(void)
{
    void *f = handed;
    if (f) {
        handed = NULL;
        return f;
    }
    f = gocc_race_fiber_take();
    return f ? f : race_fiber_create();
}

void gocc_go_fiber(void (*fn)(void *arg), const void *arg, gocc_size argsize, const gocc_site *site, void *fiber);

/* go in race builds (gocc.h): newg (called by gocc_go on this thread, before anything can switch) takes the fiber. */
void gocc_go_fiber(void (*fn)(void *arg), const void *arg, gocc_size argsize, const gocc_site *site, void *fiber)
{
    handed = fiber;
    gocc_go(fn, arg, argsize, site);
    if (handed) {   /* not taken (cannot happen today): back to the pool rather than leaked */
        gocc_race_fiber_put(handed);
        handed = NULL;
    }
}

/* Not g's own fiber's code: the caller runs on another fiber. */
void gocc_race_fiber_put(void *f)
{
    gocc_lock_acquire(&fibers.lock);
    if (fibers.n == fibers.cap) {
        int cap = fibers.cap ? 2 * fibers.cap : 2 * RACEFIBER_SPARE;
        void **r = malloc((size_t)cap * sizeof *r);
        if (!r)
            abort();
        for (int i = 0; i < fibers.n; i++)
            r[i] = fibers.ring[(fibers.head + i) % fibers.cap];
        /* The old ring is not freed: TSan sees malloc and free as writes of whichever goroutine
         * runs the runtime, and runtime locks give it no edges. Growth doubles: the leak stays
         * below the ring's final size. */
        fibers.ring = r;
        fibers.head = 0;
        fibers.cap = cap;
    }
    fibers.ring[(fibers.head + fibers.n) % fibers.cap] = f;
    fibers.n++;
    gocc_lock_release(&fibers.lock);
}
#endif
