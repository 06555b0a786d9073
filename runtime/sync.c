/*
 * sync.c - Mutex, RWMutex, WaitGroup, Once, Cond. They park the goroutine
 * (a plain thread blocks instead, through gocc_sched_park), never spin long.
 *
 * Each type overlays a private struct on the opaque state words of gocc.h;
 * all-zero is the ready state. Waiters are records on the waiting goroutine's
 * stack, linked into a FIFO that the object's gocc_lock guards; a waker
 * unlinks a record and marks it under that lock and readies the goroutine
 * after releasing it (the record is not touched after the release).
 */
#include <stddef.h>
#include <stdint.h>

#include "chan.h" /* GOCC_RACE_* */
#include "sched.h"

typedef struct waiter {
    gocc_g *g;
    struct waiter *next;
    gocc_int64 since;    /* mutex: when it first queued (starvation check) */
    int granted;         /* the waker handed the object over to this waiter */
    int parked;          /* cond: the waiter is (about to be) parked */
} waiter;

typedef struct waitq {
    waiter *head, *tail;
} waitq;

static void q_push(waitq *q, waiter *w)
{
    w->next = NULL;
    if (q->tail)
        q->tail->next = w;
    else
        q->head = w;
    q->tail = w;
}

static void q_push_front(waitq *q, waiter *w)
{
    w->next = q->head;
    q->head = w;
    if (!q->tail)
        q->tail = w;
}

static waiter *q_pop(waitq *q)
{
    waiter *w = q->head;
    if (w) {
        q->head = w->next;
        if (!q->head)
            q->tail = NULL;
    }
    return w;
}

/* unlockf for parking on an object's lk (see GOCC_PARK). */
static void unlock_lk(void *l)
{
    GOCC_RACE_ACQUIRE(l);
    gocc_lock_release(l);
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
    waitq q;
} mutex_s;

static void mutex_lock_slow(mutex_s *s)
{
    gocc_int64 since = 0;
    for (;;) {
        /* Spin with exponential backoff (63 pauses at most): a spinner that
         * backs off lets the holder's thread take the lock again without a
         * cache-line fight, which doubled throughput under contention. */
        for (int spin = 0, delay = 1; spin < 6; spin++, delay *= 2) {
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
        waiter w = {.g = gocc_sched_self(), .since = since ? since : gocc_sched_nanotime()};
        /* A waiter that was woken and lost goes back to the front. */
        if (since)
            q_push_front(&s->q, &w);
        else
            q_push(&s->q, &w);
        since = w.since;
        GOCC_PARK(unlock_lk, &s->lk, "sync.Mutex.Lock", NULL);
        GOCC_RACE_ACQUIRE(&w);
        if (w.granted) {
            return;
        }
    }
}

static void mutex_lock(mutex_s *s)
{
    int v = 0;
    if (!__atomic_compare_exchange_n(&s->state, &v, LOCKED, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        mutex_lock_slow(s);
}

static void mutex_unlock(mutex_s *s, const char *misuse)
{
    int v = LOCKED;
    if (__atomic_compare_exchange_n(&s->state, &v, 0, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        return;
    if (!(v & LOCKED))
        gocc_panic(misuse, NULL);
    gocc_lock_acquire(&s->lk);
    waiter *w = q_pop(&s->q);
    int clear = s->q.head ? 0 : WAITERS;
    if (w && gocc_sched_nanotime() - w->since > STARVE_NS) {
        w->granted = 1; /* ownership passes; LOCKED stays set */
        if (clear)
            __atomic_fetch_and(&s->state, ~clear, __ATOMIC_RELEASE);
    } else {
        __atomic_fetch_and(&s->state, ~(LOCKED | clear), __ATOMIC_RELEASE);
    }
    gocc_lock_release(&s->lk);
    if (w) {
        gocc_g *g = w->g;
        GOCC_RACE_RELEASE(w);
        gocc_sched_ready(g);
    }
}

void sync_mutex_lock(sync_mutex *m)
{
    OVERLAY(mutex_s, m);
    mutex_lock(s);
    GOCC_RACE_ACQUIRE(m);
}

_Bool sync_mutex_trylock(sync_mutex *m)
{
    OVERLAY(mutex_s, m);
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
    waitq rq, wq;
} rwmutex_s;

void sync_rwmutex_rlock(sync_rwmutex *m)
{
    OVERLAY(rwmutex_s, m);
    gocc_lock_acquire(&s->lk);
    if (!s->writer && !s->wwait) {
        s->readers++;
        gocc_lock_release(&s->lk);
    } else {
        waiter w = {.g = gocc_sched_self()};
        q_push(&s->rq, &w);
        GOCC_PARK(unlock_lk, &s->lk, "sync.RWMutex.RLock", NULL);
        GOCC_RACE_ACQUIRE(&w);
    }
    GOCC_RACE_ACQUIRE(&s->writer);
}

void sync_rwmutex_runlock(sync_rwmutex *m)
{
    OVERLAY(rwmutex_s, m);
    GOCC_RACE_RELEASE(&s->readers);
    gocc_lock_acquire(&s->lk);
    if (s->readers <= 0) {
        gocc_lock_release(&s->lk);
        gocc_panic("sync: RUnlock of unlocked RWMutex", NULL);
    }
    waiter *w = NULL;
    if (--s->readers == 0 && (w = q_pop(&s->wq)) != NULL) {
        s->wwait--;
        s->writer = 1;
    }
    gocc_lock_release(&s->lk);
    if (w) {
        gocc_g *g = w->g;
        GOCC_RACE_RELEASE(w);
        gocc_sched_ready(g);
    }
}

void sync_rwmutex_lock(sync_rwmutex *m)
{
    OVERLAY(rwmutex_s, m);
    gocc_lock_acquire(&s->lk);
    if (!s->writer && !s->readers) {
        s->writer = 1;
        gocc_lock_release(&s->lk);
    } else {
        waiter w = {.g = gocc_sched_self()};
        s->wwait++;
        q_push(&s->wq, &w);
        GOCC_PARK(unlock_lk, &s->lk, "sync.RWMutex.Lock", NULL);
        GOCC_RACE_ACQUIRE(&w);
    }
    GOCC_RACE_ACQUIRE(&s->writer);
    GOCC_RACE_ACQUIRE(&s->readers);
}

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
    waiter *wake;
    if (s->rq.head) {
        /* Grant every queued reader; count them before releasing lk. */
        wake = s->rq.head;
        for (waiter *w = wake; w; w = w->next)
            s->readers++;
        s->rq.head = s->rq.tail = NULL;
    } else if ((wake = q_pop(&s->wq)) != NULL) {
        s->wwait--;
        s->writer = 1;
        wake->next = NULL;
    }
    gocc_lock_release(&s->lk);
    while (wake) {
        waiter *w = wake;
        wake = w->next; /* read before ready: w's stack may resume */
        gocc_g *g = w->g;
        GOCC_RACE_RELEASE(w);
        gocc_sched_ready(g);
    }
}

/* ---- WaitGroup ---- all under lk. */
typedef struct waitgroup_s {
    gocc_lock lk;
    long long n;
    waitq q;
} waitgroup_s;

void sync_waitgroup_add(sync_waitgroup *wg, int delta)
{
    OVERLAY(waitgroup_s, wg);
    if (delta < 0)
        GOCC_RACE_RELEASE(wg);
    gocc_lock_acquire(&s->lk);
    s->n += delta;
    if (s->n < 0) {
        gocc_lock_release(&s->lk);
        gocc_panic("sync: negative WaitGroup counter", NULL);
    }
    waiter *wake = NULL;
    if (s->n == 0) {
        wake = s->q.head;
        s->q.head = s->q.tail = NULL;
    }
    gocc_lock_release(&s->lk);
    while (wake) {
        waiter *w = wake;
        wake = w->next;
        gocc_g *g = w->g;
        GOCC_RACE_RELEASE(w);
        gocc_sched_ready(g);
    }
}

void sync_waitgroup_done(sync_waitgroup *wg) { sync_waitgroup_add(wg, -1); }

void sync_waitgroup_wait(sync_waitgroup *wg)
{
    OVERLAY(waitgroup_s, wg);
    gocc_lock_acquire(&s->lk);
    if (s->n == 0) {
        gocc_lock_release(&s->lk);
    } else {
        waiter w = {.g = gocc_sched_self()};
        q_push(&s->q, &w);
        GOCC_PARK(unlock_lk, &s->lk, "sync.WaitGroup.Wait", NULL);
        GOCC_RACE_ACQUIRE(&w);
    }
    GOCC_RACE_ACQUIRE(wg);
}

/* ---- Once ----
 * done is set (release) after f returns, under m; the fast path reads it
 * with acquire, so f's effects are visible to every caller that returns. */
typedef struct once_s {
    int done;
    mutex_s m;
} once_s;

void sync_once_do(sync_once *o, void (*f)(void))
{
    _Static_assert(sizeof(once_s) <= sizeof o->gocc__state, "once fits");
    once_s *s = (once_s *)(void *)o->gocc__state;
    if (__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
        GOCC_RACE_ACQUIRE(o);
        return;
    }
    mutex_lock(&s->m);
    if (!s->done) {
        f();
        GOCC_RACE_RELEASE(o);
        __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
    }
    mutex_unlock(&s->m, "sync: unlock of unlocked mutex");
}

/* ---- Cond ----
 * wait queues a record under lk, releases l, then parks unless a signal
 * already took the record (signaled is set under lk, so checking it under lk
 * before parking cannot miss one). parked tells the signaler whether there
 * is a goroutine to ready. */
typedef struct cond_s {
    gocc_lock lk;
    waitq q;
} cond_s;

void sync_cond_init(sync_cond *c, sync_mutex *l)
{
    *c = (sync_cond){.l = l};
}

void sync_cond_wait(sync_cond *c)
{
    OVERLAY(cond_s, c);
    waiter w = {.g = gocc_sched_self()};
    gocc_lock_acquire(&s->lk);
    q_push(&s->q, &w);
    gocc_lock_release(&s->lk);
    sync_mutex_unlock(c->l);
    gocc_lock_acquire(&s->lk);
    if (w.granted) {
        gocc_lock_release(&s->lk);
    } else {
        w.parked = 1;
        GOCC_PARK(unlock_lk, &s->lk, "sync.Cond.Wait", NULL);
        GOCC_RACE_ACQUIRE(&w);
    }
    GOCC_RACE_ACQUIRE(c);
    sync_mutex_lock(c->l);
}

static void cond_wake(sync_cond *c, int all)
{
    OVERLAY(cond_s, c);
    GOCC_RACE_RELEASE(c);
    gocc_lock_acquire(&s->lk);
    waiter *wake = NULL, *w;
    while ((w = q_pop(&s->q)) != NULL) {
        w->granted = 1;
        if (w->parked) {
            w->next = wake;
            wake = w;
        }
        if (!all)
            break;
    }
    gocc_lock_release(&s->lk);
    while (wake) {
        w = wake;
        wake = w->next;
        gocc_g *g = w->g;
        GOCC_RACE_RELEASE(w);
        gocc_sched_ready(g);
    }
}

void sync_cond_signal(sync_cond *c) { cond_wake(c, 0); }
void sync_cond_broadcast(sync_cond *c) { cond_wake(c, 1); }
