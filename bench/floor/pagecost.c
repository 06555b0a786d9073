/*
 * pagecost: what the kernel charges for the memory a parked goroutine needs,
 * apart from any runtime. bench/parked's time is mostly this work, so these
 * figures are its floor on a given machine (docs/benchmarks.md, "parked").
 *
 *   pagecost [N]        N pages or stacks per measurement (default 200,000)
 *
 * Prints microseconds per item for:
 *   dense touch     first write to N pages that lie side by side (a heap, Go's
 *                   2 KiB stacks: two goroutines per page)
 *   sparse touch    first write to the top page of N 512 KiB slots (gocc's
 *                   stack layout: 448 KiB of stack under a 64 KiB gap; four
 *                   slots share one page-table page)
 *   populate        the same sparse pages made resident by MADV_POPULATE_WRITE,
 *                   64 at a time through process_madvise: whether a batched
 *                   request is cheaper than a fault per page
 *   guard install   MADV_GUARD_INSTALL of each slot's 64 KiB gap, 64 at a time
 *                   (what stack.c does for every stack it carves)
 * Each measurement maps fresh address space and unmaps it afterwards, so
 * every page is one the process does not have yet (the kernel may hand back a
 * page the process freed a moment ago, as it would to a runtime). Linux 6.15 or later (guard
 * regions and PIDFD_SELF); a call the kernel refuses is reported, not fatal.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define SLOT (512UL << 10)
#define GAP (64UL << 10)
#define BATCH 64
#define ADV_POPULATE_WRITE 23 /* Linux 5.14 */
#define ADV_GUARD_INSTALL 102 /* Linux 6.13 */
#define SELF_PIDFD (-10000)   /* Linux 6.15: the calling process */
#define NR_PROCESS_MADVISE 440

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static char *reserve(size_t bytes)
{
    char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        perror("pagecost: mmap");
        exit(1);
    }
    return p;
}

static void report(const char *what, double secs, long n)
{
    printf("%-14s %7.2f us each (%ld in %.3f s)\n", what, secs / (double)n * 1e6, n, secs);
}

static void release(char *base, size_t bytes) { munmap(base, bytes); }

static void touch(const char *what, long n, size_t stride, size_t off)
{
    char *base = reserve((size_t)n * stride);
    double t0 = now();
    for (long i = 0; i < n; i++)
        ((volatile char *)base)[(size_t)i * stride + off] = 1;
    report(what, now() - t0, n);
    release(base, (size_t)n * stride);
}

/* One process_madvise per BATCH ranges of len bytes at base + i * SLOT + off, in fresh slots. */
static void advise(const char *what, long n, size_t off, size_t len, int advice)
{
    char *base = reserve((size_t)n * SLOT);
    struct iovec v[BATCH];
    int k = 0;
    double t0 = now();
    for (long i = 0; i < n; i++) {
        v[k].iov_base = base + (size_t)i * SLOT + off;
        v[k].iov_len = len;
        if (++k == BATCH || i == n - 1) {
            if (syscall(NR_PROCESS_MADVISE, SELF_PIDFD, v, k, advice, 0) < 0) {
                printf("%-14s refused by this kernel\n", what);
                release(base, (size_t)n * SLOT);
                return;
            }
            k = 0;
        }
    }
    report(what, now() - t0, n);
    release(base, (size_t)n * SLOT);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    if (n < 1) {
        fprintf(stderr, "usage: pagecost [N]\n");
        return 2;
    }
    touch("dense touch", n, PAGE, 0);
    touch("sparse touch", n, SLOT, SLOT - PAGE);
    advise("populate", n, SLOT - PAGE, PAGE, ADV_POPULATE_WRITE);
    advise("guard install", n, 0, GAP, ADV_GUARD_INSTALL);
    return 0;
}
