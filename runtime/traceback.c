/*
 * traceback.c - call chains of goroutines, symbolized to .gc file:line.
 *
 * libbacktrace (GCC's, linked into libgocc.a) does both halves: backtrace_simple
 * walks the stack with libgcc's unwinder (DWARF CFI from .eh_frame, which gcc and
 * clang emit by default, so -O2 code without frame pointers unwinds), and
 * backtrace_pcinfo/backtrace_syminfo read the program's own debug info and
 * symbol table. Without -g a frame still gets its function name and offset.
 *
 * Runtime frames (park, switch, the unwinder itself) are hidden, as Go hides
 * its runtime's, unless GOTRACEBACK=system. A frame is the runtime's when its
 * source file lies in the directory this file was compiled in (found at the
 * first traceback from this file's own debug info), or, without debug info,
 * when its symbol is one of the runtime's gocc_ entry points.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <backtrace.h>

#include "traceback.h"

/* gdb loads this script from the program itself (".debug_gdb_scripts", type 4: an inline Python script,
 * first line its name), as Go embeds runtime-gdb.py: info goroutines, goroutine N bt. traceback.o is in
 * every program (the scheduler's fatal reports use it). */
__asm__(".pushsection .debug_gdb_scripts, \"MS\", @progbits, 1\n"
        ".byte 4\n"
        ".ascii \"gocc-gdb.py\\n\"\n"
        ".incbin \"" GOCC_GDB_PY "\"\n"
        ".byte 0\n"
        ".popsection\n");

transfer_t ontop_fcontext(fcontext_t const to, void *vp, transfer_t (*fn)(transfer_t));

static struct backtrace_state *tb_state;
static int tb_levelv = GOCC_TB_SINGLE;
static char tb_rtdir[512];          /* "/path/to/runtime/" once known */
static int tb_rtdirlen = -1;        /* -1: not looked up yet; 0: no debug info for the runtime */

static void tb_error(void *data, const char *msg, int errnum)
{
    /* No debug info (errnum -1) is normal for a program built without -g: the frames get names and offsets.
     * Other errors are not worth a line in a crash report either. */
    (void)data; (void)msg; (void)errnum;
}

void gocc_tb_init(void)
{
    const char *e = getenv("GOTRACEBACK");
    if (e) {
        if (!strcmp(e, "none") || !strcmp(e, "0"))
            tb_levelv = GOCC_TB_NONE;
        else if (!strcmp(e, "single") || !strcmp(e, "1"))
            tb_levelv = GOCC_TB_SINGLE;
        else if (!strcmp(e, "all") || !strcmp(e, "2"))
            tb_levelv = GOCC_TB_ALL;
        else if (!strcmp(e, "system"))
            tb_levelv = GOCC_TB_SYSTEM;
        else if (!strcmp(e, "crash"))
            tb_levelv = GOCC_TB_CRASH;
    }
    /* Allocates a small record; the executable is opened at the first use, so a program that never fails
     * pays nothing else. threaded=1: two threads may fail at once. */
    tb_state = backtrace_create_state(NULL, 1, tb_error, NULL);
}

int gocc_tb_level(void) { return tb_levelv; }

/* libbacktrace's elf.o calls this instead of dl_iterate_phdr (objcopy --redefine-sym in runtime.mk): the
 * system's own libraries are left out, since reading libc's separate debug info (where libc6-dbg is installed)
 * costs 250 ms per report for frames nobody reads lines of; their frames are named with dladdr instead. */
struct tb_phdrf {
    int (*cb)(struct dl_phdr_info *, size_t, void *);
    void *data;
};

static int tb_systemlib(const char *name)
{
    return !strncmp(name, "/lib/", 5) || !strncmp(name, "/lib64/", 7) || !strncmp(name, "/usr/lib/", 9) ||
           !strncmp(name, "/usr/lib64/", 11) || !strncmp(name, "linux-vdso", 10);
}

static int tb_phdrfilter(struct dl_phdr_info *info, size_t size, void *data)
{
    struct tb_phdrf *f = data;
    if (info->dlpi_name && tb_systemlib(info->dlpi_name))
        return 0;
    return f->cb(info, size, f->data);
}

int gocc_tb_iterate_phdr(int (*cb)(struct dl_phdr_info *, size_t, void *), void *data);
int gocc_tb_iterate_phdr(int (*cb)(struct dl_phdr_info *, size_t, void *), void *data)
{
    struct tb_phdrf f = {cb, data};
    return dl_iterate_phdr(tb_phdrfilter, &f);
}

/* ------------------------------------------------------------------ */
/* writing                                                             */

void gocc_wbuf_flush(gocc_wbuf *w)
{
    int off = 0;
    while (off < w->n) {
        ssize_t k = write(w->fd, w->b + off, (size_t)(w->n - off));
        if (k <= 0)
            break;
        off += (int)k;
    }
    w->n = 0;
}

void gocc_wbuf_printf(gocc_wbuf *w, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if (k >= (int)sizeof line)
        k = (int)sizeof line - 1;
    if (w->n + k > (int)sizeof w->b)
        gocc_wbuf_flush(w);
    memcpy(w->b + w->n, line, (size_t)k);
    w->n += k;
}

/* ------------------------------------------------------------------ */
/* unwinding                                                           */

static int tb_add(void *data, uintptr_t pc)
{
    gocc_tb *tb = data;
    if (pc == 0 || pc == (uintptr_t)-1 || tb->n == GOCC_TB_MAX)
        return 1;
    tb->pc[tb->n++] = pc;
    return 0;
}

__attribute__((noinline)) void gocc_tb_here(gocc_tb *tb)
{
    tb->n = 0;
    tb->exact = -1;
    if (tb_state)
        backtrace_simple(tb_state, 0, tb_add, tb_error, tb);
}

/* libgcc's unwinder reports the interrupted frame of a signal with its exact pc (ip_before_insn), so
 * libbacktrace does not step it back by one as it does return addresses: that frame is the first one
 * at pc. A return address minus one lies inside a call instruction, never at an instruction's start. */
__attribute__((noinline)) void gocc_tb_signal(gocc_tb *tb, uintptr_t pc)
{
    gocc_tb_here(tb);
    for (int i = 0; i < tb->n; i++)
        if (tb->pc[i] == pc) {
            tb->exact = i;
            break;
        }
}

struct parkreq {
    gocc_tb *tb;
    fcontext_t back;
};

/* Runs on the parked goroutine's stack, as if called by its switch-out (ontop_fcontext leaves the saved
 * return address where a call would have put it), so the unwinder continues into the goroutine's frames. */
static transfer_t tb_onstack(transfer_t t)
{
    struct parkreq *r = t.data;
    r->back = t.fctx;
    gocc_tb_here(r->tb);
    jump_fcontext(r->back, NULL);
    __builtin_unreachable();
}

/* Boost's x86_64 SysV fcontext: the saved context is 0x40 bytes at ctx (mxcsr/x87 cw, r12-r15, rbx, rbp,
 * return address). ontop_fcontext pops it and runs tb_onstack just below, over those bytes. */
#define FCTX_BYTES 0x40

void gocc_tb_parked(gocc_g *g, gocc_tb *tb)
{
    tb->n = 0;
    tb->exact = -1;
    if (!g->ctx || !tb_state)
        return;
    char save[FCTX_BYTES];
    memcpy(save, g->ctx, FCTX_BYTES);
    struct parkreq r = {tb, NULL};
    ontop_fcontext(g->ctx, &r, tb_onstack);
    memcpy(g->ctx, save, FCTX_BYTES);
}

/* ------------------------------------------------------------------ */
/* symbolizing                                                         */

#define TB_FRAMES 160   /* inlined calls make one pc several frames */

typedef struct tb_frame {
    char fn[128];
    char file[256];
    int line;
    uintptr_t pc, off;
    const char *lib;            /* a system library's path, when the frame is in one */
    int runtime;
} tb_frame;

typedef struct tb_sym {
    tb_frame *f;
    int n, max;
    uintptr_t pc;
    const char *symname;
    uintptr_t symval;
} tb_sym;

static void tb_copy(char *dst, size_t size, const char *s)
{
    if (!s)
        s = "";
    size_t k = strlen(s);
    if (k >= size)
        k = size - 1;
    memcpy(dst, s, k);
    dst[k] = 0;
}

static void tb_syminfo(void *data, uintptr_t pc, const char *symname, uintptr_t symval, uintptr_t symsize)
{
    tb_sym *s = data;
    (void)pc; (void)symsize;
    s->symname = symname;
    s->symval = symval;
}

static int tb_pcinfo(void *data, uintptr_t pc, const char *filename, int lineno, const char *function)
{
    tb_sym *s = data;
    if (s->n == s->max || (!filename && !function))
        return 0;
    tb_frame *f = &s->f[s->n++];
    tb_copy(f->fn, sizeof f->fn, function);
    tb_copy(f->file, sizeof f->file, filename);
    f->line = lineno;
    f->pc = pc;
    f->off = 0;
    f->lib = NULL;
    f->runtime = 0;
    return 0;
}

static void tb_rtdir_init(void)
{
    tb_rtdirlen = 0;
    tb_frame f;
    tb_sym s = {&f, 0, 1, 0, NULL, 0};
    backtrace_pcinfo(tb_state, (uintptr_t)&gocc_tb_init, tb_pcinfo, tb_error, &s);
    if (s.n != 1)
        return;
    char *slash = strrchr(f.file, '/');
    if (!slash)
        return;
    tb_rtdirlen = (int)(slash - f.file) + 1;
    memcpy(tb_rtdir, f.file, (size_t)tb_rtdirlen);
    tb_rtdir[tb_rtdirlen] = 0;
}

static int tb_isruntime(const tb_frame *f)
{
    if (f->file[0])
        return tb_rtdirlen > 0 && !strncmp(f->file, tb_rtdir, (size_t)tb_rtdirlen) &&
               !strchr(f->file + tb_rtdirlen, '/');
    /* No line info: the runtime's exported entry points, Boost's switch code, the signal return trampoline
     * and the main adaptor (the user's main runs as gocc__main_body). */
    return (!strncmp(f->fn, "gocc_", 5) && strcmp(f->fn, "gocc__main_body") && strncmp(f->fn, "gocc__go_", 9)) ||
           strstr(f->fn, "_fcontext") || !strcmp(f->fn, "__restore_rt");
}

/* Symbolizes tb into fr (up to max frames). */
static int tb_symbolize(const gocc_tb *tb, tb_frame *fr, int max)
{
    if (tb_rtdirlen < 0)
        tb_rtdir_init();
    int n = 0;
    for (int i = 0; i < tb->n && n < max; i++) {
        tb_sym s = {fr + n, 0, max - n, tb->pc[i], NULL, 0};
        backtrace_syminfo(tb_state, tb->pc[i], tb_syminfo, tb_error, &s);
        backtrace_pcinfo(tb_state, tb->pc[i], tb_pcinfo, tb_error, &s);
        if (s.n == 0) {
            /* No debug info for this pc: the symbol table's name, or the dynamic loader's for a system
             * library (left out of libbacktrace's view, see above). */
            tb_frame *f = &fr[n];
            f->file[0] = 0;
            f->line = 0;
            f->pc = tb->pc[i];
            f->lib = NULL;
            Dl_info di;
            if (!s.symname && dladdr((void *)tb->pc[i], &di)) {
                s.symname = di.dli_sname;
                s.symval = (uintptr_t)di.dli_saddr;
                f->lib = di.dli_fname;
            }
            tb_copy(f->fn, sizeof f->fn, s.symname ? s.symname : "?");
            s.n = 1;
        }
        for (int k = 0; k < s.n; k++) {
            tb_frame *f = &fr[n + k];
            /* tb's pcs point into the call instruction; Go prints the offset of the return address.
             * The frame a signal interrupted has its exact pc, printed as is (Go's too). */
            f->off = s.symname && s.symval <= tb->pc[i] ? tb->pc[i] + (i == tb->exact ? 0 : 1) - s.symval : 0;
            if (!f->fn[0])
                tb_copy(f->fn, sizeof f->fn, s.symname ? s.symname : "?");
            f->runtime = tb_isruntime(f);
        }
        n += s.n;
    }
    return n;
}

/* The name a .gc programmer knows a function by. */
static const char *tb_name(const char *fn)
{
    if (!strcmp(fn, "gocc__main_body"))
        return "main";
    return fn;
}

int gocc_tb_write(int fd, const gocc_tb *tb, const gocc_g *g)
{
    static tb_frame fr[TB_FRAMES];   /* reports are serialized by the dying flag; keeps signal stacks small */
    gocc_wbuf w;
    w.fd = fd;
    w.n = 0;
    if (!tb_state || tb->n == 0) {
        gocc_wbuf_flush(&w);
        return 0;
    }
    int n = tb_symbolize(tb, fr, TB_FRAMES);
    int system = tb_levelv >= GOCC_TB_SYSTEM;
    int shown = 0, lines = 0;
    for (int i = 0; i < n; i++) {
        tb_frame *f = &fr[i];
        if (!system) {
            if (f->runtime || !strcmp(f->fn, "gocc__main") || !strncmp(f->fn, "__libc_start", 12) ||
                !strcmp(f->fn, "_start") || !strcmp(f->fn, "?"))
                continue;
            /* The thunk of a go statement: it sits on the go statement's own line and only calls the
             * goroutine's function (which is listed above it, and "created by" names the line). A go block's
             * body is a thunk too, but runs lines of its own: it is listed, as Go lists a func literal. */
            if (!strncmp(f->fn, "gocc__go_", 9) && shown && (!f->file[0] || (g && g->createsite && f->line == g->createsite->line)))
                continue;
        }
        /* Recursion: one frame stands for a run of identical ones (a stack overflow would push everything
         * else out of the report). */
        int same = 0;
        while (i + 1 < n && fr[i + 1].line == f->line && !strcmp(fr[i + 1].fn, f->fn) &&
               !strcmp(fr[i + 1].file, f->file)) {
            i++;
            same++;
        }
        const char *name = tb_name(f->fn);
        if (!strncmp(name, "gocc__go_", 9))
            name = "go.func";   /* a go block's body */
        gocc_wbuf_printf(&w, "%s(...)\n", name);
        if (f->file[0]) {
            gocc_wbuf_printf(&w, "\t%s:%d +0x%lx\n", f->file, f->line, (unsigned long)f->off);
            lines++;
        } else if (f->lib) {
            gocc_wbuf_printf(&w, "\t%s pc=%#lx +0x%lx\n", f->lib, (unsigned long)f->pc, (unsigned long)f->off);
        } else {
            gocc_wbuf_printf(&w, "\t?:0 pc=%#lx +0x%lx\n", (unsigned long)f->pc, (unsigned long)f->off);
        }
        if (same)
            gocc_wbuf_printf(&w, "\t...the same frame %d more time%s...\n", same, same == 1 ? "" : "s");
        shown++;
    }
    if (tb->n == GOCC_TB_MAX)
        gocc_wbuf_printf(&w, "...additional frames elided...\n");
    gocc_wbuf_flush(&w);
    return lines;
}

void gocc_tb_write_entry(int fd, uintptr_t entry, const char *name)
{
    gocc_wbuf w;
    w.fd = fd;
    w.n = 0;
    tb_frame f;
    int n = 0;
    if (entry && tb_state) {
        gocc_tb tb;
        tb.pc[0] = entry;
        tb.n = 1;
        tb.exact = 0;   /* an entry address, not a return address */
        n = tb_symbolize(&tb, &f, 1);
    }
    if (!name || !name[0])
        name = n ? tb_name(f.fn) : "?";
    if (!strncmp(name, "gocc__go_", 9))
        name = "go.func";   /* a go block's body */
    gocc_wbuf_printf(&w, "%s(...)\n", name);
    if (n && f.file[0])
        gocc_wbuf_printf(&w, "\t%s:%d\n", f.file, f.line);
    else if (entry)
        gocc_wbuf_printf(&w, "\t?:0 pc=%#lx +0x0\n", (unsigned long)entry);
    gocc_wbuf_flush(&w);
}
