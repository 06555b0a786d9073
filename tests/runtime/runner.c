/*
 * runner.c - runs the runtime's CUnit tests, each in its own process.
 *   runner [--name SUITE] [--timeout S] [--procs N[,N]] [TEST...]
 * Each test runs at every GOMAXPROCS value (default 1,2) in a child process
 * (this executable with --child TEST) with a timeout, so a deadlock or crash
 * fails the test instead of the run. The last line is "SUITE: N passed, N failed".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "gtest.h"

static int timeout_s = 60;
static const char *self_exe = "/proc/self/exe";
static char self_path[4096];
static const gtest_entry *child_entry;
static int procs_list[8] = { 1, 2 }, nprocs_list = 2;

static const gtest_entry *lookup(const char *name, int kind)
{
    for (const gtest_entry *e = gtest_registry; e->name; e++)
        if (e->kind == kind && !strcmp(e->name, name))
            return e;
    return NULL;
}

int gtest_exit_code(int status)
{
    if (status == -1)
        return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return WTERMSIG(status) == SIGALRM ? -1000 : -WTERMSIG(status);
    return -1;
}

int gtest_procs(void)
{
    const char *e = getenv("GOMAXPROCS");
    return e ? atoi(e) : 0;
}

/* Runs this executable with args, GOMAXPROCS=procs, output to fd (or inherited when fd < 0). */
static pid_t spawn(const char *mode, const char *name, int procs, int fd, int timeout)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (procs > 0) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", procs);
        setenv("GOMAXPROCS", buf, 1);
    }
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    char t[16];
    snprintf(t, sizeof t, "%d", timeout);
    /* /proc/self/exe still names this very program if a rebuild has replaced the file meanwhile. */
    execl("/proc/self/exe", self_path, "--timeout", t, mode, name, (char *)NULL);
    _exit(127);
}

int gtest_run_helper(const char *name, int procs, char *out, size_t outsize, int timeout)
{
    char tmpl[] = "/tmp/gtest-helper-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return -1;
    unlink(tmpl);
    pid_t pid = spawn("--helper", name, procs, fd, timeout);
    int status = -1;
    /* Our own goroutine may be parked for the wait: that is a blocking call, which the scheduler tolerates. */
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (out && outsize) {
        ssize_t n = pread(fd, out, outsize - 1, 0);
        out[n > 0 ? n : 0] = 0;
    }
    close(fd);
    return status;
}

/* Parent side: the CUnit test function for every test; runs it in a child. */
static void run_child(void)
{
    CU_pTest t = CU_get_current_test();
    CU_pSuite s = CU_get_current_suite();
    int procs = atoi(strchr(s->pName, '=') + 1);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = spawn("--child", t->pName, procs, -1, timeout_s);
    int status = -1;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    int code = gtest_exit_code(status);
    if (code == -1000)
        fprintf(stderr, "\n    %s (GOMAXPROCS=%d): timed out after %d s\n", t->pName, procs, timeout_s);
    else if (code < 0)
        fprintf(stderr, "\n    %s (GOMAXPROCS=%d): killed by signal %d\n", t->pName, procs, -code);
    else if (code)
        fprintf(stderr, "\n    %s (GOMAXPROCS=%d): exit status %d\n", t->pName, procs, code);
    CU_ASSERT_EQUAL_FATAL(code, 0);
}

/* Child side, as the main goroutine. */
static int child_main(int argc, char **argv, char **envp)
{
    (void)argc; (void)argv; (void)envp;
    if (child_entry->kind == GTEST_K_HELPER) {
        child_entry->fn();
        fflush(stdout);
        return 0;
    }
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 3;
    CU_pSuite s = CU_add_suite("child", NULL, NULL);
    CU_add_test(s, child_entry->name, child_entry->fn);
    CU_run_all_tests();
    unsigned nf = CU_get_number_of_failures();
    if (nf) {
        for (CU_pFailureRecord f = CU_get_failure_list(); f; f = f->pNext)
            fprintf(stderr, "\n    %s:%u: %s", f->strFileName ? f->strFileName : "?", f->uiLineNumber,
                    f->strCondition ? f->strCondition : "?");
        fprintf(stderr, "\n");
    }
    fflush(stdout);
    fflush(stderr);
    return nf ? 1 : 0;
}

int main(int argc, char **argv, char **envp)
{
    const char *suite = "runtime";
    ssize_t n = readlink(self_exe, self_path, sizeof self_path - 1);
    if (n <= 0)
        snprintf(self_path, sizeof self_path, "%s", argv[0]);
    else
        self_path[n] = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--name") && i + 1 < argc) {
            suite = argv[++i];
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            timeout_s = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--procs") && i + 1 < argc) {
            nprocs_list = 0;
            for (char *p = strtok(argv[++i], ","); p && nprocs_list < 8; p = strtok(NULL, ","))
                procs_list[nprocs_list++] = atoi(p);
        } else if ((!strcmp(argv[i], "--child") || !strcmp(argv[i], "--helper")) && i + 1 < argc) {
            int kind = argv[i][2] == 'c' ? GTEST_K_TEST : GTEST_K_HELPER;
            child_entry = lookup(argv[i + 1], kind);
            if (!child_entry) {
                fprintf(stderr, "runner: no such %s: %s\n", kind ? "helper" : "test", argv[i + 1]);
                return 127;
            }
            alarm((unsigned)timeout_s);
            gocc_sched_start(child_main, argc, argv, envp);
        } else {
            fprintf(stderr, "usage: runner [--name SUITE] [--timeout S] [--procs N,N] [TEST...]\n");
            return 2;
        }
    }
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 3;
    int ntests = 0;
    for (int k = 0; k < nprocs_list; k++) {
        char sname[32];
        snprintf(sname, sizeof sname, "GOMAXPROCS=%d", procs_list[k]);
        CU_pSuite s = CU_add_suite(sname, NULL, NULL);
        for (const gtest_entry *e = gtest_registry; e->name; e++) {
            if (e->kind != GTEST_K_TEST)
                continue;
            int want = i == argc;
            for (int j = i; j < argc; j++)
                want |= !strcmp(argv[j], e->name);
            if (want) {
                CU_add_test(s, e->name, run_child);
                ntests++;
            }
        }
    }
    if (!ntests && i < argc) {
        fprintf(stderr, "runner: no such test\n");
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned run = CU_get_run_summary()->nTestsRun;
    printf("\n%s: %u passed, %u failed\n", suite, run - failed, failed);
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
