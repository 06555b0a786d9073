/* lower.h - the code generator's internal interface: the state of one
 * file's lowering and the functions the lowering modules share.
 *   lower.c   the walk (prefix lw_), symbols and scopes, includes, files
 *   chan.c    channel types and operations, for-range, loop checks (ch_)
 *   select.c  select (sl_)
 *   go.c      go statements (go_)
 *   func.c    function bodies: entry checks, defer, return, main (fn_)
 *   capture.c what go and defer statements capture (calls and blocks), the
 *             file-scope types of captured values, and the heap cells of
 *             the variables a go block shares with its function (cp_)
 *   io.c      blocking POSIX calls redirected to the runtime's (io_)
 * Every lowering runs after the constructs inside it (post-order) and
 * queues edits on its own tokens; see lower.c. */
#ifndef GOCC_LOWER_H
#define GOCC_LOWER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <tree_sitter/api.h>

#include "buf.h"
#include "codegen.h"
#include "edit.h"

/* Diagnostic pragmas around code that draws a warning on purpose, on one line (every line keeps its
 * number): a copy that hides the variable it copies (a defer block's), a function's own declaration of a
 * type that a go block needs copied to file scope (capture.c), main renamed (func.c). */
#define GOCC_PRAGMA_PUSH "_Pragma(\"GCC diagnostic push\")"
#define GOCC_PRAGMA_IGNORE(w) "_Pragma(\"GCC diagnostic ignored \\\"" w "\\\"\")"
#define GOCC_PRAGMA_NOSHADOW GOCC_PRAGMA_PUSH " " GOCC_PRAGMA_IGNORE("-Wshadow")
#define GOCC_PRAGMA_POP "_Pragma(\"GCC diagnostic pop\")"

/* tree helpers */
/* (the first byte decides most calls without strcmp: the walks ask this of
 * every node) */
static inline int is(TSNode n, const char *t)
{
    if (ts_node_is_null(n)) return 0;
    const char *a = ts_node_type(n);
    return a[0] == t[0] && strcmp(a, t) == 0;
}
static inline TSNode fld(TSNode n, const char *f) { return ts_node_child_by_field_name(n, f, (uint32_t)strlen(f)); }
static inline size_t S(TSNode n) { return ts_node_start_byte(n); }
static inline size_t E(TSNode n) { return ts_node_end_byte(n); }
static inline unsigned line(TSNode n) { return ts_node_start_point(n).row + 1; }
static inline uint32_t nkids(TSNode n) { return ts_node_child_count(n); }
static inline TSNode kid(TSNode n, uint32_t i) { return ts_node_child(n, i); }

enum { SYM_GLOBAL, SYM_LOCAL, SYM_PARAM, SYM_STATIC, SYM_TYPEDEF, SYM_TAG, SYM_ENUMCONST };

typedef struct lw_sym {
    char *name;   /* tags are "struct X", "union X", "enum X" */
    int kind;
    TSNode decl;  /* declaration, parameter_declaration, for_range_statement, select_receive */
    TSNode dtor;  /* the declarator without initializer */
    TSNode init;  /* its initializer, if any (for __auto_type) */
    int spos;     /* its place in the scope stack when declared */
    int hnext;    /* the previous symbol in its hash chain (lw_lookup), or -1 */
} lw_sym;

typedef struct lw_res { /* identifier at byte `at` names symbol `sym` */
    size_t at;
    int sym;
} lw_res;

typedef struct lw_defer_block { /* a defer block whose opener waits for fn_finish */
    TSNode n;
    int k, base, heap;
    int edit;         /* the index of its opener in the edit queue */
} lw_defer_block;

typedef struct lw_fn { /* a function body: a definition or a go block */
    struct lw_fn *up;
    TSNode def;       /* function_definition, or go_statement */
    TSNode body;
    int is_go, is_main;
    int sym_base;     /* symbols with ids >= this are declared inside */
    int has_defer;
    int loops;        /* loop nesting inside this body */
    int in_defer;     /* inside a defer block */
    TSNode *rets;     /* return statements of this body (not in defer blocks) */
    int nrets, caprets;
    lw_defer_block *dblocks; /* its defer blocks (see fn_defer) */
    int ndblocks;
    int cell_recs;    /* it drops cells through its defer list (capture.c) */
} lw_fn;

typedef struct cp_go { /* a go block seen by the first pass (capture.c) */
    TSNode n;
    int sym_base;
    size_t *loops;  /* the starts of the loops enclosing it, outermost first */
    int nloops;
} cp_go;

typedef struct lw_tr lw_tr;

typedef struct lw {
    lw_tr *tr;
    const char *path;
    const char *src;
    size_t len;
    int is_header;
    ed_buf ed;
    lw_sym *syms;
    int nsyms, capsyms;
    int *scope; /* stack of symbol ids; -1 separates frames */
    int nscope, capscope;
    int *hhead;   /* lw_lookup's hash index: chain heads, hcap of them */
    int hcap, hindexed; /* symbols 0..hindexed-1 are in the index */
    lw_res *res;
    int nres, capres;
    lw_fn *fn;
    sb lifted;  /* file-scope text for the current top-level function */
    int errors;
    TSNode subst;          /* env_expr renders this node as subst_text */
    const char *subst_text;
    /* capture.c: a top-level function whose go blocks share variables is
     * lowered twice; the first pass (1) finds the shared variables, the
     * second (2) lowers them to cells. 0: outside such a function. */
    int pass;
    unsigned char *cell; /* per symbol id: 1 if it lives in a cell */
    int capcell;
    cp_go *gos;          /* the first pass's go blocks */
    int ngos, capgos;
    size_t *dfns;        /* body offsets of the functions with defers */
    int ndfns, capdfns;
    size_t *hoisted;     /* local type declarations copied to file scope */
    int nhoisted, caphoisted;
    int hoisting;        /* capture.c's sym_decl: local types are hoisted */
    size_t *loops;       /* the starts of the loops the walk is in, outermost first */
    int nloops, caploops;
} lw;

/* One translation: the .gc file and every quoted header it reaches. */
struct lw_tr {
    const cg_options *opt;
    cg_result *out;
    int counter; /* numbering for gocc__<kind>_<n>, shared so headers never clash */
    char **user_names; /* file-scope declarations and #defines of every file (lw_user_name) */
    int nuser_names, capuser_names;
    int errors;
};


/* lower.c: the walk, symbols and scopes, includes, files */
TSNode lw_tok(TSNode n, const char *t);
const char *lw_field_of(TSNode parent, uint32_t i);
void lw_err(lw *w, TSNode at, const char *fmt, const char *arg);
char *lw_text(lw *w, TSNode n);
int lw_block_splittable(lw *w, TSNode body); /* `{ CHECK; { ... } }` may go around body's contents */
char *lw_render(lw *w, TSNode n);
int lw_next_id(lw *w);
void lw_push_frame(lw *w);
void lw_pop_frame(lw *w);
int lw_add_sym(lw *w, const char *name, int kind, TSNode decl, TSNode dtor);
int lw_lookup(lw *w, const char *name);
int lw_lookup_n(lw *w, TSNode id);
/* The builtin-name decision, one for every lowering that gives a plain
 * name a gc meaning (len/cap/close, free of a channel, a redirected call):
 * 1 when the program gives `name` a meaning of its own, which then wins: a
 * declaration in scope or at file scope of the .gc file or of any quoted
 * header translated so far, a #define of it in those files, or a macro of
 * the translation unit as the C preprocessor sees it (-D, system and <>
 * headers; asked of cg_options.is_macro, lazily). */
int lw_user_name(lw *w, const char *name);
void lw_add_res(lw *w, size_t at, int sym);
int lw_res_at(lw *w, size_t at);
void lw_walk(lw *w, TSNode n);
void lw_walk_kids(lw *w, TSNode n);
TSNode lw_walk_dtor(lw *w, TSNode d, TSNode *bare);
void lw_walk_specs(lw *w, TSNode decl);
void lw_quote_path(sb *b, const char *p);
int lw_direct_callee(lw *w, TSNode call);

/* chan.c: channel types, make, send, receive, len/cap/close, for-range, loops */
void ch_type(lw *w, TSNode n);
void ch_make(lw *w, TSNode n);
TSNode ch_make_typedef(lw *w, TSNode n);
void ch_make_call(lw *w, TSNode n);
void ch_recv_expr(lw *w, TSNode n);
int ch_time_after(lw *w, TSNode ch, TSNode *arg);
void ch_send(lw *w, TSNode n);
void ch_recv_stmt(lw *w, TSNode n);
void ch_builtin(lw *w, TSNode n);
int ch_is_builtin(lw *w, TSNode n);
int ch_elem_is_array(lw *w, TSNode c);
void ch_builtin_parts(lw *w, TSNode n, char **pre, char **post);
void ch_loop_check(lw *w, TSNode loop);
void ch_for_range(lw *w, TSNode n);

/* select.c */
void sl_select(lw *w, TSNode n);
TSNode sl_receive_channel(TSNode rcv);

/* go.c: go statements (leaves of the walk; capture.c decides what they capture) */
typedef struct cp_env cp_env;
void go_call(lw *w, TSNode n);
void go_block_emit(lw *w, TSNode n, cp_env *g);

/* capture.c: what go f(...), defer f(...), go { } and defer { } capture,
 * the file-scope types of captured values, shared variables (cells) */
struct cp_env { /* a go block's lowering between its two steps */
    int k, ns;
    sb env;  /* file-scope environment types */
    sb in;   /* the lifted function's prologue: the captured variables */
    sb out;  /* the text that replaces the go statement */
};
int cp_block_env(lw *w, TSNode n, int sym_base, cp_env *g);
void cp_env_free(cp_env *g);
typedef struct cp_call { /* the call of a go or defer statement (cp_call_capture) */
    int direct;     /* the callee is written by name where the call runs: no fn value */
    TSNode *args;   /* the arguments taken as values at the statement (members a0, a1, ...) */
    int nargs;
    char *run;      /* the call where it runs, on the record's members */
} cp_call;
void cp_call_capture(lw *w, TSNode call, const char *rec, cp_call *c);
void cp_call_free(cp_call *c);
int cp_call_env(lw *w, TSNode n, TSNode call, int k, sb *b);
void cp_value_type(lw *w, TSNode e, int k, sb *b);
int cp_defer_block_captures(lw *w, lw_fn *f, TSNode n, int base, int **caps);
void cp_go_seen(lw *w, TSNode n, int sym_base);
void cp_loop_enter(lw *w, TSNode loop);
void cp_loop_leave(lw *w);
int cp_is_cell(lw *w, int s);
int cp_is_ref(lw *w, int s);
void cp_use(lw *w, TSNode id, int s);
void cp_declare(lw *w, TSNode d, TSNode bare, TSNode name, int s);
void cp_params(lw *w, lw_fn *f, int from, int to, sb *prefix);
void cp_for(lw *w, TSNode n, int from, int to);
int cp_range_decl(lw *w, int s, const char *spec, const char *pre, const char *post, const char *init, sb *out);
void cp_fn_done(lw *w, lw_fn *f);
int cp_needs_defer_list(lw *w, lw_fn *f);
void cp_definition(lw *w, TSNode n, void (*lower)(lw *w, TSNode n));
void cp_free(lw *w);
int cp_hoist_types(lw *w, TSNode n, const int *syms, int ns, int before);
/* 1 if local type or enumeration constant s has been copied to file scope. */
int cp_hoisted(lw *w, int s);

/* func.c: function bodies, defer, return, main */
void fn_definition(lw *w, TSNode n);
void fn_defer(lw *w, TSNode n, int k, int base);
void fn_push_ret(lw_fn *f, TSNode r);
void fn_walk_body(lw *w, lw_fn *f);
void fn_finish(lw *w, lw_fn *f, const char *prefix);

/* io.c: read, write, accept, sleep, ... -> gocc_io_* (park the goroutine) */
void io_call(lw *w, TSNode n);
/* The opening of a redirected call of name, "gocc_io_NAME(GOCC_HERE" (malloc'd; the arguments
 * follow, each after ", "), or NULL when name is not redirected. For go and defer, which write
 * their call in a runner. */
char *io_callee(lw *w, const char *name);
void io_identifier(lw *w, TSNode n); /* errno -> (*gocc_errno()) */
void io_include(lw *w, TSNode n);    /* after an #include: errno redefined as (*gocc_errno()) */

#endif
