/* parse.h - tree-sitter's parse of one input under a CPU-time budget
 * (prefix ps_). */
#ifndef GOCC_PARSE_H
#define GOCC_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>

/* Parses src (len bytes) with the gc grammar. Returns the tree, or NULL
 * when the parse used more than budget_us microseconds of the calling
 * thread's CPU time (the parser is then cancelled). */
TSTree *ps_parse(const char *src, size_t len, uint64_t budget_us);

#endif
