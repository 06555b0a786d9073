// sieve: the concurrent prime sieve: a generator fiber feeds a chain of
// filter fibers, one per prime found; find the first N primes (default 5,000).
// The Boost.Fiber peer of sieve.gc and main.go. The channels are never freed:
// the filters run until the process ends, as they do in the Go program.
#include "../fiber.hpp"

typedef bench::fibers::unbuffered_channel<int> chan;

static void generate(chan *out)
{
    for (int i = 2;; i++)
        out->push(i);
}

static void filter(chan *in, chan *out, int prime)
{
    for (;;) {
        int v = in->value_pop();
        if (v % prime != 0)
            out->push(v);
    }
}

int main(int argc, char **argv)
{
    bench::start();
    int n = argc > 1 ? atoi(argv[1]) : 5000;
    chan *ch = new chan;
    bench::go(generate, ch);
    long long sum = 0;
    int last = 0;
    for (int i = 0; i < n; i++) {
        int prime = ch->value_pop();
        sum += prime;
        last = prime;
        chan *next = new chan;
        bench::go(filter, ch, next, prime);
        ch = next;
    }
    bench::finish("checksum %d %lld\n", last, sum);
}
