/*
 * race.h - ThreadSanitizer hooks. Everything is a no-op unless the runtime is
 * built with -DGOCC_RACE=1 (libgocc-race.a), where programs link TSan.
 */
#ifndef GOCC_RACE_H
#define GOCC_RACE_H

#if GOCC_RACE
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
void __tsan_func_entry(void *pc);
void __tsan_func_exit(void);

/* Fiber switches carry no synchronisation (flag 1, __tsan_switch_to_fiber_no_sync): two goroutines on
 * one thread race unless a channel, lock or go statement orders them, as in Go. */
#define race_fiber_current() __tsan_get_current_fiber()
#define race_fiber_create() __tsan_create_fiber(0)
#define race_fiber_destroy(f) __tsan_destroy_fiber(f)
#define race_fiber_switch(f) __tsan_switch_to_fiber((f), 1)
void __tsan_set_fiber_name(void *fiber, const char *name);
/* TSan's reports name a fiber as a thread ("Thread T5 'goroutine 7 (created at prog.gc:12)'"); it copies
 * the name. */
#define race_fiber_name(f, name) __tsan_set_fiber_name((f), (name))
#define race_acq(a) __tsan_acquire((void *)(a))
#define race_rel(a) __tsan_release((void *)(a))
/* A frame for an uninstrumented runtime entry point, at its caller's pc: TSan's stacks (a goroutine's
 * "created at") then show the .gc line of the call, not only the caller's caller. */
#define race_func_enter(pc) __tsan_func_entry(pc)
#define race_func_exit() __tsan_func_exit()
#else
#define race_fiber_current() ((void *)0)
#define race_fiber_create() ((void *)0)
#define race_fiber_destroy(f) ((void)(f))
#define race_fiber_switch(f) ((void)(f))
#define race_fiber_name(f, name) ((void)(f), (void)(name))
#define race_acq(a) ((void)(a))
#define race_rel(a) ((void)(a))
#define race_func_enter(pc) ((void)(pc))
#define race_func_exit() ((void)0)
#endif

/* race.c: TSan fibers of goroutines, pooled (no-ops returning NULL unless GOCC_RACE). */
#if GOCC_RACE
void *gocc_race_fiber_get(void);            /* the fiber handed by gocc_go_fiber, or one from the pool, or new */
void *gocc_race_fiber_take(void);           /* one from the pool or NULL (gocc.h's go statements) */
void gocc_race_fiber_put(void *f);
#else
#define gocc_race_fiber_get() ((void *)0)
#define gocc_race_fiber_put(f) ((void)(f))
#endif

#endif
