/*
 * netpoll.h - the netpoller: readiness of sockets, pipes and terminals for
 * goroutines that would otherwise block their thread in read, accept, ...
 * Internal: io.c (the gocc_io_* calls of .gc code), fd.c (close) and the
 * scheduler's deadlock check use it.
 *
 * Each file descriptor the program does I/O on from .gc code gets a poll
 * descriptor (pd), found by number in a table and never freed (so a stale
 * readiness event for a closed descriptor lands in a live record). A
 * pollable descriptor is registered once with one epoll instance,
 * edge-triggered for input and output; a dedicated poller thread waits in
 * epoll_wait and, per event, bumps the pd's readiness sequence for the
 * direction and wakes the goroutines queued on it.
 *
 * The protocol that loses no wake-up: a caller reads the sequence
 * (gocc_netpoll_seq) BEFORE it tries the operation; when the try says "not
 * ready" it calls gocc_netpoll_wait with that sequence, which parks only if
 * no event came in between (checked under the pd's lock, which the poller
 * takes too). After waking, the caller tries again.
 */
#ifndef GOCC_NETPOLL_H
#define GOCC_NETPOLL_H

#include "sched.h"

typedef struct gocc_pd gocc_pd;

enum { GOCC_PD_READ = 0, GOCC_PD_WRITE = 1 };
enum { GOCC_PD_NOPOLL = 0, GOCC_PD_SOCK, GOCC_PD_PIPE, GOCC_PD_CHR };

/* The pd of fd, set up at the first use (fstat, epoll registration). NULL when fd is not pollable (a
 * regular file, /dev/null, a bad descriptor, a number past the table): the caller makes the plain call. */
gocc_pd *gocc_netpoll_pd(int fd);
int gocc_netpoll_kind(gocc_pd *pd);
int gocc_netpoll_fd(gocc_pd *pd);
unsigned gocc_netpoll_seq(gocc_pd *pd, int dir);
/* Socket timeouts (SO_RCVTIMEO for READ, SO_SNDTIMEO for WRITE) in ns, 0 = none; set records a new one. */
gocc_int64 gocc_netpoll_timeout(gocc_pd *pd, int dir);
void gocc_netpoll_set_timeout(gocc_pd *pd, int dir, gocc_int64 ns);
/* Waits until dir's sequence moves past seq (an event, a close) or the absolute deadline (0: none)
 * passes. 1: look again; 0: the deadline passed. A goroutine parks ("IO wait"); a plain thread polls. */
int gocc_netpoll_wait(gocc_pd *pd, int dir, unsigned seq, gocc_int64 deadline, const gocc_site *site);

/* poll(2) for a goroutine: waits on the pds of fds[0..n) for the requested directions until one of
 * their sequences moves or the deadline passes. The caller reran poll(fds, n, 0) before (seqs holds the
 * sequences read before that, two per entry: read, write). 1: look again; 0: deadline; -1: some fd
 * has no pd (the caller falls back to a blocking poll). */
struct pollfd;
int gocc_netpoll_wait_many(struct pollfd *fds, unsigned long n, gocc_pd **pds, const unsigned *seqs,
                           gocc_int64 deadline, const gocc_site *site);

/* O_NONBLOCK set on pd's file for the length of a call (hold ... release; nested and concurrent holds
 * count), and the file's flags as the program set them (F_GETFL, or the flags saved by the first hold
 * while any is held). -1: F_GETFL failed. */
void gocc_netpoll_nb_hold(gocc_pd *pd);
void gocc_netpoll_nb_release(gocc_pd *pd);
int gocc_netpoll_user_flags(gocc_pd *pd, int fd);

/* close(2) of fd from .gc code: deregisters, forgets the pd's state and wakes its waiters (they retry
 * and get EBADF). */
void gocc_netpoll_close(int fd);

/* Scheduler hooks. Goroutines parked in IO wait (not deadlocked while one is); the poller thread (0 or
 * 1: started by the first registration), which is the runtime's own. */
int gocc_netpoll_waiting(void);
int gocc_netpoll_threads(void);

#endif /* GOCC_NETPOLL_H */
