/*
 * race.c - happens-before edges for the race detector. No runtime file is
 * compiled with TSan instrumentation, even in libgocc-race.a, and runtime locks
 * (gocc_lock) announce nothing: the runtime's own hand-offs must not create
 * edges between goroutines (that would hide real races, e.g. two goroutines
 * whose WaitGroup Done and Add take the same internal lock), so every edge the
 * program is entitled to is announced explicitly (GOCC_RACE_* in chan.h).
 */
#include "sched.h"
#include "race.h"

void gocc_race_release(const void *addr) { race_rel(addr); (void)addr; }
void gocc_race_acquire(const void *addr) { race_acq(addr); (void)addr; }
