/* parse.c - tree-sitter's parse of one input under a CPU-time budget.
 *
 * The budget bounds how long a file that is not C keeps tree-sitter's error
 * recovery busy. It used to be ts_parser_set_timeout_micros, which reads a
 * monotonic wall clock: on a loaded machine (2 cores, a test suite and six
 * other builds) a real file could be refused because the parser waited for a
 * CPU, not because it worked long (zlib's crc32.c was refused once in CI).
 * So the budget counts the parsing thread's CPU time: a one-shot POSIX
 * timer on CLOCK_THREAD_CPUTIME_ID raises SIGVTALRM when it runs out, and
 * the handler sets the parser's cancellation flag, which tree-sitter reads
 * every 100 parse operations (libtree-sitter 0.20 has no progress callback).
 * A signal costs nothing while the budget lasts; polling the CPU clock from
 * the parse would need a hook tree-sitter does not have.
 *
 * The handler only stores to the flag, so it is harmless wherever and
 * whenever it runs; it stays installed once the first parse installed it,
 * so that a timer that fires just as the parse ends (before timer_delete)
 * cannot meet SIGVTALRM's default action, which ends the process. The timer
 * exists only during a parse, so no system call outside the parse is ever
 * interrupted. Where the timer cannot be created, the wall-clock timeout is
 * the fallback. */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "gc.h"
#include "parse.h"

static volatile size_t cancel_flag;

static void on_budget(int sig)
{
    (void)sig;
    __atomic_store_n(&cancel_flag, 1, __ATOMIC_RELAXED);
}

static int install_handler(void)
{
    static int installed;
    if (installed) return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_budget;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGVTALRM, &sa, NULL) != 0) return 0;
    installed = 1;
    return 1;
}

TSTree *ps_parse(const char *src, size_t len, uint64_t budget_us)
{
    TSParser *parser = ts_parser_new();
    ts_parser_set_language(parser, tree_sitter_gc());
    timer_t timer;
    int timed = 0;
    __atomic_store_n(&cancel_flag, 0, __ATOMIC_RELAXED);
    if (install_handler()) {
        struct sigevent ev;
        memset(&ev, 0, sizeof ev);
        ev.sigev_notify = SIGEV_SIGNAL;
        ev.sigev_signo = SIGVTALRM;
        if (timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &timer) == 0) {
            struct itimerspec it;
            memset(&it, 0, sizeof it);
            it.it_value.tv_sec = (time_t)(budget_us / 1000000);
            it.it_value.tv_nsec = (long)(budget_us % 1000000) * 1000;
            if (it.it_value.tv_sec == 0 && it.it_value.tv_nsec == 0) it.it_value.tv_nsec = 1;
            if (timer_settime(timer, 0, &it, NULL) == 0) timed = 1;
            else timer_delete(timer);
        }
    }
    if (timed) ts_parser_set_cancellation_flag(parser, (const size_t *)&cancel_flag);
    else ts_parser_set_timeout_micros(parser, budget_us);
    TSTree *tree = ts_parser_parse_string(parser, NULL, src, (uint32_t)len);
    if (timed) timer_delete(timer);
    ts_parser_delete(parser);
    return tree;
}
