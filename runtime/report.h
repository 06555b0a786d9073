/*
 * report.h - fatal reports: the SIGQUIT dump, crash reports, and the pieces
 * that panics and the deadlock report share with them. Internal.
 */
#ifndef GOCC_REPORT_H
#define GOCC_REPORT_H

#include "traceback.h"

void gocc_signal_init(void);             /* installs the handlers (once, at start) */
void gocc_signal_thread(void);           /* per thread: the alternate signal stack the handlers run on */
/* Claims the report: 1 for the first thread to ask (or the one that already has it). Whoever gets 0 must not
 * print; it waits to be stopped or for the exit. */
int gocc_report_begin(void);
void gocc_report_flush_stdout(void);
/* Exit of a fatal report: status 2, or death by sig (SIGABRT if 0) under GOTRACEBACK=crash. */
__attribute__((noreturn)) void gocc_report_exit(int sig);
/* GOTRACEBACK=all and above: stops the other threads and prints every goroutine but self. */
void gocc_report_rest(gocc_g *self);
/* Prints one goroutine (tb may be NULL; site: where it stands, default its wait site) / every goroutine but
 * skip; stopped: parked stacks may be unwound. */
void gocc_dump_g(int fd, gocc_g *g, const gocc_tb *tb, const gocc_site *site);
void gocc_dump_others(gocc_g *skip, int stopped);
/* After a dump: a line about live threads the runtime did not create, which keep a deadlock from being
 * reported. */
void gocc_dump_threads_hint(void);

#endif
