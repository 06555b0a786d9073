#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/main_defer.gc"
#include <stdio.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 2 "tests/codegen/main_defer.gc"

_Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmissing-prototypes\"") _Pragma("GCC diagnostic ignored \"-Wmissing-declarations\"") int gocc__main_body(void)
{ gocc_defer *gocc__defers = 0, *gocc__cur = 0; int gocc__ret = 0; GOCC_FUNCTION_ENTRY(); {
    { struct gocc__dr_1 { gocc_defer h; } *gocc__r_1 = __builtin_alloca(sizeof *gocc__r_1); gocc__r_1->h.next = gocc__defers; gocc__r_1->h.site = 1; gocc__r_1->h.heap = 0; gocc__defers = &gocc__r_1->h; if (0) { gocc__defer_1: { puts("last"); } goto gocc__defer_next; } }
    if (getchar() == 'x') { gocc__ret = ( 3); goto gocc__exit; }
    puts("first");
    { gocc__ret = ( 0); goto gocc__exit; }
 goto gocc__exit; gocc__exit: while (gocc__defers) { gocc__cur = gocc__defers; gocc__defers = gocc__cur->next; switch (gocc__cur->site) { case 1: goto gocc__defer_1; default: break; } gocc__defer_next: if (gocc__cur->heap) gocc_defer_free(gocc__cur); } return gocc__ret; } } _Pragma("GCC diagnostic pop")
#line 3 "tests/codegen/main_defer.gc"
int gocc__main(int argc, char **argv, char **envp) { (void)argc; (void)argv; (void)envp; return gocc__main_body(); }
#line 10 "tests/codegen/main_defer.gc"
int after_main(void) { GOCC_FUNCTION_ENTRY(); { return 1;  } }
