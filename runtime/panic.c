/*
 * panic.c - runtime panics: Go's message, the goroutine and the .gc site,
 * exit status 2. Deferred actions do not run (LANGUAGE.md).
 */
#include <stdio.h>

#include "sched_impl.h"

void gocc_panic(const char *message, const gocc_site *site)
{
    char head[512];
    snprintf(head, sizeof head, "panic: %s", message);
    gocc_sched_die(head, site);
}
