/*
 * race.c - happens-before edges for the race detector. The scheduler itself
 * (sched.c, stack.c, timer.c) is compiled without TSan instrumentation even in
 * libgocc-race.a: its own hand-offs must not create edges between goroutines
 * (that would hide real races between goroutines that share a thread), so
 * every edge the program is entitled to is announced explicitly.
 */
#include "sched.h"
#include "race.h"

void gocc_race_release(const void *addr) { race_rel(addr); (void)addr; }
void gocc_race_acquire(const void *addr) { race_acq(addr); (void)addr; }
