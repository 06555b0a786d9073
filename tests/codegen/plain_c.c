#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/plain_c.gc"
/* Plain C passes through byte for byte, comments and all. */
#include <sys/select.h>
#include <unistd.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 4 "tests/codegen/plain_c.gc"

#define MAX(a, b) ((a) > (b) ? (a) : (b))

int go = 1, chan = 2, make = 3, defer = 4;    /* names, not keywords here */

int compare(int a, int b)
{ GOCC_FUNCTION_ENTRY(); {
	int r = a<-b;          /* a < -b */
	if (a <- b) r++;
	return r + MAX(go, chan) + make + defer;
 } }

int wait_fd(int fd)
{ GOCC_FUNCTION_ENTRY(); {
	fd_set set;
	FD_ZERO(&set);
	FD_SET(fd, &set);
	int n = gocc_io_select(GOCC_HERE, fd + 1, &set, NULL, NULL, NULL);
	({ __auto_type gocc__x_1 = (fd); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_1), gocc__x_1, (GOCC_CHAN(int))0)), "close of receive-only channel"); __builtin_choose_expr(GOCC__IS_PTR(gocc__x_1), (gocc_chan_close((struct gocc_chan *)GOCC__PTR_OR_NULL(gocc__x_1), GOCC_HERE), 0), gocc_close_fd(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_1), 0, gocc__x_1))); });
	for (; n-- > 0; GOCC_LOOP_CHECK_EXPR())
		;
	do { GOCC_LOOP_CHECK(); { n++; } } while (n < 3);
	return n;
 } }
