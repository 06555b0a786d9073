/*
 * sched.c - the goroutine scheduler: Ms (threads) run Gs (goroutines) while
 * they hold Ps (processors); see sched_impl.h for the three records.
 *
 * Invariants:
 *   - A g is on at most one queue: a p's runnext, a p's runq, the global runq,
 *     or a waiter list of its own (channels, sync, timers). Only a G_WAITING g
 *     may be readied, and whoever readies it owns the transition.
 *   - Goroutines switch only to their m's g0 and back (g -> g0 -> g'): the
 *     post-switch work (releasing a parker's lock, requeueing a yielder, freeing
 *     a dead stack) runs on g0, once the old g is off its stack.
 *   - A p is in exactly one place: held by one m (PS_SCHED / PS_USER), on the
 *     idle list (PS_IDLE, sched.lock), or in flight to an m (m->nextp).
 *   - A p with work in its queues never sits idle with nobody spinning: whoever
 *     adds stealable work calls wakep(), and a spinning m that gives up
 *     rechecks every queue after dropping its p (no lost wake-ups).
 *   - Wake-ups stay on the thread when they can: a readied goroutine goes to
 *     runnext and wakes no other thread; only work that sits in a runq (which
 *     others may steal) wakes an idle p. A new goroutine (gocc_go) is the
 *     exception, as in Go: it also goes to runnext but always calls wakep(),
 *     and a spinning m's last steal round takes a running p's runnext after
 *     a grace period (runnextsteal).
 *   - sched.nlost counts ms that run a goroutine after sysmon took their p.
 *     The deadlock check needs every p idle, nlost == 0, an empty global queue
 *     and no armed or firing timer. It runs whenever one of those becomes true:
 *     a p going idle (pidleput), a lost m finding no p, and the timer thread
 *     when its last active timer's callback returns.
 *
 * TLS: a goroutine may resume on another thread, so nothing on a goroutine
 * stack may keep a TLS address across a switch. Goroutine-side code learns its
 * m from getm() (an opaque call) and, after a switch, from the transfer.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "netpoll.h"
#include "race.h"
#include "sched_impl.h"

#ifndef GOCC_RACE
#define GOCC_RACE 0
#endif

enum { PS_IDLE = 0, PS_SCHED = 1, PS_USER = 2 };
#define PSTATE(m, s) (((uint64_t)(m)->id << 2) | (s))

#define SLICE_NS (10 * 1000000LL)    /* preemption time slice */
#define HANDOFF_NS (20 * 1000000LL)  /* a p stuck this long in user code is handed to another m */
#define SYSMON_NS (2 * 1000000LL)

__thread uintptr_t gocc_sched_stack_guard;
volatile int gocc_sched_preempt_flag;

static __thread gocc_m *tls_m;          /* this thread's m; NULL on others */
static __thread gocc_g *tls_threadg;    /* a plain thread's waiter record */
static __thread unsigned tls_rand;

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define RLOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define RSTORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define CAS(x, o, n) __atomic_compare_exchange_n(&(x), &(o), (n), 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_ACQ_REL)

static struct {
    gocc_lock lock;             /* guards runq*, pidle, midle, sysmonwait; counters are atomic for readers */
    gocc_g *runqhead, *runqtail;
    int runqsize;
    gocc_p *pidle;
    int npidle;
    gocc_m *midle;
    int nmspinning;
    int nlost;
    int mcount;
    int nprocs;                 /* GOMAXPROCS: ps 0..nprocs-1 are in use; atomic for readers */
    int allocp;                 /* ps allocated; those past nprocs are retired or retiring */
    gocc_p **allp;
    long long goidgen;
    long long nfree_created;    /* goroutines created/exited without a p */
    long long nfree_exited;
    int deadpending;            /* all asleep, but a thread of the program's own may still wake someone */
    int sysmonwait;             /* sysmon sleeps until a p leaves the idle list */
    int sysmonfutex;
    int ncpu;
} sched;

/* ------------------------------------------------------------------ */
/* small things                                                        */

static void futex_wait(int *addr, int val, gocc_int64 ns)
{
    struct timespec ts, *tsp = NULL;
    if (ns >= 0) {
        ts.tv_sec = ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        tsp = &ts;
    }
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, tsp, NULL, 0);
}

static void futex_wake(int *addr) { syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

gocc_int64 gocc_sched_nanotime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (gocc_int64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void gocc_lock_acquire(gocc_lock *l)
{
    for (int i = 0;; i++) {
        if (!RLOAD(l->v) && !__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
            break;
        if (i < 64)
            __builtin_ia32_pause();
        else
            sched_yield();
    }
}

/* Runtime locks carry no happens-before edge for the race detector: what the program may rely on
 * (e.g. WaitGroup Done->Wait, but not Done->a later Add) is announced explicitly where it happens. */
void gocc_lock_release(gocc_lock *l) { __atomic_store_n(&l->v, 0, __ATOMIC_RELEASE); }

/* The calling thread's m, re-read at every call: never cached across a switch. */
__attribute__((noinline)) gocc_m *gocc_sched_m(void)
{
    gocc_m *m;
    __asm__ volatile("" ::: "memory");
    m = tls_m;
    __asm__ volatile("" : "+r"(m) :: "memory");
    return m;
}
#define getm gocc_sched_m

unsigned gocc_sched_rand(void)
{
    unsigned x = tls_rand;
    if (!x)
        x = (unsigned)(uintptr_t)&x ^ (unsigned)gocc_sched_nanotime() ^ 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    tls_rand = x;
    return x;
}

/* ------------------------------------------------------------------ */
/* run queues                                                          */

/* The global queue. sched.lock held. */
static void globrunqput(gocc_g *g)
{
    g->schedlink = NULL;
    if (sched.runqtail)
        sched.runqtail->schedlink = g;
    else
        sched.runqhead = g;
    sched.runqtail = g;
    RSTORE(sched.runqsize, sched.runqsize + 1);
}

/* Takes a share of the global queue for p: returns one, puts more in p's runq.
 * sched.lock held; p held. */
static void runqput(gocc_p *p, gocc_g *g, int next);
static gocc_g *globrunqget(gocc_p *p, int max)
{
    int n = sched.runqsize;
    if (!n)
        return NULL;
    n = n / LOAD(sched.nprocs) + 1;
    if (n > sched.runqsize)
        n = sched.runqsize;
    if (max > 0 && n > max)
        n = max;
    if (n > GOCC_RUNQ / 2)
        n = GOCC_RUNQ / 2;
    RSTORE(sched.runqsize, sched.runqsize - n);
    gocc_g *g = sched.runqhead;
    sched.runqhead = g->schedlink;
    while (--n > 0) {
        gocc_g *g1 = sched.runqhead;
        sched.runqhead = g1->schedlink;
        runqput(p, g1, 0);
    }
    if (!sched.runqhead)
        sched.runqtail = NULL;
    return g;
}

/* Moves half of p's full runq and g to the global queue. p held. */
static int runqputslow(gocc_p *p, gocc_g *g, uint32_t h, uint32_t t)
{
    gocc_g *batch[GOCC_RUNQ / 2 + 1];
    uint32_t n = (t - h) / 2;
    for (uint32_t i = 0; i < n; i++)
        batch[i] = RLOAD(p->runq[(h + i) % GOCC_RUNQ]);
    if (!__atomic_compare_exchange_n(&p->runqhead, &h, h + n, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        return 0;
    batch[n] = g;
    gocc_lock_acquire(&sched.lock);
    for (uint32_t i = 0; i <= n; i++)
        globrunqput(batch[i]);
    gocc_lock_release(&sched.lock);
    return 1;
}

/* p held. next: g goes to runnext and the old runnext (if any) to the tail. */
static void runqput(gocc_p *p, gocc_g *g, int next)
{
    if (next) {
        gocc_g *old = __atomic_exchange_n(&p->runnext, g, __ATOMIC_ACQ_REL);
        if (!old)
            return;
        g = old;
    }
    for (;;) {
        uint32_t h = LOAD(p->runqhead), t = p->runqtail;
        if (t - h < GOCC_RUNQ) {
            RSTORE(p->runq[t % GOCC_RUNQ], g);
            STORE(p->runqtail, t + 1);
            return;
        }
        if (runqputslow(p, g, h, t))
            return;
    }
}

/* p held. *inherit: g came from runnext and shares the current time slice. */
static gocc_g *runqget(gocc_p *p, int *inherit)
{
    gocc_g *g = LOAD(p->runnext);
    if (g && __atomic_compare_exchange_n(&p->runnext, &g, NULL, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
        *inherit = 1;
        return g;
    }
    *inherit = 0;
    for (;;) {
        uint32_t h = LOAD(p->runqhead), t = p->runqtail;
        if (t == h)
            return NULL;
        g = RLOAD(p->runq[h % GOCC_RUNQ]);
        if (__atomic_compare_exchange_n(&p->runqhead, &h, h + 1, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            return g;
    }
}

static int runqempty(gocc_p *p)
{
    return LOAD(p->runqhead) == LOAD(p->runqtail) && !LOAD(p->runnext);
}

/* Takes victim's runnext when victim is running a goroutine and its runq is empty (the last steal
 * round). First a grace period of a few microseconds: the goroutine that set runnext is likely about
 * to block and let its own thread run it, which keeps ping-pong hand-offs on one thread (Go's runqgrab
 * sleeps 3 us likewise). p held. */
static gocc_g *runnextsteal(gocc_p *victim)
{
    gocc_g *g = LOAD(victim->runnext);
    if (!g || (LOAD(victim->state) & 3) != PS_USER)
        return NULL;
    gocc_int64 until = gocc_sched_nanotime() + 3000;
    while (gocc_sched_nanotime() < until) {
        __builtin_ia32_pause();
        if (LOAD(victim->runnext) != g)
            return NULL;
    }
    if ((LOAD(victim->state) & 3) != PS_USER ||
        !__atomic_compare_exchange_n(&victim->runnext, &g, NULL, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return NULL;
    return g;
}

/* Steals half of victim's runq into p's; returns one g to run. p held. */
static gocc_g *runqsteal(gocc_p *p, gocc_p *victim)
{
    gocc_g *batch[GOCC_RUNQ / 2];
    uint32_t n;
    for (;;) {
        uint32_t h = LOAD(victim->runqhead), t = LOAD(victim->runqtail);
        n = t - h;
        n -= n / 2;
        if (!n)
            return NULL;
        if (n > GOCC_RUNQ / 2)
            continue; /* inconsistent snapshot */
        for (uint32_t i = 0; i < n; i++)
            batch[i] = RLOAD(victim->runq[(h + i) % GOCC_RUNQ]);
        if (__atomic_compare_exchange_n(&victim->runqhead, &h, h + n, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            break;
    }
    for (uint32_t i = 1; i < n; i++)
        runqput(p, batch[i], 0);
    return batch[0];
}

/* ------------------------------------------------------------------ */
/* ps and ms                                                           */

static void checkdead(void);
static void retirep(gocc_m *m, gocc_p *p);
static int retiring(void);

/* sched.lock held. */
static void pidleput(gocc_p *p)
{
    STORE(p->state, (uint64_t)PS_IDLE);
    p->m = NULL;
    if (p->id >= sched.nprocs) {
        p->retired = 1; /* GOMAXPROCS went down: off the idle list until it goes up again */
        checkdead();
        return;
    }
    p->link = sched.pidle;
    sched.pidle = p;
    ADD(sched.npidle, 1);
    checkdead();
}

/* sched.lock held. Wakes sysmon if it slept because every p was idle. */
static gocc_p *pidleget(void)
{
    gocc_p *p = sched.pidle;
    if (p) {
        sched.pidle = p->link;
        ADD(sched.npidle, -1);
        if (sched.sysmonwait) {
            sched.sysmonwait = 0;
            STORE(sched.sysmonfutex, 1);
            futex_wake(&sched.sysmonfutex);
        }
    }
    return p;
}

static void acquirep(gocc_m *m, gocc_p *p)
{
    m->p = p;
    p->m = m;
    STORE(p->state, PSTATE(m, PS_SCHED));
}

static void *mstart(void *arg);

/* Starts an m (idle or new) that holds p. */
static void startm(gocc_p *p, int spinning)
{
    gocc_lock_acquire(&sched.lock);
    gocc_m *m = sched.midle;
    if (m)
        sched.midle = m->link;
    gocc_lock_release(&sched.lock);
    if (!m) {
        m = calloc(1, sizeof *m);
        if (!m)
            abort();
        m->id = ADD(sched.mcount, 1);
        m->nextp = p;
        m->spinning = spinning;
        pthread_t th;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &a, mstart, m)) {
            static const char msg[] = "fatal error: cannot create a thread\n";
            if (write(2, msg, sizeof msg - 1)) {}
            _exit(2);
        }
        pthread_attr_destroy(&a);
        return;
    }
    m->nextp = p;
    m->spinning = spinning;
    STORE(m->futex, 1);
    futex_wake(&m->futex);
}

/* Gets an idle p running if there is one and nobody is already looking for work. */
static void wakep(void)
{
    if (!LOAD(sched.npidle))
        return;
    int zero = 0;
    if (LOAD(sched.nmspinning) || !CAS(sched.nmspinning, zero, 1))
        return;
    gocc_lock_acquire(&sched.lock);
    gocc_p *p = pidleget();
    gocc_lock_release(&sched.lock);
    if (!p) {
        ADD(sched.nmspinning, -1);
        return;
    }
    startm(p, 1);
}

/* m holds no p: sleeps until someone hands it one. */
static void stopm(gocc_m *m)
{
    gocc_lock_acquire(&sched.lock);
    m->link = sched.midle;
    sched.midle = m;
    gocc_lock_release(&sched.lock);
    while (!LOAD(m->futex))
        futex_wait(&m->futex, 0, -1);
    STORE(m->futex, 0);
    gocc_p *p = m->nextp;
    m->nextp = NULL;
    acquirep(m, p);
}

/* g0: p's id is past GOMAXPROCS: hands its queued goroutines to the global queue and retires it; m
 * takes an idle p or sleeps. m holds p. */
static void retirep(gocc_m *m, gocc_p *p)
{
    if (m->spinning) {
        m->spinning = 0;
        ADD(sched.nmspinning, -1);
    }
    gocc_lock_acquire(&sched.lock);
    gocc_g *g;
    int inherit;
    while ((g = runqget(p, &inherit)))
        globrunqput(g);
    m->p = NULL;
    pidleput(p);
    gocc_p *np = pidleget();
    gocc_lock_release(&sched.lock);
    if (np)
        acquirep(m, np);
    else
        stopm(m);
}

/* Goroutine side: makes m's p usable from a goroutine stack (PS_USER -> PS_SCHED).
 * NULL when sysmon took the p; the m then runs on without one until its goroutine switches out. */
static gocc_p *enterp(gocc_m *m)
{
    gocc_p *p = m->p;
    if (!p)
        return NULL;
    uint64_t st = PSTATE(m, PS_USER);
    if (CAS(p->state, st, PSTATE(m, PS_SCHED)))
        return p;
    m->p = NULL;
    m->lostp = 1;
    return NULL;
}

static void leavep(gocc_m *m, gocc_p *p) { STORE(p->state, PSTATE(m, PS_USER)); }

/* Wakes a p if p's runq holds work others could steal. */
static void wakeifwork(gocc_p *p)
{
    if (LOAD(p->runqhead) != LOAD(p->runqtail))
        wakep();
}

/* ------------------------------------------------------------------ */
/* race builds: TSan fibers                                            */

#if GOCC_RACE
/* Each running goroutine has a TSan fiber, which TSan treats as a thread: whatever one fiber does is
 * ordered by program order. A fiber per goroutine would be exact, but creating and destroying them
 * costs milliseconds each (TSan resets its slots), so exited goroutines' fibers are reused, oldest
 * first, and only once RACEFIBER_SPARE newer ones wait in the pool. The price: a goroutine is ordered
 * after the goroutine whose fiber it took, which exited at least RACEFIBER_SPARE exits earlier. (Reuse
 * of the last exited goroutine's fiber used to hide the race of a goroutine with the one that ran just
 * before it, e.g. two increments separated only by WaitGroup Done and a later Add.) */
#define RACEFIBER_SPARE 64
static struct {
    gocc_lock lock;             /* guards the ring */
    void **ring;
    int head, n, cap;
} fibers;

static void *racefiber_get(void)
{
    void *f = NULL;
    gocc_lock_acquire(&fibers.lock);
    if (fibers.n > RACEFIBER_SPARE) {
        f = fibers.ring[fibers.head];
        fibers.head = (fibers.head + 1) % fibers.cap;
        fibers.n--;
    }
    gocc_lock_release(&fibers.lock);
    return f ? f : race_fiber_create();
}

/* Not g's own fiber's code: the caller runs on another fiber. */
static void racefiber_put(void *f)
{
    gocc_lock_acquire(&fibers.lock);
    if (fibers.n == fibers.cap) {
        int cap = fibers.cap ? 2 * fibers.cap : 2 * RACEFIBER_SPARE;
        void **r = malloc((size_t)cap * sizeof *r);
        if (!r)
            abort();
        for (int i = 0; i < fibers.n; i++)
            r[i] = fibers.ring[(fibers.head + i) % fibers.cap];
        /* The old ring is not freed: TSan sees malloc and free as writes of whichever goroutine
         * runs the runtime, and runtime locks give it no edges. Growth doubles: the leak stays
         * below the ring's final size. */
        fibers.ring = r;
        fibers.head = 0;
        fibers.cap = cap;
    }
    fibers.ring[(fibers.head + fibers.n) % fibers.cap] = f;
    fibers.n++;
    gocc_lock_release(&fibers.lock);
}
#else
#define racefiber_get() NULL
#define racefiber_put(f) ((void)(f))
#endif

/* ------------------------------------------------------------------ */
/* switching                                                           */

/* Goroutine side: hands control to g0 with op; returns the m that resumed us. */
static gocc_m *gswitch(gocc_m *m, int op)
{
    gocc_g *g = m->curg;
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (sp < g->stk->spmin)
        g->stk->spmin = sp;
    m->op = op;
    race_fiber_switch(m->g0fiber);
    transfer_t t = jump_fcontext(m->g0ctx, NULL);
    gocc_m *nm = t.data;
    nm->g0ctx = t.fctx;
    return nm;
}

static void goexit(void) __attribute__((noreturn));

static void gentry(transfer_t t)
{
    gocc_m *m = t.data;
    m->g0ctx = t.fctx;
    gocc_g *g = m->curg;
    race_acq(g->arg);
    g->fn(g->arg);
    goexit();
}

static void goexit(void)
{
    gocc_m *m = getm();
    gocc_g *g = m->curg;
    /* Freed by g itself: for the race detector the free follows g's own uses of its argument. */
    if (g->arg != g->argbuf)
        free(g->arg);
    g->arg = NULL;
    gswitch(m, OP_EXIT);
    __builtin_unreachable();
}

/* g0: runs g until it switches back, then finishes what it asked for. m holds its p (PS_SCHED). */
static void execute(gocc_m *m, gocc_g *g, int inherit)
{
    gocc_p *p = m->p;
    if (!g->ctx) {
        /* First run: only now does g need a stack (the main goroutine brings its own). */
        gocc_stk *s = g->stk ? g->stk : gocc_stack_alloc(p);
        g->stk = s;
        g->guard = (uintptr_t)s->lo + GOCC_STACK_REDZONE;
        char *top = (char *)((uintptr_t)s & ~(uintptr_t)63);
        g->ctx = make_fcontext(top, (size_t)(top - s->lo), gentry);
    }
    m->curg = g;
    g->status = G_RUNNING;
    RSTORE(p->preempt, 0);
    if (!inherit)
        RSTORE(p->schedtick, p->schedtick + 1);
    RSTORE(p->switchtick, p->switchtick + 1);
    RSTORE(gocc_sched_stack_guard, g->guard);
#if GOCC_RACE
    while (LOAD(g->racebusy))
        __builtin_ia32_pause();
#endif
    race_fiber_switch(g->racefiber);
    STORE(p->state, PSTATE(m, PS_USER));
    transfer_t t = jump_fcontext(g->ctx, m);
    g->ctx = t.fctx;
    RSTORE(gocc_sched_stack_guard, 0);
    m->curg = NULL;
    p = m->p;
    if (p) {
        uint64_t st = PSTATE(m, PS_USER);
        if (!CAS(p->state, st, PSTATE(m, PS_SCHED))) {
            m->p = p = NULL;
            m->lostp = 1;
        }
    }
    gocc_stack_check(g);
    switch (m->op) {
    case OP_PARK:
        STORE(g->status, G_WAITING);
        if (m->unlockf) {
#if GOCC_RACE
            /* The unlock is the parked goroutine's act: its writes before parking happen before whoever
             * takes the lock next, so the race detector must see g's fiber do it. g may be readied and
             * resumed elsewhere as soon as the lock is free; racebusy keeps that thread off g's fiber
             * until we have left it. */
            STORE(g->racebusy, 1);
            race_fiber_switch(g->racefiber);
            m->unlockf(m->unlockarg);
            race_fiber_switch(m->g0fiber);
            STORE(g->racebusy, 0);
#else
            m->unlockf(m->unlockarg);
#endif
        }
        break;
    case OP_YIELD:
    case OP_PREEMPT:
        g->status = G_RUNNABLE;
        if (p && m->op == OP_YIELD) {
            runqput(p, g, 0);
        } else {
            gocc_lock_acquire(&sched.lock);
            globrunqput(g);
            gocc_lock_release(&sched.lock);
            if (!p)
                wakep();
        }
        break;
    case OP_EXIT:
        g->status = G_DEAD;
        /* We are on g0's fiber: g's may go back to the pool. */
        racefiber_put(g->racefiber);
        g->racefiber = NULL;
        if (p)
            RSTORE(p->nexited, p->nexited + 1);
        else
            ADD(sched.nfree_exited, 1);
        gocc_stack_free(p, g->stk);
        g->stk = NULL;
        gocc_g_free(p, g);
        break;
    }
    m->op = OP_NONE;
    if (m->lostp) {
        /* Our p went to another m while g was blocked outside the scheduler: find another or sleep. */
        m->lostp = 0;
        gocc_lock_acquire(&sched.lock);
        ADD(sched.nlost, -1);
        gocc_p *np = pidleget();
        if (!np)
            checkdead();
        gocc_lock_release(&sched.lock);
        if (np)
            acquirep(m, np);
        else
            stopm(m);
    }
}

/* g0: finds a goroutine to run; m holds a p on return. */
static gocc_g *findrunnable(gocc_m *m, int *inherit)
{
    gocc_g *g;
    int np;
top:;
    np = LOAD(sched.nprocs);
    gocc_p *p = m->p;
    *inherit = 0;
    if (p->id >= np) {
        retirep(m, p);
        goto top;
    }
    if (RLOAD(p->preempt)) {
        /* The slice ran out inside a hand-off chain through runnext: requeue it behind the others. */
        RSTORE(p->preempt, 0);
        g = __atomic_exchange_n(&p->runnext, NULL, __ATOMIC_ACQ_REL);
        if (g)
            runqput(p, g, 0);
    }
    if (p->schedtick % 61 == 0 && RLOAD(sched.runqsize)) {
        gocc_lock_acquire(&sched.lock);
        g = globrunqget(p, 1);
        gocc_lock_release(&sched.lock);
        if (g)
            goto found;
    }
    if ((g = runqget(p, inherit)))
        goto found;
    if (RLOAD(sched.runqsize)) {
        gocc_lock_acquire(&sched.lock);
        g = globrunqget(p, 0);
        gocc_lock_release(&sched.lock);
        if (g)
            goto found;
    }
    /* Steal, but keep the number of spinning ms at most half the busy ps. */
    if (np > 1 && (m->spinning || 2 * LOAD(sched.nmspinning) < np - LOAD(sched.npidle))) {
        if (!m->spinning) {
            m->spinning = 1;
            ADD(sched.nmspinning, 1);
        }
        for (int round = 0; round < 4; round++) {
            int off = (int)(gocc_sched_rand() % (unsigned)np);
            for (int i = 0; i < np; i++) {
                gocc_p *v = sched.allp[(off + i) % np];
                if (v != p && ((g = runqsteal(p, v)) || (round == 3 && (g = runnextsteal(v)))))
                    goto found;
            }
        }
    }
    /* Nothing: give up the p. */
    gocc_lock_acquire(&sched.lock);
    if (sched.runqsize) {
        g = globrunqget(p, 0);
        gocc_lock_release(&sched.lock);
        goto found;
    }
    m->p = NULL;
    int wasspinning = m->spinning;
    if (wasspinning) {
        m->spinning = 0;
        ADD(sched.nmspinning, -1);
    }
    pidleput(p);
    gocc_lock_release(&sched.lock);
    if (wasspinning) {
        /* Work may have been queued after we looked and before nmspinning dropped: look once more. */
        for (int i = 0; i < np; i++) {
            if (!runqempty(sched.allp[i])) {
                gocc_lock_acquire(&sched.lock);
                gocc_p *q = pidleget();
                gocc_lock_release(&sched.lock);
                if (q) {
                    acquirep(m, q);
                    m->spinning = 1;
                    ADD(sched.nmspinning, 1);
                    goto top;
                }
                break;
            }
        }
    }
    stopm(m);
    goto top;
found:
    if (m->spinning) {
        m->spinning = 0;
        /* The last spinner found work: if more is queued, let another m look. */
        if (ADD(sched.nmspinning, -1) == 0)
            for (int i = 0; i < np; i++)
                if (sched.allp[i] != m->p && LOAD(sched.allp[i]->runqhead) != LOAD(sched.allp[i]->runqtail)) {
                    wakep();
                    break;
                }
    }
    return g;
}

static __attribute__((noreturn)) void schedule(gocc_m *m)
{
    for (;;) {
        int inherit;
        gocc_g *g = findrunnable(m, &inherit);
        execute(m, g, inherit);
    }
}

static void minit(gocc_m *m)
{
    tls_m = m;
    m->tid = (int)syscall(SYS_gettid);
    m->guardp = &gocc_sched_stack_guard;
    m->g0fiber = race_fiber_current();
    gocc_stack_sigsetup();
}

static void *mstart(void *arg)
{
    gocc_m *m = arg;
    minit(m);
    gocc_p *p = m->nextp;
    m->nextp = NULL;
    acquirep(m, p);
    schedule(m);
}

/* ------------------------------------------------------------------ */
/* goroutine-side API                                                  */

static gocc_g *threadg(void)
{
    gocc_g *g = tls_threadg;
    if (!g) {
        g = calloc(1, sizeof *g);
        if (!g)
            abort();
        g->thread = 1;
        g->status = G_RUNNING;
        tls_threadg = g;
    }
    return g;
}

static __thread int tls_systhread; /* the timer thread: nothing may block there */

void gocc_sched_systhread(void) { tls_systhread = 1; }

gocc_g *gocc_sched_self(void)
{
    gocc_m *m = getm();
    if (m && m->curg)
        return m->curg;
    return tls_systhread ? NULL : threadg();
}

long long gocc_sched_goid(gocc_g *g) { return g && !g->thread ? g->goid : 0; }

void gocc_sched_park(void (*unlockf)(void *arg), void *arg, const char *reason, const gocc_site *site)
{
    gocc_m *m = getm();
    if (!m || !m->curg) {
        gocc_g *g = threadg();
        STORE(g->futex, 0);
        g->waitreason = reason;
        g->waitsite = site;
        if (unlockf)
            unlockf(arg);
        while (!LOAD(g->futex))
            futex_wait(&g->futex, 0, -1);
        return;
    }
    gocc_g *g = m->curg;
    g->waitreason = reason;
    g->waitsite = site;
    m->unlockf = unlockf;
    m->unlockarg = arg;
    gswitch(m, OP_PARK);
}

void gocc_sched_ready(gocc_g *g)
{
    if (g->thread) {
        STORE(g->futex, 1);
        futex_wake(&g->futex);
        return;
    }
    int st = G_WAITING;
    if (!CAS(g->status, st, G_RUNNABLE)) {
        static const char msg[] = "fatal error: gocc_sched_ready of a goroutine that is not waiting\n";
        if (write(2, msg, sizeof msg - 1)) {}
        abort();
    }
    gocc_m *m = getm();
    gocc_p *p;
    if (m && m->curg && (p = enterp(m))) {
        runqput(p, g, 1);
        leavep(m, p);
        wakeifwork(p);
        return;
    }
    gocc_lock_acquire(&sched.lock);
    globrunqput(g);
    gocc_lock_release(&sched.lock);
    wakep();
}

void gocc_sched_yield(void)
{
    gocc_m *m = getm();
    if (!m || !m->curg) {
        sched_yield();
        return;
    }
    gswitch(m, OP_YIELD);
}

void runtime_gosched(void) { gocc_sched_yield(); }

void gocc_sched_preempt(void)
{
    gocc_m *m = getm();
    gocc_p *p = m ? m->p : NULL;
    if (m && m->curg && (!p || LOAD(p->state) != PSTATE(m, PS_USER))) {
        /* sysmon handed our p to another thread while we looked blocked: give the thread up. */
        gswitch(m, OP_PREEMPT);
        return;
    }
    if (m && m->curg && RLOAD(p->preempt)) {
        RSTORE(p->preempt, 0);
        gswitch(m, OP_PREEMPT);
        return;
    }
    for (int i = 0; i < sched.allocp; i++)
        if (RLOAD(sched.allp[i]->preempt))
            return;
    RSTORE(gocc_sched_preempt_flag, 0);
}

static void stackoverflow(gocc_g *g, const gocc_site *site)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "runtime: goroutine stack exceeds %zu-byte limit\nfatal error: goroutine stack overflow\n\n",
                     (size_t)(g->stk->hi - g->stk->lo) - GOCC_STACK_REDZONE);
    if (write(2, buf, (size_t)n)) {}
    gocc_sched_die(NULL, site);
}

void gocc_sched_morestack(const gocc_site *site)
{
    gocc_m *m = getm();
    gocc_g *g = m ? m->curg : NULL;
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (!g) {
        RSTORE(gocc_sched_stack_guard, 0);
        return;
    }
    if (sp < g->guard)
        stackoverflow(g, site);
    /* Not an overflow: sysmon poisoned the guard to preempt us. */
    RSTORE(gocc_sched_stack_guard, g->guard);
    gocc_sched_preempt();
}

/* ------------------------------------------------------------------ */
/* go                                                                  */

static long long newgoid(gocc_p *p)
{
    if (!p)
        return ADD(sched.goidgen, 1);
    if (p->goidnext == p->goidend) {
        p->goidend = ADD(sched.goidgen, 16) + 1;
        p->goidnext = p->goidend - 16;
    }
    return p->goidnext++;
}

static gocc_g *newg(gocc_p *p, void (*fn)(void *), const void *arg, gocc_size argsize, const gocc_site *site)
{
    gocc_g *g = gocc_g_alloc(p);
    /* Race builds always malloc the copy: TSan starts fresh memory with no history, where a reused
     * argbuf would carry the previous goroutine's accesses. */
    if (argsize <= GOCC_GARG && !GOCC_RACE) {
        g->arg = g->argbuf;
    } else if (!(g->arg = malloc(argsize ? argsize : 1))) {
        gocc_panic("go: out of memory", site);
    }
    if (argsize)
        memcpy(g->arg, arg, argsize);
    g->fn = fn;
    g->createsite = site;
    gocc_m *m = getm();
    g->parentid = m && m->curg ? m->curg->goid : 0;
    g->goid = newgoid(p);
    g->waitreason = NULL;
    g->waitsite = NULL;
    g->waitset = NULL;
    g->ctx = NULL;
    g->stk = NULL;
    g->racefiber = racefiber_get();
    /* The go statement's happens-before edge, on the argument block: malloc'd per goroutine in race
     * builds (and freed at exit, which drops the sync object). */
    race_rel(g->arg);
    g->status = G_RUNNABLE;
    return g;
}

void gocc_go(void (*fn)(void *arg), const void *arg, gocc_size argsize, const gocc_site *site)
{
    gocc_m *m = getm();
    gocc_p *p = m && m->curg ? enterp(m) : NULL;
    /* The go statement's own frame in TSan's "created at" stack (newg creates the fiber). */
    race_func_enter(__builtin_return_address(0));
    gocc_g *g = newg(p, fn, arg, argsize, site);
    race_func_exit();
    if (p) {
        RSTORE(p->ncreated, p->ncreated + 1);
        runqput(p, g, 1);
        leavep(m, p);
        /* Unlike a ready (a hand-off that should stay on this thread), a new goroutine is work for an idle
         * p: as in Go's newproc, get one looking (it may take runnext, see runnextsteal) unless someone
         * already is. The checks in wakep keep this to two loads when all ps are busy or one spins. */
        wakep();
        return;
    }
    ADD(sched.nfree_created, 1);
    gocc_lock_acquire(&sched.lock);
    globrunqput(g);
    gocc_lock_release(&sched.lock);
    wakep();
}

/* ------------------------------------------------------------------ */
/* sysmon: preemption and hand-off of ps stuck in system calls          */

static void handoffp(gocc_p *p)
{
    gocc_lock_acquire(&sched.lock);
    int work = !runqempty(p) || sched.runqsize;
    if (!work) {
        pidleput(p);
        gocc_lock_release(&sched.lock);
        return;
    }
    gocc_lock_release(&sched.lock);
    startm(p, 0);
}

/* Whether thread tid sleeps in the kernel (a blocking system call) rather than computing: a goroutine
 * that computes in C code for a long time keeps its p, one that waits in read() or sleep() loses it. */
static int threadblocked(int tid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *e = strrchr(buf, ')'); /* the command name may contain anything */
    return e && e[1] == ' ' && (e[2] == 'S' || e[2] == 'D');
}

static void *sysmon(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (;;) {
        gocc_lock_acquire(&sched.lock);
        if (sched.npidle == sched.nprocs && !sched.nlost && !retiring()) {
            sched.sysmonwait = 1;
            STORE(sched.sysmonfutex, 0);
            int pending = sched.deadpending;
            gocc_lock_release(&sched.lock);
            if (pending) {
                futex_wait(&sched.sysmonfutex, 0, 100 * 1000000LL);
                gocc_lock_acquire(&sched.lock);
                sched.sysmonwait = 0;
                if (sched.deadpending)
                    checkdead();
                gocc_lock_release(&sched.lock);
                continue;
            }
            while (!LOAD(sched.sysmonfutex))
                futex_wait(&sched.sysmonfutex, 0, -1);
            continue;
        }
        gocc_lock_release(&sched.lock);
        int dummy = 0;
        futex_wait(&dummy, 0, SYSMON_NS);
        gocc_int64 now = gocc_sched_nanotime();
        int stealable = 0;
        for (int i = 0; i < LOAD(sched.nprocs); i++) {
            gocc_p *p = sched.allp[i];
            uint64_t st = LOAD(p->state);
            uint64_t tick = LOAD(p->schedtick), sw = LOAD(p->switchtick);
            if (!runqempty(p))
                stealable = 1;
            if ((st & 3) != PS_USER) {
                p->sm_tick = tick;
                p->sm_when = now;
                p->sm_switch = sw;
                p->sm_swwhen = now;
                continue;
            }
            if (tick != p->sm_tick) {
                p->sm_tick = tick;
                p->sm_when = now;
            }
            if (sw != p->sm_switch) {
                p->sm_switch = sw;
                p->sm_swwhen = now;
            }
            gocc_int64 d = now - p->sm_when;
            if (d >= SLICE_NS && !RLOAD(p->preempt)) {
                RSTORE(p->preempt, 1);
                RSTORE(gocc_sched_preempt_flag, 1);
                gocc_m *pm = p->m;
                if (pm)
                    __atomic_store_n(pm->guardp, UINTPTR_MAX, __ATOMIC_RELAXED);
            }
            if (now - p->sm_swwhen >= HANDOFF_NS && p->m && threadblocked(p->m->tid)) {
                ADD(sched.nlost, 1);
                gocc_m *pm = p->m;
                if (CAS(p->state, st, (uint64_t)PS_IDLE)) {
                    RSTORE(p->preempt, 0);
                    /* If the blocked goroutine comes back to .gc code, make it give up its thread. */
                    RSTORE(gocc_sched_preempt_flag, 1);
                    if (pm)
                        __atomic_store_n(pm->guardp, UINTPTR_MAX, __ATOMIC_RELAXED);
                    p->sm_when = p->sm_swwhen = now;
                    handoffp(p);
                } else {
                    ADD(sched.nlost, -1);
                }
            }
        }
        if (stealable && LOAD(sched.npidle) && !LOAD(sched.nmspinning))
            wakep();
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* start                                                               */

static int (*mainfn)(int, char **, char **);
static int main_argc;
static char **main_argv, **main_envp;

static void mainentry(void *arg)
{
    (void)arg;
    int r = mainfn(main_argc, main_argv, main_envp);
    exit(r);
}

static int cpucount(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int runtime_numcpu(void) { return sched.ncpu; }

/* A p past GOMAXPROCS that its m has not retired yet (it still runs a goroutine). sched.lock held. */
static int retiring(void)
{
    for (int i = sched.nprocs; i < sched.allocp; i++)
        if (!sched.allp[i]->retired)
            return 1;
    return 0;
}

int runtime_gomaxprocs(int n)
{
    gocc_lock_acquire(&sched.lock);
    int old = sched.nprocs;
    if (n < 1 || n == old) {
        gocc_lock_release(&sched.lock);
        return old;
    }
    if (n > sched.allocp)
        n = sched.allocp;
    if (n < old) {
        /* Ps past n leave the idle list now; busy ones retire at their next scheduling (findrunnable). */
        STORE(sched.nprocs, n);
        gocc_p **pp = &sched.pidle;
        while (*pp) {
            if ((*pp)->id >= n) {
                (*pp)->retired = 1;
                *pp = (*pp)->link;
                ADD(sched.npidle, -1);
            } else {
                pp = &(*pp)->link;
            }
        }
    } else {
        STORE(sched.nprocs, n);
        for (int i = old; i < n; i++)
            if (sched.allp[i]->retired) {
                sched.allp[i]->retired = 0;
                pidleput(sched.allp[i]);
            }
    }
    gocc_lock_release(&sched.lock);
    gocc_m *m = getm();
    if (m && m->curg && m->p && m->p->id >= n)
        gocc_sched_yield(); /* our own p is retiring: move to another */
    else
        wakep();
    return old;
}

int runtime_numgoroutine(void)
{
    long long n = LOAD(sched.nfree_created) - LOAD(sched.nfree_exited);
    for (int i = 0; i < sched.allocp; i++)
        n += RLOAD(sched.allp[i]->ncreated) - RLOAD(sched.allp[i]->nexited);
    return (int)n;
}

long long runtime_goid(void)
{
    gocc_m *m = getm();
    return m && m->curg ? m->curg->goid : 0;
}

void *gocc_defer_alloc(gocc_size size)
{
    void *p = malloc(size);
    if (!p)
        gocc_panic("defer: out of memory", NULL);
    return p;
}

void gocc_defer_free(void *record) { free(record); }

/* Runs fn as the main goroutine on the calling thread's scheduler; never returns. */
__attribute__((noreturn)) void gocc_sched_start(int (*fn)(int, char **, char **), int argc, char **argv, char **envp)
{
    mainfn = fn;
    main_argc = argc;
    main_argv = argv;
    main_envp = envp;
    sched.ncpu = cpucount();
    int n = sched.ncpu;
    const char *e = getenv("GOMAXPROCS");
    if (e && atoi(e) > 0)
        n = atoi(e);
    if (n > 1024)
        n = 1024;
    sched.nprocs = n;
    /* runtime_gomaxprocs may raise GOMAXPROCS later, up to allocp. */
    sched.allocp = n > 64 ? n : 64;
    sched.allp = calloc((size_t)sched.allocp, sizeof *sched.allp);
    for (int i = 0; i < sched.allocp; i++) {
        gocc_p *p;
        if (posix_memalign((void **)&p, 64, sizeof *p))
            abort();
        memset(p, 0, sizeof *p);
        p->id = i;
        p->retired = i >= n;
        sched.allp[i] = p;
    }
    gocc_stack_init();
    gocc_timer_init();
    gocc_m *m = calloc(1, sizeof *m);
    m->id = ADD(sched.mcount, 1);
    minit(m);
    acquirep(m, sched.allp[0]);
    for (int i = n - 1; i >= 1; i--) {
        gocc_p *p = sched.allp[i];
        p->state = PS_IDLE;
        p->link = sched.pidle;
        sched.pidle = p;
        sched.npidle++;
    }
    gocc_g *g = newg(m->p, mainentry, NULL, 0, NULL);
    g->stk = gocc_stack_main();
    m->p->ncreated++;
    runqput(m->p, g, 1);
    pthread_t th;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_create(&th, &a, sysmon, NULL);
    pthread_attr_destroy(&a);
    schedule(m);
}

/* ------------------------------------------------------------------ */
/* fatal reports                                                       */

static void printg(gocc_g *g, void *arg)
{
    (void)arg;
    char buf[512];
    int st = RLOAD(g->status);
    const char *what = st == G_RUNNING ? "running" : st == G_RUNNABLE ? "runnable" : g->waitreason ? g->waitreason : "waiting";
    int n = snprintf(buf, sizeof buf, "goroutine %lld [%s]:\n", g->goid, what);
    if (st == G_WAITING && g->waitsite)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "\t%s:%d\n", g->waitsite->file, g->waitsite->line);
    if (g->createsite)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "created by goroutine %lld at %s:%d\n", g->parentid,
                      g->createsite->file, g->createsite->line);
    else if (g->goid == 1)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "main goroutine\n");
    n += snprintf(buf + n, sizeof buf - (size_t)n, "\n");
    if (write(2, buf, (size_t)n)) {}
}

void gocc_sched_fatal_goroutines(void) { gocc_g_foreach(printg, NULL); }

static int dying;

/* Prints head (if any), the current goroutine and its creation site, and exits with status 2. */
void gocc_sched_die(const char *head, const gocc_site *site)
{
    int zero = 0;
    if (!CAS(dying, zero, 1))
        for (;;)
            pause();
    char buf[1024];
    int n = 0;
    if (head)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s\n\n", head);
    gocc_m *m = getm();
    gocc_g *g = m && m->curg ? m->curg : NULL;
    if (g) {
        n += snprintf(buf + n, sizeof buf - (size_t)n, "goroutine %lld [running]:\n", g->goid);
        if (site)
            n += snprintf(buf + n, sizeof buf - (size_t)n, "\t%s:%d\n", site->file, site->line);
        if (g->createsite)
            n += snprintf(buf + n, sizeof buf - (size_t)n, "created by goroutine %lld at %s:%d\n", g->parentid,
                          g->createsite->file, g->createsite->line);
    } else {
        n += snprintf(buf + n, sizeof buf - (size_t)n, "goroutine 0 [running]:\n");
        if (site)
            n += snprintf(buf + n, sizeof buf - (size_t)n, "\t%s:%d\n", site->file, site->line);
    }
    if (write(2, buf, (size_t)n)) {}
    fflush(stdout);
    _exit(2);
}

/* Threads that are neither ms nor the runtime's own (sysmon, timers; TSan's in race builds). */
static int foreignthreads(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n > LOAD(sched.mcount) + 2 + gocc_netpoll_threads() + (GOCC_RACE ? 1 : 0);
}

void gocc_sched_checkdead(void)
{
    gocc_lock_acquire(&sched.lock);
    checkdead();
    gocc_lock_release(&sched.lock);
}

/* sched.lock held. Every p is idle: unless a timer, a thread that lost its p in a system call
 * or queued work can still wake someone, no goroutine will ever run again. */
static void checkdead(void)
{
    if (sched.npidle != sched.nprocs || LOAD(sched.nlost) || sched.runqsize || gocc_timer_active() || retiring() ||
        gocc_netpoll_waiting())
        return;
    for (int i = 0; i < sched.nprocs; i++)
        if (!runqempty(sched.allp[i]))
            return;
    if (foreignthreads()) {
        /* A pthread of the program's own may ready a goroutine (or send on a channel): not dead yet.
         * sysmon looks again from time to time. */
        sched.deadpending = 1;
        return;
    }
    sched.deadpending = 0;
    int zero = 0;
    if (!CAS(dying, zero, 1))
        for (;;)
            pause();
    static const char msg[] = "fatal error: all goroutines are asleep - deadlock!\n\n";
    if (write(2, msg, sizeof msg - 1)) {}
    gocc_sched_fatal_goroutines();
    fflush(stdout);
    _exit(2);
}
