/*
 * handler.c - the program's own signal handlers: a goroutine is never switched
 * out inside one.
 *
 * A function of a .gc file has the goroutine checks at its entry and in its
 * loops (GOCC_FUNCTION_ENTRY, GOCC_LOOP_CHECK). Run as a signal handler while a
 * preemption was pending, or while its thread had just lost its p in a blocking
 * C call, such a check switched goroutines inside the handler: the interrupted
 * code (a stdio call holding its thread's lock, a sleep) then went on, and the
 * handler returned, on another thread, whose signal mask and alternate stack
 * rt_sigreturn overwrote with the first thread's, while the first kept the
 * signal blocked. A 10 kHz SIGALRM handler in a .gc file beside a goroutine in
 * sleep(3) got a false "goroutine stack overflow" report in about 1 of 100 runs.
 *
 * So the runtime stands between the program and the kernel: sigaction and
 * the signal family (signal, bsd_signal, sysv_signal, and __sysv_signal, to
 * which glibc binds a strictly conforming program's signal) here take the
 * place of libc's for every object linked into the program (.gc files and
 * plain C alike; libgocc.a comes before libc on the link line). A handler the program installs is kept in a table and the kernel
 * gets one of two trampolines (plain or SA_SIGINFO handler), which note on the
 * goroutine's stack record (gocc_stk.sigsp) the stack pointer of their own
 * frame while the handler runs. The scheduler's preemptible() declines to
 * switch a goroutine whose stack pointer is below that mark: the request stays
 * pending and the goroutine's first check after the handler returns takes it.
 * A handler on the alternate stack, on a scheduler stack or on a plain thread
 * needs no mark: preemptible() already declines off the goroutine's stack.
 *
 * The blocking calls that io.c takes over (read, write, sleep, poll, ...)
 * are the plain system calls inside a handler (gocc_handler_inside): they are
 * async-signal-safe in POSIX, and the netpoller's path allocates, takes
 * locks and parks.
 *
 * What the program sees does not change: the old action that sigaction and
 * signal return names the program's handler and flags, not a trampoline;
 * SIG_DFL, SIG_IGN and queries go to the kernel unchanged; an action the
 * kernel reset (SA_RESETHAND) reads back as the kernel has it.
 *
 * Invariants:
 *   - The kernel's action for a signal is a trampoline only while that
 *     signal's table slot (plainh or infoh, by trampoline) holds the
 *     program's handler: a slot is written before the kernel's action names
 *     its trampoline, and never cleared.
 *   - A mark (gocc_stk.sigsp) is set only by a trampoline frame on the
 *     goroutine's own stack and restored by that frame on return; one that a
 *     handler left by siglongjmp is stale, lies below the stack pointer of the
 *     goroutine's later code, and preemptible() clears it when it meets it.
 *
 * The real sigaction is the next definition after the program's (dlsym
 * RTLD_NEXT): a sanitizer's interceptor where one is linked, else libc's; in a
 * static program, glibc's __sigaction. The runtime's own handlers (signal.c)
 * are installed through gocc_handler_real, without a trampoline.
 *
 * Not covered: handlers installed by code that calls libc directly (sigset, a
 * shared library's own sigaction), and the language's blocking
 * operations inside a handler (a channel operation or a contended sync call
 * parks the goroutine, handler and all: not async-signal-safe, as in C).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "sched_impl.h"

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);

extern int __sigaction(int, const struct sigaction *, struct sigaction *);

static sigaction_fn realfn;  /* resolved once; a race between two first calls resolves the same value */

static sigaction_fn real(void)
{
    sigaction_fn f = __atomic_load_n(&realfn, __ATOMIC_ACQUIRE);
    if (!f) {
        f = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
        if (!f || f == sigaction)
            f = __sigaction;
        __atomic_store_n(&realfn, f, __ATOMIC_RELEASE);
    }
    return f;
}

int gocc_handler_real(int sig, const struct sigaction *act, struct sigaction *old)
{
    return real()(sig, act, old);
}

/* The program's handlers, by signal. Written by sigaction before the kernel's action names the trampoline
 * that reads them; read by the trampolines (atomic loads: a handler can change while signals arrive). */
static void (*plainh[NSIG])(int);
static void (*infoh[NSIG])(int, siginfo_t *, void *);

/* m's goroutine's stack record, where the mark goes, if sp is on that stack (m not NULL). */
static gocc_stk *markable(gocc_m *m, uintptr_t sp)
{
    gocc_g *g = m->curg;
    if (!g || !g->stk || !gocc_stack_holds(g->stk, sp))
        return NULL;
    return g->stk;
}

/* Handlers running on this thread, for a thread without an m (a plain thread of the program's). One that
 * left by siglongjmp stays counted: that thread's I/O calls are then the plain blocking ones, which is what
 * they amount to on a plain thread anyway. */
static __thread int plaindepth;

int gocc_handler_inside(void)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    gocc_m *m = gocc_sched_m();
    if (!m)
        return __atomic_load_n(&plaindepth, __ATOMIC_RELAXED) > 0;
    gocc_stk *s = markable(m, sp);
    /* On a worker thread, code of the program's runs off its goroutine's stack only as a handler (on the
     * alternate stack, or on g0's after interrupting the scheduler). */
    if (!s)
        return 1;
    uintptr_t mark = __atomic_load_n(&s->sigsp, __ATOMIC_RELAXED);
    return mark && sp < mark;
}

/* Runs the program's handler h with a mark on the goroutine's stack record for as long as it runs. The mark
 * is written before the call and put back after it, each compiler-ordered against the call (a signal
 * nested in between finds either mark, both of which lie above its own frame). */
static __attribute__((noinline)) void run(int sig, siginfo_t *si, void *uc, int info)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    gocc_m *m = gocc_sched_m();
    int plain = !m;
    if (plain)
        __atomic_store_n(&plaindepth, plaindepth + 1, __ATOMIC_RELAXED);
    gocc_stk *s = plain ? NULL : markable(m, sp);
    if (s) {
        uintptr_t outer = __atomic_load_n(&s->sigsp, __ATOMIC_RELAXED);
        if (outer > sp)
            s = NULL;   /* a handler this one interrupted has its mark above: it stays */
        else            /* none, or a stale one below (siglongjmp) */
            __atomic_store_n(&s->sigsp, sp, __ATOMIC_RELAXED);
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    }
    if (info) {
        void (*h)(int, siginfo_t *, void *) = __atomic_load_n(&infoh[sig], __ATOMIC_ACQUIRE);
        h(sig, si, uc);
    } else {
        void (*h)(int) = __atomic_load_n(&plainh[sig], __ATOMIC_ACQUIRE);
        h(sig);
    }
    if (s) {
        /* The goroutine cannot have left this stack's record while its handler ran (it was not switched
         * out, unless the handler parked it, and a parked goroutine keeps its stack). */
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        __atomic_store_n(&s->sigsp, 0, __ATOMIC_RELAXED);
    }
    if (plain)
        __atomic_store_n(&plaindepth, plaindepth - 1, __ATOMIC_RELAXED);
}

static void tramp_plain(int sig, siginfo_t *si, void *uc)
{
    run(sig, si, uc, 0);
}

static void tramp_info(int sig, siginfo_t *si, void *uc)
{
    run(sig, si, uc, 1);
}

static int usable(int sig)
{
    return sig > 0 && sig < NSIG;
}

/* The kernel's old action as the program installed it. */
static void untranslate(struct sigaction *old, void (*pplain)(int), void (*pinfo)(int, siginfo_t *, void *))
{
    if (old->sa_flags & SA_SIGINFO) {
        if (old->sa_sigaction == tramp_plain) {
            old->sa_flags &= ~SA_SIGINFO;
            old->sa_handler = pplain;
        } else if (old->sa_sigaction == tramp_info) {
            old->sa_sigaction = pinfo;
        }
    }
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!usable(sig))
        return real()(sig, act, old);
    void (*pplain)(int) = __atomic_load_n(&plainh[sig], __ATOMIC_ACQUIRE);
    void (*pinfo)(int, siginfo_t *, void *) = __atomic_load_n(&infoh[sig], __ATOMIC_ACQUIRE);
    struct sigaction k;
    const struct sigaction *use = act;
    if (act && act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN) {
        k = *act;
        if (act->sa_flags & SA_SIGINFO) {
            __atomic_store_n(&infoh[sig], act->sa_sigaction, __ATOMIC_RELEASE);
            k.sa_sigaction = tramp_info;
        } else {
            __atomic_store_n(&plainh[sig], act->sa_handler, __ATOMIC_RELEASE);
            k.sa_sigaction = tramp_plain;
            k.sa_flags |= SA_SIGINFO;
        }
        use = &k;
    }
    int r = real()(sig, use, old);
    if (r == 0 && old)
        untranslate(old, pplain, pinfo);
    return r;
}

/* signal with the given flags, the signal itself blocked during its handler unless SA_NODEFER. */
static sighandler_t install(int sig, sighandler_t h, int flags)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = h;
    sigemptyset(&act.sa_mask);
    if (usable(sig) && !(flags & SA_NODEFER))
        sigaddset(&act.sa_mask, sig);
    act.sa_flags = flags;
    if (sigaction(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

/* glibc's signal(): BSD semantics (the handler stays installed, interrupted calls restart, the signal is
 * blocked while its handler runs). */
sighandler_t signal(int sig, sighandler_t h)
{
    return install(sig, h, SA_RESTART);
}

sighandler_t bsd_signal(int sig, sighandler_t h)
{
    return install(sig, h, SA_RESTART);
}

/* System V semantics: the handler runs once (the kernel resets the action), unblocked, and interrupted
 * calls fail with EINTR. glibc's <signal.h> binds a strictly conforming program's signal() (-std=c11,
 * no _DEFAULT_SOURCE) to __sysv_signal. */
sighandler_t __sysv_signal(int sig, sighandler_t h)
{
    return install(sig, h, (int)(SA_RESETHAND | SA_NODEFER));
}

sighandler_t sysv_signal(int sig, sighandler_t h)
{
    return __sysv_signal(sig, h);
}
