/* test_handler.c - the program's signal handlers (runtime/handler.c): no goroutine switch inside one, and
 * sigaction/signal read back what the program installed. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "gtest.h"
#include "sched_impl.h"

/* A .gc handler's loop check with a preemption request pending and another goroutine runnable, on one p:
 * the request waits until the handler has returned (before handler.c, the check switched inside the
 * handler, and the interrupted code went on, and the handler returned, wherever the goroutine ran next).
 * Back in the goroutine's own code the request is taken. */
static int other_ran; /* atomic */
static volatile int seen_in_handler = -1, handler_runs;
static volatile long long goid_in_handler;

static void other(void *arg)
{
    (void)arg;
    __atomic_store_n(&other_ran, 1, __ATOMIC_RELEASE);
}

static void request_preemption(void)
{
    gocc_m *m = gocc_sched_m();
    __atomic_store_n(&m->p->preempt, 1, __ATOMIC_RELAXED); /* as sysmon's request */
    __atomic_store_n(&gocc_sched_preempt_flag, 1, __ATOMIC_RELEASE);
}

static void loopcheck_handler(int sig)
{
    (void)sig;
    handler_runs++;
    for (int i = 0; i < 3; i++)
        GOCC_LOOP_CHECK(); /* what a loop in a .gc handler does */
    GOCC_FUNCTION_ENTRY();
    seen_in_handler = __atomic_load_n(&other_ran, __ATOMIC_ACQUIRE);
    goid_in_handler = runtime_goid();
}

static void loopcheck_info_handler(int sig, siginfo_t *si, void *uc)
{
    (void)si, (void)uc;
    loopcheck_handler(sig);
}

static void no_switch_inside(struct sigaction *sa)
{
    __atomic_store_n(&other_ran, 0, __ATOMIC_RELAXED);
    seen_in_handler = -1, handler_runs = 0;
    struct sigaction old;
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR1, sa, &old), 0);
    gocc_go(other, NULL, 0, GOCC_HERE);
    long long me = runtime_goid();
    request_preemption();
    raise(SIGUSR1);
    int ran_during = __atomic_load_n(&other_ran, __ATOMIC_ACQUIRE);
    sigaction(SIGUSR1, &old, NULL);
    CU_ASSERT_EQUAL(handler_runs, 1);
    CU_ASSERT_EQUAL(seen_in_handler, 0);
    CU_ASSERT_EQUAL(ran_during, 0);
    CU_ASSERT_EQUAL(goid_in_handler, me);
    GOCC_LOOP_CHECK(); /* the goroutine's own code: the request is taken now, and the other one runs */
    CU_ASSERT_EQUAL(__atomic_load_n(&other_ran, __ATOMIC_ACQUIRE), 1);
}

GOCC_TEST(handler_no_switch_inside_plain_handler)
{
    if (gtest_procs() != 1)
        return; /* another p could run the goroutine meanwhile */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = loopcheck_handler;
    sigemptyset(&sa.sa_mask);
    no_switch_inside(&sa);
}

GOCC_TEST(handler_no_switch_inside_siginfo_handler)
{
    if (gtest_procs() != 1)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = loopcheck_info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    no_switch_inside(&sa);
}

GOCC_TEST(handler_no_switch_inside_signal_handler)
{
    if (gtest_procs() != 1)
        return;
    __atomic_store_n(&other_ran, 0, __ATOMIC_RELAXED);
    seen_in_handler = -1, handler_runs = 0;
    sighandler_t old = signal(SIGUSR2, loopcheck_handler);
    CU_ASSERT_FATAL(old != SIG_ERR);
    gocc_go(other, NULL, 0, GOCC_HERE);
    request_preemption();
    raise(SIGUSR2);
    int ran_during = __atomic_load_n(&other_ran, __ATOMIC_ACQUIRE);
    CU_ASSERT(signal(SIGUSR2, old) == loopcheck_handler);
    CU_ASSERT_EQUAL(handler_runs, 1);
    CU_ASSERT_EQUAL(seen_in_handler, 0);
    CU_ASSERT_EQUAL(ran_during, 0);
    GOCC_LOOP_CHECK();
    CU_ASSERT_EQUAL(__atomic_load_n(&other_ran, __ATOMIC_ACQUIRE), 1);
}

/* A handler that leaves by siglongjmp never restores its mark. The goroutine's code after the jump runs
 * above the mark, so its next check drops it and switches as usual. */
static sigjmp_buf jump;

static void jumping_handler(int sig)
{
    (void)sig;
    siglongjmp(jump, 1);
}

static __attribute__((noinline)) void deep_raise(int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    if (depth)
        deep_raise(depth - 1);
    else
        raise(SIGUSR1);
    (void)pad[0];
}

GOCC_TEST(handler_siglongjmp_leaves_no_lasting_mark)
{
    if (gtest_procs() != 1)
        return;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = jumping_handler;
    sigemptyset(&sa.sa_mask);
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR1, &sa, &old), 0);
    if (!sigsetjmp(jump, 1))
        deep_raise(8);
    sigaction(SIGUSR1, &old, NULL);
    __atomic_store_n(&other_ran, 0, __ATOMIC_RELAXED);
    gocc_go(other, NULL, 0, GOCC_HERE);
    request_preemption();
    GOCC_LOOP_CHECK();
    CU_ASSERT_EQUAL(__atomic_load_n(&other_ran, __ATOMIC_ACQUIRE), 1);
}

/* What the program installed is what it reads back: the handler and its SA_SIGINFO flag, not the runtime's
 * trampoline; SIG_IGN and SIG_DFL unchanged; an action the kernel reset (SA_RESETHAND) as SIG_DFL. */
static volatile int counted;
static void count_handler(int sig) { (void)sig; counted++; }
static void count_info_handler(int sig, siginfo_t *si, void *uc) { (void)sig, (void)si, (void)uc; counted++; }

GOCC_TEST(handler_sigaction_reads_back_the_programs_action)
{
    struct sigaction sa, got, saved;
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR1, NULL, &saved), 0);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR1, &sa, NULL), 0);
    CU_ASSERT_EQUAL(sigaction(SIGUSR1, NULL, &got), 0);
    CU_ASSERT(got.sa_handler == count_handler);
    CU_ASSERT_EQUAL(got.sa_flags & SA_SIGINFO, 0);
    CU_ASSERT(got.sa_flags & SA_RESTART);
    CU_ASSERT(sigismember(&got.sa_mask, SIGUSR2));
    counted = 0;
    raise(SIGUSR1);
    CU_ASSERT_EQUAL(counted, 1);

    sa.sa_sigaction = count_info_handler;
    sa.sa_flags = SA_SIGINFO;
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR1, &sa, &got), 0);
    CU_ASSERT(got.sa_handler == count_handler); /* the old action, as installed */
    CU_ASSERT_EQUAL(got.sa_flags & SA_SIGINFO, 0);
    CU_ASSERT_EQUAL(sigaction(SIGUSR1, NULL, &got), 0);
    CU_ASSERT(got.sa_sigaction == count_info_handler);
    CU_ASSERT(got.sa_flags & SA_SIGINFO);
    raise(SIGUSR1);
    CU_ASSERT_EQUAL(counted, 2);

    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    CU_ASSERT_EQUAL(sigaction(SIGUSR1, &sa, &got), 0);
    CU_ASSERT(got.sa_sigaction == count_info_handler);
    raise(SIGUSR1); /* ignored */
    CU_ASSERT_EQUAL(sigaction(SIGUSR1, NULL, &got), 0);
    CU_ASSERT(got.sa_handler == SIG_IGN);

    sa.sa_handler = count_handler;
    sa.sa_flags = SA_RESETHAND;
    CU_ASSERT_EQUAL(sigaction(SIGUSR1, &sa, NULL), 0);
    raise(SIGUSR1);
    CU_ASSERT_EQUAL(counted, 3);
    CU_ASSERT_EQUAL(sigaction(SIGUSR1, NULL, &got), 0);
    CU_ASSERT(got.sa_handler == SIG_DFL);

    CU_ASSERT_EQUAL(sigaction(0, &sa, NULL), -1); /* the kernel's answer, unchanged */
    CU_ASSERT_EQUAL(sigaction(SIGUSR1, &saved, NULL), 0);
}

/* Each of the signal family goes through the trampoline (the kernel's action is not the program's function,
 * which still reads back as the old action), with its own semantics: __sysv_signal, to which glibc binds a
 * strictly conforming program's signal(), resets the action when the signal comes. */
sighandler_t bsd_signal(int sig, sighandler_t h); /* declared by <signal.h> only for old X/Open levels */

GOCC_TEST(handler_signal_family_installs_trampolines)
{
    struct sigaction saved, k;
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR1, NULL, &saved), 0);

    counted = 0;
    CU_ASSERT(signal(SIGUSR1, count_handler) != SIG_ERR);
    CU_ASSERT_EQUAL(gocc_handler_real(SIGUSR1, NULL, &k), 0);
    CU_ASSERT(k.sa_handler != count_handler);
    CU_ASSERT(k.sa_flags & SA_RESTART);
    CU_ASSERT_EQUAL(k.sa_flags & SA_RESETHAND, 0);
    raise(SIGUSR1);
    raise(SIGUSR1);
    CU_ASSERT_EQUAL(counted, 2);

    CU_ASSERT(__sysv_signal(SIGUSR1, count_handler) == count_handler);
    CU_ASSERT_EQUAL(gocc_handler_real(SIGUSR1, NULL, &k), 0);
    CU_ASSERT(k.sa_handler != count_handler);
    CU_ASSERT(k.sa_flags & SA_RESETHAND);
    CU_ASSERT(k.sa_flags & SA_NODEFER);
    raise(SIGUSR1);
    CU_ASSERT_EQUAL(counted, 3);
    CU_ASSERT(signal(SIGUSR1, SIG_IGN) == SIG_DFL); /* reset by the kernel */

    CU_ASSERT(bsd_signal(SIGUSR1, count_handler) == SIG_IGN);
    CU_ASSERT(sysv_signal(SIGUSR1, SIG_DFL) == count_handler);
    CU_ASSERT_EQUAL(sigaction(SIGUSR1, &saved, NULL), 0);
}
