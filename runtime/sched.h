/*
 * sched.h - the scheduler's interface to the rest of the runtime (channels,
 * select, sync, time). Internal: not installed, not seen by generated code.
 *
 * Runtime code waits through wait.h (gocc_wait_park: waiter records, claims,
 * deadlines), which is built on the two primitives below.
 *
 * Contract for parking: a goroutine that waits registers itself somewhere
 * (a channel's wait queue, say) while holding that object's lock, then calls
 * gocc_sched_park(unlock, lock, ...). The scheduler releases the lock only
 * once the goroutine is off its stack, and a waker takes the same lock before
 * it calls gocc_sched_ready, so a wake-up can never be lost or arrive while
 * the goroutine still runs.
 */
#ifndef GOCC_SCHED_H
#define GOCC_SCHED_H

#include "include/gocc.h"

typedef struct gocc_g gocc_g;                 /* a goroutine (opaque outside sched) */
/* Current goroutine. On a thread that is not running one (a plain pthread of the user's) it returns that
 * thread's own waiter record instead, which park/ready accept (it blocks the OS thread); its goid is 0.
 * It returns NULL only on the scheduler's own threads (the timer thread), where nothing may block. */
gocc_g *gocc_sched_self(void);
/* The caller runs inside a signal handler of the program's (handler.c): the blocking calls io.c takes over
 * are the plain ones there. */
int gocc_handler_inside(void);
long long gocc_sched_goid(gocc_g *g);
/* Parks the calling goroutine. Once it is off its stack, the scheduler calls unlockf(arg) (if non-NULL); a
 * waker takes the same lock before it readies the goroutine, so no wake-up is lost. reason ("chan receive",
 * "chan send", "select", "select (no cases)", "sync.WaitGroup.Wait", "sync.Mutex.Lock", "sleep", ...) and
 * site feed the deadlock report. On a thread that is not a goroutine (a plain pthread of the user's, or the
 * timer thread) it blocks that OS thread instead (futex), with the same contract. */
void gocc_sched_park(void (*unlockf)(void *arg), void *arg, const char *reason, const gocc_site *site);
/* The same, storing the parking goroutine (or thread record) in *self first, while the caller still holds
 * the lock unlockf releases: a waiter record queued under that lock can name its goroutine this way
 * instead of through gocc_sched_self (a call), since no waker reads it before unlockf. */
void gocc_sched_park_self(gocc_g **self, void (*unlockf)(void *arg), void *arg, const char *reason,
                          const gocc_site *site);
/* Makes a parked g runnable; any thread may call it. Called from a running goroutine, g goes into that
 * worker's runnext slot (runs next on this thread; the displaced runnext goes to the local queue). */
void gocc_sched_ready(gocc_g *g);
void gocc_sched_yield(void);                  /* runtime_gosched */
/* Short critical sections on runtime objects (channels, sync). Spin then yield the thread; never parks. */
typedef struct gocc_lock { int v; } gocc_lock;   /* zero = unlocked */
void gocc_lock_acquire(gocc_lock *l);
void gocc_lock_release(gocc_lock *l);
/* The runtime locks this thread holds or is taking: while any, no goroutine switch is taken on a request
 * (gocc_sched_preempt; .gc code runs under a lock only as a signal handler that interrupted the runtime).
 * Counted before the lock is taken and after it is given back, so that a signal in between sees it. A
 * lock is always released on the thread that took it (a park's unlockf runs on the parker's thread). */
extern __thread int gocc_lock_held;
/* Inside the runtime (never built with TSan) and in uninstrumented tests, the uncontended paths are
 * inline: a ping-pong round trip takes four channel locks, and the calls cost ~12 instructions each.
 * Code built with -fsanitize=thread keeps the calls, so that TSan never sees these locks' atomics as
 * synchronisation (runtime locks carry no happens-before edges, see race.c). */
#if defined(__SANITIZE_THREAD__)
#define GOCC_LOCK_CALLS_ 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GOCC_LOCK_CALLS_ 1
#endif
#endif
#ifndef GOCC_LOCK_CALLS_
/* The uncontended acquire alone: 1 if taken (counted), 0 if held by someone (not counted; the caller's
 * contended path calls gocc_lock_acquire). */
static inline int gocc_lock_tryacquire_(gocc_lock *l)
{
    gocc_lock_held++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (__builtin_expect(!__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE), 1))
        return 1;
    gocc_lock_held--;
    return 0;
}
static inline void gocc_lock_acquire_inline_(gocc_lock *l)
{
    if (__builtin_expect(!gocc_lock_tryacquire_(l), 0))
        (gocc_lock_acquire)(l);
}
#define gocc_lock_acquire(l) gocc_lock_acquire_inline_(l)
static inline void gocc_lock_release_inline_(gocc_lock *l)
{
    __atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    gocc_lock_held--;
}
#define gocc_lock_release(l) gocc_lock_release_inline_(l)
#endif
/* Monotonic clock, ns. */
gocc_int64 gocc_sched_nanotime(void);
/* The calling goroutine found a sync_mutex held by another: counted on its p for the stealing policy. */
void gocc_sched_contended(void);
/* Timers run their callback on a scheduler thread, never on a goroutine stack; the callback must not block
 * (it may call gocc_sched_ready and non-blocking channel operations). period > 0 re-arms. */
typedef struct gocc_timer {
    gocc_int64 when;                /* absolute, gocc_sched_nanotime() clock */
    gocc_int64 period;              /* 0: once */
    void (*fn)(struct gocc_timer *t);
    void *arg;
    int gocc__index;                /* sched-private: heap position, -1 when not armed */
} gocc_timer;
void gocc_timer_start(gocc_timer *t);      /* arms (or re-arms) t */
_Bool gocc_timer_stop(gocc_timer *t);      /* true if t was armed and is now disarmed */
/* Random numbers for select's poll order (per worker, no locking). */
unsigned gocc_sched_rand(void);
/* TSan: happens-before edges (no-ops unless GOCC_RACE). */
void gocc_race_release(const void *addr);
void gocc_race_acquire(const void *addr);

/* Starts the scheduler on the calling thread and runs fn as the main goroutine (id 1); exits the process
 * with fn's return value. runtime/main.c and the test runner call it. */
__attribute__((noreturn)) void gocc_sched_start(int (*fn)(int, char **, char **), int argc, char **argv,
                                                char **envp);

#endif /* GOCC_SCHED_H */
