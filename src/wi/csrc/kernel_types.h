/* Vector types for one SIMD path, in GCC/Clang vector extensions. The including file
 * sets WI_W, the number of 32-bit lanes (4, 8 or 16); every type has the same bytes. */
#ifndef WI_KERNEL_TYPES_H
#define WI_KERNEL_TYPES_H

#include <stdint.h>

#define WI_VBYTES (WI_W * 4)
typedef uint32_t vu32 __attribute__((vector_size(WI_VBYTES), may_alias));
typedef int32_t vi32 __attribute__((vector_size(WI_VBYTES), may_alias));
typedef uint64_t vu64 __attribute__((vector_size(WI_VBYTES), may_alias));
typedef int64_t vi64 __attribute__((vector_size(WI_VBYTES), may_alias));
typedef float vf32 __attribute__((vector_size(WI_VBYTES), may_alias));
typedef double vf64 __attribute__((vector_size(WI_VBYTES), may_alias));

#endif
