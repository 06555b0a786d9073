/*
 * defer.c - records of defer statements that cannot live in the function's
 * frame (a defer inside a loop): the generated code links them into its
 * per-function list (gocc_defer in gocc.h) and frees each after running it.
 * Plain malloc: a record lives from the defer statement to the function's
 * return, on one goroutine, so no pool of ours would beat malloc's per-thread
 * caches.
 */
#include <stdlib.h>

#include "include/gocc.h"

void *gocc_defer_alloc(gocc_size size)
{
    void *p = malloc(size);
    if (!p)
        gocc_panic("defer: out of memory", NULL);
    return p;
}

void gocc_defer_free(void *record) { free(record); }
