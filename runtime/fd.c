/*
 * fd.c - close(fd) in .gc code when fd is an integer: POSIX close(2). Kept in
 * its own file so that gocc.h need not include <unistd.h>. The netpoller
 * forgets the descriptor first and wakes goroutines waiting on it (they retry
 * and get EBADF, where Linux would leave a thread blocked in read forever).
 */
#include <unistd.h>

#include "include/gocc.h"
#include "netpoll.h"

int gocc_close_fd(int fd)
{
    gocc_netpoll_close(fd);
    return close(fd);
}
