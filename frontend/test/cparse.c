/*
 * cparse: parses a body of plain C with the gc parser and with tree-sitter-c's
 * own parser, file by file.
 *
 *   cparse [-v] FILE...
 *   cparse -g FILE...     gc files: each must parse with the gc parser
 *                         without any error.
 *
 * A file FAILS when the gc tree has an error (ERROR or MISSING node) and
 * tree-sitter-c's tree has none, or when both parse cleanly but the trees
 * differ (plain C must parse exactly as tree-sitter-c parses it). Files that
 * tree-sitter-c itself cannot parse are counted and skipped (with the
 * environment variable CPARSE_ALL set, those whose error-recovered trees
 * differ are listed as DIFF lines, for information only). Ends with
 * "cparse: N passed, N failed" and exits 1 if anything failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_gc(void);
const TSLanguage *tree_sitter_c(void);

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  *len = n;
  return buf;
}

/* First node (in document order) that is an error or missing. */
static int first_error(TSNode node, TSPoint *at) {
  if (!ts_node_has_error(node)) return 0;
  if (strcmp(ts_node_type(node), "ERROR") == 0 || ts_node_is_missing(node)) {
    *at = ts_node_start_point(node);
    return 1;
  }
  uint32_t n = ts_node_child_count(node);
  for (uint32_t i = 0; i < n; i++)
    if (first_error(ts_node_child(node, i), at)) return 1;
  *at = ts_node_start_point(node);
  return 1;
}

/* First place where the two trees differ (type, range, field), if any. */
static int first_difference(TSNode a, TSNode b, TSPoint *at) {
  if (strcmp(ts_node_type(a), ts_node_type(b)) != 0 ||
      ts_node_start_byte(a) != ts_node_start_byte(b) ||
      ts_node_end_byte(a) != ts_node_end_byte(b) ||
      ts_node_child_count(a) != ts_node_child_count(b)) {
    *at = ts_node_start_point(a);
    return 1;
  }
  TSTreeCursor ca = ts_tree_cursor_new(a), cb = ts_tree_cursor_new(b);
  int diff = 0;
  if (ts_tree_cursor_goto_first_child(&ca)) {
    ts_tree_cursor_goto_first_child(&cb);
    do {
      const char *fa = ts_tree_cursor_current_field_name(&ca);
      const char *fb = ts_tree_cursor_current_field_name(&cb);
      if ((fa == NULL) != (fb == NULL) || (fa && strcmp(fa, fb) != 0)) {
        *at = ts_node_start_point(ts_tree_cursor_current_node(&ca));
        diff = 1;
        break;
      }
      if (first_difference(ts_tree_cursor_current_node(&ca),
                           ts_tree_cursor_current_node(&cb), at)) {
        diff = 1;
        break;
      }
      ts_tree_cursor_goto_next_sibling(&cb);
    } while (ts_tree_cursor_goto_next_sibling(&ca));
  }
  ts_tree_cursor_delete(&ca);
  ts_tree_cursor_delete(&cb);
  return diff;
}

static int gc_files(int argc, char **argv) {
  TSParser *gc = ts_parser_new();
  ts_parser_set_language(gc, tree_sitter_gc());
  int passed = 0, failed = 0;
  for (int i = 2; i < argc; i++) {
    size_t len;
    char *src = slurp(argv[i], &len);
    if (!src) {
      printf("FAIL %s: cannot read\n", argv[i]);
      failed++;
      continue;
    }
    TSTree *t = ts_parser_parse_string(gc, NULL, src, (uint32_t)len);
    TSPoint at;
    if (first_error(ts_tree_root_node(t), &at)) {
      printf("FAIL %s:%u:%u: syntax error\n", argv[i], at.row + 1,
             at.column + 1);
      failed++;
    } else {
      passed++;
    }
    ts_tree_delete(t);
    free(src);
  }
  ts_parser_delete(gc);
  printf("gcparse: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

int main(int argc, char **argv) {
  int verbose = 0, first = 1;
  if (argc > 1 && strcmp(argv[1], "-g") == 0) return gc_files(argc, argv);
  if (argc > 1 && strcmp(argv[1], "-v") == 0) verbose = 1, first = 2;
  TSParser *gc = ts_parser_new(), *c = ts_parser_new();
  if (!ts_parser_set_language(gc, tree_sitter_gc()) ||
      !ts_parser_set_language(c, tree_sitter_c())) {
    fprintf(stderr, "cparse: cannot load a language (ABI mismatch?)\n");
    return 2;
  }
  int files = 0, passed = 0, failed = 0, c_errors = 0, unreadable = 0;
  for (int i = first; i < argc; i++) {
    size_t len;
    char *src = slurp(argv[i], &len);
    if (!src) {
      fprintf(stderr, "cparse: cannot read %s\n", argv[i]);
      unreadable++;
      failed++;
      continue;
    }
    files++;
    TSTree *tg = ts_parser_parse_string(gc, NULL, src, (uint32_t)len);
    TSTree *tc = ts_parser_parse_string(c, NULL, src, (uint32_t)len);
    TSNode rg = ts_tree_root_node(tg), rc = ts_tree_root_node(tc);
    TSPoint at;
    if (ts_node_has_error(rc)) {
      c_errors++;
      if (getenv("CPARSE_ALL") && first_difference(rg, rc, &at))
        printf("DIFF %s:%u:%u: (both with errors) trees differ\n", argv[i],
               at.row + 1, at.column + 1);
      if (verbose) printf("skip %s (tree-sitter-c has errors too)\n", argv[i]);
    } else if (ts_node_has_error(rg)) {
      first_error(rg, &at);
      printf("FAIL %s:%u:%u: gc parser error, tree-sitter-c parses it\n",
             argv[i], at.row + 1, at.column + 1);
      failed++;
    } else if (first_difference(rg, rc, &at)) {
      printf("FAIL %s:%u:%u: gc tree differs from tree-sitter-c's\n", argv[i],
             at.row + 1, at.column + 1);
      failed++;
    } else {
      if (verbose) printf("ok   %s\n", argv[i]);
      passed++;
    }
    ts_tree_delete(tg);
    ts_tree_delete(tc);
    free(src);
  }
  printf("cparse: %d files, %d same tree as tree-sitter-c, %d skipped "
         "(tree-sitter-c errors), %d unreadable\n",
         files, passed, c_errors, unreadable);
  printf("cparse: %d passed, %d failed\n", passed, failed);
  ts_parser_delete(gc);
  ts_parser_delete(c);
  return failed ? 1 : 0;
}
