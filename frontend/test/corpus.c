/*
 * corpus: runs tree-sitter corpus files (test/corpus/NAME.txt) against the
 * committed gc parser through libtree-sitter, so the frontend suite needs no
 * tree-sitter CLI.
 *
 *   corpus FILE...        prints "ok   FILE: NAME" or "FAIL FILE: NAME" with
 *                         the expected and the actual tree, then
 *                         "corpus: N passed, N failed"; exits 1 on a failure.
 *
 * The file format and the comparison are those of `tree-sitter test`:
 *   - a case is a header (a line of three or more '=', one or more lines of
 *     name and attributes, another line of '='), the input, a divider (a line
 *     of three or more '-'; the last one before the next header counts) and
 *     the expected S-expression;
 *   - the input is the text between header and divider minus its final
 *     newline;
 *   - in the expected tree, lines whose first non-blank is ';' are comments,
 *     every run of whitespace is one space and " )" is ")";
 *   - the actual tree is ts_node_string() of the root; when the expected tree
 *     names no field (no " word: (" in it), the fields are stripped from the
 *     actual tree before comparing;
 *   - attributes: ":skip" skips the case, ":error" only requires the tree to
 *     contain an error; other attributes (":language", ":platform", ...) are
 *     not used by this project and fail the case, so a new one is not
 *     silently misread.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_gc(void);

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0, r;
  char *buf = malloc(cap + 1);
  while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) {
      char *nb = realloc(buf, (cap *= 2) + 1);
      if (!nb) free(buf);
      buf = nb;
    }
  }
  fclose(f);
  if (!buf) return NULL;
  buf[n] = 0;
  *len = n;
  return buf;
}

/* Length of the line starting at p (without its "\n" or "\r\n"). */
static size_t line_len(const char *p, const char *end) {
  const char *q = p;
  while (q < end && *q != '\n') q++;
  if (q > p && q[-1] == '\r') q--;
  return (size_t)(q - p);
}

static const char *next_line(const char *p, const char *end) {
  while (p < end && *p != '\n') p++;
  return p < end ? p + 1 : end;
}

/* A line of at least three `c`, optionally followed by a suffix that does not
 * start with `c` (tree-sitter's header/divider lines). */
static int rule_line(const char *p, size_t n, char c) {
  size_t k = 0;
  while (k < n && p[k] == c) k++;
  return k >= 3;
}

/* Normalises an S-expression in place the way tree-sitter test does:
 * comment lines dropped, whitespace runs to one space, trimmed, " )" -> ")". */
static char *normalise(const char *s, size_t n) {
  char *out = malloc(n + 1);
  size_t o = 0;
  const char *p = s, *end = s + n;
  while (p < end) {
    size_t l = line_len(p, end);
    size_t k = 0;
    while (k < l && isspace((unsigned char)p[k])) k++;
    if (!(k < l && p[k] == ';')) {
      for (size_t i = 0; i < l; i++) {
        char ch = p[i];
        if (isspace((unsigned char)ch)) ch = ' ';
        if (ch == ' ' && (o == 0 || out[o - 1] == ' ')) continue;
        out[o++] = ch;
      }
      if (o && out[o - 1] != ' ') out[o++] = ' ';
    }
    p = next_line(p, end);
  }
  while (o && out[o - 1] == ' ') o--;
  out[o] = 0;
  /* " )" -> ")" */
  size_t w = 0;
  for (size_t r = 0; r < o; r++) {
    if (out[r] == ' ' && out[r + 1] == ')') continue;
    out[w++] = out[r];
  }
  out[w] = 0;
  return out;
}

static int word_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* Does the S-expression contain " word: (" ? */
static int has_fields(const char *s) {
  for (const char *p = s; (p = strstr(p, ": (")) != NULL; p++) {
    const char *q = p;
    while (q > s && word_char(q[-1])) q--;
    if (q < p && q > s && q[-1] == ' ') return 1;
  }
  return 0;
}

/* Removes every " word: (" field label (keeping " ("), in place. */
static void strip_fields(char *s) {
  size_t w = 0, n = strlen(s);
  for (size_t r = 0; r < n;) {
    if (s[r] == ' ') {
      size_t q = r + 1;
      while (q < n && word_char(s[q])) q++;
      if (q > r + 1 && q + 2 < n && s[q] == ':' && s[q + 1] == ' ' &&
          s[q + 2] == '(') {
        s[w++] = ' ';
        r = q + 2;
        continue;
      }
    }
    s[w++] = s[r++];
  }
  s[w] = 0;
}

struct counts {
  int passed, failed, skipped;
};

static void run_case(TSParser *parser, const char *file, const char *name,
                     size_t name_len, int skip, int error, int unknown_attr,
                     const char *input, size_t input_len, const char *expect,
                     size_t expect_len, struct counts *c) {
  if (skip) {
    printf("skip %s: %.*s\n", file, (int)name_len, name);
    c->skipped++;
    return;
  }
  if (unknown_attr) {
    printf("FAIL %s: %.*s: unknown attribute\n", file, (int)name_len, name);
    c->failed++;
    return;
  }
  TSTree *tree = ts_parser_parse_string(parser, NULL, input, (uint32_t)input_len);
  TSNode root = ts_tree_root_node(tree);
  char *want = normalise(expect, expect_len);
  char *got = ts_node_string(root);
  if (!has_fields(want)) strip_fields(got);
  int ok = error ? ts_node_has_error(root) : strcmp(want, got) == 0;
  if (ok) {
    printf("ok   %s: %.*s\n", file, (int)name_len, name);
    c->passed++;
  } else {
    printf("FAIL %s: %.*s\n", file, (int)name_len, name);
    if (error)
      printf("  expected an error in the tree, got\n    %s\n", got);
    else
      printf("  expected\n    %s\n  got\n    %s\n", want, got);
    c->failed++;
  }
  free(got);
  free(want);
  ts_tree_delete(tree);
}

static int run_file(TSParser *parser, const char *path, struct counts *c) {
  size_t len;
  char *text = slurp(path, &len);
  if (!text) {
    printf("FAIL %s: cannot read\n", path);
    c->failed++;
    return 0;
  }
  const char *p = text, *end = text + len;
  int cases = 0;
  /* Skip to the first header. */
  while (p < end && !rule_line(p, line_len(p, end), '=')) p = next_line(p, end);
  while (p < end) {
    /* Header: ===, name and attribute lines, ===. */
    p = next_line(p, end);
    const char *name = NULL;
    size_t name_len = 0;
    int skip = 0, error = 0, unknown = 0;
    while (p < end && !rule_line(p, line_len(p, end), '=')) {
      size_t l = line_len(p, end);
      if (l && p[0] == ':') {
        if (l >= 5 && strncmp(p, ":skip", 5) == 0) skip = 1;
        else if (l >= 6 && strncmp(p, ":error", 6) == 0) error = 1;
        else unknown = 1;
      } else if (!name) {
        name = p;
        name_len = l;
        while (name_len && isspace((unsigned char)name[name_len - 1])) name_len--;
      }
      p = next_line(p, end);
    }
    if (p >= end) {
      printf("FAIL %s: header without a closing line\n", path);
      c->failed++;
      break;
    }
    p = next_line(p, end);
    /* Body up to the next header; the last divider in it splits it. */
    const char *body = p, *divider = NULL, *after = NULL;
    while (p < end) {
      size_t l = line_len(p, end);
      /* A header starts with a rule of '=' followed by a non-rule line. */
      if (rule_line(p, l, '=')) break;
      if (rule_line(p, l, '-')) {
        divider = p;
        after = next_line(p, end);
      }
      p = next_line(p, end);
    }
    if (!divider) {
      printf("FAIL %s: %.*s: no divider\n", path, (int)name_len, name ? name : "");
      c->failed++;
      continue;
    }
    size_t input_len = (size_t)(divider - body);
    /* tree-sitter drops the input's last newline (one, with its '\r'). */
    if (input_len && body[input_len - 1] == '\n') input_len--;
    if (input_len && body[input_len - 1] == '\r') input_len--;
    run_case(parser, path, name ? name : "", name_len, skip, error, unknown,
             body, input_len, after, (size_t)(p - after), c);
    cases++;
  }
  free(text);
  if (cases == 0) {
    printf("FAIL %s: no test case\n", path);
    c->failed++;
  }
  return cases;
}

int main(int argc, char **argv) {
  TSParser *parser = ts_parser_new();
  if (!ts_parser_set_language(parser, tree_sitter_gc())) {
    fprintf(stderr, "corpus: cannot load the gc language (ABI mismatch?)\n");
    return 2;
  }
  struct counts c = {0, 0, 0};
  for (int i = 1; i < argc; i++) run_file(parser, argv[i], &c);
  ts_parser_delete(parser);
  if (c.skipped) printf("corpus: %d skipped\n", c.skipped);
  printf("corpus: %d passed, %d failed\n", c.passed, c.failed);
  return c.failed ? 1 : 0;
}
