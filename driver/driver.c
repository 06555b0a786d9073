/* driver.c - gocc, the compiler driver: cc for .gc files.
 *
 *   gocc [options] FILE... [-o OUT]
 *
 * Each input goes through a table of stages: a .gc file is translated (the
 * code generator, in process) and compiled by $CC; .c/.s/.S files are
 * compiled; .o/.a files and -l libraries go straight to the link, which adds
 * the gocc runtime (libgocc.a, which holds Boost.Context's objects too). Each
 * cc option is routed to the stages that need it (the table `opts`).
 * Intermediate files live in one mkdtemp directory that is removed on every
 * exit path, including errors and signals. -v prints every command.
 *
 * The runtime's header and libraries are found relative to this executable:
 * BIN/../include/gocc.h and BIN/../lib/libgocc.a, which holds both in the
 * build tree (build/bin/gocc) and when installed under PREFIX. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../codegen/buf.h"
#include "../codegen/codegen.h"
#include "ccdiag.h"

#ifndef GOCC_VERSION
#define GOCC_VERSION "0.1.0"
#endif

/* ------------------------------------------------------------------------ */
/* argument vectors                                                          */

typedef struct strv {
    char **v;
    int n, cap;
} strv;

static void sv_push(strv *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = xrealloc(a->v, (size_t)a->cap * sizeof *a->v);
    }
    a->v[a->n++] = xstrdup(s);
    a->v[a->n] = NULL;
}

static void sv_cat(strv *a, const strv *b)
{
    for (int i = 0; i < b->n; i++) sv_push(a, b->v[i]);
}

static void sv_free(strv *a)
{
    for (int i = 0; i < a->n; i++) free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}

static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s;
    if (vasprintf(&s, f, ap) < 0) s = NULL;
    va_end(ap);
    if (!s) { fputs("gocc: out of memory\n", stderr); exit(1); }
    return s;
}

/* ------------------------------------------------------------------------ */
/* temporary directory: removed on every exit path                           */

static char tmpdir[PATH_MAX];
static volatile sig_atomic_t have_tmpdir;
static volatile pid_t child_pid; /* the command being run, for signals */

/* Removes directory `dir` (an open descriptor's entries, recursively) with
 * system calls only: it runs from signal handlers too, where nftw (which
 * allocates) could deadlock on a heap lock held by the interrupted code.
 * The temporary directory is two levels deep (N/x.c), so the recursion and
 * its 4 KiB buffers per level stay small. */
static void rm_tree_at(int parent, const char *name, int depth)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    char buf[4096];
    for (int removed = 1; removed;) {
        removed = 0;
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct dirent64_raw {
                unsigned long long ino;
                long long off;
                unsigned short reclen;
                unsigned char type;
                char name[];
            } *d = (void *)(buf + off);
            off += d->reclen;
            if (d->name[0] == '.' && (!d->name[1] || (d->name[1] == '.' && !d->name[2]))) continue;
            if (unlinkat(fd, d->name, 0) == 0) {
                removed = 1;
            } else if (errno == EISDIR && depth < 8) {
                rm_tree_at(fd, d->name, depth + 1);
                removed |= unlinkat(fd, d->name, AT_REMOVEDIR) == 0;
            }
        }
        /* entries were removed: read the directory again from the start
         * (until a pass removes nothing) */
        lseek(fd, 0, SEEK_SET);
    }
    close(fd);
}

static void cleanup(void)
{
    if (have_tmpdir) {
        have_tmpdir = 0;
        rm_tree_at(AT_FDCWD, tmpdir, 0);
        rmdir(tmpdir);
    }
}

/* SIGINT/SIGTERM/... and crashes of gocc itself: stop the running command
 * (a terminal's ^C reaches it anyway; a kill of gocc alone would not), wait
 * for it so it writes nothing more into the directory, remove the directory,
 * then die of the same signal. Runs on its own stack (sigaltstack), so a
 * stack overflow in the translator (deeply nested input) cleans up too. */
static void on_signal(int sig)
{
    pid_t c = child_pid;
    if (c > 0 && sig != SIGSEGV && sig != SIGBUS && sig != SIGABRT) {
        kill(c, sig == SIGQUIT ? SIGQUIT : SIGTERM);
        int st;
        while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
    }
    cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigfillset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* a signal ignored by whoever started gocc (nohup, make's
         * children) stays ignored, as for cc */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN && sigs[i] != SIGSEGV) continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

static const char *get_tmpdir(void)
{
    if (have_tmpdir) return tmpdir;
    const char *base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/gocc-XXXXXX", base);
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "gocc: error: cannot create a temporary directory in %s: %s\n", base, strerror(errno));
        exit(1);
    }
    have_tmpdir = 1;
    return tmpdir;
}

/* ------------------------------------------------------------------------ */
/* options                                                                   */

enum { ST_TRANSLATE = 1, ST_COMPILE = 2, ST_LINK = 4 };
enum { ARG_NONE, ARG_JOINED_OR_NEXT, ARG_JOINED, ARG_NEXT };

/* How each cc option is routed. First match wins (longer prefixes first). */
static const struct opt {
    const char *name;
    int arg;
    int stages;
} opts[] = {
    {"-Wl,", ARG_JOINED, ST_LINK},
    {"-Wa,", ARG_JOINED, ST_COMPILE},
    {"-Wp,", ARG_JOINED, ST_COMPILE},
    {"-W", ARG_JOINED, ST_COMPILE},
    {"-w", ARG_NONE, ST_COMPILE},
    {"-I", ARG_JOINED_OR_NEXT, ST_TRANSLATE | ST_COMPILE},
    {"-iquote", ARG_JOINED_OR_NEXT, ST_TRANSLATE | ST_COMPILE},
    {"-isystem", ARG_JOINED_OR_NEXT, ST_COMPILE},
    {"-idirafter", ARG_JOINED_OR_NEXT, ST_COMPILE},
    {"-include", ARG_JOINED_OR_NEXT, ST_COMPILE},
    {"-D", ARG_JOINED_OR_NEXT, ST_COMPILE},
    {"-U", ARG_JOINED_OR_NEXT, ST_COMPILE},
    {"-O", ARG_JOINED, ST_COMPILE | ST_LINK},
    {"-g", ARG_JOINED, ST_COMPILE | ST_LINK},
    {"-std=", ARG_JOINED, ST_COMPILE},
    {"-ansi", ARG_NONE, ST_COMPILE},
    {"-pedantic", ARG_JOINED, ST_COMPILE},
    {"-f", ARG_JOINED, ST_COMPILE | ST_LINK},
    {"-m", ARG_JOINED, ST_COMPILE | ST_LINK},
    {"-pthread", ARG_NONE, ST_COMPILE | ST_LINK},
    {"-MF", ARG_JOINED_OR_NEXT, ST_COMPILE},
    {"-MT", ARG_JOINED_OR_NEXT, ST_COMPILE},
    {"-MQ", ARG_JOINED_OR_NEXT, ST_COMPILE},
    {"-MD", ARG_NONE, ST_COMPILE},
    {"-MMD", ARG_NONE, ST_COMPILE},
    {"-MP", ARG_NONE, ST_COMPILE},
    {"-MM", ARG_NONE, ST_COMPILE},
    {"-M", ARG_NONE, ST_COMPILE},
    {"-L", ARG_JOINED_OR_NEXT, ST_LINK},
    {"-l", ARG_JOINED_OR_NEXT, ST_LINK},
    {"-static", ARG_NONE, ST_LINK},
    {"-shared", ARG_NONE, ST_LINK},
    {"-rdynamic", ARG_NONE, ST_LINK},
    {"-s", ARG_NONE, ST_LINK},
    {"-nostdlib", ARG_NONE, ST_LINK},
    {"-nostartfiles", ARG_NONE, ST_LINK},
    {"-no-pie", ARG_NONE, ST_LINK},
    {"-pie", ARG_NONE, ST_LINK},
    {"-u", ARG_JOINED_OR_NEXT, ST_LINK},
    {"-T", ARG_JOINED_OR_NEXT, ST_LINK},
};

enum lang { L_NONE, L_GC, L_C, L_ASM, L_OBJ };

typedef struct input {
    char *path;
    enum lang lang;
    int is_lib; /* a -l/-L option kept in command-line order for the link */
} input;

static struct {
    strv cflags;      /* to every compile */
    strv lflags;      /* to the link */
    strv quote_dirs;  /* for finding quoted headers during translation */
    strv cppflags;    /* the options that decide which macros are defined */
    input *in;
    int nin;
    const char *out;
    char stop;        /* 0 (link), 'c', 'S', 'E', or 't' (--translate) */
    int verbose, race, has_std, deps_md, deps_m;
    const char *mf, *mt;
    const char *cc;
    char libdir[PATH_MAX], incdir[PATH_MAX];
} g;

static void usage(FILE *f)
{
    fputs("usage: gocc [options] FILE... [-o OUT]\n"
          "Translates .gc files (C plus go, chan, <-, select, defer) to C and builds them\n"
          "with $CC (default cc), linking the gocc runtime. .c, .s, .o and .a files pass through.\n"
          "\n"
          "  -o FILE        write the output to FILE (default a.out; FILE.o with -c)\n"
          "  -c, -S, -E     stop after compiling, after generating assembly, after preprocessing\n"
          "  --translate    translate one .gc file to C only: to -o FILE or stdout; translated\n"
          "                 quoted headers are written next to FILE (or in the current directory)\n"
          "  -x gc|c|none   treat the following files as gc, as C, or by their extension\n"
          "  -race          build with ThreadSanitizer and the race-detecting runtime\n"
          "  -v             print every command that is run\n"
          "  -I -iquote -D -U -O -g -W -f -m -std= -pthread    as cc (compile)\n"
          "  -L -l -Wl, -static -shared                           as cc (link)\n"
          "  -M -MM -MD -MMD -MF -MT -MQ -MP                     dependency files, naming .gc sources\n"
          "  --version, --help\n"
          "Environment: CC (the C compiler), GOMAXPROCS (at run time).\n",
          f);
}

static enum lang lang_of(const char *p, enum lang forced)
{
    if (forced != L_NONE) return forced;
    const char *dot = strrchr(p, '.');
    if (!dot) return L_OBJ;
    if (strcmp(dot, ".gc") == 0) return L_GC;
    if (strcmp(dot, ".c") == 0 || strcmp(dot, ".i") == 0) return L_C;
    if (strcmp(dot, ".s") == 0 || strcmp(dot, ".S") == 0) return L_ASM;
    return L_OBJ;
}

static void add_input(const char *p, enum lang l, int is_lib)
{
    g.in = xrealloc(g.in, (size_t)(g.nin + 1) * sizeof *g.in);
    g.in[g.nin].path = xstrdup(p);
    g.in[g.nin].lang = l;
    g.in[g.nin].is_lib = is_lib;
    g.nin++;
}

static void die(const char *f, ...)
{
    va_list ap;
    fputs("gocc: error: ", stderr);
    va_start(ap, f);
    vfprintf(stderr, f, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void parse_args(int argc, char **argv)
{
    enum lang forced = L_NONE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == 0) {
            add_input(a, lang_of(a, forced), 0);
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-help")) { usage(stdout); exit(0); }
        if (!strcmp(a, "--version")) {
            printf("gocc %s (gc: C with goroutines and channels)\n", GOCC_VERSION);
            exit(0);
        }
        if (!strcmp(a, "-o")) {
            if (++i >= argc) die("missing file name after '-o'");
            g.out = argv[i];
            continue;
        }
        if (!strncmp(a, "-o", 2)) { g.out = a + 2; continue; }
        if (!strcmp(a, "-c")) { g.stop = 'c'; continue; }
        if (!strcmp(a, "-S")) { g.stop = 'S'; continue; }
        if (!strcmp(a, "-E")) { g.stop = 'E'; continue; }
        if (!strcmp(a, "--translate")) { g.stop = 't'; continue; }
        if (!strcmp(a, "-v")) { g.verbose = 1; continue; }
        if (!strcmp(a, "-race")) { g.race = 1; continue; }
        if (!strncmp(a, "-x", 2)) {
            const char *l = a[2] ? a + 2 : (++i < argc ? argv[i] : NULL);
            if (!l) die("missing language after '-x'");
            if (!strcmp(l, "gc")) forced = L_GC;
            else if (!strcmp(l, "c")) forced = L_C;
            else if (!strcmp(l, "assembler") || !strcmp(l, "assembler-with-cpp")) forced = L_ASM;
            else if (!strcmp(l, "none")) forced = L_NONE;
            else die("language '%s' not recognized (gc, c, assembler, none)", l);
            continue;
        }
        const struct opt *o = NULL;
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
            size_t n = strlen(opts[k].name);
            if (strncmp(a, opts[k].name, n) != 0) continue;
            if (opts[k].arg == ARG_NONE && a[n] != 0) continue;
            if (opts[k].arg == ARG_NEXT && a[n] != 0) continue;
            o = &opts[k];
            break;
        }
        strv words = {0};
        sv_push(&words, a);
        const char *val = NULL;
        if (o && o->arg == ARG_JOINED_OR_NEXT) {
            size_t n = strlen(o->name);
            if (a[n]) {
                val = a + n;
            } else {
                if (++i >= argc) die("missing argument to '%s'", a);
                val = argv[i];
                sv_push(&words, argv[i]);
            }
        }
        if (!o) {
            /* unknown to us: cc will judge it, at compile and at link */
            sv_cat(&g.cflags, &words);
            sv_cat(&g.lflags, &words);
            sv_free(&words);
            continue;
        }
        if (!strcmp(o->name, "-std=")) g.has_std = 1;
        if (!strcmp(o->name, "-MD") || !strcmp(o->name, "-MMD")) g.deps_md = 1;
        if (!strcmp(o->name, "-M") || !strcmp(o->name, "-MM")) g.deps_m = 1;
        if (!strcmp(o->name, "-MF")) { g.mf = val; sv_free(&words); continue; }
        if (!strcmp(o->name, "-MT") || !strcmp(o->name, "-MQ")) {
            if (!g.mt) g.mt = val;
            sv_free(&words);
            continue;
        }
        if (o->stages & ST_TRANSLATE) sv_push(&g.quote_dirs, val);
        static const char *const cpp_opts[] = {"-I", "-iquote", "-isystem", "-idirafter", "-include", "-D", "-U",
                                                "-O", "-std=", "-ansi", "-f", "-m", "-pthread"};
        for (size_t k = 0; k < sizeof cpp_opts / sizeof cpp_opts[0]; k++)
            if (!strcmp(o->name, cpp_opts[k])) sv_cat(&g.cppflags, &words);
        if (!strcmp(o->name, "-l") || !strcmp(o->name, "-L")) {
            /* libraries keep their place among the files */
            char *w = fmt("%s%s", o->name, val);
            add_input(w, L_OBJ, 1);
            free(w);
        } else {
            if (o->stages & ST_COMPILE) sv_cat(&g.cflags, &words);
            if (o->stages & ST_LINK) sv_cat(&g.lflags, &words);
        }
        sv_free(&words);
    }
}

/* ------------------------------------------------------------------------ */
/* running commands                                                          */

static void print_cmd(char **argv)
{
    for (char **p = argv; *p; p++) {
        const char *s = *p;
        int plain = *s != 0;
        for (const char *c = s; *c; c++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,+:@%", *c)) plain = 0;
        fprintf(stderr, "%s", p == argv ? "" : " ");
        if (plain) {
            fputs(s, stderr);
        } else {
            fputc('\'', stderr);
            for (const char *c = s; *c; c++) {
                if (*c == '\'') fputs("'\\''", stderr);
                else fputc(*c, stderr);
            }
            fputc('\'', stderr);
        }
    }
    fputc('\n', stderr);
}

/* Runs argv; returns 0 when it exited with status 0. */
static int run_q(strv *cmd, int quiet);
static int run(strv *cmd) { return run_q(cmd, 0); }

/* Set while cc compiles a .gc file's translation: its stderr is rewritten
 * in gc terms (ccdiag.c). */
static const cd_map *diag_map;

/* quiet: the command's stderr goes to /dev/null (a probe, not a step) */
static int run_q(strv *cmd, int quiet)
{
    if (g.verbose) print_cmd(cmd->v);
    fflush(stdout);
    int diag[2] = {-1, -1};
    if (diag_map && !quiet && pipe(diag) != 0) diag[0] = diag[1] = -1;
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        have_tmpdir = 0; /* the parent owns the directory */
        if (quiet) {
            int nul = open("/dev/null", O_WRONLY);
            if (nul >= 0) dup2(nul, 2);
        }
        if (diag[1] >= 0) { dup2(diag[1], 2); close(diag[0]); close(diag[1]); }
        execvp(cmd->v[0], cmd->v);
        fprintf(stderr, "gocc: error: cannot run %s: %s\n", cmd->v[0], strerror(errno));
        _exit(127);
    }
    child_pid = pid;
    if (diag[1] >= 0) { close(diag[1]); cd_relay(diag[0], diag_map, stderr); close(diag[0]); }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) die("waitpid: %s", strerror(errno));
    child_pid = 0;
    if (WIFSIGNALED(st)) {
        if (quiet) return 1;
        fprintf(stderr, "gocc: error: %s terminated by signal %d\n", cmd->v[0], WTERMSIG(st));
        return 1;
    }
    return WEXITSTATUS(st) != 0;
}

/* Whether command word w (a path, or a name searched in PATH) is this very
 * executable: `make CC=gocc` exports CC=gocc to its recipes, and the driver
 * must not take itself for the C compiler (it would run itself forever). */
static int is_self(const char *w)
{
    struct stat self, st;
    if (stat("/proc/self/exe", &self) != 0) return 0;
    if (strchr(w, '/')) return stat(w, &st) == 0 && st.st_dev == self.st_dev && st.st_ino == self.st_ino;
    const char *path = getenv("PATH");
    if (!path) return 0;
    char *p = xstrdup(path);
    int found = 0;
    for (char *d = strtok(p, ":"); d && !found; d = strtok(NULL, ":")) {
        char *f = fmt("%s/%s", *d ? d : ".", w);
        if (stat(f, &st) == 0 && !S_ISDIR(st.st_mode)) {
            found = st.st_dev == self.st_dev && st.st_ino == self.st_ino ? 1 : -1;
        }
        free(f);
    }
    free(p);
    return found == 1;
}

/* The C compiler: $CC unless it is gocc itself, else cc. */
static const char *choose_cc(void)
{
    const char *cc = getenv("CC");
    if (!cc || !*cc) return "cc";
    char *first = xstrdup(cc);
    char *w = strtok(first, " \t");
    int self = w && is_self(w);
    free(first);
    return self ? "cc" : cc;
}

/* $CC may hold words ("ccache gcc"); split on spaces. */
static void push_cc(strv *cmd)
{
    char *s = xstrdup(g.cc);
    for (char *t = strtok(s, " \t"); t; t = strtok(NULL, " \t")) sv_push(cmd, t);
    free(s);
}

/* ------------------------------------------------------------------------ */
/* files                                                                     */

/* Writes an output file. When writing fails, the file is removed only if
 * this call created it and it is still a regular file: an output that
 * existed (a device such as /dev/full, a symlink's target, a file the user
 * pointed -o at) is never deleted by gocc. */
static int write_file(const char *path, const char *text, size_t len)
{
    int created = 1;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) {
        created = 0;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    }
    FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
    if (!f) {
        fprintf(stderr, "gocc: error: cannot write %s: %s\n", path, strerror(errno));
        if (fd >= 0) close(fd);
        return 1;
    }
    int bad = fwrite(text, 1, len, f) != len;
    bad |= fflush(f) != 0;
    int err = errno;
    bad |= fclose(f) != 0;
    if (bad) {
        if (!err) err = errno;
        fprintf(stderr, "gocc: error: cannot write %s: %s\n", path, strerror(err ? err : EIO));
        struct stat st;
        if (created && lstat(path, &st) == 0 && S_ISREG(st.st_mode)) unlink(path);
    }
    return bad;
}

/* cc refuses to write its output over an input; so does gocc, comparing
 * device and inode so that a symlink or hard link to the input counts too.
 * Called with every path gocc or the C compiler will write. */
static void check_not_input(const char *out)
{
    struct stat o, st;
    if (!out || !strcmp(out, "-") || stat(out, &o) != 0) return;
    for (int i = 0; i < g.nin; i++) {
        if (g.in[i].is_lib) continue;
        if (stat(g.in[i].path, &st) == 0 && st.st_dev == o.st_dev && st.st_ino == o.st_ino)
            die("input file '%s' is the same as output file", g.in[i].path);
    }
}

/* The same for a translation's own sources (the .gc file and the quoted
 * headers it reaches): a translated header is written beside the output,
 * and must not land on one of them. */
static int is_source_of(const cg_result *r, const char *out)
{
    struct stat o, st;
    if (stat(out, &o) != 0) return 0;
    for (int i = 0; i < r->nfiles; i++)
        if (stat(r->files[i].source, &st) == 0 && st.st_dev == o.st_dev && st.st_ino == o.st_ino) {
            fprintf(stderr, "gocc: error: input file '%s' is the same as output file\n", r->files[i].source);
            return 1;
        }
    return 0;
}

static char *dir_of(const char *p)
{
    const char *s = strrchr(p, '/');
    if (!s) return xstrdup(".");
    if (s == p) return xstrdup("/");
    return xstrndup(p, (size_t)(s - p));
}

/* "dir/name.gc" -> "name" + ext */
static char *base_with(const char *p, const char *ext)
{
    const char *b = strrchr(p, '/');
    b = b ? b + 1 : p;
    const char *dot = strrchr(b, '.');
    size_t n = dot ? (size_t)(dot - b) : strlen(b);
    return fmt("%.*s%s", (int)n, b, ext);
}

/* "dir/x.o" -> "dir/x" + ext */
static char *strip_ext(const char *p, const char *ext)
{
    const char *slash = strrchr(p, '/'), *dot = strrchr(p, '.');
    size_t n = dot && (!slash || dot > slash) ? (size_t)(dot - p) : strlen(p);
    return fmt("%.*s%s", (int)n, p, ext);
}

static void find_runtime(const char *argv0)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        if (!realpath(argv0, exe)) snprintf(exe, sizeof exe, "%s", argv0);
    } else {
        exe[n] = 0;
    }
    char *bin = dir_of(exe);
    snprintf(g.libdir, sizeof g.libdir, "%s/../lib", bin);
    snprintf(g.incdir, sizeof g.incdir, "%s/../include", bin);
    char r[PATH_MAX];
    if (realpath(g.libdir, r)) snprintf(g.libdir, sizeof g.libdir, "%s", r);
    if (realpath(g.incdir, r)) snprintf(g.incdir, sizeof g.incdir, "%s", r);
    free(bin);
}

/* Replaces every occurrence of `from` in s by `to`. */
static char *replace_all(const char *s, const char *from, const char *to)
{
    sb b = {0};
    size_t fl = strlen(from);
    for (const char *p = s; *p;) {
        const char *q = fl ? strstr(p, from) : NULL;
        if (!q) { sb_puts(&b, p); break; }
        sb_add(&b, p, (size_t)(q - p));
        sb_puts(&b, to);
        p = q + fl;
    }
    return sb_take(&b);
}

/* The depfile cc wrote names the generated files in the temporary
 * directory; make it name the .gc file and the original headers. */
static int fix_depfile(const char *path, const char *dir, const cg_result *r, const char *gc_path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0; /* cc wrote none (e.g. it failed) */
    sb b = {0};
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) sb_add(&b, buf, n);
    fclose(f);
    char *text = sb_take(&b);
    for (int i = 0; i < r->nfiles; i++) {
        char *gen = r->files[i].name ? fmt("%s/%s", dir, r->files[i].name) : base_with(gc_path, ".c");
        if (!r->files[i].name) {
            char *full = fmt("%s/%s", dir, gen);
            free(gen);
            gen = full;
        }
        char *t = replace_all(text, gen, r->files[i].source);
        free(text);
        free(gen);
        text = t;
    }
    int bad = write_file(path, text, strlen(text));
    free(text);
    return bad;
}

/* Writes a make depfile for --translate: OUT: the .gc file and its headers. */
static int write_translate_deps(const char *target, const cg_result *r)
{
    sb b = {0};
    sb_printf(&b, "%s:", target);
    for (int i = 0; i < r->nfiles; i++) sb_printf(&b, " \\\n %s", r->files[i].source);
    sb_puts(&b, "\n");
    for (int i = 1; i < r->nfiles; i++) sb_printf(&b, "\n%s:\n", r->files[i].source);
    int bad = write_file(g.mf, b.s, b.len);
    sb_free(&b);
    return bad;
}

/* The macros of one .gc file's translation unit, as the C compiler sees
 * them: `$CC -E -dM` over the source with the options that define macros,
 * run the first time the code generator asks (a file that calls none of
 * len, cap, close, free on a non-channel, nor a redirected POSIX call,
 * never pays for it). Cost: 0.11 s of CPU on sqlite3's amalgamation
 * (8.6 MB), 3% of its translation; a few ms for a file including stdio.h.
 * The code generator asks so that the program's own macro of such a name
 * keeps its meaning. If the preprocessor fails, no macro is known: the
 * compile reports the same failure. */
typedef struct macro_probe {
    const char *src;
    int idx, loaded;
    char **names;
    int n;
} macro_probe;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int is_macro(void *ctx, const char *name)
{
    macro_probe *m = ctx;
    if (!m->loaded) {
        m->loaded = 1;
        char *out = fmt("%s/macros-%d", get_tmpdir(), m->idx);
        strv cmd = {0};
        push_cc(&cmd);
        sv_push(&cmd, "-E");
        sv_push(&cmd, "-dM");
        if (!g.has_std) sv_push(&cmd, "-std=gnu11");
        sv_cat(&cmd, &g.cppflags);
        sv_push(&cmd, "-x");
        sv_push(&cmd, "c");
        sv_push(&cmd, m->src);
        sv_push(&cmd, "-o");
        sv_push(&cmd, out);
        int bad = run_q(&cmd, 1);
        sv_free(&cmd);
        FILE *f = bad ? NULL : fopen(out, "r");
        char line[4096];
        int cap = 0;
        while (f && fgets(line, sizeof line, f)) {
            if (strncmp(line, "#define ", 8) != 0) continue;
            char *p = line + 8, *e = p;
            while (*e == '_' || (*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9')) e++;
            if (m->n == cap) {
                cap = cap ? cap * 2 : 512;
                m->names = xrealloc(m->names, (size_t)cap * sizeof *m->names);
            }
            m->names[m->n++] = xstrndup(p, (size_t)(e - p));
        }
        if (f) fclose(f);
        remove(out);
        free(out);
        if (m->n) qsort(m->names, (size_t)m->n, sizeof *m->names, cmp_str);
    }
    return m->n && bsearch(&name, m->names, (size_t)m->n, sizeof *m->names, cmp_str) != NULL;
}

static void macro_probe_free(macro_probe *m)
{
    for (int i = 0; i < m->n; i++) free(m->names[i]);
    free(m->names);
}

static void translate_opts(cg_options *o, macro_probe *m)
{
    memset(o, 0, sizeof *o);
    o->quote_dirs = (const char **)g.quote_dirs.v;
    o->nquote_dirs = g.quote_dirs.n;
    o->is_macro = is_macro;
    o->macro_ctx = m;
}

/* --translate: one .gc file to -o FILE (or stdout), headers beside it. */
static int do_translate(void)
{
    int ngc = 0;
    const char *src = NULL;
    for (int i = 0; i < g.nin; i++)
        if (!g.in[i].is_lib) { ngc++; src = g.in[i].path; }
    if (ngc != 1) die("--translate takes exactly one .gc file");
    cg_options o;
    macro_probe mp = {.src = src};
    translate_opts(&o, &mp);
    cg_result r;
    int failed = cg_translate(src, &o, &r) != 0;
    macro_probe_free(&mp);
    if (failed) return 1;
    int bad = 0;
    char *dir = g.out && strcmp(g.out, "-") ? dir_of(g.out) : xstrdup(".");
    /* -o /dev/null (or another device or a pipe): the translation is
     * thrown away or streamed, and the directory is not the user's to
     * write headers into (as root, /dev would get files) */
    struct stat ost;
    int headers = !(g.out && strcmp(g.out, "-") && stat(g.out, &ost) == 0 && !S_ISREG(ost.st_mode));
    for (int i = 1; headers && i < r.nfiles && !bad; i++) {
        char *p = fmt("%s/%s", dir, r.files[i].name);
        bad = is_source_of(&r, p) || write_file(p, r.files[i].text, r.files[i].len);
        free(p);
    }
    if (!bad) {
        if (g.out && strcmp(g.out, "-")) {
            bad = write_file(g.out, r.files[0].text, r.files[0].len);
        } else {
            bad = fwrite(r.files[0].text, 1, r.files[0].len, stdout) != r.files[0].len;
            bad |= fflush(stdout) != 0;
        }
    }
    if (!bad && (g.mf || g.deps_md)) {
        char *def = g.out && strcmp(g.out, "-") ? fmt("%s.d", g.out) : base_with(src, ".c.d");
        const char *mf = g.mf;
        if (!mf) g.mf = def;
        bad = write_translate_deps(g.mt ? g.mt : g.out && strcmp(g.out, "-") ? g.out : "-", &r);
        g.mf = mf;
        free(def);
    }
    free(dir);
    cg_result_free(&r);
    return bad;
}

/* Compiles one input (translating it first if it is gc) to `obj`. */
static int compile_one(int idx, const input *in, const char *obj)
{
    cg_result r = {0};
    const char *csrc = in->path;
    char *gen = NULL, *dir = NULL;
    if (in->lang == L_GC) {
        cg_options o;
        macro_probe mp = {.src = in->path, .idx = idx};
        translate_opts(&o, &mp);
        int failed = cg_translate(in->path, &o, &r) != 0;
        macro_probe_free(&mp);
        if (failed) return 1;
        dir = fmt("%s/%d", get_tmpdir(), idx);
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) die("mkdir %s: %s", dir, strerror(errno));
        char *b = base_with(in->path, ".c");
        gen = fmt("%s/%s", dir, b);
        free(b);
        int bad = write_file(gen, r.files[0].text, r.files[0].len);
        for (int i = 1; i < r.nfiles && !bad; i++) {
            char *p = fmt("%s/%s", dir, r.files[i].name);
            bad = write_file(p, r.files[i].text, r.files[i].len);
            free(p);
        }
        if (bad) { cg_result_free(&r); free(gen); free(dir); return 1; }
        if (g.verbose) {
            /* the translation runs in this process; show it as the command that does it */
            fprintf(stderr, "gocc --translate");
            for (int i = 0; i < g.quote_dirs.n; i++) fprintf(stderr, " -I %s", g.quote_dirs.v[i]);
            fprintf(stderr, " %s -o %s\n", in->path, gen);
        }
        csrc = gen;
    }
    strv cmd = {0};
    push_cc(&cmd);
    if (in->lang == L_GC) {
        if (!g.has_std) sv_push(&cmd, "-std=gnu11");
        /* quoted includes the translation left alone resolve as from the source */
        for (int i = 0; i < r.nsrcdirs; i++) { sv_push(&cmd, "-iquote"); sv_push(&cmd, r.srcdirs[i]); }
    }
    sv_push(&cmd, "-I");
    sv_push(&cmd, g.incdir);
    if (g.race) { sv_push(&cmd, "-fsanitize=thread"); sv_push(&cmd, "-g"); }
    /* Code gocc compiles may run on a goroutine stack, whose overflow guard is a 64 KiB gap: a frame
     * larger than that would jump it and write into the stack below. Stack-clash protection makes such
     * a frame touch its pages in order, so it faults in the gap (a stack overflow report). Only frames
     * over a page pay (a probe per page); before the user's flags, which may say
     * -fno-stack-clash-protection. */
    if (g.stop != 'E' && !g.deps_m) sv_push(&cmd, "-fstack-clash-protection");
    sv_cat(&cmd, &g.cflags);
    char *depf = NULL;
    if (g.deps_md || g.deps_m) {
        /* name the output (not the temporary file) as the target */
        if (g.mt) { sv_push(&cmd, "-MT"); sv_push(&cmd, g.mt); }
        else if (obj && g.stop) { sv_push(&cmd, "-MT"); sv_push(&cmd, obj); }
        else { char *t = base_with(in->path, ".o"); sv_push(&cmd, "-MT"); sv_push(&cmd, t); free(t); }
        if (g.mf) depf = xstrdup(g.mf);
        else if (g.deps_md) depf = g.stop == 'c' && obj ? strip_ext(obj, ".d") : base_with(in->path, ".d");
        else depf = fmt("%s/%d.d", get_tmpdir(), idx); /* -M/-MM: fixed, then printed */
        sv_push(&cmd, "-MF");
        sv_push(&cmd, depf);
    }
    if (g.deps_m) sv_push(&cmd, "-E"), sv_push(&cmd, "-o"), sv_push(&cmd, "/dev/null");
    else if (g.stop == 'E') sv_push(&cmd, "-E");
    else if (g.stop == 'S') sv_push(&cmd, "-S");
    else sv_push(&cmd, "-c");
    if (in->lang == L_GC) { sv_push(&cmd, "-x"); sv_push(&cmd, "c"); }
    sv_push(&cmd, csrc);
    if (obj && !g.deps_m) { sv_push(&cmd, "-o"); sv_push(&cmd, obj); }
    cd_map dm = {in->path, gen, gen ? r.files[0].text : NULL, gen ? r.files[0].len : 0};
    if (gen) diag_map = &dm;
    int bad = run(&cmd);
    diag_map = NULL;
    sv_free(&cmd);
    if (depf && in->lang == L_GC) {
        if (!bad) bad = fix_depfile(depf, dir, &r, in->path);
        struct stat st;
        if (bad && lstat(depf, &st) == 0 && S_ISREG(st.st_mode)) remove(depf);
    }
    if (depf && g.deps_m && !g.mf && !bad) {
        /* -M/-MM without -MF: the rule goes to -o or stdout, as with cc */
        FILE *f = fopen(depf, "rb");
        FILE *o = g.out ? fopen(g.out, idx == 0 ? "wb" : "ab") : stdout;
        if (!f || !o) {
            bad = 1;
        } else {
            char buf[8192];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, o);
        }
        if (f) fclose(f);
        if (o && o != stdout) fclose(o);
    }
    free(depf);
    free(gen);
    free(dir);
    cg_result_free(&r);
    return bad;
}

int main(int argc, char **argv)
{
    atexit(cleanup);
    install_signals();
    g.cc = choose_cc();
    parse_args(argc, argv);
    find_runtime(argv[0]);
    int nfiles = 0;
    for (int i = 0; i < g.nin; i++) nfiles += !g.in[i].is_lib;
    if (nfiles == 0) die("no input files (gocc --help for usage)");
    check_not_input(g.out ? g.out : g.stop || g.deps_m ? NULL : "a.out");
    check_not_input(g.mf);
    if (g.stop == 't') return do_translate();

    if (g.stop && g.out && nfiles > 1 && (g.stop == 'c' || g.stop == 'S'))
        die("cannot specify '-o' with '-%c' and multiple files", g.stop);

    /* compile stage */
    strv objs = {0};
    int bad = 0;
    for (int i = 0; i < g.nin && !bad; i++) {
        input *in = &g.in[i];
        if (in->is_lib || in->lang == L_OBJ) {
            if (!g.stop) sv_push(&objs, in->path);
            continue;
        }
        char *obj;
        if (g.deps_m) obj = NULL;
        else if (g.stop == 'E') obj = g.out ? xstrdup(g.out) : NULL;
        else if (g.stop) obj = g.out ? xstrdup(g.out) : base_with(in->path, g.stop == 'S' ? ".s" : ".o");
        else obj = fmt("%s/%d.o", get_tmpdir(), i);
        if (g.stop) check_not_input(obj);
        bad = compile_one(i, in, obj);
        if (!g.stop && !g.deps_m) sv_push(&objs, obj);
        free(obj);
    }
    if (bad || g.stop || g.deps_m) {
        sv_free(&objs);
        return bad;
    }

    /* link stage */
    strv cmd = {0};
    push_cc(&cmd);
    if (g.race) sv_push(&cmd, "-fsanitize=thread");
    sv_cat(&cmd, &g.lflags);
    sv_cat(&cmd, &objs);
    char *L = fmt("-L%s", g.libdir);
    sv_push(&cmd, L);
    free(L);
    sv_push(&cmd, g.race ? "-lgocc-race" : "-lgocc");
    sv_push(&cmd, "-pthread");
    sv_push(&cmd, "-o");
    sv_push(&cmd, g.out ? g.out : "a.out");
    bad = run(&cmd);
    sv_free(&cmd);
    sv_free(&objs);
    return bad;
}
