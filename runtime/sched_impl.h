/*
 * sched_impl.h - the scheduler's private structures, shared by sched.c,
 * sysmon.c, runtime.c, dump.c, race.c, wait.c, stack.c, timer.c and panic.c.
 * Nothing outside the runtime includes it.
 *
 * Three kinds of object, as in Go's runtime:
 *   g  a goroutine: a small record (with the go statement's argument copy)
 *      and, from its first run to its exit, a stack.
 *   p  a processor: the right to run goroutines, with a local run queue. There
 *      are GOMAXPROCS of them.
 *   m  an OS thread. It runs goroutines only while it holds a p; its own
 *      pthread stack (g0) runs the scheduler loop between goroutines.
 *
 * p->state word: (m id << 2) | PS_*. Only the holder moves it between PS_SCHED
 * (its g0 inside scheduler code, touching p's queues) and PS_USER (running a
 * goroutine). sysmon may take a p from an m that sits in PS_USER too long (a
 * blocking system call): gocc_sched_takep. The id in the word makes sysmon's
 * CAS immune to the p having been handed around in between.
 *
 * A goroutine uses its m's p from its own stack (park, ready, spawn, the
 * direct switches) between enterp and leavep (sched.c): it stores 1, then 0,
 * to m->insched, written only by m's thread, and p->state stays PS_USER.
 * sysmon takes a p by CAS (id | PS_USER) -> (id | PS_TAKE), a membarrier(2),
 * and a look at insched (1: it puts PS_USER back and leaves the p alone; 0:
 * PS_IDLE, the p is its to hand off). A spinning m takes a running p's
 * runnext under the same claim (runnextsteal: PS_TAKE, take, PS_USER back), so
 * runnext is otherwise its holder's alone, read and written without a locked
 * instruction. enterp stores insched = 1, then reads
 * p->state, and waits while it is PS_TAKE. The membarrier orders the owner's
 * store before its load (where the kernel has no membarrier, the owner's
 * store is an exchange), so sysmon sees insched = 1 or the owner sees
 * PS_TAKE: never both miss. Nobody else writes p->state while it is PS_TAKE
 * (g0's regainp waits too).
 */
#ifndef GOCC_SCHED_IMPL_H
#define GOCC_SCHED_IMPL_H

#include <linux/futex.h>
#include <stdint.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <stddef.h>
#include "sched.h"
#include "gqueue.h"

typedef void *fcontext_t;
typedef struct { fcontext_t fctx; void *data; } transfer_t;
transfer_t jump_fcontext(fcontext_t const to, void *vp);
/* The goroutine switch: jump_fcontext without the floating-point control registers (ctxjump.S). */
transfer_t gocc_ctx_jump(fcontext_t const to, void *vp);
fcontext_t make_fcontext(void *sp, size_t size, void (*fn)(transfer_t));
/* Leaves the current stack for good: continues at fn(arg) on the stack whose top (16-byte aligned) is top,
 * as the outermost frame (ctxjump.S). */
__attribute__((noreturn)) void gocc_ctx_restart(void *top, void *arg, void (*fn)(void *));

typedef struct gocc_p gocc_p;
typedef struct gocc_m gocc_m;

enum { G_FREE, G_RUNNABLE, G_RUNNING, G_WAITING, G_DEAD };

extern size_t gocc_stack_size;                   /* usable bytes of a goroutine stack: GOCC_STACK, else 8 MiB */
#define GOCC_STACK_REDZONE ((size_t)32 * 1024)   /* below the guard: room for C callees and the report */
#define GOCC_PAGE         4096
#define GOCC_CANARY       0x6f63636f67ULL        /* at hi-8 of every carved stack */

/* A stack's own record, at its top (the canary is its last word). */
typedef struct gocc_stk {
    char *lo;                   /* lowest usable byte */
    char *hi;                   /* one past the top */
    uintptr_t spmin;            /* lowest sp seen at switches (decides madvise on free) */
    struct gocc_stk *next;      /* free list */
    int guarded;                /* a PROT_NONE gap lies just below lo; else (past the mapping budget) a
                                   writable one that stack.c inspects after the goroutine ends */
    int chunkidx;
    int clean;                  /* not in use, and nothing below its top page is resident */
    /* the goroutine that last ended on this stack, for a gap overflow found after its end */
    long long goid, parentid;
    const struct gocc_site *createsite;
    uintptr_t sigsp;            /* handler.c: while a signal handler runs on this stack, its trampoline's
                                   frame (the goroutine is not switched out below it); else 0 */
    uint64_t canary;            /* GOCC_CANARY: an overflow of the stack above lands here first */
} gocc_stk;

#define GOCC_GARG 96            /* go-statement arguments up to this size live in the g record */

/* Field order is for the cache. What a park, a ready and a direct switch touch (ctx, status, thread, stk,
 * guard, waitreason, waitsite, sanfake) fills the first 64-byte line, so a hand-off touches one line of
 * each goroutine's record (ring keeps 503 of them in turn). goid ends that line and the second holds the
 * rest of what a spawn writes and the first run reads (fn, arg, createsite, parentid, and the first 32
 * bytes of argbuf), so a go statement with up to four words of arguments writes two lines of a record
 * that may be cold (bench/spawn keeps about 100,000 runnable records at GOMAXPROCS=1). No queue or free
 * list links through the record (the run queues and the free pools hold pointers: gqueue.h, stack.c), so
 * moving a goroutine between queues reads none of it. The rest is for deadline waits, plain threads and
 * race builds. */
struct gocc_g {
    fcontext_t ctx;             /* saved context while not running; NULL before the first run */
    int status;                 /* G_*; atomic */
    int thread;                 /* a plain OS thread's waiter record, not a goroutine */
    gocc_stk *stk;              /* bound at the first run, returned at exit */
    uintptr_t guard;            /* stk->lo + redzone: gocc_sched_stack_guard while running */
    const char *waitreason;
    const gocc_site *waitsite;
    void *sanfake;              /* ASan builds: g's fake stack while it is switched out (sanitize.h) */
    long long goid;             /* the first line's last word */
    void (*fn)(void *);
    void *arg;                  /* argbuf or malloc'd */
    const gocc_site *createsite;
    long long parentid;
    _Alignas(16) char argbuf[GOCC_GARG];
    int futex;                  /* thread records: 1 = readied */
    int racebusy;               /* race builds: a g0 runs g's unlockf on g's fiber */
    struct gocc_waitset *waitset; /* wait.c: the deadline wait in progress (g's own); set before its timer
                                   is armed, read only by that timer */
    gocc_timer waittimer;       /* wait.c: the deadline of that wait; embedded, so deadlines allocate nothing */
    void *racefiber;            /* race builds: g's TSan fiber, kept across reuse of the record; NULL
                                   otherwise (the slabs are zeroed and an exit clears it) */
};

#define GOCC_RUNQ 256
#define GOCC_GCACHE 64          /* g records a p keeps (stack.c): past it, half go to the global pool */

struct gocc_p {
    uint64_t state;             /* see above; atomic */
    int id;
    uint32_t runqhead;          /* atomic; consumers CAS it */
    uint32_t runqtail;          /* atomic; only the holder writes */
    gocc_g *runnext;            /* atomic; the holder's (entered, or g0), or a claimer's (PS_TAKE) */
    gocc_g *runq[GOCC_RUNQ];
    uint64_t schedtick;         /* atomic; bumped when a goroutine starts a new time slice */
    uint64_t switchtick;        /* atomic; bumped at every switch into a goroutine */
    int preempt;                /* atomic; sysmon asks the running goroutine to yield */
    gocc_m *m;                  /* holder (informational for sysmon) */
    gocc_p *link;               /* idle list */
    int retired;                /* past GOMAXPROCS and off the idle list (sched.lock) */
    /* holder-only caches: free g records (pointers, newest last; stack.c), free stacks */
    gocc_g *gcache[GOCC_GCACHE + 1];
    int ngfree;
    gocc_stk *sfree;
    int nsfree;
    /* Stack slots carved for this p whose pages were not written yet (stack.c): a refill carves 32 at
     * once, and writing each one's record then would fault in 32 pages (128 KiB) for a p that may need
     * one. Handed out lowest first, from the end. */
    struct gocc_carved { char *hi; int ci, guarded; } scarve[32];
    int nscarve;
    gocc_stk *spend;            /* unguarded stacks of ended goroutines, not yet checked (stack.c) */
    int nspend;
    void *stkscratch;           /* stack.c's buffers for those checks, allocated at first use */
    long long goidnext, goidend;
    /* findrunnable's stealing (holder-only): stealwaste scores recent steals that bought nothing (the
     * stolen goroutine blocked at once, readying nothing, within microseconds); while it is high, a short
     * queue of a p that keeps switching is left to that p; fightwaste scores steals whose goroutine only
     * fought over a sync_mutex (while it is high, even a stuck victim's short queue and runnext are left).
     * stolentick/stolenat/stolencontend: p's switchtick, the time and ncontend when the goroutine being run
     * was stolen (stolenat 0: it was not). */
    int stealwaste;
    int fightwaste;
    uint32_t ncontend;          /* atomic; lock attempts of p's goroutines that found a sync_mutex taken */
    uint32_t stolencontend;
    uint64_t stolentick;
    gocc_int64 stolenat;
    long long ncreated, nexited; /* atomic reads by runtime_numgoroutine */
    /* sysmon-only */
    uint64_t sm_tick, sm_switch;
    gocc_int64 sm_when, sm_swwhen;
} __attribute__((aligned(64)));

enum { OP_NONE, OP_PARK, OP_YIELD, OP_EXIT, OP_PREEMPT };

struct gocc_m {
    fcontext_t g0ctx;
    sigset_t sigmask;           /* the creator's signal mask; mstart restores it once minit marked the thread */
    gocc_p *p;
    gocc_p *nextp;              /* handed over by whoever woke this m */
    gocc_g *curg;
    int id;
    int tid;                    /* kernel thread id (sysmon reads its state) */
    int op;                     /* what curg asked of g0 when it switched out */
    int insched;                /* atomic; curg uses p (enterp..leavep); only m's thread writes it */
    void (*unlockf)(void *);
    void *unlockarg;
    gocc_g *prevg;              /* parkdirect: the goroutine that switched to curg and still needs its park
                                   finished (resumed) */
    uintptr_t *guardp;          /* this thread's gocc_sched_stack_guard */
    int futex;                  /* idle sleep word */
    int spinning;
    int lostp;                  /* sysmon took p while curg ran */
    gocc_m *link;               /* idle list */
    void *g0fiber;
};

/* stack.c: goroutine memory. g records come from dense slabs; stacks are bound to a g only when it first
 * runs, so goroutines that are spawned and finish quickly share a few warm stacks. */
/* Starts loading the two lines of g's record that a spawn writes and a first run reads (gocc_g's field
 * order) for writing: g is likely cold and about to be used (the next spawn's record, the goroutine behind
 * the one taken from the ring). A stale or NULL pointer does no harm: a prefetch never faults. */
static inline void gocc_g_prefetch(const gocc_g *g)
{
    __builtin_prefetch(g, 1);
    __builtin_prefetch((const char *)g + 64, 1);
}
gocc_g *gocc_g_refill(gocc_p *p);                /* gocc_g_alloc when p's cache is empty (or p is NULL) */
void gocc_g_free_slow(gocc_p *p, gocc_g *g);     /* gocc_g_free when p's cache is full (or p is NULL) */
/* p held (or NULL); returns a G_FREE record. The common cases are inline, without a frame: out of line
 * with the refill, the prologue and epilogue alone were 17 instructions of a spawn's ~600 (callgrind,
 * bench/spawn). */
static inline gocc_g *gocc_g_alloc(gocc_p *p)
{
    if (__builtin_expect(p && p->ngfree, 1)) {
        gocc_g *g = p->gcache[--p->ngfree];
        /* The next spawn's record (gcache[0] itself when this was the last: harmless) is likely cold:
         * start fetching the two lines a spawn writes. */
        gocc_g_prefetch(p->gcache[p->ngfree ? p->ngfree - 1 : 0]);
        return g;
    }
    return gocc_g_refill(p);
}
static inline void gocc_g_free(gocc_p *p, gocc_g *g)
{
    __atomic_store_n(&g->status, G_FREE, __ATOMIC_RELEASE);
    if (__builtin_expect(p && p->ngfree < GOCC_GCACHE, 1)) {
        p->gcache[p->ngfree++] = g;
        return;
    }
    gocc_g_free_slow(p, g);
}
long gocc_g_carved(void);                       /* g records carved so far (tests: records are reused) */
gocc_stk *gocc_stack_alloc(gocc_p *p);
void gocc_stack_free(gocc_p *p, gocc_g *g);      /* g ended: its stack is no longer in use */
void gocc_stack_flush(gocc_p *p);                /* p is about to idle: check the stacks it holds back */
gocc_stk *gocc_stack_main(void);                 /* the main goroutine's own large stack (once, at start) */
/* The guard word a goroutine starts with on stack s: a depth watermark WATERMARK below the top, so that
 * .gc code that goes deeper calls gocc_sched_morestack once, which calls gocc_stack_deeper: it notes the
 * depth (the pages go back when the goroutine ends) and lowers g->guard to the real limit (lo + redzone);
 * 0 when sp is past the real limit too (an overflow). */
uintptr_t gocc_stack_watermark(const gocc_stk *s);
int gocc_stack_deeper(gocc_g *g, uintptr_t sp);
gocc_stk *gocc_stack_find(uintptr_t addr, int *inguard); /* the stack (or its gap, *inguard) that holds addr */
int gocc_stack_holds(const gocc_stk *s, uintptr_t sp);  /* sp lies in s or in the gap below it */
/* For the crash handler: 1 if addr (a SIGSEGV/SIGBUS fault address) lies in a goroutine stack's guard gap,
 * or if sp (the faulting context's stack pointer, 0 if unknown) lies below the current goroutine's stack,
 * with the report's first lines in buf ("runtime: goroutine N stack overflow ...", "fatal error: goroutine
 * stack overflow", and the goroutine's creation site); 0 otherwise. Async-signal-safe enough for a crash
 * (snprintf of integers and strings, no allocation). */
int gocc_stack_overflow_report(uintptr_t addr, uintptr_t sp, char *buf, size_t n);
void gocc_g_foreach(void (*f)(gocc_g *g, void *arg), void *arg);
void gocc_stack_init(void);

/* timer.c */
void gocc_timer_init(void);
int gocc_timer_active(void);                     /* armed or firing timers */
void gocc_timer_stop_wait(gocc_timer *t);
void gocc_timer_poll(void);                      /* g0, p held: runs the timers that are due */        /* disarms t and waits until a callback of t in flight returns */

/* Atomics shorthand for the scheduler files. */
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define RLOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define RSTORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define CAS(x, o, n) __atomic_compare_exchange_n(&(x), &(o), (n), 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_ACQ_REL)

enum { PS_IDLE = 0, PS_SCHED = 1, PS_USER = 2, PS_TAKE = 3 };
#define PSTATE(m, s) (((uint64_t)(m)->id << 2) | (s))

/* The scheduler's global state (sched.c; sysmon.c, runtime.c and dump.c read it). */
typedef struct gocc_schedt {
    gocc_lock lock;             /* guards runq*, pidle, midle, sysmonwait; counters are atomic for readers */
    gocc_gqueue runq;           /* the global run queue (gqueue.h): pointers, FIFO */
    int runqsize;               /* its length; atomic for readers without the lock */
    gocc_p *pidle;
    int npidle;
    gocc_m *midle;
    int nmspinning;
    int nlost;
    int mcount;
    int nprocs;                 /* GOMAXPROCS: ps 0..nprocs-1 are in use; atomic for readers */
    int maxp;                   /* allp's length: GOMAXPROCS can go up to it */
    int allocp;                 /* ps allocated (allp[0..allocp-1]); those past nprocs are retired or
                                 * retiring; grows under lock, read with LOAD (allp[i] is set first) */
    gocc_p **allp;
    long long goidgen;
    long long nfree_created;    /* goroutines created/exited without a p */
    long long nfree_exited;
    int deadpending;            /* all asleep, but a thread of the program's own may still wake someone */
    int sysmonwait;             /* sysmon sleeps until a p leaves the idle list */
    int sysmonfutex;
    int ncpu;
} gocc_schedt;
extern gocc_schedt gocc_sched;

static inline void gocc_futex_wait(int *addr, int val, gocc_int64 ns)
{
    struct timespec ts, *tsp = NULL;
    if (ns >= 0) {
        ts.tv_sec = ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        tsp = &ts;
    }
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, tsp, NULL, 0);
}

static inline void gocc_futex_wake(int *addr) { syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }


/* sched.c */
void gocc_sched_pidleput(gocc_p *p);             /* sched.lock held */
void gocc_sched_startm(gocc_p *p, int spinning); /* an idle or new m runs p */
void gocc_sched_wakep(void);                     /* an idle p gets an m, unless one spins already */
int gocc_sched_runqempty(gocc_p *p);
int gocc_sched_retiring(void);                   /* sched.lock held: a p past GOMAXPROCS still runs */
int gocc_sched_allocp(int n);                    /* sched.lock held: ps up to n exist; returns how many */
gocc_m *gocc_sched_m(void);
/* handler.c: the sigaction that the program's own sigaction and signal stand in front of; the runtime's
 * handlers are installed with it, without a trampoline. */
int gocc_handler_real(int sig, const struct sigaction *act, struct sigaction *old);
void gocc_sched_systhread(void);                 /* marks the calling thread as the runtime's own */
void gocc_sched_checkdead(void);                 /* sched.lock not held: reports a deadlock if there is one */
void gocc_sched_checkdead_locked(void);          /* the same, sched.lock held */

int gocc_sched_takep(gocc_p *p, uint64_t st);   /* sysmon: takes p (PS_USER st) from a blocked m */
void gocc_sched_askpreempt(gocc_p *p);          /* a preemption request for p's running goroutine */

/* sysmon.c */
void gocc_sysmon_start(void);

/* dump.c: fatal reports (the names keep their gocc_sched_ prefix: stack.c and panic.c call them) */
void gocc_sched_fatal_goroutines(void);          /* prints every live goroutine */
__attribute__((noreturn)) void gocc_sched_die(const char *head, const gocc_site *site);
__attribute__((noreturn)) void gocc_dump_deadlock(void);   /* "all goroutines are asleep", every goroutine */
__attribute__((noreturn)) void gocc_dump_stackoverflow(gocc_g *g, const gocc_site *site);

#endif
