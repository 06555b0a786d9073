// buffered: one producer sends N integers (default 10,000,000) through a
// channel with a buffer of 128; the consumer sums them.
// The Boost.Fiber peer of buffered.gc and main.go. Boost's buffered_channel
// keeps one slot of its ring empty, so buffered_channel(128) holds 127 values
// at most; 128 is the capacity Boost accepts closest to Go's (it must be a
// power of two, and 256 would hold 255).
#include "../fiber.hpp"

int main(int argc, char **argv)
{
    bench::start();
    long long n = argc > 1 ? atoll(argv[1]) : 10000000;
    bench::fibers::buffered_channel<long long> c(128);
    bench::go([&] {
        for (long long i = 0; i < n; i++)
            c.push(i);
        c.close();
    });
    long long sum = 0;
    for (long long v : c)
        sum += v;
    bench::finish("checksum %lld\n", sum);
}
