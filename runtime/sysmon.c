/*
 * sysmon.c - the monitor thread: preemption of goroutines that run too long,
 * and hand-off of ps whose thread blocks in a system call.
 *
 * Invariants:
 *   - sysmon holds no p and never runs goroutines; it reads each p's state
 *     word and ticks without the p's consent, and takes a p only through
 *     gocc_sched_takep (sched.c: PS_USER -> PS_TAKE -> PS_IDLE, see
 *     sched_impl.h), which fails if the holder moved meanwhile or is inside
 *     scheduler code.
 *   - Preemption is a request: it sets p->preempt and poisons the running
 *     thread's stack guard (gocc_sched_stack_guard), so the goroutine's next
 *     function entry or loop check calls gocc_sched_preempt (sched.c), which
 *     switches out at a safe point. Nothing is interrupted asynchronously.
 *   - A p taken from a blocked m counts in sched.nlost until that m comes
 *     back to the scheduler (execute in sched.c), so the deadlock check never
 *     fires while a blocked system call may still wake someone.
 *   - sysmon sleeps (futex, no timeout) while every p is idle and nothing is
 *     lost or retiring; pidleget wakes it when a p leaves the idle list.
 * Locks: sched.lock only, briefly (handoffp, the idle check).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_impl.h"

#define SLICE_NS (10 * 1000000LL)    /* preemption time slice */
#define HANDOFF_NS (20 * 1000000LL)  /* a p stuck this long in user code is handed to another m */
#define SYSMON_NS (2 * 1000000LL)    /* sysmon's period while any p is busy */

static void handoffp(gocc_p *p)
{
    gocc_lock_acquire(&gocc_sched.lock);
    int work = !gocc_sched_runqempty(p) || gocc_sched.runqsize;
    if (!work) {
        gocc_sched_pidleput(p);
        gocc_lock_release(&gocc_sched.lock);
        return;
    }
    gocc_lock_release(&gocc_sched.lock);
    gocc_sched_startm(p, 0);
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
        gocc_lock_acquire(&gocc_sched.lock);
        if (gocc_sched.npidle == gocc_sched.nprocs && !gocc_sched.nlost && !gocc_sched_retiring()) {
            gocc_sched.sysmonwait = 1;
            STORE(gocc_sched.sysmonfutex, 0);
            int pending = gocc_sched.deadpending;
            gocc_lock_release(&gocc_sched.lock);
            if (pending) {
                gocc_futex_wait(&gocc_sched.sysmonfutex, 0, 100 * 1000000LL);
                gocc_lock_acquire(&gocc_sched.lock);
                gocc_sched.sysmonwait = 0;
                if (gocc_sched.deadpending)
                    gocc_sched_checkdead_locked();
                gocc_lock_release(&gocc_sched.lock);
                continue;
            }
            while (!LOAD(gocc_sched.sysmonfutex))
                gocc_futex_wait(&gocc_sched.sysmonfutex, 0, -1);
            continue;
        }
        gocc_lock_release(&gocc_sched.lock);
        int dummy = 0;
        gocc_futex_wait(&dummy, 0, SYSMON_NS);
        gocc_int64 now = gocc_sched_nanotime();
        int stealable = 0;
        for (int i = 0; i < LOAD(gocc_sched.nprocs); i++) {
            gocc_p *p = gocc_sched.allp[i];
            uint64_t st = LOAD(p->state);
            uint64_t tick = LOAD(p->schedtick), sw = LOAD(p->switchtick);
            /* Work others could run: a queue, or a runnext whose p has not switched since our last look
             * (it is stuck in one goroutine). A p that switches runs its runnext itself; counting that
             * too woke an idle m every 2 ms for the whole of bench/buffered at GOMAXPROCS=2 (a hand-off
             * chain refills runnext all the time), to find nothing. */
            if (LOAD(p->runqhead) != LOAD(p->runqtail) || (LOAD(p->runnext) && sw == p->sm_switch))
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
            if (d >= SLICE_NS && !RLOAD(p->preempt))
                gocc_sched_askpreempt(p);
            if (now - p->sm_swwhen >= HANDOFF_NS && p->m && threadblocked(p->m->tid)) {
                /* gocc_sched_takep leaves uni mode first (uni.h). */
                ADD(gocc_sched.nlost, 1);
                gocc_m *pm = p->m;
                if (gocc_sched_takep(p, st)) {
                    RSTORE(p->preempt, 0);
                    /* If the blocked goroutine comes back to .gc code, make it give up its thread. */
                    RSTORE(gocc_sched_preempt_flag, 1);
                    if (pm)
                        __atomic_store_n(pm->guardp, UINTPTR_MAX, __ATOMIC_RELAXED);
                    p->sm_when = p->sm_swwhen = now;
                    handoffp(p);
                } else {
                    ADD(gocc_sched.nlost, -1);
                }
            }
        }
        if (stealable && LOAD(gocc_sched.npidle) && !LOAD(gocc_sched.nmspinning))
            gocc_sched_wakep();
    }
    return NULL;
}

void gocc_sysmon_start(void)
{
    pthread_t th;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &a, sysmon, NULL))
        abort();
    pthread_attr_destroy(&a);
}
