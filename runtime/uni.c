/*
 * uni.c - turning single-P ("uni") mode on at start and off for good (uni.h
 * says who may run goroutine code while it is on).
 *
 * The hand-shake that turns it off is an asymmetric Dekker. The p's thread,
 * per operation (gocc_uni_enter): store infast = 1; load mode; if ON, plain
 * loads and stores of the object; store infast = 0. No fence: it is paid by
 * the thread that leaves, once: store mode = LEAVING; membarrier
 * (MEMBARRIER_CMD_PRIVATE_EXPEDITED: every thread of the process that is
 * running executes a full barrier before it returns); wait until infast
 * reads 0; store mode = OFF. Either the p's thread stored infast = 1 before that barrier, and
 * the leaver sees it and waits for the plain section to end (its stores are
 * visible once infast reads 0: release), or its store came after the barrier,
 * and so did its load of mode, which then sees LEAVING (not ON: the atomic path). Afterwards every thread
 * uses the atomic path on a word whose plain-written value it sees. Only the p's thread may use the
 * atomic path while the mode is LEAVING (it is the only thread that runs goroutine code, and its own
 * plain sections are behind it); any other thread that reads LEAVING calls gocc_uni_leave, which waits
 * at leave_lk for OFF.
 * Only one thread writes infast while the mode is ON; a thread that read ON
 * just before the leave may store 1 and then 0 once more, harmlessly (nobody
 * reads infast after the leave).
 */
#include <linux/membarrier.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sched.h"
#include "uni.h"

gocc_uni_state gocc_uni;
__thread char gocc_uni_mthread;

static gocc_lock leave_lk; /* orders leaves and the start (one transition at a time); a leaf lock */

static long membarrier(int cmd)
{
    return syscall(SYS_membarrier, cmd, 0, 0);
}

void gocc_uni_init(int nprocs, int barrier)
{
#if !(defined(GOCC_RACE) && GOCC_RACE)
    const char *e = getenv("GOCC_UNI");
    int on = nprocs == 1 && !(e && strcmp(e, "0") == 0) && barrier;
    gocc_lock_acquire(&leave_lk);
    /* A plain thread (a constructor's) that used a sync function before the start left already. */
    if (__atomic_load_n(&gocc_uni.mode, __ATOMIC_RELAXED) == GOCC_UNI_INIT)
        __atomic_store_n(&gocc_uni.mode, on ? GOCC_UNI_ON : GOCC_UNI_OFF, __ATOMIC_SEQ_CST);
    gocc_lock_release(&leave_lk);
#else
    (void)nprocs, (void)barrier;
    __atomic_store_n(&gocc_uni.mode, GOCC_UNI_OFF, __ATOMIC_SEQ_CST);
#endif
}

void gocc_uni_leave(void)
{
    if (__atomic_load_n(&gocc_uni.mode, __ATOMIC_ACQUIRE) == GOCC_UNI_OFF)
        return;
    gocc_lock_acquire(&leave_lk);
    int was = __atomic_load_n(&gocc_uni.mode, __ATOMIC_RELAXED);
    if (was != GOCC_UNI_OFF) {
        /* OFF only once the hand-shake is over: a thread that reads OFF uses the atomic path at once,
         * without taking leave_lk (gocc_uni_enter, gocc.h's inline CAS, the fast return above), so an
         * OFF stored first let a second plain thread take a mutex the p's thread was taking in a plain
         * section that began before, and both held it (tests/runtime uni_second_leaver_waits_for_handshake). */
        __atomic_store_n(&gocc_uni.mode, was == GOCC_UNI_ON ? GOCC_UNI_LEAVING : GOCC_UNI_OFF, __ATOMIC_SEQ_CST);
        if (was == GOCC_UNI_ON) {
            /* Registered at init, so it cannot fail for lack of support; if it did, nothing would
             * order the p's thread's store of infast and the hand-shake would be unsound. */
            if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
                (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0 ||
                 membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0))
                abort(); /* (registered again first: a fork's child may not inherit the registration) */
            while (__atomic_load_n(&gocc_uni.infast, __ATOMIC_ACQUIRE))
                sched_yield(); /* a few instructions of the p's thread, unless it is descheduled */
            __atomic_store_n(&gocc_uni.mode, GOCC_UNI_OFF, __ATOMIC_SEQ_CST);
        }
    }
    gocc_lock_release(&leave_lk);
}
