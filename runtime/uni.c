/*
 * uni.c - turning single-P ("uni") mode on at start and off for good (uni.h
 * says who may run goroutine code while it is on).
 *
 * The p's thread, per operation: a plain section (gocc.h, gocc__uni_swap_plain)
 * that is a restartable sequence: store the address of its descriptor in the
 * thread's rseq_cs word; load the thread's gocc_uni_plain flag; if set and the
 * word is as expected, store the new value (the commit). The thread that
 * leaves: store mode = LEAVING; clear every m's flag;
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ); store mode = OFF. The
 * barrier interrupts every CPU that runs a thread of the process, and on its
 * way back to user code each such thread that is inside a plain section is
 * resumed at the section's abort address instead (a thread that is not
 * running was preempted, and the kernel does the same when it resumes). So a
 * plain section that read its flag set either committed before the barrier,
 * and its store is visible to the leaver afterwards (the interrupt orders
 * it), or it never commits; a section that begins after the barrier reads its
 * flag clear. Then every thread uses the atomic path on a word whose
 * plain-written value it sees. OFF comes last because a thread that reads OFF
 * takes the atomic path without waiting (gocc.h's inline CAS among them);
 * while LEAVING, only the p's thread may take the atomic path; any other
 * thread that reads LEAVING calls gocc_uni_leave, which waits at leave_lk for
 * OFF. The flag is per thread, so that a plain thread, which never has it
 * set, needs no check of its own before the section. The earlier hand-shake
 * (an asymmetric Dekker on a global flag the p's thread set and cleared
 * around every plain section) cost the p's thread two stores and a second
 * look at the mode per lock or unlock; this one costs it one store to a
 * thread-local word.
 */
#include <linux/membarrier.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sched.h"
#include "uni.h"

__thread char gocc_uni_mthread;
__thread char gocc_uni_plain;

#ifdef GOCC_UNI_RSEQ_
/* Where a section stores its descriptor's address while the mode is not on (before the start, on a plain
 * thread, once OFF): a word of the thread's own that nothing reads, so that the inline section need not
 * test rseqcs first (that test and its branch cost a lock/unlock pair 0.4-0.5 ns in bench/mutex's loop at
 * GOMAXPROCS=1; the section's flag check turns every thread away that may not take the plain path).
 * gocc_uni_rseq starts out naming it: C has no static initializer for a thread-pointer offset, the assembler
 * does (a link-time constant in an executable). */
__thread long gocc_uni_nocs;
__asm__(".pushsection .data\n\t"
        ".balign 64\n\t"
        ".globl gocc_uni_rseq\n\t"
        ".type gocc_uni_rseq, @object\n\t"
        ".size gocc_uni_rseq, 64\n"
        "gocc_uni_rseq:\n\t"
        ".long 0, 0\n\t"          /* mode (INIT), pad_ */
        ".quad gocc_uni_nocs@tpoff\n\t" /* rseqcs */
        ".zero 48\n\t"
        ".popsection");
_Static_assert(sizeof(gocc_uni_state) == 64 && offsetof(gocc_uni_state, rseqcs) == 8, "gocc_uni_rseq's layout (uni.c's assembly)");
#else
gocc_uni_state gocc_uni_rseq;
#endif

static gocc_lock leave_lk; /* orders leaves, the start and ms' registrations; guards plainv; a leaf lock */

/* Every m's gocc_uni_plain, for gocc_uni_leave to clear (ms never exit). leave_lk held. */
static char **plainv;
static int nplain, capplain;

static long membarrier(int cmd)
{
    return syscall(SYS_membarrier, cmd, 0, 0);
}

/* glibc's rseq area (2.35 and later; weak, so that an older C library links and leaves the mode off):
 * __rseq_size is 0 where glibc did not register it (its tunable glibc.pthread.rseq=0, or a kernel without
 * rseq), and its cpu_id word reads a CPU number once the kernel has the registration. */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

#ifdef GOCC_UNI_RSEQ_
/* The thread pointer (x86-64: %fs holds it, and the TCB's first word points at itself). */
static char *threadptr(void)
{
    char *tp;
    __asm__("movq %%fs:0, %0" : "=r"(tp));
    return tp;
}

/* Whether the kernel has the calling thread's rseq area (its cpu_id word, at offset 4, is a CPU number:
 * -1 before a registration, -2 when it failed). */
static int rseq_registered(void)
{
    if (!&__rseq_size || !&__rseq_offset || __rseq_size < 16)
        return 0;
    return __atomic_load_n((const int *)(const void *)(threadptr() + __rseq_offset + 4), __ATOMIC_RELAXED) >= 0;
}

/* Whether every descriptor linked into the program (uni.h) is one the kernel accepts and describes a section
 * of gocc.h's shape: its abort address outside its section and behind the signature. gocc.h finds the abort address from a C label (the section's abort block), and GNU as checks
 * that the signature starts at that label; clang's assembler cannot, so this looks at the code itself. A
 * wrong one would make the kernel kill the process at the first abort (SIGSEGV); the mode stays off
 * instead, and every lock takes the atomic path. One load per lock site, once. */
extern const char __executable_start[] __attribute__((weak)), etext[] __attribute__((weak));

__attribute__((unused)) static int descriptors_ok(void)
{
    if (!__start_gocc_rseq_cs)
        return 1;
    if (!__executable_start || !etext)
        return 0;
    uintptr_t lo = (uintptr_t)__executable_start, hi = (uintptr_t)etext;
    for (const gocc_uni_desc *d = __start_gocc_rseq_cs; d < __stop_gocc_rseq_cs; d++) {
        unsigned sig;
        if (d->version || d->flags || (d->abort >= d->start && d->abort < d->start + d->len))
            return 0;
        /* The section: in the program's code, a few instructions long, starting with the flag's test
         * (`cmpb $0, %fs:...`, the fs prefix 0x64 first). A program built with -masm=intel and numeric
         * labels got start 1 (Intel syntax reads `1b` as binary one), a descriptor that covers nothing: the
         * kernel never aborted the section, and a preempted lock was torn (tests/e2e/masm_intel, clang,
         * 13 of 150 runs). */
        if (d->len == 0 || d->len > 64 || d->start < lo || d->start + d->len > hi || d->abort - 4 < lo ||
            d->abort > hi || *(const unsigned char *)(uintptr_t)d->start != 0x64)
            return 0;
        memcpy(&sig, (const void *)(uintptr_t)(d->abort - 4), sizeof sig);
        if (sig != GOCC_UNI_RSEQ_SIG)
            return 0;
    }
    return 1;
}
#endif

void gocc_uni_init(int nprocs, int barrier)
{
    int on = 0;
#if !(defined(GOCC_RACE) && GOCC_RACE) && defined(GOCC_UNI_RSEQ_)
    const char *e = getenv("GOCC_UNI");
    on = nprocs == 1 && !(e && strcmp(e, "0") == 0) && rseq_registered() && barrier && descriptors_ok();
#else
    (void)nprocs, (void)barrier;
#endif
    gocc_lock_acquire(&leave_lk);
    /* A plain thread (a constructor's) that used a sync function before the start left already. */
    if (__atomic_load_n(&gocc_uni_rseq.mode, __ATOMIC_RELAXED) == GOCC_UNI_INIT) {
#ifdef GOCC_UNI_RSEQ_
        if (on) {
            /* struct rseq: cpu_id_start, cpu_id, then rseq_cs. Stored last (flags are set by minit after). */
            __atomic_store_n(&gocc_uni_rseq.rseqcs, (long)(__rseq_offset + 8), __ATOMIC_RELEASE);
        }
#endif
        __atomic_store_n(&gocc_uni_rseq.mode, on ? GOCC_UNI_ON : GOCC_UNI_OFF, __ATOMIC_SEQ_CST);
    }
    gocc_lock_release(&leave_lk);
}

void gocc_uni_minit(void)
{
#ifdef GOCC_UNI_RSEQ_
    if (__atomic_load_n(&gocc_uni_rseq.mode, __ATOMIC_ACQUIRE) == GOCC_UNI_OFF)
        return;
    if (!rseq_registered()) {
        gocc_uni_leave();
        return;
    }
    gocc_lock_acquire(&leave_lk);
    if (__atomic_load_n(&gocc_uni_rseq.mode, __ATOMIC_RELAXED) == GOCC_UNI_ON) {
        if (nplain == capplain) {
            int cap = capplain ? 2 * capplain : 16;
            char **v = realloc(plainv, (size_t)cap * sizeof *v);
            if (!v)
                abort(); /* out of memory before the thread runs anything */
            plainv = v;
            capplain = cap;
        }
        plainv[nplain++] = &gocc_uni_plain;
        __atomic_store_n(&gocc_uni_plain, 1, __ATOMIC_RELAXED);
    }
    gocc_lock_release(&leave_lk);
#endif
}

void gocc_uni_leave(void)
{
    if (__atomic_load_n(&gocc_uni_rseq.mode, __ATOMIC_ACQUIRE) == GOCC_UNI_OFF)
        return;
    gocc_lock_acquire(&leave_lk);
    int was = __atomic_load_n(&gocc_uni_rseq.mode, __ATOMIC_RELAXED);
    if (was != GOCC_UNI_OFF) {
        /* OFF only once the barrier is over: a thread that reads OFF uses the atomic path at once, without
         * taking leave_lk (gocc_uni_enter, gocc.h's inline CAS, the fast return above), so an OFF stored
         * first let a second plain thread take a mutex the p's thread was taking in a plain section that
         * began before, and both held it (tests/runtime uni_second_leaver_waits_for_handshake). */
        __atomic_store_n(&gocc_uni_rseq.mode, was == GOCC_UNI_ON ? GOCC_UNI_LEAVING : GOCC_UNI_OFF, __ATOMIC_SEQ_CST);
        for (int i = 0; i < nplain; i++)
            __atomic_store_n(plainv[i], 0, __ATOMIC_SEQ_CST);
        /* Registered at init, so it cannot fail for lack of support; if it did, nothing would stop a
         * plain section under way and the hand-shake would be unsound. Registered again first: a fork's
         * child may not inherit the registration. */
        if (was == GOCC_UNI_ON && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) != 0 &&
            (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ) != 0 ||
             membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) != 0))
            abort();
        __atomic_store_n(&gocc_uni_rseq.mode, GOCC_UNI_OFF, __ATOMIC_SEQ_CST);
        /* Sections name their descriptors in a word the kernel does not read again (a section that
         * loaded rseqcs before still finds its flag clear); a nonzero rseq_cs makes the kernel read the
         * descriptor at each preemption. */
#ifdef GOCC_UNI_RSEQ_
        __atomic_store_n(&gocc_uni_rseq.rseqcs, (long)((char *)&gocc_uni_nocs - threadptr()), __ATOMIC_RELEASE);
#endif
    }
    gocc_lock_release(&leave_lk);
}
