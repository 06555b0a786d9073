/*
 * netpoll.c - poll descriptors, the epoll instance and the poller thread
 * (see netpoll.h for the protocol).
 *
 * Why a dedicated poller thread rather than Go's "an idle worker blocks in
 * epoll_wait" (findrunnable): it needs no change to the scheduler's idle
 * path, which is being reworked, and costs nothing when no goroutine waits
 * on I/O (the thread starts at the first registration and then sleeps in
 * epoll_wait). The price is one cross-thread hand-off per readiness event:
 * the poller readies the goroutine into the global run queue and wakes an
 * idle worker, where Go's worker would run it itself. The poller is the
 * runtime's own thread (the deadlock check does not count it as a program
 * thread that might still send on a channel).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
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

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_ACQ_REL)

struct gocc_pd {
    gocc_lock lock;
    int fd;
    int known;                  /* kind is set (under lock; read unlocked after the first set-up) */
    int kind;                   /* GOCC_PD_* */
    unsigned seq[2];            /* readiness events per direction; written under lock, read atomically */
    gocc_waitq q[2];            /* goroutines waiting per direction */
    gocc_int64 timeo[2];        /* SO_RCVTIMEO / SO_SNDTIMEO, ns */
    int nbheld;                 /* calls that hold O_NONBLOCK set on the file for themselves (under lock) */
    int userfl;                 /* the file's flags as the program set them, while nbheld > 0 */
    int nbclosed;               /* closed while held: the last release must not touch the number */
};

/* fd -> pd: 1024 chunks of 1024, allocated on demand, never freed (fds up to 2^20). */
#define CHUNK 1024
#define NCHUNK 1024
static gocc_pd *chunks[NCHUNK];
static gocc_lock chunklock;

static int epfd = -1;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int nthreads;            /* the poller thread runs */
static int nwaiting;            /* goroutines parked in IO wait */

int gocc_netpoll_waiting(void) { return LOAD(nwaiting); }
int gocc_netpoll_threads(void) { return LOAD(nthreads); }

/* Wakes every waiter of q that can be claimed; pd->lock held. The claimed records are chained on
 * *list through next (they are ours now) and woken by wakeall after the lock is released. */
static void takeall(gocc_waitq *q, gocc_waiter **list)
{
    gocc_waiter *w;
    while ((w = gocc_waitq_get(q))) {
        w->next = *list;
        *list = w;
    }
}

static void wakeall(gocc_waiter *list)
{
    while (list) {
        gocc_waiter *next = list->next; /* read before the wake: the record lives on the waiter's stack */
        gocc_wait_wake(list);
        list = next;
    }
}

static void *poller(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    struct epoll_event ev[128];
    for (;;) {
        int n = epoll_wait(epfd, ev, 128, -1);
        for (int i = 0; i < n; i++) {
            gocc_pd *pd = ev[i].data.ptr;
            uint32_t e = ev[i].events;
            gocc_waiter *list = NULL;
            gocc_lock_acquire(&pd->lock);
            if (e & (EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                STORE(pd->seq[0], pd->seq[0] + 1);
                takeall(&pd->q[0], &list);
            }
            if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
                STORE(pd->seq[1], pd->seq[1] + 1);
                takeall(&pd->q[1], &list);
            }
            gocc_lock_release(&pd->lock);
            wakeall(list);
        }
    }
    return NULL;
}

static void start(void)
{
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        return;
    pthread_t th;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 256 * 1024); /* epoll_wait, wake-ups, maybe a new m; TSan needs room too */
    /* Counted before it exists: the deadlock check must never see it as a thread of the program's. */
    STORE(nthreads, 1);
    /* Born with every signal blocked (poller keeps them so): a SIGQUIT report's stop signal must not
     * find it before it blocks them, with no m, and count it as a thread of the program's own. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int err = pthread_create(&th, &a, poller, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        STORE(nthreads, 0);
        close(epfd);
        epfd = -1;
    }
    pthread_attr_destroy(&a);
}

static gocc_pd *slot(int fd)
{
    if (fd < 0 || fd >= CHUNK * NCHUNK)
        return NULL;
    gocc_pd *c = LOAD(chunks[fd / CHUNK]);
    if (!c) {
        gocc_lock_acquire(&chunklock);
        c = chunks[fd / CHUNK];
        if (!c) {
            c = calloc(CHUNK, sizeof *c);
            if (c)
                STORE(chunks[fd / CHUNK], c);
        }
        gocc_lock_release(&chunklock);
        if (!c)
            return NULL;
    }
    return &c[fd % CHUNK];
}

static gocc_int64 sockopt_ns(int fd, int opt)
{
    struct timeval tv;
    socklen_t len = sizeof tv;
    if (getsockopt(fd, SOL_SOCKET, opt, &tv, &len) || len != sizeof tv)
        return 0;
    return (gocc_int64)tv.tv_sec * 1000000000 + (gocc_int64)tv.tv_usec * 1000;
}

/* Finds what fd is and registers it; pd->lock held. known is set last: readers test it unlocked. */
static void setup(gocc_pd *pd, int fd)
{
    struct stat st;
    pd->fd = fd;
    if (fstat(fd, &st))
        return; /* not known: a bad fd stays unknown, the plain call reports it */
    /* Anonymous inodes (eventfd, timerfd, signalfd, inotify: no file type bits) are waited on like
     * character devices: readiness first, then the plain call. */
    int kind = S_ISSOCK(st.st_mode) ? GOCC_PD_SOCK : S_ISFIFO(st.st_mode) ? GOCC_PD_PIPE
             : S_ISCHR(st.st_mode) || (st.st_mode & S_IFMT) == 0 ? GOCC_PD_CHR : GOCC_PD_NOPOLL;
    pd->timeo[0] = pd->timeo[1] = 0;
    if (kind != GOCC_PD_NOPOLL) {
        pthread_once(&once, start);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI | EPOLLET, .data.ptr = pd};
        if (epfd < 0 || (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) && errno != EEXIST))
            kind = GOCC_PD_NOPOLL; /* EPERM: a character device epoll cannot watch (/dev/null, ...) */
    }
    if (kind == GOCC_PD_SOCK) {
        /* Timeouts set before we saw the socket (or inherited by accept from the listener). */
        pd->timeo[0] = sockopt_ns(fd, SO_RCVTIMEO);
        pd->timeo[1] = sockopt_ns(fd, SO_SNDTIMEO);
    }
    pd->kind = kind;
    STORE(pd->known, 1);
}

gocc_pd *gocc_netpoll_pd(int fd)
{
    if (gocc_handler_inside())
        return NULL; /* the plain call: slot allocates, setup takes pd's lock (handler.c) */
    gocc_pd *pd = slot(fd);
    if (!pd)
        return NULL;
    if (!LOAD(pd->known)) {
        int errsave = errno;
        gocc_lock_acquire(&pd->lock);
        if (!pd->known)
            setup(pd, fd);
        gocc_lock_release(&pd->lock);
        errno = errsave;
    }
    return LOAD(pd->known) && pd->kind != GOCC_PD_NOPOLL ? pd : NULL;
}

int gocc_netpoll_kind(gocc_pd *pd) { return pd->kind; }
int gocc_netpoll_fd(gocc_pd *pd) { return pd->fd; }
unsigned gocc_netpoll_seq(gocc_pd *pd, int dir) { return LOAD(pd->seq[dir]); }
gocc_int64 gocc_netpoll_timeout(gocc_pd *pd, int dir) { return __atomic_load_n(&pd->timeo[dir], __ATOMIC_RELAXED); }
void gocc_netpoll_set_timeout(gocc_pd *pd, int dir, gocc_int64 ns) { __atomic_store_n(&pd->timeo[dir], ns, __ATOMIC_RELAXED); }

/* Before parking: the pd may describe a descriptor that C code closed behind our back (and the number
 * may now name another file, which epoll does not know). EPOLL_CTL_MOD fails with ENOENT then, and we
 * register the new file; MOD also re-reports current readiness, so nothing is missed. If the number now
 * names something epoll cannot watch, the pd is forgotten (-1): the caller looks again and, finding no
 * pd, makes the plain call. pd->lock held. */
static int recheck(gocc_pd *pd)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI | EPOLLET, .data.ptr = pd};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, pd->fd, &ev) == 0 || errno != ENOENT ||
        epoll_ctl(epfd, EPOLL_CTL_ADD, pd->fd, &ev) == 0)
        return 0;
    STORE(pd->known, 0);
    return -1;
}

static void unlockpd(void *arg) { gocc_lock_release(&((gocc_pd *)arg)->lock); }

static void dequeue(gocc_waiter *w)
{
    gocc_pd *pd = w->obj;
    gocc_lock_acquire(&pd->lock);
    gocc_waitq_remove(w->elem, w);
    gocc_lock_release(&pd->lock);
}

static int isthread(gocc_g *g) { return !g || gocc_sched_goid(g) == 0; }

static int ms_until(gocc_int64 deadline)
{
    if (!deadline)
        return -1;
    gocc_int64 d = deadline - gocc_sched_nanotime();
    return d <= 0 ? 0 : (int)((d + 999999) / 1000000);
}

int gocc_netpoll_wait(gocc_pd *pd, int dir, unsigned seq, gocc_int64 deadline, const gocc_site *site)
{
    int errsave = errno;
    gocc_g *g = gocc_sched_self();
    if (isthread(g)) {
        /* A plain thread of the program's own (or code before the scheduler): block it in poll. */
        struct pollfd p = {.fd = pd->fd, .events = dir == GOCC_PD_READ ? POLLIN : POLLOUT};
        int r = poll(&p, 1, ms_until(deadline));
        errno = errsave;
        return r != 0 || !deadline || gocc_sched_nanotime() < deadline;
    }
    if (deadline && gocc_sched_nanotime() >= deadline)
        return 0;
    gocc_waitset s = {.deadline = deadline};
    gocc_waiter w = {.g = g, .set = &s, .obj = pd, .dequeue = dequeue, .elem = &pd->q[dir]};
    s.recs = &w;
    s.nrecs = 1;
    gocc_lock_acquire(&pd->lock);
    if (recheck(pd) || LOAD(pd->seq[dir]) != seq) {
        gocc_lock_release(&pd->lock);
        errno = errsave;
        return 1;
    }
    gocc_waitq_put(&pd->q[dir], &w);
    ADD(nwaiting, 1);
    gocc_waiter *won = gocc_wait_park(&s, unlockpd, pd, "IO wait", site);
    ADD(nwaiting, -1);
    errno = errsave;
    return won != NULL;
}

static int pdcmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(gocc_pd *const *)a, y = (uintptr_t)*(gocc_pd *const *)b;
    return x < y ? -1 : x > y;
}

/* Runs on the scheduler's stack once the goroutine is off its own: copies the list (which lives on
 * the goroutine's stack, free to run again as soon as the first lock is released) before releasing. */
static void unlockmany(void *arg)
{
    gocc_pd **sorted = arg;
    int n = 0;
    while (sorted[n])
        n++;
    gocc_pd *copy[n];
    for (int i = 0; i < n; i++)
        copy[i] = sorted[i];
    for (int i = 0; i < n; i++)
        if (!i || copy[i] != copy[i - 1])
            gocc_lock_release(&copy[i]->lock);
}

int gocc_netpoll_wait_many(struct pollfd *fds, unsigned long n, gocc_pd **pds, const unsigned *seqs,
                           gocc_int64 deadline, const gocc_site *site)
{
    int errsave = errno;
    unsigned long nrec = 0;
    for (unsigned long i = 0; i < n; i++) {
        if (fds[i].fd < 0)
            continue;
        if (!pds[i])
            return -1;
        nrec += (fds[i].events & POLLOUT) ? ((fds[i].events & ~POLLOUT) ? 2 : 1) : 1;
    }
    if (deadline && gocc_sched_nanotime() >= deadline)
        return 0;
    gocc_waiter rbuf[16];
    gocc_pd *sbuf[17];
    gocc_waiter *recs = nrec <= 16 ? rbuf : malloc(nrec * sizeof *recs);
    gocc_pd **sorted = nrec <= 16 ? sbuf : malloc((nrec + 1) * sizeof *sorted);
    if (!recs || !sorted) {
        if (recs != rbuf)
            free(recs);
        if (sorted != sbuf)
            free(sorted);
        return -1;
    }
    gocc_waitset s = {.deadline = deadline, .recs = recs, .nrecs = (int)nrec};
    gocc_g *g = gocc_sched_self();
    unsigned long k = 0;
    for (unsigned long i = 0; i < n; i++) {
        if (fds[i].fd < 0)
            continue;
        int out = (fds[i].events & POLLOUT) != 0, in = !out || (fds[i].events & ~POLLOUT);
        for (int dir = 0; dir < 2; dir++) {
            if (dir == 0 ? !in : !out)
                continue;
            recs[k] = (gocc_waiter){.g = g, .set = &s, .obj = pds[i], .dequeue = dequeue, .elem = &pds[i]->q[dir],
                                    .caseidx = (int)(2 * i + (unsigned long)dir)};
            sorted[k++] = pds[i];
        }
    }
    qsort(sorted, nrec, sizeof *sorted, pdcmp);
    sorted[nrec] = NULL;
    for (unsigned long i = 0; i < nrec; i++)
        if (!i || sorted[i] != sorted[i - 1])
            gocc_lock_acquire(&sorted[i]->lock);
    int moved = 0;
    for (unsigned long i = 0; i < nrec && !moved; i++)
        if (!i || sorted[i] != sorted[i - 1])
            moved = recheck(sorted[i]) != 0;
    for (unsigned long i = 0; i < nrec && !moved; i++) {
        gocc_pd *pd = recs[i].obj;
        int dir = recs[i].caseidx & 1;
        moved = LOAD(pd->seq[dir]) != seqs[recs[i].caseidx];
    }
    int r = 1;
    if (!moved) {
        for (unsigned long i = 0; i < nrec; i++)
            gocc_waitq_put(recs[i].elem, &recs[i]);
        ADD(nwaiting, 1);
        gocc_waiter *won = gocc_wait_park(&s, unlockmany, sorted, "IO wait", site);
        ADD(nwaiting, -1);
        if (won) {
            for (unsigned long i = 0; i < nrec; i++)
                if (&recs[i] != won)
                    dequeue(&recs[i]);
        } else {
            r = 0;
        }
    } else {
        unlockmany(sorted);
    }
    if (recs != rbuf)
        free(recs);
    if (sorted != sbuf)
        free(sorted);
    errno = errsave;
    return r;
}

void gocc_netpoll_close(int fd)
{
    /* No allocation here: a descriptor never used for I/O from .gc code has nothing to forget. */
    gocc_pd *c = fd >= 0 && fd < CHUNK * NCHUNK ? LOAD(chunks[fd / CHUNK]) : NULL;
    gocc_pd *pd = c ? &c[fd % CHUNK] : NULL;
    if (!pd || !LOAD(pd->known))
        return;
    int errsave = errno;
    gocc_waiter *list = NULL;
    gocc_lock_acquire(&pd->lock);
    if (pd->known && pd->kind != GOCC_PD_NOPOLL && epfd >= 0)
        epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    STORE(pd->known, 0);
    pd->nbclosed = pd->nbheld > 0; /* the number may name another file by the time they finish */
    for (int dir = 0; dir < 2; dir++) {
        STORE(pd->seq[dir], pd->seq[dir] + 1);
        takeall(&pd->q[dir], &list);
    }
    gocc_lock_release(&pd->lock);
    wakeall(list);
    errno = errsave;
}

/* O_NONBLOCK for the length of a call (connect, accept, sendfile, splice on a socket: calls with no
 * per-call "don't wait" flag). Counted, so that overlapping calls on one file (two goroutines in accept
 * on one listener) set it once and the last one out restores the program's flags; meanwhile
 * gocc_netpoll_user_flags answers the program's flags, not ours. */
void gocc_netpoll_nb_hold(gocc_pd *pd)
{
    int errsave = errno;
    gocc_lock_acquire(&pd->lock);
    if (pd->nbheld++ == 0) {
        pd->nbclosed = 0;
        int fl = fcntl(pd->fd, F_GETFL);
        pd->userfl = fl < 0 ? O_NONBLOCK : fl; /* unknown: act as if the program had set it (no change) */
        if (!(pd->userfl & O_NONBLOCK))
            fcntl(pd->fd, F_SETFL, pd->userfl | O_NONBLOCK);
    }
    gocc_lock_release(&pd->lock);
    errno = errsave;
}

void gocc_netpoll_nb_release(gocc_pd *pd)
{
    int errsave = errno;
    gocc_lock_acquire(&pd->lock);
    if (--pd->nbheld == 0 && !(pd->userfl & O_NONBLOCK) && !pd->nbclosed)
        fcntl(pd->fd, F_SETFL, pd->userfl);
    gocc_lock_release(&pd->lock);
    errno = errsave;
}

/* The flags as the program set them. With a pd, F_GETFL is asked under pd->lock: a hold or release on
 * another thread changes O_NONBLOCK under that lock, and a lock-free look at nbheld followed by F_GETFL
 * could fall between the count and the fcntl (a release that had counted down but not yet restored the
 * flags) and see our O_NONBLOCK as the program's: accept then made the plain call and returned EAGAIN
 * to the program (e2e io_accept_many, about 1 run in 100 at GOMAXPROCS=2). */
int gocc_netpoll_user_flags(gocc_pd *pd, int fd)
{
    int errsave = errno, fl;
    if (pd) {
        gocc_lock_acquire(&pd->lock);
        fl = pd->nbheld ? pd->userfl : fcntl(fd, F_GETFL);
        gocc_lock_release(&pd->lock);
    } else {
        fl = fcntl(fd, F_GETFL);
    }
    errno = errsave;
    return fl;
}
