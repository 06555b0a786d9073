#define GOCC_GENERATED 1
#include <gocc.h>
#line 1 "tests/codegen/inc/wire.h"
#ifndef WIRE_H
#define WIRE_H
#include "wire_types.gocc.h"
void serve(GOCC_CHAN(struct msg *) in, GOCC_CHAN_SEND( int) out);
#endif
