#define GOCC_GENERATED 1
#include <gocc.h>
#line 1 "tests/codegen/inc/wire.h"
#ifndef WIRE_H
#define WIRE_H
#include "wire_types.gocc.h"
#ifdef errno
#undef errno
#define errno (*gocc_errno())
#endif
#line 4 "tests/codegen/inc/wire.h"
void serve(GOCC_CHAN(struct msg *) in, GOCC_CHAN_SEND( int) out);
#endif
