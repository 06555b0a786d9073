/*
 * io.c - blocking POSIX calls in .gc code park the goroutine (prefix io_).
 *
 *   read(fd, buf, n)   ->   gocc_io_read(GOCC_HERE, fd, buf, n)
 *
 * for a direct call (the callee is the bare name) of read, write, readv,
 * writev, recv, recvfrom, recvmsg, send, sendto, sendmsg, accept, accept4,
 * connect, poll, sleep, usleep, nanosleep and setsockopt. The runtime's
 * gocc_io_* (runtime/io.c) keep the POSIX meaning and wait for readiness in
 * the netpoller instead of blocking the thread. Left alone:
 *   - a name the program gives its own meaning (its declaration or macro):
 *     lw_user_name decides, as for len/cap/close;
 *   - member calls (ops->read(...)) and calls through pointers: not a bare
 *     name; the address of read (`p = read;`) stays libc's read;
 *   - the call of a go or defer statement (`go sleep(1);`), whose callee
 *     those lowerings name themselves;
 *   - calls in plain C files and libraries, which never pass through here.
 * Only the callee and its opening parenthesis are replaced, so the
 * arguments (lowered on their own) and the line structure stay as they are.
 */
#include <stdlib.h>

#include "lower.h"

static const char *const names[] = {
    "accept", "accept4", "connect", "nanosleep", "poll", "read", "readv", "recv", "recvfrom", "recvmsg",
    "send", "sendmsg", "sendto", "setsockopt", "sleep", "usleep", "write", "writev",
};

/* TEMPORARY until the driver's lw_user_name lands: a declaration in scope. */
static int lw_user_name(lw *w, const char *name) { return lw_lookup(w, name) >= 0; }

static int cmp(const void *a, const void *b) { return strcmp(a, *(const char *const *)b); }

void io_call(lw *w, TSNode n)
{
    TSNode f = fld(n, "function"), args = fld(n, "arguments");
    if (!is(f, "identifier") || ts_node_is_null(args)) return;
    TSNode parent = ts_node_parent(n);
    if ((is(parent, "go_statement") || is(parent, "defer_statement")) && ts_node_eq(fld(parent, "call"), n)) return;
    char *name = lw_text(w, f);
    if (bsearch(name, names, sizeof names / sizeof names[0], sizeof names[0], cmp) && !lw_user_name(w, name)) {
        sb b = {0};
        int empty = ts_node_named_child_count(args) == 0;
        sb_printf(&b, "gocc_io_%s(GOCC_HERE%s", name, empty ? "" : ", ");
        char *t = sb_take(&b);
        ed_replace(&w->ed, S(f), S(args) + 1, t);
        free(t);
    }
    free(name);
}
