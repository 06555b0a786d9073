/*
 * uni.h - single-P ("uni") mode: at GOMAXPROCS=1 only one thread runs
 * goroutine code at a time, so goroutines exclude each other on a sync.Mutex
 * with plain loads and stores instead of locked instructions.
 *
 * Who may run goroutine code while the mode is on: the m that holds the one p
 * (Ms are threads that ran minit; gocc_uni_mthread is set there). A p moves
 * between ms only through locked operations (sched.lock, the p state CAS),
 * which order every plain store made before the move. Everything that could
 * break "one thread" turns the mode off for good first, through
 * gocc_uni_leave (asymmetric Dekker, see uni.c):
 *   - a plain thread (not an m) calling a sync function (gocc_uni_enter does
 *     it on the thread's first call while the mode is not off);
 *   - sysmon, before it takes the p from an m blocked in a system call (that
 *     m, once the call returns, runs .gc code without a p until its next
 *     function entry or loop check);
 *   - runtime_gomaxprocs raising GOMAXPROCS (the caller holds the only p, or
 *     is a plain thread, so no second p has started yet).
 * Never on: the race build (GOCC_RACE), GOCC_UNI=0, GOMAXPROCS>1 at start, or
 * a kernel without membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED).
 * Not async-signal-safe: a signal handler that calls a sync function on the
 * p's thread can land inside the fast path (it could deadlock there anyway).
 *
 * Generated code runs the same fast path inline (gocc.h, gocc__uni_mutex_swap),
 * and, once the mode is OFF, sync.c's atomic fast path too.
 * A compiler may keep the address of gocc_uni_mthread across a call that
 * parks and resumes the goroutine on another thread (as glibc's errno, see
 * README.md); that reads another m's flag, which is 1 as well, and ms never
 * exit, so the answer is still right.
 */
#ifndef GOCC_UNI_H
#define GOCC_UNI_H

#include "include/gocc.h" /* gocc_uni_state, gocc_uni, gocc_uni_mthread: generated code inlines the fast path */

/* gocc_uni.mode: INIT until gocc_uni_init; then ON, and OFF for good after a leave. gocc_uni is one
 * cache line, written only by the p's thread while the mode is on (infast) and by gocc_uni_leave (mode,
 * once); read by both. LEAVING while a leave's hand-shake runs (neither ON nor OFF, so that every path
 * but the p's thread's atomic one goes to gocc_uni_leave and waits). gocc_uni_mthread: this thread is an
 * m (set by minit). */
enum { GOCC_UNI_INIT = 0, GOCC_UNI_ON = GOCC_UNI_ON_, GOCC_UNI_OFF = GOCC_UNI_OFF_, GOCC_UNI_LEAVING = 3 };

/* Called once by gocc_sched_start with GOMAXPROCS, before any goroutine or m exists; barrier: the process
 * is registered for membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) (gocc_sched_start registers it once,
 * first, for the p->state protocol and for this mode). */
void gocc_uni_init(int nprocs, int barrier);
/* Turns the mode off for good; returns once no thread is inside a fast path that began while it was on.
 * Any thread may call it, any number of times (after the first, one load). Not with sched.lock held. */
void gocc_uni_leave(void);

/* Enters a plain-store section. Returns 1 if the caller may now read and write its object with plain
 * loads and stores (until gocc_uni_exit), 0 if it must use the atomic path, -1 if it is a plain thread
 * that must call gocc_uni_leave before the atomic path (the caller does, out of line, so that the fast
 * path makes no call and needs no frame). */
static inline int gocc_uni_enter(void)
{
#if defined(GOCC_RACE) && GOCC_RACE
    return 0; /* TSan must see the atomics of the lock it reports edges for */
#else
    int mode = __atomic_load_n(&gocc_uni.mode, __ATOMIC_RELAXED);
    if (__builtin_expect(mode == GOCC_UNI_OFF, 0))
        return 0;
    if (__builtin_expect(!gocc_uni_mthread, 0))
        return -1;
    if (mode != GOCC_UNI_ON)
        return 0;
    /* Dekker, asymmetric: this store and the load below need no fence between them because
     * gocc_uni_leave's membarrier puts one on this thread for it; the compiler must keep the order. */
    __atomic_store_n(&gocc_uni.infast, 1, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (__builtin_expect(__atomic_load_n(&gocc_uni.mode, __ATOMIC_ACQUIRE) != GOCC_UNI_ON, 0)) {
        __atomic_store_n(&gocc_uni.infast, 0, __ATOMIC_RELEASE);
        return 0;
    }
    return 1;
#endif
}

/* Ends a plain-store section: the object's plain stores are visible before the flag reads 0 (a plain
 * store on x86, where stores are not reordered with older stores). */
static inline void gocc_uni_exit(void)
{
    __atomic_store_n(&gocc_uni.infast, 0, __ATOMIC_RELEASE);
}

#endif
