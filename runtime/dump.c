/*
 * dump.c - fatal reports: a runtime panic's or fatal error's goroutine with
 * its call chain, the deadlock report with every goroutine, the stack
 * overflow report. The goroutine printer, the report claim and the exit are
 * shared with the SIGQUIT dump and the crash reports of signal.c (report.h).
 * Each writes to stderr with write(2) (no stdio locks: the process may be in
 * any state) and exits with status 2 (GOTRACEBACK=crash: by the signal).
 *
 * Invariants: at most one report prints (gocc_report_begin; a second caller
 * waits for the exit); a report never blocks on a runtime lock, so it works
 * from any thread, goroutine or not.
 */
#include <stdio.h>
#include <unistd.h>

#include "report.h"

void gocc_sched_fatal_goroutines(void) { gocc_dump_others(NULL, 0); }

static void enter(void)
{
    if (!gocc_report_begin())
        for (;;)
            pause();
}

/* Prints head (if any), the current goroutine with its .gc site, call chain and creation site (every
 * goroutine under GOTRACEBACK=all), and exits with status 2. */
void gocc_sched_die(const char *head, const gocc_site *site)
{
    enter();
    gocc_wbuf w;
    w.fd = 2;
    w.n = 0;
    if (head)
        gocc_wbuf_printf(&w, "%s\n\n", head);
    gocc_wbuf_flush(&w);
    if (gocc_tb_level() == GOCC_TB_NONE)
        gocc_report_exit(0);
    gocc_m *m = gocc_sched_m();
    gocc_g *g = m && m->curg ? m->curg : NULL;
    gocc_tb tb;
    gocc_tb_here(&tb);
    if (g) {
        gocc_dump_g(2, g, &tb, site);
    } else {
        gocc_wbuf_printf(&w, "goroutine 0 [running]:\n");
        if (site)
            gocc_wbuf_printf(&w, "\t%s:%d\n", site->file, site->line);
        gocc_wbuf_flush(&w);
        gocc_tb_write(2, &tb, NULL);
        gocc_wbuf_printf(&w, "\n");
        gocc_wbuf_flush(&w);
    }
    gocc_report_rest(g);
    gocc_report_exit(0);
}

void gocc_dump_deadlock(void)
{
    enter();
    static const char msg[] = "fatal error: all goroutines are asleep - deadlock!\n\n";
    if (write(2, msg, sizeof msg - 1)) {}
    /* Every goroutine is parked and no thread will run one again: their stacks can be unwound. */
    gocc_dump_others(NULL, 1);
    gocc_report_exit(0);
}

void gocc_dump_stackoverflow(gocc_g *g, const gocc_site *site)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "runtime: goroutine stack exceeds %zu-byte limit (GOCC_STACK raises it)\n"
                     "fatal error: goroutine stack overflow",
                     (size_t)(g->stk->hi - g->stk->lo) - GOCC_STACK_REDZONE);
    (void)n;
    gocc_sched_die(buf, site);
}
