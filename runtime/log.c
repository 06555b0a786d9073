/*
 * log.c - Go's log (prefix "YYYY/MM/DD HH:MM:SS " in local time, stderr)
 * and the %v formatting of fmt_println / log_println.
 *
 * A log line is built whole in memory and written by one write(2), so lines
 * of concurrent goroutines never interleave. fmt_println goes through stdio
 * (one fwrite, which holds stdout's lock), so it orders correctly with the
 * program's own printf calls.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sched.h"

/* A growable line buffer: starts on the caller's stack. */
typedef struct buf {
    char *p;
    size_t len, cap;
    int heap;
    char small[512];
} buf;

static void buf_init(buf *b)
{
    b->p = b->small;
    b->len = 0;
    b->cap = sizeof b->small;
    b->heap = 0;
}

static int buf_grow(buf *b, size_t need)
{
    if (b->len + need <= b->cap)
        return 1;
    size_t cap = b->cap;
    while (cap < b->len + need)
        cap *= 2;
    char *p = b->heap ? realloc(b->p, cap) : malloc(cap);
    if (!p)
        return 0;
    if (!b->heap)
        memcpy(p, b->p, b->len);
    b->p = p;
    b->cap = cap;
    b->heap = 1;
    return 1;
}

static void buf_add(buf *b, const char *s, size_t n)
{
    if (buf_grow(b, n)) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

static void buf_str(buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void buf_vfmt(buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->p + b->len, room, fmt, ap);
    if (n >= 0 && (size_t)n >= room && buf_grow(b, (size_t)n + 1))
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
    va_end(ap2);
    if (n > 0 && (size_t)n < b->cap - b->len)
        b->len += (size_t)n;
}

static void buf_free(buf *b)
{
    if (b->heap)
        free(b->p);
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void log_prefix(buf *b)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    char s[32];
    int n = snprintf(s, sizeof s, "%04d/%02d/%02d %02d:%02d:%02d ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
    buf_add(b, s, (size_t)n);
}

/* Go's log adds the newline unless the message ends with one. */
static void log_emit(buf *b)
{
    if (b->len == 0 || b->p[b->len - 1] != '\n')
        buf_add(b, "\n", 1);
    write_all(2, b->p, b->len);
}

static void log_vprintf(const char *format, va_list ap)
{
    buf b;
    buf_init(&b);
    log_prefix(&b);
    buf_vfmt(&b, format, ap);
    log_emit(&b);
    buf_free(&b);
}

void log_printf(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    log_vprintf(format, ap);
    va_end(ap);
}

void log_fatalf(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    log_vprintf(format, ap);
    va_end(ap);
    exit(1);
}

/* ---- %v ---- */

gocc_fmt_arg gocc_fmt_bool(_Bool b) { return (gocc_fmt_arg){.kind = GOCC_FMT_BOOL, .v.i = b}; }
gocc_fmt_arg gocc_fmt_char(char c) { return (gocc_fmt_arg){.kind = GOCC_FMT_CHAR, .v.i = c}; }
gocc_fmt_arg gocc_fmt_int(long long i) { return (gocc_fmt_arg){.kind = GOCC_FMT_INT, .v.i = i}; }
gocc_fmt_arg gocc_fmt_uint(unsigned long long u) { return (gocc_fmt_arg){.kind = GOCC_FMT_UINT, .v.u = u}; }
gocc_fmt_arg gocc_fmt_float(long double f) { return (gocc_fmt_arg){.kind = GOCC_FMT_FLOAT, .v.f = (double)f}; }
gocc_fmt_arg gocc_fmt_float32(float f) { return (gocc_fmt_arg){.kind = GOCC_FMT_FLOAT32, .v.f = f}; }
gocc_fmt_arg gocc_fmt_str(const char *s) { return (gocc_fmt_arg){.kind = GOCC_FMT_STR, .v.s = s}; }
gocc_fmt_arg gocc_fmt_ptr(const void *p) { return (gocc_fmt_arg){.kind = GOCC_FMT_PTR, .v.p = p}; }

/* Go's %v of a float64 or float32 (strconv 'g', shortest): the fewest
 * digits that read back as f at that precision, in %e form when the decimal
 * exponent is < -4 or >= 6 (so 100000 but 1e+06 and 1.234567e+06), the
 * exponent with at least two digits; infinities are +Inf and -Inf. */
static void fmt_float(buf *b, double f, int is32)
{
    if (isnan(f)) {
        buf_str(b, "NaN");
        return;
    }
    if (isinf(f)) {
        buf_str(b, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    char e[40];
    int prec;
    for (prec = 0; prec < 17; prec++) { /* digits after the point in %e */
        snprintf(e, sizeof e, "%.*e", prec, f);
        if (is32 ? strtof(e, NULL) == (float)f : strtod(e, NULL) == f)
            break;
    }
    snprintf(e, sizeof e, "%.*e", prec, f);
    /* e is [-]d[.ddd]e(+|-)xx: split into sign, digits and exponent. */
    const char *p = e;
    int neg = *p == '-';
    if (neg)
        p++;
    char digs[24];
    int nd = 0;
    for (; *p != 'e'; p++)
        if (*p != '.')
            digs[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 1 && digs[nd - 1] == '0')
        nd--;
    if (f == 0)
        nd = 1;
    char out[64];
    int n = 0;
    if (neg)
        out[n++] = '-';
    if (exp < -4 || exp >= 6) {
        out[n++] = digs[0];
        if (nd > 1) {
            out[n++] = '.';
            memcpy(out + n, digs + 1, (size_t)nd - 1);
            n += nd - 1;
        }
        n += snprintf(out + n, sizeof out - (size_t)n, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    } else if (exp < 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = -1; i > exp; i--)
            out[n++] = '0';
        memcpy(out + n, digs, (size_t)nd);
        n += nd;
    } else {
        for (int i = 0; i <= exp; i++)
            out[n++] = i < nd ? digs[i] : '0';
        if (nd > exp + 1) {
            out[n++] = '.';
            memcpy(out + n, digs + exp + 1, (size_t)(nd - exp - 1));
            n += nd - exp - 1;
        }
    }
    buf_add(b, out, (size_t)n);
}

static void fmt_arg(buf *b, const gocc_fmt_arg *a)
{
    char s[32];
    switch (a->kind) {
    case GOCC_FMT_INT:
        snprintf(s, sizeof s, "%lld", (long long)a->v.i);
        buf_str(b, s);
        break;
    case GOCC_FMT_UINT:
        snprintf(s, sizeof s, "%llu", a->v.u);
        buf_str(b, s);
        break;
    case GOCC_FMT_FLOAT:
        fmt_float(b, a->v.f, 0);
        break;
    case GOCC_FMT_FLOAT32:
        fmt_float(b, a->v.f, 1);
        break;
    case GOCC_FMT_STR:
        buf_str(b, a->v.s ? a->v.s : "<nil>");
        break;
    case GOCC_FMT_PTR:
        if (!a->v.p) {
            buf_str(b, "<nil>");
        } else {
            snprintf(s, sizeof s, "0x%llx", (unsigned long long)(__UINTPTR_TYPE__)a->v.p);
            buf_str(b, s);
        }
        break;
    case GOCC_FMT_BOOL:
        buf_str(b, a->v.i ? "true" : "false");
        break;
    case GOCC_FMT_CHAR: /* a C char is a character; an int constant like 'a' is an int */
        s[0] = (char)a->v.i;
        buf_add(b, s, 1);
        break;
    default:
        buf_str(b, "%!v(BADKIND)");
    }
}

void gocc_fmt_println(int where, int n, const gocc_fmt_arg *args)
{
    buf b;
    buf_init(&b);
    if (where == 1)
        log_prefix(&b);
    for (int i = 0; i < n; i++) {
        if (i)
            buf_add(&b, " ", 1);
        fmt_arg(&b, &args[i]);
    }
    buf_add(&b, "\n", 1);
    if (where == 1)
        write_all(2, b.p, b.len);
    else
        fwrite(b.p, 1, b.len, stdout);
    buf_free(&b);
}
