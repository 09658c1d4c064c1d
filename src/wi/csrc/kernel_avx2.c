/* The AVX2 path: 256-bit vectors, two Philox blocks per vector. Compiled for AVX2 by
 * pragma (not -march), and only called when cpu.c has seen AVX2 enabled by the CPU and
 * the OS. */
#if defined(__x86_64__)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC target("avx2")
#endif
#include <immintrin.h>

#define WI_W 8
#define WI_G 2
#define WI_HAVE_MULLO 1
#define WI_KERNEL(name) wi_kernel_##name##_avx2
#include "kernel_types.h"

static inline vu64 wi_mul_even(vu32 a, vu32 b) { return (vu64)_mm256_mul_epu32((__m256i)a, (__m256i)b); }
static inline vf32 wi_sqrt_f32(vf32 x) { return (vf32)_mm256_sqrt_ps((__m256)x); }
static inline vf64 wi_sqrt_f64(vf64 x) { return (vf64)_mm256_sqrt_pd((__m256d)x); }

#include "kernel_driver.h"

#if defined(__clang__)
#pragma clang attribute pop
#endif
#endif
