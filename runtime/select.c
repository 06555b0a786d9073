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
 *   - Pass 1, all locks held: the first ready case in poll order proceeds.
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

typedef struct selstate {
    gocc_select_case *cases;
    int *lockorder;  /* indexes of non-nil cases, by channel address */
    int nlock;
} selstate;

static void sellock(const selstate *s)
{
    gocc_chan *prev = NULL;
    for (int k = 0; k < s->nlock; k++) {
        gocc_chan *c = s->cases[s->lockorder[k]].chan;
        if (c != prev)
            gocc_lock_acquire(&c->lock);
        prev = c;
    }
}

/* Releases in reverse address order, the lowest lock last, and does not
 * touch *s after that last release: once the select's goroutine is readied
 * it may run elsewhere, but its pass 3 must take the lowest lock first, so
 * our reads of its stack finish before it can return and reuse the frame. */
static void selunlock(void *arg)
{
    const selstate *s = arg;
    GOCC_RACE_ACQUIRE(s); /* as unlockf: see gocc_wait_park */
    for (int k = s->nlock - 1; k >= 0; k--) {
        gocc_chan *c = s->cases[s->lockorder[k]].chan;
        if (k > 0 && c == s->cases[s->lockorder[k - 1]].chan)
            continue; /* released at k - 1 */
        gocc_lock_release(&c->lock);
    }
}

static void sort_by_chan(const gocc_select_case *cases, int *a, int n)
{
#define KEY(k) ((gocc_size)cases[a[k]].chan)
    if (n <= 16) { /* insertion sort: the usual select has a handful of cases */
        for (int i = 1; i < n; i++) {
            int v = a[i], j = i;
            gocc_size key = (gocc_size)cases[v].chan;
            for (; j > 0 && KEY(j - 1) > key; j--)
                a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    /* Heapsort: O(n log n) with no allocation. */
    for (int start = n / 2 - 1, end = n;;) {
        int root;
        if (start >= 0) {
            root = start--;
        } else {
            if (--end <= 0)
                break;
            int t = a[0]; a[0] = a[end]; a[end] = t;
            root = 0;
        }
        for (int child; (child = 2 * root + 1) < end; root = child) {
            if (child + 1 < end && KEY(child + 1) > KEY(child))
                child++;
            if (KEY(root) >= KEY(child))
                break;
            int t = a[root]; a[root] = a[child]; a[child] = t;
        }
    }
#undef KEY
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
static int looks_ready(const gocc_select_case *cs)
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

    int small_poll[SMALL], small_lock[SMALL];
    gocc_waiter small_sg[SMALL];
    int *poll = small_poll, *lockorder = small_lock;
    gocc_waiter *sg = small_sg;
    void *heap = NULL;
    if (ncases > SMALL) {
        heap = malloc((gocc_size)ncases * (2 * sizeof(int) + sizeof(gocc_waiter)));
        if (!heap)
            gocc_panic("select: out of memory", site);
        sg = heap;
        poll = (int *)(sg + ncases);
        lockorder = poll + ncases;
    }

    /* Random poll order over the non-nil cases (inside-out Fisher-Yates).
     * One call for the seed; each step draws from a xorshift of it and
     * scales by multiply-high (uniform enough for n << 2^32). */
    int n = 0;
    unsigned x = gocc_sched_rand() | 1;
    for (int i = 0; i < ncases; i++) {
        if (!cases[i].chan)
            continue;
        GOCC_CHAN_CHECK(cases[i].chan, site);
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        int j = (int)(((unsigned long long)x * (unsigned)(n + 1)) >> 32);
        poll[n] = poll[j];
        poll[j] = i;
        n++;
    }
    if (n == 0) {
        free(heap);
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
            free(heap);
            return i;
        }
        break;
    }

    /* Lock order from source order, not poll order: channels made one after
     * another usually sit in address order already, so the sort has nothing
     * to move and its branches predict. */
    for (int i = 0, k = 0; i < ncases; i++)
        if (cases[i].chan)
            lockorder[k++] = i;
    sort_by_chan(cases, lockorder, n);
    selstate st = {cases, lockorder, n};

    /* Pass 1: all locks held, a case that can proceed now. */
    sellock(&st);
    for (int k = 0; k < n; k++) {
        int i = poll[k];
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
        free(heap);
        return chosen;
    }

    if (deadline && gocc_sched_nanotime() >= deadline) {
        selunlock(&st);
        free(heap);
        return GOCC_SELECT_TIMEOUT;
    }

    /* Pass 2: queue on every channel, in poll order, and park. The set lists no records: pass 3
     * unlinks them, whoever won, under all the locks (lowest first, see selunlock). */
    gocc_waitset set = {.deadline = deadline};
    gocc_g *self = gocc_sched_self();
    for (int k = 0; k < n; k++) {
        int i = poll[k];
        gocc_waiter *w = &sg[k];
        *w = (gocc_waiter){.g = self, .set = &set, .elem = cases[i].elem, .obj = cases[i].chan, .caseidx = i};
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
        free(heap);
        return GOCC_SELECT_TIMEOUT;
    }
    GOCC_RACE_ACQUIRE(win);
    chosen = win->caseidx;
    _Bool success = win->success;
    free(heap);
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
