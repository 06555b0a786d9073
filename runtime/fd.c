/*
 * fd.c - close(fd) in .gc code when fd is an integer: POSIX close(2). Kept in
 * its own file so that gocc.h need not include <unistd.h>. The netpoller
 * then forgets the descriptor and wakes goroutines waiting on it (they retry
 * and get EBADF, where Linux would leave a thread blocked in read forever).
 *
 * close(2) first, the netpoller after: the other way round, a waiter woken
 * by the netpoller could retry on the still-open descriptor (EAGAIN), wait
 * again, re-register it with epoll and park, and the close(2) that followed
 * removed it from epoll with no event: parked for ever (seen with 8
 * goroutines in accept on one listener at GOMAXPROCS=2, e2e io_accept_many).
 * Now a waiter that retries finds it closed (EBADF), and one that parks
 * after the close(2) is queued under the pd lock before the netpoller's
 * wake-up takes it. If the number is reused in between, its new file's pd is
 * set up again and its waiters wake once for nothing, which they tolerate.
 */
#include <unistd.h>

#include "include/gocc.h"
#include "netpoll.h"

int gocc_close_fd(int fd)
{
    int r = close(fd);
    gocc_netpoll_close(fd); /* keeps errno */
    return r;
}
