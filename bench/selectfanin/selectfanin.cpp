// selectfanin: 4 producers each send N values (default 1,000,000) on their own
// unbuffered channel and close it; one consumer takes the values from all four
// until all four are done.
// The Boost.Fiber peer of selectfanin.gc and main.go. Boost.Fiber has no
// select. Its documented way to wait for whichever of several sources is
// ready first (the "when_any" examples of its documentation) is one helper
// fiber per source that forwards into a single channel the waiter reads; that
// is what this program does: a forwarder per producer channel moves each
// value, then a "closed" marker, into one unbuffered channel. That is twice
// the channel operations of the Go program's select (each value crosses two
// channels), which is the price of fan-in without select in this library.
#include "../fiber.hpp"

typedef bench::fibers::unbuffered_channel<long long> chan;

struct item {
    long long v;
    bool ok;   // false: the producer's channel was closed
};

static void produce(chan *c, long long base, long long n)
{
    for (long long i = 0; i < n; i++)
        c->push(base + i);
    c->close();
}

static void forward(chan *in, bench::fibers::unbuffered_channel<item> *out)
{
    for (long long v : *in)
        out->push(item{v, true});
    out->push(item{0, false});
}

int main(int argc, char **argv)
{
    bench::start();
    long long n = argc > 1 ? atoll(argv[1]) : 1000000;
    static chan cs[4];
    static bench::fibers::unbuffered_channel<item> merged;
    for (int p = 0; p < 4; p++) {
        bench::go(produce, &cs[p], p * n, n);
        bench::go(forward, &cs[p], &merged);
    }
    long long sum = 0, count = 0;
    int open = 4;
    while (open > 0) {
        item it = merged.value_pop();
        if (it.ok) {
            sum += it.v;
            count++;
        } else {
            open--;
        }
    }
    bench::finish("checksum %lld %lld\n", count, sum);
}
