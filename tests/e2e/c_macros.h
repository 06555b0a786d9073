/* A header in the style of lua.h: its macros make lines tree-sitter cannot
 * parse without the preprocessor; translated along with c_macros.gc, it
 * must pass through. */
#define CM_API extern
#define cm_sinline static inline
#define cm_intop(op, a, b) ((int)((unsigned)(a) op (unsigned)(b)))
#define CM_LOG(fmt, args...) printf(fmt, ##args)

CM_API int cm_twice(int x);
cm_sinline int cm_add(int a, int b) { return cm_intop(+, a, b); }
