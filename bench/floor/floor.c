/*
 * floor: the cost of the context switches a ping-pong round trip cannot avoid.
 *
 *   floor [N]     N round trips (default 10,000,000)
 *
 * A round trip of bench/pingpong is at least two switches: the sender to the
 * receiver and back. This program does only that: two contexts jump to each
 * other with Boost.Context's jump_fcontext (what gocc's runtime switches
 * with), on one thread, nothing else. It prints "floor NS_PER_ROUND_TRIP";
 * bench/run compares gocc's pingpong at GOMAXPROCS=1 with it (issue 13: a
 * round trip within about 4 times this floor).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void *fcontext_t;
typedef struct {
    fcontext_t fctx;
    void *data;
} transfer_t;

/* libboost_context's assembly entry points (boost/context/detail/fcontext.hpp) */
transfer_t jump_fcontext(fcontext_t const to, void *vp);
fcontext_t make_fcontext(void *sp, size_t size, void (*fn)(transfer_t));

static void partner(transfer_t t)
{
    for (;;)
        t = jump_fcontext(t.fctx, NULL);   /* straight back to main */
}

int main(int argc, char **argv)
{
    long long n = argc > 1 ? atoll(argv[1]) : 10000000;
    enum { STACK = 64 * 1024 };
    char *stack = malloc(STACK);
    if (!stack) {
        perror("floor: malloc");
        return 1;
    }
    fcontext_t other = make_fcontext(stack + STACK, STACK, partner);
    other = jump_fcontext(other, NULL).fctx;   /* warm up: start the partner */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long long i = 0; i < n; i++)
        other = jump_fcontext(other, NULL).fctx;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / (double)n;
    printf("floor %.1f\n", ns);
    return 0;
}
