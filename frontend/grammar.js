/**
 * @file gc grammar for tree-sitter: C plus Go's go, chan, <-, select, defer.
 *
 * Extends tree-sitter-c the way tree-sitter-cpp does: every C rule is kept,
 * a few are widened with `($, original) => choice(original, ...)`.
 *
 * The words go, defer, select, chan and make are NOT string tokens here: if
 * they were, tree-sitter would lex them as keywords wherever they are valid and
 * C code using them as names would break. They are external tokens produced by
 * src/scanner.c, which looks at what follows the word (see README.md).
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const C = require('tree-sitter-c/grammar');

const PREC = C.PREC;

module.exports = grammar(C, {
  name: 'gc',

  externals: $ => [
    $._go_keyword,
    $._defer_keyword,
    $._select_keyword,
    $._chan_keyword,
    $._make_keyword,
    // Never valid in any parse state: when the scanner sees it valid, the
    // parser is recovering from an error and the scanner stays out of it.
    $._error_sentinel,
  ],

  conflicts: ($, original) => original.concat([
    [$._receive_target, $.expression],
    [$.type_qualifier, $.extension_expression],
  ]),

  rules: {
    // A macro may take a type where a function takes a value: va_arg(ap,
    // struct s *), NEW(struct node), ARRAY_OF(unsigned long, 4). C's grammar
    // has no such argument (only offsetof is special-cased), so valid C that
    // cc accepts would be rejected. A type is the last resort: an argument
    // that reads as an expression stays one (dynamic precedence -1).
    argument_list: $ => seq('(', commaSep(choice(
      $.expression,
      // tree-sitter-c's `__extension__ e` argument, kept (not an
      // extension_expression: precedence 1 and extension_expression's right
      // associativity settle that statically)
      prec(1, seq('__extension__', $.expression)),
      $.compound_statement,
      prec.dynamic(-1, alias($._macro_type_argument, $.type_descriptor)),
    )), ')'),

    // type_descriptor without the qualifiers that double as attribute names:
    // `__attribute__((noreturn))` must keep reading `noreturn` as a name.
    _macro_type_argument: $ => seq(
      repeat(choice('const', 'volatile', 'restrict', '_Atomic')),
      field('type', $.type_specifier),
      repeat($.type_qualifier),
      field('declarator', optional($._abstract_declarator)),
    ),

    // tree-sitter-c's identifier with any non-ASCII character where it has
    // Unicode's XID classes: the generated lexer tested every character of
    // every name against 658 ranges (a binary search: 5 % of the parse of
    // sqlite3.c), and now tests a few. C that cc accepts has the same
    // identifiers; a non-ASCII character outside a name is an error for cc
    // anyway (gocc passes it through).
    identifier: _ =>
      // eslint-disable-next-line max-len
      /([a-zA-Z_$]|[^\x00-\x7F]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})([a-zA-Z0-9_$]|[^\x00-\x7F]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*/,

    // ---- GNU forms that C code uses -----------------------------------------

    // `#define LOG(fmt, args...)`: GNU's named variadic parameter.
    preproc_params: $ => seq(
      token.immediate('('),
      commaSep(choice(seq($.identifier, optional('...')), '...')),
      ')',
    ),

    // tree-sitter-c's rule, with GNU's spellings of `signed` (`__signed__`,
    // `__signed`; glibc's headers and old code use them).
    sized_type_specifier: $ => {
      const modifier = choice('signed', 'unsigned', 'long', 'short', '__signed__', '__signed');
      const type = field('type', optional(choice(
        prec.dynamic(-1, $._type_identifier),
        $.primitive_type,
      )));
      return choice(
        seq(repeat(modifier), type, repeat1(modifier)),
        seq(repeat1(modifier), type, repeat(modifier)),
      );
    },

    // ---- types -----------------------------------------------------------

    type_specifier: ($, original) => choice(
      original,
      $.channel_type,
      $.send_channel_type,
      $.receive_channel_type,
    ),

    // chan T | chan(TYPE). As in Go, `chan<- chan int` is a send-only
    // channel of `chan int` (the `<-` goes with the leftmost chan).
    channel_type: $ => prec(1, seq(
      alias($._chan_keyword, 'chan'),
      $._channel_element,
    )),

    // chan<- T | chan<-(TYPE)
    send_channel_type: $ => seq(
      alias($._chan_keyword, 'chan'),
      '<-',
      $._channel_element,
    ),

    // <-chan T | <-chan(TYPE)
    receive_channel_type: $ => seq(
      '<-',
      alias($._chan_keyword, 'chan'),
      $._channel_element,
    ),

    _channel_element: $ => choice(
      prec.right(seq(
        repeat($.type_qualifier),
        field('element', $.type_specifier),
      )),
      seq('(', field('element', $.type_descriptor), ')'),
    ),

    _channel_type: $ => choice(
      $.channel_type,
      $.send_channel_type,
      $.receive_channel_type,
    ),

    // ---- expressions -----------------------------------------------------

    _expression_not_binary: ($, original) => choice(
      original,
      $.make_expression,
      $.receive_expression,
      $.statement_expression,
      $.builtin_available_expression,
      $.extension_expression,
    ),

    // ---- GNU and clang expressions that C code uses ----------------------

    // ({ int t = f(); t * t; }): GNU's statement expression (macros and
    // inline functions use it; tree-sitter-c takes it only as a macro
    // argument, so a function holding one had an error region).
    statement_expression: $ => seq('(', $.compound_statement, ')'),

    // `__extension__ e`: GNU's marker that silences -pedantic about e, a
    // prefix of any expression as gcc takes it (at the level of the unary
    // operators): `(__extension__ ({ ... }))`, `x = __extension__ 1LL;`,
    // `__extension__ ({ ... });`. tree-sitter-c knows the word only as a
    // declaration's type_qualifier (and before a macro argument).
    extension_expression: $ => prec.right(prec.dynamic(-1, seq(
      '__extension__',
      field('argument', $.expression),
    ))),

    // __builtin_available(macOS 10.12, iOS 10, *): clang's availability
    // check, a call whose arguments are platforms with versions.
    builtin_available_expression: $ => seq(
      '__builtin_available',
      '(',
      commaSep1(choice(
        seq(field('platform', alias($.identifier, $.platform)), field('version', $.platform_version)),
        '*',
      )),
      ')',
    ),

    platform_version: _ => token(/[0-9]+(\.[0-9]+)*/),

    // make(chan T) | make(chan T, n)
    make_expression: $ => seq(
      alias($._make_keyword, 'make'),
      '(',
      field('type', $._channel_type),
      optional(seq(',', field('size', $.expression))),
      ')',
    ),

    // <-c
    receive_expression: $ => prec.left(PREC.UNARY, seq(
      '<-',
      field('channel', $.expression),
    )),

    // ---- statements ------------------------------------------------------

    _non_case_statement: ($, original) => choice(
      original,
      $.send_statement,
      $.receive_statement,
      $.for_range_statement,
      $.go_statement,
      $.defer_statement,
      $.select_statement,
    ),

    // The channel of a send, and the left sides of a select case: a
    // postfix/unary-level expression, never a binary or assignment one, so
    // that `x = a<-b;` keeps its C meaning.
    _postfix_operand: $ => choice(
      $.identifier,
      $.call_expression,
      $.field_expression,
      $.pointer_expression,
      $.subscript_expression,
      $.parenthesized_expression,
    ),

    // c <- e;  <-cc <- e; (sends e on the channel received from cc, as Go
    // reads `<-cc <- e`)
    send_statement: $ => seq(
      field('channel', choice($._postfix_operand, $.receive_expression)),
      '<-',
      field('value', $.expression),
      ';',
    ),

    _receive_target: $ => choice(
      $.identifier,
      $.call_expression,
      $.field_expression,
      $.pointer_expression,
      $.subscript_expression,
      $.parenthesized_expression,
    ),

    // v, ok = <-c;
    receive_statement: $ => prec.dynamic(1, seq(
      field('value', $._receive_target),
      ',',
      field('ok', $._receive_target),
      '=',
      '<-',
      field('channel', $.expression),
      ';',
    )),

    // for (T v : c) stmt
    for_range_statement: $ => seq(
      'for',
      '(',
      $._declaration_specifiers,
      field('declarator', $._declarator),
      ':',
      field('channel', $.expression),
      ')',
      field('body', $.statement),
    ),

    // go f(a, b); | go { ... }
    go_statement: $ => seq(
      alias($._go_keyword, 'go'),
      choice(
        seq(field('call', $.call_expression), ';'),
        field('body', $.compound_statement),
      ),
    ),

    // defer f(a, b); | defer { ... }
    defer_statement: $ => seq(
      alias($._defer_keyword, 'defer'),
      choice(
        seq(field('call', $.call_expression), ';'),
        field('body', $.compound_statement),
      ),
    ),

    // select { case ...: ... default: ... }
    select_statement: $ => seq(
      alias($._select_keyword, 'select'),
      field('body', $.select_body),
    ),

    select_body: $ => seq(
      '{',
      repeat($.select_case),
      '}',
    ),

    select_case: $ => prec.right(seq(
      choice(
        seq('case', choice(
          field('send', $.select_send),
          field('receive', $.select_receive),
        )),
        field('default', 'default'),
      ),
      ':',
      repeat(field('body', choice(
        $._non_case_statement,
        $.declaration,
        $.type_definition,
      ))),
    )),

    // case c <- e:  case <-cc <- e:
    select_send: $ => seq(
      field('channel', choice($._postfix_operand, $.receive_expression)),
      '<-',
      field('value', $.expression),
    ),

    // case v = <-c:  case T w = <-c:  case v, ok = <-c:  case <-c:
    // The receive may be parenthesised, any number of times, as Go allows.
    // After `=` (case v = (<-c):, case v = ((<-c)):) the parentheses are
    // part of select_receive and `channel` is its field. A bare `case (<-c):`
    // reads the same as the start of a send on a received channel,
    // `case (<-c) <- v:`, up to the token after the last `)`, so LR(1) must
    // have read a parenthesized_expression by then: it is the field
    // `parenthesized`, and the code generator takes the receive inside it (and
    // reports a case such as `case (x):` that is not one).
    select_receive: $ => choice(
      seq(
        optional(choice(
          seq(field('left', $._postfix_operand), '='),
          seq(
            field('left', $._postfix_operand),
            ',',
            field('ok', $._postfix_operand),
            '=',
          ),
          seq(
            $._declaration_specifiers,
            field('declarator', $._declarator),
            '=',
          ),
        )),
        choice(
          seq('<-', field('channel', $.expression)),
          $._parenthesized_receive,
        ),
      ),
      field('parenthesized', $.parenthesized_expression),
    ),

    // (<-c), ((<-c)), ... after `=`: hidden, so `channel` is select_receive's.
    _parenthesized_receive: $ => seq(
      '(',
      choice(
        seq('<-', field('channel', $.expression)),
        $._parenthesized_receive,
      ),
      ')',
    ),
  },
});

/**
 * Zero or more `rule`s separated by commas.
 * @param {RuleOrLiteral} rule
 * @return {ChoiceRule}
 */
function commaSep(rule) {
  return optional(seq(rule, repeat(seq(',', rule))));
}

/**
 * One or more `rule`s separated by commas.
 * @param {RuleOrLiteral} rule
 * @return {SeqRule}
 */
function commaSep1(rule) {
  return seq(rule, repeat(seq(',', rule)));
}
