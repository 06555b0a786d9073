/*
 * chan.c - channels.
 *
 * Invariants (c->lock held):
 *   - At least one of c->sendq and c->recvq holds no live waiter, except
 *     when one select waits both to send and to receive on the same
 *     unbuffered channel. (Records of selects already won elsewhere may
 *     linger until their owner or the next dequeue removes them.)
 *   - Buffered (cap > 0):
 *       count > 0 implies recvq holds no live waiter;
 *       count < cap implies sendq holds no live waiter.
 *   - Unbuffered (cap == 0): count == 0; a send waits in sendq until a
 *     receiver arrives, and the value goes straight from the sender's stack to
 *     the receiver's destination (no buffer), and back for a waiting receiver.
 *   - A waiter record in a queue belongs to a parked goroutine, or to one that
 *     holds the lock of this channel while it parks, so a waker that holds
 *     c->lock may read and write the record. A record is live only while its
 *     waitset's done is 0; the first waker to claim it (gocc_waitq_get) owns
 *     it, and a record whose set was won elsewhere (another select case, the
 *     deadline) is unlinked and skipped by whoever finds it.
 *   - closed only goes from false to true; after that sendq is empty and no
 *     new waiter is queued.
 * Wakers claim records under the lock and wake them after unlocking.
 * Memory (make, free, the pool, poisoning) is chanmem.c's; every operation
 * on a non-nil channel first checks that it is not freed (GOCC_CHAN_CHECK).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"

typedef struct gocc_chan gocc_chan;

/* Address TSan synchronises a transfer on: the slot for a buffered channel
 * (so the k-th receive orders before the (k+cap)-th send completes, as in
 * Go), the channel itself for an unbuffered one. */
#define SYNCADDR(c, i) ((c)->cap ? (const void *)((c)->buf + (i) * (c)->elemsize) : (const void *)(c))

/* unlockf for parking on c (see GOCC_PARK). */
static void chan_unlock(void *c)
{
    GOCC_RACE_ACQUIRE(c);
    gocc_lock_release(&((gocc_chan *)c)->lock);
}

long long gocc_chan_len(const gocc_chan *c)
{
    if (!c)
        return 0;
    GOCC_CHAN_CHECK(c, NULL);
    return (long long)__atomic_load_n(&c->count, __ATOMIC_RELAXED);
}

long long gocc_chan_cap(const gocc_chan *c)
{
    if (!c)
        return 0;
    GOCC_CHAN_CHECK(c, NULL);
    return (long long)c->cap;
}

/* ---- wait queues ---- */

void gocc_chan_dequeue_send(gocc_waiter *w)
{
    gocc_chan *c = w->obj;
    gocc_lock_acquire(&c->lock);
    gocc_waitq_remove(&c->sendq, w);
    gocc_lock_release(&c->lock);
}

void gocc_chan_dequeue_recv(gocc_waiter *w)
{
    gocc_chan *c = w->obj;
    gocc_lock_acquire(&c->lock);
    gocc_waitq_remove(&c->recvq, w);
    gocc_lock_release(&c->lock);
}

/* ---- transfers (c locked) ---- */

/* A receiver waits, so the buffer is empty: the value goes straight to it. Inline in chan.c's own
 * operations (the exported copies serve select.c). */
static inline __attribute__((always_inline)) void send_to(gocc_chan *c, gocc_waiter *r, const void *elem)
{
    /* Unbuffered: the receive is synchronized before the send completes. A plain receiver released
     * that through c (GOCC_PARK), a select through its record (pass 2). */
    if (c->cap == 0)
        GOCC_RACE_ACQUIRE(r);
    GOCC_RACE_ACQUIRE(SYNCADDR(c, c->recvx));
    GOCC_RACE_RELEASE(SYNCADDR(c, c->recvx));
    if (r->elem)
        gocc_chan_copy(r->elem, elem, c->elemsize);
    r->success = 1;
}

/* A sender waits. Unbuffered: copy straight from it. Buffered, so full: take
 * the head and put the sender's value in the slot freed at the tail (the ring
 * stays full; sendx follows recvx). */
static inline __attribute__((always_inline)) void recv_from(gocc_chan *c, gocc_waiter *s, void *elem)
{
    if (c->cap == 0) {
        GOCC_RACE_ACQUIRE(c);
        GOCC_RACE_RELEASE(c);
        if (elem)
            gocc_chan_copy(elem, s->elem, c->elemsize);
    } else {
        unsigned char *slot = c->buf + c->recvx * c->elemsize;
        GOCC_RACE_ACQUIRE(slot);
        GOCC_RACE_RELEASE(slot);
        if (elem)
            gocc_chan_copy(elem, slot, c->elemsize);
        gocc_chan_copy(slot, s->elem, c->elemsize);
        if (++c->recvx == c->cap)
            c->recvx = 0;
        c->sendx = c->recvx;
    }
    s->success = 1;
}

void gocc_chan_send_to(gocc_chan *c, gocc_waiter *r, const void *elem) { send_to(c, r, elem); }

void gocc_chan_recv_from(gocc_chan *c, gocc_waiter *s, void *elem) { recv_from(c, s, elem); }

/* ---- operations ---- */

static _Noreturn void block_forever(const char *reason, const gocc_site *site)
{
    for (;;)
        gocc_sched_park(NULL, NULL, reason, site);
}

/*
 * Blocking send and receive are split in two: the part that completes at once (a waiter to hand to, room
 * or a value in the buffer) is inlined into each entry point, and the part that waits is a function of its
 * own. The waiting part needs a waiter record, a waitset and most of the registers; the immediate part
 * needs few, so it no longer pays the frame of the whole (pingpong at GOMAXPROCS=1 under callgrind,
 * with the sched.c fast paths: 773 -> 727 instructions per round trip).
 */

static __attribute__((noinline, cold)) int nil_wait(gocc_int64 deadline, const char *reason, const gocc_site *site)
{
    if (deadline) {
        gocc_wait_until(deadline, reason, site);
        return 0;
    }
    block_forever(reason, site);
}

static __attribute__((noinline, cold, noreturn)) void send_closed(gocc_chan *c, const gocc_site *site)
{
    gocc_lock_release(&c->lock);
    gocc_panic("send on closed channel", site);
}

/* c locked; no receiver waits and there is no room: the sender waits. 1: sent; 0: the deadline passed. */
static __attribute__((noinline)) int send_wait(gocc_chan *c, const void *elem, gocc_int64 deadline,
                                               const gocc_site *site)
{
    if (deadline && gocc_sched_nanotime() >= deadline) {
        gocc_lock_release(&c->lock);
        return 0;
    }
    gocc_waitset set = {.deadline = deadline};
    gocc_waiter me = {.set = &set, .elem = (void *)elem, .obj = c, .dequeue = gocc_chan_dequeue_send};
    set.recs = &me;
    set.nrecs = 1;
    gocc_waitq_put(&c->sendq, &me);
    GOCC_RACE_RELEASE(&me);
    if (!gocc_wait_park_rec(&set, &me, chan_unlock, c, "chan send", site))
        return 0;
    /* The waker dequeued us and set success under c->lock before readying. */
    GOCC_RACE_ACQUIRE(&me);
    if (!me.success)
        gocc_panic("send on closed channel", site);
    return 1;
}

/* A send once c is locked: to a waiting receiver, into the buffer, or the wait. */
static inline __attribute__((always_inline)) int send_locked(gocc_chan *c, const void *elem, gocc_int64 deadline,
                                                             const gocc_site *site)
{
    if (__builtin_expect(c->closed, 0))
        send_closed(c, site);
    gocc_waiter *r = c->recvq.first ? gocc_waitq_get(&c->recvq) : NULL;
    if (r) {
        send_to(c, r, elem);
        gocc_g *g = r->g; /* r is the receiver's: not touched after the release */
        GOCC_RACE_RELEASE(r);
        gocc_lock_release(&c->lock);
        gocc_sched_ready(g);
        return 1;
    }
    if (c->count < c->cap) {
        gocc_chan_buf_put(c, elem);
        gocc_lock_release(&c->lock);
        return 1;
    }
    return send_wait(c, elem, deadline, site);
}

/* The send when c's lock is taken: wait for it, then as usual. Out of line, so that the uncontended
 * send makes no call of its own before the hand-off and saves fewer registers (with recv_contended:
 * pingpong 644 -> 628 instructions per round trip under callgrind). */
static __attribute__((noinline, unused)) int send_contended(gocc_chan *c, const void *elem,
                                                            gocc_int64 deadline, const gocc_site *site)
{
    (gocc_lock_acquire)(&c->lock);
    return send_locked(c, elem, deadline, site);
}

/* Blocking send; deadline 0: none. 1: sent; 0: the deadline passed first. */
static inline __attribute__((always_inline)) int chan_send(gocc_chan *c, const void *elem, gocc_int64 deadline,
                                                           const gocc_site *site)
{
    if (__builtin_expect(!c, 0))
        return nil_wait(deadline, "chan send (nil chan)", site);
    GOCC_CHAN_CHECK(c, site);
#ifdef GOCC_LOCK_CALLS_
    gocc_lock_acquire(&c->lock);
#else
    if (__builtin_expect(!gocc_lock_tryacquire_(&c->lock), 0))
        return send_contended(c, elem, deadline, site);
#endif
    return send_locked(c, elem, deadline, site);
}

void gocc_chan_send(gocc_chan *c, const void *elem, const gocc_site *site) { chan_send(c, elem, 0, site); }

int gocc_chan_send_deadline(gocc_chan *c, const void *elem, gocc_int64 deadline, const gocc_site *site)
{
    return chan_send(c, elem, deadline, site);
}

_Bool gocc_chan_trysend(gocc_chan *c, const void *elem)
{
    if (!c)
        return 0;
    gocc_lock_acquire(&c->lock);
    if (c->closed || c->magic != GOCC_CHAN_LIVE) { /* freed: a time channel's last tick, dropped */
        gocc_lock_release(&c->lock);
        return 0;
    }
    gocc_waiter *r = gocc_waitq_get(&c->recvq);
    if (r) {
        send_to(c, r, elem);
        gocc_g *g = r->g;
        GOCC_RACE_RELEASE(r);
        gocc_lock_release(&c->lock);
        gocc_sched_ready(g);
        return 1;
    }
    _Bool ok = c->count < c->cap;
    if (ok)
        gocc_chan_buf_put(c, elem);
    gocc_lock_release(&c->lock);
    return ok;
}

/* c locked; no sender waits and the buffer is empty. 1: done (*ok: a value, not close); 0: the deadline
 * passed first. Inlined into its two out-of-line callers below. */
static inline __attribute__((always_inline)) int recv_wait_body(gocc_chan *c, void *elem, _Bool *ok,
                                                               gocc_int64 deadline, const gocc_site *site)
{
    if (c->closed) {
        gocc_lock_release(&c->lock);
        GOCC_RACE_ACQUIRE(c);
        if (elem)
            gocc_chan_zero(elem, c->elemsize);
        *ok = 0;
        return 1;
    }
    if (deadline && gocc_sched_nanotime() >= deadline) {
        gocc_lock_release(&c->lock);
        return 0;
    }
    gocc_waitset set = {.deadline = deadline};
    gocc_waiter me = {.set = &set, .elem = elem, .obj = c, .dequeue = gocc_chan_dequeue_recv};
    set.recs = &me;
    set.nrecs = 1;
    gocc_waitq_put(&c->recvq, &me);
    if (!gocc_wait_park_rec(&set, &me, chan_unlock, c, "chan receive", site))
        return 0;
    GOCC_RACE_ACQUIRE(&me);
    GOCC_RACE_ACQUIRE(c);
    *ok = me.success;
    return 1;
}

static __attribute__((noinline)) int recv_wait(gocc_chan *c, void *elem, _Bool *ok, gocc_int64 deadline,
                                               const gocc_site *site)
{
    return recv_wait_body(c, elem, ok, deadline, site);
}

/* The same without a deadline, returning ok: gocc_chan_recv ends in a tail call to it. */
static __attribute__((noinline)) _Bool recv_park(gocc_chan *c, void *elem, const gocc_site *site)
{
    _Bool ok = 0;
    recv_wait_body(c, elem, &ok, 0, site);
    return ok;
}

/* The part of a receive that completes at once: a waiting sender, or a value in the buffer. c locked;
 * 1: received (c unlocked); 0: the receiver must wait (c still locked). */
static inline __attribute__((always_inline)) int recv_now(gocc_chan *c, void *elem)
{
    gocc_waiter *s = c->sendq.first ? gocc_waitq_get(&c->sendq) : NULL;
    if (s) {
        GOCC_RACE_ACQUIRE(s);
        recv_from(c, s, elem);
        gocc_g *g = s->g;
        GOCC_RACE_RELEASE(s);
        gocc_lock_release(&c->lock);
        gocc_sched_ready(g);
        return 1;
    }
    if (c->count > 0) {
        gocc_chan_buf_get(c, elem);
        gocc_lock_release(&c->lock);
        return 1;
    }
    return 0;
}

/* Blocking receive; deadline 0: none. 1: done (*ok: a value, not close); 0: the deadline passed first. */
static inline __attribute__((always_inline)) int chan_recv(gocc_chan *c, void *elem, _Bool *ok, gocc_int64 deadline,
                                                           const gocc_site *site)
{
    if (__builtin_expect(!c, 0)) {
        *ok = 0;
        return nil_wait(deadline, "chan receive (nil chan)", site);
    }
    GOCC_CHAN_CHECK(c, site);
    gocc_lock_acquire(&c->lock);
    if (recv_now(c, elem)) {
        *ok = 1;
        return 1;
    }
    return recv_wait(c, elem, ok, deadline, site);
}

/* gocc_chan_recv when c's lock is taken (see send_contended). */
static __attribute__((noinline, unused)) _Bool recv_contended(gocc_chan *c, void *elem, const gocc_site *site)
{
    (gocc_lock_acquire)(&c->lock);
    if (recv_now(c, elem))
        return 1;
    return recv_park(c, elem, site);
}

_Bool gocc_chan_recv(gocc_chan *c, void *elem, const gocc_site *site)
{
    if (__builtin_expect(!c, 0))
        return nil_wait(0, "chan receive (nil chan)", site);
    GOCC_CHAN_CHECK(c, site);
#ifdef GOCC_LOCK_CALLS_
    gocc_lock_acquire(&c->lock);
#else
    if (__builtin_expect(!gocc_lock_tryacquire_(&c->lock), 0))
        return recv_contended(c, elem, site);
#endif
    if (recv_now(c, elem))
        return 1;
    return recv_park(c, elem, site);
}

int gocc_chan_recv_deadline(gocc_chan *c, void *elem, _Bool *ok, gocc_int64 deadline, const gocc_site *site)
{
    _Bool dummy;
    return chan_recv(c, elem, ok ? ok : &dummy, deadline, site);
}

/* Wakes every waiter: receivers get the zero value and ok == false, senders
 * panic at their own site. */
void gocc_chan_close(gocc_chan *c, const gocc_site *site)
{
    if (!c)
        gocc_panic("close of nil channel", site);
    GOCC_CHAN_CHECK(c, site);
    gocc_lock_acquire(&c->lock);
    if (c->closed) {
        gocc_lock_release(&c->lock);
        gocc_panic("close of closed channel", site);
    }
    GOCC_RACE_RELEASE(c);
    c->closed = 1;
    /* Collect the claimed waiters through their (now unused) next links. */
    gocc_waiter *wake = NULL, *s;
    while ((s = gocc_waitq_get(&c->recvq)) != NULL) {
        if (s->elem)
            gocc_chan_zero(s->elem, c->elemsize);
        s->success = 0;
        s->next = wake;
        wake = s;
    }
    while ((s = gocc_waitq_get(&c->sendq)) != NULL) {
        s->success = 0;
        s->next = wake;
        wake = s;
    }
    gocc_lock_release(&c->lock);
    while (wake) {
        s = wake;
        /* Read before the release: s lives on a stack that resumes at ready. */
        wake = s->next;
        gocc_g *g = s->g;
        GOCC_RACE_RELEASE(s);
        gocc_sched_ready(g);
    }
}
