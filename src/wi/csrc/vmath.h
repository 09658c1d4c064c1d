/* The vector math of the transforms: -2 ln u, sin/cos of a turn fraction, Box-Muller and
 * the normal quantile (AS241), each written once in vmath_body.h and instantiated here for
 * float32 and float64. Constants come from wi_poly.h (generated from _poly.py, which the
 * NumPy fallback evaluates the same way).
 *
 * Every function runs in lock-step over n independent vectors (n <= WI_NMAX, a constant
 * after inlining): each step for all of them before the next, so the compiler emits n
 * interleaved chains instead of leaving the core waiting on the long log/sincos/quantile
 * latencies. The arithmetic per element is the same as one vector at a time. */
#ifndef WI_VMATH_H
#define WI_VMATH_H

#include "kernel_types.h"
#include "wi_poly.h"

#define WI_NMAX 8
#define EACH(j) _Pragma("GCC unroll 8") for (int j = 0; j < n; j++)

static inline vi32 sel32(vi32 m, vi32 a, vi32 b) { return (a & m) | (b & ~m); }
static inline vi64 sel64(vi64 m, vi64 a, vi64 b) { return (a & m) | (b & ~m); }

static inline int any_lane32(vi32 m)
{
    int r = 0;
    for (int i = 0; i < WI_W; i++) r |= m[i];
    return r != 0;
}

static inline int any_lane64(vi64 m)
{
    int r = 0;
    for (int i = 0; i < WI_W / 2; i++) r |= m[i] != 0;
    return r;
}

/* ---- exact integer -> float conversions (the same value on every path) ---- */

/* 0 <= k <= 2^24 */
static inline vf32 u24_to_f32(vu32 k) { return __builtin_convertvector((vi32)k, vf32); }
/* |k| < 2^24 */
static inline vf32 s24_to_f32(vi32 k) { return __builtin_convertvector(k, vf32); }

/* 0 <= t <= 2^53: split in halves and convert each with the 2^52 bias trick (AVX2 has no
 * 64-bit integer conversion). */
static inline vf64 u53_to_f64(vu64 t)
{
    const vu64 bias = (vu64){} + 0x4330000000000000ull;
    const vf64 two52 = (vf64){} + 0x1p52;
    vf64 hi = (vf64)((t >> 32) | bias) - two52;
    vf64 lo = (vf64)((t & 0xFFFFFFFFull) | bias) - two52;
    return hi * 0x1p32 + lo;
}

/* |t| < 2^51 */
static inline vf64 s51_to_f64(vi64 t)
{
    const vi64 bias = (vi64){} + 0x4338000000000000ll;
    return (vf64)(t + bias) - ((vf64){} + 0x1.8p52);
}

/* num(x)/den(x) for n vectors x, degree-7 polynomials with coefficients in ascending order. */
#define WI_RATIONAL(T, V, x, num, den, out)                                                 \
    do {                                                                                   \
        static const T n_[] = num, d_[] = den;                                             \
        V pn[WI_NMAX], pd[WI_NMAX];                                                        \
        EACH(j) pn[j] = (V){} + n_[7];                                                     \
        EACH(j) pd[j] = (V){} + d_[7];                                                     \
        _Pragma("GCC unroll 8") for (int i = 6; i >= 0; i--) EACH(j) {                     \
            pn[j] = pn[j] * (x)[j] + n_[i];                                                \
            pd[j] = pd[j] * (x)[j] + d_[i];                                                \
        }                                                                                  \
        EACH(j)(out)[j] = pn[j] / pd[j];                                                   \
    } while (0)

#define WI_VMATH_PREC 32
#include "vmath_body.h"
#undef WI_VMATH_PREC

#define WI_VMATH_PREC 64
#include "vmath_body.h"
#undef WI_VMATH_PREC

#endif
