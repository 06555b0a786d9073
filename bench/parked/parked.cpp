// parked: start N fibers (default 1,000,000) that all block receiving on one
// channel; once every one is parked, close the channel and wait for them to
// finish. The runner divides the peak RSS by N.
// The Boost.Fiber peer of parked.gc and main.go. A receive from a closed
// Boost channel returns channel_op_status::closed and leaves the value alone;
// v stays 0, Go's zero value.
#include "../fiber.hpp"

int main(int argc, char **argv)
{
    bench::start();
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    bench::fibers::unbuffered_channel<int> release;
    bench::wait_group started, finished;
    std::atomic<long long> sum{0};
    started.add(n);
    finished.add(n);
    for (int i = 0; i < n; i++) {
        bench::go([&, i] {
            started.done();
            int v = 0;
            release.pop(v);   // parked here until main closes release
            sum.fetch_add((long long)(i + v));
            finished.done();
        });
    }
    started.wait();
    release.close();
    finished.wait();
    bench::finish("checksum %d %lld\n", n, sum.load());
}
