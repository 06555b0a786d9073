/*
 * chanmem.c - channel memory: make, free, and the pool freed channels go
 * back to.
 *
 * Every channel header lives in one arena, a single MAP_NORESERVE mapping
 * reserved at the first make (ARENA_MAX bytes of address space, less where that is refused, one entry in the
 * process's map count, pages committed only as channels are carved). That
 * gives free(p) in a .gc file a cheap and exact way to tell a channel from
 * any other pointer: by address (gocc_free). A channel's type cannot tell it
 * in C without dereferencing the operand's type, which void * and pointers to
 * incomplete structs do not allow.
 *
 * Slots come in size classes (128 bytes to 64 KiB: header, ring buffer and
 * the timer of a time channel in one slot); a bigger buffer is malloc'd and
 * freed with the channel. The arena is carved in SPAN-byte spans, each span
 * holding slots of one class for ever, so a slot's first word is a channel
 * lock in every life of the slot. That matters: a select that was won on
 * channel A still takes the lock of channel B in its pass 3 to unlink its
 * record, and the user may have freed B in between (free unlinks such
 * records, so pass 3 finds nothing to do, but it still locks and unlocks).
 * For the same reason make never writes the lock word.
 *
 * Pool: freed slots go to a per-thread cache (no lock, TCACHE per class),
 * overflowing by halves to a global list per class (pool.lock). Nothing is
 * returned to the kernel except the pages of big slots; the pool never holds
 * more slots than the program once had live at the same time, so a program
 * that makes and frees channels as it runs stays flat.
 *
 * Freed channels are poisoned (magic CHAN_FREED) and every channel operation
 * checks the magic word first ("use of freed channel"), which catches a use
 * until the slot is made into a new channel. Race builds (gocc -race), and
 * any build run with GOCC_FREECHECK=1, never reuse a slot, so every later use
 * is caught (at the cost of memory: the pool is off).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "chan.h"
#include "sched_impl.h"

/* Under valgrind, slots are reported to memcheck as heap blocks (made: allocated, freed: freed), so it
 * reports leaked channels and uses of freed ones as it does for malloc. A leaked channel shows as
 * "possibly lost", not "definitely lost": memcheck scans the arena (a plain mapping) as a root, and
 * finds there interior pointers to the block (a buffered channel's pointer to its own ring buffer). The header
 * comes with Debian's valgrind package; without it these are no-ops. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define VG_ALLOC(c, n) do { VALGRIND_MALLOCLIKE_BLOCK((c), (n), 0, 0); \
                            VALGRIND_MAKE_MEM_DEFINED(&(c)->lock, sizeof (c)->lock); } while (0)
#define VG_FREE(c) do { VALGRIND_FREELIKE_BLOCK((c), 0); \
                        VALGRIND_MAKE_MEM_DEFINED(&(c)->freenext, sizeof (c)->freenext); } while (0)
#endif
#endif
#ifndef VG_ALLOC
#define VG_ALLOC(c, n) ((void)0)
#define VG_FREE(c) ((void)0)
#endif

#ifndef GOCC_RACE
#define GOCC_RACE 0
#endif

typedef struct gocc_chan gocc_chan;

#define ARENA_MAX ((size_t)64 << 30)        /* address space only: 512M of the smallest slots */
#define ARENA_MIN ((size_t)64 << 20)
#define SPAN ((size_t)64 << 10)
#define MINSLOT 128
#define NCLASS 10                           /* 128 B .. 64 KiB */
#define TCACHE 32
#define HDR ((sizeof(gocc_chan) + 15) & ~(size_t)15)
#define PAGE ((size_t)4096)

static struct {
    gocc_lock lock;
    char *base;                             /* the arena; set once (release), read by gocc_free */
    size_t size;                            /* its size (set before base) */
    size_t used;                            /* bytes of the arena carved into spans */
    char *span[NCLASS];                     /* the span being carved for each class */
    size_t carved[NCLASS];                  /* bytes of span[k] handed out */
    gocc_chan *free[NCLASS];
    int nofree;                             /* 1: never reuse a slot (race builds, GOCC_FREECHECK=1) */
} pool;

static __thread struct {
    gocc_chan *list[NCLASS];
    int n[NCLASS];
} tcache;

static int classof(size_t bytes)
{
    int k = 0;
    for (size_t s = MINSLOT; s < bytes; s <<= 1)
        k++;
    return k;
}

static size_t slotsize(int k) { return (size_t)MINSLOT << k; }

static __attribute__((noreturn)) void oom(const gocc_site *site)
{
    gocc_panic("makechan: out of memory", site);
}

/* pool.lock held. */
static int arena_init(void)
{
    if (pool.base)
        return 1;
    /* Address space only; where it is limited (ulimit -v, valgrind) settle for less. */
    char *a = MAP_FAILED;
    for (size_t sz = ARENA_MAX; sz >= ARENA_MIN && a == MAP_FAILED; sz /= 4)
        if ((a = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)) !=
            MAP_FAILED)
            pool.size = sz;
    if (a == MAP_FAILED)
        return 0;
    const char *fc = getenv("GOCC_FREECHECK");
    pool.nofree = GOCC_RACE || (fc && *fc && strcmp(fc, "0") != 0);
    __atomic_store_n(&pool.base, a, __ATOMIC_RELEASE);
    return 1;
}

/* A slot of class k, its lock word as the slot's previous life left it (zero when new). */
static gocc_chan *slot_get(int k, const gocc_site *site)
{
    gocc_chan *c = tcache.list[k];
    if (c) {
        tcache.list[k] = c->freenext;
        tcache.n[k]--;
        return c;
    }
    gocc_lock_acquire(&pool.lock);
    /* Refill half the cache from the global list, then carve. */
    while (pool.free[k] && tcache.n[k] < TCACHE / 2) {
        gocc_chan *x = pool.free[k];
        pool.free[k] = x->freenext;
        x->freenext = tcache.list[k];
        tcache.list[k] = x;
        tcache.n[k]++;
    }
    if ((c = tcache.list[k])) {
        gocc_lock_release(&pool.lock);
        tcache.list[k] = c->freenext;
        tcache.n[k]--;
        return c;
    }
    if (!arena_init()) {
        gocc_lock_release(&pool.lock);
        oom(site);
    }
    if (!pool.span[k] || pool.carved[k] + slotsize(k) > SPAN) {
        if (pool.used + SPAN > pool.size) {
            gocc_lock_release(&pool.lock);
            oom(site);
        }
        pool.span[k] = pool.base + pool.used;
        pool.used += SPAN;
        pool.carved[k] = 0;
    }
    c = (gocc_chan *)(pool.span[k] + pool.carved[k]);
    pool.carved[k] += slotsize(k);
    gocc_lock_release(&pool.lock);
    return c;
}

static void slot_put(gocc_chan *c, int k)
{
    if (pool.nofree)
        return; /* quarantined for ever: every later use is reported */
    if (slotsize(k) > 4 * PAGE) {
        /* Big slot: its buffer pages go back to the kernel now; the header page stays. */
        char *from = (char *)c + PAGE;
        madvise(from, slotsize(k) - PAGE, MADV_DONTNEED);
    }
    c->freenext = tcache.list[k];
    tcache.list[k] = c;
    if (++tcache.n[k] <= TCACHE)
        return;
    gocc_chan *head = NULL, *tail = NULL;
    while (tcache.n[k] > TCACHE / 2) {
        gocc_chan *x = tcache.list[k];
        tcache.list[k] = x->freenext;
        tcache.n[k]--;
        x->freenext = head;
        head = x;
        if (!tail)
            tail = x;
    }
    gocc_lock_acquire(&pool.lock);
    tail->freenext = pool.free[k];
    pool.free[k] = head;
    gocc_lock_release(&pool.lock);
}

gocc_chan *gocc_chan_make_ext(gocc_size elemsize, long long cap, gocc_size extra, const gocc_site *site)
{
    if (cap < 0 || (elemsize && (unsigned long long)cap > (SIZE_MAX / 2) / elemsize) ||
        (unsigned long long)cap > (1ULL << 48))
        gocc_panic("makechan: size out of range", site);
    size_t bufbytes = (size_t)cap * elemsize;
    size_t ext = (extra + 15) & ~(size_t)15;
    size_t need = HDR + ext + bufbytes;
    int inline_buf = need <= slotsize(NCLASS - 1);
    int k = classof(inline_buf ? need : HDR + ext);
    unsigned char *heapbuf = NULL;
    if (!inline_buf && !(heapbuf = malloc(bufbytes)))
        oom(site);
    gocc_chan *c = slot_get(k, site);
    VG_ALLOC(c, slotsize(k));
    /* Every field but the lock (see the top of the file). */
    c->closed = 0;
    c->cls = (unsigned char)k;
    c->elemsize = elemsize;
    c->cap = (gocc_size)cap;
    c->count = 0;
    c->sendx = c->recvx = 0;
    c->recvq = (gocc_waitq){0};
    c->sendq = (gocc_waitq){0};
    c->timer = NULL;
    c->freenext = NULL;
    c->ext = extra ? (unsigned char *)c + HDR : NULL;
    c->buf = inline_buf ? (unsigned char *)c + HDR + ext : heapbuf;
    c->heapbuf = !inline_buf;
    __atomic_store_n(&c->magic, GOCC_CHAN_LIVE, __ATOMIC_RELEASE);
    return c;
}

gocc_chan *gocc_chan_make(gocc_size elemsize, long long cap, const gocc_site *site)
{
    return gocc_chan_make_ext(elemsize, cap, 0, site);
}

void gocc_chan_badchan(const gocc_chan *c, const gocc_site *site)
{
    if (__atomic_load_n(&c->magic, __ATOMIC_RELAXED) == GOCC_CHAN_FREED)
        gocc_panic("use of freed channel", site);
    gocc_panic("use of invalid channel (not made by make, or corrupted)", site);
}

/* c locked. Unlinks the records of waits already won elsewhere (another case of a select, a deadline):
 * their owners dequeue them later, under this lock, and find them gone. 1 if a live waiter remains. */
static int drop_stale(gocc_waitq *q)
{
    for (gocc_waiter *w = q->first, *next; w; w = next) {
        next = w->next;
        if (__atomic_load_n(&w->set->done, __ATOMIC_ACQUIRE) == 0)
            return 1;
        gocc_waitq_remove(q, w);
    }
    return 0;
}

void gocc_chan_free(gocc_chan *c, const gocc_site *site)
{
    if (!c)
        return;
    GOCC_CHAN_CHECK(c, site);
    gocc_lock_acquire(&c->lock);
    if (c->magic != GOCC_CHAN_LIVE) { /* a concurrent free won */
        gocc_lock_release(&c->lock);
        gocc_chan_badchan(c, site);
    }
    if (drop_stale(&c->recvq) || drop_stale(&c->sendq)) {
        gocc_lock_release(&c->lock);
        gocc_panic("free of channel with waiting goroutines", site);
    }
    GOCC_RACE_RELEASE(c);
    __atomic_store_n(&c->magic, GOCC_CHAN_FREED, __ATOMIC_RELEASE);
    gocc_timer *t = c->timer;
    gocc_lock_release(&c->lock);
    /* A time channel: once stop_wait returns, its callback neither runs nor will run (one that was
     * running found the channel freed and did nothing), so the slot may be reused. */
    if (t)
        gocc_timer_stop_wait(t);
    if (c->heapbuf)
        free(c->buf);
    int k = c->cls;
    VG_FREE(c);
    slot_put(c, k);
}

_Bool gocc_chan_is_arena(const void *p)
{
    const char *b = __atomic_load_n(&pool.base, __ATOMIC_ACQUIRE);
    return b && (const char *)p >= b && (const char *)p < b + pool.size;
}

void gocc_free(void *p, const gocc_site *site)
{
    if (gocc_chan_is_arena(p))
        gocc_chan_free(p, site);
    else
        free(p);
}
