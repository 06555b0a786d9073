#define GOCC_GENERATED 1
#include <gocc.h>
#line 1 "examples/build/include/pipeline.h"
/* pipeline.h - the stages of the example pipeline and the channels between them.
 * A gc header: it uses channel types, so only .gc files include it (gocc
 * translates it along with each of them). */
#ifndef PIPELINE_H
#define PIPELINE_H

/* One number to examine. */
struct job {
    int id;     /* 1..n, the position in the input */
    long value; /* the number */
};

/* What a worker found out about one job. */
struct result {
    int id;
    long steps; /* Collatz steps from value down to 1 */
    long peak;  /* highest value on the way */
};

/* A worker: reads jobs from `in` until it is closed, writes one result per job
 * to `out`, then calls sync_waitgroup_done(done). */
struct worker {
    int id;
    GOCC_CHAN_RECV( struct job) in;
    GOCC_CHAN_SEND( struct result) out;
    sync_waitgroup *done;
};

/* Sends jobs 1..n on out, then closes it (main.gc). */
void produce(GOCC_CHAN_SEND( struct job) out, int n);

/* Starts nworkers workers on jobs and returns the channel of their results,
 * which is closed once every worker has finished (worker.gc). */
GOCC_CHAN(struct result) start_workers(GOCC_CHAN_RECV( struct job) jobs, int nworkers);

#endif
