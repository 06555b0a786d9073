/*
 * ctxjump.S - gocc_ctx_jump, the goroutine switch (x86-64 System V, ELF).
 *
 *   transfer_t gocc_ctx_jump(fcontext_t to, void *data);
 *
 * Same contract and the same parked-frame layout as Boost.Context's
 * jump_fcontext, so contexts made by make_fcontext, Boost's ontop_fcontext
 * (traceback.c) and gocc-gdb.py's unwinder work on either:
 *
 *   0x00  MXCSR (4 bytes)        0x04  x87 control word (2 bytes)
 *   0x08  r12   0x10  r13   0x18  r14   0x20  r15   0x28  rbx   0x30  rbp
 *   0x38  resume address (the caller's return address)
 *
 * The one difference: it neither saves nor restores the floating-point
 * control registers. Boost's routine does stmxcsr/fnstcw and ldmxcsr/fldcw on
 * every switch, and on this machine's AMD EPYC reading MXCSR alone costs about
 * 6 ns: two contexts jumping to each other take 13.3 ns per round trip with
 * Boost's routine and 5.3 ns without the four instructions (CPU time of 20M
 * round trips; loading only when the values differ still needs the read, 14.5
 * ns). So the floating-point environment (rounding mode, exception flags and
 * masks) belongs to the OS thread, as in Go, not to the goroutine: see
 * docs/language.md. The frame still gets valid control words, the defaults,
 * because ontop_fcontext loads them when a traceback enters a parked
 * goroutine (its jump back with jump_fcontext restores the values the
 * dumping thread had, which ontop_fcontext saved).
 *
 * Returns {from, data} in rax:rdx to the side that is resumed, and passes the
 * same pair as the first argument (rdi, rsi) to a context entered for the
 * first time.
 */
        .text
        .globl  gocc_ctx_jump
        .type   gocc_ctx_jump, @function
        .p2align 4
gocc_ctx_jump:
        leaq    -0x38(%rsp), %rsp       /* the frame of the context we leave */
        movl    $0x1f80, (%rsp)         /* MXCSR at power-up: all exceptions masked, round to nearest */
        movw    $0x037f, 0x4(%rsp)      /* x87 control word at power-up (finit) */
        movq    %r12, 0x8(%rsp)
        movq    %r13, 0x10(%rsp)
        movq    %r14, 0x18(%rsp)
        movq    %r15, 0x20(%rsp)
        movq    %rbx, 0x28(%rsp)
        movq    %rbp, 0x30(%rsp)
        movq    %rsp, %rax              /* from: handed to the other side */
        movq    %rdi, %rsp              /* onto the context we enter */
        movq    0x38(%rsp), %r8
        movq    0x8(%rsp), %r12
        movq    0x10(%rsp), %r13
        movq    0x18(%rsp), %r14
        movq    0x20(%rsp), %r15
        movq    0x28(%rsp), %rbx
        movq    0x30(%rsp), %rbp
        leaq    0x40(%rsp), %rsp        /* pop the frame and the resume address */
        movq    %rsi, %rdx              /* transfer_t {from, data}: returned in rax:rdx ... */
        movq    %rax, %rdi              /* ... and passed as the first argument */
        jmp     *%r8
        .size   gocc_ctx_jump, .-gocc_ctx_jump

/*
 *   void gocc_ctx_restart(void *top, void *arg, void (*fn)(void *));  (never returns)
 *
 * A goroutine that exits hands its stack to one that never ran (sched.c,
 * exitrestart): this moves the stack pointer to the top and calls fn(arg)
 * there, as the stack's outermost frame (the return address is undefined for
 * unwinders, and rbp is zero for frame-pointer walks). Nothing below top is
 * kept: the frames of the goroutine that exited are overwritten.
 */
        .globl  gocc_ctx_restart
        .type   gocc_ctx_restart, @function
        .p2align 4
gocc_ctx_restart:
        .cfi_startproc
        .cfi_undefined rip
        movq    %rdi, %rsp
        movq    %rsi, %rdi
        xorl    %ebp, %ebp
        callq   *%rdx
        ud2
        .cfi_endproc
        .size   gocc_ctx_restart, .-gocc_ctx_restart

        .section .note.GNU-stack,"",%progbits
