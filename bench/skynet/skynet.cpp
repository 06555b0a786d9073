// skynet: a tree of fibers, 10 children per node, N leaves (default
// 1,000,000). Each leaf sends its number up an unbuffered channel; each inner
// node sums its children's answers and sends the sum to its parent.
// The Boost.Fiber peer of skynet.gc and main.go. A node's channel is held by
// a shared_ptr that its children share: a child can still be inside push()
// (releasing the channel's lock) when the parent has taken the last value and
// returned, and Go's garbage collector covers the same case.
#include "../fiber.hpp"

#include <memory>

typedef bench::fibers::unbuffered_channel<long long> chan;

static void skynet(std::shared_ptr<chan> out, long long num, long long size, long long div)
{
    if (size == 1) {
        out->push(num);
        return;
    }
    auto rc = std::make_shared<chan>();
    long long step = size / div;
    for (long long i = 0; i < div; i++)
        bench::go(skynet, rc, num + i * step, step, div);
    long long sum = 0;
    for (long long i = 0; i < div; i++)
        sum += rc->value_pop();
    out->push(sum);
}

int main(int argc, char **argv)
{
    bench::start();
    long long leaves = argc > 1 ? atoll(argv[1]) : 1000000;
    auto c = std::make_shared<chan>();
    bench::go(skynet, c, 0LL, leaves, 10LL);
    bench::finish("checksum %lld\n", c->value_pop());
}
