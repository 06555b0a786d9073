/*
 * sched.c - the goroutine scheduler: Ms (threads) run Gs (goroutines) while
 * they hold Ps (processors); see sched_impl.h for the three records
 * and the global state (gocc_sched; its lock guards the global run queue and
 * the idle lists). sysmon.c, runtime.c and dump.c are its other parts.
 *
 * Invariants:
 *   - A g is on at most one queue: a p's runnext, a p's runq, the global runq,
 *     or a waiter list of its own (channels, sync, timers). Only a G_WAITING g
 *     may be readied, and whoever readies it owns the transition.
 *   - Goroutines switch to their m's g0 and back (g -> g0 -> g'), except that
 *     a parking goroutine switches straight to its p's runnext one (g -> g',
 *     parkdirect), and a finishing one straight to the next of its p's
 *     queues (exitdirect). Either way the post-switch work (releasing a
 *     parker's lock, requeueing a yielder, freeing a dead stack) runs on the
 *     destination, once the old g is off its stack: on g0 (execute), or on g'
 *     (resumed; exitfinish for an exit) for a direct switch. g0 stays
 *     suspended in execute meanwhile, so m->g0ctx stays valid, and execute
 *     treats m->curg, not the g it started, as the goroutine that came back.
 *     Across a direct exit the p stays entered (enterp) until g' has put the dead
 *     stack and record in p's caches.
 *   - Ready needs no CAS on g->status: only the claimant of g's waitset
 *     (wait.h) readies g, and g's park stored G_WAITING before the lock the
 *     claim needs was released. A ready of a g that is not G_WAITING is
 *     still caught (fatal error).
 *   - A p is in exactly one place: held by one m (PS_SCHED / PS_USER), on the
 *     idle list (PS_IDLE, gocc_sched.lock), or in flight to an m (m->nextp).
 *   - A p with work in its queues never sits idle with nobody spinning: whoever
 *     adds stealable work calls gocc_sched_wakep(), and a spinning m that gives up
 *     rechecks every queue after dropping its p (no lost wake-ups). A runnext
 *     alone counts there (and for sysmon) only while its p does not switch: a p
 *     that switches runs its runnext itself.
 *   - Wake-ups stay on the thread when they can: a readied goroutine goes to
 *     runnext and wakes no other thread; only work that sits in a runq (which
 *     others may steal) wakes an idle p. A new goroutine (gocc_go) is the
 *     exception, as in Go: it also goes to runnext but always calls gocc_sched_wakep(),
 *     and a spinning m's last steal round takes a running p's runnext after
 *     a grace period (runnextsteal).
 *   - gocc_sched.nlost counts ms that run a goroutine after sysmon took their p.
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
#include <linux/membarrier.h>
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
#include "sanitize.h"
#include "uni.h"
#include "sched_impl.h"
#include "report.h"

#ifndef GOCC_RACE
#define GOCC_RACE 0
#endif



__thread uintptr_t gocc_sched_stack_guard;
volatile int gocc_sched_preempt_flag;

static __thread gocc_m *tls_m;          /* this thread's m; NULL on others */
static __thread gocc_g *tls_threadg;    /* a plain thread's waiter record */
static __thread unsigned tls_rand;

gocc_schedt gocc_sched;

#define SPIN_LINGER_NS 20000 /* see findrunnable */

/* ------------------------------------------------------------------ */
/* small things                                                        */

gocc_int64 gocc_sched_nanotime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (gocc_int64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__thread int gocc_lock_held;

void (gocc_lock_acquire)(gocc_lock *l)
{
    gocc_lock_held++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
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
void (gocc_lock_release)(gocc_lock *l)
{
    __atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    gocc_lock_held--;
}

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

/* The same read, inline, for functions that never switch and are never inlined themselves
 * (gocc_sched_self, gocc_sched_ready): each call computes the TLS address afresh, as getm() does, without
 * a second call. */
static inline gocc_m *getm_here(void)
{
    gocc_m *m;
    __asm__ volatile("" ::: "memory");
    m = tls_m;
    __asm__ volatile("" : "+r"(m) :: "memory");
    return m;
}

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

/* The global queue: a FIFO of pointers (gqueue.h), so a put or a take reads no g record. gocc_sched.lock
 * held. */
static inline void globrunqput(gocc_g *g)
{
    gocc_gqueue_put(&gocc_sched.runq, g);
    RSTORE(gocc_sched.runqsize, gocc_sched.runqsize + 1);
}

/* Takes a share of the global queue for p, as Go's globrunqget: runqsize/GOMAXPROCS + 1, at most max (if
 * max > 0) and half a ring. Returns one and puts the rest in p's runq; only pointers move (bench/spawn at
 * GOMAXPROCS=1 took 22 % of its samples here when this walked a list through 128 cold records).
 * gocc_sched.lock held; p held. */
static int runqput(gocc_p *p, gocc_g *g, int next);
static inline int runqputtail(gocc_p *p, gocc_g *g);
static gocc_g *globrunqget(gocc_p *p, int max)
{
    int n = gocc_sched.runqsize;
    if (!n)
        return NULL;
    n = n / LOAD(gocc_sched.nprocs) + 1;
    if (n > gocc_sched.runqsize)
        n = gocc_sched.runqsize;
    if (max > 0 && n > max)
        n = max;
    if (n > GOCC_RUNQ / 2)
        n = GOCC_RUNQ / 2;
    RSTORE(gocc_sched.runqsize, gocc_sched.runqsize - n);
    gocc_g *batch[GOCC_RUNQ / 2];
    gocc_gqueue_popn(&gocc_sched.runq, batch, n);
    /* batch[1..n) to the ring with one store of its tail (the ring is empty but for the 61st switch's
     * take of one, which puts nothing there). */
    uint32_t h = LOAD(p->runqhead), t = p->runqtail;
    if (t - h + (uint32_t)n - 1 <= GOCC_RUNQ) {
        for (int i = 1; i < n; i++)
            RSTORE(p->runq[(t + (uint32_t)i - 1) % GOCC_RUNQ], batch[i]);
        STORE(p->runqtail, t + (uint32_t)n - 1);
    } else {
        for (int i = 1; i < n; i++)
            runqputtail(p, batch[i]);
    }
    return batch[0];
}

/* Moves half of p's full runq and g to the global queue, in their order. p held. */
static int runqputslow(gocc_p *p, gocc_g *g, uint32_t h, uint32_t t)
{
    gocc_g *batch[GOCC_RUNQ / 2 + 1];
    uint32_t n = (t - h) / 2;
    for (uint32_t i = 0; i < n; i++)
        batch[i] = RLOAD(p->runq[(h + i) % GOCC_RUNQ]);
    if (!__atomic_compare_exchange_n(&p->runqhead, &h, h + n, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        return 0;
    batch[n] = g;
    gocc_lock_acquire(&gocc_sched.lock);
    gocc_gqueue_putn(&gocc_sched.runq, batch, (int)n + 1);
    RSTORE(gocc_sched.runqsize, gocc_sched.runqsize + (int)n + 1);
    gocc_lock_release(&gocc_sched.lock);
    return 1;
}

/* p held. next: g goes to runnext and the old runnext (if any) to the tail. Returns 1 if the ring was full
 * (half of it went to the global queue), else 0. */
static int runqput(gocc_p *p, gocc_g *g, int next)
{
    if (next) {
        /* runnext is the holder's alone (a stealer takes it under a claim of p, runnextsteal). */
        gocc_g *old = RLOAD(p->runnext);
        STORE(p->runnext, g);
        if (!old)
            return 0;
        g = old;
    }
    for (;;) {
        uint32_t h = LOAD(p->runqhead), t = p->runqtail;
        if (t - h < GOCC_RUNQ) {
            RSTORE(p->runq[t % GOCC_RUNQ], g);
            STORE(p->runqtail, t + 1);
            return 0;
        }
        if (runqputslow(p, g, h, t))
            return 1;
    }
}

/* runqput(p, g, 0) with its common case inline: room in the ring (a spawn displaces the previous new
 * goroutine from runnext to here, and globrunqget refills the ring through here). p held. */
static inline int runqputtail(gocc_p *p, gocc_g *g)
{
    uint32_t h = LOAD(p->runqhead), t = p->runqtail;
    if (__builtin_expect(t - h < GOCC_RUNQ, 1)) {
        RSTORE(p->runq[t % GOCC_RUNQ], g);
        STORE(p->runqtail, t + 1);
        return 0;
    }
    return runqput(p, g, 0);
}

/* runqput(p, g, 1) with its common case inline: an empty runnext (a hand-off chain, a spawn after the
 * previous new goroutine ran). p held. Returns runqput's overflow. */
static inline int runqputnext(gocc_p *p, gocc_g *g)
{
    gocc_g *old = RLOAD(p->runnext);
    STORE(p->runnext, g);
    return old ? runqputtail(p, old) : 0;
}

/* p held. *inherit: g came from runnext and shares the current time slice. */
static gocc_g *runqget(gocc_p *p, int *inherit)
{
    gocc_g *g = RLOAD(p->runnext);
    if (g) {
        RSTORE(p->runnext, NULL);
        *inherit = 1;
        return g;
    }
    *inherit = 0;
    for (;;) {
        uint32_t h = LOAD(p->runqhead), t = p->runqtail;
        if (t == h)
            return NULL;
        g = RLOAD(p->runq[h % GOCC_RUNQ]);
        if (__atomic_compare_exchange_n(&p->runqhead, &h, h + 1, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
            /* The goroutine after g is likely the next to run (a slot past the tail holds an older pointer
             * or NULL: prefetching it does no harm). */
            gocc_g_prefetch(RLOAD(p->runq[(h + 1) % GOCC_RUNQ]));
            return g;
        }
    }
}

int gocc_sched_runqempty(gocc_p *p)
{
    return LOAD(p->runqhead) == LOAD(p->runqtail) && !LOAD(p->runnext);
}

static int claimp(gocc_p *p, uint64_t st);

/* Takes victim's runnext when victim is running a goroutine and its runq is empty (the last steal
 * round). First a grace period of a few microseconds: the goroutine that set runnext is likely about
 * to block and let its own thread run it, which keeps ping-pong hand-offs on one thread (Go's runqgrab
 * sleeps 3 us likewise). Then the take itself, under a claim of victim (claimp, as sysmon's hand-off):
 * runnext is its holder's alone otherwise, so the holder's hand-offs take and replace it with plain
 * loads and stores (no CAS: 2 locked instructions per pingpong round trip), and the rare steal pays a
 * membarrier. p held. */
static gocc_g *runnextsteal(gocc_p *victim)
{
    gocc_g *g = LOAD(victim->runnext);
    uint64_t st = LOAD(victim->state);
    if (!g || (st & 3) != PS_USER)
        return NULL;
    gocc_int64 until = gocc_sched_nanotime() + 3000;
    while (gocc_sched_nanotime() < until) {
        __builtin_ia32_pause();
        if (LOAD(victim->runnext) != g)
            return NULL;
    }
    /* The claim fails while the owner is inside scheduler code (insched), and only after its
     * membarrier, an interrupt of every CPU that runs one of our threads: look first (p->m may be stale;
     * a wrong answer only decides this one attempt). bench/spawn at GOMAXPROCS=2, whose spawner spends
     * most of its time entered in gocc_go: up to 1,300 failed claims per run -> at most 1. */
    gocc_m *owner = RLOAD(victim->m);
    if (owner && RLOAD(owner->insched))
        return NULL;
    if (!claimp(victim, st))
        return NULL;
    g = RLOAD(victim->runnext);
    RSTORE(victim->runnext, NULL);
    STORE(victim->state, st);
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

/*
 * Steals that only move a hand-off between threads. A goroutine readied by a running one goes to the
 * readier's runnext, and the one it displaces to the readier's queue, where a spinning m takes it. When
 * that goroutine blocks again at once without readying anything (selectfanin at GOMAXPROCS=2: a producer
 * stolen from the consumer's p sends, finds the consumer busy and parks; 0.7 steals per item), the steal
 * bought nothing: the consumer's thread would have run it within a few switches, and the move costs both
 * threads cache misses on the goroutine, its channel and the queues. So a p scores its steals
 * (stealwaste): a stolen goroutine that blocked within STEAL_USEFUL_NS, after which p's queues are empty
 * and p ran nothing else, adds STEAL_WASTE_STEP; any other steal takes as much off (not to 0: in the
 * fan-in a third of the steals look useful, because the producer finds the consumer parked and readies
 * it, which only moves the consumer instead). While the score is at
 * least STEAL_WASTE_ON, a queue shorter than STEAL_SHORTQ on a p that is held by an m is left to that
 * p: the first three steal rounds skip it, and the last takes it only if the victim does not switch
 * within STEAL_GRACE_NS (a victim stuck in one goroutine does not get to its queue; one that switches
 * does). Each search that leaves a queue so in its last round lowers the score by one (the linger
 * that follows does not: it could decline a hundred times in its 20 us, which brought a steal every
 * ~10 us back), so a p that has stopped stealing tries again now and then, and a workload whose steals pay (a pipeline whose stolen stage readies the next) keeps the
 * score at 0 and steals as before. A short queue does not wake an idle p whose score is high either
 * (wakefor). Nothing starves: the victim runs its queue itself, the last round steals from a victim
 * stuck in one goroutine, and sysmon wakes an idle p every 2 ms while any queue holds work and nobody
 * spins (test sched_fanin_then_stuck_p_still_helped).
 * bench/selectfanin at GOMAXPROCS=2 (4M items, loaded machine): steals 3.0M -> 12-14K, futex wake-ups
 * of the idle m 850 -> 170, CPU time 1.97 -> 1.02 of wall time.
 *
 * Steals that only start a fight over a lock. A stolen goroutine may also run long and still buy nothing:
 * when it spends its run contending for a sync_mutex that the victim's goroutine holds over and over
 * (bench/mutex at GOMAXPROCS=2: four goroutines around one mutex; the one on the victim's p runs its loop
 * for a whole time slice without switching, the others wait in that p's queue and runnext), the two
 * threads only take turns at the lock, and every turn moves its cache line across (a lock/unlock pair
 * costs about twice as much, on two CPUs). So a p also counts its goroutines' contended lock attempts
 * (ncontend: sync.c's slow path, gocc_sched_contended), and a stolen goroutine whose run saw at least
 * STEAL_FIGHTS_MIN of them, one per STEAL_FIGHT_NS or more often, scores as waste on both stealwaste and
 * fightwaste; a steal judged useful takes both down. While fightwaste is at least STEAL_WASTE_ON, the
 * last round leaves a short queue even to a victim stuck in one goroutine (that goroutine is most likely
 * the lock's holder) and takes no runnext, and the search after giving up the p does not come back for
 * them; each such search lowers fightwaste by one, as for stealwaste. Nothing starves: the victim's time
 * slice (10 ms) rotates its own queue, and sysmon's wake-ups every 2 ms while work is queued make the
 * idle p search, and so decay, until it steals again (test sched_fight_then_stuck_p_still_helped).
 * bench/mutex at GOMAXPROCS=2, 20 interleaved runs with and without the score (loaded machine): without,
 * 11 runs spread and contend (780-2,100 steals, 51K-108K contended attempts, 67-91 ms of CPU, 1.8-1.9
 * CPUs); with it, all 20 keep the four goroutines on one thread (4-22 steals, 200-1,200 contended
 * attempts, 24-38 ms of CPU). The same loop with 100-400 multiply-adds before each lock scores no fight
 * and keeps both CPUs busy (1.6-1.96 CPUs).
 */
#define STEAL_SHORTQ 4
#define STEAL_GRACE_NS 3000
#define STEAL_USEFUL_NS 20000
#define STEAL_WASTE_STEP 8
#define STEAL_WASTE_ON 16
#define STEAL_WASTE_MAX 64
#define STEAL_FIGHTS_MIN 8
#define STEAL_FIGHT_NS 10000

/* Whether victim switches goroutines within STEAL_GRACE_NS (it is not stuck in one, so it gets to its
 * queues itself). */
static int switching(gocc_p *victim)
{
    uint64_t sw = LOAD(victim->switchtick);
    gocc_int64 until = gocc_sched_nanotime() + STEAL_GRACE_NS;
    do {
        __builtin_ia32_pause();
        if (LOAD(victim->switchtick) != sw)
            return 1;
    } while (gocc_sched_nanotime() < until);
    return 0;
}

/* Whether, with a steal score of waste, a queue of n goroutines is one to leave to victim: short, on a p
 * that is held. The steal rounds (leavetovictim) and the look after giving up the p (findrunnable) ask. */
static inline int shortqleft(int waste, uint32_t n, gocc_p *victim)
{
    return waste >= STEAL_WASTE_ON && n < STEAL_SHORTQ && (LOAD(victim->state) & 3) != PS_IDLE;
}

/* Whether a spinning m on p leaves victim's queue (n goroutines) to victim for now. round: findrunnable's
 * steal round 0..3, 4 for its linger. p held. */
static int leavetovictim(gocc_p *p, gocc_p *victim, uint32_t n, int round)
{
    if (!shortqleft(p->stealwaste, n, victim))
        return 0;
    if (round < 3)
        return 1;
    if (p->fightwaste < STEAL_WASTE_ON && !switching(victim))
        return 0;
    if (round == 3) {
        RSTORE(p->stealwaste, p->stealwaste - 1);
        if (p->fightwaste)
            RSTORE(p->fightwaste, p->fightwaste - 1);
    }
    return 1;
}

/* runqsteal, unless the queue is empty or left to victim (leavetovictim). p held. */
static gocc_g *steal(gocc_p *p, gocc_p *victim, int round)
{
    uint32_t h = LOAD(victim->runqhead), t = LOAD(victim->runqtail);
    if (t == h || leavetovictim(p, victim, t - h, round))
        return NULL;
    return runqsteal(p, victim);
}

static inline int scoreup(int v) { return v < STEAL_WASTE_MAX ? v + STEAL_WASTE_STEP : v; }
static inline int scoredown(int v) { return v > STEAL_WASTE_STEP ? v - STEAL_WASTE_STEP : 0; }

/* p's m looks for work again after running a goroutine it stole: scores that steal (see above). p held. */
static void stealjudge(gocc_p *p)
{
    gocc_int64 ran = gocc_sched_nanotime() - p->stolenat;
    uint32_t fights = RLOAD(p->ncontend) - p->stolencontend;
    if (fights >= STEAL_FIGHTS_MIN && (gocc_int64)fights * STEAL_FIGHT_NS >= ran) {
        RSTORE(p->stealwaste, scoreup(p->stealwaste));
        RSTORE(p->fightwaste, scoreup(p->fightwaste));
    } else if (p->switchtick - p->stolentick > 1 || !gocc_sched_runqempty(p) || ran >= STEAL_USEFUL_NS) {
        RSTORE(p->stealwaste, scoredown(p->stealwaste));
        RSTORE(p->fightwaste, scoredown(p->fightwaste));
    } else {
        RSTORE(p->stealwaste, scoreup(p->stealwaste));
    }
    p->stolenat = 0;
}

/* m->p without enterp: a p that sysmon takes meanwhile gets one count too many, which only nudges a
 * score. */
void gocc_sched_contended(void)
{
    gocc_m *m = getm_here();
    gocc_p *p = m ? m->p : NULL;
    if (p)
        RSTORE(p->ncontend, RLOAD(p->ncontend) + 1);
}

/* ------------------------------------------------------------------ */
/* ps and ms                                                           */

static void checkdead(void);
static void retirep(gocc_m *m, gocc_p *p);

/* gocc_sched.lock held. */
void gocc_sched_pidleput(gocc_p *p)
{
    STORE(p->state, (uint64_t)PS_IDLE);
    p->m = NULL;
    if (p->id >= gocc_sched.nprocs) {
        p->retired = 1; /* GOMAXPROCS went down: off the idle list until it goes up again */
        checkdead();
        return;
    }
    p->link = gocc_sched.pidle;
    gocc_sched.pidle = p;
    ADD(gocc_sched.npidle, 1);
    checkdead();
}

/* gocc_sched.lock held. Wakes sysmon if it slept because every p was idle. */
static gocc_p *pidleget(void)
{
    gocc_p *p = gocc_sched.pidle;
    if (p) {
        gocc_sched.pidle = p->link;
        ADD(gocc_sched.npidle, -1);
        if (gocc_sched.sysmonwait) {
            gocc_sched.sysmonwait = 0;
            STORE(gocc_sched.sysmonfutex, 1);
            gocc_futex_wake(&gocc_sched.sysmonfutex);
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
void gocc_sched_startm(gocc_p *p, int spinning)
{
    gocc_lock_acquire(&gocc_sched.lock);
    gocc_m *m = gocc_sched.midle;
    if (m)
        gocc_sched.midle = m->link;
    gocc_lock_release(&gocc_sched.lock);
    if (!m) {
        m = calloc(1, sizeof *m);
        if (!m)
            abort();
        m->id = ADD(gocc_sched.mcount, 1);
        m->nextp = p;
        m->spinning = spinning;
        pthread_t th;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        /* Born with every signal blocked until minit has marked it an m (mstart restores the mask): a
         * SIGQUIT report's stop signal landing in between found no m and counted the thread as one of
         * the program's own ("2 threads not created by the runtime", tests/debug foreign, GOMAXPROCS=2). */
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &m->sigmask);
        int err = pthread_create(&th, &a, mstart, m);
        pthread_sigmask(SIG_SETMASK, &m->sigmask, NULL);
        if (err) {
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
    gocc_futex_wake(&m->futex);
}

/* Gets an idle p running if there is one and nobody is already looking for work. */
void gocc_sched_wakep(void)
{
    if (!LOAD(gocc_sched.npidle))
        return;
    int zero = 0;
    if (LOAD(gocc_sched.nmspinning) || !CAS(gocc_sched.nmspinning, zero, 1))
        return;
    gocc_lock_acquire(&gocc_sched.lock);
    gocc_p *p = pidleget();
    gocc_lock_release(&gocc_sched.lock);
    if (!p) {
        ADD(gocc_sched.nmspinning, -1);
        return;
    }
    gocc_sched_startm(p, 1);
}

/* m holds no p: sleeps until someone hands it one. */
static void stopm(gocc_m *m)
{
    gocc_lock_acquire(&gocc_sched.lock);
    m->link = gocc_sched.midle;
    gocc_sched.midle = m;
    gocc_lock_release(&gocc_sched.lock);
    while (!LOAD(m->futex))
        gocc_futex_wait(&m->futex, 0, -1);
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
        ADD(gocc_sched.nmspinning, -1);
    }
    gocc_stack_flush(p);
    gocc_lock_acquire(&gocc_sched.lock);
    gocc_g *g;
    int inherit;
    while ((g = runqget(p, &inherit)))
        globrunqput(g);
    m->p = NULL;
    gocc_sched_pidleput(p);
    gocc_p *np = pidleget();
    gocc_lock_release(&gocc_sched.lock);
    if (np)
        acquirep(m, np);
    else
        stopm(m);
}

/* The p->state protocol (sched_impl.h): the goroutine side enters and leaves its p by storing 1, then 0,
 * to its own m->insched, and only sysmon, which takes a p from a blocked thread once in 20 ms at most,
 * pays for the synchronisation: a CAS to PS_TAKE and a membarrier(2) (an asymmetric Dekker: the barrier
 * the kernel runs on every thread of the process orders the owner's store to insched before its load of
 * p->state, so either sysmon sees insched = 1, or the owner sees PS_TAKE). This removed the CAS of
 * p->state from enterp: two locked instructions per hand-off, four per pingpong round trip at
 * GOMAXPROCS=1. Where the kernel refuses membarrier (before Linux 4.14, or a seccomp filter), the owner's
 * store is an exchange (a full barrier of its own: a symmetric Dekker, one locked instruction, as the CAS
 * was). */
static int asym;

static __attribute__((noinline, cold)) gocc_p *enterp_slow(gocc_m *m, gocc_p *p)
{
    uint64_t st;
    while ((st = LOAD(p->state)) == PSTATE(m, PS_TAKE)) /* sysmon decides on insched = 1: keep it */
        __builtin_ia32_pause();
    if (st == PSTATE(m, PS_USER))
        return p;
    STORE(m->insched, 0);
    m->p = NULL;
    m->lostp = 1;
    return NULL;
}

/* Goroutine side: makes m's p usable from a goroutine stack (insched = 1, p->state stays PS_USER).
 * NULL when sysmon took the p; the m then runs on without one until its goroutine switches out. */
static inline gocc_p *enterp(gocc_m *m)
{
    gocc_p *p = m->p;
    if (!p)
        return NULL;
    if (__builtin_expect(asym, 1)) {
        RSTORE(m->insched, 1);
        /* The compiler keeps the store before the load; the hardware may not (a store buffer), which is
         * what sysmon's membarrier covers. */
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    } else {
        __atomic_store_n(&m->insched, 1, __ATOMIC_SEQ_CST);
    }
    if (__builtin_expect(LOAD(p->state) == PSTATE(m, PS_USER), 1))
        return p;
    return enterp_slow(m, p);
}

static inline void leavep(gocc_m *m, gocc_p *p)
{
    (void)p;
    STORE(m->insched, 0);
}

/* g0, after its goroutine switched back: PS_USER -> PS_SCHED, waiting out a take in progress. 0 when
 * sysmon took p meanwhile. */
static int regainp(gocc_m *m, gocc_p *p)
{
    for (;;) {
        uint64_t st = PSTATE(m, PS_USER);
        if (CAS(p->state, st, PSTATE(m, PS_SCHED)))
            return 1;
        if (st != PSTATE(m, PS_TAKE))
            return 0;
        __builtin_ia32_pause();
    }
}

/* Claims p from its m, whose state was st (id | PS_USER): CAS to id | PS_TAKE, then, once the owner's
 * goroutine is seen outside enterp..leavep, 1 with p left PS_TAKE (the owner's enterp waits until the
 * claimer stores the next state). 0, with p untouched, when the m moved meanwhile or is inside scheduler
 * code. Sysmon's hand-off and runnextsteal are the only claimers. */
static int claimp(gocc_p *p, uint64_t st)
{
    uint64_t expect = st;
    if (!CAS(p->state, expect, (st & ~(uint64_t)3) | PS_TAKE))
        return 0;
    /* p->m is the m of st: a later holder would need p to go idle first, which PS_TAKE prevents. */
    gocc_m *m = p->m;
    if ((asym && syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) || LOAD(m->insched)) {
        STORE(p->state, st);
        return 0;
    }
    return 1;
}

/* sysmon: takes p from its m, whose thread sat blocked in the kernel in PS_USER (st, as sysmon read it)
 * for the hand-off time. 1: p is PS_IDLE and sysmon's to hand off; 0: the m moved meanwhile, or is inside
 * scheduler code (insched), so p stays with it. */
int gocc_sched_takep(gocc_p *p, uint64_t st)
{
    /* The m, once its blocking call returns, runs .gc code without a p until its next function entry or
     * loop check, so two threads could then run goroutine code: single-P mode (uni.h) ends first. */
    gocc_uni_leave();
    if (!claimp(p, st))
        return 0;
    STORE(p->state, (uint64_t)PS_IDLE);
    return 1;
}

/* wakeifwork's call: a short queue does not wake a p that would leave it to us (leavetovictim): that p
 * would spin and sleep again, and the futex wake is a system call of ours each time (selectfanin at
 * GOMAXPROCS=2: one for every few items). The idle list's head is read without the lock: p records are
 * never freed, and a stale answer only decides one wake-up (sysmon wakes a p for queued work within
 * 2 ms). */
static __attribute__((noinline)) void wakefor(uint32_t n)
{
    if (n < STEAL_SHORTQ) {
        gocc_p *idle = RLOAD(gocc_sched.pidle);
        if (idle && RLOAD(idle->stealwaste) >= STEAL_WASTE_ON)
            return;
    }
    gocc_sched_wakep();
}

/* Wakes a p if p's runq holds work others could steal. */
static inline void wakeifwork(gocc_p *p)
{
    uint32_t h = LOAD(p->runqhead), t = LOAD(p->runqtail);
    if (t != h)
        wakefor(t - h);
}

/* ------------------------------------------------------------------ */
/* switching                                                           */

/* s's deepest stack pointer so far (spmin: stack.c gives the pages below back when s is freed), noted at
 * each switch away from it and when it passes to a new goroutine. */
static inline void notedepth(gocc_stk *s, uintptr_t sp)
{
    if (sp < s->spmin)
        s->spmin = sp;
}

/* Goroutine side, just switched to by prev's exit (exitdirect): prev is off its stack, so its stack and
 * record go back to p's caches. p is still entered (exitdirect left it so for this). */
static __attribute__((noinline)) void exitfinish(gocc_m *m, gocc_g *prev)
{
    gocc_p *p = m->p;
    m->op = OP_NONE;
    prev->status = G_DEAD;
    RSTORE(p->nexited, p->nexited + 1);
    gocc_stack_free(p, prev);
    prev->stk = NULL;
    gocc_g_free(p, prev);
    leavep(m, p);
}

/* Goroutine side, just resumed by t: from g0 (execute), or directly from a goroutine that parked
 * (parkdirect), whose post-switch work is ours: it is off its stack now. Returns our m. Inline: it is
 * half of every direct switch (pingpong: a call and its frame were ~12 of ~880 instructions per round
 * trip). */
static inline __attribute__((always_inline)) gocc_m *resumed(transfer_t t)
{
    gocc_m *m = t.data;
    gocc_g *prev = m->prevg;
    if (!prev) {
        m->g0ctx = t.fctx;
        return m;
    }
    m->prevg = NULL;
    if (__builtin_expect(m->op == OP_EXIT, 0)) {
        exitfinish(m, prev);
        return m;
    }
    prev->ctx = t.fctx;
    STORE(prev->status, G_WAITING);
    if (m->unlockf)
        m->unlockf(m->unlockarg);
    return m;
}

static gocc_m *gswitch(gocc_m *m, int op)
{
    gocc_g *g = m->curg;
    notedepth(g->stk, (uintptr_t)__builtin_frame_address(0));
    m->op = op;
    race_fiber_switch(m->g0fiber);
    /* AddressSanitizer (sanitize.h): to the thread's own stack; an exiting g's fake stack is dropped.
     * gocc_san_g0 is a call: only made under ASan. */
    if (__sanitizer_start_switch_fiber) {
        gocc_san_stack *g0 = gocc_san_g0();
        GOCC_SAN_SWITCH_BEGIN(op == OP_EXIT ? NULL : &g->sanfake, g0->lo, g0->size);
    }
    transfer_t t = gocc_ctx_jump(m->g0ctx, NULL);
    GOCC_SAN_SWITCH_END(g->sanfake);
    return resumed(t);
}

static void gentry(transfer_t t);

/* g's first run: only now does it need a stack (the main goroutine brings its own). p held. */
static __attribute__((noinline)) void firstrun(gocc_p *p, gocc_g *g)
{
    gocc_stk *s = g->stk ? g->stk : gocc_stack_alloc(p);
    g->stk = s;
    g->guard = gocc_stack_watermark(s); /* stack.c: lowered to lo + redzone if it goes deep */
    char *top = (char *)((uintptr_t)s & ~(uintptr_t)63);
    g->ctx = make_fcontext(top, (size_t)(top - s->lo), gentry);
}

/* next becomes m's running goroutine on p, before the switch to it (execute, parkswitch, exitdirect): a
 * g taken from runnext inherits the time slice, one from the queue starts a new one (schedtick: sysmon's
 * preemption and findrunnable's 61st switch count them); and the stack guard is next's. */
static inline __attribute__((always_inline)) void startslice(gocc_m *m, gocc_p *p, gocc_g *next, int inherit)
{
    m->curg = next;
    next->status = G_RUNNING;
    if (!inherit)
        RSTORE(p->schedtick, p->schedtick + 1);
    RSTORE(p->switchtick, p->switchtick + 1);
    RSTORE(gocc_sched_stack_guard, next->guard);
}

/* Goroutine side: parks g (m->curg) by switching straight to the next goroutine of p's queues (runnext
 * first, then the local queue, as findrunnable), g -> g', instead of g -> g0 -> g' (a ping-pong round
 * trip is two parks; this halves its context switches and skips the scheduler loop). g' finishes the
 * park (resumed: status, unlockf) once g is off its stack; a g' that never ran gets its stack here. Not
 * taken when the scheduler has work to do first: a preemption request, the 61st switch (global queue
 * and timers, see findrunnable), a p that sysmon took, and in race builds (TSan fibers switch through
 * g0). Returns 0 when it did not switch. */
static inline __attribute__((always_inline)) int parkswitch(gocc_m *m, gocc_p *p, gocc_g *g, gocc_g *next,
                                                           int inherit, void (*unlockf)(void *), void *arg)
{
    notedepth(g->stk, (uintptr_t)__builtin_frame_address(0));
    m->prevg = g;
    m->unlockf = unlockf;
    m->unlockarg = arg;
    startslice(m, p, next, inherit);
    leavep(m, p);
    GOCC_SAN_SWITCH_BEGIN(&g->sanfake, next->stk->lo, (size_t)(next->stk->hi - next->stk->lo));
    transfer_t t = gocc_ctx_jump(next->ctx, m);
    GOCC_SAN_SWITCH_END(g->sanfake);
    resumed(t);
    return 1;
}

/* For a direct switch: m's p, entered, and the next goroutine of its local queues (one that never ran
 * still needs a stack: the caller gives it one, firstrun, or its own, exitrestart). NULL, with p left,
 * when the queues are empty. */
static inline __attribute__((always_inline)) gocc_g *directnext(gocc_m *m, gocc_p **pp, int *inherit)
{
    gocc_p *p = enterp(m);
    if (!p)
        return NULL;
    gocc_g *next = runqget(p, inherit);
    if (!next) {
        leavep(m, p);
        return NULL;
    }
    *pp = p;
    return next;
}

/* Whether the goroutine directnext would take never ran while p has no stack cached. Its stack would
 * then come from the global pool or a fresh chunk (mem.lock, system calls, page faults) while the parking
 * goroutine still holds its object's lock, and every thread that wants that lock waits meanwhile
 * (bench/parked at GOMAXPROCS=2: a quarter of the samples were the other thread's sched_yield in
 * recv_contended on the release channel). Such a park goes through g0, which releases the lock first.
 * A slot carved for p but not yet written (p->scarve) counts as no stack: its first page still faults. A
 * peek: a stealer may take that goroutine meanwhile; it only chooses the path. */
static inline int needstack(gocc_p *p)
{
    if (p->sfree)
        return 0;
    gocc_g *n = RLOAD(p->runnext);
    if (!n) {
        uint32_t h = RLOAD(p->runqhead);
        if (h == RLOAD(p->runqtail))
            return 0;
        n = RLOAD(p->runq[h % GOCC_RUNQ]);
    }
    return !RLOAD(n->ctx);
}

/* parkdirect's other cases, out of line so that the hand-off chain's path stays short: the next
 * goroutine comes from the local queue, or never ran (it gets its stack here, as execute would give it;
 * skynet: a parent parks in its first receive and its children start straight from it). */
static __attribute__((noinline, unused)) int parkdirect_queue(gocc_m *m, gocc_g *g, void (*unlockf)(void *), void *arg)
{
    if (unlockf && needstack(m->p))
        return 0;
    gocc_p *p;
    int inherit;
    gocc_g *next = directnext(m, &p, &inherit);
    if (!next)
        return 0;
    if (!next->ctx)
        firstrun(p, next);
    return parkswitch(m, p, g, next, inherit, unlockf, arg);
}

static inline __attribute__((always_inline)) int parkdirect(gocc_m *m, gocc_g *g, void (*unlockf)(void *),
                                                           void *arg)
{
#if GOCC_RACE
    (void)m, (void)g, (void)unlockf, (void)arg;
    return 0;
#else
    gocc_p *p = m->p;
    gocc_g *next;
    if (!p || RLOAD(p->preempt) || p->switchtick % 61 == 0)
        return 0;
    /* next->ctx is read before next is ours (a stealer may take it meanwhile): only a choice of path; it
     * is checked again once taken. g records are never unmapped, so the read is safe. */
    if (!(next = RLOAD(p->runnext)) || !RLOAD(next->ctx)) {
        if (!next && RLOAD(p->runqhead) == RLOAD(p->runqtail))
            return 0;
        return parkdirect_queue(m, g, unlockf, arg);
    }
    if (!(p = enterp(m)))
        return 0;
    if (RLOAD(p->runnext) != next) { /* a stealer took it before we entered p */
        leavep(m, p);
        return 0;
    }
    RSTORE(p->runnext, NULL);
    if (!next->ctx)
        firstrun(p, next);
    return parkswitch(m, p, g, next, 1, unlockf, arg);
#endif
}

static void goexit(void) __attribute__((noreturn));

static void gentry(transfer_t t)
{
    GOCC_SAN_SWITCH_END(NULL);
    gocc_m *m = resumed(t); /* from g0, or directly from a goroutine that parked or exited */
    gocc_g *g = m->curg;
    race_acq(g->arg);
    g->fn(g->arg);
    goexit();
}

#if !GOCC_RACE
/* The first run of a goroutine that exitrestart starts on the stack of the one that just exited. */
static __attribute__((noreturn)) void grestart(void *arg)
{
    gocc_m *m = arg;
    gocc_g *g = m->curg;
    g->fn(g->arg);
    goexit();
}

/* Goroutine side, g exiting with p entered, and next (from p's queues) never ran: next starts on g's
 * stack, in place, as libdill runs a new coroutine on the stack a finished one leaves: no stack goes back
 * to the cache and comes out again, no context is made and none is switched to (bench/spawn: those were
 * ~120 of ~500 instructions a goroutine). Only a guarded stack: an unguarded one must have its gap checked
 * before anyone else runs on it (stack.c, gocc_stack_free); and not under AddressSanitizer, whose fiber
 * calls want a switch. The pages a deep g left resident stay for next; they go back when the stack is
 * freed at last (spmin keeps the deepest point of all who ran on it). */
static inline __attribute__((noreturn, always_inline)) void exitrestart(gocc_m *m, gocc_p *p, gocc_g *g, gocc_g *next,
                                                           int inherit)
{
    gocc_stk *s = g->stk;
    notedepth(s, (uintptr_t)__builtin_frame_address(0));
    g->stk = NULL;
    g->status = G_DEAD;
    RSTORE(p->nexited, p->nexited + 1);
    gocc_g_free(p, g);
    next->stk = s;
    next->guard = gocc_stack_watermark(s);
    startslice(m, p, next, inherit);
    leavep(m, p);
    gocc_ctx_restart((void *)((uintptr_t)s & ~(uintptr_t)63), m, grestart);
}
#endif

/* Goroutine side: g (m->curg) has finished; switches straight to the next goroutine of p's queues
 * (runnext first, as findrunnable), g -> g', instead of g -> g0 -> g'. g' frees g's stack and record
 * (exitfinish, from resumed) once g is off its stack. Taken under the same conditions as parkdirect
 * (not at the 61st switch, nor with a preemption request, nor in race builds), and also for a g' that
 * never ran, which gets its stack here. A goroutine that spawns and finishes (bench/spawn, skynet's
 * leaves) thus costs one context switch fewer. Returns 0 when it did not switch. */
static inline __attribute__((always_inline)) int exitdirect(gocc_m *m, gocc_g *g)
{
#if GOCC_RACE
    (void)m, (void)g;
    return 0;
#else
    gocc_p *p = m->p;
    if (!p || RLOAD(p->preempt) || p->switchtick % 61 == 0)
        return 0;
    int inherit;
    gocc_g *next = directnext(m, &p, &inherit);
    if (!next)
        return 0;
    if (!next->ctx) {
        if (g->stk->guarded && !__sanitizer_start_switch_fiber)
            exitrestart(m, p, g, next, inherit);
        firstrun(p, next);
    }
    notedepth(g->stk, (uintptr_t)__builtin_frame_address(0));
    m->prevg = g;
    m->op = OP_EXIT;
    startslice(m, p, next, inherit);
    /* p stays entered: exitfinish uses its caches on next's stack, then leaves it. */
    GOCC_SAN_SWITCH_BEGIN(NULL, next->stk->lo, (size_t)(next->stk->hi - next->stk->lo));
    gocc_ctx_jump(next->ctx, m);
    __builtin_unreachable();
#endif
}

static __attribute__((noinline, cold, noreturn)) void lockheld(void)
{
    static const char msg[] = "fatal error: goroutine exit with a runtime lock held\n";
    if (write(2, msg, sizeof msg - 1)) {}
    abort();
}

/* g never resumes from here (it switches away for good), so the m is read inline. */
static void goexit(void)
{
    gocc_m *m = getm_here();
    gocc_g *g = m->curg;
    /* gocc_lock_held is 0 in a goroutine's own code: a lock taken and not given back on this thread (or
     * given back on another) would keep every later goroutine here from being preempted. */
    if (__builtin_expect(gocc_lock_held != 0, 0))
        lockheld();
    /* Freed by g itself: for the race detector the free follows g's own uses of its argument. */
    if (g->arg != g->argbuf)
        free(g->arg);
    g->arg = NULL;
    exitdirect(m, g);
    gswitch(m, OP_EXIT);
    __builtin_unreachable();
}

/* g0: runs g until it switches back, then finishes what it asked for. m holds its p (PS_SCHED). */
static void execute(gocc_m *m, gocc_g *g, int inherit)
{
    gocc_p *p = m->p;
    if (!g->ctx)
        firstrun(p, g);
    startslice(m, p, g, inherit);
    RSTORE(p->preempt, 0);
#if GOCC_RACE
    while (LOAD(g->racebusy))
        __builtin_ia32_pause();
#endif
    race_fiber_switch(g->racefiber);
    STORE(p->state, PSTATE(m, PS_USER));
    gocc_san_stack *g0 = __sanitizer_start_switch_fiber ? gocc_san_g0() : NULL;
    GOCC_SAN_SWITCH_BEGIN(&g0->fake, g->stk->lo, (size_t)(g->stk->hi - g->stk->lo));
    transfer_t t = gocc_ctx_jump(g->ctx, m);
    if (g0)
        GOCC_SAN_SWITCH_END(g0->fake);
    /* Whoever switched back: g, or a goroutine g switched to directly (parkdirect). */
    g = m->curg;
    g->ctx = t.fctx;
    RSTORE(gocc_sched_stack_guard, 0);
    m->curg = NULL;
    p = m->p;
    if (p && !regainp(m, p)) {
        m->p = p = NULL;
        m->lostp = 1;
    }
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
            gocc_lock_acquire(&gocc_sched.lock);
            globrunqput(g);
            gocc_lock_release(&gocc_sched.lock);
            if (!p)
                gocc_sched_wakep();
        }
        break;
    case OP_EXIT:
        g->status = G_DEAD;
        /* We are on g0's fiber: g's may go back to the pool. */
        gocc_race_fiber_put(g->racefiber);
        g->racefiber = NULL;
        if (p)
            RSTORE(p->nexited, p->nexited + 1);
        else
            ADD(gocc_sched.nfree_exited, 1);
        gocc_stack_free(p, g);
        g->stk = NULL;
        gocc_g_free(p, g);
        break;
    }
    m->op = OP_NONE;
    if (m->lostp) {
        /* Our p went to another m while g was blocked outside the scheduler: find another or sleep. */
        m->lostp = 0;
        gocc_lock_acquire(&gocc_sched.lock);
        ADD(gocc_sched.nlost, -1);
        gocc_p *np = pidleget();
        if (!np)
            checkdead();
        gocc_lock_release(&gocc_sched.lock);
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
    np = LOAD(gocc_sched.nprocs);
    gocc_p *p = m->p;
    *inherit = 0;
    if (p->id >= np) {
        retirep(m, p);
        goto top;
    }
    if (RLOAD(p->preempt)) {
        /* The slice ran out inside a hand-off chain through runnext: requeue it behind the others. */
        RSTORE(p->preempt, 0);
        g = RLOAD(p->runnext);
        RSTORE(p->runnext, NULL);
        if (g)
            runqput(p, g, 0);
    }
    if (p->stolenat)
        stealjudge(p);
    /* The global queue holds what timers, sysmon and plain threads readied. Checked every 61 switches,
     * not time slices: a hand-off chain through runnext shares one slice for as long as it runs, and
     * counting slices let a 1 ms sleep beside ping-ponging goroutines oversleep by 40 ms to 1.4 s
     * (bench/oversleep at GOMAXPROCS=1, loads 2..64). 61 switches are microseconds. */
    if (p->switchtick % 61 == 0)
        gocc_timer_poll();
    if (p->switchtick % 61 == 0 && RLOAD(gocc_sched.runqsize)) {
        gocc_lock_acquire(&gocc_sched.lock);
        g = globrunqget(p, 1);
        gocc_lock_release(&gocc_sched.lock);
        if (g)
            goto found;
    }
    if ((g = runqget(p, inherit)))
        goto found;
    if (RLOAD(gocc_sched.runqsize)) {
        gocc_lock_acquire(&gocc_sched.lock);
        g = globrunqget(p, 0);
        gocc_lock_release(&gocc_sched.lock);
        if (g)
            goto found;
    }
    /* Steal, but keep the number of spinning ms at most half the busy ps. */
    if (np > 1 && (m->spinning || 2 * LOAD(gocc_sched.nmspinning) < np - LOAD(gocc_sched.npidle))) {
        if (!m->spinning) {
            m->spinning = 1;
            ADD(gocc_sched.nmspinning, 1);
        }
        for (int round = 0; round < 4; round++) {
            int off = (int)(gocc_sched_rand() % (unsigned)np);
            for (int i = 0; i < np; i++) {
                gocc_p *v = gocc_sched.allp[(off + i) % np];
                if (v != p && ((g = steal(p, v, round)) ||
                               (round == 3 && p->fightwaste < STEAL_WASTE_ON && (g = runnextsteal(v)))))
                    goto stolen;
            }
        }
    }
    /* A spinning m lingers up to SPIN_LINGER_NS before it gives up its p and sleeps: in a fan-in (four
     * producers, one selecting consumer, GOMAXPROCS=2) work reappears within microseconds, and each
     * sleep costs a futex wait here and a futex wake (plus the thread's wake-up latency) in whoever
     * readies the next goroutine. bench/selectfanin, 4M values: futex calls 39-49K -> 9.5-12.7K, CPU
     * time unchanged or lower (736-825 ms vs 772-935 ms); 100 us cut futex calls to 3.6-4.2K but cost
     * CPU. Only the spinning m lingers, and at most half the busy ps spin. */
    if (np > 1 && m->spinning) {
        gocc_int64 until = gocc_sched_nanotime() + SPIN_LINGER_NS;
        while (!RLOAD(gocc_sched.runqsize) && gocc_sched_nanotime() < until) {
            for (int k = 0; k < 20; k++)
                __builtin_ia32_pause();
            for (int i = 0; i < np; i++) {
                gocc_p *v = gocc_sched.allp[i];
                if (v != p && (g = steal(p, v, 4)))
                    goto stolen;
            }
        }
    }
    /* Nothing: give up the p. */
    gocc_stack_flush(p);
    gocc_lock_acquire(&gocc_sched.lock);
    if (gocc_sched.runqsize) {
        g = globrunqget(p, 0);
        gocc_lock_release(&gocc_sched.lock);
        goto found;
    }
    m->p = NULL;
    int wasspinning = m->spinning, waste = p->stealwaste, fightw = p->fightwaste;
    if (wasspinning) {
        m->spinning = 0;
        ADD(gocc_sched.nmspinning, -1);
    }
    gocc_sched_pidleput(p);
    gocc_lock_release(&gocc_sched.lock);
    if (wasspinning) {
        /* Work may have been queued after we looked and before nmspinning dropped: look once more. */
        for (int i = 0; i < np; i++) {
            gocc_p *v = gocc_sched.allp[i];
            uint32_t n = LOAD(v->runqtail) - LOAD(v->runqhead);
            /* What the steal rounds left to a running victim does not call us back (leavetovictim), nor
             * does a runnext alone while its p switches: that p runs it itself (a hand-off chain refills
             * runnext all the time; bench/buffered at GOMAXPROCS=2 kept the other thread in this loop
             * for the whole run, up to 1.8 CPUs), nor, while fightwaste is high, a stuck p's runnext
             * (the steal rounds leave it too). A new goroutine (gocc_go) whose wakep found us spinning
             * is still found here when its spawner computes on (or by sysmon). */
            int work = n ? !shortqleft(waste, n, v)
                         : fightw < STEAL_WASTE_ON && LOAD(v->runnext) && (LOAD(v->state) & 3) == PS_USER &&
                               !switching(v);
            if (work) {
                gocc_lock_acquire(&gocc_sched.lock);
                gocc_p *q = pidleget();
                gocc_lock_release(&gocc_sched.lock);
                if (q) {
                    acquirep(m, q);
                    m->spinning = 1;
                    ADD(gocc_sched.nmspinning, 1);
                    goto top;
                }
                break;
            }
        }
    }
    stopm(m);
    goto top;
stolen:
    p->stolencontend = RLOAD(p->ncontend);
    p->stolentick = p->switchtick;
    p->stolenat = gocc_sched_nanotime();
found:
    if (m->spinning) {
        m->spinning = 0;
        /* The last spinner found work: if more is queued, let another m look. */
        if (ADD(gocc_sched.nmspinning, -1) == 0)
            for (int i = 0; i < np; i++)
                if (gocc_sched.allp[i] != m->p && LOAD(gocc_sched.allp[i]->runqhead) != LOAD(gocc_sched.allp[i]->runqtail)) {
                    gocc_sched_wakep();
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
    gocc_uni_mthread = 1; /* may run goroutine code (uni.h) */
    gocc_uni_minit();
    m->tid = (int)syscall(SYS_gettid);
    m->guardp = &gocc_sched_stack_guard;
    m->g0fiber = race_fiber_current();
    gocc_signal_thread();
    gocc_san_thread();
}

static void *mstart(void *arg)
{
    gocc_m *m = arg;
    minit(m);
    pthread_sigmask(SIG_SETMASK, &m->sigmask, NULL); /* blocked since its creation (gocc_sched_startm) */
    gocc_p *p = m->nextp;
    m->nextp = NULL;
    acquirep(m, p);
    schedule(m);
}

/* ------------------------------------------------------------------ */
/* goroutine-side API                                                  */

/* Plain threads' records outlive their threads: a waker may still be in its futex_wake on one after the
 * thread has returned from its wait and exited. So a record goes back to this pool when its thread exits
 * (the key's destructor) and the next plain thread takes it (a late wake then is one spurious wake-up,
 * which threadpark's loop absorbs). Before, each record was left behind by its thread: 256 bytes for
 * every plain thread that ever waited (a thread-per-request server grew without bound, and
 * LeakSanitizer reported each one, found by verify2). */
static struct {
    gocc_lock lk; /* guards free, n, cap */
    gocc_g **free;
    int n, cap;
    pthread_key_t key;
    pthread_once_t once;
} tpool = {.once = PTHREAD_ONCE_INIT};

/* Runs on the exiting thread itself: a later sync call of its own (another key's destructor) takes a
 * record again rather than share this one. */
static void threadg_put(void *v)
{
    gocc_g *g = v;
    tls_threadg = NULL;
    gocc_lock_acquire(&tpool.lk);
    if (tpool.n == tpool.cap) {
        int cap = tpool.cap ? 2 * tpool.cap : 16;
        gocc_g **a = realloc(tpool.free, (size_t)cap * sizeof *a);
        if (!a) {
            gocc_lock_release(&tpool.lk);
            return; /* kept by nobody: lost, as before the pool */
        }
        tpool.free = a;
        tpool.cap = cap;
    }
    tpool.free[tpool.n++] = g;
    gocc_lock_release(&tpool.lk);
}

static void threadg_key(void)
{
    if (pthread_key_create(&tpool.key, threadg_put) != 0)
        abort();
}

static __attribute__((noinline, cold)) gocc_g *threadg_new(void)
{
    pthread_once(&tpool.once, threadg_key);
    gocc_g *g = NULL;
    gocc_lock_acquire(&tpool.lk);
    if (tpool.n)
        g = tpool.free[--tpool.n];
    gocc_lock_release(&tpool.lk);
    if (g)
        memset(g, 0, sizeof *g);
    else if (!(g = calloc(1, sizeof *g)))
        abort();
    g->thread = 1;
    g->status = G_RUNNING;
    tls_threadg = g;
    pthread_setspecific(tpool.key, g);
    return g;
}

static gocc_g *threadg(void)
{
    gocc_g *g = tls_threadg;
    return g ? g : threadg_new();
}

static __thread int tls_systhread; /* the timer thread: nothing may block there */

void gocc_sched_systhread(void) { tls_systhread = 1; }

__attribute__((noinline)) gocc_g *gocc_sched_self(void)
{
    gocc_m *m = getm_here();
    if (m && m->curg)
        return m->curg;
    return tls_systhread ? NULL : threadg();
}

long long gocc_sched_goid(gocc_g *g) { return g && !g->thread ? g->goid : 0; }

/* A plain thread's park: it blocks on its own record's futex. */
static __attribute__((noinline, cold)) void threadpark(gocc_g **self, void (*unlockf)(void *arg), void *arg,
                                                       const char *reason, const gocc_site *site)
{
    gocc_g *g = threadg();
    if (self)
        *self = g;
    STORE(g->futex, 0);
    g->waitreason = reason;
    g->waitsite = site;
    if (unlockf)
        unlockf(arg);
    while (!LOAD(g->futex))
        gocc_futex_wait(&g->futex, 0, -1);
}

/* The m is read inline (getm_here) before any switch; after one, only the transfer's m is used (resumed,
 * gswitch), so no TLS address outlives a switch here. */
static inline __attribute__((always_inline)) void park(gocc_g **self, void (*unlockf)(void *arg), void *arg,
                                                       const char *reason, const gocc_site *site)
{
    gocc_m *m = getm_here();
    gocc_g *g;
    if (__builtin_expect(!m || !(g = m->curg), 0)) {
        threadpark(self, unlockf, arg, reason, site);
        return;
    }
    if (self)
        *self = g;
    g->waitreason = reason;
    g->waitsite = site;
    if (parkdirect(m, g, unlockf, arg))
        return;
    m->unlockf = unlockf;
    m->unlockarg = arg;
    gswitch(m, OP_PARK);
}

void gocc_sched_park(void (*unlockf)(void *arg), void *arg, const char *reason, const gocc_site *site)
{
    park(NULL, unlockf, arg, reason, site);
}

void gocc_sched_park_self(gocc_g **self, void (*unlockf)(void *arg), void *arg, const char *reason,
                          const gocc_site *site)
{
    park(self, unlockf, arg, reason, site);
}

static __attribute__((noinline, cold)) void notwaiting(void)
{
    static const char msg[] = "fatal error: gocc_sched_ready of a goroutine that is not waiting\n";
    if (write(2, msg, sizeof msg - 1)) {}
    abort();
}

/* The rarer cases of a ready: a plain thread's record, a runnext to displace, a ready from outside a
 * goroutine or from an m that lost its p. Kept out of gocc_sched_ready so that its common path needs no
 * callee-saved registers (no frame to build: pingpong 48 -> N instructions per ready). */
static __attribute__((noinline)) void ready_slow(gocc_g *g, gocc_m *m, gocc_p *p, gocc_g *old)
{
    if (p) {
        /* p held (entered): g went to runnext, the displaced one (unless a stealer took it) to the
         * queue. */
        if (old)
            runqput(p, old, 0);
        leavep(m, p);
        wakeifwork(p);
        return;
    }
    if (g->thread) {
        STORE(g->futex, 1);
        gocc_futex_wake(&g->futex);
        return;
    }
    gocc_lock_acquire(&gocc_sched.lock);
    globrunqput(g);
    gocc_lock_release(&gocc_sched.lock);
    gocc_sched_wakep();
}

__attribute__((noinline)) void gocc_sched_ready(gocc_g *g)
{
    if (__builtin_expect(g->thread, 0)) {
        ready_slow(g, NULL, NULL, NULL);
        return;
    }
    /* A check and a store, not a CAS: the caller won g's waitset (wait.h's claim), so it is the only one
     * readying g, and g's own park wrote G_WAITING (execute, resumed) before the object's lock that the
     * claim needed was released. What the check catches is a ready without a park. */
    if (__builtin_expect(LOAD(g->status) != G_WAITING, 0))
        notwaiting();
    STORE(g->status, G_RUNNABLE);
    gocc_m *m = getm_here();
    gocc_p *p;
    if (__builtin_expect(!m || !m->curg || !(p = enterp(m)), 0)) {
        ready_slow(g, NULL, NULL, NULL);
        return;
    }
    /* runqput(p, g, 1), its common case inline: an empty runnext (a hand-off chain). */
    gocc_g *old = RLOAD(p->runnext);
    STORE(p->runnext, g);
    if (__builtin_expect(old != NULL, 0)) {
        ready_slow(g, m, p, old);
        return;
    }
    leavep(m, p);
    wakeifwork(p);
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


/* Asks p's running goroutine to yield at its next loop check or function entry: the request (p->preempt),
 * then the flag the loop checks read (gocc_sched_preempt's second look relies on that order), then the
 * stack guard of p's thread poisoned for the function entries. sysmon asks when a time slice has run
 * out, a spawn when it filled p's run queue (spawnflood). */
void gocc_sched_askpreempt(gocc_p *p)
{
    RSTORE(p->preempt, 1);
    __atomic_store_n(&gocc_sched_preempt_flag, 1, __ATOMIC_RELEASE);
    gocc_m *pm = p->m;
    if (pm)
        __atomic_store_n(pm->guardp, UINTPTR_MAX, __ATOMIC_RELAXED);
}

/* Whether some p has a preemption request pending (sysmon's p->preempt). */
static int preemptpending(void)
{
    for (int i = 0, n = LOAD(gocc_sched.allocp); i < n; i++)
        if (RLOAD(gocc_sched.allp[i]->preempt))
            return 1;
    return 0;
}

/* Whether m's goroutine may be switched out at this check. A loop check or function entry in .gc code is a
 * safe point, except in a .gc function run as a signal handler: inside any handler the program installed
 * (handler.c), and in any handler at all that interrupted the runtime: with a
 * runtime lock held on this thread (a goroutine switched out there keeps it, and at GOMAXPROCS=1 the next
 * one spins on it for ever: a 10 kHz SIGALRM handler hung plain threads and goroutines sharing a mutex
 * once in ~2,200 runs), with p entered (insched), in the middle of a direct switch (prevg), or on a
 * stack that is not the goroutine's (g0's, a signal stack). The request stays pending: the goroutine's
 * next check, back in its own code, takes it. */
static __attribute__((noinline)) int preemptible(gocc_m *m)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    gocc_g *g = m->curg;
    if (gocc_lock_held || m->insched || m->prevg || !g->stk || !gocc_stack_holds(g->stk, sp))
        return 0;
    /* Inside a signal handler that the program installed (handler.c marks its trampoline's frame): not
     * here either. A mark below sp is stale (the handler left by siglongjmp): dropped. */
    uintptr_t mark = RLOAD(g->stk->sigsp);
    if (mark && sp < mark)
        return 0;
    if (mark)
        RSTORE(g->stk->sigsp, 0);
    return 1;
}

void gocc_sched_preempt(void)
{
    gocc_m *m = getm();
    if (m && m->curg && !preemptible(m)) {
        /* The guard again too (gocc_sched_morestack has just restored it): a goroutine that only calls
         * functions, with no loop check, must still find the request at its next function entry. */
        RSTORE(gocc_sched_stack_guard, UINTPTR_MAX);
        return;
    }
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
    if (preemptpending())
        return;
    /* No request: clear the flag, then look again. sysmon may have made a request (p->preempt, then the
     * flag; once per time slice, since it skips a p whose request is pending) between the look above and
     * the clear, and a flag cleared after it would leave a goroutine that has only loop checks running
     * for ever (runtime test sched_preempt_loop_check timed out once in a full run). The fence orders the
     * clear before the second look, as sysmon's two stores are ordered. */
    __atomic_store_n(&gocc_sched_preempt_flag, 0, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (preemptpending())
        RSTORE(gocc_sched_preempt_flag, 1);
}

/* sp is not on m's goroutine's stack nor in its gap: whether it is on a stack that is not that goroutine's
 * at all. A .gc function run as a signal handler makes its entry check on whatever stack the signal found:
 * the scheduler's (g0, a thread's stack), a signal stack, or, in the middle of a direct switch, the
 * previous goroutine's (m->curg and the guard are already the next one's; a 10 kHz SIGALRM handler in a
 * .gc file was reported as a goroutine stack overflow in about 1 of 30 runs). None of those is an overflow,
 * nor a place to yield. A stack pointer in another goroutine's stack, not the previous one's, is the
 * goroutine's frame jumping past its gap: an overflow. */
static __attribute__((noinline)) int foreignstack(gocc_m *m, uintptr_t sp)
{
    int inguard;
    gocc_stk *s = gocc_stack_find(sp, &inguard);
    return !s || (m->prevg && s == m->prevg->stk);
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
    /* Not on g's stack: left for g's own next check (the guard stays, a preemption request with it). */
    if (!g->stk || (!gocc_stack_holds(g->stk, sp) && foreignstack(m, sp)))
        return;
    if (sp < g->guard && !gocc_stack_deeper(g, sp))
        gocc_dump_stackoverflow(g, site);
    /* Not an overflow: the goroutine went past its stack's depth watermark (stack.c notes it, so the
     * pages go back at exit), or sysmon poisoned the guard to preempt us. */
    RSTORE(gocc_sched_stack_guard, g->guard);
    gocc_sched_preempt();
}

/* ------------------------------------------------------------------ */
/* go                                                                  */

static long long newgoid(gocc_p *p)
{
    if (!p)
        return ADD(gocc_sched.goidgen, 1);
    if (p->goidnext == p->goidend) {
        p->goidend = ADD(gocc_sched.goidgen, 16) + 1;
        p->goidnext = p->goidend - 16;
    }
    return p->goidnext++;
}

/* m: the calling thread's (NULL on a plain thread). */
/* Inline: gocc_go is the one caller that matters (a call and its frame were ~10 instructions a spawn). */
static inline __attribute__((always_inline)) gocc_g *newg(gocc_m *m, gocc_p *p, void (*fn)(void *),
                                                          const void *arg, gocc_size argsize,
                                                          const gocc_site *site)
{
    gocc_g *g = gocc_g_alloc(p);
    /* Race builds always malloc the copy: TSan starts fresh memory with no history, where a reused
     * argbuf would carry the previous goroutine's accesses. */
    if (argsize <= GOCC_GARG && !GOCC_RACE) {
        g->arg = g->argbuf;
        /* The usual argument blocks (one to four words) without a call to memcpy. */
        switch (argsize) {
        case 8: __builtin_memcpy(g->arg, arg, 8); break;
        case 16: __builtin_memcpy(g->arg, arg, 16); break;
        case 24: __builtin_memcpy(g->arg, arg, 24); break;
        case 32: __builtin_memcpy(g->arg, arg, 32); break;
        case 0: break;
        default: memcpy(g->arg, arg, argsize);
        }
    } else if (!(g->arg = malloc(argsize ? argsize : 1))) {
        gocc_panic("go: out of memory", site);
    } else if (argsize) {
        memcpy(g->arg, arg, argsize);
    }
    g->fn = fn;
    g->createsite = site;
    g->parentid = m && m->curg ? m->curg->goid : 0;
    g->goid = newgoid(p);
    g->waitreason = NULL;
    g->waitsite = NULL;
    g->ctx = NULL;
    g->stk = NULL;
    /* g->waitset is not cleared: only a deadline wait reads it, which sets it first. */
#if GOCC_RACE
    g->racefiber = gocc_race_fiber_get();
    {
        /* Race reports name the goroutine and its go statement, not only TSan's thread number. */
        char name[64];   /* TSan keeps 63 characters: the file's base name */
        const char *base = site ? strrchr(site->file, '/') : NULL;
        if (site)
            snprintf(name, sizeof name, "goroutine %lld (created at %s:%d)", g->goid, base ? base + 1 : site->file,
                     site->line);
        else
            snprintf(name, sizeof name, "goroutine %lld", g->goid);
        race_fiber_name(g->racefiber, name);
    }
#endif
    g->sanfake = NULL;
    /* The go statement's happens-before edge, on the argument block: malloc'd per goroutine in race
     * builds (and freed at exit, which drops the sync object). */
    race_rel(g->arg);
    g->status = G_RUNNABLE;
    return g;
}

/* The spawning goroutine has filled p's run queue (half of it just went to the global queue): it has had
 * its time slice, and gets sysmon's preemption request (p->preempt, the flag, a poisoned guard), honoured
 * at its next loop check or function entry; it then waits in the global queue behind the goroutines it
 * made. Without it a loop of go statements runs for the whole 10 ms slice, as in Go, and leaves 50-100K
 * goroutines queued whose records are cold by the time they run: bench/spawn at GOMAXPROCS=1 held
 * 60-70 MiB of queued records and spent 120 ns a goroutine; with the request, about 2 MiB and ~55 ns
 * (the children run while their records are in cache). Go may preempt a goroutine at any point, so no
 * program can tell this from a slice that ended. p is left: a stale request is harmless (the next
 * goroutine's loop check finds p->preempt and yields once). */
static __attribute__((noinline)) void spawnflood(gocc_p *p)
{
    if (!RLOAD(p->preempt))
        gocc_sched_askpreempt(p);
}

/* gocc_go never switches: the m is read inline. */
void gocc_go(void (*fn)(void *arg), const void *arg, gocc_size argsize, const gocc_site *site)
{
    gocc_m *m = getm_here();
    gocc_p *p = m && m->curg ? enterp(m) : NULL;
    /* The go statement's own frame in TSan's "created at" stack (newg creates the fiber). */
    race_func_enter(__builtin_return_address(0));
    gocc_g *g = newg(m, p, fn, arg, argsize, site);
    race_func_exit();
    if (p) {
        RSTORE(p->ncreated, p->ncreated + 1);
        int flood = runqputnext(p, g);
        leavep(m, p);
        if (__builtin_expect(flood, 0))
            spawnflood(p);
        /* Unlike a ready (a hand-off that should stay on this thread), a new goroutine is work for an idle
         * p: as in Go's newproc, get one looking (it may take runnext, see runnextsteal) unless someone
         * already is. The idle count is checked here, so a busy program (every p running, GOMAXPROCS=1
         * always) makes no call. */
        if (LOAD(gocc_sched.npidle))
            gocc_sched_wakep();
        return;
    }
    ADD(gocc_sched.nfree_created, 1);
    gocc_lock_acquire(&gocc_sched.lock);
    globrunqput(g);
    gocc_lock_release(&gocc_sched.lock);
    gocc_sched_wakep();
}

/* ------------------------------------------------------------------ */
/* start                                                               */

static int (*mainfn)(int, char **, char **);
static int main_argc;
static char **main_argv, **main_envp;

/* The main goroutine returned: the process exits, as Go's does, while other goroutines may be inside a
 * printf. glibc's exit flushes stdout without taking its lock, so a line that another thread was writing
 * could come out twice ('bye bye hello' from examples/09_hello_bye, about 1 run in 1,500; 4 in 100 with
 * three goroutines printing while main returns, found by verify2). So stdout's lock is taken first: a
 * thread inside a stdio call on stdout finishes it, the others stop at their next one, and exit's own
 * handlers can still print (the lock is recursive). Bounded (about 10 ms): a goroutine that parked
 * holding the lock (flockfile around a channel operation) would keep it for ever. */
static void exitlock(void)
{
    gocc_int64 until = gocc_sched_nanotime() + 10 * 1000000;
    while (ftrylockfile(stdout) != 0 && gocc_sched_nanotime() < until)
        sched_yield();
}

static void mainentry(void *arg)
{
    (void)arg;
    int r = mainfn(main_argc, main_argv, main_envp);
    exitlock();
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

/* A p past GOMAXPROCS that its m has not retired yet (it still runs a goroutine). gocc_sched.lock held. */
int gocc_sched_retiring(void)
{
    for (int i = gocc_sched.nprocs; i < gocc_sched.allocp; i++)
        if (!gocc_sched.allp[i]->retired)
            return 1;
    return 0;
}

/* Allocates ps up to n (at most maxp), retired until GOMAXPROCS reaches them, and returns how many
 * there are (fewer than n only out of memory). sched.lock held, or the process has one thread. Each
 * allp[i] is written before allocp is published, so readers that LOAD allocp (or nprocs, which never
 * exceeds it) without the lock find the ps they count. */
int gocc_sched_allocp(int n)
{
    int i = gocc_sched.allocp;
    for (; i < n && i < gocc_sched.maxp; i++) {
        gocc_p *p;
        if (posix_memalign((void **)&p, 64, sizeof *p))
            break;
        memset(p, 0, sizeof *p);
        p->id = i;
        p->retired = 1;
        gocc_sched.allp[i] = p;
    }
    STORE(gocc_sched.allocp, i);
    return i;
}

/* Runs fn as the main goroutine on the calling thread's scheduler; never returns. */
__attribute__((noreturn)) void gocc_sched_start(int (*fn)(int, char **, char **), int argc, char **argv, char **envp)
{
    mainfn = fn;
    main_argc = argc;
    main_argv = argv;
    main_envp = envp;
    /* The p->state protocol's heavy side (see enterp). Registered first, while this is
     * the process's only thread: once a second thread exists the kernel makes the registration wait
     * for an RCU grace period (12 ms of a 1-lock-per-goroutine program's 16 ms start, measured under
     * strace -r after the timer thread had started). */
    asym = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
    gocc_sched.ncpu = cpucount();
    int n = gocc_sched.ncpu;
    const char *e = getenv("GOMAXPROCS");
    if (e && atoi(e) > 0)
        n = atoi(e);
    if (n > 1024)
        n = 1024;
    gocc_sched.nprocs = n;
    /* uni.c's barrier, registered here for the same reason (its mode goes on only at GOMAXPROCS=1). */
    int rseqbar = n == 1 && syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0) == 0;
    /* runtime_gomaxprocs may raise GOMAXPROCS later, up to maxp; the ps past n are allocated then. A p is
     * 3.3 KiB: the 64 allocated here before took 54 page faults, ~0.3 ms of every program's start on this
     * host (perf record -e page-faults of an empty program; 133 faults against C's 49). */
    gocc_sched.maxp = n > 64 ? n : 64;
    gocc_sched.allp = calloc((size_t)gocc_sched.maxp, sizeof *gocc_sched.allp);
    if (!gocc_sched.allp || gocc_sched_allocp(n) < n) {
        static const char msg[] = "fatal error: out of memory allocating the scheduler's ps\n";
        if (write(2, msg, sizeof msg - 1)) {}
        _exit(2);
    }
    for (int i = 0; i < n; i++)
        gocc_sched.allp[i]->retired = 0;
    gocc_tb_init();
    gocc_stack_init();
    gocc_signal_init();
    gocc_san_init();
    gocc_timer_init();
    gocc_uni_init(n, rseqbar);
    gocc_m *m = calloc(1, sizeof *m);
    m->id = ADD(gocc_sched.mcount, 1);
    minit(m);
    acquirep(m, gocc_sched.allp[0]);
    for (int i = n - 1; i >= 1; i--) {
        gocc_p *p = gocc_sched.allp[i];
        p->state = PS_IDLE;
        p->link = gocc_sched.pidle;
        gocc_sched.pidle = p;
        gocc_sched.npidle++;
    }
    gocc_g *g = newg(m, m->p, mainentry, NULL, 0, NULL);
    g->stk = gocc_stack_main();
    m->p->ncreated++;
    runqput(m->p, g, 1);
    gocc_sysmon_start();
    schedule(m);
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
    return n > LOAD(gocc_sched.mcount) + 2 + gocc_netpoll_threads() + (GOCC_RACE ? 1 : 0);
}

/* sysmon.c: sched.lock held. */
void gocc_sched_checkdead_locked(void) { checkdead(); }

void gocc_sched_checkdead(void)
{
    gocc_lock_acquire(&gocc_sched.lock);
    checkdead();
    gocc_lock_release(&gocc_sched.lock);
}

/* gocc_sched.lock held. Every p is idle: unless a timer, a thread that lost its p in a system call
 * or queued work can still wake someone, no goroutine will ever run again. */
static void checkdead(void)
{
    if (gocc_sched.npidle != gocc_sched.nprocs || LOAD(gocc_sched.nlost) || gocc_sched.runqsize ||
        gocc_timer_active() || gocc_sched_retiring() || gocc_netpoll_waiting())
        return;
    for (int i = 0; i < gocc_sched.nprocs; i++)
        if (!gocc_sched_runqempty(gocc_sched.allp[i]))
            return;
    if (foreignthreads()) {
        /* A pthread of the program's own may ready a goroutine (or send on a channel): not dead yet.
         * sysmon looks again from time to time. */
        gocc_sched.deadpending = 1;
        return;
    }
    gocc_sched.deadpending = 0;
    gocc_dump_deadlock();
}
