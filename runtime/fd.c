/*
 * fd.c - close(fd) in .gc code when fd is an integer: POSIX close(2). Kept in
 * its own file so that gocc.h need not include <unistd.h>.
 */
#include <unistd.h>

#include "include/gocc.h"

int gocc_close_fd(int fd) { return close(fd); }
