/*
 * External scanner of the gc grammar: decides when the words go, defer,
 * select, chan and make are keywords. The grammar has no string token for
 * them, so the ordinary lexer always reads them as identifiers; this scanner
 * claims the word as a keyword only where the parser could accept the
 * construct AND the text after the word looks like that construct:
 *
 *   go, defer  before `{`, before an identifier-start character, or before a
 *              parenthesised group that is itself followed by `(`
 *              (`go (*fp)(x);`). So `go(x);`, `go = 1;`, `go++` stay C.
 *   select     before `{` only. `select(nfds, ...)` stays a call.
 *   chan       before an identifier-start character (a type), before `(`,
 *              or before `<-` followed by `(` or by a word that is not
 *              itself followed by one of ; + - / % = < > ! & | ^ ? .
 *              (so `chan <- v;` is a send on a variable named chan).
 *   make       before `(` whose first word is `chan`, or `<-` then `chan`
 *              (`make(<-chan string)`, a receive-only channel).
 *
 * Whitespace, backslash-newlines and comments may separate the word from
 * what follows. The scanner keeps no state.
 */
#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum TokenType {
  GO_KEYWORD,
  DEFER_KEYWORD,
  SELECT_KEYWORD,
  CHAN_KEYWORD,
  MAKE_KEYWORD,
  ERROR_SENTINEL,
};

static bool ident_start(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '$' || c >= 0x80;
}

static bool ident_char(int32_t c) {
  return ident_start(c) || (c >= '0' && c <= '9');
}

static void step(TSLexer *lexer) { lexer->advance(lexer, false); }

/* Skips blanks, backslash-newlines and comments (the token end is already
 * marked, so what is read here only serves as lookahead). */
static void skip_gap(TSLexer *lexer) {
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer)) return;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        c == '\v') {
      step(lexer);
    } else if (c == '\\') {
      step(lexer);
      if (lexer->lookahead == '\r') step(lexer);
      if (lexer->lookahead != '\n') return;
      step(lexer);
    } else if (c == '/') {
      step(lexer);
      if (lexer->lookahead == '/') {
        while (!lexer->eof(lexer) && lexer->lookahead != '\n') step(lexer);
      } else if (lexer->lookahead == '*') {
        step(lexer);
        bool star = false;
        for (;;) {
          if (lexer->eof(lexer)) return;
          int32_t d = lexer->lookahead;
          step(lexer);
          if (star && d == '/') break;
          star = d == '*';
        }
      } else {
        /* A lone '/': leave it; callers see a non-matching character. Make
         * them see '/' rather than what follows it. */
        return;
      }
    } else {
      return;
    }
  }
}

/* Lookahead is '('. Skips the balanced group (string and character literals
 * inside are skipped whole). Returns false at end of input. */
static bool skip_parens(TSLexer *lexer) {
  int depth = 0;
  while (!lexer->eof(lexer)) {
    int32_t c = lexer->lookahead;
    step(lexer);
    if (c == '(') {
      depth++;
    } else if (c == ')') {
      if (--depth == 0) return true;
    } else if (c == '"' || c == '\'') {
      while (!lexer->eof(lexer) && lexer->lookahead != c &&
             lexer->lookahead != '\n') {
        if (lexer->lookahead == '\\') step(lexer);
        step(lexer);
      }
      if (!lexer->eof(lexer)) step(lexer);
    }
  }
  return false;
}

/* After `go` / `defer`. */
static bool starts_go_operand(TSLexer *lexer) {
  int32_t c = lexer->lookahead;
  if (c == '{' || ident_start(c)) return true;
  if (c != '(') return false;
  if (!skip_parens(lexer)) return false;
  skip_gap(lexer);
  return lexer->lookahead == '(';
}

/* After `chan`. */
static bool starts_chan_element(TSLexer *lexer) {
  int32_t c = lexer->lookahead;
  if (ident_start(c) || c == '(') return true;
  if (c != '<') return false;
  step(lexer);
  if (lexer->lookahead != '-') return false;
  step(lexer);
  skip_gap(lexer);
  if (lexer->lookahead == '(') return true;
  if (!ident_start(lexer->lookahead)) return false;
  /* `chan<- T x` declares; `chan <- v;` or `chan <- v + 1;` sends on a
   * variable named chan: a type is never followed by these characters. */
  while (ident_char(lexer->lookahead)) step(lexer);
  skip_gap(lexer);
  c = lexer->lookahead;
  return c == 0 || c >= 0x80 || strchr(";+-/%=<>!&|^?.", (int)c) == NULL;
}

/* After `make`: `(`, optionally `<-`, then the word `chan`. */
static bool starts_make_operand(TSLexer *lexer) {
  if (lexer->lookahead != '(') return false;
  step(lexer);
  skip_gap(lexer);
  if (lexer->lookahead == '<') {
    step(lexer);
    if (lexer->lookahead != '-') return false;
    step(lexer);
    skip_gap(lexer);
  }
  const char *w = "chan";
  for (int i = 0; w[i]; i++) {
    if (lexer->lookahead != w[i]) return false;
    step(lexer);
  }
  return !ident_char(lexer->lookahead);
}

void *tree_sitter_gc_external_scanner_create(void) { return NULL; }
void tree_sitter_gc_external_scanner_destroy(void *payload) { (void)payload; }
unsigned tree_sitter_gc_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}
void tree_sitter_gc_external_scanner_deserialize(void *payload,
                                                 const char *buffer,
                                                 unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

bool tree_sitter_gc_external_scanner_scan(void *payload, TSLexer *lexer,
                                          const bool *valid_symbols) {
  (void)payload;
  if (valid_symbols[ERROR_SENTINEL]) return false;
  if (!valid_symbols[GO_KEYWORD] && !valid_symbols[DEFER_KEYWORD] &&
      !valid_symbols[SELECT_KEYWORD] && !valid_symbols[CHAN_KEYWORD] &&
      !valid_symbols[MAKE_KEYWORD])
    return false;

  while (lexer->lookahead == ' ' || lexer->lookahead == '\t' ||
         lexer->lookahead == '\n' || lexer->lookahead == '\r' ||
         lexer->lookahead == '\f' || lexer->lookahead == '\v')
    lexer->advance(lexer, true);

  /* Read the word; keywords are at most 6 characters long, and start with
   * one of these letters (most words here are not keywords: the scanner
   * runs wherever a type or a statement may start). */
  char word[8];
  int len = 0;
  int32_t first = lexer->lookahead;
  if (first != 'g' && first != 'd' && first != 's' && first != 'c' && first != 'm') return false;
  while (ident_char(lexer->lookahead)) {
    if (len >= 7) return false;
    word[len++] = (char)lexer->lookahead;
    step(lexer);
  }
  word[len] = 0;
  lexer->mark_end(lexer);
  skip_gap(lexer);

  if (valid_symbols[GO_KEYWORD] && strcmp(word, "go") == 0) {
    if (!starts_go_operand(lexer)) return false;
    lexer->result_symbol = GO_KEYWORD;
    return true;
  }
  if (valid_symbols[DEFER_KEYWORD] && strcmp(word, "defer") == 0) {
    if (!starts_go_operand(lexer)) return false;
    lexer->result_symbol = DEFER_KEYWORD;
    return true;
  }
  if (valid_symbols[SELECT_KEYWORD] && strcmp(word, "select") == 0) {
    if (lexer->lookahead != '{') return false;
    lexer->result_symbol = SELECT_KEYWORD;
    return true;
  }
  if (valid_symbols[CHAN_KEYWORD] && strcmp(word, "chan") == 0) {
    if (!starts_chan_element(lexer)) return false;
    lexer->result_symbol = CHAN_KEYWORD;
    return true;
  }
  if (valid_symbols[MAKE_KEYWORD] && strcmp(word, "make") == 0) {
    if (!starts_make_operand(lexer)) return false;
    lexer->result_symbol = MAKE_KEYWORD;
    return true;
  }
  return false;
}
