/*
 * translate.c: a libFuzzer target for the translator (frontend + codegen).
 * Each input is written to a file in a private directory and translated with
 * cg_translate, as `gocc --translate` does; the target checks that nothing
 * crashes, leaks or reads out of bounds (AddressSanitizer), whatever the
 * bytes. tests/fuzz/run builds it and runs it with -close_fd_mask=2, so the
 * diagnostics go nowhere while libFuzzer still reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codegen.h"

static char dir[] = "/tmp/gocc-fuzz-XXXXXX";
static char path[sizeof dir + 16];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/in.gc", dir);
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    if (fclose(f) != 0) abort();
    cg_result res;
    static const cg_options opt = {0};
    if (cg_translate(path, &opt, &res) == 0) {
        /* every output file has its text (NUL bytes pass through, so the
         * length is not the string's) */
        for (int i = 0; i < res.nfiles; i++)
            if (!res.files[i].text) abort();
        cg_result_free(&res);
    }
    return 0;
}
