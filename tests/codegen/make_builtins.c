#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/make_builtins.gc"
#include <unistd.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 2 "tests/codegen/make_builtins.gc"

int cap(int *v) { GOCC_FUNCTION_ENTRY(); { return v[0];  } } /* a user function named cap keeps its meaning */

void builtins(int fd)
{ GOCC_FUNCTION_ENTRY(); {
    GOCC_CHAN( int) c = ((GOCC_CHAN( int))gocc_chan_make(sizeof( int), 0, GOCC_HERE));
    GOCC_CHAN(char *) b = ((GOCC_CHAN(char *))gocc_chan_make(sizeof(char *), 16, GOCC_HERE));
    GOCC_CHAN( GOCC_CHAN( int)) cc = ((GOCC_CHAN( GOCC_CHAN( int)))gocc_chan_make(sizeof( GOCC_CHAN( int)), 1 + 2, GOCC_HERE));
    long long n = ((int)gocc_chan_len((const struct gocc_chan *)(b))) + ((int)gocc_chan_cap((const struct gocc_chan *)(b))) * 0;
    ({ __auto_type gocc__x_1 = (c); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_1), gocc__x_1, (GOCC_CHAN(int))0)), "close of receive-only channel"); __builtin_choose_expr(GOCC__IS_PTR(gocc__x_1), (gocc_chan_close((struct gocc_chan *)GOCC__PTR_OR_NULL(gocc__x_1), GOCC_HERE), 0), gocc_close_fd(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_1), 0, gocc__x_1))); });
    ({ __auto_type gocc__x_2 = (fd); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_2), gocc__x_2, (GOCC_CHAN(int))0)), "close of receive-only channel"); __builtin_choose_expr(GOCC__IS_PTR(gocc__x_2), (gocc_chan_close((struct gocc_chan *)GOCC__PTR_OR_NULL(gocc__x_2), GOCC_HERE), 0), gocc_close_fd(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_2), 0, gocc__x_2))); });
    if (({ __auto_type gocc__x_3 = (fd); _Static_assert(!GOCC_CHAN_IS_RECV_ONLY(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_3), gocc__x_3, (GOCC_CHAN(int))0)), "close of receive-only channel"); __builtin_choose_expr(GOCC__IS_PTR(gocc__x_3), (gocc_chan_close((struct gocc_chan *)GOCC__PTR_OR_NULL(gocc__x_3), GOCC_HERE), 0), gocc_close_fd(__builtin_choose_expr(GOCC__IS_PTR(gocc__x_3), 0, gocc__x_3))); }) < 0) n++;
    int len = 3;       /* a variable named len */
    n += len;
    int arr[1] = {0};
    n += cap(arr);
    (void)cc; (void)n;
 } }
