/* gc.h - the gc language for tree-sitter (C plus go, chan, <-, select, defer).
 * Link with the objects in $(FRONTEND_OBJS) and -ltree-sitter. */
#ifndef GOCC_FRONTEND_GC_H
#define GOCC_FRONTEND_GC_H

#include <tree_sitter/api.h>

#ifdef __cplusplus
extern "C" {
#endif

const TSLanguage *tree_sitter_gc(void);

#ifdef __cplusplus
}
#endif

#endif
