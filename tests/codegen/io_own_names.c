#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/io_own_names.gc"
/* A program without the POSIX headers may name its own functions read and
 * sleep: their calls are left alone (only the POSIX calls are redirected). */
static int buffer[4];
static int read(int i) { GOCC_FUNCTION_ENTRY(); { return buffer[i];  } }
static void sleep(void) {  GOCC_FUNCTION_ENTRY();}

int sum(void) { GOCC_FUNCTION_ENTRY(); {
    sleep();
    return read(0) + read(1);
 } }

/* A macro of the program's own by a POSIX name: left alone too. */
#define usleep(us) ((void)(us))
void nap(void) { GOCC_FUNCTION_ENTRY(); { usleep(5);  } }
