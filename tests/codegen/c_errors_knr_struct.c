#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/c_errors_knr_struct.gc"
/* Prototypes with an attribute macro after the declarator (an ERROR for
 * tree-sitter) followed by `typedef struct { ... } T;`: the recovered tree
 * is one old-style "definition" whose body is the struct's braces (as in
 * bzip2's bzip2.c). Nothing may be inserted into the struct. */
#define NORETURN __attribute__((noreturn))
typedef int Int32;
typedef int IntNative;
typedef char Char;
typedef unsigned char UChar;
static void    cleanUpAndFail        ( Int32 )       NORETURN;
static void    compressedStreamEOF   ( void )        NORETURN;
static void    copyFileName ( Char*, Char* );
static void*   myMalloc     ( Int32 );
static void    applySavedFileAttrToOutputFile ( IntNative fd );
typedef
   struct { UChar b[8]; }
   UInt64;

int first_byte(UInt64 *n) { GOCC_FUNCTION_ENTRY(); { return n->b[0];  } }
