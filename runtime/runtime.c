/*
 * runtime.c - the runtime_* queries and settings of gocc.h: CPU count,
 * GOMAXPROCS, goroutine count, goroutine id, Gosched.
 *
 * Invariants: GOMAXPROCS changes under sched.lock. Lowering it takes ps past
 * the new count off the idle list at once; a busy one retires at its holder's
 * next scheduling (findrunnable), so no goroutine is interrupted. Raising it
 * puts retired ps back on the idle list. The goroutine count is a racy sum of
 * per-p counters, as Go's is.
 */
#include "sched_impl.h"
#include "uni.h"

int runtime_numcpu(void) { return gocc_sched.ncpu; }


int runtime_gomaxprocs(int n)
{
    if (n > 1)
        gocc_uni_leave(); /* before a second p can start (uni.h); for good, even if n is old */
    gocc_lock_acquire(&gocc_sched.lock);
    int old = gocc_sched.nprocs;
    if (n < 1 || n == old) {
        gocc_lock_release(&gocc_sched.lock);
        return old;
    }
    int have = gocc_sched_allocp(n); /* the new ps before nprocs admits them; at most maxp */
    if (n > have)
        n = have;
    if (n < old) {
        /* Ps past n leave the idle list now; busy ones retire at their next scheduling (findrunnable). */
        STORE(gocc_sched.nprocs, n);
        gocc_p **pp = &gocc_sched.pidle;
        while (*pp) {
            if ((*pp)->id >= n) {
                (*pp)->retired = 1;
                *pp = (*pp)->link;
                ADD(gocc_sched.npidle, -1);
            } else {
                pp = &(*pp)->link;
            }
        }
    } else {
        STORE(gocc_sched.nprocs, n);
        for (int i = old; i < n; i++)
            if (gocc_sched.allp[i]->retired) {
                gocc_sched.allp[i]->retired = 0;
                gocc_sched_pidleput(gocc_sched.allp[i]);
            }
    }
    gocc_lock_release(&gocc_sched.lock);
    gocc_m *m = gocc_sched_m();
    if (m && m->curg && m->p && m->p->id >= n)
        gocc_sched_yield(); /* our own p is retiring: move to another */
    else
        gocc_sched_wakep();
    return old;
}

int runtime_numgoroutine(void)
{
    long long n = LOAD(gocc_sched.nfree_created) - LOAD(gocc_sched.nfree_exited);
    for (int i = 0, np = LOAD(gocc_sched.allocp); i < np; i++)
        n += RLOAD(gocc_sched.allp[i]->ncreated) - RLOAD(gocc_sched.allp[i]->nexited);
    return (int)n;
}

long long runtime_goid(void)
{
    gocc_m *m = gocc_sched_m();
    return m && m->curg ? m->curg->goid : 0;
}

void runtime_gosched(void) { gocc_sched_yield(); }
