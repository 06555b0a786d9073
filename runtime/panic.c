/*
 * panic.c - runtime panics: Go's message, the goroutine and the .gc site,
 * exit status 2. Deferred actions do not run (LANGUAGE.md).
 */
#include <stdio.h>

#include "sched_impl.h"

/* The .gc site of the library call in progress on this thread, set around
 * the call by the macros of gocc.h (sync_mutex_unlock, ...): the library
 * functions take no site, yet their panics must name the operation's line.
 * Read only on this thread, by the panic the call itself raises. */
__thread const gocc_site *gocc_panic_site;

void gocc_panic(const char *message, const gocc_site *site)
{
    /* The runtime's own placeholder sites have line 0: prefer the caller's. */
    if ((!site || site->line == 0) && gocc_panic_site)
        site = gocc_panic_site;
    char head[512];
    snprintf(head, sizeof head, "panic: %s", message);
    gocc_sched_die(head, site);
}
