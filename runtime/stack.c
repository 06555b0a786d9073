/*
 * stack.c - goroutine memory: g records and stacks.
 *
 * g records are carved from slabs (dense: 16 a page) and never freed, so the
 * deadlock report can walk them all. A stack is bound to a g only when the g
 * first runs and goes back to the pool when it exits: a program that spawns a
 * million goroutines which finish quickly touches a few warm stacks, not a
 * million fresh pages (a first touch costs 12-40 us on this kind of VM).
 *
 * Size. A stack holds gocc_stack_size bytes: 448 KiB unless the GOCC_STACK
 * environment variable says otherwise (read once at start; 64K to 1G, e.g.
 * GOCC_STACK=8M for a C thread's default), or the program calls
 * runtime_set_stack_size before its first go statement. Stacks are carved in order out of
 * chunks of SLOTS slots, one MAP_NORESERVE mapping each; a slot is a GUARD
 * (64 KiB) gap, then the stack. Pages are committed only when touched. Why not
 * 8 MiB by default: the touched top page of each parked goroutine's stack then
 * needs a page-table page of its own (stacks 8 MiB apart), 4 KiB more kernel
 * memory per goroutine, which made a million parked goroutines take 4 GiB of
 * page tables and run 3 times slower; at 512 KiB a slot, four stacks share one.
 *
 * Guards. The gap below a stack is one the kernel faults, so an overflow
 * (plain C or .gc code) stops there. Where the kernel has guard regions
 * (MADV_GUARD_INSTALL, Linux 6.13) every stack gets one: they live in the
 * page tables and do not split the chunk's mapping, and installing one costs
 * about 1 us of CPU (4 us for mprotect; measured on this VM, 100,000 carves);
 * a new chunk's 64 go in with one process_madvise (guard_chunk, Linux 6.15),
 * else one madvise per carved stack.
 * A million stacks then take 16,384 mappings, and nothing else is budgeted.
 * Elsewhere (older kernels; valgrind) the gap is made PROT_NONE, and each such
 * gap splits the chunk's mapping:
 * two mappings per stack, and a process may have vm.max_map_count (65530 on a
 * stock kernel). So those guards are budgeted. The chunks that a million stacks
 * need come first (STACKS_PLANNED: each chunk is a mapping, split once more
 * by the guard of its bottom stack); what is left of max_map_count -
 * RESERVED_MAPS, halved, is the number of fully guarded stacks (8,189 on a
 * stock kernel; GOCC_STACK_GUARDS=N overrides). Without that reservation the
 * guards took the whole budget and a million parked goroutines died at about
 * 545,000 with mmap failing. Guards go chunk by chunk; past the budget a
 * chunk guards only its bottom stack (while mappings remain), and
 * the other gaps stay writable and unused. Pooled stacks are handed out
 * guarded ones first, so a program with fewer live goroutines than the budget
 * only ever runs on guarded stacks. On an unguarded stack: .gc code is
 * checked at every function entry (GOCC_FUNCTION_ENTRY compares the stack
 * pointer after the prologue, so a frame too big to fit is caught before it
 * is touched); plain C that runs below the stack writes into its own 64 KiB
 * gap, which corrupts nobody and is found (mincore) after the goroutine ends
 * (within PENDMAX ends on its p, or when the p is about to idle; see gocc_stack_free);
 * only plain C that goes more than 64 KiB past an unguarded stack reaches the
 * stack below unreported (code that gocc compiles probes its large frames
 * page by page, -fstack-clash-protection, so even that stops in the gap). A stack overflow report (SIGSEGV in a gap, or a
 * fault with the stack pointer below the current goroutine's stack) names the
 * goroutine and where it was created: gocc_stack_overflow_report.
 *
 * Memory given back. A stack's top page holds its record and stays. The
 * pages below go back (madvise) when the goroutine ends if it went deep: its
 * stack pointer was low at some switch (spmin), or .gc code crossed the depth
 * watermark WATERMARK below the top (the guard word starts there, and
 * gocc_stack_deeper notes the crossing once, then lowers it to the real
 * limit). A plain C call that went deep and returned before any switch is not
 * seen; its pages stay with the stack while it sits in its p's cache
 * (LOCALMAX stacks at most) and go back when the stack moves to the global
 * pool: every page below the top one of the stacks that move goes back, 32
 * stacks to a process_madvise (release_batch; where that call is missing,
 * mincore tells which stacks hold such pages, check_batch), so the memory a
 * pool holds stays bounded.
 *
 * Invariants:
 *   - Carved stacks and g records are never unmapped.
 *   - A stack in the global pool has touched only its top page.
 *   - An unguarded stack is reused only after its gap was checked.
 *   - Pools are per p (no lock) with global overflow pools (mem.lock for stacks, mem.glock for g
 *     records), which a p visits once per LOCALMAX/2 records or stacks. The g record pools are arrays
 *     of pointers: moving records between them reads no record.
 *
 * The main goroutine is different: plain C code runs there (LANGUAGE.md: a
 * program without the constructs behaves as with cc), so it gets a stack as
 * large as the process's own would have been (RLIMIT_STACK's soft limit,
 * within [MINSTACK, MAINSTACK_MAX]) in a mapping of its own, never pooled,
 * with a MAINGUARD-byte PROT_NONE gap below it, as wide as the kernel's stack
 * guard gap so that a large frame cannot jump over it.
 */
#include <limits.h>
#include <signal.h>
#include <ucontext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sched_impl.h"

#ifndef GOCC_RACE
#define GOCC_RACE 0
#endif

#define SLOTS 64                                /* stacks per chunk (one mapping) */
#define MAXCHUNKS 65536                         /* 4M stacks */
#define GUARD ((size_t)64 << 10)                /* the gap below every stack */
#define DEFAULTSTACK ((size_t)448 << 10)        /* + GUARD: 512 KiB a slot, 4 stacks per page-table page */
#define MINSTACK ((size_t)64 << 10)
#define MAXSTACK ((size_t)1 << 30)
#define RESERVED_MAPS 16384
#define STACKS_PLANNED (1 << 20)                /* stacks whose chunks' mappings are budgeted before guards */
#define WATERMARK ((size_t)64 << 10)            /* .gc code deeper than this below the top is noted */
#define GSLAB ((size_t)2 << 20)                 /* bytes per g slab */
#define MAXSLABS 65536
#define LOCALMAX 64
#define MAINSTACK_MAX ((size_t)64 << 20)
#define MAINGUARD ((size_t)1 << 20)             /* as wide as the kernel's own stack guard gap */

/* The allocator's locks sleep when contended instead of spinning in sched_yield: their holders make
 * system calls (mmap of a chunk or slab, the guard calls) and may take a page fault, and
 * with the spin-then-yield gocc_lock two threads spawning and starting goroutines burnt a core in
 * sched_yield waiting for each other (perf of bench/parked at GOMAXPROCS=2: ~35 % of samples in
 * gocc_g_alloc -> gocc_lock_acquire -> sched_yield). 0 free, 1 held, 2 held with sleepers (the
 * three-state futex mutex). Leaves of the lock order; never held across a switch. */
typedef struct { int v; } memlock;

static void memlock_acquire(memlock *l)
{
    gocc_lock_held++; /* as a gocc_lock: no goroutine switch on a request while held (sched.h) */
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    int c = 0;
    if (__atomic_compare_exchange_n(&l->v, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    for (int i = 0; i < 100; i++) {
        __builtin_ia32_pause();
        c = 0;
        if (__atomic_load_n(&l->v, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(&l->v, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
    }
    while (__atomic_exchange_n(&l->v, 2, __ATOMIC_ACQUIRE) != 0)
        gocc_futex_wait(&l->v, 2, -1);
}

static void memlock_release(memlock *l)
{
    if (__atomic_exchange_n(&l->v, 0, __ATOMIC_RELEASE) == 2)
        gocc_futex_wake(&l->v);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    gocc_lock_held--;
}

static struct {
    memlock lock;               /* guards the stack free lists and carving */
    memlock glock;              /* guards gpool and the g slabs: its own lock, so that spawning (g records)
                                   and first runs (stacks) on two threads do not wait for each other */
    gocc_g **gpool[MAXSLABS];   /* glock: free g records (pointers; newest last), GPERSLAB per slab */
    size_t ngpool;
    gocc_stk *sfree;            /* guarded stacks */
    gocc_stk *sfree_unguarded;  /* stacks carved past the mapping budget */
    char *chunks[MAXCHUNKS];    /* published with release stores; read by the signal handler */
    int nchunks;
    int carved;                 /* stacks carved from chunks[nchunks-1] */
    int chunkguarded;           /* chunks[nchunks-1] gives every stack a PROT_NONE gap (no guard regions) */
    int nguarded;               /* stacks with a guard: a guard region or a PROT_NONE gap */
    int guardbudget;            /* at most this many (two mappings each, unless lightguards): see read_settings */
    int lightguards;            /* gaps are guard regions (MADV_GUARD_INSTALL): no mapping each */
    int chunklight;             /* every gap of chunks[nchunks-1] has its guard region (guard_chunk) */
    long nmaps, mapbudget;      /* mappings made for stacks (chunks and guard splits), and the most allowed */
    char *slabs[MAXSLABS];      /* glock */
    int nslabs;
    int gcarved;                /* records carved from slabs[nslabs-1] */
    char *mainmap;              /* the main goroutine's mapping (guard gap, then stack); set once at start */
    gocc_stk *mainstk;
} mem;

#define GPERSLAB ((int)(GSLAB / sizeof(gocc_g)))

static gocc_stk *stkrecord(char *hi) { return (gocc_stk *)(hi - sizeof(gocc_stk)); }

static __attribute__((noreturn)) void nomem(const char *what)
{
    char buf[128];
    int n = snprintf(buf, sizeof buf, "fatal error: out of memory allocating %s\n", what);
    if (write(2, buf, (size_t)n)) {}
    _exit(2);
}

/* ------------------------------------------------------------------ */
/* g records                                                           */

/* The global pool of free g records is an array of pointers (mem.gpool), as is each p's cache
 * (p->gcache): a refill or a spill copies pointers and reads no record. Linked through the records, a
 * refill walked 32 records that had gone cold (bench/spawn's main goroutine creates 50,000-100,000
 * goroutines per time slice, and their records come back to the pool before the next one): gocc_g_alloc
 * was 21 % of the samples at GOMAXPROCS=1, 88 % of them on the load of the next link, and at
 * GOMAXPROCS=2 the other thread slept on glock meanwhile. The pool grows with the records carved: each
 * slab comes with a page-aligned array of GPERSLAB pointers (gcarve), so a free never allocates and the
 * pool holds at most one pointer per carved record (8 bytes beside a 256-byte record, and never
 * unmapped either). Pool entry i is in mem.gpool[i / GPERSLAB]. The arrays are mmap'd, not malloc'd,
 * and race builds copy them by plain loops (ptrmove): TSan intercepts malloc, free and memmove and would
 * take them for unsynchronized accesses of whichever goroutine runs the runtime (runtime locks give it
 * no edges). */
#define GPOOL(i) mem.gpool[(i) / GPERSLAB][(i) % GPERSLAB]

/* n pointers from src to dst (they may overlap, dst below src). memmove where it may be called: in race
 * builds TSan intercepts it and would take the copy for an access of whichever goroutine runs the
 * runtime, so a loop there (built at -O1, which does not turn it back into a call). */
static inline void ptrmove(gocc_g **dst, gocc_g *const *src, int n)
{
#if GOCC_RACE
    for (int i = 0; i < n; i++)
        dst[i] = src[i];
#else
    memmove(dst, src, (size_t)n * sizeof *dst);
#endif
}

/* glock held. Pool entries [at, at+n) to (in) or from a[0..n), a slab's array at a time. */
static void gpool_copy(size_t at, gocc_g **a, int n, int in)
{
    while (n > 0) {
        gocc_g **run = &GPOOL(at);
        int k = GPERSLAB - (int)(at % GPERSLAB) < n ? GPERSLAB - (int)(at % GPERSLAB) : n;
        if (in)
            ptrmove(run, a, k);
        else
            ptrmove(a, run, k);
        at += (size_t)k;
        a += k;
        n -= k;
    }
}

/* glock held. Up to n new records into out[0..n), in address order, a slab's run at a time (a record
 * at a time was 21 instructions each); returns how many (fewer only when no slab can be mapped). */
static int gcarve(gocc_g **out, int n)
{
    int got = 0;
    while (got < n) {
        if (!mem.nslabs || mem.gcarved == GPERSLAB) {
            if (mem.nslabs == MAXSLABS)
                break;
            if (!mem.gpool[mem.nslabs]) {
                void *a = mmap(NULL, GPERSLAB * sizeof(gocc_g *), PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (a == MAP_FAILED)
                    break;
                mem.gpool[mem.nslabs] = a;
            }
            char *s = mmap(NULL, GSLAB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (s == MAP_FAILED)
                break;
            mem.slabs[mem.nslabs] = s;
            mem.gcarved = 0;
            __atomic_store_n(&mem.nslabs, mem.nslabs + 1, __ATOMIC_RELEASE);
        }
        int k = GPERSLAB - mem.gcarved < n - got ? GPERSLAB - mem.gcarved : n - got;
        gocc_g *base = (gocc_g *)mem.slabs[mem.nslabs - 1] + mem.gcarved;
        for (int i = 0; i < k; i++)
            out[got + i] = base + i;
        got += k;
        __atomic_store_n(&mem.gcarved, mem.gcarved + k, __ATOMIC_RELEASE);
    }
    return got;
}

/* A p whose cache is empty refills it with GOCC_GCACHE/2 records in one visit to the global pool, carving
 * what the pool lacks: a program that spawns a million goroutines takes glock once per 32 spawns, not
 * once per spawn (bench/parked carved every record under the lock the first runs took for their
 * stacks). The cache is a stack: the newest (warmest) record goes out first, and a refill puts the pool's
 * newest on top. Carving touches no record either: a new slab's pages fault in when its records are
 * first written, after the unlock. */
gocc_g *gocc_g_refill(gocc_p *p)
{
    gocc_g *g;
    memlock_acquire(&mem.glock);
    if (!p) {
        if (mem.ngpool) {
            mem.ngpool--;
            g = GPOOL(mem.ngpool);
        } else if (!gcarve(&g, 1)) {
            g = NULL;
        }
        memlock_release(&mem.glock);
        if (!g)
            nomem("goroutine");
        return g;
    }
    int k = GOCC_GCACHE / 2, take = mem.ngpool < (size_t)k ? (int)mem.ngpool : k;
    /* Carved records below (handed out last, lowest address first), the pool's newest on top. */
    int nc = gcarve(p->gcache, k - take);
    for (int i = 0, j = nc - 1; i < j; i++, j--) {
        g = p->gcache[i];
        p->gcache[i] = p->gcache[j];
        p->gcache[j] = g;
    }
    mem.ngpool -= (size_t)take;
    gpool_copy(mem.ngpool, p->gcache + nc, take, 0);
    memlock_release(&mem.glock);
    p->ngfree = nc + take;
    if (!p->ngfree)
        nomem("goroutine");
    return p->gcache[--p->ngfree];
}

/* p's cache is full: g joins it, and the oldest half (the coldest records) goes to the global pool. */
void gocc_g_free_slow(gocc_p *p, gocc_g *g)
{
    if (p) {
        p->gcache[p->ngfree++] = g;
        int n = p->ngfree - GOCC_GCACHE / 2;
        memlock_acquire(&mem.glock);
        gpool_copy(mem.ngpool, p->gcache, n, 1);
        mem.ngpool += (size_t)n;
        memlock_release(&mem.glock);
        ptrmove(p->gcache, p->gcache + n, p->ngfree - n);
        p->ngfree -= n;
        return;
    }
    memlock_acquire(&mem.glock);
    GPOOL(mem.ngpool) = g;
    mem.ngpool++;
    memlock_release(&mem.glock);
}

long gocc_g_carved(void)
{
    int ns = __atomic_load_n(&mem.nslabs, __ATOMIC_ACQUIRE);
    return ns ? (long)(ns - 1) * GPERSLAB + __atomic_load_n(&mem.gcarved, __ATOMIC_ACQUIRE) : 0;
}

void gocc_g_foreach(void (*f)(gocc_g *g, void *arg), void *arg)
{
    int ns = __atomic_load_n(&mem.nslabs, __ATOMIC_ACQUIRE);
    for (int s = 0; s < ns; s++) {
        int n = s == ns - 1 ? __atomic_load_n(&mem.gcarved, __ATOMIC_ACQUIRE) : GPERSLAB;
        for (int i = 0; i < n; i++) {
            gocc_g *g = (gocc_g *)mem.slabs[s] + i;
            int st = __atomic_load_n(&g->status, __ATOMIC_ACQUIRE);
            if (st == G_RUNNABLE || st == G_RUNNING || st == G_WAITING)
                f(g, arg);
        }
    }
}

/* ------------------------------------------------------------------ */
/* stacks                                                              */

size_t gocc_stack_size = DEFAULTSTACK;

static size_t slotsize(void) { return GUARD + gocc_stack_size; }
static char *slotbase(int chunk, int i) { return mem.chunks[chunk] + (size_t)i * slotsize(); }
static char *stacklo(int chunk, int i) { return slotbase(chunk, i) + GUARD; }

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102      /* Linux 6.13; libc headers may predate it */
#endif

/* Whether this kernel installs guard regions: tried once on a scratch mapping (EINVAL before 6.13). */
static int light_guards_work(void)
{
    char *p = mmap(NULL, 2 * GOCC_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    int ok = madvise(p, GOCC_PAGE, MADV_GUARD_INSTALL) == 0;
    munmap(p, 2 * GOCC_PAGE);
    return ok;
}

/* GOCC_STACK: a size in bytes, with an optional K, M or G suffix (powers of 1024). */
static void read_settings(void)
{
    const char *e = getenv("GOCC_STACK");
    if (e && *e) {
        char *end;
        unsigned long long v = strtoull(e, &end, 10);
        unsigned long long mul = 1;
        if (*end == 'k' || *end == 'K') mul = 1ULL << 10, end++;
        else if (*end == 'm' || *end == 'M') mul = 1ULL << 20, end++;
        else if (*end == 'g' || *end == 'G') mul = 1ULL << 30, end++;
        if (*end == 'i' || *end == 'B') end++; /* 8MiB, 8MB */
        if (*end == 'B') end++;
        v *= mul;
        if (*end || v < MINSTACK || v > MAXSTACK) {
            char buf[200];
            int n = snprintf(buf, sizeof buf, "gocc: GOCC_STACK=%s ignored: want a size from 64K to 1G, like 16M\n", e);
            if (write(2, buf, (size_t)n)) {}
        } else {
            gocc_stack_size = ((size_t)v + GOCC_PAGE - 1) & ~(size_t)(GOCC_PAGE - 1);
        }
    }
    /* The mapping budget: a guarded stack costs two mappings (its PROT_NONE gap splits the chunk); keep
     * RESERVED_MAPS for everything else the process maps (libraries, malloc arenas, thread stacks, the
     * netpoller, the user's own mmaps). */
    long maxmaps = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &maxmaps) != 1)
            maxmaps = 65530;
        fclose(f);
    }
    mem.mapbudget = maxmaps > RESERVED_MAPS ? maxmaps - RESERVED_MAPS : 0;
    long chunkmaps = 2L * (STACKS_PLANNED / SLOTS);
    mem.guardbudget = mem.mapbudget > chunkmaps ? (int)((mem.mapbudget - chunkmaps) / 2) : 0;
    if ((mem.lightguards = light_guards_work()))
        mem.guardbudget = INT_MAX;
    /* GOCC_STACK_GUARDS=N overrides the budget (tests; or a kernel whose limit was raised by sysctl and a
     * program that maps a lot of its own). */
    const char *g = getenv("GOCC_STACK_GUARDS");
    if (g && *g >= '0' && *g <= '9')
        mem.guardbudget = atoi(g);
}

#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#define PIDFD_SELF_ (-10000) /* Linux 6.15: the calling process, with no descriptor to open */

/* mem.lock held: installs the guard regions of all SLOTS gaps of chunk ci with one process_madvise
 * instead of a madvise per carved stack (bench/parked, 200,000 goroutines: 200,001 madvise -> 3,126
 * process_madvise). 0 if the kernel cannot (before 6.15 PIDFD_SELF is unknown; process_madvise of
 * the caller with any advice needs 6.13) or did only part: then carve installs each gap itself, as
 * before (installing a guard twice is harmless). */
static int guard_chunk(int ci)
{
    static struct iovec iov[SLOTS]; /* mem.lock: not on the stack, which may be a goroutine's */
    for (int i = 0; i < SLOTS; i++) {
        iov[i].iov_base = slotbase(ci, i);
        iov[i].iov_len = GUARD;
    }
    long r = syscall(SYS_process_madvise, PIDFD_SELF_, iov, (size_t)SLOTS, MADV_GUARD_INSTALL, 0u);
    return r == (long)(SLOTS * GUARD);
}

/* A slot carved under mem.lock, whose record is written after the lock is released (stkinit): writing it
 * is the stack's first touch, a page fault, and the other thread waited for each of them (bench/parked at
 * GOMAXPROCS=2: futex wake-ups of mem.lock under firstrun). */
typedef struct gocc_carved carved; /* a slot: its top, its chunk, whether its gap is a guard (sched_impl.h) */
_Static_assert(sizeof ((gocc_p *)0)->scarve / sizeof(carved) == LOCALMAX / 2, "a refill's carved slots fit p->scarve");

/* mem.lock held: takes the next slot, with its guard; 0 when no chunk can be mapped. */
static int carve(carved *out)
{
    if (!mem.nchunks || mem.carved == SLOTS) {
        if (mem.nchunks == MAXCHUNKS)
            return 0;
        char *c = mmap(NULL, SLOTS * slotsize(), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (c == MAP_FAILED)
            return 0;
        /* The whole chunk is guarded while the budget lasts; past it, only its bottom slot (so that
         * nothing mapped below the chunk is ever written). */
        mem.chunkguarded = mem.nguarded + SLOTS <= mem.guardbudget;
        mem.chunks[mem.nchunks] = c;
        mem.carved = 0;
        mem.nmaps++;
        __atomic_store_n(&mem.nchunks, mem.nchunks + 1, __ATOMIC_RELEASE);
        mem.chunklight = mem.lightguards && mem.nguarded + SLOTS <= mem.guardbudget &&
                         guard_chunk(mem.nchunks - 1);
    }
    int ci = mem.nchunks - 1, i = mem.carved;
    char *lo = stacklo(ci, i), *hi = lo + gocc_stack_size;
    /* A guard region costs no mapping. Otherwise a PROT_NONE gap: a bottom gap splits the chunk once, any
     * other twice. */
    int guarded = mem.lightguards && mem.nguarded < mem.guardbudget &&
                  (mem.chunklight || madvise(slotbase(ci, i), GUARD, MADV_GUARD_INSTALL) == 0);
    if (!guarded) {
        guarded = (mem.chunkguarded || (i == 0 && mem.nmaps + 1 <= mem.mapbudget)) &&
                  mprotect(slotbase(ci, i), GUARD, PROT_NONE) == 0;
        mem.nmaps += guarded ? (i == 0 ? 1 : 2) : 0;
    }
    mem.nguarded += guarded;
    out->hi = hi;
    out->ci = ci;
    out->guarded = guarded;
    __atomic_store_n(&mem.carved, i + 1, __ATOMIC_RELEASE);
    return 1;
}

/* No lock: the record of a slot just carved (its first touch). */
static gocc_stk *stkinit(const carved *c)
{
    gocc_stk *s = stkrecord(c->hi);
    s->lo = c->hi - gocc_stack_size;
    s->hi = c->hi;
    s->spmin = (uintptr_t)s;
    s->next = NULL;
    s->guarded = c->guarded;
    s->chunkidx = c->ci;
    s->clean = 1;
    s->canary = GOCC_CANARY;
    return s;
}

/* mem.lock held: a stack from the global lists, guarded ones first. */
static gocc_stk *global_get(void)
{
    gocc_stk *s = mem.sfree;
    if (s) {
        mem.sfree = s->next;
        return s;
    }
    if ((s = mem.sfree_unguarded))
        mem.sfree_unguarded = s->next;
    return s;
}

static gocc_stk *stack_get(gocc_p *p);

gocc_stk *gocc_stack_alloc(gocc_p *p)
{
    gocc_stk *s = stack_get(p);
    s->clean = 0; /* in use: what it touches is unknown until it is checked */
    return s;
}

/* A p whose cache is empty refills it with LOCALMAX/2 stacks in one visit to the global lists, carving
 * what they lack: first runs of a million new goroutines take mem.lock once per 32 stacks, not once per
 * stack. The carved slots wait in p->scarve, lowest first out, and a slot's record (its first page) is
 * written when the slot is handed out: writing all 32 at the refill put 128 KiB in the resident set of a
 * p that needed one stack (Go's chan/select2 test, converted: 100,000 selects after a warm-up must not
 * grow the footprint by 1e5 bytes; at GOMAXPROCS=2 it grew by 128-200 KiB). */
static gocc_stk *stack_get(gocc_p *p)
{
    gocc_stk *s;
    if (p && !p->sfree && p->nspend)
        gocc_stack_flush(p); /* the stacks held back are the warmest */
    if (p && (s = p->sfree)) {
        p->sfree = s->next;
        p->nsfree--;
        return s;
    }
    if (p && p->nscarve)
        return stkinit(&p->scarve[--p->nscarve]);
    carved c[LOCALMAX / 2];
    int nc = 0;
    memlock_acquire(&mem.lock);
    if (!p) {
        if (!(s = global_get()) && carve(&c[0]))
            nc = 1;
        memlock_release(&mem.lock);
        if (nc)
            s = stkinit(&c[0]);
        if (!s)
            nomem("goroutine stack");
        return s;
    }
    while (p->nsfree < LOCALMAX / 2 && (s = global_get())) {
        s->next = p->sfree;
        p->sfree = s;
        p->nsfree++;
    }
    while (p->nsfree + nc < LOCALMAX / 2 && carve(&c[nc]))
        nc++;
    memlock_release(&mem.lock);
    for (int k = 0; k < nc; k++) /* the lowest slot ends up last, so it is handed out first */
        p->scarve[k] = c[nc - 1 - k];
    p->nscarve = nc;
    if ((s = p->sfree)) {
        p->sfree = s->next;
        p->nsfree--;
        return s;
    }
    if (!p->nscarve)
        nomem("goroutine stack");
    return stkinit(&p->scarve[--p->nscarve]);
}

gocc_stk *gocc_stack_main(void)
{
    size_t size = (size_t)8 << 20;
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0)
        size = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > MAINSTACK_MAX ? MAINSTACK_MAX : (size_t)rl.rlim_cur;
    if (size < MINSTACK)
        size = MINSTACK;
    size = (size + GOCC_PAGE - 1) & ~(size_t)(GOCC_PAGE - 1);
    char *c = mmap(NULL, MAINGUARD + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (c == MAP_FAILED)
        nomem("main goroutine stack");
    mprotect(c, MAINGUARD, PROT_NONE);
    gocc_stk *s = stkrecord(c + MAINGUARD + size);
    s->lo = c + MAINGUARD;
    s->hi = c + MAINGUARD + size;
    s->spmin = (uintptr_t)s;
    s->next = NULL;
    s->guarded = 1;
    s->chunkidx = -1;
    s->canary = GOCC_CANARY;
    mem.mainmap = c;
    mem.mainstk = s;
    return s;
}

/* Gives back every page of s below its top one (which holds the record and is touched again at once). */
static void stack_release_pages(gocc_stk *s)
{
    char *keep = s->hi - GOCC_PAGE;
    madvise(s->lo, (size_t)(keep - s->lo), MADV_DONTNEED);
    s->spmin = (uintptr_t)s;
    s->clean = 1;
}

static __attribute__((noreturn)) void gap_overflow(gocc_stk *s);

/* Whether any of v[0..n) has its resident bit (bit 0) set, eight bytes at a time: a stack's vector is
 * 112 bytes at the default size, and a byte loop was most of check_batch's instructions. */
static int any_resident(const unsigned char *v, size_t n)
{
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, v + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= v[i];
    return (acc & 0x0101010101010101ULL) != 0;
}

/* What mincore says of one stack, given the residency bytes of its pages from its gap's top page (v[0])
 * to the page below its top one (v[npages]): an unguarded stack whose gap page is resident was overrun
 * (report and exit); pages below the top one that are resident go back. */
static void judge(gocc_stk *s, const unsigned char *v, size_t npages)
{
    if (!s->guarded && (v[0] & 1))
        gap_overflow(s);
    s->clean = 1;
    if (any_resident(v + 1, npages - 1))
        stack_release_pages(s);
}

#define VECPAGES 8192 /* residency bytes per mincore call: 32 MiB of address space (a chunk of default stacks), 8 KiB of g0's stack */

/* Checks one stack, a window of nv pages at a time (stacks can be up to 1 GiB), with v[nv] for mincore's
 * answer. mincore never maps a page: reading the gap instead would fault in a page per stack. If
 * mincore fails (it should not: the range is mapped), the pages go back anyway and the gap is taken as
 * clean. */
static void check_one(gocc_stk *s, unsigned char *v, size_t nv)
{
    char *from = s->lo - GOCC_PAGE, *to = s->hi - GOCC_PAGE;
    int resident = 0;
    for (char *a = from; a < to && !resident; a += nv * GOCC_PAGE) {
        size_t n = (size_t)(to - a) / GOCC_PAGE;
        if (n > nv)
            n = nv;
        if (mincore(a, n * GOCC_PAGE, v) != 0) {
            resident = 1;
            break;
        }
        size_t i = 0;
        if (a == from) {
            if (!s->guarded && (v[0] & 1))
                gap_overflow(s);
            i = 1;
        }
        resident = any_resident(v + i, n - i);
    }
    if (resident)
        stack_release_pages(s);
    s->clean = 1;
}

/* Without a p (no scratch): a small vector on the stack. */
static void check_one_nop(gocc_stk *s)
{
    unsigned char v[128];
    check_one(s, v, sizeof v);
}

/* A p's scratch for the checks, off the stack: since a finishing goroutine switches straight to the
 * next one (exitdirect), gocc_stack_free runs on that goroutine's stack, whose untouched pages an
 * 8 KiB vector and the batch arrays would fault in (and leave dirty). Allocated at the p's first check. */
typedef struct stkscratch {
    unsigned char v[VECPAGES];
    gocc_stk *pend[LOCALMAX], *out[LOCALMAX], *dirty[LOCALMAX], *gdirty[LOCALMAX];
    struct iovec iov[LOCALMAX];
} stkscratch;

static stkscratch *scratch(gocc_p *p)
{
    if (!p->stkscratch && !(p->stkscratch = malloc(sizeof(stkscratch))))
        nomem("stack checks");
    return p->stkscratch;
}

/* Checks n stacks (n <= LOCALMAX): after sorting by address, neighbours in one chunk whose pages fit
 * one VECPAGES window share one mincore call. A million parked goroutines that end one after another
 * free their stacks in about the order they were carved, so one call covers a run of them; a call per
 * ended goroutine (a mincore for the gap, later a madvise for the pages) was a third of the CPU time of
 * bench/parked (perf, 200,000 goroutines: mincore 21 %, madvise 13 %). */
static void check_batch(gocc_stk **a, int n, unsigned char *v)
{
    for (int i = 1; i < n; i++) { /* insertion sort: they come nearly in order */
        gocc_stk *x = a[i];
        int j = i;
        for (; j > 0 && (uintptr_t)a[j - 1] > (uintptr_t)x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
    for (int i = 0; i < n;) {
        char *from = a[i]->lo - GOCC_PAGE;
        int j = i + 1;
        while (j < n && a[j]->chunkidx == a[i]->chunkidx &&
               (size_t)(a[j]->hi - GOCC_PAGE - from) / GOCC_PAGE <= VECPAGES)
            j++;
        size_t span = (size_t)(a[j - 1]->hi - GOCC_PAGE - from) / GOCC_PAGE;
        if (j - i == 1 || mincore(from, span * GOCC_PAGE, v) != 0) {
            for (int k = i; k < j; k++)
                check_one(a[k], v, VECPAGES);
        } else {
            for (int k = i; k < j; k++)
                judge(a[k], v + (a[k]->lo - GOCC_PAGE - from) / GOCC_PAGE,
                      (size_t)(a[k]->hi - a[k]->lo) / GOCC_PAGE);
        }
        i = j;
    }
}

/* The guarded stacks of a[0..n) leave p's cache for the global lists, which hold only clean stacks: their
 * goroutines may have made a deep plain C call that returned before any switch (spmin did not see it), so
 * every page below each one's top page goes back, with one process_madvise(MADV_DONTNEED) for all n,
 * without asking which pages are resident. Asking cost more than answering: the full check (one mincore
 * over each run of neighbouring stacks, check_batch) read 128 page-table entries per stack and was a
 * quarter of the CPU time of bench/parked at GOMAXPROCS=1 (perf, 200,000 goroutines), and a mincore of
 * one sampled page per stack still 17 % (a system call per stack). Zapping the range skips the empty
 * entries faster, and the call covers 32 stacks: the exit phase (exitfinish) went from 27 % to 11 % of
 * the samples. Where process_madvise cannot (before Linux 6.13, where PIDFD_SELF is unknown), the full
 * check runs as before. */
static void release_batch(gocc_stk **a, int n, stkscratch *sc)
{
    if (!n)
        return;
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        sc->iov[i].iov_base = a[i]->lo;
        sc->iov[i].iov_len = (size_t)(a[i]->hi - GOCC_PAGE - a[i]->lo);
        total += sc->iov[i].iov_len;
    }
    if (syscall(SYS_process_madvise, PIDFD_SELF_, sc->iov, (size_t)n, MADV_DONTNEED, 0u) != (long)total) {
        check_batch(a, n, sc->v);
        return;
    }
    for (int i = 0; i < n; i++) {
        a[i]->spmin = (uintptr_t)a[i];
        a[i]->clean = 1;
    }
}

/* p held: puts s in p's cache. Past LOCALMAX, half the cache leaves for the global lists, cleaned first
 * (release_batch; unguarded stacks were checked already, see gocc_stack_flush): a guarded stack whose
 * goroutine made a deep plain C call that returned before any switch still holds those pages, and the
 * global lists hold only clean stacks. */
static void cache_put(gocc_p *p, gocc_stk *s)
{
    s->next = p->sfree;
    p->sfree = s;
    if (++p->nsfree <= LOCALMAX)
        return;
    stkscratch *sc = scratch(p);
    gocc_stk **a = sc->out, **dirty = sc->dirty, **gd = sc->gdirty;
    int n = 0, nd = 0, ng = 0;
    while (p->nsfree > LOCALMAX / 2) {
        gocc_stk *x = a[n++] = p->sfree;
        p->sfree = x->next;
        p->nsfree--;
        if (!x->clean) {
            if (x->guarded)
                gd[ng++] = x;
            else
                dirty[nd++] = x;
        }
    }
    check_batch(dirty, nd, sc->v);
    release_batch(gd, ng, sc);
    memlock_acquire(&mem.lock);
    for (int i = 0; i < n; i++) {
        gocc_stk **l = a[i]->guarded ? &mem.sfree : &mem.sfree_unguarded;
        a[i]->next = *l;
        *l = a[i];
    }
    memlock_release(&mem.lock);
}

void gocc_stack_flush(gocc_p *p)
{
    if (!p->nspend)
        return;
    stkscratch *sc = scratch(p);
    gocc_stk **a = sc->pend;
    int n = 0;
    for (gocc_stk *s = p->spend; s; s = s->next)
        a[n++] = s;
    p->spend = NULL;
    p->nspend = 0;
    check_batch(a, n, sc->v);
    for (int i = 0; i < n; i++)
        cache_put(p, a[i]);
}

#define PENDMAX 32 /* unguarded stacks a p holds back before it checks them */

/* A stack in the global lists has touched only its top page, and an unguarded one is reused only
 * after its gap was checked:
 *   - guarded: a goroutine that was deep at a switch or crossed the watermark (spmin) gives its pages
 *     back at once; a deep plain C call that returned before any switch is not seen, so the stacks that
 *     leave a p's cache for the global lists give back every page below the top one there (cache_put,
 *     release_batch);
 *   - unguarded: held back on p->spend and checked in batches of PENDMAX, or when the p is about to idle
 *     or needs a stack; held-back stacks are never reused, so a gap overrun is blamed on the goroutine
 *     that ended on the stack (its identity is kept in the record), at most PENDMAX ends late. */
void gocc_stack_free(gocc_p *p, gocc_g *g)
{
    gocc_stk *s = g->stk;
    if (s == mem.mainstk)
        return; /* the main goroutine's exit ends the process; its stack is never pooled */
    s->goid = g->goid;
    s->parentid = g->parentid;
    s->createsite = g->createsite;
    s->sigsp = 0;   /* a mark a handler left by siglongjmp (handler.c) is not the next goroutine's */
#if GOCC_RACE
    /* Race builds never reuse a stack: TSan would see the new goroutine's frames race with the old
     * one's (there is no way to clear its history of a range). Give the memory back and drop it. */
    if (!s->guarded)
        check_one_nop(s);
    stack_release_pages(s);
    (void)p;
    return;
#endif
    if (!p) {
        check_one_nop(s);
        memlock_acquire(&mem.lock);
        gocc_stk **l = s->guarded ? &mem.sfree : &mem.sfree_unguarded;
        s->next = *l;
        *l = s;
        memlock_release(&mem.lock);
        return;
    }
    if (!s->guarded) {
        s->next = p->spend;
        p->spend = s;
        if (++p->nspend >= PENDMAX)
            gocc_stack_flush(p);
        return;
    }
    if (s->spmin < (uintptr_t)(s->hi - GOCC_PAGE))
        stack_release_pages(s);
    cache_put(p, s);
}

uintptr_t gocc_stack_watermark(const gocc_stk *s)
{
    uintptr_t real = (uintptr_t)s->lo + GOCC_STACK_REDZONE, w = (uintptr_t)s->hi - WATERMARK;
    return w > real ? w : real;
}

int gocc_stack_deeper(gocc_g *g, uintptr_t sp)
{
    uintptr_t real = (uintptr_t)g->stk->lo + GOCC_STACK_REDZONE;
    if (g->guard == real || sp < real)
        return 0;
    g->guard = real;
    if (sp < g->stk->spmin)
        g->stk->spmin = sp;
    return 1;
}

static gocc_g *owner_found;
static const gocc_stk *owner_want;
static void find_owner(gocc_g *g, void *arg)
{
    (void)arg;
    if (g->stk == owner_want)
        owner_found = g;
}

/* The goroutine that runs on stack s (crash path only: walks every g). */
static gocc_g *stack_owner(const gocc_stk *s)
{
    owner_found = NULL;
    owner_want = s;
    gocc_g_foreach(find_owner, NULL);
    return owner_found;
}

/* The report's first lines; with created, the goroutine's creation site too (gocc_sched_die prints it
 * with the goroutine otherwise). */
static int overflow_text(const gocc_stk *s, long long goid, long long parentid, const gocc_site *createsite,
                         const char *how, int created, char *buf, size_t n)
{
    int len = snprintf(buf, n, "runtime: goroutine %lld stack overflow (%s; stack limit %zu bytes, GOCC_STACK raises it)\n"
                               "fatal error: goroutine stack overflow\n",
                       goid, how, (size_t)(s->hi - s->lo));
    if (created && createsite && len > 0 && (size_t)len < n)
        len += snprintf(buf + len, n - (size_t)len, "goroutine %lld was created by goroutine %lld at %s:%d\n", goid,
                        parentid, createsite->file, createsite->line);
    return len;
}

/* An unguarded stack's gap page is resident: the goroutine that last ended on s ran below its stack. */
static __attribute__((noreturn)) void gap_overflow(gocc_stk *s)
{
    char buf[512];
    int n = overflow_text(s, s->goid, s->parentid, s->createsite,
                          "it ran below its stack, into the unguarded gap: found after it ended", 1, buf, sizeof buf);
    if (n > 0 && write(2, buf, (size_t)n)) {}
    _exit(2);
}

int gocc_stack_holds(const gocc_stk *s, uintptr_t sp)
{
    size_t gap = s == mem.mainstk ? MAINGUARD : GUARD;
    return sp >= (uintptr_t)s->lo - gap && sp < (uintptr_t)s->hi;
}

gocc_stk *gocc_stack_find(uintptr_t addr, int *inguard)
{
    if (mem.mainstk && addr >= (uintptr_t)mem.mainmap && addr < (uintptr_t)mem.mainstk->hi) {
        *inguard = addr < (uintptr_t)mem.mainstk->lo;
        return mem.mainstk;
    }
    int nc = __atomic_load_n(&mem.nchunks, __ATOMIC_ACQUIRE);
    size_t ss = slotsize();
    for (int c = 0; c < nc; c++) {
        uintptr_t b = (uintptr_t)mem.chunks[c];
        if (addr < b || addr >= b + SLOTS * ss)
            continue;
        int i = (int)((addr - b) / ss);
        if (c == nc - 1 && i >= __atomic_load_n(&mem.carved, __ATOMIC_ACQUIRE))
            return NULL;
        gocc_stk *s = stkrecord(stacklo(c, i) + gocc_stack_size);
        /* In the gap: the overflow of stack i (a fault there means the gap is PROT_NONE). */
        *inguard = addr < (uintptr_t)stacklo(c, i);
        return s;
    }
    return NULL;
}

int gocc_stack_overflow_report(uintptr_t addr, uintptr_t sp, char *buf, size_t n)
{
    int inguard = 0;
    gocc_stk *s = gocc_stack_find(addr, &inguard);
    char how[128];
    if (s && inguard) {
        snprintf(how, sizeof how, "fault at %#lx in the guard gap below its stack", (unsigned long)addr);
        gocc_g *g = stack_owner(s);
        overflow_text(s, g ? g->goid : 0, 0, NULL, how, 0, buf, n);
        return 1;
    }
    /* A frame bigger than the gap: the fault lies further down (the stack below, or nothing mapped), but
     * the faulting thread's stack pointer is below its own goroutine's stack. */
    gocc_m *m = gocc_sched_m();
    gocc_g *g = m ? m->curg : NULL;
    if (g && g->stk && sp && sp < (uintptr_t)g->stk->lo && sp + ((size_t)1 << 30) > (uintptr_t)g->stk->lo) {
        snprintf(how, sizeof how, "stack pointer %#lx below its stack, fault at %#lx", (unsigned long)sp,
                 (unsigned long)addr);
        overflow_text(g->stk, g->goid, 0, NULL, how, 0, buf, n);
        return 1;
    }
    return 0;
}

/* The fatal-signal handlers and the per-thread signal stack are in signal.c, which classifies faults with
 * gocc_stack_overflow_report. */
void gocc_stack_init(void) { read_settings(); }

/* The program's own setting of the stack size (GOCC_STACK in code). Only until the first goroutine stack
 * is carved: every chunk's slots are spaced by one size (slotsize), which the pools, the overflow
 * classification and the gdb script rely on, so a later change would need per-chunk sizes and pools per
 * size. Before that, no reader uses gocc_stack_size, and the first carve reads it under mem.lock. */
long runtime_set_stack_size(long bytes)
{
    if (bytes < (long)MINSTACK || bytes > (long)MAXSTACK)
        return -1;
    long old = -1;
    memlock_acquire(&mem.lock);
    if (!mem.nchunks) {
        old = (long)gocc_stack_size;
        gocc_stack_size = ((size_t)bytes + GOCC_PAGE - 1) & ~(size_t)(GOCC_PAGE - 1);
    }
    memlock_release(&mem.lock);
    return old;
}
