#define GOCC_GENERATED 1
#include <gocc.h>
#line 1 "tests/codegen/inc/wire_types.h"
struct msg { int id; GOCC_CHAN( int) reply; };
