# gocc-gdb.py - gdb support for gc programs: goroutines.
#
# Every gocc program carries this script in its .debug_gdb_scripts section
# (runtime/traceback.c embeds it), so gdb loads it by itself once the program's
# directory is in gdb's auto-load safe-path (`set auto-load safe-path /`, or
# `add-auto-load-safe-path DIR` in ~/.gdbinit); `source
# PREFIX/share/gocc/gocc-gdb.py` loads it by hand. Commands:
#
#   info goroutines        every goroutine: id, state / wait reason, the .gc
#                          location it stands at, the go statement that made it
#   goroutine N bt         the call chain of goroutine N (GDB's own backtrace)
#   goroutine N CMD        any command (frame, info locals, ...) on N's stack
#
# A parked goroutine's registers are the Boost.Context x86_64 SysV fcontext that
# its switch-out saved on its stack (g->ctx): 0x40 bytes of mxcsr/x87 control
# word, r12, r13, r14, r15, rbx, rbp and the return address; its stack pointer
# is ctx + 0x40. "goroutine N CMD" loads those into the selected thread, runs
# CMD and puts the thread's own registers back, as Go's runtime-gdb.py does. A
# core file's registers cannot be written: there a frame unwinder stands in
# (GoroutineUnwinder), which makes the goroutine's saved registers the caller
# of the selected thread's innermost frame, so frame #0 stays the thread's own
# and the goroutine's chain starts at #1. A running goroutine is shown on the
# thread that runs it.
#
# The script reads the runtime's records directly (no function of the program
# is called): the g records live in slabs listed in stack.c's `mem`.

import gdb
import gdb.unwinder

G_RUNNABLE, G_RUNNING, G_WAITING = 1, 2, 3
STATUS = {G_RUNNABLE: "runnable", G_RUNNING: "running", G_WAITING: "waiting"}
FCTX_REGS = [("r12", 0x08), ("r13", 0x10), ("r14", 0x18), ("r15", 0x20), ("rbx", 0x28), ("rbp", 0x30)]


def _enum(name, default):
    try:
        return int(gdb.parse_and_eval(name))
    except gdb.error:
        return default


def _cstr(v):
    try:
        if int(v) == 0:
            return None
        return v.string()
    except gdb.error:
        return None


def _site(v):
    try:
        if int(v) == 0:
            return None
        return "%s:%d" % (v["file"].string(), int(v["line"]))
    except gdb.error:
        return None


def goroutines():
    """Every live g record (runnable, running or waiting), as gdb.Values of gocc_g *."""
    gtype = gdb.lookup_type("struct gocc_g")
    gptr = gtype.pointer()
    mem = gdb.parse_and_eval("'stack.c'::mem")
    nslabs = int(mem["nslabs"])
    gcarved = int(mem["gcarved"])
    perslab = (2 << 20) // gtype.sizeof       # GSLAB / sizeof(gocc_g), as stack.c carves them
    live = (_enum("G_RUNNABLE", G_RUNNABLE), _enum("G_RUNNING", G_RUNNING), _enum("G_WAITING", G_WAITING))
    out = []
    for s in range(nslabs):
        base = mem["slabs"][s].cast(gptr)
        n = gcarved if s == nslabs - 1 else perslab
        for i in range(n):
            g = base + i
            if int(g["status"]) in live and not int(g["thread"]):
                out.append(g)
    out.sort(key=lambda g: int(g["goid"]))
    return out


def find(goid):
    for g in goroutines():
        if int(g["goid"]) == goid:
            return g
    return None


def _runtime_dir():
    try:
        sym = gdb.lookup_global_symbol("gocc_go")
        full = sym.symtab.fullname()
        return full[: full.rfind("/") + 1]
    except Exception:
        return None


def _is_runtime(frame, rtdir):
    sal = frame.find_sal()
    if sal.symtab is None:
        name = frame.name() or ""
        return name.startswith("gocc_") or "fcontext" in name or name == ""
    full = sal.symtab.fullname()
    return rtdir is not None and full.startswith(rtdir) and "/" not in full[len(rtdir):]


def _user_location(start=None):
    """The innermost frame outside the runtime, of the registers now loaded (from frame start, default the
    newest): 'func at file:line'."""
    rtdir = _runtime_dir()
    f = start or gdb.newest_frame()
    depth = 0
    while f is not None and depth < 64:
        if not _is_runtime(f, rtdir):
            sal = f.find_sal()
            name = f.name() or "??"
            if name == "gocc__main_body":
                name = "main"
            if sal.symtab is not None:
                return "%s at %s:%d" % (name, sal.symtab.filename, sal.line)
            return "%s pc=%#x" % (name, f.pc())
        try:
            f = f.older()
        except gdb.error:
            break
        depth += 1
    return None


def _running_thread(g):
    """The gdb thread whose m runs g, if any."""
    want = int(g)
    for t in gdb.selected_inferior().threads():
        try:
            t.switch()
            m = gdb.parse_and_eval("'sched.c'::tls_m")
            if int(m) != 0 and int(m["curg"]) == want:
                return t
        except gdb.error:
            continue
    return None


def _fctx_regs(g):
    """The registers g's last switch saved: {name: value} for rip, rsp and the callee-saved ones."""
    ctx = int(g["ctx"])
    u64 = gdb.lookup_type("unsigned long").pointer()
    rd = lambda off: int(gdb.Value(ctx + off).cast(u64).dereference())
    regs = {name: rd(off) for name, off in FCTX_REGS}
    regs["rip"] = rd(0x38)
    regs["rsp"] = ctx + 0x40
    return regs


class _FrameId:
    def __init__(self, sp, pc):
        self.sp = sp
        self.pc = pc


_unwind_regs = None   # core files: the goroutine registers the unwinder hands out, while a command runs


class GoroutineUnwinder(gdb.unwinder.Unwinder):
    """Core files: the caller of the innermost frame is the goroutine whose registers _unwind_regs holds."""

    def __init__(self):
        super().__init__("gocc-goroutine")

    def __call__(self, pending_frame):
        regs = _unwind_regs
        if regs is None or pending_frame.level() != 0:
            return None
        # The innermost frame's id takes the lowest stack address: gdb stops a backtrace whose next frame
        # lies below this one ("previous frame inner to this frame"), and a goroutine's stack may lie
        # anywhere relative to the thread's.
        pc = pending_frame.read_register("rip")
        info = pending_frame.create_unwind_info(_FrameId(gdb.Value(1).cast(pending_frame.read_register("rsp").type), pc))
        for name, v in regs.items():
            info.add_saved_register(name, gdb.Value(v).cast(pending_frame.read_register(name).type))
        return info


gdb.unwinder.register_unwinder(None, GoroutineUnwinder(), replace=True)


class SavedRegs:
    """Loads g's saved fcontext into the selected thread; restores the thread's registers on exit. Without a
    live process (a core file) the registers cannot be written: the unwinder above serves them instead."""

    def __init__(self, g):
        self.g = g
        self.core = False

    def __enter__(self):
        global _unwind_regs
        self.thread = gdb.selected_thread()
        regs = _fctx_regs(self.g)
        self.saved = {r: int(gdb.parse_and_eval("$" + r)) for r in regs}
        try:
            for name, v in regs.items():
                gdb.execute("set $%s = %d" % (name, v), to_string=True)
        except gdb.error:
            # No process (a core file), and so nothing was written: a write of an equal value may pass.
            self.core = True
            _unwind_regs = regs
            gdb.invalidate_cached_frames()
            gdb.execute("select-frame 1", to_string=True)
        return self

    def __exit__(self, *exc):
        global _unwind_regs
        self.thread.switch()
        if self.core:
            _unwind_regs = None
            gdb.invalidate_cached_frames()
        else:
            for r, v in self.saved.items():
                gdb.execute("set $%s = %d" % (r, v), to_string=True)
        gdb.execute("select-frame 0", to_string=True)
        return False


def _describe(g):
    st = int(g["status"])
    if st == _enum("G_RUNNING", G_RUNNING):
        return "running"
    if st == _enum("G_RUNNABLE", G_RUNNABLE):
        return "runnable"
    return _cstr(g["waitreason"]) or "waiting"


class InfoGoroutines(gdb.Command):
    """info goroutines: every goroutine with its state and the .gc location it stands at."""

    def __init__(self):
        super().__init__("info goroutines", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        orig = gdb.selected_thread()
        try:
            cur = int(gdb.parse_and_eval("'sched.c'::tls_m")["curg"])
        except gdb.error:
            cur = 0
        for g in goroutines():
            st = int(g["status"])
            loc = None
            if st == _enum("G_RUNNING", G_RUNNING):
                t = _running_thread(g)
                if t is not None:
                    loc = _user_location()
                    loc = (loc or "?") + " (thread %d)" % t.num
                orig.switch()
            elif int(g["ctx"]) != 0:
                try:
                    with SavedRegs(g) as r:
                        loc = _user_location(gdb.newest_frame().older() if r.core else None)
                except gdb.error:
                    loc = None
            elif _site(g["createsite"]) is not None:
                fn = _cstr(g["createsite"]["fn"])   # not run yet: the function its go statement names
                if fn:
                    loc = "%s (not started)" % fn
            if loc is None:
                loc = _site(g["waitsite"]) or "?"
            created = _site(g["createsite"])
            line = "%s %d [%s] %s" % ("*" if int(g) == cur else " ", int(g["goid"]), _describe(g), loc)
            if created:
                line += "  created by goroutine %d at %s" % (int(g["parentid"]), created)
            print(line)
        orig.switch()


class GoroutineCmd(gdb.Command):
    """goroutine N CMD: run CMD (bt, info locals, frame 2, ...) on goroutine N's stack."""

    def __init__(self):
        super().__init__("goroutine", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        parts = arg.split(None, 1)
        if len(parts) < 2:
            raise gdb.GdbError("usage: goroutine N CMD (e.g. goroutine 3 bt)")
        goid = int(parts[0])
        g = find(goid)
        if g is None:
            raise gdb.GdbError("no goroutine %d" % goid)
        orig = gdb.selected_thread()
        if int(g["status"]) == _enum("G_RUNNING", G_RUNNING):
            t = _running_thread(g)
            if t is None:
                orig.switch()
                raise gdb.GdbError("goroutine %d is running but on no thread's m (switching)" % goid)
            try:
                gdb.execute(parts[1], from_tty)
            finally:
                orig.switch()
            return
        if int(g["ctx"]) == 0:
            raise gdb.GdbError("goroutine %d has not run yet (no stack)" % goid)
        with SavedRegs(g):
            gdb.execute(parts[1], from_tty)


InfoGoroutines()
GoroutineCmd()
