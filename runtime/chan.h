/*
 * chan.h - channels and select, internal interface (runtime only).
 *
 * A waiting goroutine is represented by a gocc_waiter (wait.h) on its own
 * stack, linked into a channel's send or receive queue (elem: the value to
 * send, or the receive destination; success: a value moved, false when woken
 * by close). A blocking send or receive has one record in its waitset; a
 * blocked select has one per non-nil case, sharing one waitset, whose claim
 * makes exactly one of them win (see wait.h).
 */
#ifndef GOCC_CHAN_H
#define GOCC_CHAN_H

#include <string.h>

#include "sched.h"
#include "wait.h"

/*
 * The channel. Everything below `lock` is guarded by it, except that `count`
 * is also read without the lock by len() (a racy snapshot, as in Go).
 */
struct gocc_chan {
    gocc_lock lock;              /* first word; never rewritten after the slot is carved (chanmem.c) */
    unsigned magic;              /* GOCC_CHAN_LIVE, or GOCC_CHAN_FREED once freed */
    _Bool closed;
    _Bool heapbuf;               /* buf was malloc'd (too big for a slot) */
    unsigned char cls;           /* the slot's size class (chanmem.c) */
    gocc_size elemsize;
    gocc_size cap;               /* buffer slots; 0: unbuffered */
    gocc_size count;             /* queued elements, 0..cap */
    gocc_size sendx, recvx;      /* ring indexes, 0..cap-1 */
    gocc_waitq recvq, sendq;     /* waiting receivers and senders */
    unsigned char *buf;          /* cap * elemsize bytes, in the channel's slot unless heapbuf */
    unsigned char *ext;          /* extra bytes asked of gocc_chan_make_ext (a time channel's timer) */
    gocc_timer *timer;           /* a time channel's timer: free stops it */
    struct gocc_chan *freenext;  /* pool link while freed */
};

#define GOCC_CHAN_LIVE 0x6e616863u   /* "chan" */
#define GOCC_CHAN_FREED 0x65657266u  /* "free" */

/* chanmem.c. A channel with `extra` bytes (16-aligned, at c->ext) in its slot. */
struct gocc_chan *gocc_chan_make_ext(gocc_size elemsize, long long cap, gocc_size extra, const gocc_site *site);
_Bool gocc_chan_is_arena(const void *p);
__attribute__((noreturn, cold)) void gocc_chan_badchan(const struct gocc_chan *c, const gocc_site *site);
/* First thing every operation on a non-nil channel does: a freed (poisoned) channel panics
 * "use of freed channel" at the operation's .gc line. One load of the lock's cache line. */
#define GOCC_CHAN_CHECK(c, site) \
    do { if (__builtin_expect(__atomic_load_n(&(c)->magic, __ATOMIC_RELAXED) != GOCC_CHAN_LIVE, 0)) \
             gocc_chan_badchan((c), (site)); } while (0)

/* Non-blocking send, for contexts that must not block (timer callbacks).
 * True if the value was handed to a receiver or buffered; false if the
 * channel is full, nil or closed (no panic). */
_Bool gocc_chan_trysend(struct gocc_chan *c, const void *elem);

/* Helpers shared by chan.c and select.c. All: c locked (c->lock held), and
 * they leave it locked; the waiter they complete must be woken by the caller
 * after unlocking (gocc_wait_wake). */
/* Send elem to receiver r, just claimed from c->recvq. */
void gocc_chan_send_to(struct gocc_chan *c, gocc_waiter *r, const void *elem);
/* Receive into elem (may be NULL) from sender s, just claimed from c->sendq. */
void gocc_chan_recv_from(struct gocc_chan *c, gocc_waiter *s, void *elem);
/* A record's dequeue (wait.h) for a waiter in c->sendq / c->recvq, c = w->obj; c not locked. */
void gocc_chan_dequeue_send(gocc_waiter *w);
void gocc_chan_dequeue_recv(gocc_waiter *w);

/* ThreadSanitizer happens-before edges; compiled out unless GOCC_RACE. */
#if defined(GOCC_RACE) && GOCC_RACE
#define GOCC_RACE_RELEASE(a) gocc_race_release(a)
#define GOCC_RACE_ACQUIRE(a) gocc_race_acquire(a)
#else
#define GOCC_RACE_RELEASE(a) ((void)0)
#define GOCC_RACE_ACQUIRE(a) ((void)0)
#endif

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

#endif /* GOCC_CHAN_H */
