// fiber.hpp: what every Boost.Fiber peer (bench/NAME/NAME.cpp) shares.
//
// The peers are the C++ programs bench/run measures beside gocc and Go: the
// same work, the same sizes and the same "checksum ..." line, written the way
// a Boost.Fiber user would write them. This header holds only the set-up that
// a Go program gets from its runtime and that Boost.Fiber leaves to the user:
//
//  - threads: GOMAXPROCS (as gocc and Go read it; unset means one per CPU)
//    picks the scheduler. 1: round_robin on the main thread alone. N >= 2:
//    work_stealing on the main thread plus N-1 worker threads, with idle
//    threads suspended on a condition variable (work_stealing's `suspend`
//    argument) rather than spinning, which is what gocc and Go do with an idle
//    processor. BENCH_FIBER_SPIN=1 turns the suspension off (Boost's default),
//    for comparison only; bench/run never sets it.
//    What that gives in Boost 1.74, measured with a test that counted steals
//    (8 busy fibers on the main thread, a second thread stealing, spinning):
//    7 successful steals in about 20,000 attempts. A steal takes the front of
//    the victim's ready queue only if it is not pinned, and the front is
//    nearly always the victim's own dispatcher fiber (pinned; it re-queues
//    itself before each hand-over). With suspend on, an idle thread that
//    failed to steal sleeps until a fiber it owns is readied from elsewhere
//    (boostorg/fiber issue 327), so the second thread mostly sleeps. The
//    peer is therefore close to single-threaded at GOMAXPROCS=2; the runner's
//    CPU/wall column shows how close.
//  - stacks: every fiber gets a 64 KiB fixedsize_stack (malloc'd). Boost's
//    default is 128 KiB, which glibc serves with one mmap per stack once the
//    size reaches its mmap threshold; a million of them run into the kernel's
//    65,530-mapping limit (parked, skynet). 64 KiB comes from the heap and
//    only touched pages count toward RSS, as with gocc's and Go's stacks.
//  - wait_group: Boost.Fiber has none; this one is Go's sync.WaitGroup in
//    the usual C++ shape (an atomic count; the waiter sleeps on a fiber
//    condition variable that the last done() signals).
//  - finish(): prints the checksum line and leaves with _exit, without
//    unwinding: like a Go program's return from main, it does not wait for
//    goroutines still blocked (sieve's filters, the worker threads' dispatch
//    loops), which Boost.Fiber's scheduler destructors would otherwise wait
//    for or assert on.
#ifndef BENCH_FIBER_HPP
#define BENCH_FIBER_HPP

#include <boost/fiber/all.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <utility>

namespace bench {

namespace fibers = boost::fibers;

static const std::size_t FIBER_STACK = 64 * 1024;

// Number of scheduler threads: GOMAXPROCS if set and positive, else the CPUs.
static inline unsigned nthreads()
{
    const char *e = std::getenv("GOMAXPROCS");
    if (e && std::atoi(e) > 0)
        return (unsigned)std::atoi(e);
    unsigned n = std::thread::hardware_concurrency();
    return n ? n : 1;
}

// Starts the schedulers; call first thing in main. The worker threads of
// work_stealing register before this returns: a scheduler that steals picks a
// random peer, and every peer must exist by then.
static inline void start()
{
    unsigned n = nthreads();
    if (n == 1) {
        fibers::use_scheduling_algorithm<fibers::algo::round_robin>();
        return;
    }
    const char *spin = std::getenv("BENCH_FIBER_SPIN");
    bool suspend = !(spin && std::atoi(spin) == 1);
    static std::mutex mu;
    static std::condition_variable cv;
    static unsigned ready = 0;
    for (unsigned i = 1; i < n; i++) {
        std::thread([n, suspend] {
            fibers::use_scheduling_algorithm<fibers::algo::work_stealing>(n, suspend);
            {
                std::lock_guard<std::mutex> lk(mu);
                ready++;
            }
            cv.notify_all();
            // This thread's main fiber parks for good; its dispatcher runs
            // the fibers it steals until the process exits.
            fibers::mutex fm;
            fibers::condition_variable fcv;
            std::unique_lock<fibers::mutex> lk(fm);
            fcv.wait(lk, [] { return false; });
        }).detach();
    }
    fibers::use_scheduling_algorithm<fibers::algo::work_stealing>(n, suspend);
    std::unique_lock<std::mutex> lk(mu);
    cv.wait(lk, [n] { return ready == n - 1; });
}

// go f(args...): a detached fiber on the 64 KiB stack.
template <typename Fn, typename... Args>
static inline void go(Fn &&fn, Args &&...args)
{
    fibers::fiber(std::allocator_arg, fibers::fixedsize_stack(FIBER_STACK),
                  std::forward<Fn>(fn), std::forward<Args>(args)...)
        .detach();
}

// Go's sync.WaitGroup.
class wait_group {
    std::atomic<long long> count_{0};
    fibers::mutex mu_;
    fibers::condition_variable cv_;

public:
    void add(long long n) { count_.fetch_add(n, std::memory_order_relaxed); }
    void done()
    {
        if (count_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            // the waiter checks the count under mu_: taking it here means the
            // waiter is either not yet waiting (and sees 0) or gets the notify
            std::lock_guard<fibers::mutex> lk(mu_);
            cv_.notify_all();
        }
    }
    void wait()
    {
        std::unique_lock<fibers::mutex> lk(mu_);
        cv_.wait(lk, [this] { return count_.load(std::memory_order_acquire) == 0; });
    }
};

// Prints the checksum line (printf format) and ends the process at once.
__attribute__((format(printf, 1, 2))) static inline void finish(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    std::vprintf(fmt, ap);
    va_end(ap);
    std::fflush(stdout);
    _exit(0);
}

} // namespace bench

#endif
