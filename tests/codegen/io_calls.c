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
 * thread), also as the call of a go or defer statement (written in the
 * runner, with the go/defer line as the site); member calls, function
 * pointers and the program's own functions stay as written. errno is looked
 * up at each use. */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 10 "tests/codegen/io_calls.gc"

struct ops { long (*read)(int, void *, unsigned long); };

static int usleep_calls;
static void nap(void) { GOCC_FUNCTION_ENTRY(); { usleep_calls++;  } }

#line 16 "tests/codegen/io_calls.gc"
long pump(int in, int out, struct ops *o);
#line 34 "tests/codegen/io_calls.gc"
struct gocc__go_1 { __typeof__(((void)0, 1)) a0; }; static void gocc__go_1_run(void *gocc__p) { struct gocc__go_1 *gocc__a = gocc__p; gocc_io_sleep(GOCC_HERE, gocc__a->a0); }
#line 16 "tests/codegen/io_calls.gc"
long pump(int in, int out, struct ops *o) { GOCC_FUNCTION_ENTRY(); {
    char buf[512];
    long n;
    for (; (n = gocc_io_read(GOCC_HERE, in, buf, sizeof buf)) < 0 && (*gocc_errno()) == EINTR; GOCC_LOOP_CHECK_EXPR())
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
    gocc_io_select(GOCC_HERE, in + 1, NULL, NULL, NULL, NULL);
    gocc_io_ppoll(GOCC_HERE, &p, 1, NULL, NULL);
    { struct gocc__go_1 gocc__g_1 = { 1 }; gocc_go(gocc__go_1_run, &gocc__g_1, sizeof gocc__g_1, GOCC_GO_SITE("sleep", 0)); }
    nap();
    return n;
 } }

void bye(int fd) { gocc_defer *gocc__defers = 0, *gocc__cur = 0; GOCC_FUNCTION_ENTRY(); {
    { __auto_type gocc__a_2_0 = (fd); __auto_type gocc__a_2_1 = (4); struct gocc__dr_2 { gocc_defer h; __typeof__(gocc__a_2_0) a0; __typeof__(gocc__a_2_1) a1; } *gocc__r_2 = __builtin_alloca(sizeof *gocc__r_2); gocc__r_2->h.next = gocc__defers; gocc__r_2->h.site = 2; gocc__r_2->h.heap = 0; gocc__r_2->a0 = gocc__a_2_0; gocc__r_2->a1 = gocc__a_2_1; gocc__defers = &gocc__r_2->h; if (0) { gocc__defer_2: { struct gocc__dr_2 *gocc__d = (struct gocc__dr_2 *)gocc__cur; gocc_io_write(GOCC_HERE, gocc__d->a0, "bye\n", gocc__d->a1); } goto gocc__defer_next; } }
    { struct gocc__dr_3 { gocc_defer h; } *gocc__r_3 = __builtin_alloca(sizeof *gocc__r_3); gocc__r_3->h.next = gocc__defers; gocc__r_3->h.site = 3; gocc__r_3->h.heap = 0; gocc__defers = &gocc__r_3->h; if (0) { gocc__defer_3: { nap(); } goto gocc__defer_next; } }
 goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 2: goto gocc__defer_2; case 3: goto gocc__defer_3; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return; } }

int sleep_like(void) { GOCC_FUNCTION_ENTRY(); {
    int sleep = 3;   /* a local named sleep: not a call anyway */
    return sleep;
 } }

