/* The AVX-512 path: 512-bit vectors, four Philox blocks per vector. Compiled for
 * AVX-512 F/VL/BW/DQ by pragma, and only called when cpu.c has seen all of them enabled
 * by the CPU and the OS. */
#if defined(__x86_64__)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))), apply_to = function)
#else
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq")
#endif
#include <immintrin.h>

#define WI_W 16
#define WI_G 2
#define WI_HAVE_MULLO 1
#define WI_PHILOX_HALVES 1 /* see philox_simd.h */
#define WI_KERNEL(name) wi_kernel_##name##_avx512
#include "kernel_types.h"

static inline vu64 wi_mul_even(vu32 a, vu32 b) { return (vu64)_mm512_mul_epu32((__m512i)a, (__m512i)b); }
static inline vf32 wi_sqrt_f32(vf32 x) { return (vf32)_mm512_sqrt_ps((__m512)x); }
static inline vf64 wi_sqrt_f64(vf64 x) { return (vf64)_mm512_sqrt_pd((__m512d)x); }

#include "kernel_driver.h"

#if defined(__clang__)
#pragma clang attribute pop
#endif
#endif
