/*
 * stack.c - goroutine memory: g records and stacks.
 *
 * g records are carved from slabs (dense: 16 a page) and never freed, so the
 * deadlock report can walk them all. A stack is bound to a g only when the g
 * first runs and goes back to the pool when it exits: a program that spawns a
 * million goroutines which finish quickly touches a few warm stacks, not a
 * million fresh pages (a first touch costs 12-40 us on this kind of VM).
 *
 * Stacks are carved in order out of chunks of STACKS_PER_CHUNK stacks, each
 * chunk one MAP_NORESERVE mapping with a PROT_NONE gap (CHUNKGUARD) at its bottom, so a
 * million parked goroutines need a few thousand mappings, not one per stack
 * (the kernel allows 65530). Stacks of the first chunk also get a guard page
 * each (an overflow there faults at once); the others rely on the function-
 * entry check of .gc code and on a canary: the top word of every carved stack
 * holds GOCC_CANARY, and since the stack below a stack is where an overflow
 * lands, the canary under lo is checked whenever the goroutine switches out.
 *
 * Invariants:
 *   - Carved stacks and g records are never unmapped.
 *   - A pooled stack has touched only its top page unless spmin says
 *     otherwise: freeing a stack that went deeper gives the pages below back
 *     (madvise), so pooled and parked goroutines cost about one page each.
 *   - Pools are per p (no lock) with global overflow lists (mem.lock).
 *
 * The main goroutine is different: plain C code runs there (LANGUAGE.md: a
 * program without the constructs behaves as with cc), so it gets a stack as
 * large as the process's own would have been (RLIMIT_STACK's soft limit,
 * within [GOCC_STACK_SIZE, MAINSTACK_MAX]) in a mapping of its own, never
 * pooled, with a MAINGUARD-byte PROT_NONE gap below it, as wide as the
 * kernel's stack guard gap so that a large frame cannot jump over it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sched_impl.h"

#ifndef GOCC_RACE
#define GOCC_RACE 0
#endif

#define STACKS_PER_CHUNK 512
#define MAXCHUNKS 16384
#define GUARDED_CHUNKS 1
#define GSLAB ((size_t)2 << 20)                 /* bytes per g slab */
#define MAXSLABS 65536
#define LOCALMAX 64
#define MAINSTACK_MAX ((size_t)64 << 20)
#define MAINGUARD ((size_t)1 << 20)
/* PROT_NONE gap below every chunk: its bottom stack is often the first goroutine's (the main goroutine
 * has its own stack), and a large frame there must fault in a guard, not in whatever is mapped below. */
#define CHUNKGUARD ((size_t)1 << 20)

static struct {
    gocc_lock lock;             /* guards the free lists and carving */
    gocc_g *gfree;
    gocc_stk *sfree;
    char *chunks[MAXCHUNKS];    /* published with release stores; read by the signal handler */
    int nchunks;
    int carved;                 /* stacks carved from chunks[nchunks-1] */
    char *slabs[MAXSLABS];
    int nslabs;
    int gcarved;                /* records carved from slabs[nslabs-1] */
    char *mainmap;              /* the main goroutine's mapping (guard gap, then stack); set once at start */
    gocc_stk *mainstk;
} mem;

#define GPERSLAB ((int)(GSLAB / sizeof(gocc_g)))

static char *stackbase(int chunk, int i) { return mem.chunks[chunk] + CHUNKGUARD + (size_t)i * GOCC_STACK_SIZE; }
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

/* mem.lock held. */
static gocc_g *gcarve(void)
{
    if (!mem.nslabs || mem.gcarved == GPERSLAB) {
        if (mem.nslabs == MAXSLABS)
            return NULL;
        char *s = mmap(NULL, GSLAB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (s == MAP_FAILED)
            return NULL;
        mem.slabs[mem.nslabs] = s;
        mem.gcarved = 0;
        __atomic_store_n(&mem.nslabs, mem.nslabs + 1, __ATOMIC_RELEASE);
    }
    gocc_g *g = (gocc_g *)mem.slabs[mem.nslabs - 1] + mem.gcarved;
    __atomic_store_n(&mem.gcarved, mem.gcarved + 1, __ATOMIC_RELEASE);
    return g;
}

gocc_g *gocc_g_alloc(gocc_p *p)
{
    gocc_g *g;
    if (p && (g = p->gfree)) {
        p->gfree = g->schedlink;
        p->ngfree--;
        return g;
    }
    gocc_lock_acquire(&mem.lock);
    if (p) {
        while (mem.gfree && p->ngfree < LOCALMAX / 2) {
            g = mem.gfree;
            mem.gfree = g->schedlink;
            g->schedlink = p->gfree;
            p->gfree = g;
            p->ngfree++;
        }
        if ((g = p->gfree)) {
            p->gfree = g->schedlink;
            p->ngfree--;
            gocc_lock_release(&mem.lock);
            return g;
        }
    } else if ((g = mem.gfree)) {
        mem.gfree = g->schedlink;
        gocc_lock_release(&mem.lock);
        return g;
    }
    g = gcarve();
    gocc_lock_release(&mem.lock);
    if (!g)
        nomem("goroutine");
    return g;
}

void gocc_g_free(gocc_p *p, gocc_g *g)
{
    __atomic_store_n(&g->status, G_FREE, __ATOMIC_RELEASE);
    if (p) {
        g->schedlink = p->gfree;
        p->gfree = g;
        if (++p->ngfree <= LOCALMAX)
            return;
        gocc_g *head = NULL;
        while (p->ngfree > LOCALMAX / 2) {
            gocc_g *x = p->gfree;
            p->gfree = x->schedlink;
            p->ngfree--;
            x->schedlink = head;
            head = x;
        }
        gocc_lock_acquire(&mem.lock);
        while (head) {
            gocc_g *x = head;
            head = x->schedlink;
            x->schedlink = mem.gfree;
            mem.gfree = x;
        }
        gocc_lock_release(&mem.lock);
        return;
    }
    gocc_lock_acquire(&mem.lock);
    g->schedlink = mem.gfree;
    mem.gfree = g;
    gocc_lock_release(&mem.lock);
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

/* mem.lock held. */
static gocc_stk *carve(void)
{
    if (!mem.nchunks || mem.carved == STACKS_PER_CHUNK) {
        if (mem.nchunks == MAXCHUNKS)
            return NULL;
        size_t len = CHUNKGUARD + STACKS_PER_CHUNK * GOCC_STACK_SIZE;
        char *c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (c == MAP_FAILED)
            return NULL;
        mprotect(c, CHUNKGUARD, PROT_NONE);
        mem.chunks[mem.nchunks] = c;
        mem.carved = 0;
        __atomic_store_n(&mem.nchunks, mem.nchunks + 1, __ATOMIC_RELEASE);
    }
    int ci = mem.nchunks - 1, i = mem.carved;
    char *base = stackbase(ci, i), *hi = base + GOCC_STACK_SIZE;
    int guarded = ci < GUARDED_CHUNKS && i > 0 && mprotect(base, GOCC_PAGE, PROT_NONE) == 0;
    gocc_stk *s = stkrecord(hi);
    s->lo = guarded ? base + GOCC_PAGE : base;
    s->hi = hi;
    s->spmin = (uintptr_t)s;
    s->next = NULL;
    s->guarded = guarded || i == 0;
    s->chunkidx = i;
    s->canary = GOCC_CANARY;
    __atomic_store_n(&mem.carved, i + 1, __ATOMIC_RELEASE);
    return s;
}

gocc_stk *gocc_stack_alloc(gocc_p *p)
{
    gocc_stk *s;
    if (p && (s = p->sfree)) {
        p->sfree = s->next;
        p->nsfree--;
        return s;
    }
    gocc_lock_acquire(&mem.lock);
    if (p) {
        while (mem.sfree && p->nsfree < LOCALMAX / 2) {
            s = mem.sfree;
            mem.sfree = s->next;
            s->next = p->sfree;
            p->sfree = s;
            p->nsfree++;
        }
        if ((s = p->sfree)) {
            p->sfree = s->next;
            p->nsfree--;
            gocc_lock_release(&mem.lock);
            return s;
        }
    } else if ((s = mem.sfree)) {
        mem.sfree = s->next;
        gocc_lock_release(&mem.lock);
        return s;
    }
    s = carve();
    gocc_lock_release(&mem.lock);
    if (!s)
        nomem("goroutine stack");
    return s;
}

gocc_stk *gocc_stack_main(void)
{
    size_t size = (size_t)8 << 20;
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0)
        size = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > MAINSTACK_MAX ? MAINSTACK_MAX : (size_t)rl.rlim_cur;
    if (size < GOCC_STACK_SIZE)
        size = GOCC_STACK_SIZE;
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

void gocc_stack_free(gocc_p *p, gocc_stk *s)
{
    if (s == mem.mainstk)
        return; /* the main goroutine's exit ends the process; its stack is never pooled */
    char *keep = s->hi - GOCC_PAGE;
#if GOCC_RACE
    /* Race builds never reuse a stack: TSan would see the new goroutine's frames race with the old
     * one's (there is no way to clear its history of a range). Give the memory back and drop it. */
    madvise(s->lo, (size_t)(keep - s->lo), MADV_DONTNEED);
    (void)p;
    return;
#endif
    if (s->spmin < (uintptr_t)keep)
        madvise(s->lo, (size_t)(keep - s->lo), MADV_DONTNEED);
    s->spmin = (uintptr_t)s;
    if (p) {
        s->next = p->sfree;
        p->sfree = s;
        if (++p->nsfree <= LOCALMAX)
            return;
        gocc_stk *head = NULL;
        while (p->nsfree > LOCALMAX / 2) {
            gocc_stk *x = p->sfree;
            p->sfree = x->next;
            p->nsfree--;
            x->next = head;
            head = x;
        }
        gocc_lock_acquire(&mem.lock);
        while (head) {
            gocc_stk *x = head;
            head = x->next;
            x->next = mem.sfree;
            mem.sfree = x;
        }
        gocc_lock_release(&mem.lock);
        return;
    }
    gocc_lock_acquire(&mem.lock);
    s->next = mem.sfree;
    mem.sfree = s;
    gocc_lock_release(&mem.lock);
}

void gocc_stack_check(gocc_g *g)
{
    gocc_stk *s = g->stk;
    if (s->guarded || *(uint64_t *)(s->lo - 8) == GOCC_CANARY)
        return;
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "runtime: goroutine %lld wrote below its stack (outside .gc code)\n"
                     "fatal error: goroutine stack overflow\n\ngoroutine %lld:\n", g->goid, g->goid);
    if (g->createsite)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "created by goroutine %lld at %s:%d\n", g->parentid,
                      g->createsite->file, g->createsite->line);
    if (write(2, buf, (size_t)n)) {}
    _exit(2);
}

gocc_stk *gocc_stack_find(uintptr_t addr, int *inguard)
{
    if (mem.mainstk && addr >= (uintptr_t)mem.mainmap && addr < (uintptr_t)mem.mainstk->hi) {
        *inguard = addr < (uintptr_t)mem.mainstk->lo;
        return mem.mainstk;
    }
    int nc = __atomic_load_n(&mem.nchunks, __ATOMIC_ACQUIRE);
    for (int c = 0; c < nc; c++) {
        uintptr_t b = (uintptr_t)mem.chunks[c];
        if (addr < b || addr >= b + CHUNKGUARD + (uintptr_t)STACKS_PER_CHUNK * GOCC_STACK_SIZE)
            continue;
        if (addr < b + CHUNKGUARD) {
            *inguard = 1;
            return stkrecord(stackbase(c, 0) + GOCC_STACK_SIZE);
        }
        int i = (int)((addr - b - CHUNKGUARD) / GOCC_STACK_SIZE);
        gocc_stk *s = stkrecord(stackbase(c, i) + GOCC_STACK_SIZE);
        *inguard = addr < (uintptr_t)stackbase(c, i) + GOCC_PAGE && c < GUARDED_CHUNKS;
        return s;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* fatal signals                                                       */

static void sigfatal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    uintptr_t addr = (uintptr_t)si->si_addr;
    int inguard = 0;
    gocc_stk *s = gocc_stack_find(addr, &inguard);
    char buf[256];
    int n;
    if (s && inguard && (sig == SIGSEGV || sig == SIGBUS))
        n = snprintf(buf, sizeof buf, "runtime: goroutine stack overflow at address %#lx\n"
                     "fatal error: goroutine stack overflow", (unsigned long)addr);
    else
        n = snprintf(buf, sizeof buf, "fatal error: unexpected signal %s at address %#lx",
                     sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig == SIGFPE ? "SIGFPE" : "SIGILL",
                     (unsigned long)addr);
    buf[n] = 0;
    gocc_sched_die(buf, NULL);
}

void gocc_stack_sigsetup(void)
{
    stack_t ss;
    ss.ss_size = 64 * 1024;
    ss.ss_sp = malloc(ss.ss_size);
    ss.ss_flags = 0;
    if (ss.ss_sp)
        sigaltstack(&ss, NULL);
}

void gocc_stack_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = sigfatal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
}
