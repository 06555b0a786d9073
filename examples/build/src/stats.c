/* stats.c - plain C, compiled by the C compiler like any other .c file. */
#include "stats.h"

struct summary summarize(const long *v, long n)
{
    struct summary s = { 0, 0, 0, 0, -1 };
    for (long i = 0; i < n; i++) {
        if (s.count == 0 || v[i] < s.min)
            s.min = v[i];
        if (s.count == 0 || v[i] > s.max) {
            s.max = v[i];
            s.argmax = i;
        }
        s.sum += v[i];
        s.count++;
    }
    return s;
}
