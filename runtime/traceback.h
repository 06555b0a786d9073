/*
 * traceback.h - goroutine call chains for panics, crash reports, the SIGQUIT
 * dump and the deadlock report. Internal to the runtime.
 *
 * Unwinding uses libgcc's DWARF CFI unwinder (through libbacktrace's
 * backtrace_simple), so frames of code built without frame pointers unwind
 * too; symbolizing uses libbacktrace on the program's own debug info, where
 * the #line directives of generated code name the .gc file and line. Both are
 * usable from a signal handler once gocc_tb_init has run: libbacktrace
 * allocates with mmap and reads the executable with open/read/mmap.
 */
#ifndef GOCC_TRACEBACK_H
#define GOCC_TRACEBACK_H

#include <stdint.h>

#include "sched_impl.h"

#define GOCC_TB_MAX 100

typedef struct gocc_tb {
    uintptr_t pc[GOCC_TB_MAX];  /* innermost first; already "pc - 1" for return addresses */
    int n;
    int exact;                  /* index of the frame a signal interrupted (its pc is the exact pc), or -1 */
} gocc_tb;

/* GOTRACEBACK, as in Go: how much a fatal report shows. */
enum { GOCC_TB_NONE, GOCC_TB_SINGLE, GOCC_TB_ALL, GOCC_TB_SYSTEM, GOCC_TB_CRASH };

/* Reads GOTRACEBACK and creates libbacktrace's state (no file is read until the first traceback). Called once
 * at start, before any signal handler may need it. */
void gocc_tb_init(void);
int gocc_tb_level(void);
/* The calling thread's own stack (also through a signal frame, from a handler). */
void gocc_tb_here(gocc_tb *tb);
/* From a signal handler: the chain through the signal frame, whose interrupted pc (the context's rip) is
 * exact, not a return address: its frame's offset is printed as is, not as a return address's. */
void gocc_tb_signal(gocc_tb *tb, uintptr_t pc);
/* The stack of g, which is off its stack (parked or runnable, ctx saved) and must not run until this returns:
 * the unwinder runs on g's own stack, entered with Boost's ontop_fcontext so that it looks called from the
 * point where g switched out; the 64 bytes of saved context it overwrites are put back afterwards. */
void gocc_tb_parked(gocc_g *g, gocc_tb *tb);
/* Writes tb's frames in Go's format ("func(...)\n\tfile.gc:LINE +0xOFF\n"), runtime frames hidden unless
 * GOTRACEBACK=system; nothing when tb is empty. g (may be NULL) names the go statement, whose thunk frame is
 * hidden. Async-signal-safe
 * apart from snprintf's formatting of integers and strings. */
int gocc_tb_write(int fd, const gocc_tb *tb, const gocc_g *g);   /* returns the frames printed with a line */

/* Writes the frame of a goroutine that has not run yet, as Go does: the function it will run ("name(...)",
 * or entry's symbol when name is NULL) at the function's own line (entry may be 0: unknown). */
void gocc_tb_write_entry(int fd, uintptr_t entry, const char *name);

/* A small write(2) buffer for reports built in signal handlers (no stdio). */
typedef struct gocc_wbuf { int fd, n; char b[4096]; } gocc_wbuf;
void gocc_wbuf_printf(gocc_wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gocc_wbuf_flush(gocc_wbuf *w);

#endif
