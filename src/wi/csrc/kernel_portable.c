/* The portable path: 128-bit generic vectors in the baseline ISA (SSE2 on x86-64, the
 * compiler's lowering elsewhere). Same kernel driver as the wider paths. */
#ifdef WI_PORTABLE_W /* a wider portable build exercises the AVX-512 lane layout (W=16) anywhere */
#define WI_W WI_PORTABLE_W
#else
#define WI_W 4
#endif
#define WI_G 2
#define WI_PHILOX_HALVES 1 /* see philox_simd.h: without a 32-bit low multiply (SSE2), by far the cheaper */
#define WI_KERNEL(name) wi_kernel_##name##_portable
#include "kernel_types.h"

#if defined(__SSE2__) && WI_W == 4
#include <emmintrin.h>
static inline vu64 wi_mul_even(vu32 a, vu32 b) { return (vu64)_mm_mul_epu32((__m128i)a, (__m128i)b); }
static inline vf32 wi_sqrt_f32(vf32 x) { return (vf32)_mm_sqrt_ps((__m128)x); }
static inline vf64 wi_sqrt_f64(vf64 x) { return (vf64)_mm_sqrt_pd((__m128d)x); }
#else
#include <math.h>
static inline vu64 wi_mul_even(vu32 a, vu32 b)
{
    return ((vu64)a & 0xFFFFFFFFull) * ((vu64)b & 0xFFFFFFFFull);
}
static inline vf32 wi_sqrt_f32(vf32 x)
{
    for (int i = 0; i < WI_W; i++) x[i] = sqrtf(x[i]); /* correctly rounded, like the vector sqrt */
    return x;
}
static inline vf64 wi_sqrt_f64(vf64 x)
{
    for (int i = 0; i < WI_W / 2; i++) x[i] = sqrt(x[i]);
    return x;
}
#endif

#include "kernel_driver.h"
