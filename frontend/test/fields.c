/*
 * fields: checks, through tree-sitter queries, the node names and fields that
 * the code generator relies on and that corpus tests cannot show (fields on
 * anonymous tokens such as `default`, the keyword tokens themselves).
 * Prints one line per check and "fields: N passed, N failed".
 */
#include <stdio.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_gc(void);

static const char source[] =
    "void f(void) {\n"
    "  select {\n"
    "  case v = <-c1: f1();\n"
    "  case c5 <- e: f5(); f6();\n"
    "  default: f7();\n"
    "  }\n"
    "  go g(1);\n"
    "  defer { h(); }\n"
    "  chan int c = make(chan int, 4);\n"
    "  go = 1;\n"
    "}\n";

struct check {
  const char *query; /* a pattern with a capture @x */
  unsigned expected; /* number of captures @x */
};

static const struct check checks[] = {
    {"(select_case default: \"default\" @x)", 1},
    {"(select_case send: (select_send) @x)", 1},
    {"(select_case receive: (select_receive) @x)", 1},
    {"(select_case body: (_) @x)", 4},
    {"(select_statement body: (select_body (select_case) @x))", 3},
    {"(go_statement \"go\" @x call: (call_expression))", 1},
    {"(defer_statement \"defer\" @x body: (compound_statement))", 1},
    {"(channel_type \"chan\" @x element: (primitive_type))", 2},
    {"(make_expression \"make\" @x type: (channel_type) size: (number_literal))", 1},
    {"(select_statement \"select\" @x)", 1},
    {"(assignment_expression left: (identifier) @x)", 1},
    {"(ERROR) @x", 0},
};

int main(void) {
  TSParser *parser = ts_parser_new();
  ts_parser_set_language(parser, tree_sitter_gc());
  TSTree *tree = ts_parser_parse_string(parser, NULL, source, sizeof source - 1);
  TSNode root = ts_tree_root_node(tree);
  int passed = 0, failed = 0;
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
    uint32_t err_off;
    TSQueryError err;
    TSQuery *q = ts_query_new(tree_sitter_gc(), checks[i].query,
                              (uint32_t)strlen(checks[i].query), &err_off, &err);
    if (!q) {
      printf("FAIL %s: bad query (error %d at %u)\n", checks[i].query, (int)err,
             err_off);
      failed++;
      continue;
    }
    TSQueryCursor *cur = ts_query_cursor_new();
    ts_query_cursor_exec(cur, q, root);
    TSQueryMatch m;
    uint32_t ci;
    unsigned n = 0;
    while (ts_query_cursor_next_capture(cur, &m, &ci)) n++;
    if (n == checks[i].expected) {
      printf("ok   %s\n", checks[i].query);
      passed++;
    } else {
      printf("FAIL %s: %u captures, expected %u\n", checks[i].query, n,
             checks[i].expected);
      failed++;
    }
    ts_query_cursor_delete(cur);
    ts_query_delete(q);
  }
  ts_tree_delete(tree);
  ts_parser_delete(parser);
  printf("fields: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
