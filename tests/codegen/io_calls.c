#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/io_calls.gc"
/* Blocking POSIX calls become gocc_io_* (the goroutine parks, not the
 * thread); member calls, function pointers, the program's own functions and
 * the call of a go statement stay as written. errno is looked up at each use. */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

struct ops { long (*read)(int, void *, unsigned long); };

static int usleep_calls;
static void nap(void) { GOCC_FUNCTION_ENTRY(); usleep_calls++; }

#line 14 "tests/codegen/io_calls.gc"
long pump(int in, int out, struct ops *o);
#line 30 "tests/codegen/io_calls.gc"
struct gocc__go_1 { __typeof__(((void)0, 1)) a0; }; static void gocc__go_1_run(void *gocc__p) { struct gocc__go_1 *gocc__a = gocc__p; sleep(gocc__a->a0); }
#line 14 "tests/codegen/io_calls.gc"
long pump(int in, int out, struct ops *o) { GOCC_FUNCTION_ENTRY();
    char buf[512];
    long n;
    for (; ((n = gocc_io_read(GOCC_HERE, in, buf, sizeof buf)) < 0 && (*gocc_errno()) == EINTR); GOCC_LOOP_CHECK_EXPR())
        ;
    if (n > 0)
        n = gocc_io_write(GOCC_HERE, out, buf,
                  n);
    o->read(in, buf, 1);
    ssize_t (*r)(int, void *, size_t) = read;
    r(in, buf, 1);
    struct pollfd p = { in, POLLIN, 0 };
    gocc_io_poll(GOCC_HERE, &p, 1, 100);
    int c = gocc_io_accept(GOCC_HERE, in, NULL, NULL);
    gocc_io_send(GOCC_HERE, c, buf, 1, 0);
    gocc_io_sleep(GOCC_HERE, 1);
    { struct gocc__go_1 gocc__g_1 = { 1 }; gocc_go(gocc__go_1_run, &gocc__g_1, sizeof gocc__g_1, GOCC_HERE); }
    nap();
    return n;
}

int sleep_like(void) { GOCC_FUNCTION_ENTRY();
    int sleep = 3;   /* a local named sleep: not a call anyway */
    return sleep;
}

