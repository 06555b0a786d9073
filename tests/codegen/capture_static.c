#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/capture_static.gc"
/* A static local used by a go block is shared by address: the block's
 * mentions become (*count), the function's stay as they are; a go block
 * nested in it passes the address on. */
#line 4 "tests/codegen/capture_static.gc"
void g(void);
#line 9 "tests/codegen/capture_static.gc"
struct gocc__t_1_1 { int count; }; struct gocc__env_1 { __typeof__(((struct gocc__t_1_1 *)0)->count) *count; };
#line 9 "tests/codegen/capture_static.gc"
static void gocc__go_1(void *gocc__p) { struct gocc__env_1 *gocc__cap = gocc__p; __typeof__(gocc__cap->count) count = gocc__cap->count; GOCC_FUNCTION_ENTRY(); {
            (*count) += 2;
         } }
#line 7 "tests/codegen/capture_static.gc"
struct gocc__t_2_1 { int count; }; struct gocc__env_2 { __typeof__(((struct gocc__t_2_1 *)0)->count) *count; };
#line 7 "tests/codegen/capture_static.gc"
static void gocc__go_2(void *gocc__p) { struct gocc__env_2 *gocc__cap = gocc__p; __typeof__(gocc__cap->count) count = gocc__cap->count; GOCC_FUNCTION_ENTRY(); {
        (*count)++;
        { struct gocc__env_1 gocc__e_1; gocc__e_1.count = count; gocc_go(gocc__go_1, &gocc__e_1, sizeof gocc__e_1, GOCC_HERE); }


     } }
#line 4 "tests/codegen/capture_static.gc"
void g(void)
{ GOCC_FUNCTION_ENTRY(); {
    static int count;
    { struct gocc__env_2 gocc__e_2; gocc__e_2.count = &count; gocc_go(gocc__go_2, &gocc__e_2, sizeof gocc__e_2, GOCC_HERE); }





    count--;
 } }
