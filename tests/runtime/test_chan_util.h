/*
 * test_chan_util.h - helpers shared by the channel, select, sync, time, map,
 * value, log and stress tests (engineer B's): typed channel shorthands, a
 * `go` for tests, and expect_death, which runs a function in a forked child
 * and checks its exit status and what it printed on stderr (for panics).
 */
#ifndef TEST_CHAN_UTIL_H
#define TEST_CHAN_UTIL_H

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest.h"
#include "chan.h"

typedef struct gocc_chan chan_t;

#define MKCHAN(T, n) gocc_chan_make(sizeof(T), (n), GOCC_HERE)
#define SEND(c, T, v) do { T tcu_v_ = (v); gocc_chan_send((c), &tcu_v_, GOCC_HERE); } while (0)
#define RECV(c, T) (__extension__({ T tcu_v_; gocc_chan_recv((c), &tcu_v_, GOCC_HERE); tcu_v_; }))
/* go fn(arg) with arg copied (arg is an lvalue). */
#define GO(fn, arg) gocc_go((void (*)(void *))(fn), &(arg), sizeof(arg), GOCC_HERE)

/* Runs fn(arg) in a forked child with its stderr captured. Fails the test
 * unless the child exits with `code` and its stderr contains `want` (and
 * `want2`, if not NULL). The child gets 10 s before SIGALRM. */
static inline int expect_death(void (*fn)(void *), void *arg, int code, const char *want, const char *want2)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 2);
        close(pfd[0]);
        alarm(10);
        fn(arg);
        _exit(99); /* fn returned: no panic */
    }
    close(pfd[1]);
    static char out[8192];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof out - 1 && (r = read(pfd[0], out + n, sizeof out - 1 - n)) != 0) {
        if (r < 0)
            break;
        n += (size_t)r;
    }
    out[n] = 0;
    close(pfd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == code && strstr(out, want) && (!want2 || strstr(out, want2));
    if (!ok)
        fprintf(stderr, "expect_death: status %#x, want exit %d with \"%s\"; stderr:\n%s\n", st, code, want, out);
    return ok;
}

/* Runs fn(arg) on a new plain OS thread (not a goroutine), detached. */
static inline void start_thread(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &a, fn, arg);
    pthread_attr_destroy(&a);
}

/* A small, fast per-goroutine PRNG for tests. */
static inline unsigned tcu_rand(unsigned long long *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (unsigned)(*s >> 32);
}

#endif
