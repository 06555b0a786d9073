/*
 * dump.c - fatal reports: a runtime panic's or fatal error's goroutine, the
 * deadlock report with every goroutine, the stack overflow report. Each
 * writes to stderr with write(2) (no stdio locks: the process may be in any
 * state) and exits with status 2.
 *
 * Invariants: at most one report prints (the `dying` flag; a second caller
 * waits for the exit); a report never blocks on a runtime lock, so it works
 * from any thread, goroutine or not.
 */
#include <stdio.h>
#include <unistd.h>

#include "sched_impl.h"

static void printg(gocc_g *g, void *arg)
{
    (void)arg;
    char buf[512];
    int st = RLOAD(g->status);
    const char *what = st == G_RUNNING ? "running" : st == G_RUNNABLE ? "runnable" : g->waitreason ? g->waitreason : "waiting";
    int n = snprintf(buf, sizeof buf, "goroutine %lld [%s]:\n", g->goid, what);
    if (st == G_WAITING && g->waitsite)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "\t%s:%d\n", g->waitsite->file, g->waitsite->line);
    if (g->createsite)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "created by goroutine %lld at %s:%d\n", g->parentid,
                      g->createsite->file, g->createsite->line);
    else if (g->goid == 1)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "main goroutine\n");
    n += snprintf(buf + n, sizeof buf - (size_t)n, "\n");
    if (write(2, buf, (size_t)n)) {}
}

void gocc_sched_fatal_goroutines(void) { gocc_g_foreach(printg, NULL); }

static int dying;

/* Only the first fatal report prints; a second thread that fails meanwhile waits for the exit. */
static void enter(void)
{
    int zero = 0;
    if (!CAS(dying, zero, 1))
        for (;;)
            pause();
}

/* Prints head (if any), the current goroutine and its creation site, and exits with status 2. */
void gocc_sched_die(const char *head, const gocc_site *site)
{
    enter();
    char buf[1024];
    int n = 0;
    if (head)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s\n\n", head);
    gocc_m *m = gocc_sched_m();
    gocc_g *g = m && m->curg ? m->curg : NULL;
    if (g) {
        n += snprintf(buf + n, sizeof buf - (size_t)n, "goroutine %lld [running]:\n", g->goid);
        if (site)
            n += snprintf(buf + n, sizeof buf - (size_t)n, "\t%s:%d\n", site->file, site->line);
        if (g->createsite)
            n += snprintf(buf + n, sizeof buf - (size_t)n, "created by goroutine %lld at %s:%d\n", g->parentid,
                          g->createsite->file, g->createsite->line);
    } else {
        n += snprintf(buf + n, sizeof buf - (size_t)n, "goroutine 0 [running]:\n");
        if (site)
            n += snprintf(buf + n, sizeof buf - (size_t)n, "\t%s:%d\n", site->file, site->line);
    }
    if (write(2, buf, (size_t)n)) {}
    fflush(stdout);
    _exit(2);
}

void gocc_dump_deadlock(void)
{
    enter();
    static const char msg[] = "fatal error: all goroutines are asleep - deadlock!\n\n";
    if (write(2, msg, sizeof msg - 1)) {}
    gocc_sched_fatal_goroutines();
    fflush(stdout);
    _exit(2);
}

void gocc_dump_stackoverflow(gocc_g *g, const gocc_site *site)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "runtime: goroutine stack exceeds %zu-byte limit\nfatal error: goroutine stack overflow\n\n",
                     (size_t)(g->stk->hi - g->stk->lo) - GOCC_STACK_REDZONE);
    if (write(2, buf, (size_t)n)) {}
    gocc_sched_die(NULL, site);
}
