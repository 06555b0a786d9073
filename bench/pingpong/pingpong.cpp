// pingpong: two fibers bounce a counter over two unbuffered channels,
// N round trips (default 2,000,000).
// The Boost.Fiber peer of pingpong.gc and main.go.
#include "../fiber.hpp"

typedef bench::fibers::unbuffered_channel<long long> chan;

int main(int argc, char **argv)
{
    bench::start();
    long long n = argc > 1 ? atoll(argv[1]) : 2000000;
    chan ping, pong;
    bench::go([&] {
        for (long long v : ping)   // until ping is closed
            pong.push(v + 1);
        pong.close();
    });
    long long sum = 0;
    for (long long i = 0; i < n; i++) {
        ping.push(i);
        sum += pong.value_pop();
    }
    ping.close();
    bench::finish("checksum %lld\n", sum);
}
