/*
 * select.c - Go's select over channels.
 *
 * Invariants and protocol:
 *   - The generated code has evaluated every operand once; a case with a nil
 *     channel never proceeds and takes no lock.
 *   - Cases are polled in a random permutation (uniform choice among ready
 *     cases) and their channels locked in address order, each channel once
 *     even if it appears in several cases, so two selects never deadlock on
 *     each other or on a plain operation (which takes one lock).
 *   - Pass 0, no lock held: the first case in poll order that looks ready in
 *     a lock-free snapshot is tried under its own lock; if it proceeds, that
 *     is the select's case (it was ready at the instant it was read, and the
 *     poll order is random).
 *   - Pass 1, all locks held (each channel once, from an array of the
 *     channels sorted by address): the first ready case in poll order
 *     proceeds; a case that is not ready is told by looks_ready inline.
 *     (Trying the cases one lock at a time first was measured on the fan-in
 *     benchmark: no faster, and more work when the select must block.)
 *   - Otherwise, with a default, return -1; past the deadline (if any),
 *     GOCC_SELECT_TIMEOUT. Else pass 2 queues one waiter record per case (on
 *     this stack), all sharing one gocc_waitset, in poll order, and parks
 *     (gocc_wait_park); the scheduler releases the locks once we are off the
 *     stack. A waker claims the set under the lock of the channel that fired
 *     (wait.h), does that case's transfer and wakes us: exactly one case fires
 *     even when several channels fire at once (the losers find done set and
 *     drop our record), and the deadline is one more claimant. Queuing in
 *     poll order makes the choice among several cases on one channel uniform
 *     (the channel's waker takes the first of them in its queue).
 *   - Pass 3, after waking, whoever won: relock all, unlink the records still
 *     queued, unlock. Nothing else touches them once they are unlinked.
 */
#include <stdlib.h>
#include <string.h>

#include "chan.h"

typedef struct gocc_chan gocc_chan;

enum { SMALL = 16 };

/* The select's channels, each once, in address order: what passes 1 to 3 lock. A plain array of
 * channels, not indexes of cases, so that locking and unlocking (twice per blocking select) is one load
 * per lock (selectfanin at GOMAXPROCS=1 under callgrind: sellock and selunlock were 100 of the 985
 * instructions per item). */
typedef struct selstate {
    gocc_chan **locks;
    int nlock;
} selstate;

static void sellock(const selstate *s)
{
    for (int k = 0; k < s->nlock; k++)
        gocc_lock_acquire(&s->locks[k]->lock);
}

/* Releases in reverse address order, the lowest lock last, and does not
 * touch *s after that last release: once the select's goroutine is readied
 * it may run elsewhere, but its pass 3 must take the lowest lock first, so
 * our reads of its stack finish before it can return and reuse the frame. */
static void selunlock(void *arg)
{
    const selstate *s = arg;
    GOCC_RACE_ACQUIRE(s); /* as unlockf: see gocc_wait_park */
    gocc_chan **locks = s->locks;
    for (int k = s->nlock - 1; k >= 0; k--)
        gocc_lock_release(&locks[k]->lock);
}

/* Sorts a[0..n) by address and drops repeats; returns the number left. */
static int sort_chans(gocc_chan **a, int n)
{
#define KEY(k) ((gocc_size)a[k])
    if (n <= 16) { /* insertion sort: the usual select has a handful of cases */
        for (int i = 1; i < n; i++) {
            gocc_chan *v = a[i];
            int j = i;
            for (; j > 0 && KEY(j - 1) > (gocc_size)v; j--)
                a[j] = a[j - 1];
            a[j] = v;
        }
        goto dedup;
    }
    /* Heapsort: O(n log n) with no allocation. */
    for (int start = n / 2 - 1, end = n;;) {
        int root;
        if (start >= 0) {
            root = start--;
        } else {
            if (--end <= 0)
                break;
            gocc_chan *t = a[0]; a[0] = a[end]; a[end] = t;
            root = 0;
        }
        for (int child; (child = 2 * root + 1) < end; root = child) {
            if (child + 1 < end && KEY(child + 1) > KEY(child))
                child++;
            if (KEY(root) >= KEY(child))
                break;
            gocc_chan *t = a[root]; a[root] = a[child]; a[child] = t;
        }
    }
#undef KEY
dedup:;
    int m = n > 0;
    for (int i = 1; i < n; i++)
        if (a[i] != a[m - 1])
            a[m++] = a[i];
    return m;
}

/* The arrays of a select of more than SMALL cases; free(NULL) is a call the usual select need not make. */
static inline void selfree(void *heap)
{
    if (heap)
        free(heap);
}

enum { TRY_NOTREADY, TRY_DONE, TRY_CLOSED };

/* cs->chan locked (and left locked). Performs the case if it can proceed
 * now: TRY_DONE, with *wake set to a goroutine to ready after unlocking (or
 * left alone) and *recv_ok set for a receive. TRY_CLOSED: a send on a closed
 * channel (the caller panics). */
static int try_case(gocc_select_case *cs, _Bool *recv_ok, gocc_g **wake)
{
    gocc_chan *c = cs->chan;
    if (cs->is_send) {
        if (c->closed)
            return TRY_CLOSED;
        gocc_waiter *r = c->recvq.first ? gocc_waitq_get(&c->recvq) : NULL;
        if (r) {
            gocc_chan_send_to(c, r, cs->elem);
            *wake = r->g;
            GOCC_RACE_RELEASE(r);
        } else if (c->count < c->cap) {
            gocc_chan_buf_put(c, cs->elem);
        } else {
            return TRY_NOTREADY;
        }
        return TRY_DONE;
    }
    gocc_waiter *s = c->sendq.first ? gocc_waitq_get(&c->sendq) : NULL;
    _Bool ok = 1;
    if (s) {
        GOCC_RACE_ACQUIRE(s);
        gocc_chan_recv_from(c, s, cs->elem);
        *wake = s->g;
        GOCC_RACE_RELEASE(s);
    } else if (c->count > 0) {
        gocc_chan_buf_get(c, cs->elem);
    } else if (c->closed) {
        GOCC_RACE_ACQUIRE(c);
        if (cs->elem)
            gocc_chan_zero(cs->elem, c->elemsize);
        ok = 0;
    } else {
        return TRY_NOTREADY;
    }
    if (recv_ok)
        *recv_ok = ok;
    return TRY_DONE;
}

int gocc_select(gocc_select_case *cases, int ncases, _Bool has_default, _Bool *recv_ok,
                const gocc_site *site)
{
    return gocc_select_deadline(cases, ncases, has_default, recv_ok, 0, site);
}

/* Lock-free checks for a non-blocking operation that cannot proceed (Go's chan.go `full` and `empty`):
 * a snapshot without c->lock, exact at the instant of each load. The queue heads and counts are written
 * under the lock; reading them racily can only say "not ready" when that was true at that instant. */
static int nb_send_fails(gocc_chan *c)
{
    if (__atomic_load_n(&c->closed, __ATOMIC_RELAXED))
        return 0; /* the locked path panics */
    if (c->cap == 0)
        return !__atomic_load_n(&c->recvq.first, __ATOMIC_RELAXED);
    return __atomic_load_n(&c->count, __ATOMIC_RELAXED) == c->cap;
}

static int nb_recv_empty(gocc_chan *c)
{
    if (c->cap == 0)
        return !__atomic_load_n(&c->sendq.first, __ATOMIC_ACQUIRE);
    return __atomic_load_n(&c->count, __ATOMIC_ACQUIRE) == 0;
}

/* Whether case cs looks as if it could proceed, from a lock-free snapshot (each load exact at its
 * instant, possibly stale by the next): a receive with a waiting sender, a buffered element or a closed
 * channel; a send with a waiting receiver, room in the buffer or a closed channel (which panics on the
 * locked path). Only a hint: the case is tried under its lock before anything happens. */
static inline __attribute__((always_inline)) int looks_ready(const gocc_select_case *cs)
{
    gocc_chan *c = cs->chan;
    if (__atomic_load_n(&c->closed, __ATOMIC_RELAXED))
        return 1;
    if (cs->is_send)
        return __atomic_load_n(&c->recvq.first, __ATOMIC_RELAXED) ||
               __atomic_load_n(&c->count, __ATOMIC_RELAXED) < c->cap;
    return __atomic_load_n(&c->sendq.first, __ATOMIC_RELAXED) || __atomic_load_n(&c->count, __ATOMIC_RELAXED);
}

int gocc_select_deadline(gocc_select_case *cases, int ncases, _Bool has_default, _Bool *recv_ok,
                         gocc_int64 deadline, const gocc_site *site)
{
    /* One case and a default: a try-send or try-receive. When it cannot proceed, answer without taking
     * the lock, as Go's selectnbsend/selectnbrecv do. A receive must also see the channel open, and
     * then still empty (closing empties no queue, so empty-then-open means empty while open). Only for
     * one case: several channels checked one by one give no single instant at which none was ready. */
    if (has_default && ncases == 1 && cases[0].chan) {
        gocc_chan *c = cases[0].chan;
        GOCC_CHAN_CHECK(c, site);
        if (cases[0].is_send ? nb_send_fails(c)
                             : nb_recv_empty(c) && !__atomic_load_n(&c->closed, __ATOMIC_ACQUIRE) && nb_recv_empty(c))
            return -1;
    }

    int small_poll[SMALL];
    gocc_chan *small_locks[SMALL];
    gocc_waiter small_sg[SMALL];
    int *poll = small_poll;
    gocc_chan **locks = small_locks;
    gocc_waiter *sg = small_sg;
    void *heap = NULL;
    if (ncases > SMALL) {
        heap = malloc((gocc_size)ncases * (sizeof(gocc_waiter) + sizeof(gocc_chan *) + sizeof(int)));
        if (!heap)
            gocc_panic("select: out of memory", site);
        sg = heap;
        locks = (gocc_chan **)(sg + ncases);
        poll = (int *)(locks + ncases);
    }

    /* Random poll order over the non-nil cases (inside-out Fisher-Yates).
     * One call for the seed. Step n needs j uniform in 0..n: the high word of
     * x * (n + 1), where x is a uniform 32-bit fraction; the low word is what
     * is left of the fraction, uniform again, so one multiply per step reads
     * the digits of one random number in mixed radix. Eight steps use at
     * most 8! < 2^16 of its 2^32 values (bias below 2^-16); then x is drawn
     * afresh from a xorshift. (Before: a xorshift per step, ~25 more
     * instructions per 4-case select.) */
    int n = 0;
    unsigned s = gocc_sched_rand() | 1, x = s;
    for (int i = 0; i < ncases; i++) {
        if (!cases[i].chan)
            continue;
        GOCC_CHAN_CHECK(cases[i].chan, site);
        if (__builtin_expect((n & 7) == 7, 0)) {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            x = s;
        }
        unsigned long long t = (unsigned long long)x * (unsigned)(n + 1);
        int j = (int)(t >> 32);
        x = (unsigned)t;
        poll[n] = poll[j];
        poll[j] = i;
        n++;
    }
    if (n == 0) {
        selfree(heap);
        if (has_default)
            return -1;
        if (deadline) {
            gocc_wait_until(deadline, ncases ? "select" : "select (no cases)", site);
            return GOCC_SELECT_TIMEOUT;
        }
        for (;;)
            gocc_sched_park(NULL, NULL, ncases ? "select" : "select (no cases)", site);
    }
    int chosen = -1;
    gocc_g *wake = NULL;

    /* Pass 0: the first case in poll order that looks ready (looks_ready) is tried under its own lock
     * alone. When a select usually finds a partner waiting (a fan-in consumer: every producer is queued
     * on its channel), this takes one channel lock instead of all of them, whose cache lines the other
     * threads' senders keep taking back (perf, bench/selectfanin at GOMAXPROCS=2: sellock and selunlock
     * were 21 % of the samples). The choice stays uniform among the ready cases: the poll order is
     * random and the case was ready at the instant it was read. If the try fails (another thread took
     * the partner meanwhile), the locked passes decide as before. */
    for (int k = 0; k < n; k++) {
        int i = poll[k];
        if (!looks_ready(&cases[i]))
            continue;
        gocc_chan *c = cases[i].chan;
        gocc_lock_acquire(&c->lock);
        int r = try_case(&cases[i], recv_ok, &wake);
        gocc_lock_release(&c->lock);
        if (r == TRY_CLOSED)
            gocc_panic("send on closed channel", site);
        if (r == TRY_DONE) {
            if (wake)
                gocc_sched_ready(wake);
            selfree(heap);
            return i;
        }
        break;
    }

    /* Lock order from source order, not poll order: channels made one after
     * another usually sit in address order already, so the sort has nothing
     * to move and its branches predict. */
    for (int i = 0, k = 0; i < ncases; i++)
        if (cases[i].chan)
            locks[k++] = cases[i].chan;
    selstate st = {locks, sort_chans(locks, n)};

    /* Pass 1: all locks held, a case that can proceed now. */
    sellock(&st);
    for (int k = 0; k < n; k++) {
        int i = poll[k];
        /* The locks make looks_ready exact; the usual blocking select finds no case ready, and the check
         * inline is a third of try_case's cost. */
        if (!looks_ready(&cases[i]))
            continue;
        int r = try_case(&cases[i], recv_ok, &wake);
        if (r == TRY_CLOSED) {
            selunlock(&st);
            gocc_panic("send on closed channel", site);
        }
        if (r == TRY_DONE) {
            chosen = i;
            break;
        }
    }
    if (chosen >= 0 || has_default) {
        selunlock(&st);
        if (wake)
            gocc_sched_ready(wake);
        selfree(heap);
        return chosen;
    }

    if (deadline && gocc_sched_nanotime() >= deadline) {
        selunlock(&st);
        selfree(heap);
        return GOCC_SELECT_TIMEOUT;
    }

    /* Pass 2: queue on every channel, in poll order, and park. The set lists no records: pass 3
     * unlinks them, whoever won, under all the locks (lowest first, see selunlock). */
    gocc_waitset set = {.deadline = deadline};
    gocc_g *self = gocc_sched_self();
    for (int k = 0; k < n; k++) {
        int i = poll[k];
        gocc_waiter *w = &sg[k];
        /* Only what a waker or pass 3 reads: gocc_waitq_put sets the links and queued, and the set lists
         * no records, so nothing calls dequeue; since is sync's. */
        w->g = self;
        w->set = &set;
        w->elem = cases[i].elem;
        w->obj = cases[i].chan;
        w->caseidx = i;
        w->success = 0;
        gocc_chan *c = cases[i].chan;
        gocc_waitq_put(cases[i].is_send ? &c->sendq : &c->recvq, w);
        /* Whoever completes this case acquires the record (as a plain send's or receive's): our
         * history so far must be in it. Runtime locks carry no edges. */
        GOCC_RACE_RELEASE(w);
    }
    gocc_waiter *win = gocc_wait_park(&set, selunlock, &st, "select", site);

    /* Pass 3: the winner was unlinked by its waker; unlink the rest. */
    sellock(&st);
    for (int k = 0; k < n; k++) {
        gocc_chan *c = sg[k].obj;
        if (&sg[k] != win)
            gocc_waitq_remove(cases[sg[k].caseidx].is_send ? &c->sendq : &c->recvq, &sg[k]);
    }
    selunlock(&st);
    if (!win) {
        selfree(heap);
        return GOCC_SELECT_TIMEOUT;
    }
    GOCC_RACE_ACQUIRE(win);
    chosen = win->caseidx;
    _Bool success = win->success;
    selfree(heap);
    if (cases[chosen].is_send) {
        if (!success)
            gocc_panic("send on closed channel", site);
    } else {
        GOCC_RACE_ACQUIRE(cases[chosen].chan);
        if (recv_ok)
            *recv_ok = success;
    }
    return chosen;
}
