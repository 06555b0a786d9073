// oversleep: how late a 1 ms sleep_for wakes up while other fibers keep the
// thread busy. For each load L in 2, 8 and 64, L fibers ping-pong on channels
// (L/2 pairs, each bouncing a counter over two unbuffered channels) while main
// sleeps 1 ms N times (default 10); each sleep's oversleep is its measured
// duration minus 1 ms. Prints one line per load, "oversleep L MEDIAN_US
// MAX_US", then a checksum line that depends only on the work.
// The Boost.Fiber peer of oversleep.gc and main.go.
#include "../fiber.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

typedef bench::fibers::unbuffered_channel<long long> chan;

static std::atomic<bool> stop{false};   // set by main when a load's sleeps are done

static void pinger(std::shared_ptr<chan> ping, std::shared_ptr<chan> pong, bench::wait_group *wg)
{
    long long v = 0;
    while (!stop.load(std::memory_order_relaxed)) {
        ping->push(v);
        v = pong->value_pop();
    }
    ping->close();
    wg->done();
}

static void ponger(std::shared_ptr<chan> ping, std::shared_ptr<chan> pong, bench::wait_group *wg)
{
    for (long long v : *ping)
        pong->push(v + 1);
    wg->done();
}

int main(int argc, char **argv)
{
    bench::start();
    int n = argc > 1 ? atoi(argv[1]) : 10;
    if (n < 1)
        n = 1;
    static const int loads[] = {2, 8, 64};
    std::vector<long long> late(n);
    int total_sleeps = 0;
    // one wait group for every load, reused once it is back to zero: a
    // fiber's done() may still be unlocking it when wait() returns, so it
    // must outlive the loop body
    static bench::wait_group wg;
    for (int load : loads) {
        stop.store(false);
        for (int p = 0; p < load / 2; p++) {
            auto ping = std::make_shared<chan>(), pong = std::make_shared<chan>();
            wg.add(2);
            bench::go(ponger, ping, pong, &wg);
            bench::go(pinger, ping, pong, &wg);
        }
        boost::this_fiber::sleep_for(std::chrono::milliseconds(1)); // let the ping-pong get going
        for (int i = 0; i < n; i++) {
            auto t0 = std::chrono::steady_clock::now();
            boost::this_fiber::sleep_for(std::chrono::milliseconds(1));
            late[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now() - t0 - std::chrono::milliseconds(1))
                          .count();
            total_sleeps++;
        }
        stop.store(true);
        wg.wait();
        std::sort(late.begin(), late.end());
        std::printf("oversleep %d %lld %lld\n", load, late[n / 2] / 1000, late[n - 1] / 1000);
    }
    bench::finish("checksum %d %d\n", 3, total_sleeps);
}
