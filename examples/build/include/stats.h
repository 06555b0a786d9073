/* stats.h - plain C: summary statistics over an array (stats.c). */
#ifndef STATS_H
#define STATS_H

struct summary {
    long count;
    long sum;
    long min, max;
    long argmax; /* index of the first maximum */
};

struct summary summarize(const long *v, long n);

#endif
