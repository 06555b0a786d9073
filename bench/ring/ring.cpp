// ring: 503 fibers in a ring of unbuffered channels pass a token N times
// (default 10,000,000); each pass decrements it, and the fiber that receives
// 0 reports its number (the benchmarks game's thread-ring).
// The Boost.Fiber peer of ring.gc and main.go.
#include "../fiber.hpp"

enum { RING_SIZE = 503 };

typedef bench::fibers::unbuffered_channel<int> chan;

static void node(int id, chan *in, chan *out, chan *done)
{
    for (;;) {
        int t = in->value_pop();
        if (t == 0) {
            done->push(id);
            return;
        }
        out->push(t - 1);
    }
}

int main(int argc, char **argv)
{
    bench::start();
    int n = argc > 1 ? atoi(argv[1]) : 10000000;
    static chan chans[RING_SIZE];
    static chan done;
    for (int i = 0; i < RING_SIZE; i++)
        bench::go(node, i + 1, &chans[i], &chans[(i + 1) % RING_SIZE], &done);
    chans[0].push(n);
    bench::finish("checksum %d\n", done.value_pop());
}
