/*
 * gtest.h - runtime unit tests. A test file tests/runtime/test_<module>.c
 * defines tests as
 *     GOCC_TEST(name) { ... CU_ASSERT(...); ... }
 * (at the start of a line: the makefile builds the registry from those lines).
 * Each test runs in its own process, as the main goroutine, with a timeout, at
 * GOMAXPROCS=1 and 2. A test that needs a process that must die (deadlock,
 * panic, overflow) defines GOCC_HELPER(name) { ... } and runs it with
 * gtest_run_helper, which starts this executable again on that helper (also as
 * the main goroutine) and returns its wait status and output.
 * Run one test: runner TESTNAME [TESTNAME...]; --procs 1 for one setting.
 */
#ifndef GTEST_H
#define GTEST_H

#include <stddef.h>
#include <CUnit/CUnit.h>
#include "sched.h"

enum { GTEST_K_TEST, GTEST_K_HELPER };
typedef struct gtest_entry {
    int kind;
    const char *name;
    void (*fn)(void);
} gtest_entry;
extern const gtest_entry gtest_registry[];

#define GTEST_DECL(kind, name) void gtest_##kind##_##name(void);
#define GTEST_ENTRY(kind, name) { GTEST_K_##kind, #name, gtest_##kind##_##name },
#define GOCC_TEST(name) void gtest_TEST_##name(void)
#define GOCC_HELPER(name) void gtest_HELPER_##name(void)

/* Runs helper `name` in a new process with GOMAXPROCS=procs (0: as this one), stdout and stderr both into
 * out (NUL-terminated, truncated to outsize); returns the wait status (-1 on failure to start). */
int gtest_run_helper(const char *name, int procs, char *out, size_t outsize, int timeout_s);
/* Exit status of a wait status, or -signal when killed, or -1000 when timed out. */
int gtest_exit_code(int status);
/* GOMAXPROCS this test runs at. */
int gtest_procs(void);

#endif
