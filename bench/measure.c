/*
 * measure: runs a program and reports its wall time and peak RSS.
 *
 *   measure RESULT-FILE PROGRAM [ARG...]
 *
 * Writes "SECONDS MAXRSS_KIB STATUS CPU_SECONDS" to RESULT-FILE: wall time, peak
 * RSS, the exit status (or 128+N for death by signal N), and user plus system
 * CPU time of the program and the children it waited for. The program's stdin, stdout and
 * stderr are ours.
 *
 * Why not just let bench/run (Python) fork the program: on Linux a process's
 * ru_maxrss starts at the peak RSS of the memory it had before exec, and a child
 * forked from Python starts with a copy of Python's ~15 MiB. This launcher is
 * small, so the figure it reports is the program's own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: measure RESULT-FILE PROGRAM [ARG...]\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "measure: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("measure: wait4");
            return 2;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror("measure: result file");
        return 2;
    }
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    fprintf(f, "%.6f %ld %d %.6f\n", secs, ru.ru_maxrss, code, cpu);
    fclose(f);
    return 0;
}
