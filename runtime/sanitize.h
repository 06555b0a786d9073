/*
 * sanitize.h - AddressSanitizer support: goroutine stack switches announced
 * with ASan's fiber interface. Internal.
 *
 * One libgocc.a serves ASan and plain programs: the interface functions are
 * weak references, non-null only in a program linked with ASan's runtime
 * (gocc -fsanitize=address), so a plain program pays one predictable branch
 * per switch. Without the announcements ASan believes every goroutine runs on
 * its thread's own stack: a longjmp (which unpoisons "the rest of the stack")
 * is ignored with a warning and leaves stale redzones behind, which later show
 * as false stack-buffer-overflow reports.
 *
 * The scheduler keeps these in place around every gocc_ctx_jump:
 *   GOCC_SAN_SWITCH_BEGIN(&save, lo, size) just before the jump, where lo/size
 *       are the stack being entered and save receives the leaving side's fake
 *       stack (NULL when the leaving goroutine has exited);
 *   GOCC_SAN_SWITCH_END(save) first thing after the jump returns (and at a
 *       goroutine's first entry, with NULL).
 */
#ifndef GOCC_SANITIZE_H
#define GOCC_SANITIZE_H

#include <stddef.h>

void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size) __attribute__((weak));
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old)
    __attribute__((weak));

#define GOCC_SAN_SWITCH_BEGIN(save, lo, size)                                  \
    do {                                                                       \
        if (__sanitizer_start_switch_fiber)                                    \
            __sanitizer_start_switch_fiber((save), (lo), (size));              \
    } while (0)
#define GOCC_SAN_SWITCH_END(save)                                              \
    do {                                                                       \
        if (__sanitizer_finish_switch_fiber)                                   \
            __sanitizer_finish_switch_fiber((save), NULL, NULL);               \
    } while (0)

/* The calling thread's own (g0) stack, for switches back to the scheduler; set by gocc_san_thread. */
typedef struct gocc_san_stack { const void *lo; size_t size; void *fake; } gocc_san_stack;
gocc_san_stack *gocc_san_g0(void);
void gocc_san_thread(void);                 /* per scheduler thread, at its start */
/* Under LeakSanitizer: goroutine stacks and records are roots of the leak check (LSan scans only thread
 * stacks, TLS and globals, and would report what only a parked goroutine still points to). */
void gocc_san_init(void);

#endif
