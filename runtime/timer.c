/*
 * timer.c - the runtime's timers and time_sleep.
 *
 * Design: one binary min-heap of armed timers ordered by `when`, under one
 * lock, served by one timer thread that sleeps on a futex until the earliest
 * deadline (or until a new earliest timer arrives). Why not Go's per-P heaps:
 * timers here are rare compared to channel operations (sleep, after, tick), an
 * O(log n) insert under a short lock is far below a system call, and a single
 * thread that owns expiry keeps the workers' idle path simple: idle workers
 * sleep on their futex with no deadline, and a program waiting on a 10 s timer
 * has exactly one thread in a timed futex wait, which costs no CPU. A busy
 * scheduler also runs due timers itself every 61 switches (gocc_timer_poll),
 * so expiry does not wait for the timer thread to be given a CPU.
 *
 * Invariants (tm.lock):
 *   - t is armed iff 0 <= t->gocc__index < tm.n and tm.heap[t->gocc__index] == t
 *     (so a zeroed timer reads as not armed, whatever its index says).
 *   - tm.active = armed timers + callbacks running now; the deadlock check reads
 *     it, so a callback that is about to ready a goroutine still counts. Whoever
 *     drops it to 0 after a callback runs the deadlock check (no lost check: a p
 *     that went idle while the callback ran skipped it).
 *   - Callbacks run without the lock held, on the timer thread or on a busy
 *     scheduler that finds a timer due (gocc_timer_poll, at most one at a
 *     time); a periodic timer is re-armed before its callback runs.
 *   - tm.first mirrors the earliest `when` (0: none) for lock-free polling.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sched_impl.h"
#include "wait.h"

#ifndef GOCC_RACE
#define GOCC_RACE 0
#endif

static struct {
    gocc_lock lock;
    gocc_timer **heap;
    int n, cap;
    int active;                 /* atomic for readers */
    int gen;                    /* futex: bumped when the earliest deadline moves up */
    int sleeping;
    gocc_int64 sleepuntil;      /* deadline the timer thread sleeps towards; 0: none */
    gocc_timer *running[2];     /* the timers whose callbacks run now: [0] on the timer thread, [1] on a
                                   scheduler (gocc_timer_stop_wait waits for them) */
    int schedbusy;              /* a scheduler is in gocc_timer_poll (one at a time) */
    gocc_int64 first;           /* earliest armed `when`, 0 when none; read without the lock */
} tm;

static int before(gocc_timer *a, gocc_timer *b) { return a->when < b->when; }

static void place(int i, gocc_timer *t)
{
    tm.heap[i] = t;
    t->gocc__index = i;
}

static void siftup(int i)
{
    gocc_timer *t = tm.heap[i];
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!before(t, tm.heap[p]))
            break;
        place(i, tm.heap[p]);
        i = p;
    }
    place(i, t);
}

static void siftdown(int i)
{
    gocc_timer *t = tm.heap[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= tm.n)
            break;
        if (c + 1 < tm.n && before(tm.heap[c + 1], tm.heap[c]))
            c++;
        if (!before(tm.heap[c], t))
            break;
        place(i, tm.heap[c]);
        i = c;
    }
    place(i, t);
}

static int armed(gocc_timer *t)
{
    int i = t->gocc__index;
    return i >= 0 && i < tm.n && tm.heap[i] == t;
}

/* tm.lock held: after every change of tm.heap[0]. */
static void setfirst(void) { __atomic_store_n(&tm.first, tm.n ? tm.heap[0]->when : 0, __ATOMIC_RELAXED); }

/* tm.lock held; t armed. */
static void heapdel(gocc_timer *t)
{
    int i = t->gocc__index;
    tm.n--;
    if (i != tm.n) {
        place(i, tm.heap[tm.n]);
        siftdown(i);
        siftup(tm.heap[i]->gocc__index);
    }
    t->gocc__index = -1;
    setfirst();
}

void gocc_timer_start(gocc_timer *t)
{
    int wake = 0;
    gocc_lock_acquire(&tm.lock);
    if (armed(t)) {
        heapdel(t);
    } else {
        __atomic_add_fetch(&tm.active, 1, __ATOMIC_ACQ_REL);
        if (tm.n == tm.cap) {
            int cap = tm.cap ? 2 * tm.cap : 64;
#if GOCC_RACE
            /* Not realloc: TSan sees malloc and free as writes of whichever goroutine runs the
             * runtime, with no edge between them (runtime locks carry none). The old heap is kept;
             * growth doubles, so the leak stays below the heap's final size. */
            gocc_timer **h = malloc((size_t)cap * sizeof *h);
            if (!h)
                abort();
            for (int i = 0; i < tm.n; i++)
                h[i] = tm.heap[i];
#else
            gocc_timer **h = realloc(tm.heap, (size_t)cap * sizeof *h);
            if (!h)
                abort();
#endif
            tm.heap = h;
            tm.cap = cap;
        }
    }
    place(tm.n++, t);
    siftup(tm.n - 1);
    setfirst();
    if (tm.heap[0] == t && tm.sleeping && (!tm.sleepuntil || t->when < tm.sleepuntil)) {
        __atomic_add_fetch(&tm.gen, 1, __ATOMIC_RELEASE);
        wake = 1;
    }
    gocc_lock_release(&tm.lock);
    if (wake)
        syscall(SYS_futex, &tm.gen, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

_Bool gocc_timer_stop(gocc_timer *t)
{
    gocc_lock_acquire(&tm.lock);
    int was = armed(t);
    if (was) {
        heapdel(t);
        __atomic_sub_fetch(&tm.active, 1, __ATOMIC_ACQ_REL);
    }
    gocc_lock_release(&tm.lock);
    return was;
}

/* The callback of a one-shot timer runs without tm.lock; its owner, about to reuse or drop the record,
 * waits for it here. The callback must be short and never wait on the caller (wait.c's is one CAS). */
void gocc_timer_stop_wait(gocc_timer *t)
{
    gocc_lock_acquire(&tm.lock);
    if (armed(t)) {
        heapdel(t);
        __atomic_sub_fetch(&tm.active, 1, __ATOMIC_ACQ_REL);
    }
    while (tm.running[0] == t || tm.running[1] == t) {
        gocc_lock_release(&tm.lock);
        sched_yield();
        gocc_lock_acquire(&tm.lock);
    }
    gocc_lock_release(&tm.lock);
}

int gocc_timer_active(void) { return __atomic_load_n(&tm.active, __ATOMIC_ACQUIRE); }

/* Runs the callbacks of the timers due by now; slot: 0 the timer thread, 1 a scheduler. tm.lock held,
 * released around each callback. */
static void runexpired(int slot, gocc_int64 now)
{
    while (tm.n && tm.heap[0]->when <= now) {
        gocc_timer *t = tm.heap[0];
        heapdel(t);
        int periodic = t->period > 0;
        if (periodic) {
            t->when += t->period * (1 + (now - t->when) / t->period);
            place(tm.n++, t);
            siftup(tm.n - 1);
            setfirst();
        }
        void (*fn)(gocc_timer *) = t->fn;
        tm.running[slot] = t;
        gocc_lock_release(&tm.lock);
        fn(t);
        if (!periodic && __atomic_sub_fetch(&tm.active, 1, __ATOMIC_ACQ_REL) == 0) {
            /* The last p to go idle may have done so while fn ran and seen a firing timer: the
             * deadlock check it skipped is ours to run, now that nothing counts as active. */
            gocc_sched_checkdead();
        }
        gocc_lock_acquire(&tm.lock);
        tm.running[slot] = NULL;
        now = gocc_sched_nanotime();
    }
}

/* Scheduler side (g0, p held, no lock): runs the timers that are due. A busy processor would otherwise
 * wait for the timer thread to get a CPU, which on a loaded machine takes milliseconds; Go runs timers
 * from its scheduler likewise. Costs one load when no timer is armed. */
void gocc_timer_poll(void)
{
    gocc_int64 first = __atomic_load_n(&tm.first, __ATOMIC_RELAXED);
    if (!first)
        return;
    gocc_int64 now = gocc_sched_nanotime();
    if (first > now)
        return;
    gocc_lock_acquire(&tm.lock);
    if (!tm.schedbusy) {
        tm.schedbusy = 1;
        runexpired(1, now);
        tm.schedbusy = 0;
    }
    gocc_lock_release(&tm.lock);
}

static void *timerproc(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    gocc_sched_systhread();
    gocc_lock_acquire(&tm.lock);
    for (;;) {
        gocc_int64 now = gocc_sched_nanotime();
        runexpired(0, now);
        now = gocc_sched_nanotime();
        int gen = tm.gen;
        tm.sleeping = 1;
        gocc_int64 wait = -1;
        tm.sleepuntil = 0;
        if (tm.n) {
            tm.sleepuntil = tm.heap[0]->when;
            wait = tm.sleepuntil - now;
            if (wait < 0)
                wait = 0;
        }
        gocc_lock_release(&tm.lock);
        struct timespec ts = { wait / 1000000000, wait % 1000000000 };
        syscall(SYS_futex, &tm.gen, FUTEX_WAIT_PRIVATE, gen, wait >= 0 ? &ts : NULL, NULL, 0);
        gocc_lock_acquire(&tm.lock);
        tm.sleeping = 0;
    }
    return NULL;
}

void gocc_timer_init(void)
{
    pthread_t th;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &a, timerproc, NULL))
        abort();
    pthread_attr_destroy(&a);
}

/* ------------------------------------------------------------------ */

void time_sleep(time_duration d)
{
    if (d <= 0)
        return;
    gocc_g *g = gocc_sched_self();
    if (!g || gocc_sched_goid(g) == 0) {
        struct timespec ts = { d / 1000000000, d % 1000000000 };
        while (nanosleep(&ts, &ts)) {}
        return;
    }
    gocc_wait_until(gocc_sched_nanotime() + d, "sleep", NULL);
}
