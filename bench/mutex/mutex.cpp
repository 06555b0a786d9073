// mutex: 4 fibers each increment a shared counter N times (default
// 1,000,000), taking a boost::fibers::mutex around every increment.
// The Boost.Fiber peer of mutex.gc and main.go.
#include "../fiber.hpp"

static bench::fibers::mutex mu;
static long long counter;

static void work(long long n, bench::wait_group *wg)
{
    for (long long i = 0; i < n; i++) {
        mu.lock();
        counter++;
        mu.unlock();
    }
    wg->done();
}

int main(int argc, char **argv)
{
    bench::start();
    long long n = argc > 1 ? atoll(argv[1]) : 1000000;
    bench::wait_group wg;
    for (int g = 0; g < 4; g++) {
        wg.add(1);
        bench::go(work, n, &wg);
    }
    wg.wait();
    bench::finish("checksum %lld\n", counter);
}
