/* From per-block vectors to the output buffer: the transposes to memory order, float32 ->
 * float16/bfloat16 rounding, and plain or streaming (non-temporal) stores. */
#ifndef WI_CONVERT_H
#define WI_CONVERT_H

#include <stddef.h>
#include <string.h>

#include "kernel_types.h"
#include "philox_simd.h"
#include "vmath.h"
#include "wi_contract.h"

/* Four vectors of per-block values (element k of each block in v[k]) -> memory order. */
static inline void transpose32(vu32 v[4])
{
    vu32 a = SHUF(v[0], v[1], WI_IX_ZIP_LO), b = SHUF(v[0], v[1], WI_IX_ZIP_HI);
    vu32 c = SHUF(v[2], v[3], WI_IX_ZIP_LO), d = SHUF(v[2], v[3], WI_IX_ZIP_HI);
    v[0] = (vu32)SHUF((vu64)a, (vu64)c, WI_IX64_LO);
    v[1] = (vu32)SHUF((vu64)a, (vu64)c, WI_IX64_HI);
    v[2] = (vu32)SHUF((vu64)b, (vu64)d, WI_IX64_LO);
    v[3] = (vu32)SHUF((vu64)b, (vu64)d, WI_IX64_HI);
}

/* The 64-bit words of a group: w64[0], w64[1] hold word (x0 | x1 << 32) of the blocks in
 * lanes 4h, 4h+1 and 4h+2, 4h+3; w64[2], w64[3] the same for (x2 | x3 << 32). */
static inline void words64(const group *g, vu64 w64[4])
{
    w64[0] = (vu64)SHUF(g->w[0], g->w[1], WI_IX_ZIP_LO);
    w64[1] = (vu64)SHUF(g->w[0], g->w[1], WI_IX_ZIP_HI);
    w64[2] = (vu64)SHUF(g->w[2], g->w[3], WI_IX_ZIP_LO);
    w64[3] = (vu64)SHUF(g->w[2], g->w[3], WI_IX_ZIP_HI);
}

/* Per-block float64 pairs (first, second) for the lanes of words64(), in memory order,
 * stored as the i-th group's four vectors at dst. */
static inline void store64_pairs(void *dst, int i, vf64 first_lo, vf64 second_lo, vf64 first_hi, vf64 second_hi)
{
    vf64 o[4] = {SHUF(first_lo, second_lo, WI_IX64_LO), SHUF(first_lo, second_lo, WI_IX64_HI),
                 SHUF(first_hi, second_hi, WI_IX64_LO), SHUF(first_hi, second_hi, WI_IX64_HI)};
    memcpy((char *)dst + (size_t)i * 4 * WI_VBYTES, o, sizeof o);
}

/* ---- float32 -> float16 / bfloat16, round to nearest even (values are finite) ---- */

typedef uint16_t vu16 __attribute__((vector_size(WI_VBYTES / 2), may_alias));

static inline vu16 f32_to_f16(vf32 v)
{
    vu32 b = (vu32)v;
    vu32 sign = (b >> 16) & 0x8000u;
    vu32 a = b & 0x7FFFFFFFu;
    /* normal results: rebias the exponent and round the 13 dropped mantissa bits */
    vu32 hn = (a - 0x38000000u + 0x0FFFu + ((a >> 13) & 1u)) >> 13;
    hn = (vu32)sel32((vi32)(hn > 0x7C00u), (vi32)((vu32){} + 0x7C00u), (vi32)hn);
    /* subnormal results (|v| < 2^-14): adding 0.5 rounds |v| to a multiple of 2^-24 */
    vu32 hs = (vu32)((vf32)a + 0.5f) - 0x3F000000u;
    vu32 h = (vu32)sel32((vi32)(a < 0x38800000u), (vi32)hs, (vi32)hn) | sign;
    return __builtin_convertvector(h, vu16);
}

static inline vu16 f32_to_bf16(vf32 v)
{
    vu32 b = (vu32)v;
    return __builtin_convertvector((b + 0x7FFFu + ((b >> 16) & 1u)) >> 16, vu16);
}

/* Store the i-th vector of float32 results in the output format. */
WI_INLINE void store32(void *dst, int i, vf32 v, int dtype)
{
    if (dtype == WI_F16) {
        vu16 h = f32_to_f16(v);
        memcpy((char *)dst + (size_t)i * (WI_VBYTES / 2), &h, WI_VBYTES / 2);
    } else if (dtype == WI_BF16) {
        vu16 h = f32_to_bf16(v);
        memcpy((char *)dst + (size_t)i * (WI_VBYTES / 2), &h, WI_VBYTES / 2);
    } else {
        memcpy((char *)dst + (size_t)i * WI_VBYTES, &v, WI_VBYTES);
    }
}

/* Four float32 vectors (element k of each block in v[k]) stored in the output format as the
 * i-th group at dst. */
WI_INLINE void store_group32(void *dst, int i, vf32 v[4], int dtype)
{
    transpose32((vu32 *)v);
    for (int k = 0; k < 4; k++) store32(dst, 4 * i + k, v[k], dtype);
}

/* ---- streaming stores: a batch goes from a cache-resident scratch to memory, bypassing
 * the caches (no read-for-ownership of lines we overwrite whole) ---- */

#if defined(__SSE2__)
#include <emmintrin.h>
static inline int stream_aligned(const void *p) { return ((uintptr_t)p & 15) == 0; }
static inline void stream_copy(void *dst, const void *src, size_t bytes) /* multiples of 16 */
{
    for (size_t i = 0; i < bytes; i += 16)
        _mm_stream_si128((__m128i *)((char *)dst + i), _mm_load_si128((const __m128i *)((const char *)src + i)));
}
static inline void stream_fence(void) { _mm_sfence(); }
#else
static inline int stream_aligned(const void *p)
{
    (void)p;
    return 0;
}
static inline void stream_copy(void *dst, const void *src, size_t bytes) { memcpy(dst, src, bytes); }
static inline void stream_fence(void) {}
#endif

#endif
