/*
 * io.c - blocking POSIX calls in .gc code park the goroutine (prefix io_).
 *
 *   read(fd, buf, n)   ->   gocc_io_read(GOCC_HERE, fd, buf, n)
 *
 * for a direct call (the callee is the bare name) of read, write, readv,
 * writev, recv, recvfrom, recvmsg, send, sendto, sendmsg, accept, accept4,
 * connect, poll, ppoll, select, pselect, epoll_wait, epoll_pwait, sendfile,
 * splice, sleep, usleep, nanosleep and setsockopt (`select (` as a call: the gc select
 * statement has a brace, not a parenthesis). The runtime's
 * gocc_io_* (runtime/io.c) keep the POSIX meaning and wait for readiness in
 * the netpoller instead of blocking the thread. Left alone:
 *   - a name the program gives its own meaning (its declaration or macro):
 *     lw_user_name decides, as for len/cap/close;
 *   - member calls (ops->read(...)) and calls through pointers: not a bare
 *     name; the address of read (`p = read;`) stays libc's read;
 *   - (the call of a go or defer statement, `go sleep(1);`, is written by
 *     those lowerings in the runner; they ask io_callee for the name, so it
 *     is redirected too: the goroutine of `go sleep(1)` parks);
 *   - calls in plain C files and libraries, which never pass through here.
 * Only the callee and its opening parenthesis are replaced, so the
 * arguments (lowered on their own) and the line structure stay as they are.
 *
 *   errno   ->   (*gocc_errno())
 *
 * errno is per thread and a goroutine may resume on another thread after any
 * blocking operation. glibc's errno is (*__errno_location()), a function
 * declared const, so the C compiler may compute the address once (before a
 * loop, say) and read the old thread's errno after a park. gocc_errno is an
 * ordinary external function: looked up at every use. A program's own
 * declaration or #define of errno is left alone, and so is errno in a
 * preprocessor condition. Macro bodies are reached through the preprocessor
 * instead: after each #include, errno is redefined as (*gocc_errno())
 * (io_include).
 */
#include <stdlib.h>

#include "lower.h"

static const char *const names[] = { /* sorted: bsearch */
    "accept", "accept4", "connect", "epoll_pwait", "epoll_wait", "nanosleep", "poll", "ppoll", "pselect",
    "read", "readv", "recv", "recvfrom", "recvmsg", "select", "send", "sendfile", "sendmsg", "sendto",
    "setsockopt", "sleep", "splice", "usleep", "write", "writev",
};

static int cmp(const void *a, const void *b) { return strcmp(a, *(const char *const *)b); }

char *io_callee(lw *w, const char *name)
{
    if (!bsearch(name, names, sizeof names / sizeof names[0], sizeof names[0], cmp) || lw_user_name(w, name))
        return NULL;
    sb b = {0};
    sb_printf(&b, "gocc_io_%s(GOCC_HERE", name);
    return sb_take(&b);
}

void io_call(lw *w, TSNode n)
{
    TSNode f = fld(n, "function"), args = fld(n, "arguments");
    if (!is(f, "identifier") || ts_node_is_null(args)) return;
    TSNode parent = ts_node_parent(n);
    if ((is(parent, "go_statement") || is(parent, "defer_statement")) && ts_node_eq(fld(parent, "call"), n)) return;
    char *name = lw_text(w, f), *t = io_callee(w, name);
    if (t) {
        int empty = ts_node_named_child_count(args) == 0;
        sb b = {0};
        sb_printf(&b, "%s%s", t, empty ? "" : ", ");
        free(t);
        t = sb_take(&b);
        ed_replace(&w->ed, S(f), S(args) + 1, t);
        free(t);
    }
    free(name);
}

/* n is (part of) the condition of an #if or #elif, or the name of an #ifdef / defined(). */
static int in_preproc(TSNode n)
{
    for (TSNode p = ts_node_parent(n); !ts_node_is_null(p); n = p, p = ts_node_parent(p)) {
        const char *t = ts_node_type(p);
        if (strncmp(t, "preproc_", 8) != 0) continue;
        if (strcmp(t, "preproc_defined") == 0 || strcmp(t, "preproc_ifdef") == 0) return 1;
        TSNode c = fld(p, "condition");
        if (!ts_node_is_null(c) && S(n) >= S(c) && E(n) <= E(c)) return 1;
    }
    return 0;
}

/* The program #defines errno itself (in any translated file so far). */
static int own_errno_macro(lw *w)
{
    for (int i = 0; i < w->tr->nuser_names; i++)
        if (strcmp(w->tr->user_names[i], "errno") == 0) return 1;
    return 0;
}

void io_identifier(lw *w, TSNode n)
{
    if (E(n) - S(n) != 5 || memcmp(w->src + S(n), "errno", 5) != 0) return;
    if (lw_lookup(w, "errno") >= 0 || in_preproc(n) || own_errno_macro(w)) return;
    /* the name a #define gives, or a macro's parameter */
    TSNode p = ts_node_parent(n);
    if (is(p, "preproc_params") || ((is(p, "preproc_def") || is(p, "preproc_function_def")) && ts_node_eq(fld(p, "name"), n)))
        return;
    ed_replace(&w->ed, S(n), E(n), "(*gocc_errno())");
}

/* #include ...  ->  the same (the last of consecutive ones), then
 *     #ifdef errno
 *     #undef errno
 *     #define errno (*gocc_errno())
 *     #endif
 *     #line <the next line> "f.gc"
 * so that errno in macro bodies expanded later in the file (the program's,
 * and the system's, such as glibc's TEMP_FAILURE_RETRY, whose loop reads
 * errno after a call that may park) is the current thread's too: the token
 * rewrite above cannot reach into a macro body. Safe with glibc: errno.h
 * defines errno once under its include guard, and no later header defines it
 * again; gocc.h (first in the file) declares gocc_errno. Not done when the
 * program #defines errno itself. */
void io_include(lw *w, TSNode n)
{
    /* once after a run of #includes: nothing between them can use errno */
    if (own_errno_macro(w) || is(ts_node_next_named_sibling(n), "preproc_include")) return;
    size_t end = E(n);
    int nl = end > 0 && w->src[end - 1] == '\n';
    sb b = {0};
    sb_printf(&b, "%s#ifdef errno\n#undef errno\n#define errno (*gocc_errno())\n#endif\n#line %u ", nl ? "" : "\n",
              ts_node_end_point(n).row + (nl ? 1 : 2));
    lw_quote_path(&b, w->path);
    sb_puts(&b, "\n");
    ed_close(&w->ed, end, b.s);
    sb_free(&b);
}
