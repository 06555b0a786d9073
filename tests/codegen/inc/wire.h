#ifndef WIRE_H
#define WIRE_H
#include "wire_types.h"
void serve(chan(struct msg *) in, chan<- int out);
#endif
