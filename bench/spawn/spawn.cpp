// spawn: start N fibers (default 1,000,000); each one adds its index to a
// shared atomic total and calls done on a wait group; main waits for them all.
// The Boost.Fiber peer of spawn.gc and main.go (bench::wait_group is in
// ../fiber.hpp: Boost.Fiber has no wait group).
#include "../fiber.hpp"

static std::atomic<long long> total{0};

static void worker(long long i, bench::wait_group *wg)
{
    total.fetch_add(i);
    wg->done();
}

int main(int argc, char **argv)
{
    bench::start();
    long long n = argc > 1 ? atoll(argv[1]) : 1000000;
    bench::wait_group wg;
    for (long long i = 0; i < n; i++) {
        wg.add(1);
        bench::go(worker, i, &wg);
    }
    wg.wait();
    bench::finish("checksum %lld\n", total.load());
}
