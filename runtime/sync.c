/*
 * sync.c - Mutex, RWMutex, WaitGroup, Once, Cond. They park the goroutine
 * (a plain thread blocks instead, through gocc_sched_park), never spin long.
 *
 * Each type overlays a private struct on the opaque state words of gocc.h;
 * all-zero is the ready state. Waiters are gocc_waiter records (wait.h) on
 * the waiting goroutine's stack, in a FIFO gocc_waitq that the object's
 * gocc_lock guards; a waker claims a record under that lock (success: the
 * object was handed over) and wakes it after releasing the lock. No sync wait
 * has a deadline today, so the records need no dequeue.
 */
#include <stddef.h>
#include <stdint.h>

#include "chan.h" /* GOCC_RACE_* */
#include "sched.h"
#include "uni.h"
#include "wait.h"

/* unlockf for parking on an object's lk (gocc_wait_park released l for the race detector). */
static void unlock_lk(void *l)
{
    GOCC_RACE_ACQUIRE(l);
    gocc_lock_release(l);
}

/* Parks on a one-record set, the record already queued under lk. site: the .gc call that waits (generated
 * code calls the gocc_sync_*_at forms through gocc.h's macros), NULL from C callers. */
static void park_on(gocc_waitset *set, gocc_lock *lk, const char *reason, const gocc_site *site)
{
    gocc_wait_park(set, unlock_lk, lk, reason, site);
}

/* Wakes a chain of claimed records linked through next (read before each wake: the record's stack
 * resumes at the wake). */
static void wake_chain(gocc_waiter *w)
{
    while (w) {
        gocc_waiter *next = w->next;
        GOCC_RACE_RELEASE(w);
        gocc_wait_wake(w);
        w = next;
    }
}

#define OVERLAY(T, p) _Static_assert(sizeof(T) <= sizeof((p)->gocc__state), #T " fits"); T *s = (T *)(void *)(p)->gocc__state

/* ---- Mutex ----
 * state: LOCKED | WAITERS. WAITERS is set and cleared only under lk and is
 * set whenever q is non-empty, so an unlock that sees it clear (CAS
 * LOCKED -> 0 succeeds) has no one to wake. An unlock wakes one waiter and
 * lets it compete with newcomers (barging keeps hand-offs cheap); a waiter
 * that has waited longer than STARVE_NS is instead handed the lock directly
 * (LOCKED is never cleared), which bounds its wait, as Go's starvation mode.
 */
enum { LOCKED = 1, WAITERS = 2 };
#define STARVE_NS 1000000

typedef struct mutex_s {
    int state;
    gocc_lock lk; /* guards q and WAITERS */
    gocc_waitq q;
} mutex_s;

static __attribute__((noinline)) void mutex_lock_slow(mutex_s *s, const gocc_site *site)
{
    gocc_int64 since = 0;
    gocc_sched_contended();
    for (;;) {
        /* Spin with exponential backoff (63 pauses at most): a spinner that
         * backs off lets the holder's thread take the lock again without a
         * cache-line fight, which doubled throughput under contention.
         * In uni mode the holder cannot run while we spin: park at once. */
        int spins = __atomic_load_n(&gocc_uni_rseq.mode, __ATOMIC_RELAXED) == GOCC_UNI_ON ? 0 : 6;
        for (int spin = 0, delay = 1; spin < spins; spin++, delay *= 2) {
            for (int d = 0; d < delay; d++)
                __builtin_ia32_pause();
            int v = __atomic_load_n(&s->state, __ATOMIC_RELAXED);
            if (!(v & LOCKED) &&
                __atomic_compare_exchange_n(&s->state, &v, v | LOCKED, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                return;
        }
        gocc_lock_acquire(&s->lk);
        int v = __atomic_load_n(&s->state, __ATOMIC_RELAXED);
        for (;;) {
            if (!(v & LOCKED)) {
                if (__atomic_compare_exchange_n(&s->state, &v, v | LOCKED, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
                    gocc_lock_release(&s->lk);
                    return;
                }
            } else if ((v & WAITERS) ||
                       __atomic_compare_exchange_n(&s->state, &v, v | WAITERS, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
                break;
            }
        }
        gocc_waitset set = {0};
        gocc_waiter w = {.g = gocc_sched_self(), .set = &set, .obj = s,
                         .since = since ? since : gocc_sched_nanotime()};
        /* A waiter that was woken and lost goes back to the front. */
        if (since)
            gocc_waitq_put_front(&s->q, &w);
        else
            gocc_waitq_put(&s->q, &w);
        since = w.since;
        park_on(&set, &s->lk, "sync.Mutex.Lock", site);
        GOCC_RACE_ACQUIRE(&w);
        if (w.success)
            return;
    }
}

/* The uncontended paths are inline. In uni mode (uni.h: GOMAXPROCS=1, only the p's thread runs goroutine
 * code) they use plain loads and stores (runtime/README.md, "Uni mode", has the measurements). Everything else, and every contended case, is atomic: a word the plain path wrote is read
 * by the same thread, or by another after the p's hand-off or gocc_uni_leave, both of which order it. */
static __attribute__((noinline)) void mutex_lock_leave(mutex_s *s, const gocc_site *site)
{
    gocc_uni_leave(); /* a plain thread: from now on everyone uses the atomic path */
    int v = 0;
    if (!__atomic_compare_exchange_n(&s->state, &v, LOCKED, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        mutex_lock_slow(s, site);
}

static inline void mutex_lock(mutex_s *s, const gocc_site *site)
{
    int e = gocc_uni_enter();
    if (__builtin_expect(e < 0, 0)) {
        mutex_lock_leave(s, site);
        return;
    }
    if (e && __builtin_expect(gocc__uni_swap_plain(&s->state, 0, LOCKED), 1))
        return;
    int v = 0;
    if (!__atomic_compare_exchange_n(&s->state, &v, LOCKED, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        mutex_lock_slow(s, site);
}

static void mutex_unlock_slow(mutex_s *s, int v, const char *misuse);

static inline void mutex_unlock(mutex_s *s, const char *misuse)
{
    int e = gocc_uni_enter();
    if (__builtin_expect(e < 0, 0)) {
        mutex_unlock_slow(s, -1, misuse);
        return;
    }
    if (e && __builtin_expect(gocc__uni_swap_plain(&s->state, LOCKED, 0), 1))
        return;
    int v = LOCKED;
    if (__builtin_expect(__atomic_compare_exchange_n(&s->state, &v, 0, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED), 1))
        return;
    mutex_unlock_slow(s, v, misuse);
}

/* v: the state word the fast path found (not LOCKED alone: waiters, or not locked at all); -1 from a
 * plain thread's first unlock (gocc_uni_leave done): try the fast path's CAS first. */
static __attribute__((noinline)) void mutex_unlock_slow(mutex_s *s, int v, const char *misuse)
{
    if (v == -1) {
        gocc_uni_leave(); /* a plain thread: from now on everyone uses the atomic path */
        v = LOCKED;
        if (__atomic_compare_exchange_n(&s->state, &v, 0, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            return;
    }
    if (!(v & LOCKED))
        gocc_panic(misuse, NULL);
    gocc_lock_acquire(&s->lk);
    gocc_waiter *w = gocc_waitq_get(&s->q);
    int clear = s->q.first ? 0 : WAITERS;
    if (w && gocc_sched_nanotime() - w->since > STARVE_NS) {
        w->success = 1; /* ownership passes; LOCKED stays set */
        if (clear)
            __atomic_fetch_and(&s->state, ~clear, __ATOMIC_RELEASE);
    } else {
        __atomic_fetch_and(&s->state, ~(LOCKED | clear), __ATOMIC_RELEASE);
    }
    gocc_lock_release(&s->lk);
    if (w) {
        GOCC_RACE_RELEASE(w);
        gocc_wait_wake(w);
    }
}

void gocc_sync_mutex_lock_at(sync_mutex *m, const gocc_site *site)
{
    OVERLAY(mutex_s, m);
    mutex_lock(s, site);
    GOCC_RACE_ACQUIRE(m);
}

void (sync_mutex_lock)(sync_mutex *m) { gocc_sync_mutex_lock_at(m, NULL); }

_Bool sync_mutex_trylock(sync_mutex *m)
{
    OVERLAY(mutex_s, m);
    /* Uni mode (uni.h) as lock: a plain thread's CAS must not meet the p thread's plain stores. */
    int e = gocc_uni_enter();
    if (e > 0) {
        int u = __atomic_load_n(&s->state, __ATOMIC_RELAXED);
        if (u & LOCKED)
            return 0;
        if (gocc__uni_swap_plain(&s->state, u, u | LOCKED)) /* WAITERS alone: unlocked, a woken waiter not yet back */
            return 1;
        /* The section declined (the mode changed, or the kernel aborted it): the atomic path decides. */
    }
    if (e < 0)
        gocc_uni_leave();
    int v = __atomic_load_n(&s->state, __ATOMIC_RELAXED);
    if ((v & LOCKED) || !__atomic_compare_exchange_n(&s->state, &v, v | LOCKED, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return 0;
    GOCC_RACE_ACQUIRE(m);
    return 1;
}

void sync_mutex_unlock(sync_mutex *m)
{
    OVERLAY(mutex_s, m);
    GOCC_RACE_RELEASE(m);
    mutex_unlock(s, "sync: unlock of unlocked mutex");
}

/* ---- RWMutex ----
 * All under lk. Writer preference as Go: once a writer waits, new readers
 * queue behind it; when a writer unlocks, the readers that queued meanwhile
 * all go first, then the next writer. readers counts holders, including
 * readers granted by a waker before they run.
 */
typedef struct rwmutex_s {
    gocc_lock lk;
    int readers;       /* active readers */
    int writer;        /* a writer holds it */
    int wwait;         /* writers queued */
    gocc_waitq rq, wq;
} rwmutex_s;

void gocc_sync_rwmutex_rlock_at(sync_rwmutex *m, const gocc_site *site)
{
    OVERLAY(rwmutex_s, m);
    gocc_lock_acquire(&s->lk);
    if (!s->writer && !s->wwait) {
        s->readers++;
        gocc_lock_release(&s->lk);
    } else {
        gocc_waitset set = {0};
        gocc_waiter w = {.g = gocc_sched_self(), .set = &set, .obj = s};
        gocc_waitq_put(&s->rq, &w);
        park_on(&set, &s->lk, "sync.RWMutex.RLock", site);
        GOCC_RACE_ACQUIRE(&w);
    }
    GOCC_RACE_ACQUIRE(&s->writer);
}

void (sync_rwmutex_rlock)(sync_rwmutex *m) { gocc_sync_rwmutex_rlock_at(m, NULL); }

void sync_rwmutex_runlock(sync_rwmutex *m)
{
    OVERLAY(rwmutex_s, m);
    GOCC_RACE_RELEASE(&s->readers);
    gocc_lock_acquire(&s->lk);
    if (s->readers <= 0) {
        gocc_lock_release(&s->lk);
        gocc_panic("sync: RUnlock of unlocked RWMutex", NULL);
    }
    gocc_waiter *w = NULL;
    if (--s->readers == 0 && (w = gocc_waitq_get(&s->wq)) != NULL) {
        s->wwait--;
        s->writer = 1;
        w->success = 1;
        w->next = NULL;
    }
    gocc_lock_release(&s->lk);
    wake_chain(w);
}

void gocc_sync_rwmutex_lock_at(sync_rwmutex *m, const gocc_site *site)
{
    OVERLAY(rwmutex_s, m);
    gocc_lock_acquire(&s->lk);
    if (!s->writer && !s->readers) {
        s->writer = 1;
        gocc_lock_release(&s->lk);
    } else {
        gocc_waitset set = {0};
        gocc_waiter w = {.g = gocc_sched_self(), .set = &set, .obj = s};
        s->wwait++;
        gocc_waitq_put(&s->wq, &w);
        park_on(&set, &s->lk, "sync.RWMutex.Lock", site);
        GOCC_RACE_ACQUIRE(&w);
    }
    GOCC_RACE_ACQUIRE(&s->writer);
    GOCC_RACE_ACQUIRE(&s->readers);
}

void (sync_rwmutex_lock)(sync_rwmutex *m) { gocc_sync_rwmutex_lock_at(m, NULL); }

void sync_rwmutex_unlock(sync_rwmutex *m)
{
    OVERLAY(rwmutex_s, m);
    GOCC_RACE_RELEASE(&s->writer);
    gocc_lock_acquire(&s->lk);
    if (!s->writer) {
        gocc_lock_release(&s->lk);
        gocc_panic("sync: Unlock of unlocked RWMutex", NULL);
    }
    s->writer = 0;
    gocc_waiter *wake = NULL, *w;
    if (s->rq.first) {
        /* Grant every queued reader; count them before releasing lk. */
        while ((w = gocc_waitq_get(&s->rq)) != NULL) {
            s->readers++;
            w->success = 1;
            w->next = wake;
            wake = w;
        }
    } else if ((wake = gocc_waitq_get(&s->wq)) != NULL) {
        s->wwait--;
        s->writer = 1;
        wake->success = 1;
        wake->next = NULL;
    }
    gocc_lock_release(&s->lk);
    wake_chain(wake);
}

/* ---- WaitGroup ----
 * st packs the counter (high 32 bits) and the number of waiters that queued (low 32 bits), as Go's
 * WaitGroup does, so that Add is one atomic add and touches nothing else unless it brings the counter
 * to 0 with waiters queued. Under lk before, a spawner's Add and its goroutines' Done on the other thread
 * took turns at the lock (bench/spawn at GOMAXPROCS=2: sync_waitgroup_add 25 % of the samples, much of
 * it spinning and in sched_yield). The waiter count is what makes the lock-free Add safe: a Wait may
 * return as soon as it reads a counter of 0 (its fast path), and its caller may then free or reuse the
 * WaitGroup's memory (a local wg in a function called in a loop), so the Done that brought the counter
 * to 0 must not take lk or read q afterwards unless someone is parked there (a first version took lk
 * whenever the counter reached 0: a reused wg's garbage q crashed it, tests/runtime
 * sync_waitgroup_done_leaves_memory_alone). A waiter counts itself, with a compare-and-swap that fails
 * once the counter is 0, and queues, both under lk, and parks before lk is released; an Add that sees
 * the counter reach 0 with waiters counted takes lk afterwards and so finds them all queued: it wakes
 * them and resets the count. Those waiters cannot have returned (only that wake releases them), so the
 * memory is still theirs. q is under lk. */
typedef struct waitgroup_s {
    gocc_lock lk;
    unsigned long long st; /* counter << 32 | waiters */
    gocc_waitq q;
} waitgroup_s;

void sync_waitgroup_add(sync_waitgroup *wg, int delta)
{
    OVERLAY(waitgroup_s, wg);
    if (delta < 0)
        GOCC_RACE_RELEASE(wg);
    unsigned long long st = __atomic_add_fetch(&s->st, (unsigned long long)(long long)delta << 32, __ATOMIC_ACQ_REL);
    int n = (int)(st >> 32);
    if (n < 0)
        gocc_panic("sync: negative WaitGroup counter", NULL);
    if (n > 0 || (unsigned)st == 0)
        return;
    gocc_waiter *wake = NULL, *w;
    gocc_lock_acquire(&s->lk);
    while ((w = gocc_waitq_get(&s->q)) != NULL) {
        w->success = 1;
        w->next = wake;
        wake = w;
    }
    /* Every counted waiter was queued (under lk, before we took it); a negative delta after 0 already
     * panicked, and an Add that raised the counter meanwhile is a reuse before Wait returned (Go forbids
     * it): the waiters are released all the same and the new count stays. */
    __atomic_and_fetch(&s->st, ~0xffffffffULL, __ATOMIC_RELEASE);
    gocc_lock_release(&s->lk);
    wake_chain(wake);
}

void sync_waitgroup_done(sync_waitgroup *wg) { sync_waitgroup_add(wg, -1); }

void gocc_sync_waitgroup_wait_at(sync_waitgroup *wg, const gocc_site *site)
{
    OVERLAY(waitgroup_s, wg);
    unsigned long long st = __atomic_load_n(&s->st, __ATOMIC_ACQUIRE);
    if ((st >> 32) == 0) {
        GOCC_RACE_ACQUIRE(wg);
        return;
    }
    gocc_lock_acquire(&s->lk);
    st = __atomic_load_n(&s->st, __ATOMIC_ACQUIRE);
    for (;;) {
        if ((st >> 32) == 0) {
            gocc_lock_release(&s->lk);
            GOCC_RACE_ACQUIRE(wg);
            return;
        }
        if (__atomic_compare_exchange_n(&s->st, &st, st + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            break;
    }
    gocc_waitset set = {0};
    gocc_waiter w = {.g = gocc_sched_self(), .set = &set, .obj = s};
    gocc_waitq_put(&s->q, &w);
    park_on(&set, &s->lk, "sync.WaitGroup.Wait", site);
    GOCC_RACE_ACQUIRE(&w);
    GOCC_RACE_ACQUIRE(wg);
}

void (sync_waitgroup_wait)(sync_waitgroup *wg) { gocc_sync_waitgroup_wait_at(wg, NULL); }

/* ---- Once ----
 * done is set (release) after f returns, under m; the fast path reads it
 * with acquire, so f's effects are visible to every caller that returns. */
typedef struct once_s {
    int done;
    mutex_s m;
} once_s;

void gocc_sync_once_do_at(sync_once *o, void (*f)(void), const gocc_site *site)
{
    _Static_assert(sizeof(once_s) <= sizeof o->gocc__state, "once fits");
    once_s *s = (once_s *)(void *)o->gocc__state;
    if (__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
        GOCC_RACE_ACQUIRE(o);
        return;
    }
    mutex_lock(&s->m, site);
    if (!s->done) {
        f();
        GOCC_RACE_RELEASE(o);
        __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
    }
    mutex_unlock(&s->m, "sync: unlock of unlocked mutex");
}

void (sync_once_do)(sync_once *o, void (*f)(void)) { gocc_sync_once_do_at(o, f, NULL); }

/* ---- Cond ----
 * wait queues a record and unlocks l while holding lk, and parks releasing lk
 * once off its stack: a signal (which takes lk) therefore always finds the
 * waiter either not yet queued or parked, and never readies a goroutine that
 * still runs. Lock order: cond lk, then l's internal lock. */
typedef struct cond_s {
    gocc_lock lk;
    gocc_waitq q;
} cond_s;

void sync_cond_init(sync_cond *c, sync_mutex *l)
{
    *c = (sync_cond){.l = l};
}

void gocc_sync_cond_wait_at(sync_cond *c, const gocc_site *site)
{
    OVERLAY(cond_s, c);
    gocc_waitset set = {0};
    gocc_waiter w = {.g = gocc_sched_self(), .set = &set, .obj = s};
    gocc_lock_acquire(&s->lk);
    gocc_waitq_put(&s->q, &w);
    (sync_mutex_unlock)(c->l);
    park_on(&set, &s->lk, "sync.Cond.Wait", site);
    GOCC_RACE_ACQUIRE(&w);
    GOCC_RACE_ACQUIRE(c);
    gocc_sync_mutex_lock_at(c->l, site);   /* taking the lock back is part of the wait */
}

void (sync_cond_wait)(sync_cond *c) { gocc_sync_cond_wait_at(c, NULL); }

static void cond_wake(sync_cond *c, int all)
{
    OVERLAY(cond_s, c);
    GOCC_RACE_RELEASE(c);
    gocc_lock_acquire(&s->lk);
    gocc_waiter *wake = NULL, *w;
    while ((w = gocc_waitq_get(&s->q)) != NULL) {
        w->success = 1;
        w->next = wake;
        wake = w;
        if (!all)
            break;
    }
    gocc_lock_release(&s->lk);
    wake_chain(wake);
}

void sync_cond_signal(sync_cond *c) { cond_wake(c, 0); }
void sync_cond_broadcast(sync_cond *c) { cond_wake(c, 1); }
