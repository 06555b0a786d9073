/* codegen.h - the gc-to-C translator's interface (prefix cg_).
 *
 * cg_translate parses one .gc file, reports every syntax error as
 * FILE:LINE:COL: error: MESSAGE (with the source line and a caret) on stderr,
 * and, only when there is none, lowers it to C. The quoted headers the file
 * includes are translated too: each becomes one more output file, and the
 * generated #include directives name those outputs, which the caller writes
 * into the directory of the generated .c file. */
#ifndef GOCC_CODEGEN_H
#define GOCC_CODEGEN_H

#include <stddef.h>

typedef struct cg_file {
    char *name;   /* output name relative to the generated file's directory;
                     files[0] (the .gc file's translation) has name NULL */
    char *source; /* the file it was translated from, as resolved */
    char *text;
    size_t len;
} cg_file;

typedef struct cg_result {
    cg_file *files;
    int nfiles;
    char **srcdirs; /* directories of the translated sources, for -iquote */
    int nsrcdirs;
} cg_result;

typedef struct cg_options {
    const char **quote_dirs; /* -iquote and -I directories, in order */
    int nquote_dirs;
    /* Whether NAME is a macro of the translation unit as the C compiler
     * will see it (the driver asks the preprocessor, -dM). Called only for
     * names that a lowering would give a gc meaning (len, cap, close, ...),
     * so that the program's own macro of that name wins. May be NULL. */
    int (*is_macro)(void *ctx, const char *name);
    void *macro_ctx;
} cg_options;

/* Returns 0 on success; otherwise the number of errors (already reported),
 * and *res holds nothing. */
int cg_translate(const char *path, const cg_options *opt, cg_result *res);
void cg_result_free(cg_result *res);

#endif
