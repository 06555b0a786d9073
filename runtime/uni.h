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
 * gocc_uni_leave (a barrier that aborts every plain section under way, see
 * uni.c):
 *   - a plain thread (not an m) calling a sync function (gocc_uni_enter does
 *     it on the thread's first call while the mode is not off);
 *   - sysmon, before it takes the p from an m blocked in a system call (that
 *     m, once the call returns, runs .gc code without a p until its next
 *     function entry or loop check);
 *   - runtime_gomaxprocs raising GOMAXPROCS (the caller holds the only p, or
 *     is a plain thread, so no second p has started yet);
 *   - an m whose thread has no rseq area registered (gocc_uni_minit).
 * Never on: the race build (GOCC_RACE), GOCC_UNI=0, GOMAXPROCS>1 at start, a
 * machine other than x86-64 (the plain section is assembly), or a kernel or
 * C library without rseq(2) and membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ)
 * (Linux 5.10, glibc 2.35).
 * Not async-signal-safe: a signal handler that calls a sync function on the
 * p's thread may find the mutex it interrupted held (it could deadlock there
 * anyway); the plain section itself is aborted by the signal, not torn.
 *
 * Generated code runs the same plain section inline (gocc.h,
 * gocc__uni_mutex_swap and gocc__uni_swap_plain), and, once the mode is OFF,
 * sync.c's atomic fast path too.
 * A compiler may keep the address of gocc_uni_mthread across a call that
 * parks and resumes the goroutine on another thread (as glibc's errno, see
 * README.md); that reads another m's flag, which is 1 as well, and ms never
 * exit, so the answer is still right. The section itself names the thread's
 * rseq area through %fs, never through a kept address.
 */
#ifndef GOCC_UNI_H
#define GOCC_UNI_H

#include "include/gocc.h" /* gocc_uni_state, gocc_uni_rseq, gocc__uni_swap_plain: generated code inlines the fast path */

extern __thread char gocc_uni_mthread; /* this thread is one of the runtime's ms */

/* gocc_uni_rseq.mode: INIT until gocc_uni_init; then ON, and OFF for good after a leave. gocc_uni_rseq is one
 * cache line, written by gocc_uni_init (mode, rseqcs) and gocc_uni_leave (mode; rseqcs back
 * to the thread's own gocc_uni_nocs word once OFF), read by every sync call. LEAVING while a leave's barrier runs (neither ON nor OFF, so
 * that every path but the p's thread's atomic one goes to gocc_uni_leave and waits). gocc_uni_mthread:
 * this thread is an m (set by minit); gocc_uni_plain: this m may take the plain section (minit sets it
 * while the mode is on, gocc_uni_leave clears it). */
#ifdef GOCC_UNI_RSEQ_
/* A plain section's descriptor as the kernel reads it (struct rseq_cs): gocc.h puts one per copy of the
 * section in section gocc_rseq_cs, which the linker brackets with these symbols (weak: none in a program
 * with no section). The signature is the one glibc registers, which gocc.h's abort block carries. */
typedef struct gocc_uni_desc {
    unsigned version, flags;
    unsigned long long start, len, abort;
} gocc_uni_desc;
extern const gocc_uni_desc __start_gocc_rseq_cs[] __attribute__((weak));
extern const gocc_uni_desc __stop_gocc_rseq_cs[] __attribute__((weak));
#define GOCC_UNI_RSEQ_SIG 0x53053053u
#endif

enum { GOCC_UNI_INIT = 0, GOCC_UNI_ON = GOCC_UNI_ON_, GOCC_UNI_OFF = GOCC_UNI_OFF_, GOCC_UNI_LEAVING = 3 };

/* Called once by gocc_sched_start with GOMAXPROCS, before any goroutine or m exists. The mode goes on only
 * with GOMAXPROCS=1, glibc's rseq area registered on this thread, and barrier: the process is registered
 * for membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) (Linux 5.10; gocc_sched_start registers it while
 * the process has one thread: later, the kernel makes a registration wait for an RCU grace period). */
void gocc_uni_init(int nprocs, int barrier);
/* Called by each m's thread as it starts (minit), before it runs goroutine code: sets its gocc_uni_plain
 * while the mode is on and registers it for gocc_uni_leave to clear. If glibc has not registered this
 * thread's rseq area, the mode is left for good instead. */
void gocc_uni_minit(void);
/* Turns the mode off for good; returns once no thread is inside a fast path that began while it was on.
 * Any thread may call it, any number of times (after the first, one load). Not with sched.lock held. */
void gocc_uni_leave(void);

/* Whether the caller may try the plain section (gocc__uni_swap_plain, gocc.h) on its object: 1 if so (it
 * still falls back to the atomic path when the section declines), 0 if it must use the atomic path, -1
 * if it is a plain thread that must call gocc_uni_leave before the atomic path (the caller does, out of
 * line, so that the fast path makes no call and needs no frame). */
static inline int gocc_uni_enter(void)
{
#if (defined(GOCC_RACE) && GOCC_RACE) || !defined(GOCC_UNI_RSEQ_)
    return 0; /* TSan must see the atomics of the lock it reports edges for; no rseq, no plain path */
#else
    int mode = __atomic_load_n(&gocc_uni_rseq.mode, __ATOMIC_RELAXED);
    if (__builtin_expect(mode == GOCC_UNI_OFF, 0))
        return 0;
    if (__builtin_expect(!gocc_uni_mthread, 0))
        return -1;
    return mode == GOCC_UNI_ON;
#endif
}

#endif
