/*
 * chan.h - channels and select, internal interface (runtime only).
 *
 * A waiting goroutine is represented by a waiter record (gocc_sudog) on its
 * own stack, linked into a channel's send or receive queue. A blocking send or
 * receive has one record; a blocked select has one per non-nil case, all
 * pointing at one gocc_selwait, whose `done` word makes exactly one of them
 * win: whoever flips done from 0 to 1 (under the lock of the channel that
 * fired) completes that case; every other party that finds one of the select's
 * records in a queue drops it.
 */
#ifndef GOCC_CHAN_H
#define GOCC_CHAN_H

#include <string.h>

#include "sched.h"

typedef struct gocc_selwait {
    int done;                    /* 0 until one case wins; flipped by CAS */
    struct gocc_sudog *winner;   /* set by the winning waker before ready */
} gocc_selwait;

typedef struct gocc_sudog {
    gocc_g *g;
    void *elem;                  /* send: the value; receive: destination or NULL */
    struct gocc_sudog *next, *prev;  /* queue links; valid while queued */
    struct gocc_chan *c;
    gocc_selwait *sel;           /* NULL for a plain send or receive */
    int caseidx;                 /* select case index */
    _Bool queued;                /* linked into c's send or receive queue */
    _Bool success;               /* true: a value moved; false: woken by close */
} gocc_sudog;

typedef struct gocc_waitq {
    gocc_sudog *first, *last;
} gocc_waitq;

/*
 * The channel. Everything below `lock` is guarded by it, except that `count`
 * is also read without the lock by len() (a racy snapshot, as in Go).
 */
struct gocc_chan {
    gocc_lock lock;
    _Bool closed;
    gocc_size elemsize;
    gocc_size cap;               /* buffer slots; 0: unbuffered */
    gocc_size count;             /* queued elements, 0..cap */
    gocc_size sendx, recvx;      /* ring indexes, 0..cap-1 */
    gocc_waitq recvq, sendq;     /* waiting receivers and senders */
    unsigned char *buf;          /* cap * elemsize bytes, allocated with the channel */
};

/* Non-blocking send, for contexts that must not block (timer callbacks).
 * True if the value was handed to a receiver or buffered; false if the
 * channel is full, nil or closed (no panic). */
_Bool gocc_chan_trysend(struct gocc_chan *c, const void *elem);

/* Helpers shared by chan.c and select.c. All: c locked (c->lock held), and
 * they leave it locked; a goroutine they return must be readied by the caller
 * after unlocking. */
gocc_sudog *gocc_chan_waitq_get(gocc_waitq *q);          /* first live waiter, claimed */
/* Send elem to receiver r, just taken from c->recvq. */
void gocc_chan_send_to(struct gocc_chan *c, gocc_sudog *r, const void *elem);
/* Receive into elem (may be NULL) from sender s, just taken from c->sendq. */
void gocc_chan_recv_from(struct gocc_chan *c, gocc_sudog *s, void *elem);

/* ThreadSanitizer happens-before edges; compiled out unless GOCC_RACE. */
#if defined(GOCC_RACE) && GOCC_RACE
#define GOCC_RACE_RELEASE(a) gocc_race_release(a)
#define GOCC_RACE_ACQUIRE(a) gocc_race_acquire(a)
#else
#define GOCC_RACE_RELEASE(a) ((void)0)
#define GOCC_RACE_ACQUIRE(a) ((void)0)
#endif

static inline void gocc_chan_waitq_put(gocc_waitq *q, gocc_sudog *s)
{
    s->next = NULL;
    s->prev = q->last;
    if (q->last)
        q->last->next = s;
    else
        q->first = s;
    q->last = s;
    s->queued = 1;
}

/* No-op unless s->queued. */
static inline void gocc_chan_waitq_remove(gocc_waitq *q, gocc_sudog *s)
{
    if (!s->queued)
        return;
    if (s->prev)
        s->prev->next = s->next;
    else
        q->first = s->next;
    if (s->next)
        s->next->prev = s->prev;
    else
        q->last = s->prev;
    s->next = s->prev = NULL;
    s->queued = 0;
}

#if defined(GOCC_RACE) && GOCC_RACE
/* Race builds: the runtime is not instrumented, but TSan intercepts memcpy and memset wherever they are
 * called from, and would count the runtime's copies as accesses of whichever goroutine runs them (the
 * closer zeroing a parked receiver's variable would race with that receiver's earlier reads). Goroutine
 * memory the runtime touches is ordered by the GOCC_RACE_* edges alone, so copy with plain loops, which
 * TSan cannot see; the empty asm keeps the compiler from turning them back into calls. */
static inline void gocc_chan_rawcopy(void *dst, const void *src, gocc_size n)
{
    char *d = dst;
    const char *s = src;
    for (gocc_size i = 0; i < n; i++) {
        d[i] = s[i];
        __asm__ volatile("" ::: "memory");
    }
}
static inline void gocc_chan_zero(void *dst, gocc_size n)
{
    char *d = dst;
    for (gocc_size i = 0; i < n; i++) {
        d[i] = 0;
        __asm__ volatile("" ::: "memory");
    }
}
#else
#define gocc_chan_rawcopy(dst, src, n) memcpy((dst), (src), (n))
#define gocc_chan_zero(dst, n) memset((dst), 0, (n))
#endif

/* Copies one element; the common sizes without a call. */
static inline void gocc_chan_copy(void *dst, const void *src, gocc_size n)
{
    switch (n) {
    case 8: __builtin_memcpy(dst, src, 8); break;
    case 4: __builtin_memcpy(dst, src, 4); break;
    case 16: __builtin_memcpy(dst, src, 16); break;
    case 1: __builtin_memcpy(dst, src, 1); break;
    case 2: __builtin_memcpy(dst, src, 2); break;
    case 0: break;
    default: gocc_chan_rawcopy(dst, src, n);
    }
}

/* c locked, c->count < c->cap. */
static inline void gocc_chan_buf_put(struct gocc_chan *c, const void *elem)
{
    unsigned char *slot = c->buf + c->sendx * c->elemsize;
    GOCC_RACE_ACQUIRE(slot);
    GOCC_RACE_RELEASE(slot);
    gocc_chan_copy(slot, elem, c->elemsize);
    if (++c->sendx == c->cap)
        c->sendx = 0;
    __atomic_store_n(&c->count, c->count + 1, __ATOMIC_RELAXED);
}

/* c locked, c->count > 0. elem may be NULL. No need to clear the slot:
 * there is no collector to keep the old value alive for. */
static inline void gocc_chan_buf_get(struct gocc_chan *c, void *elem)
{
    unsigned char *slot = c->buf + c->recvx * c->elemsize;
    GOCC_RACE_ACQUIRE(slot);
    GOCC_RACE_RELEASE(slot);
    if (elem)
        gocc_chan_copy(elem, slot, c->elemsize);
    if (++c->recvx == c->cap)
        c->recvx = 0;
    __atomic_store_n(&c->count, c->count - 1, __ATOMIC_RELAXED);
}

/* Parks with unlockf(arg). unlockf runs on the scheduler's own context,
 * which TSan sees as another fiber with no edge from the goroutine (switches
 * carry none), so the goroutine releases arg first and every unlockf of the
 * runtime starts with GOCC_RACE_ACQUIRE(arg): the writes made under the lock
 * are then ordered before its release, and before whoever takes it next. */
#define GOCC_PARK(unlockf, arg, reason, site) \
    do { GOCC_RACE_RELEASE(arg); gocc_sched_park((unlockf), (arg), (reason), (site)); } while (0)

#endif /* GOCC_CHAN_H */
