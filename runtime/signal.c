/*
 * signal.c - what a gc program prints when it is asked to or when it dies:
 * the SIGQUIT dump of every goroutine, and crash reports for SIGSEGV, SIGBUS,
 * SIGFPE and SIGILL, in Go's format and with Go's exit status 2.
 *
 * A report of every goroutine needs their stacks to hold still. The reporting
 * thread stops the others first ("stop the world"): it sends SIGQUIT to every
 * thread of the process that does not block it (the runtime's sysmon and
 * timer threads block every signal; they never run goroutine code), and each
 * receiver records the call chain of the goroutine it was running (its
 * handler unwinds through the signal frame), acknowledges, and waits for the
 * exit. Parked goroutines are then unwound on their own stacks
 * (gocc_tb_parked). If a thread does not acknowledge within a second, parked
 * goroutines are listed without their call chains rather than risk running
 * on a stack that another thread resumes.
 *
 * Handlers run on a per-thread alternate signal stack (so a stack overflow
 * can be reported) and use write(2), open/read/getdents on /proc, tgkill and
 * libbacktrace, which are async-signal-safe; the exception is snprintf's
 * formatting of numbers and strings, which takes no lock in glibc.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "report.h"
#include "traceback.h"

#define CAPS 256                 /* goroutines caught running on other threads */
#define ALTSTACK ((size_t)256 * 1024)   /* symbolizing (DWARF line tables) needs more than SIGSTKSZ */

static struct {
    int reporter;                /* tid of the thread that prints the report; 0 while none */
    int sent, acks;              /* stop the world: threads signalled, threads stopped */
    int foreign;                 /* stopped threads that are not the runtime's (no m) */
    int selfforeign;             /* the reporting thread is one of the program's own */
    int ncaps;
    struct { gocc_g *g; gocc_tb tb; } caps[CAPS];
} rep;

static __thread int tls_inreport;  /* a fault while this thread prints a report */

static int gettid_(void) { return (int)syscall(SYS_gettid); }

/* ------------------------------------------------------------------ */
/* the alternate signal stack                                          */

void gocc_signal_thread(void)
{
    /* mmap, not malloc: the kernel keeps the only reference, which LeakSanitizer cannot see. A guard page
     * below it turns an overflow of the handler itself into a plain crash. */
    char *p = mmap(NULL, ALTSTACK + GOCC_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        return;
    mprotect(p, GOCC_PAGE, PROT_NONE);
    stack_t ss;
    ss.ss_sp = p + GOCC_PAGE;
    ss.ss_size = ALTSTACK;
    ss.ss_flags = 0;
    sigaltstack(&ss, NULL);
}

/* ------------------------------------------------------------------ */
/* reporting                                                           */

int gocc_report_begin(void)
{
    int me = gettid_(), zero = 0;
    if (__atomic_compare_exchange_n(&rep.reporter, &zero, me, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return 1;
    return zero == me;   /* this thread already reports (a panic inside the report's own code) */
}

/* Another thread reports: if it is stopping the world, take part; then wait for the exit. */
static __attribute__((noreturn)) void stopped(void *ucv)
{
    gocc_m *m = gocc_sched_m();
    gocc_g *g = m ? m->curg : NULL;
    ucontext_t *uc = ucv;
    uintptr_t sp = uc ? (uintptr_t)uc->uc_mcontext.gregs[REG_RSP] : 0;
    if (g && !g->thread && g->stk && sp >= (uintptr_t)g->stk->lo && sp < (uintptr_t)g->stk->hi) {
        int i = __atomic_fetch_add(&rep.ncaps, 1, __ATOMIC_ACQ_REL);
        if (i < CAPS) {
            rep.caps[i].g = g;
            gocc_tb_signal(&rep.caps[i].tb, uc ? (uintptr_t)uc->uc_mcontext.gregs[REG_RIP] : 0);
        }
    }
    if (!m)
        __atomic_add_fetch(&rep.foreign, 1, __ATOMIC_ACQ_REL);
    __atomic_add_fetch(&rep.acks, 1, __ATOMIC_ACQ_REL);
    for (;;)
        pause();
}

/* Whether thread tid blocks SIGQUIT (the runtime's sysmon and timer threads do). */
static int blocksquit(int tid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 1;
    buf[n] = 0;
    char *s = strstr(buf, "SigBlk:");
    if (!s)
        return 0;
    unsigned long long mask = strtoull(s + 7, NULL, 16);
    return (int)((mask >> (SIGQUIT - 1)) & 1);
}

struct dirent64_ {
    unsigned long long ino;
    long long off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

/* Calls f(tid) for every thread of the process. */
static void eachthread(void (*f)(int tid, void *arg), void *arg)
{
    int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[4096];
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct dirent64_ *d = (struct dirent64_ *)(buf + off);
            off += d->reclen;
            if (d->name[0] >= '0' && d->name[0] <= '9')
                f(atoi(d->name), arg);
        }
    }
    close(fd);
}

static void stopone(int tid, void *arg)
{
    int me = *(int *)arg;
    if (tid == me || blocksquit(tid))
        return;
    if (syscall(SYS_tgkill, getpid(), tid, SIGQUIT) == 0)
        rep.sent++;
}

/* Returns 1 when every other thread that runs goroutine code is stopped. */
static int stoptheworld(void)
{
    int me = gettid_();
    eachthread(stopone, &me);
    for (int i = 0; i < 1000; i++) {
        if (__atomic_load_n(&rep.acks, __ATOMIC_ACQUIRE) >= rep.sent)
            return 1;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static const gocc_tb *captured(gocc_g *g)
{
    int n = __atomic_load_n(&rep.ncaps, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n && i < CAPS; i++)
        if (rep.caps[i].g == g)
            return &rep.caps[i].tb;
    return NULL;
}

struct dumpctx {
    gocc_g *skip;        /* already printed (the reporting goroutine) */
    int stopped;         /* the world is stopped: parked stacks may be unwound */
};

static void dumpone(gocc_g *g, void *arg)
{
    struct dumpctx *d = arg;
    if (g == d->skip)
        return;
    gocc_tb tb;
    const gocc_tb *t = captured(g);
    int st = __atomic_load_n(&g->status, __ATOMIC_ACQUIRE);
    if (!t && d->stopped && g->ctx && (st == G_WAITING || st == G_RUNNABLE)) {
        gocc_tb_parked(g, &tb);
        t = &tb;
    }
    gocc_dump_g(2, g, t, NULL);
}

void gocc_dump_others(gocc_g *skip, int stopped)
{
    struct dumpctx d = {skip, stopped};
    gocc_g_foreach(dumpone, &d);
}

/* Prints one goroutine: header, the .gc line where it stands (site, or where it waits; known without -g too),
 * its call chain, and the go statement that created it. */
void gocc_dump_g(int fd, gocc_g *g, const gocc_tb *tb, const gocc_site *site)
{
    gocc_wbuf w;
    w.fd = fd;
    w.n = 0;
    int st = __atomic_load_n(&g->status, __ATOMIC_ACQUIRE);
    gocc_m *me = gocc_sched_m();
    const char *what = st == G_RUNNING ? "running" : st == G_RUNNABLE ? "runnable"
                     : g->waitreason ? g->waitreason : "waiting";
    if (!site && st == G_WAITING)
        site = g->waitsite;
    gocc_wbuf_printf(&w, "goroutine %lld [%s]:\n", g->goid, what);
    if (site)
        gocc_wbuf_printf(&w, "\t%s:%d\n", site->file, site->line);
    gocc_wbuf_flush(&w);
    if (tb && tb->n) {
        gocc_tb_write(fd, tb, g);
    } else if (st == G_RUNNABLE && !g->ctx && g->createsite) {
        /* Never ran: no stack yet, so the frame is the function it will run. A go block's body is g->fn
         * itself; for go f(...), g->fn is the thunk that unpacks the arguments, and the go statement's
         * site names f. */
        const gocc_site *cs = g->createsite;
        if (cs->entry == GOCC_GO_FNARG && g->arg)   /* go through a pointer: the block's first word holds it */
            gocc_tb_write_entry(fd, *(const uintptr_t *)g->arg, NULL);
        else if (cs->fn || cs->entry)
            gocc_tb_write_entry(fd, (uintptr_t)cs->entry, cs->fn);
        else
            gocc_tb_write_entry(fd, (uintptr_t)g->fn, NULL);
    } else if (st == G_RUNNING && !(me && me->curg == g)) {
        /* Its thread stopped outside the goroutine's stack (in the scheduler's code on g0, in the middle of
         * a switch, or on a signal stack), so there is nothing to unwind; Go says the same of a goroutine
         * whose stack it cannot walk. */
        gocc_wbuf_printf(&w, "	goroutine running on other thread; stack unavailable\n");
    }
    if (g->createsite)
        gocc_wbuf_printf(&w, "created by goroutine %lld at %s:%d\n", g->parentid, g->createsite->file,
                         g->createsite->line);
    else if (g->goid == 1)
        gocc_wbuf_printf(&w, "main goroutine\n");
    gocc_wbuf_printf(&w, "\n");
    gocc_wbuf_flush(&w);
}

/* Flushes the program's stdout if no other thread is inside stdio (a report must not hang). */
void gocc_report_flush_stdout(void)
{
    if (ftrylockfile(stdout) == 0) {
        fflush_unlocked(stdout);
        funlockfile(stdout);
    }
}

__attribute__((noreturn)) void gocc_report_exit(int sig)
{
    gocc_report_flush_stdout();
    if (gocc_tb_level() == GOCC_TB_CRASH) {
        /* GOTRACEBACK=crash: die by the signal (SIGABRT for panics), so that a core dump is written. */
        int s = sig ? sig : SIGABRT;
        signal(s, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, s);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(s);
    }
    _exit(2);
}

/* Prints the other goroutines when GOTRACEBACK asks for them; used by panics and crashes. */
void gocc_report_rest(gocc_g *self)
{
    if (gocc_tb_level() < GOCC_TB_ALL)
        return;
    int ok = stoptheworld();
    gocc_dump_others(self, ok);
}

void gocc_dump_threads_hint(void)
{
    int n = __atomic_load_n(&rep.foreign, __ATOMIC_ACQUIRE) + rep.selfforeign;
    if (!n)
        return;
    gocc_wbuf w;
    w.fd = 2;
    w.n = 0;
    gocc_wbuf_printf(&w, "%d thread%s not created by the runtime (the program's own pthread_create) %s alive: while "
                         "such a thread lives, a deadlock of the goroutines is not reported, since that thread could "
                         "still wake one of them.\n\n", n, n == 1 ? "" : "s", n == 1 ? "is" : "are");
    gocc_wbuf_flush(&w);
}

/* ------------------------------------------------------------------ */
/* SIGQUIT                                                             */

static void onquit(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    if (!gocc_report_begin() || tls_inreport)
        stopped(ucv);
    tls_inreport = 1;
    ucontext_t *uc = ucv;
    gocc_wbuf w;
    w.fd = 2;
    w.n = 0;
    gocc_m *m = gocc_sched_m();
    gocc_wbuf_printf(&w, "SIGQUIT: quit\nPC=%#lx m=%d sigcode=%d\n\n", (unsigned long)uc->uc_mcontext.gregs[REG_RIP],
                     m ? m->id - 1 : -1, si->si_code);
    gocc_wbuf_flush(&w);
    if (!m)
        rep.selfforeign = 1;
    /* This thread's own goroutine, unwound through the signal frame. */
    gocc_g *self = m ? m->curg : NULL;
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    if (self && (self->thread || !self->stk || sp < (uintptr_t)self->stk->lo || sp >= (uintptr_t)self->stk->hi))
        self = NULL;
    if (self) {
        gocc_tb tb;
        gocc_tb_signal(&tb, (uintptr_t)uc->uc_mcontext.gregs[REG_RIP]);
        gocc_dump_g(2, self, &tb, NULL);
    }
    int ok = stoptheworld();
    gocc_dump_others(self, ok);
    gocc_dump_threads_hint();
    gocc_report_exit(0);
}

/* ------------------------------------------------------------------ */
/* crashes                                                             */

static const char *signame(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV: segmentation violation";
    case SIGBUS: return "SIGBUS: bus error";
    case SIGFPE: return "SIGFPE: floating-point exception";
    case SIGILL: return "SIGILL: illegal instruction";
    default: return "signal";
    }
}

static void oncrash(int sig, siginfo_t *si, void *ucv)
{
    if (tls_inreport) {
        static const char msg[] = "\nfatal error: fault while printing the report (a broken stack?)\n";
        if (write(2, msg, sizeof msg - 1)) {}
        _exit(2);
    }
    if (!gocc_report_begin())
        stopped(ucv);
    tls_inreport = 1;
    ucontext_t *uc = ucv;
    uintptr_t addr = (uintptr_t)si->si_addr, pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    gocc_m *m = gocc_sched_m();
    gocc_g *g = m ? m->curg : NULL;
    if (g && g->thread)
        g = NULL;
    gocc_wbuf w;
    w.fd = 2;
    w.n = 0;
    char ovf[512];
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    if ((sig == SIGSEGV || sig == SIGBUS) && gocc_stack_overflow_report(addr, sp, ovf, sizeof ovf)) {
        /* A fault in a stack's guard gap, or a stack pointer below the goroutine's stack (stack.c decides). */
        gocc_wbuf_printf(&w, "%s", ovf);
    } else if (sig == SIGSEGV && addr < 0x1000) {
        gocc_wbuf_printf(&w, "panic: runtime error: invalid memory address or nil pointer dereference\n");
    } else if (sig == SIGFPE && (si->si_code == FPE_INTDIV)) {
        gocc_wbuf_printf(&w, "panic: runtime error: integer divide by zero\n");
    } else if (sig == SIGFPE && (si->si_code == FPE_INTOVF)) {
        gocc_wbuf_printf(&w, "panic: runtime error: integer overflow\n");
    } else if (sig == SIGSEGV || sig == SIGBUS) {
        gocc_wbuf_printf(&w, "unexpected fault address %#lx\nfatal error: fault\n", (unsigned long)addr);
    } else {
        gocc_wbuf_printf(&w, "fatal error: unexpected signal\n");
    }
    gocc_wbuf_printf(&w, "[signal %s code=%#x addr=0x%lx pc=0x%lx]\n\n", signame(sig), (unsigned)si->si_code,
                     (unsigned long)addr, (unsigned long)pc);
    if (gocc_tb_level() == GOCC_TB_NONE) {
        gocc_wbuf_flush(&w);
        gocc_report_exit(sig);
    }
    gocc_wbuf_flush(&w);   /* before unwinding, which may fault on a broken stack */
    gocc_tb tb;
    gocc_tb_signal(&tb, pc);
    if (g) {
        gocc_dump_g(2, g, &tb, NULL);
    } else {
        /* A thread that runs no goroutine: the scheduler itself or a thread of the program's own. */
        gocc_wbuf_printf(&w, "goroutine 0 [running, not a goroutine: thread %d]:\n", gettid_());
        gocc_wbuf_flush(&w);
        gocc_tb_write(2, &tb, NULL);
        gocc_wbuf_printf(&w, "\n");
        gocc_wbuf_flush(&w);
    }
    gocc_report_rest(g);
    gocc_report_exit(sig);
}

void gocc_signal_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    /* One report at a time per thread: a stop request must not interrupt a crash report, nor the reverse. */
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGQUIT);
    /* Faults stay unblocked: a fault inside a report re-enters oncrash, which ends the process with status 2
     * (a blocked synchronous fault would kill it with the signal instead). */
    sa.sa_sigaction = oncrash;
    sa.sa_flags |= SA_NODEFER;   /* a fault while reporting (unwinding a broken stack) must reach oncrash */
    gocc_handler_real(SIGSEGV, &sa, NULL);
    gocc_handler_real(SIGBUS, &sa, NULL);
    gocc_handler_real(SIGFPE, &sa, NULL);
    gocc_handler_real(SIGILL, &sa, NULL);
    /* Even when the program starts with SIGQUIT ignored (a shell does that to background jobs): Go keeps only
     * SIGHUP's and SIGINT's ignored state, and a dump is what kill -QUIT is for. */
    sa.sa_sigaction = onquit;
    sa.sa_flags &= ~SA_NODEFER;
    gocc_handler_real(SIGQUIT, &sa, NULL);
}
