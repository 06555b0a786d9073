/*
 * gocc.h - the gocc runtime's one public header.
 *
 * Every file that gocc generates includes it first. It has two parts:
 *
 *   1. The library that .gc programs call by name: wait groups, mutexes, once,
 *      condition variables, an atomic value, a concurrent map, time, log and
 *      runtime queries. Names are Go's, lowercased, with the Go package or type
 *      as prefix: sync.WaitGroup is sync_waitgroup and wg.Add(1) is
 *      sync_waitgroup_add(&wg, 1); time.Sleep is time_sleep. The zero value of
 *      every sync type is ready to use, as in Go (a static one, or `= {0}`).
 *
 *   2. The ABI between the code generator and the runtime (everything spelled
 *      gocc_* or GOCC_*). Users do not call it; it may change between versions.
 *
 * The header declares these names and nothing else: it includes no header at
 * all, so a user's own `link`, `send`, `read`, `bool` or `mutex` never clashes.
 * It needs GNU C (gcc or clang): typeof, statement expressions.
 */
#ifndef GOCC_H
#define GOCC_H

#ifdef __cplusplus
extern "C" {
#endif

/* GOCC_TSAN_: compiled with ThreadSanitizer (gocc -race). The code generator's
 * accesses to the runtime's per-thread words (gocc_sched_stack_guard,
 * gocc_panic_site) and to gocc_sched_preempt_flag then go through helpers that
 * TSan does not instrument (see GOCC_FUNCTION_ENTRY). */
#if defined(__SANITIZE_THREAD__)
#define GOCC_TSAN_ 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GOCC_TSAN_ 1
#endif
#endif

/* ------------------------------------------------------------------------ */
/* Part 2a: types shared by both parts                                       */
/* ------------------------------------------------------------------------ */

struct gocc_chan_tag;
struct gocc_chan;

/* Channels. A channel value is a pointer to the runtime's struct gocc_chan,
 * typed in C so that the element type and direction are checked by the C
 * compiler:
 *     chan T    is  T *(**)(struct gocc_chan_tag *)
 *     <-chan T  is  T *(*const *)(struct gocc_chan_tag *)     (receive-only)
 *     chan<- T  is  T *(*volatile *)(struct gocc_chan_tag *)  (send-only)
 * Function-pointer types are structural, so `chan int` written twice is one
 * type; adding a qualifier to the pointee is an implicit conversion, so
 * chan T converts to either direction; NULL is the nil channel. The function
 * returns a pointer to T, not T, so that T may be an array (chan(int[4]): a
 * function cannot return an array) and a qualifier in T is not one on a
 * return type (-Wignored-qualifiers). The pointer is never dereferenced:
 * the runtime casts it to struct gocc_chan *. */
#define GOCC_CHAN(...) __typeof__(__typeof__(__VA_ARGS__) *(**)(struct gocc_chan_tag *))
#define GOCC_CHAN_RECV(...) __typeof__(__typeof__(__VA_ARGS__) *(*const *)(struct gocc_chan_tag *))
#define GOCC_CHAN_SEND(...) __typeof__(__typeof__(__VA_ARGS__) *(*volatile *)(struct gocc_chan_tag *))

typedef __SIZE_TYPE__ gocc_size;
typedef __INT64_TYPE__ gocc_int64;

/* Where an operation stands in the .gc source: for panics, the deadlock
 * report and goroutine creation sites. Always static storage. */
typedef struct gocc_site {
    const char *file;
    int line;
    /* A go statement's site also names what the goroutine will run, for the
     * dump of a goroutine that has not run yet: the callee as written, and its
     * address when it is a function (NULL otherwise, and for a go block, whose
     * body is the goroutine's own function). */
    const char *fn;
    void (*entry)(void);
} gocc_site;

/* A static site for the current #line position (the generated code carries
 * #line directives, so __FILE__ and __LINE__ name the .gc source). */
#define GOCC_HERE \
    (__extension__({ static const gocc_site gocc__here = { .file = __FILE__, .line = __LINE__ }; &gocc__here; }))
/* The site of `go f(...)`: GOCC_HERE plus the callee's name and address.
 * GOCC_GO_FNARG as the address: f is a pointer, held in the first word of
 * the goroutine's argument block. */
#define GOCC_GO_FNARG ((void (*)(void))1)
#define GOCC_GO_SITE(name, addr) \
    (__extension__({ static const gocc_site gocc__here = { .file = __FILE__, .line = __LINE__, .fn = name, .entry = addr }; &gocc__here; }))

/* ------------------------------------------------------------------------ */
/* Part 1: the library                                                       */
/* ------------------------------------------------------------------------ */

/* --- time ---------------------------------------------------------------- */

/* A duration in nanoseconds, as Go's time.Duration. */
typedef gocc_int64 time_duration;
enum {
    time_nanosecond = 1,
    time_microsecond = 1000,
    time_millisecond = 1000000
};
#define time_second ((time_duration)1000000000)
#define time_minute (60 * time_second)
#define time_hour (60 * time_minute)

/* A point in time: nanoseconds on the monotonic clock (for since) plus the
 * wall clock (for printing). */
typedef struct time_time {
    gocc_int64 mono; /* CLOCK_MONOTONIC, ns */
    gocc_int64 wall; /* CLOCK_REALTIME, ns since the Unix epoch */
} time_time;

void time_sleep(time_duration d);          /* parks the goroutine, not its thread */
time_time time_now(void);
time_duration time_since(time_time t);
double time_duration_seconds(time_duration d);

/* time_after(d) returns a receive-only channel of time_time that receives once,
 * d from now. time_tick(d) returns one that receives every d.
 * A ticker: t = time_newticker(d); receive from t->c; time_ticker_stop(t)
 * stops it (the channel is not closed, as in Go). In gc source these
 * channels are `<-chan time_time`. */
typedef struct time_ticker time_ticker;
GOCC_CHAN_RECV(time_time) time_after(time_duration d);
GOCC_CHAN_RECV(time_time) time_tick(time_duration d);
struct time_ticker {
    GOCC_CHAN_RECV(time_time) c;
    void *gocc__impl; /* runtime-owned */
};
time_ticker *time_newticker(time_duration d);
void time_ticker_stop(time_ticker *t);
void time_ticker_reset(time_ticker *t, time_duration d);

/* --- sync ---------------------------------------------------------------- */

/* The sync types' storage is opaque and zero-initialised means ready. The
 * sizes leave room for the runtime's state; never copy one after first use. */
typedef struct sync_mutex { __UINTPTR_TYPE__ gocc__state[4]; } sync_mutex;
typedef struct sync_rwmutex { __UINTPTR_TYPE__ gocc__state[8]; } sync_rwmutex;
typedef struct sync_waitgroup { __UINTPTR_TYPE__ gocc__state[4]; } sync_waitgroup;
typedef struct sync_once { __UINTPTR_TYPE__ gocc__state[4]; } sync_once;

void sync_mutex_lock(sync_mutex *m);
void sync_mutex_unlock(sync_mutex *m);      /* unlocked: panics "sync: unlock of unlocked mutex" */
_Bool sync_mutex_trylock(sync_mutex *m);

void sync_rwmutex_lock(sync_rwmutex *m);
void sync_rwmutex_unlock(sync_rwmutex *m);
void sync_rwmutex_rlock(sync_rwmutex *m);
void sync_rwmutex_runlock(sync_rwmutex *m);

void sync_waitgroup_add(sync_waitgroup *wg, int delta); /* < 0: "sync: negative WaitGroup counter" */
void sync_waitgroup_done(sync_waitgroup *wg);
void sync_waitgroup_wait(sync_waitgroup *wg);

void sync_once_do(sync_once *o, void (*f)(void));

/* A condition variable tied to a mutex, as sync.NewCond(&mu). Initialise with
 * sync_cond_init (or `= {.l = &mu}`); the caller holds *l around wait. */
typedef struct sync_cond {
    sync_mutex *l;
    __UINTPTR_TYPE__ gocc__state[4];
} sync_cond;
void sync_cond_init(sync_cond *c, sync_mutex *l);
void sync_cond_wait(sync_cond *c);
void sync_cond_signal(sync_cond *c);
void sync_cond_broadcast(sync_cond *c);

/* Single-P ("uni") mode (runtime/uni.h, runtime/README.md "Uni mode"): at
 * GOMAXPROCS=1, while only goroutines use the sync functions, a mutex's
 * uncontended lock and unlock are a plain compare and store, inline in
 * generated code, inside a restartable sequence (rseq(2)) that the kernel
 * aborts if the thread is interrupted in it. Runtime-owned; declared here for
 * those inline paths only. */
typedef struct gocc_uni_state {
    int mode;      /* GOCC_UNI_ON_ while the plain path may be used */
    int pad_;
    long rseqcs;   /* from the thread pointer to the word a section names its descriptor in: the thread's rseq_cs
                    * word (glibc's rseq area) while the mode is on, else a word of the runtime's (uni.c) */
} __attribute__((aligned(64))) gocc_uni_state;
#define GOCC_UNI_ON_ 1
#define GOCC_UNI_OFF_ 2
/* Named gocc_uni before the section read its flag at a link-time offset and stopped testing rseqcs (the
 * fields' meaning changed): an object compiled against that gocc.h defines a weak, zero gocc_uni of its own,
 * and with the runtime's under a new name it takes the runtime's calls, where it used to read this one's
 * fields with the old meaning and take a plain store on any thread (a stale object linked against a new
 * runtime: 'unlock of unlocked mutex' and deadlocks in 14 of 30 runs). Rename it again if the inline
 * section's use of it changes. */
extern gocc_uni_state gocc_uni_rseq;
extern __thread char gocc_uni_plain; /* this thread may take the plain section now (uni.c: an m, mode ON) */

/* The plain section: if this thread may take the plain path (its gocc_uni_plain flag, uni.c: an m's, while
 * the mode is on), and *w is from, stores to; 1 if it stored, 0 if not (no plain path here, *w is not
 * from, or the kernel aborted the section). It is a restartable sequence (rseq(2)): the thread's rseq_cs
 * word names the descriptor of this copy (start, the length up to the commit, the abort address), and if
 * the thread is preempted, migrated or signalled, or gocc_uni_leave's membarrier
 * (MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) interrupts it, anywhere before the store commits, the kernel
 * resumes it at the abort address instead, which returns 0. gocc_uni_leave clears every m's flag before
 * its barrier, so a section that read the flag set either committed before the barrier or never commits.
 * Both words are reached through %fs, never through an address a compiler could keep across a switch to
 * another thread: the rseq_cs word at the offset the runtime read from glibc once, the flag at its
 * link-time offset in the executable's static TLS (the local-exec form, @tpoff: code that may go into a
 * shared library does not inline the section, see gocc__uni_mutex_swap; an offset loaded from gocc_uni_rseq, as
 * before, cost a lock/unlock pair 0.4 ns more, 3.2 against 2.8 ns in a C loop of the same assembly). The
 * hand-shake costs the p's thread one store to a thread-local word, against the two flag stores and
 * second look at the mode of the earlier Dekker hand-shake (runtime/README.md, "Uni mode", has the
 * figures). The abort address is in a block of the function's own (the C label aborted, which asm goto
 * names as a target it never jumps to, so the compiler keeps the block off the fast path, and the
 * descriptor's abort field is that label plus 7): the block's first 7 bytes are a ud1 carrying the
 * signature glibc registers (RSEQ_SIG, 0x53053053), which the kernel checks before the abort address, and
 * the block goes on to no. A thread stopped there (a debugger's stop or a crash in the section is a
 * signal, which moves the thread there first) unwinds with the function's call frame information, and
 * gdb's next over a lock line at GOMAXPROCS=1 (every single step aborts the section) arrives at the next
 * line. The fast path runs no instruction for the abort: an abort stub behind a jump over it cost a
 * lock/unlock pair about 1 ns (3.9 against 2.9-3.0 ns in a C loop of the same assembly, interleaved, in
 * the host's slow phase; runtime/README.md, "Branches are the price on this host"), and a check after
 * the commit that told a committed section from an aborted one (the signature as an immediate) 0.5 ns. */
#if defined(__x86_64__) && !defined(GOCC_TSAN_)
#define GOCC_UNI_RSEQ_ 1
/* GNU as checks that the abort block's label is where the signature starts (clang's assembler cannot
 * evaluate the label difference while it parses inline assembly; uni.c checks every descriptor's
 * signature at the start instead, and leaves the mode off if one is wrong). */
#ifdef __clang__
#define GOCC__UNI_ABORT_CHECK_
#else
#define GOCC__UNI_ABORT_CHECK_ \
    ".ifne . - %l[aborted]\n\t.error \"gocc.h: code between the abort label and the rseq signature\"\n\t.endif\n\t"
#endif
__attribute__((always_inline, unused)) static __inline__ int gocc__uni_swap_plain(int *w, int from, int to)
{
    long cs = __atomic_load_n(&gocc_uni_rseq.rseqcs, __ATOMIC_RELAXED);
    /* {AT&T|Intel}: the program may be compiled with -masm=intel, which prints the operands Intel's way. The
     * labels are named (%= numbers them apart): in Intel syntax `1b` is the binary number one. */
    __asm__ goto("{leaq .Lgocc_d%=(%%rip), %%rax|lea rax, [rip + .Lgocc_d%=]}\n\t"
                 "{movq %%rax, %%fs:(%[cs])|mov qword ptr fs:[%[cs]], rax}\n"
                 ".Lgocc_s%=:\n\t"
                 "{cmpb $0, %%fs:gocc_uni_plain@tpoff|cmp byte ptr fs:gocc_uni_plain@tpoff, 0}\n\t"
                 "je %l[no]\n\t"
                 "{cmpl %[from], %[word]|cmp %[word], %[from]}\n\t"
                 "jne %l[no]\n\t"
                 "{movl %[to], %[word]|mov %[word], %[to]}\n"
                 ".Lgocc_e%=:\n\t"
                 ".pushsection gocc_rseq_cs, \"aw\"\n\t"
                 ".balign 32\n"
                 ".Lgocc_d%=:\n\t"
                 ".long 0, 0\n\t"
                 ".quad .Lgocc_s%=, .Lgocc_e%= - .Lgocc_s%=, %l[aborted] + 7\n\t"
                 ".popsection"
                 :
                 : [cs] "r"(cs), [word] "m"(*w), [from] "r"(from), [to] "r"(to)
                 : "rax", "cc", "memory"
                 : no, aborted);
    return 1;
aborted:
    /* Never run from its first byte: the kernel enters 7 bytes in, behind the signature, and the block goes
     * on to no. The assembler checks that the block's label is where the signature starts. */
    __asm__ goto(GOCC__UNI_ABORT_CHECK_
                 ".byte 0x0f, 0xb9, 0x3d\n\t"
                 ".long 0x53053053"
                 :
                 :
                 :
                 : aborted);
no:
    return 0;
}
#else
/* No restartable sequence here: the runtime never turns the mode on (uni.c), and this is not reached. */
__attribute__((always_inline, unused)) static __inline__ int gocc__uni_swap_plain(int *w, int from, int to)
{
    (void)w, (void)from, (void)to;
    return 0;
}
#endif

/* The waiting calls with the .gc call site that the deadlock report and the
 * goroutine dump show for the wait (generated code calls these through the
 * macros below, so the line is known without -g). site may be NULL. */
void gocc_sync_mutex_lock_at(sync_mutex *m, const gocc_site *site);
void gocc_sync_rwmutex_lock_at(sync_rwmutex *m, const gocc_site *site);
void gocc_sync_rwmutex_rlock_at(sync_rwmutex *m, const gocc_site *site);
void gocc_sync_waitgroup_wait_at(sync_waitgroup *wg, const gocc_site *site);
void gocc_sync_once_do_at(sync_once *o, void (*f)(void), const gocc_site *site);
void gocc_sync_cond_wait_at(sync_cond *c, const gocc_site *site);

/* sync.Map: a concurrent map from pointer-sized keys to pointer-sized values
 * (void *; store integers with (void *)(intptr_t)n). Zero value ready. */
typedef struct sync_map { void *gocc__impl; __UINTPTR_TYPE__ gocc__state[3]; } sync_map;
void sync_map_store(sync_map *m, const void *key, void *value);
void *sync_map_load(sync_map *m, const void *key, _Bool *ok); /* ok may be NULL */
void *sync_map_loadorstore(sync_map *m, const void *key, void *value, _Bool *loaded);
void *sync_map_loadanddelete(sync_map *m, const void *key, _Bool *loaded);
void sync_map_delete(sync_map *m, const void *key);
/* Calls f for each entry until f returns false. */
void sync_map_range(sync_map *m, _Bool (*f)(const void *key, void *value, void *arg), void *arg);
/* Keys are compared by pointer value; for string keys (C strings compared by
 * content) use the _str variants, which copy the key. */
void sync_map_store_str(sync_map *m, const char *key, void *value);
void *sync_map_load_str(sync_map *m, const char *key, _Bool *ok);
void sync_map_delete_str(sync_map *m, const char *key);

/* atomic.Value: holds one value of a fixed size, replaced and read atomically.
 * Load before any Store returns false (Go returns nil; a type assertion on it
 * panics: atomic_value_must_load does that). */
typedef struct atomic_value { void *gocc__impl; __UINTPTR_TYPE__ gocc__state[3]; } atomic_value;
void atomic_value_store(atomic_value *v, const void *value, gocc_size size);
_Bool atomic_value_load(atomic_value *v, void *out, gocc_size size);
/* Load that panics as Go's v.Load().(T) does when nothing was stored:
 * "interface conversion: interface {} is nil, not NAME". */
void atomic_value_must_load(atomic_value *v, void *out, gocc_size size, const char *type_name);
/* Typed forms: atomic_value_store_of(&v, expr); T x = atomic_value_load_as(&v, T). */
#define atomic_value_store_of(v, expr) \
    (__extension__({ __typeof__(expr) gocc__av = (expr); atomic_value_store((v), &gocc__av, sizeof gocc__av); }))
#define atomic_value_load_as(v, T) \
    (__extension__({ T gocc__av; atomic_value_must_load((v), &gocc__av, sizeof gocc__av, #T); gocc__av; }))

/* --- call sites of sync misuse panics ------------------------------------ */

/* The .gc line of the library call that is running, for the panics that
 * misuse causes inside it ("sync: unlock of unlocked mutex", "sync: negative
 * WaitGroup counter", atomic_value_must_load's): in generated code the calls
 * below are macros that evaluate the arguments, set gocc_panic_site (per
 * thread: the call panics before it could block or move) and clear it after
 * the call. The runtime's gocc_panic uses it when given no site. The
 * functions keep their names: `&sync_mutex_unlock` and a call through a
 * pointer still work (without a line in the panic). */
extern __thread const gocc_site *gocc_panic_site;
#ifdef GOCC_GENERATED
/* A weak definition, so that programs link against a runtime that does not
 * define it yet; the runtime's own definition wins. */
__attribute__((weak)) __thread const gocc_site *gocc_panic_site;
#ifdef GOCC_TSAN_
__attribute__((no_sanitize_thread, unused)) static void gocc_panic_site_set_(const gocc_site *site)
{
    gocc_panic_site = site;
}
#define GOCC__SITED(call) \
    do { gocc_panic_site_set_(GOCC_HERE); call; gocc_panic_site_set_(0); } while (0)
#else
#define GOCC__SITED(call) \
    do { gocc_panic_site = GOCC_HERE; call; gocc_panic_site = 0; } while (0)
#endif
#ifdef GOCC_TSAN_
#define sync_mutex_unlock(m) \
    (__extension__({ sync_mutex *gocc__s1 = (m); GOCC__SITED((sync_mutex_unlock)(gocc__s1)); }))
#define sync_mutex_lock(m) gocc_sync_mutex_lock_at((m), GOCC_HERE)
#else
/* The uncontended lock (from 0 to 1) and unlock (from 1 to 0), inline: 1 if it did the operation, 0 if
 * the caller must call the runtime (contended, misuse, a plain thread while the mode is not off, before
 * the runtime started, or a plain section the kernel aborted). In uni mode the plain path
 * (gocc__uni_swap_plain; runtime/uni.h and sync.c use the same one): a call and return cost more than
 * the locked instruction they save, bench/mutex at GOMAXPROCS=1; once the mode is off for good
 * (GOMAXPROCS > 1 at start, or left), sync.c's atomic fast path, a compare-and-swap of the same word:
 * the calls into the runtime and its second look at the mode were most of a lock/unlock pair's
 * instructions at GOMAXPROCS=2 (callgrind, bench/mutex at N = 100,000 and 300,000: 43 -> 26
 * instructions per pair). */
__attribute__((always_inline, unused)) static __inline__ int gocc__uni_mutex_swap(sync_mutex *m, int from, int to)
{
    typedef int __attribute__((may_alias)) gocc__aint;
    gocc__aint *w = (gocc__aint *)(void *)m->gocc__state; /* runtime/sync.c: mutex_s.state */
#if !(defined(__PIC__) && !defined(__PIE__))
    /* Not in code that may be a shared library (-fPIC, not -fPIE): the thread's rseq_cs word keeps naming
     * the last section's descriptor until the kernel next preempts the thread, and a descriptor in a library
     * that dlclose unmapped makes the kernel kill the process then (SIGSEGV); there the runtime's section,
     * whose descriptor stays mapped, does it (tests/e2e/driver-test, "dlclose"). */
    if (gocc__uni_swap_plain(w, from, to))
        return 1;
#endif
    if (__builtin_expect(__atomic_load_n(&gocc_uni_rseq.mode, __ATOMIC_RELAXED) == GOCC_UNI_OFF_, 1)) {
        int v = from;
        return to ? __atomic_compare_exchange_n(w, &v, to, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
                  : __atomic_compare_exchange_n(w, &v, to, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
    }
    return 0;
}
#define sync_mutex_unlock(m) \
    (__extension__({ sync_mutex *gocc__s1 = (m); \
                     if (!gocc__uni_mutex_swap(gocc__s1, 1, 0)) GOCC__SITED((sync_mutex_unlock)(gocc__s1)); }))
#define sync_mutex_lock(m) \
    (__extension__({ sync_mutex *gocc__s1 = (m); \
                     if (!gocc__uni_mutex_swap(gocc__s1, 0, 1)) gocc_sync_mutex_lock_at(gocc__s1, GOCC_HERE); }))
#endif
#define sync_rwmutex_unlock(m) \
    (__extension__({ sync_rwmutex *gocc__s1 = (m); GOCC__SITED((sync_rwmutex_unlock)(gocc__s1)); }))
#define sync_rwmutex_runlock(m) \
    (__extension__({ sync_rwmutex *gocc__s1 = (m); GOCC__SITED((sync_rwmutex_runlock)(gocc__s1)); }))
#define sync_waitgroup_add(wg, delta) \
    (__extension__({ sync_waitgroup *gocc__s1 = (wg); int gocc__s2 = (delta); \
                     GOCC__SITED((sync_waitgroup_add)(gocc__s1, gocc__s2)); }))
#define sync_waitgroup_done(wg) \
    (__extension__({ sync_waitgroup *gocc__s1 = (wg); GOCC__SITED((sync_waitgroup_done)(gocc__s1)); }))
/* The calls that can wait pass their site along instead (it must outlive a
 * park, which may move the goroutine to another thread). */
#define sync_rwmutex_lock(m) gocc_sync_rwmutex_lock_at((m), GOCC_HERE)
#define sync_rwmutex_rlock(m) gocc_sync_rwmutex_rlock_at((m), GOCC_HERE)
#define sync_waitgroup_wait(wg) gocc_sync_waitgroup_wait_at((wg), GOCC_HERE)
#define sync_once_do(o, f) gocc_sync_once_do_at((o), (f), GOCC_HERE)
#define sync_cond_wait(c) gocc_sync_cond_wait_at((c), GOCC_HERE)
#define atomic_value_store(v, value, size) \
    (__extension__({ atomic_value *gocc__s1 = (v); const void *gocc__s2 = (value); gocc_size gocc__s3 = (size); \
                     GOCC__SITED((atomic_value_store)(gocc__s1, gocc__s2, gocc__s3)); }))
#define atomic_value_must_load(v, out, size, type_name) \
    (__extension__({ atomic_value *gocc__s1 = (v); void *gocc__s2 = (out); gocc_size gocc__s3 = (size); \
                     const char *gocc__s4 = (type_name); \
                     GOCC__SITED((atomic_value_must_load)(gocc__s1, gocc__s2, gocc__s3, gocc__s4)); }))
#endif

/* --- log ----------------------------------------------------------------- */

/* Go's log package: each line is "YYYY/MM/DD HH:MM:SS message\n" on stderr,
 * written whole by one write so lines of concurrent goroutines never mix.
 * log_println takes up to 8 operands of scalar or string type and formats each
 * as Go's %v, separated by spaces, as log.Println does. */
void log_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
void log_fatalf(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Operand descriptors for the type-generic println family. */
typedef struct gocc_fmt_arg {
    int kind; /* GOCC_FMT_* */
    union {
        gocc_int64 i;
        unsigned long long u;
        double f;
        const char *s;
        const void *p;
    } v;
} gocc_fmt_arg;
enum { GOCC_FMT_INT, GOCC_FMT_UINT, GOCC_FMT_FLOAT, GOCC_FMT_STR, GOCC_FMT_PTR, GOCC_FMT_BOOL, GOCC_FMT_CHAR,
       GOCC_FMT_FLOAT32 /* a float: shortest digits of the float32, as Go prints a float32 */ };

#define GOCC__FMT(x) _Generic((x), \
    _Bool: gocc_fmt_bool, char: gocc_fmt_char, \
    signed char: gocc_fmt_int, short: gocc_fmt_int, int: gocc_fmt_int, long: gocc_fmt_int, long long: gocc_fmt_int, \
    unsigned char: gocc_fmt_uint, unsigned short: gocc_fmt_uint, unsigned: gocc_fmt_uint, \
    unsigned long: gocc_fmt_uint, unsigned long long: gocc_fmt_uint, \
    float: gocc_fmt_float32, double: gocc_fmt_float, long double: gocc_fmt_float, \
    char *: gocc_fmt_str, const char *: gocc_fmt_str, \
    default: gocc_fmt_ptr)(x)
gocc_fmt_arg gocc_fmt_bool(_Bool);
gocc_fmt_arg gocc_fmt_char(char);
gocc_fmt_arg gocc_fmt_int(long long);
gocc_fmt_arg gocc_fmt_uint(unsigned long long);
gocc_fmt_arg gocc_fmt_float(long double);
gocc_fmt_arg gocc_fmt_float32(float);
gocc_fmt_arg gocc_fmt_str(const char *);
gocc_fmt_arg gocc_fmt_ptr(const void *);

#define GOCC__NARGS(...) GOCC__NARGS_(__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define GOCC__NARGS_(a1, a2, a3, a4, a5, a6, a7, a8, n, ...) n
#define GOCC__MAP1(a) GOCC__FMT(a)
#define GOCC__MAP2(a, ...) GOCC__FMT(a), GOCC__MAP1(__VA_ARGS__)
#define GOCC__MAP3(a, ...) GOCC__FMT(a), GOCC__MAP2(__VA_ARGS__)
#define GOCC__MAP4(a, ...) GOCC__FMT(a), GOCC__MAP3(__VA_ARGS__)
#define GOCC__MAP5(a, ...) GOCC__FMT(a), GOCC__MAP4(__VA_ARGS__)
#define GOCC__MAP6(a, ...) GOCC__FMT(a), GOCC__MAP5(__VA_ARGS__)
#define GOCC__MAP7(a, ...) GOCC__FMT(a), GOCC__MAP6(__VA_ARGS__)
#define GOCC__MAP8(a, ...) GOCC__FMT(a), GOCC__MAP7(__VA_ARGS__)
#define GOCC__CAT(a, b) GOCC__CAT_(a, b)
#define GOCC__CAT_(a, b) a##b
#define GOCC__ARGS(...) \
    GOCC__NARGS(__VA_ARGS__), (const gocc_fmt_arg[]){ GOCC__CAT(GOCC__MAP, GOCC__NARGS(__VA_ARGS__))(__VA_ARGS__) }

/* where: 0 stdout (fmt), 1 the log (stderr, with the timestamp) */
void gocc_fmt_println(int where, int n, const gocc_fmt_arg *args);
#define log_println(...) gocc_fmt_println(1, GOCC__ARGS(__VA_ARGS__))
/* fmt.Println to stdout: fmt_println(a, b) prints "a b\n" (Go's %v forms). */
#define fmt_println(...) gocc_fmt_println(0, GOCC__ARGS(__VA_ARGS__))

/* --- runtime ------------------------------------------------------------- */

void runtime_gosched(void);        /* yield the processor */
int runtime_numgoroutine(void);
int runtime_numcpu(void);
int runtime_gomaxprocs(int n);     /* n < 1: query only; returns the previous value */
/* The id of the calling goroutine (1 is main), 0 outside any goroutine. */
long long runtime_goid(void);
/* The stack size of goroutines, in bytes (64 KiB to 1 GiB, rounded up to
 * pages; 448 KiB unless GOCC_STACK says otherwise). Call it before the first
 * go statement: it returns the previous size, or -1 (nothing changed) when
 * the size is out of range or goroutine stacks already exist. */
long runtime_set_stack_size(long bytes);

/* ------------------------------------------------------------------------ */
/* Part 2b: the code generator's ABI                                         */
/* ------------------------------------------------------------------------ */

/* The element type of channel expression c (unevaluated). */
#define GOCC_CHAN_ELEM(c) __typeof__(*(**(c))(0))
#define GOCC_CHAN_IS_RECV_ONLY(c) _Generic((c), __typeof__(*(c)) const *: 1, default: 0)
#define GOCC_CHAN_IS_SEND_ONLY(c) _Generic((c), __typeof__(*(c)) volatile *: 1, default: 0)
/* close(x) in .gc code is a channel close when x is a pointer (a channel or
 * NULL, the nil channel) and POSIX close(2) when x is an integer: the choice
 * is made by the C compiler from x's type, so `close(fd)` keeps its meaning
 * even where the code generator cannot see x's declaration. */
int gocc_close_fd(int fd); /* calls close(2) */
#define GOCC__IS_PTR(x) (__builtin_classify_type(x) == 5)
#define GOCC__PTR_OR_NULL(x) __builtin_choose_expr(GOCC__IS_PTR(x), (x), (void *)0)

/* The blocking POSIX calls of .gc code (runtime/io.c): a direct call of
 * read, write, ... in a .gc file becomes gocc_io_read(GOCC_HERE, ...), which
 * parks the goroutine, not its thread, while a socket, pipe or terminal is
 * not ready. Declared without POSIX headers: ssize_t is long, socklen_t and
 * useconds_t unsigned, nfds_t unsigned long, addresses void * (glibc's
 * accept takes any sockaddr pointer too). */
struct iovec;
struct msghdr;
struct pollfd;
struct timespec;
long gocc_io_read(const gocc_site *site, int fd, void *buf, gocc_size n);
long gocc_io_write(const gocc_site *site, int fd, const void *buf, gocc_size n);
long gocc_io_readv(const gocc_site *site, int fd, const struct iovec *iov, int n);
long gocc_io_writev(const gocc_site *site, int fd, const struct iovec *iov, int n);
long gocc_io_recv(const gocc_site *site, int fd, void *buf, gocc_size n, int flags);
long gocc_io_recvfrom(const gocc_site *site, int fd, void *buf, gocc_size n, int flags, void *addr, unsigned *addrlen);
long gocc_io_recvmsg(const gocc_site *site, int fd, struct msghdr *m, int flags);
long gocc_io_send(const gocc_site *site, int fd, const void *buf, gocc_size n, int flags);
long gocc_io_sendto(const gocc_site *site, int fd, const void *buf, gocc_size n, int flags, const void *addr,
                    unsigned addrlen);
long gocc_io_sendmsg(const gocc_site *site, int fd, const struct msghdr *m, int flags);
int gocc_io_accept(const gocc_site *site, int fd, void *addr, unsigned *addrlen);
int gocc_io_accept4(const gocc_site *site, int fd, void *addr, unsigned *addrlen, int flags);
int gocc_io_connect(const gocc_site *site, int fd, const void *addr, unsigned addrlen);
int gocc_io_setsockopt(const gocc_site *site, int fd, int level, int opt, const void *val, unsigned len);
int gocc_io_poll(const gocc_site *site, struct pollfd *fds, unsigned long n, int timeout);
/* select(2), pselect, ppoll, epoll_wait, epoll_pwait (fd_set, sigset_t and
 * struct epoll_event pointers taken as void * / incomplete types). */
struct timeval;
struct epoll_event;
int gocc_io_ppoll(const gocc_site *site, struct pollfd *fds, unsigned long n, const struct timespec *tmo,
                  const void *sigmask);
int gocc_io_select(const gocc_site *site, int nfds, void *r, void *w, void *x, struct timeval *tmo);
int gocc_io_pselect(const gocc_site *site, int nfds, void *r, void *w, void *x, const struct timespec *tmo,
                    const void *sigmask);
int gocc_io_epoll_wait(const gocc_site *site, int epfd, struct epoll_event *ev, int max, int timeout);
int gocc_io_epoll_pwait(const gocc_site *site, int epfd, struct epoll_event *ev, int max, int timeout,
                        const void *sigmask);
/* sendfile and splice (offsets are off_t * / loff_t *, taken as void *). */
long gocc_io_sendfile(const gocc_site *site, int out, int in, void *offset, gocc_size count);
long gocc_io_splice(const gocc_site *site, int in, void *offin, int out, void *offout, gocc_size len,
                    unsigned flags);
unsigned gocc_io_sleep(const gocc_site *site, unsigned seconds);
int gocc_io_usleep(const gocc_site *site, unsigned usec);
int gocc_io_nanosleep(const gocc_site *site, const struct timespec *req, struct timespec *rem);
/* errno in .gc code: the calling thread's, looked up at every use (a goroutine may change threads). */
int *gocc_errno(void);

/* cap < 0 panics ("makechan: size out of range"). */
struct gocc_chan *gocc_chan_make(gocc_size elemsize, long long cap, const gocc_site *site);
/* Copies elemsize bytes from *elem. Blocks; panics on a closed channel; a nil
 * channel blocks forever. */
void gocc_chan_send(struct gocc_chan *c, const void *elem, const gocc_site *site);
/* Stores the received value in *elem (elem may be NULL to discard). Returns
 * false, having zeroed *elem, when c is closed and drained. */
_Bool gocc_chan_recv(struct gocc_chan *c, void *elem, const gocc_site *site);
void gocc_chan_close(struct gocc_chan *c, const gocc_site *site);
/* Deadlines: absolute times on the gocc_nanotime() clock (CLOCK_MONOTONIC in ns, the clock of
 * time_now().mono); 0 means none. The deadline waits cost no allocation. */
gocc_int64 gocc_nanotime(void);
/* Send or receive that gives up at deadline: 1 when done (*ok, if not NULL: false when the receive saw
 * a closed channel), 0 when the deadline passed first (nothing moved). A nil channel waits until the
 * deadline. */
int gocc_chan_send_deadline(struct gocc_chan *c, const void *elem, gocc_int64 deadline, const gocc_site *site);
int gocc_chan_recv_deadline(struct gocc_chan *c, void *elem, _Bool *ok, gocc_int64 deadline,
                            const gocc_site *site);
/* free(c): releases a channel made by make (or time_after/time_tick, whose
 * timer it stops) to the runtime's pool. NULL: nothing. A goroutine blocked on
 * c (send, receive, select) panics "free of channel with waiting goroutines";
 * a freed channel is poisoned, and later operations on it panic "use of freed
 * channel" until its memory is reused (never reused under -race or with
 * GOCC_FREECHECK=1). */
void gocc_chan_free(struct gocc_chan *c, const gocc_site *site);
/* free(p) in .gc code: a channel (told by its address: channels live in the
 * runtime's own arena) goes to gocc_chan_free, any other pointer to the C
 * library's free. So `free` keeps its C meaning on every type. */
void gocc_free(void *p, const gocc_site *site);
/* <-time_after(d) outside a select: sleeps d, returns the time (no channel). */
time_time gocc_time_after_wait(time_duration d);
long long gocc_chan_len(const struct gocc_chan *c);
long long gocc_chan_cap(const struct gocc_chan *c);

/* select. The generated code fills one case per `case` clause, in source
 * order, after evaluating every channel operand and every value to send once.
 * gocc_select returns the index of the case that proceeded, or -1 when none
 * could and has_default is true. For a receive case, *recv_ok receives the
 * comma-ok flag. With ncases == 0 and no default it blocks forever. */
typedef struct gocc_select_case {
    struct gocc_chan *chan; /* NULL: the case never proceeds */
    void *elem;             /* send: the value; receive: destination or NULL */
    _Bool is_send;
} gocc_select_case;
int gocc_select(gocc_select_case *cases, int ncases, _Bool has_default, _Bool *recv_ok,
                const gocc_site *site);
/* gocc_select with a deadline (0: none; see gocc_nanotime): returns GOCC_SELECT_TIMEOUT when no case
 * could proceed before it (with has_default, -1 as usual, at once). A select whose every channel is nil
 * waits for the deadline. This is how `case <-time_after(d):` runs without a channel or a timer. */
#define GOCC_SELECT_TIMEOUT (-2)
int gocc_select_deadline(gocc_select_case *cases, int ncases, _Bool has_default, _Bool *recv_ok,
                         gocc_int64 deadline, const gocc_site *site);

/* go. Starts a goroutine that runs fn(copy of arg). The runtime copies argsize
 * bytes of *arg into storage that lives as long as the goroutine (so the
 * caller's copy may go away at once); alignment is at least 16. */
void gocc_go(void (*fn)(void *arg), const void *arg, gocc_size argsize, const gocc_site *site);
#if defined(GOCC_TSAN_) && defined(GOCC_GENERATED)
/* gocc -race: the goroutine's TSan fiber is created here, in the go
 * statement's own code, so that the "created at" stack of
 * race reports starts at the go statement's .gc line rather than in the
 * runtime (TSan records its caller's pc as the top frame). A fiber from the
 * runtime's pool of exited goroutines' fibers is used first, as before; it
 * keeps the stack of its first creation. gocc_go_fiber hands the fiber to
 * the goroutine gocc_go creates. Both are weak: only libgocc-race.a has them
 * (a program built with -fsanitize=thread but without -race links libgocc.a,
 * and its go statements call gocc_go as before). */
__attribute__((weak)) void *gocc_race_fiber_take(void);
void *__tsan_create_fiber(unsigned flags);
__attribute__((weak)) void gocc_go_fiber(void (*fn)(void *arg), const void *arg, gocc_size argsize,
                                         const gocc_site *site, void *fiber);
/* (A statement expression, not an inline function: the debug info would name
 * the inlined function's header line as the top frame.) */
#define gocc_go(fn, arg, argsize, site) \
    (gocc_go_fiber ? gocc_go_fiber((fn), (arg), (argsize), (site), __extension__({ \
                         void *gocc__rf = gocc_race_fiber_take(); gocc__rf ? gocc__rf : __tsan_create_fiber(0); })) \
                   : gocc_go((fn), (arg), (argsize), (site)))
#endif

/* The program's entry: the code generator renames the .gc file's main to
 * gocc__main_body and emits `int gocc__main(int, char **, char **)`, which the
 * runtime's own main() runs as the main goroutine. */
int gocc__main(int argc, char **argv, char **envp);

/* Preemption and stack checks, inserted by the code generator:
 * GOCC_FUNCTION_ENTRY() first in every function body of a .gc file, and
 * GOCC_LOOP_CHECK() at every loop back-edge. Both are a load and a branch on
 * the fast path; the runtime turns them on to preempt a goroutine that has run
 * for a whole time slice, and GOCC_FUNCTION_ENTRY also reports a goroutine
 * stack overflow before it can corrupt memory. */
extern __thread __UINTPTR_TYPE__ gocc_sched_stack_guard;   /* per worker thread */
extern volatile int gocc_sched_preempt_flag;               /* set by the monitor */
void gocc_sched_morestack(const gocc_site *site);          /* slow path */
void gocc_sched_preempt(void);                             /* slow path */
/* Under ThreadSanitizer (gocc -race) the two words are read by uninstrumented helpers, not by inline
 * loads: TSan imitates a plain write to all of a thread's TLS when the thread starts, and a goroutine's
 * fiber is (rightly) not ordered after the start of whatever thread it runs on, so any instrumented
 * read of gocc_sched_stack_guard, even a relaxed atomic one, is reported as a race with
 * "__tsan_tls_initialization" (Location is TLS of thread Tn). Neither word is program data: the
 * runtime's own accesses are what race detection must not see. The helpers cost a call per function
 * entry in race builds only (TSan already adds two). Their loads are volatile, not __atomic: clang
 * instruments atomic operations even in no_sanitize("thread") functions, and an atomic load races with
 * TSan's imitated TLS write all the same. (Word-sized and aligned, they cannot tear on any target gocc
 * supports; the runtime stores both words with relaxed atomic stores.) */
#ifdef GOCC_TSAN_
__attribute__((no_sanitize_thread, unused)) static __UINTPTR_TYPE__ gocc_guard_load_(void)
{
    return *(volatile __UINTPTR_TYPE__ *)&gocc_sched_stack_guard;
}
__attribute__((no_sanitize_thread, unused)) static int gocc_preempt_load_(void)
{
    return gocc_sched_preempt_flag;
}
#define GOCC_GUARD_LOAD_() gocc_guard_load_()
#define GOCC_PREEMPT_LOAD_() gocc_preempt_load_()
#else
#define GOCC_GUARD_LOAD_() gocc_sched_stack_guard
#define GOCC_PREEMPT_LOAD_() gocc_sched_preempt_flag
#endif
/* The stack pointer after the function's prologue, i.e. the bottom of its whole fixed frame (locals,
 * arrays): a function whose frame does not fit is caught at entry, before it touches the frame (the
 * frame address, the top of the frame, would let a 600 KiB local array pass). */
#if defined(__x86_64__)
#define GOCC_SP_() (__extension__({ __UINTPTR_TYPE__ gocc__sp; __asm__("{mov %%rsp, %0|mov %0, rsp}" : "=r"(gocc__sp)); gocc__sp; }))
#elif defined(__aarch64__)
#define GOCC_SP_() (__extension__({ __UINTPTR_TYPE__ gocc__sp; __asm__("mov %0, sp" : "=r"(gocc__sp)); gocc__sp; }))
#else
#define GOCC_SP_() ((__UINTPTR_TYPE__)__builtin_frame_address(0))
#endif
/* Statements (no object: a declared one took a stack slot per frame at clang -O0, 32 more bytes a frame of
 * tests/e2e/deep_recursion_c). The code generator puts the program's own code after them in a block of its
 * own, so that the program's declarations never follow a statement (-Wdeclaration-after-statement). */
#define GOCC_FUNCTION_ENTRY() \
    do { if (__builtin_expect(GOCC_SP_() < GOCC_GUARD_LOAD_(), 0)) \
             gocc_sched_morestack(GOCC_HERE); } while (0)
#define GOCC_LOOP_CHECK() \
    do { if (__builtin_expect(GOCC_PREEMPT_LOAD_(), 0)) gocc_sched_preempt(); } while (0)
/* The same check as an expression, for a loop whose body is not a block:
 * the code generator puts it in the loop's increment or condition rather
 * than wrap the body in braces (which could regroup a macro body). */
#define GOCC_LOOP_CHECK_EXPR() \
    ((void)(__builtin_expect(GOCC_PREEMPT_LOAD_(), 0) ? (gocc_sched_preempt(), 0) : 0))

/* defer: the generated code keeps a per-function list of records. */
typedef struct gocc_defer {
    struct gocc_defer *next;
    int site;            /* which defer statement of the function */
    _Bool heap;          /* allocated by gocc_defer_alloc (a defer inside a loop) */
} gocc_defer;
void *gocc_defer_alloc(gocc_size size);
void gocc_defer_free(void *record);

/* Runtime panic with Go's message, from generated code: prints
 * "panic: MESSAGE" with the site and the goroutine id and exits with status 2. */
__attribute__((noreturn)) void gocc_panic(const char *message, const gocc_site *site);

/* Shared variables of go blocks ("cells"). A local that a go block shares
 * with its function (Go's closure capture) lives in a heap cell, so that it
 * outlives the function while a goroutine still uses it. The cell counts its
 * users: the scope that declared it holds one reference (dropped on every
 * exit from that scope by a cleanup attribute, or in a function with defers
 * by a record on its defer list), and each goroutine started by a go block
 * that uses it holds one, dropped when the goroutine ends. Costs: one
 * allocation per shared variable per entry into its scope, and one atomic
 * increment and decrement per goroutine per shared variable. The payload is
 * aligned for any type. Inline, so that the runtime library needs no new
 * symbol; malloc and free by their builtin names (this header includes
 * nothing). */
typedef struct gocc_cell_ {
    long refs;
    long pad_;
} __attribute__((aligned(__BIGGEST_ALIGNMENT__))) gocc_cell_;
__attribute__((unused)) static void *gocc_cell_new(gocc_size size)
{
    gocc_cell_ *c = (gocc_cell_ *)__builtin_calloc(1, sizeof(gocc_cell_) + size);
    if (!c) gocc_panic("runtime: out of memory allocating a shared variable", 0);
    c->refs = 1;
    return c + 1;
}
/* A new cell holding a copy of *init (the variable's initialized value). */
__attribute__((unused)) static void *gocc_cell_dup(const void *init, gocc_size size)
{
    void *p = gocc_cell_new(size);
    __builtin_memcpy(p, init, size);
    return p;
}
__attribute__((unused)) static void *gocc_cell_ref(void *p)
{
    __atomic_fetch_add(&((gocc_cell_ *)p - 1)->refs, 1, __ATOMIC_RELAXED);
    return p;
}
__attribute__((unused)) static void gocc_cell_unref(void *p)
{
    if (p && __atomic_sub_fetch(&((gocc_cell_ *)p - 1)->refs, 1, __ATOMIC_ACQ_REL) == 0)
        __builtin_free((gocc_cell_ *)p - 1);
}
/* The cleanup function of a variable holding a cell: pp is its address. */
__attribute__((unused)) static void gocc_cell_drop(void *pp)
{
    void **v = (void **)pp;
    gocc_cell_unref(*v);
    *v = 0;
}
/* The next iteration's copy of a for clause's shared variable (Go 1.22):
 * a new cell with the current value; the old one loses the loop's
 * reference. */
__attribute__((unused)) static void *gocc_cell_renew(void *p, gocc_size size)
{
    void *q = gocc_cell_dup(p, size);
    gocc_cell_unref(p);
    return q;
}
/* In a function with defers a cell's scope reference is dropped by a record
 * on the function's defer list (site -1), run in order with the deferred
 * actions: the exit path jumps between defer sites, which a cleanup
 * attribute does not allow. */
typedef struct gocc_cell_rec_ {
    gocc_defer h;
    void *cell;
} gocc_cell_rec_;
__attribute__((unused)) static void *gocc_cell_defer(gocc_defer **list, void *cell)
{
    gocc_cell_rec_ *r = (gocc_cell_rec_ *)gocc_defer_alloc(sizeof *r);
    r->h.next = *list;
    r->h.site = -1;
    r->h.heap = 1;
    r->cell = cell;
    *list = &r->h;
    return cell;
}
#define GOCC_CELL_DROP __attribute__((cleanup(gocc_cell_drop)))


#ifdef __cplusplus
}
#endif
#endif /* GOCC_H */
