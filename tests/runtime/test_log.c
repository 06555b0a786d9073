/* test_log.c - log's prefix and line discipline, %v formatting. */
#include <regex.h>
#include "test_chan_util.h"

/* Captures what fn writes to fd (1 or 2) through a pipe. */
static char *capture(int fd, void (*fn)(void *), void *arg)
{
    static char out[1 << 16];
    int p[2];
    fflush(NULL);
    if (pipe(p))
        return "";
    int saved = dup(fd);
    dup2(p[1], fd);
    close(p[1]);
    fn(arg);
    fflush(NULL);
    dup2(saved, fd);
    close(saved);
    ssize_t n = read(p[0], out, sizeof out - 1);
    close(p[0]);
    out[n > 0 ? n : 0] = 0;
    return out;
}

static int matches(const char *s, const char *re)
{
    regex_t r;
    if (regcomp(&r, re, REG_EXTENDED | REG_NEWLINE))
        return 0;
    int ok = regexec(&r, s, 0, NULL, 0) == 0;
    regfree(&r);
    if (!ok)
        fprintf(stderr, "no match for /%s/ in:\n%s\n", re, s);
    return ok;
}

static void do_printf(void *x) { log_printf("hello %d", 42); log_printf("with newline\n"); }

GOCC_TEST(log_printf_format)
{
    char *s = capture(2, do_printf, NULL);
    CU_ASSERT(matches(s, "^[0-9]{4}/[01][0-9]/[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] hello 42\n"
                         "[0-9]{4}/[01][0-9]/[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] with newline\n$"));
}

static void do_println(void *x)
{
    log_println("x", 1, -2, 3.5, (_Bool)1);
}

GOCC_TEST(log_println_format)
{
    char *s = capture(2, do_println, NULL);
    CU_ASSERT(matches(s, "^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} x 1 -2 3.5 true\n$"));
}

static void do_fmt(void *x)
{
    fmt_println(3.14, 1e6, 100000.0, 1234567.0, 0.0001, 0.00001, 1e21, -0.5);
    fmt_println(0.1, 1.0 / 3, 2.0, 1e20, 123456789.0, 1e-7, 5e-324, 1.7976931348623157e308);
    fmt_println((unsigned)4000000000u, (long long)-9000000000LL, (_Bool)0, (char)'A', "str", (char *)NULL);
    fmt_println((void *)0, (void *)0x1234);
    fmt_println(1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0, -0.0);
    fmt_println(1.1f, 0.1f, 16777216.0f, 3.4028235e38f, 1e-45f);
}

GOCC_TEST(fmt_println_go_forms)
{
    char *s = capture(1, do_fmt, NULL);
    CU_ASSERT_STRING_EQUAL(s,
        "3.14 1e+06 100000 1.234567e+06 0.0001 1e-05 1e+21 -0.5\n"
        "0.1 0.3333333333333333 2 1e+20 1.23456789e+08 1e-07 5e-324 1.7976931348623157e+308\n"
        "4000000000 -9000000000 false A str <nil>\n"
        "<nil> 0x1234\n"
        "+Inf -Inf NaN -0\n"
        "1.1 0.1 1.6777216e+07 3.4028235e+38 1e-45\n");
}

typedef struct { sync_waitgroup *wg; int id; } lg_arg;

static void log_spammer(lg_arg *a)
{
    char big[300];
    memset(big, 'a' + a->id, sizeof big - 1);
    big[sizeof big - 1] = 0;
    for (int i = 0; i < 200; i++)
        log_printf("%d %s", a->id, big);
    sync_waitgroup_done(a->wg);
}

static void do_concurrent(void *x)
{
    static sync_waitgroup wg;
    sync_waitgroup_add(&wg, 4);
    for (int i = 0; i < 4; i++) {
        lg_arg a = {&wg, i};
        GO(log_spammer, a);
    }
    sync_waitgroup_wait(&wg);
}

/* Lines of concurrent goroutines never mix: every line is whole. Runs in a
 * child with stderr to a file, since 800 lines overflow a pipe. */
GOCC_TEST(log_lines_never_mix)
{
    char path[] = "/tmp/gocc_log_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    int saved = dup(2);
    dup2(fd, 2);
    do_concurrent(NULL);
    dup2(saved, 2);
    close(saved);
    FILE *f = fdopen(fd, "r");
    rewind(f);
    char line[1024];
    int n = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        int id = line[20] - '0';
        if (strlen(line) != 20 + 2 + 299 + 1 || id < 0 || id > 3)
            bad++;
        else
            for (int i = 22; i < 22 + 299; i++)
                if (line[i] != 'a' + id) {
                    bad++;
                    break;
                }
    }
    fclose(f);
    unlink(path);
    CU_ASSERT_EQUAL(n, 800);
    CU_ASSERT_EQUAL(bad, 0);
}

static void do_fatal(void *x) { log_fatalf("bye %s", "now"); }

GOCC_TEST(log_fatalf_exits_1)
{
    CU_ASSERT(expect_death(do_fatal, NULL, 1, " bye now\n", NULL));
}
