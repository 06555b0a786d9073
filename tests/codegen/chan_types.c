#define GOCC_GENERATED 1
#include <gocc.h>
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#ifdef __clang__
#pragma GCC diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic error "-Wdiscarded-qualifiers"
#endif
#line 1 "tests/codegen/chan_types.gc"
/* Channel types wherever a type stands. */
#include <stddef.h>
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 3 "tests/codegen/chan_types.gc"

typedef GOCC_CHAN( int) intchan;
struct job { int id; GOCC_CHAN(char *) reply; };
union u { GOCC_CHAN( long) l; GOCC_CHAN_RECV( long) r; };

GOCC_CHAN( int) *pc;                      /* pointer to a chan int */
GOCC_CHAN( GOCC_CHAN( int)) cc;                  /* channel of channels */
GOCC_CHAN_SEND( GOCC_CHAN( int)) sendcc;            /* send-only channel of chan int */
GOCC_CHAN_RECV( struct job) jobs_in;
GOCC_CHAN(struct job *) jobptrs;
GOCC_CHAN( unsigned long) counts;
GOCC_CHAN( const int) ro_elems;

GOCC_CHAN( int) producer(GOCC_CHAN_SEND( int) out, GOCC_CHAN_RECV( int) in, intchan c);
static GOCC_CHAN(char *) names(void);

size_t sizes(void)
{ GOCC_FUNCTION_ENTRY(); {
    return sizeof(GOCC_CHAN( int)) + sizeof(GOCC_CHAN(int *));
 } }

void casts(void *p)
{ GOCC_FUNCTION_ENTRY(); {
    GOCC_CHAN( int) c = (GOCC_CHAN( int))p;
    GOCC_CHAN_RECV( int) r = (GOCC_CHAN_RECV( int))c;
    (void)r;
 } }
