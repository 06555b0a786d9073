/*
 * gqueue.c - the global run queue's blocks (gqueue.h): allocated when a put
 * finds the tail block full, freed when a pop empties a head block, past a few
 * spares (race builds keep them all: see gqueue.h). The owner's lock is held.
 */
#include <stdlib.h>
#include <unistd.h>

#include "gqueue.h"

#ifndef GOCC_RACE
#define GOCC_RACE 0
#endif

void gocc_gqueue_grow(gocc_gqueue *q)
{
    gocc_gqblock *b = q->spare;
    if (b) {
        q->spare = b->next;
        q->nspare--;
    } else if (!(b = malloc(sizeof *b))) {
        static const char msg[] = "fatal error: out of memory growing the global run queue\n";
        if (write(2, msg, sizeof msg - 1)) {}
        _exit(2);
    }
    b->next = NULL;
    if (q->tail)
        q->tail->next = b;
    else
        q->head = b;
    q->tail = b;
    q->ti = 0;
}

void gocc_gqueue_advance(gocc_gqueue *q)
{
    gocc_gqblock *b = q->head;
    q->head = b->next;
    q->hi = 0;
    if (GOCC_RACE || q->nspare < GOCC_GQ_SPARE) {
        b->next = q->spare;
        q->spare = b;
        q->nspare++;
    } else {
        free(b);
    }
}
