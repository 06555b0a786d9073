/*
 * gqueue.h - the global run queue's storage: a FIFO of goroutine pointers in
 * blocks (Go's global queue is a list through the g records).
 *
 * Why pointers and not a list through the records: the goroutines that reach
 * the global queue are mostly cold. bench/spawn's main goroutine creates
 * 50,000-100,000 goroutines in its time slice and its ring overflows into this
 * queue 129 at a time; when they are taken back, 128 at a time, a list through
 * the records is a chain of dependent cache misses (one per record) walked
 * under sched.lock, which the other thread spins on (perf at GOMAXPROCS=1:
 * globrunqget 22 % of the samples). Here a batch moves by copying pointers,
 * and a g record is first touched when its goroutine runs.
 *
 * Blocks, not a ring that doubles: the queue of bench/spawn grows from empty
 * to 100,000 and drains again every time slice of its main goroutine, and a
 * ring copied every pointer about twice per cycle (callgrind: ~18 instructions
 * per goroutine in the resize). A block of GOCC_GQ_BLOCK pointers is malloc'd
 * when a put finds the tail block full and freed when a pop empties it,
 * except up to GOCC_GQ_SPARE kept for the next growth; so the queue holds at
 * most its length in pointers plus 33 KiB. In race builds emptied blocks are
 * all kept (bounded by the longest the queue has been): TSan takes malloc and
 * free for writes of whichever goroutine runs the runtime, and a free racing
 * with another thread's malloc of the block would be reported, since runtime
 * locks give it no edges (race.c and timer.c keep their old arrays for the
 * same reason). Growth is on no park/ready fast path: a goroutine's ready goes
 * to its p's runnext; only plain threads, timers, sysmon, preemption and
 * overflowing local rings put goroutines here.
 *
 * The owner's lock (sched.lock) guards everything; the owner also keeps the
 * count that readers without the lock use (gocc_sched.runqsize).
 * gocc_gqueue_pop must not be called on an empty queue.
 */
#ifndef GOCC_GQUEUE_H
#define GOCC_GQUEUE_H

#include "sched.h"

#define GOCC_GQ_BLOCK 127   /* pointers per block: with its link, 1 KiB */
#define GOCC_GQ_SPARE 32    /* emptied blocks kept for the next growth (32 KiB; all of them in race builds) */

typedef struct gocc_gqblock {
    struct gocc_gqblock *next;
    gocc_g *g[GOCC_GQ_BLOCK];
} gocc_gqblock;

typedef struct gocc_gqueue {
    gocc_gqblock *head, *tail;  /* NULL until the first put; then one block at least, for ever */
    int hi;                     /* next to take in head */
    int ti;                     /* next free slot in tail */
    gocc_gqblock *spare;        /* emptied blocks, linked through next */
    int nspare;
} gocc_gqueue;

/* Out of line (they may allocate or free): a new tail block for a put; an emptied head block leaves. */
void gocc_gqueue_grow(gocc_gqueue *q);
void gocc_gqueue_advance(gocc_gqueue *q);

static inline int gocc_gqueue_empty(const gocc_gqueue *q) { return !q->head || (q->head == q->tail && q->hi == q->ti); }

static inline void gocc_gqueue_put(gocc_gqueue *q, gocc_g *g)
{
    if (__builtin_expect(!q->tail || q->ti == GOCC_GQ_BLOCK, 0))
        gocc_gqueue_grow(q);
    q->tail->g[q->ti++] = g;
}

static inline gocc_g *gocc_gqueue_pop(gocc_gqueue *q)
{
    gocc_gqblock *b = q->head;
    gocc_g *g = b->g[q->hi++];
    if (b == q->tail) {
        if (q->hi == q->ti) /* empty: its one block starts over */
            q->hi = q->ti = 0;
    } else if (q->hi == GOCC_GQ_BLOCK) {
        gocc_gqueue_advance(q);
    }
    return g;
}

/* The n oldest (n <= the length) into out[0..n), a block's run at a time. */
static inline void gocc_gqueue_popn(gocc_gqueue *q, gocc_g **out, int n)
{
    while (n > 0) {
        gocc_gqblock *b = q->head;
        int hi = q->hi, end = b == q->tail ? q->ti : GOCC_GQ_BLOCK;
        int k = end - hi < n ? end - hi : n;
        for (int i = 0; i < k; i++)
            out[i] = b->g[hi + i];
        out += k;
        n -= k;
        q->hi = hi += k;
        if (b == q->tail) {
            if (hi == q->ti)
                q->hi = q->ti = 0;
        } else if (hi == GOCC_GQ_BLOCK) {
            gocc_gqueue_advance(q);
        }
    }
}

/* in[0..n) at the tail, in order, a block's room at a time. */
static inline void gocc_gqueue_putn(gocc_gqueue *q, gocc_g *const *in, int n)
{
    while (n > 0) {
        if (!q->tail || q->ti == GOCC_GQ_BLOCK)
            gocc_gqueue_grow(q);
        int k = GOCC_GQ_BLOCK - q->ti < n ? GOCC_GQ_BLOCK - q->ti : n;
        for (int i = 0; i < k; i++)
            q->tail->g[q->ti + i] = in[i];
        q->ti += k;
        in += k;
        n -= k;
    }
}

#endif
