#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/capture_local_type.gc"
#line 1 "tests/codegen/capture_local_type.gc"
void g(void);
#line 3 "tests/codegen/capture_local_type.gc"
struct local { int a; };
#line 4 "tests/codegen/capture_local_type.gc"
struct gocc__t_2_2 { struct local s; }; struct gocc__env_2 { __typeof__(((struct gocc__t_2_2 *)0)->s) *s; };
#line 4 "tests/codegen/capture_local_type.gc"
static void gocc__go_2(void *gocc__p) { struct gocc__env_2 *gocc__cap = gocc__p; __typeof__(gocc__cap->s) s GOCC_CELL_DROP = gocc__cap->s; GOCC_FUNCTION_ENTRY(); {
        (*s).a++;
     } }
#line 1 "tests/codegen/capture_local_type.gc"
void g(void)
{ GOCC_FUNCTION_ENTRY(); {
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wshadow\"") struct local { int a; } gocc__v_1 = {1}, (*s) GOCC_CELL_DROP = gocc_cell_dup(&gocc__v_1, sizeof gocc__v_1); _Pragma("GCC diagnostic pop")
    { struct gocc__env_2 gocc__e_2; gocc__e_2.s = gocc_cell_ref(s); gocc_go(gocc__go_2, &gocc__e_2, sizeof gocc__e_2, GOCC_HERE); }


 } }
