/*
 * io.c - the blocking POSIX calls of .gc code, parking the goroutine instead
 * of its thread. The code generator turns a direct call of read, write,
 * readv, writev, recv, recvfrom, recvmsg, send, sendto, sendmsg, accept,
 * accept4, connect, poll, ppoll, select, pselect, epoll_wait, epoll_pwait,
 * sendfile, splice, sleep, usleep, nanosleep or setsockopt in a .gc
 * file into gocc_io_NAME(GOCC_HERE, args...) (codegen/io.c).
 *
 * The user's view stays plain POSIX: a descriptor is blocking unless the
 * user made it non-blocking, and gocc never changes its flags (so F_GETFL
 * answers what the user set, a child process that inherits it sees what it
 * would have seen, and a terminal shared with the shell is left alone):
 *   sockets    every transfer is made with MSG_DONTWAIT (read and write
 *              become recv and send, readv and writev recvmsg and sendmsg);
 *              on EAGAIN the goroutine waits for readiness and tries again,
 *              and a send goes on until every byte is written, as a
 *              blocking one does. accept, connect, and sendfile and splice
 *              into a socket set O_NONBLOCK for the call itself only
 *              (gocc_netpoll_nb_hold: counted, so concurrent calls on one
 *              file restore the program's flags once, when the last ends).
 *   pipes, terminals (character devices epoll accepts)
 *              wait for readiness, then make the plain call, which then
 *              does not block; writes to a pipe go in PIPE_BUF pieces (a
 *              pipe reporting POLLOUT takes that much without blocking).
 *   anything else (regular files, /dev/null, bad descriptors)
 *              the plain call; a call that blocks long has its thread's
 *              work handed to another thread by sysmon.
 * Before waiting, a descriptor the user made non-blocking (F_GETFL) gets
 * the plain call's EAGAIN instead. SO_RCVTIMEO and SO_SNDTIMEO are honoured
 * as deadlines of the wait (then EAGAIN, or EINPROGRESS for connect).
 *
 * SIGPIPE: sends on sockets carry MSG_NOSIGNAL, so writing to a socket
 * whose peer is gone returns EPIPE (as in Go, which ignores SIGPIPE for
 * sockets). A write to a pipe whose reader is gone raises SIGPIPE as in C
 * (Go does the same for standard output and error).
 *
 * A plain thread of the program's own (not a goroutine) gets the same
 * semantics, waiting in poll(2) instead of parking. Inside a signal handler
 * of the program's (handler.c) every call is the plain one: async-signal-safe,
 * as POSIX has it, where the netpoller's path allocates, locks and parks.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <stddef.h>

#include "netpoll.h"
#include "wait.h"

/* errno is per thread, and a goroutine that parks may resume on another thread. glibc declares
 * __errno_location const, so the compiler may compute errno's address once and keep it across a park:
 * this file reaches errno only through an opaque call, looked up at every use. */
static __attribute__((noinline)) int *errno_here(void)
{
    __asm__ volatile("" ::: "memory");
    return __errno_location();
}
#undef errno
#define errno (*errno_here())

int *gocc_errno(void) { return errno_here(); }

/* The user made fd non-blocking (errno kept): F_GETFL, unless a call of ours holds O_NONBLOCK on the file
 * for itself (gocc_netpoll_nb_hold), when the flags the program set are the ones saved. */
static int usernb(gocc_pd *pd, int fd)
{
    int fl = gocc_netpoll_user_flags(pd, fd);
    return fl >= 0 && (fl & O_NONBLOCK);
}

/* fd reports ev now (or an error, which the call will report). errno kept. */
static int ready(int fd, short ev)
{
    int e = errno;
    struct pollfd p = {.fd = fd, .events = ev};
    int r = poll(&p, 1, 0);
    errno = e;
    return r != 0;
}

static gocc_int64 deadline_of(gocc_pd *pd, int dir)
{
    gocc_int64 t = gocc_netpoll_timeout(pd, dir);
    return t > 0 ? gocc_sched_nanotime() + t : 0;
}

/* A goroutine, not inside a signal handler (where the calls are the plain ones: handler.c). */
static int isgoroutine(void)
{
    gocc_g *g = gocc_sched_self();
    return g && gocc_sched_goid(g) != 0 && !gocc_handler_inside();
}

/* A private copy of an iovec array that can be advanced past written bytes. */
typedef struct iovcopy {
    struct iovec buf[8];
    struct iovec *base;         /* buf or malloc'd */
    struct iovec *v;            /* the first entry not yet done */
    int n;
} iovcopy;

static int iov_copy(iovcopy *c, const struct iovec *iov, int n)
{
    c->base = c->v = n <= 8 ? c->buf : malloc((size_t)n * sizeof *c->v);
    if (!c->v)
        return -1;
    if (n)
        memcpy(c->v, iov, (size_t)n * sizeof *c->v);
    c->n = n;
    return 0;
}

static void iov_free(iovcopy *c)
{
    if (c->base != c->buf)
        free(c->base);
}

static void iov_advance(iovcopy *c, size_t k)
{
    while (c->n && k >= c->v->iov_len) {
        k -= c->v->iov_len;
        c->v++;
        c->n--;
    }
    if (c->n) {
        c->v->iov_base = (char *)c->v->iov_base + k;
        c->v->iov_len -= k;
    }
}

static size_t iov_total(const struct iovec *v, int n)
{
    size_t t = 0;
    for (int i = 0; i < n; i++)
        t += v[i].iov_len;
    return t;
}

/* A descriptor number reused behind our back (closed by C code): forget its pd and start over. */
static int stale(gocc_pd *pd, int fd)
{
    if (errno != ENOTSOCK)
        return 0;
    gocc_netpoll_close(fd);
    errno = ENOTSOCK;
    return gocc_netpoll_pd(fd) != pd || gocc_netpoll_kind(pd) != GOCC_PD_SOCK;
}

/* ------------------------------------------------------------------ */
/* sockets                                                             */

/* recvmsg with MSG_DONTWAIT until data, EOF, an error or the SO_RCVTIMEO deadline. MSG_WAITALL keeps
 * going until the buffers are full (or EOF, or an error after some data). */
static ssize_t sock_recv(gocc_pd *pd, int fd, struct msghdr *m, int flags, const gocc_site *site)
{
    if (flags & MSG_DONTWAIT)
        return recvmsg(fd, m, flags);
    gocc_int64 dl = -1;
    size_t want = iov_total(m->msg_iov, (int)m->msg_iovlen), got = 0;
    iovcopy c = {.v = NULL};
    struct iovec *orig = m->msg_iov;
    size_t origlen = m->msg_iovlen;
    ssize_t r;
    for (;;) {
        unsigned seq = gocc_netpoll_seq(pd, GOCC_PD_READ);
        r = recvmsg(fd, m, (flags & ~MSG_WAITALL) | MSG_DONTWAIT);
        if (r > 0 && (flags & MSG_WAITALL) && got + (size_t)r < want) {
            got += (size_t)r;
            if (!c.v) {
                if (iov_copy(&c, orig, (int)origlen)) {
                    r = (ssize_t)got;
                    break;
                }
                m->msg_iov = c.v;
            }
            iov_advance(&c, (size_t)r);
            m->msg_iov = c.v;
            m->msg_iovlen = (size_t)c.n;
            continue;
        }
        if (r >= 0) {
            r += (ssize_t)got;
            break;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            if (got)
                r = (ssize_t)got;
            break;
        }
        if (usernb(pd, fd) && !got)
            break;
        if (dl < 0)
            dl = deadline_of(pd, GOCC_PD_READ);
        if (!gocc_netpoll_wait(pd, GOCC_PD_READ, seq, dl, site)) {
            if (got)
                r = (ssize_t)got;
            else
                errno = EAGAIN;
            break;
        }
    }
    if (c.v) {
        int e = errno;
        m->msg_iov = orig;
        m->msg_iovlen = origlen;
        iov_free(&c);
        errno = e;
    }
    return r;
}

/* sendmsg with MSG_DONTWAIT | MSG_NOSIGNAL until every byte is sent, an error or the SO_SNDTIMEO deadline
 * (then the count sent so far, or EAGAIN if none). */
static ssize_t sock_send(gocc_pd *pd, int fd, const struct msghdr *m0, int flags, const gocc_site *site)
{
    if (flags & MSG_DONTWAIT)
        return sendmsg(fd, m0, flags | MSG_NOSIGNAL);
    struct msghdr m = *m0;
    iovcopy c = {.v = NULL};
    size_t want = iov_total(m.msg_iov, (int)m.msg_iovlen), done = 0;
    gocc_int64 dl = -1;
    ssize_t r;
    for (;;) {
        unsigned seq = gocc_netpoll_seq(pd, GOCC_PD_WRITE);
        r = sendmsg(fd, &m, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
        if (r >= 0) {
            done += (size_t)r;
            if (done >= want) {
                r = (ssize_t)done;
                break;
            }
            if (!c.v) {
                if (iov_copy(&c, m.msg_iov, (int)m.msg_iovlen)) {
                    r = (ssize_t)done;
                    break;
                }
            }
            iov_advance(&c, (size_t)r);
            m.msg_iov = c.v;
            m.msg_iovlen = (size_t)c.n;
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            break;
        if (usernb(pd, fd))
            break;
        if (dl < 0)
            dl = deadline_of(pd, GOCC_PD_WRITE);
        if (!gocc_netpoll_wait(pd, GOCC_PD_WRITE, seq, dl, site)) {
            errno = EAGAIN;
            break;
        }
    }
    if (r < 0 && done)
        r = (ssize_t)done;
    if (c.v) {
        int e = errno;
        iov_free(&c);
        errno = e;
    }
    return r;
}

/* ------------------------------------------------------------------ */
/* pipes and terminals                                                 */

static ssize_t pipe_readv(gocc_pd *pd, int fd, const struct iovec *iov, int n, const gocc_site *site)
{
    for (;;) {
        unsigned seq = gocc_netpoll_seq(pd, GOCC_PD_READ);
        if (ready(fd, POLLIN) || usernb(pd, fd))
            return readv(fd, iov, n);
        gocc_netpoll_wait(pd, GOCC_PD_READ, seq, 0, site);
    }
}

static ssize_t pipe_writev(gocc_pd *pd, int fd, const struct iovec *iov, int n, const gocc_site *site)
{
    size_t want = iov_total(iov, n), done = 0;
    iovcopy c;
    if (iov_copy(&c, iov, n))
        return writev(fd, iov, n);
    ssize_t r = 0;
    for (;;) {
        unsigned seq = gocc_netpoll_seq(pd, GOCC_PD_WRITE);
        if (!ready(fd, POLLOUT) && !usernb(pd, fd)) {
            gocc_netpoll_wait(pd, GOCC_PD_WRITE, seq, 0, site);
            continue;
        }
        /* A pipe reporting POLLOUT has room for PIPE_BUF bytes: larger writes go in pieces. */
        struct iovec piece[8];
        int k = 0;
        size_t room = gocc_netpoll_kind(pd) == GOCC_PD_PIPE ? PIPE_BUF : (size_t)-1;
        if (want - done <= room) {
            r = writev(fd, c.v, c.n);
        } else {
            for (size_t left = room; k < 8 && k < c.n && left; k++) {
                piece[k] = c.v[k];
                if (piece[k].iov_len > left)
                    piece[k].iov_len = left;
                left -= piece[k].iov_len;
            }
            r = writev(fd, piece, k);
        }
        if (r < 0 || want == 0)
            break;
        done += (size_t)r;
        if (done >= want || usernb(pd, fd))
            break;
        iov_advance(&c, (size_t)r);
    }
    int e = errno;
    iov_free(&c);
    errno = e;
    if (r < 0 && done)
        return (ssize_t)done;
    return r < 0 ? r : (ssize_t)done;
}

/* ------------------------------------------------------------------ */
/* the calls                                                           */

ssize_t gocc_io_readv(const gocc_site *site, int fd, const struct iovec *iov, int n)
{
    gocc_pd *pd;
again:
    pd = gocc_netpoll_pd(fd);
    if (!pd)
        return readv(fd, iov, n);
    if (gocc_netpoll_kind(pd) != GOCC_PD_SOCK)
        return pipe_readv(pd, fd, iov, n, site);
    struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)n};
    ssize_t r = sock_recv(pd, fd, &m, 0, site);
    if (r < 0 && stale(pd, fd))
        goto again;
    return r;
}

ssize_t gocc_io_writev(const gocc_site *site, int fd, const struct iovec *iov, int n)
{
    gocc_pd *pd;
again:
    pd = gocc_netpoll_pd(fd);
    if (!pd)
        return writev(fd, iov, n);
    if (gocc_netpoll_kind(pd) != GOCC_PD_SOCK)
        return pipe_writev(pd, fd, iov, n, site);
    struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)n};
    ssize_t r = sock_send(pd, fd, &m, 0, site);
    if (r < 0 && stale(pd, fd))
        goto again;
    return r;
}

ssize_t gocc_io_read(const gocc_site *site, int fd, void *buf, size_t n)
{
    struct iovec v = {.iov_base = buf, .iov_len = n};
    return gocc_io_readv(site, fd, &v, 1);
}

ssize_t gocc_io_write(const gocc_site *site, int fd, const void *buf, size_t n)
{
    struct iovec v = {.iov_base = (void *)buf, .iov_len = n};
    return gocc_io_writev(site, fd, &v, 1);
}

ssize_t gocc_io_recvmsg(const gocc_site *site, int fd, struct msghdr *m, int flags)
{
    gocc_pd *pd = gocc_netpoll_pd(fd);
    if (!pd || gocc_netpoll_kind(pd) != GOCC_PD_SOCK)
        return recvmsg(fd, m, flags);
    return sock_recv(pd, fd, m, flags, site);
}

ssize_t gocc_io_recvfrom(const gocc_site *site, int fd, void *buf, size_t n, int flags, void *addr,
                         socklen_t *addrlen)
{
    gocc_pd *pd = gocc_netpoll_pd(fd);
    if (!pd || gocc_netpoll_kind(pd) != GOCC_PD_SOCK)
        return recvfrom(fd, buf, n, flags, addr, addrlen);
    struct iovec v = {.iov_base = buf, .iov_len = n};
    struct msghdr m = {.msg_name = addr, .msg_namelen = addr && addrlen ? *addrlen : 0, .msg_iov = &v, .msg_iovlen = 1};
    ssize_t r = sock_recv(pd, fd, &m, flags, site);
    if (r >= 0 && addr && addrlen)
        *addrlen = m.msg_namelen;
    return r;
}

ssize_t gocc_io_recv(const gocc_site *site, int fd, void *buf, size_t n, int flags)
{
    return gocc_io_recvfrom(site, fd, buf, n, flags, NULL, NULL);
}

ssize_t gocc_io_sendmsg(const gocc_site *site, int fd, const struct msghdr *m, int flags)
{
    gocc_pd *pd = gocc_netpoll_pd(fd);
    if (!pd || gocc_netpoll_kind(pd) != GOCC_PD_SOCK)
        return sendmsg(fd, m, flags);
    return sock_send(pd, fd, m, flags, site);
}

ssize_t gocc_io_sendto(const gocc_site *site, int fd, const void *buf, size_t n, int flags, const void *addr,
                       socklen_t addrlen)
{
    gocc_pd *pd = gocc_netpoll_pd(fd);
    if (!pd || gocc_netpoll_kind(pd) != GOCC_PD_SOCK)
        return sendto(fd, buf, n, flags, addr, addrlen);
    struct iovec v = {.iov_base = (void *)buf, .iov_len = n};
    struct msghdr m = {.msg_name = (void *)addr, .msg_namelen = addr ? addrlen : 0, .msg_iov = &v, .msg_iovlen = 1};
    return sock_send(pd, fd, &m, flags, site);
}

ssize_t gocc_io_send(const gocc_site *site, int fd, const void *buf, size_t n, int flags)
{
    return gocc_io_sendto(site, fd, buf, n, flags, NULL, 0);
}

/* accept has no per-call "don't wait" flag, and readiness first (poll, then a blocking accept) lost to a
 * second goroutine in accept on the same listener left the loser blocking its thread until the next
 * connection. So the listener is non-blocking for the call itself (counted per file, see
 * gocc_netpoll_nb_hold: any number of goroutines may accept at once) and EAGAIN means wait. */
int gocc_io_accept4(const gocc_site *site, int fd, void *addr, socklen_t *addrlen, int flags)
{
    gocc_pd *pd = gocc_netpoll_pd(fd);
    if (!pd || gocc_netpoll_kind(pd) != GOCC_PD_SOCK || usernb(pd, fd))
        return accept4(fd, addr, addrlen, flags);
    gocc_int64 dl = -1;
    for (;;) {
        unsigned seq = gocc_netpoll_seq(pd, GOCC_PD_READ);
        gocc_netpoll_nb_hold(pd);
        int r = accept4(fd, addr, addrlen, flags);
        gocc_netpoll_nb_release(pd); /* keeps errno */
        if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return r;
        if (dl < 0)
            dl = deadline_of(pd, GOCC_PD_READ);
        if (!gocc_netpoll_wait(pd, GOCC_PD_READ, seq, dl, site)) {
            errno = EAGAIN;
            return -1;
        }
    }
}

int gocc_io_accept(const gocc_site *site, int fd, void *addr, socklen_t *addrlen)
{
    return gocc_io_accept4(site, fd, addr, addrlen, 0);
}

int gocc_io_connect(const gocc_site *site, int fd, const void *addr, socklen_t len)
{
    gocc_pd *pd = gocc_netpoll_pd(fd);
    if (!pd || gocc_netpoll_kind(pd) != GOCC_PD_SOCK || usernb(pd, fd))
        return connect(fd, addr, len);
    unsigned seq = gocc_netpoll_seq(pd, GOCC_PD_WRITE);
    /* Non-blocking for this call only (gocc_netpoll_nb_hold). */
    gocc_netpoll_nb_hold(pd);
    int r = connect(fd, addr, len), e = errno;
    gocc_netpoll_nb_release(pd);
    if (r == 0 || (e != EINPROGRESS && e != EAGAIN))
        return r;
    if (e == EAGAIN)   /* a Unix socket's full backlog: a blocking connect waits in the kernel */
        return connect(fd, addr, len);
    gocc_int64 dl = deadline_of(pd, GOCC_PD_WRITE);
    for (;;) {
        if (!gocc_netpoll_wait(pd, GOCC_PD_WRITE, seq, dl, site)) {
            errno = EINPROGRESS;
            return -1;
        }
        seq = gocc_netpoll_seq(pd, GOCC_PD_WRITE);
        if (ready(fd, POLLOUT)) {
            int err = 0;
            socklen_t l = sizeof err;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err) {
                errno = err;
                return -1;
            }
            return 0;
        }
    }
}

int gocc_io_setsockopt(const gocc_site *site, int fd, int level, int opt, const void *val, socklen_t len)
{
    (void)site;
    int r = setsockopt(fd, level, opt, val, len);
    if (r == 0 && level == SOL_SOCKET && (opt == SO_RCVTIMEO || opt == SO_SNDTIMEO) && len >= sizeof(struct timeval)) {
        gocc_pd *pd = gocc_netpoll_pd(fd);
        const struct timeval *tv = val;
        if (pd)
            gocc_netpoll_set_timeout(pd, opt == SO_RCVTIMEO ? GOCC_PD_READ : GOCC_PD_WRITE,
                                     (gocc_int64)tv->tv_sec * 1000000000 + (gocc_int64)tv->tv_usec * 1000);
    }
    return r;
}

/* What a poll-like call answers once poll(fds, n, 0) returned r > 0: its result, or 0 to keep waiting
 * (select(2) ignores events it was not asked about, such as POLLHUP of a descriptor in exceptfds only). */
typedef int (*poll_answer)(struct pollfd *fds, nfds_t n, int r, void *arg);

static int timespec_of(struct timespec *ts, gocc_int64 dl)
{
    gocc_int64 left = dl - gocc_sched_nanotime();
    if (left < 0)
        left = 0;
    ts->tv_sec = left / 1000000000;
    ts->tv_nsec = left % 1000000000;
    return left > 0;
}

/* The plain, thread-blocking wait: a plain thread, something epoll cannot watch, or no memory.
 * dl: absolute deadline, 0 = none. */
static int poll_block(struct pollfd *fds, nfds_t n, gocc_int64 dl, poll_answer answer, void *arg)
{
    for (;;) {
        struct timespec ts;
        int timed = dl != 0;
        if (timed)
            timespec_of(&ts, dl);
        int r = ppoll(fds, n, timed ? &ts : NULL, NULL);
        if (r <= 0)
            return r;
        if ((r = answer(fds, n, r, arg)) != 0)
            return r;
        if (timed && gocc_sched_nanotime() >= dl)
            return 0;
    }
}

/* poll(fds, n) until answer() has something or the deadline dl passes (0: none; a deadline already past
 * means look once). The goroutine parks on the netpoller meanwhile. */
static int poll_until(const gocc_site *site, struct pollfd *fds, nfds_t n, gocc_int64 dl, int once,
                      poll_answer answer, void *arg)
{
    int r = poll(fds, n, 0);
    if (r < 0 || (r > 0 && (r = answer(fds, n, r, arg)) != 0) || once)
        return r;
    if (!isgoroutine())
        return poll_block(fds, n, dl, answer, arg);
    gocc_pd *pbuf[16];
    unsigned sbuf[32];
    gocc_pd **pds = n <= 16 ? pbuf : malloc(n * sizeof *pds);
    unsigned *seqs = n <= 16 ? sbuf : malloc(2 * n * sizeof *seqs);
    for (;;) {
        int fallback = !pds || !seqs;
        for (nfds_t i = 0; i < n && !fallback; i++) {
            pds[i] = fds[i].fd >= 0 ? gocc_netpoll_pd(fds[i].fd) : NULL;
            if (fds[i].fd >= 0 && !pds[i]) {
                fallback = 1;
                break;
            }
            if (pds[i]) {
                seqs[2 * i] = gocc_netpoll_seq(pds[i], GOCC_PD_READ);
                seqs[2 * i + 1] = gocc_netpoll_seq(pds[i], GOCC_PD_WRITE);
            }
        }
        if (!fallback) {
            r = poll(fds, n, 0);
            if (r < 0 || (r > 0 && (r = answer(fds, n, r, arg)) != 0))
                break;
            int w = gocc_netpoll_wait_many(fds, n, pds, seqs, dl, site);
            if (w == 0) {
                r = 0;
                break;
            }
            if (w > 0)
                continue;
        }
        /* Something epoll cannot watch, or no memory: the plain wait for what remains of the timeout. */
        r = poll_block(fds, n, dl, answer, arg);
        break;
    }
    int e = errno;
    if (pds != pbuf)
        free(pds);
    if (seqs != sbuf)
        free(seqs);
    errno = e;
    return r;
}

static int poll_count(struct pollfd *fds, nfds_t n, int r, void *arg)
{
    (void)fds, (void)n, (void)arg;
    return r;
}

/* An absolute deadline for a relative timeout in ns (< 0: none; 0 stays "look once"). */
static gocc_int64 deadline_in(gocc_int64 ns) { return ns < 0 ? 0 : gocc_sched_nanotime() + ns; }

int gocc_io_poll(const gocc_site *site, struct pollfd *fds, nfds_t n, int timeout)
{
    return poll_until(site, fds, n, deadline_in(timeout < 0 ? -1 : (gocc_int64)timeout * 1000000), timeout == 0,
                      poll_count, NULL);
}

static int bad_timespec(const struct timespec *t)
{
    return t && (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= 1000000000);
}

/* ppoll with a signal mask would have to apply it while the goroutine is parked, to its thread, which
 * runs other goroutines meanwhile: that case keeps the plain (thread-blocking) call. glibc's ppoll does
 * not update *tmo either. */
int gocc_io_ppoll(const gocc_site *site, struct pollfd *fds, nfds_t n, const struct timespec *tmo,
                  const void *mask)
{
    if (mask || bad_timespec(tmo))
        return ppoll(fds, n, tmo, mask);
    gocc_int64 ns = tmo ? (gocc_int64)tmo->tv_sec * 1000000000 + tmo->tv_nsec : -1;
    return poll_until(site, fds, n, deadline_in(ns), ns == 0, poll_count, NULL);
}

/* select(2) and pselect on the poll machinery: each descriptor of the sets is one pollfd; the answer
 * maps revents back as the kernel does (readable: POLLIN, POLLHUP, POLLERR; writable: POLLOUT,
 * POLLERR; exceptional: POLLPRI), and a descriptor that is not open fails the call with EBADF. */
typedef struct selsets {
    fd_set *r, *w, *x;
} selsets;

static int sel_answer(struct pollfd *fds, nfds_t n, int r, void *arg)
{
    (void)r;
    selsets *s = arg;
    int count = 0;
    for (nfds_t i = 0; i < n; i++)
        if (fds[i].revents & POLLNVAL) {
            errno = EBADF;
            return -1;
        }
    for (nfds_t i = 0; i < n; i++) {
        short ev = fds[i].events, re = fds[i].revents;
        count += (ev & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR));
        count += (ev & POLLOUT) && (re & (POLLOUT | POLLERR));
        count += (ev & POLLPRI) && (re & POLLPRI);
    }
    if (!count)
        return 0;
    if (s->r)
        FD_ZERO(s->r);
    if (s->w)
        FD_ZERO(s->w);
    if (s->x)
        FD_ZERO(s->x);
    for (nfds_t i = 0; i < n; i++) {
        short ev = fds[i].events, re = fds[i].revents;
        if ((ev & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR)))
            FD_SET(fds[i].fd, s->r);
        if ((ev & POLLOUT) && (re & (POLLOUT | POLLERR)))
            FD_SET(fds[i].fd, s->w);
        if ((ev & POLLPRI) && (re & POLLPRI))
            FD_SET(fds[i].fd, s->x);
    }
    return count;
}

/* ns < 0: no timeout. The sets are rewritten only on success (0 clears them, as the kernel does). */
static int select_ns(const gocc_site *site, int nfds, fd_set *r, fd_set *w, fd_set *x, gocc_int64 ns,
                     gocc_int64 *dl_out)
{
    struct pollfd buf[64], *fds = buf;
    nfds_t n = 0;
    for (int fd = 0; fd < nfds; fd++)
        n += (r && FD_ISSET(fd, r)) || (w && FD_ISSET(fd, w)) || (x && FD_ISSET(fd, x));
    if (n > 64 && !(fds = malloc(n * sizeof *fds)))
        return -2;
    n = 0;
    for (int fd = 0; fd < nfds; fd++) {
        short ev = (short)((r && FD_ISSET(fd, r) ? POLLIN : 0) | (w && FD_ISSET(fd, w) ? POLLOUT : 0) |
                           (x && FD_ISSET(fd, x) ? POLLPRI : 0));
        if (ev)
            fds[n++] = (struct pollfd){.fd = fd, .events = ev};
    }
    selsets s = {r, w, x};
    gocc_int64 dl = deadline_in(ns);
    *dl_out = dl;
    int res = poll_until(site, fds, n, dl, ns == 0, sel_answer, &s);
    if (res == 0) {
        if (r)
            FD_ZERO(r);
        if (w)
            FD_ZERO(w);
        if (x)
            FD_ZERO(x);
    }
    int e = errno;
    if (fds != buf)
        free(fds);
    errno = e;
    return res;
}

int gocc_io_select(const gocc_site *site, int nfds, void *r, void *w, void *x, struct timeval *tmo)
{
    if (nfds < 0 || nfds > FD_SETSIZE || (tmo && (tmo->tv_sec < 0 || tmo->tv_usec < 0 || tmo->tv_usec >= 1000000)))
        return select(nfds, r, w, x, tmo);
    gocc_int64 ns = tmo ? (gocc_int64)tmo->tv_sec * 1000000000 + (gocc_int64)tmo->tv_usec * 1000 : -1, dl = 0;
    int res = select_ns(site, nfds, r, w, x, ns, &dl);
    if (res == -2)
        return select(nfds, r, w, x, tmo);
    if (tmo && res >= 0) {
        /* Linux's select leaves the time not slept in *tmo. */
        struct timespec left = {0, 0};
        if (ns > 0)
            timespec_of(&left, dl);
        tmo->tv_sec = left.tv_sec;
        tmo->tv_usec = left.tv_nsec / 1000;
    }
    return res;
}

int gocc_io_pselect(const gocc_site *site, int nfds, void *r, void *w, void *x, const struct timespec *tmo,
                    const void *mask)
{
    if (mask || nfds < 0 || nfds > FD_SETSIZE || bad_timespec(tmo))
        return pselect(nfds, r, w, x, tmo, mask);
    gocc_int64 dl = 0;
    int res = select_ns(site, nfds, r, w, x, tmo ? (gocc_int64)tmo->tv_sec * 1000000000 + tmo->tv_nsec : -1, &dl);
    return res == -2 ? pselect(nfds, r, w, x, tmo, mask) : res;
}

/* epoll_wait on the program's own epoll instance: an epoll descriptor is itself pollable (readable while
 * it has events ready), so the goroutine waits for that readiness on the netpoller, then takes the
 * events with a zero timeout. With a signal mask (epoll_pwait) the plain call, as for ppoll. */
int gocc_io_epoll_pwait(const gocc_site *site, int epfd, struct epoll_event *ev, int max, int timeout,
                        const void *mask)
{
    int r = epoll_pwait(epfd, ev, max, 0, mask);
    if (r != 0 || timeout == 0 || mask || !isgoroutine())
        return r != 0 || timeout == 0 ? r : epoll_pwait(epfd, ev, max, timeout, mask);
    gocc_pd *pd = gocc_netpoll_pd(epfd);
    if (!pd)
        return epoll_pwait(epfd, ev, max, timeout, mask);
    gocc_int64 dl = deadline_in(timeout < 0 ? -1 : (gocc_int64)timeout * 1000000);
    for (;;) {
        unsigned seq = gocc_netpoll_seq(pd, GOCC_PD_READ);
        r = epoll_wait(epfd, ev, max, 0);
        if (r != 0)
            return r;
        if (!gocc_netpoll_wait(pd, GOCC_PD_READ, seq, dl, site))
            return 0;
    }
}

int gocc_io_epoll_wait(const gocc_site *site, int epfd, struct epoll_event *ev, int max, int timeout)
{
    return gocc_io_epoll_pwait(site, epfd, ev, max, timeout, NULL);
}

/* ------------------------------------------------------------------ */
/* sendfile and splice                                                 */

/* Neither call takes MSG_DONTWAIT, and on a socket neither honours SPLICE_F_NONBLOCK on every kernel
 * (the socket side follows the file's O_NONBLOCK). So: an input that is a pipe, socket or terminal is
 * waited on until readable first (then the kernel's read of it does not block); an output pipe gets
 * SPLICE_F_NONBLOCK (splice) or at most PIPE_BUF bytes once it reports POLLOUT (sendfile); an output
 * socket is made non-blocking for the call itself only, as for connect and accept
 * (gocc_netpoll_nb_hold; this file's own calls read the program's flags from the pd meanwhile, but a
 * plain C thread's blocking call on the same socket in that window could see EAGAIN). A call the program made non-blocking itself
 * (O_NONBLOCK, SPLICE_F_NONBLOCK) gets the plain call. */

/* The pd of fd if it is pollable, else NULL (regular files: the plain call cannot block for long). */
static gocc_pd *pollable(int fd) { return isgoroutine() ? gocc_netpoll_pd(fd) : NULL; }

/* One transfer that does not block: waits for in's readability, then calls xfer with out made
 * non-blocking when it is a socket. Returns xfer's result; EAGAIN means "out is full". */
static ssize_t xfer_once(const gocc_site *site, gocc_pd *pin, gocc_pd *pout, int in, int out,
                         ssize_t (*xfer)(void *arg, size_t cap), void *arg, size_t cap)
{
    while (pin) {
        unsigned seq = gocc_netpoll_seq(pin, GOCC_PD_READ);
        if (ready(in, POLLIN))
            break;
        gocc_netpoll_wait(pin, GOCC_PD_READ, seq, 0, site);
    }
    int sock = pout && gocc_netpoll_kind(pout) == GOCC_PD_SOCK;
    if (sock)
        gocc_netpoll_nb_hold(pout);
    ssize_t r = xfer(arg, cap);
    if (sock)
        gocc_netpoll_nb_release(pout); /* keeps errno */
    return r;
}

typedef struct sfargs {
    int out, in;
    off_t *off;
    size_t count;
} sfargs;

static ssize_t do_sendfile(void *arg, size_t cap)
{
    sfargs *a = arg;
    return sendfile(a->out, a->in, a->off, a->count < cap ? a->count : cap);
}

/* A blocking sendfile moves all count bytes unless the input ends or an error comes (then the count
 * moved so far, if any). */
ssize_t gocc_io_sendfile(const gocc_site *site, int out, int in, void *offset, size_t count)
{
    off_t *off = offset;
    gocc_pd *pout = pollable(out), *pin = pollable(in);
    if ((!pout && !pin) || usernb(pout, out) || (pin && usernb(pin, in)))
        return sendfile(out, in, off, count);
    size_t cap = pout && gocc_netpoll_kind(pout) != GOCC_PD_SOCK ? PIPE_BUF : (size_t)-1, done = 0;
    sfargs a = {out, in, off, count};
    ssize_t r = 0;
    while (a.count) {
        unsigned seq = pout ? gocc_netpoll_seq(pout, GOCC_PD_WRITE) : 0;
        if (pout && cap == PIPE_BUF && !ready(out, POLLOUT)) {
            gocc_netpoll_wait(pout, GOCC_PD_WRITE, seq, 0, site);
            continue;
        }
        r = xfer_once(site, pin, pout, in, out, do_sendfile, &a, cap);
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && pout) {
            gocc_netpoll_wait(pout, GOCC_PD_WRITE, seq, 0, site);
            continue;
        }
        if (r <= 0)
            break;
        done += (size_t)r;
        a.count -= (size_t)r;
    }
    return done ? (ssize_t)done : r;
}

typedef struct spargs {
    int in, out;
    void *offin, *offout;
    unsigned flags;
    size_t len;
} spargs;

static ssize_t do_splice(void *arg, size_t cap)
{
    spargs *a = arg;
    (void)cap;
    return splice(a->in, a->offin, a->out, a->offout, a->len, a->flags | SPLICE_F_NONBLOCK);
}

/* A blocking splice returns once it has moved something (as read does), 0 at the input's end. */
ssize_t gocc_io_splice(const gocc_site *site, int in, void *offin, int out, void *offout, size_t len,
                       unsigned flags)
{
    gocc_pd *pin = pollable(in), *pout = pollable(out);
    if ((flags & SPLICE_F_NONBLOCK) || (!pin && !pout) || (pin && usernb(pin, in)) || (pout && usernb(pout, out)))
        return splice(in, offin, out, offout, len, flags);
    spargs a = {in, out, offin, offout, flags, len};
    for (;;) {
        unsigned seq = pout ? gocc_netpoll_seq(pout, GOCC_PD_WRITE) : 0;
        ssize_t r = xfer_once(site, pin, pout, in, out, do_splice, &a, len);
        if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return r;
        /* EAGAIN: the output is full, or (a pipe input) emptied by someone else since it was ready */
        if (pout && !ready(out, POLLOUT))
            gocc_netpoll_wait(pout, GOCC_PD_WRITE, seq, 0, site);
        else if (!pin)
            return r;
    }
}

/* ------------------------------------------------------------------ */
/* sleeping                                                            */

static void sleepns(const gocc_site *site, gocc_int64 ns)
{
    if (ns <= 0)
        return;
    if (!isgoroutine()) {
        struct timespec ts = {ns / 1000000000, ns % 1000000000};
        while (nanosleep(&ts, &ts) && errno == EINTR) {}
        return;
    }
    gocc_wait_until(gocc_sched_nanotime() + ns, "sleep", site);
}

unsigned gocc_io_sleep(const gocc_site *site, unsigned s)
{
    sleepns(site, (gocc_int64)s * 1000000000);
    return 0;
}

int gocc_io_usleep(const gocc_site *site, useconds_t us)
{
    sleepns(site, (gocc_int64)us * 1000);
    return 0;
}

int gocc_io_nanosleep(const gocc_site *site, const struct timespec *req, struct timespec *rem)
{
    (void)rem; /* a parked sleep is not interrupted by signals: nothing remains */
    if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000 || req->tv_sec < 0) {
        errno = req ? EINVAL : EFAULT;
        return -1;
    }
    sleepns(site, (gocc_int64)req->tv_sec * 1000000000 + req->tv_nsec);
    return 0;
}
