/* Vector types and shuffle patterns for one SIMD path, in GCC/Clang vector extensions.
 * The including file sets WI_W, the number of 32-bit lanes (4, 8 or 16); every type has
 * the same bytes. */
#ifndef WI_KERNEL_TYPES_H
#define WI_KERNEL_TYPES_H

#include <stdint.h>

#include "wi_compiler.h"

#define WI_VBYTES (WI_W * 4)
typedef uint32_t vu32 __attribute__((vector_size(WI_VBYTES), may_alias));
typedef int32_t vi32 __attribute__((vector_size(WI_VBYTES), may_alias));
typedef uint64_t vu64 __attribute__((vector_size(WI_VBYTES), may_alias));
typedef int64_t vi64 __attribute__((vector_size(WI_VBYTES), may_alias));
typedef float vf32 __attribute__((vector_size(WI_VBYTES), may_alias));
typedef double vf64 __attribute__((vector_size(WI_VBYTES), may_alias));

/* Shuffle patterns, applied to each 128-bit group of a vector. */
#if WI_W == 4
#define WI_GROUPS(f) f(0)
#elif WI_W == 8
#define WI_GROUPS(f) f(0), f(1)
#elif WI_W == 16
#define WI_GROUPS(f) f(0), f(1), f(2), f(3)
#else
#error "WI_W must be 4, 8 or 16"
#endif
/* unpack-low/high of 32-bit lanes, 64-bit lanes, and an even/odd-lane blend */
#define WI_IX_ZIP_LO(g) 4 * g, WI_W + 4 * g, 4 * g + 1, WI_W + 4 * g + 1
#define WI_IX_ZIP_HI(g) 4 * g + 2, WI_W + 4 * g + 2, 4 * g + 3, WI_W + 4 * g + 3
#define WI_IX64_LO(g) 2 * g, WI_W / 2 + 2 * g
#define WI_IX64_HI(g) 2 * g + 1, WI_W / 2 + 2 * g + 1
#define WI_IX_EVEN_ODD(g) 4 * g, WI_W + 4 * g + 1, 4 * g + 2, WI_W + 4 * g + 3

#define SHUF(a, b, pat) __builtin_shufflevector(a, b, WI_GROUPS(pat))
#define BCAST32(x) ((vu32){} + (uint32_t)(x))
#define WI_INLINE static inline __attribute__((always_inline))

#endif
