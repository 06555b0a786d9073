/*
 * sanitize.c - AddressSanitizer and LeakSanitizer support (see sanitize.h).
 * Everything here is inert unless the program links a sanitizer runtime that
 * defines the weak symbols.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "sanitize.h"
#include "sched_impl.h"

void __lsan_register_root_region(const void *p, size_t size) __attribute__((weak));

static __thread gocc_san_stack tls_g0;

gocc_san_stack *gocc_san_g0(void) { return &tls_g0; }

void gocc_san_thread(void)
{
    if (!__sanitizer_start_switch_fiber)
        return;
    pthread_attr_t a;
    void *lo;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        if (pthread_attr_getstack(&a, &lo, &size) == 0) {
            tls_g0.lo = lo;
            tls_g0.size = size;
        }
        pthread_attr_destroy(&a);
    }
}

/* A parked goroutine's live stack is [saved context, top); a running one's (another thread's, at exit) is
 * taken whole. Its record holds the go statement's argument pointer. */
static void rootg(gocc_g *g, void *arg)
{
    (void)arg;
    __lsan_register_root_region(g, sizeof *g);
    if (!g->stk)
        return;
    uintptr_t lo = (uintptr_t)g->stk->lo, hi = (uintptr_t)g->stk->hi;
    if (g->status != G_RUNNING && g->ctx)
        lo = (uintptr_t)g->ctx;
    else if (g == gocc_sched_self())
        lo = (uintptr_t)__builtin_frame_address(0);
    if (lo < hi)
        __lsan_register_root_region((void *)lo, hi - lo);
}

/* Runs before LSan's own exit-time check (atexit handlers run last-registered first, and LSan registers
 * its handler at its initialization, before main). */
static void rootall(void) { gocc_g_foreach(rootg, NULL); }

void gocc_san_init(void)
{
    gocc_san_thread();
    if (__lsan_register_root_region)
        atexit(rootall);
}
