/*
 * io.c - blocking POSIX calls in .gc code park the goroutine (prefix io_).
 *
 *   read(fd, buf, n)   ->   gocc_io_read(GOCC_HERE, fd, buf, n)
 *
 * for a direct call (the callee is the bare name) of read, write, readv,
 * writev, recv, recvfrom, recvmsg, send, sendto, sendmsg, accept, accept4,
 * connect, poll, ppoll, select, pselect, epoll_wait, epoll_pwait, sleep,
 * usleep, nanosleep and setsockopt (`select (` as a call: the gc select
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
 * declaration of errno is left alone; errno inside a macro body or a
 * preprocessor condition is not rewritten.
 */
#include <stdlib.h>

#include "lower.h"

static const char *const names[] = { /* sorted: bsearch */
    "accept", "accept4", "connect", "epoll_pwait", "epoll_wait", "nanosleep", "poll", "ppoll", "pselect",
    "read", "readv", "recv", "recvfrom", "recvmsg", "select", "send", "sendmsg", "sendto", "setsockopt",
    "sleep", "usleep", "write", "writev",
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

void io_identifier(lw *w, TSNode n)
{
    if (E(n) - S(n) != 5 || memcmp(w->src + S(n), "errno", 5) != 0) return;
    if (lw_lookup(w, "errno") >= 0 || in_preproc(n)) return;
    ed_replace(&w->ed, S(n), E(n), "(*gocc_errno())");
}
