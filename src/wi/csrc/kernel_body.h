/* The fill kernel, written once over generic vectors and compiled once per SIMD path.
 *
 * The including file defines WI_W (32-bit lanes per vector), WI_U (vectors per batch,
 * even), WI_KERNEL_NAME, and three helpers: wi_mul_even (32x32->64-bit products of the
 * even lanes), wi_sqrt_f32 and wi_sqrt_f64. Everything else is plain IEEE arithmetic
 * with no contraction (-ffp-contract=off), so every path gives bit-identical values.
 *
 * Layout: a vector holds WI_W/4 Philox blocks side by side, one block's four counter
 * words in four adjacent lanes, so the outputs land in memory order without a transpose.
 * See docs/stream.md for the transforms. */
#include <string.h>

#include "philox.h"
#include "wi_core.h"
#include "wi_poly.h"

#define WI_BPV (WI_W / 4)         /* blocks per vector */
#define WI_BATCH (WI_U * WI_BPV)  /* blocks per batch */

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
#define WI_IX_REVERSE(g) 4 * g + 3, 4 * g + 2, 4 * g + 1, 4 * g + 0
#define WI_IX_ODD_DUP(g) 4 * g + 1, 4 * g + 1, 4 * g + 3, 4 * g + 3
/* f32 pairs: gather word 0/2 (or 1/3) of the blocks of two vectors, and back. */
#define WI_IX_EVEN_OF2(g) 4 * g, 4 * g + 2, WI_W + 4 * g, WI_W + 4 * g + 2
#define WI_IX_ODD_OF2(g) 4 * g + 1, 4 * g + 3, WI_W + 4 * g + 1, WI_W + 4 * g + 3
#define WI_IX_ZIP_LO(g) 4 * g, WI_W + 4 * g, 4 * g + 1, WI_W + 4 * g + 1
#define WI_IX_ZIP_HI(g) 4 * g + 2, WI_W + 4 * g + 2, 4 * g + 3, WI_W + 4 * g + 3
/* f64 pairs (2 doubles per group): unpack-low/high; gathering and zipping coincide. */
#define WI_IX64_LO(g) 2 * g, WI_W / 2 + 2 * g
#define WI_IX64_HI(g) 2 * g + 1, WI_W / 2 + 2 * g + 1

#define SHUF(a, b, pat) __builtin_shufflevector(a, b, WI_GROUPS(pat))

static inline vi32 sel32(vi32 m, vi32 a, vi32 b) { return (a & m) | (b & ~m); }
static inline vi64 sel64(vi64 m, vi64 a, vi64 b) { return (a & m) | (b & ~m); }

/* ---- Philox4x32-10 on WI_U vectors at once (independent chains hide mul latency) ---- */

typedef struct {
    vu32 key;            /* k0, 0, k1, 0 in every group */
    vu64 ctr_step;       /* + WI_BATCH to the block index of each block */
    vf32 lo32, width32, hi32, clamp_lo32, p0_32, pw32;
    vf64 lo64, width64, hi64, clamp_lo64, p0_64, pw64;
} wi_ctx;

static inline vu32 philox_round_v(vu32 x, vu32 key)
{
    const vu32 mult = (vu32){} + 0u;
    vu32 m = mult;
    for (int i = 0; i < WI_W; i += 4) {
        m[i] = WI_PHILOX_M0;
        m[i + 2] = WI_PHILOX_M1;
    }
    vu32 prod = (vu32)wi_mul_even(x, m);      /* lo0 hi0 lo1 hi1 */
    vu32 swapped = SHUF(prod, prod, WI_IX_REVERSE); /* hi1 lo1 hi0 lo0 */
    vu32 keep_even = (vu32){} + 0u;
    for (int i = 0; i < WI_W; i += 2) keep_even[i] = 0xFFFFFFFFu;
    vu32 odd = SHUF(x, x, WI_IX_ODD_DUP) & keep_even; /* c1 0 c3 0 */
    return swapped ^ odd ^ key;
}

static inline void philox_batch(vu32 x[WI_U], vu32 key)
{
    vu32 bump = (vu32){} + 0u;
    for (int i = 0; i < WI_W; i += 4) {
        bump[i] = WI_PHILOX_W0;
        bump[i + 2] = WI_PHILOX_W1;
    }
#pragma GCC unroll 10
    for (int r = 0; r < 10; r++) {
        if (r) key += bump;
#pragma GCC unroll 16
        for (int u = 0; u < WI_U; u++) x[u] = philox_round_v(x[u], key);
    }
}

/* Counter vector of blocks b, b+1, ... (block index in the even 64-bit lanes). */
static inline vu64 make_ctr(uint64_t block, uint64_t stream)
{
    vu64 c;
    for (int j = 0; j < WI_W / 2; j += 2) {
        c[j] = block + (uint64_t)(j / 2);
        c[j + 1] = stream;
    }
    return c;
}

static inline void load_batch(vu32 x[WI_U], vu64 ctr)
{
    vu64 step = (vu64){} + 0u;
    for (int j = 0; j < WI_W / 2; j += 2) step[j] = WI_BPV;
#pragma GCC unroll 16
    for (int u = 0; u < WI_U; u++) x[u] = (vu32)(ctr + step * (uint64_t)u);
}

/* ---- exact integer -> float conversions (same value on every path) ---- */

static inline vf32 u24_to_f32(vu32 k) { return __builtin_convertvector((vi32)k, vf32); }

/* 0 <= t <= 2^53: split in halves and convert each with the 2^52 bias trick. */
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

/* ---- -2 ln(u) for u in (0, 1] ---- */

static inline vf32 neg2log_f32(vf32 u)
{
    static const float c[] = WI_LOG_C_F32;
    vi32 bits = (vi32)u;
    vi32 e = (bits >> 23) - 127;
    vi32 mbits = (bits & 0x007FFFFF) | 0x3F800000;
    vi32 big = mbits > 0x3FB504F3; /* m > sqrt(2): halve m, bump e */
    mbits -= big & 0x00800000;
    e -= big;
    vf32 m = (vf32)mbits;
    vf32 s = (m - 1.0f) / (m + 1.0f);
    vf32 z = s * s;
    vf32 p = (vf32){} + c[WI_LOG_N_F32 - 1];
#pragma GCC unroll 16
    for (int i = WI_LOG_N_F32 - 2; i >= 0; i--) p = p * z + c[i];
    vf32 ef = __builtin_convertvector(e, vf32);
    vf32 ln = ef * (float)WI_LN2_HI_F32 + (ef * (float)WI_LN2_LO_F32 + s * p);
    return ln * -2.0f;
}

static inline vf64 neg2log_f64(vf64 u)
{
    static const double c[] = WI_LOG_C_F64;
    vi64 bits = (vi64)u;
    vi64 e = (vi64)((vu64)bits >> 52) - 1023; /* u > 0: a logical shift (AVX2 has no 64-bit arithmetic one) */
    vi64 mbits = (bits & 0x000FFFFFFFFFFFFFll) | 0x3FF0000000000000ll;
    vi64 big = mbits > 0x3FF6A09E667F3BCDll;
    mbits -= big & 0x0010000000000000ll;
    e -= big;
    vf64 m = (vf64)mbits;
    vf64 s = (m - 1.0) / (m + 1.0);
    vf64 z = s * s;
    vf64 p = (vf64){} + c[WI_LOG_N_F64 - 1];
#pragma GCC unroll 16
    for (int i = WI_LOG_N_F64 - 2; i >= 0; i--) p = p * z + c[i];
    vf64 ef = s51_to_f64(e);
    vf64 ln = ef * WI_LN2_HI_F64 + (ef * WI_LN2_LO_F64 + s * p);
    return ln * -2.0;
}

/* ---- sin and cos of 2*pi*(q/4 + f), |f| <= 1/8, q the quadrant ---- */

static inline void sincos_f32(vf32 f, vi32 q, vf32 *sn, vf32 *cs)
{
    static const float cs_[] = WI_SIN_C_F32, cc_[] = WI_COS_C_F32;
    vf32 z = f * f;
    vf32 ps = (vf32){} + cs_[WI_SIN_N_F32 - 1];
#pragma GCC unroll 16
    for (int i = WI_SIN_N_F32 - 2; i >= 0; i--) ps = ps * z + cs_[i];
    ps = ps * f;
    vf32 pc = (vf32){} + cc_[WI_COS_N_F32 - 1];
#pragma GCC unroll 16
    for (int i = WI_COS_N_F32 - 2; i >= 0; i--) pc = pc * z + cc_[i];
    vi32 swap = -(q & 1);
    vi32 s = sel32(swap, (vi32)pc, (vi32)ps) ^ ((q & 2) << 30);
    vi32 c = sel32(swap, (vi32)ps, (vi32)pc) ^ (((q + 1) & 2) << 30);
    *sn = (vf32)s;
    *cs = (vf32)c;
}

static inline void sincos_f64(vf64 f, vi64 q, vf64 *sn, vf64 *cs)
{
    static const double cs_[] = WI_SIN_C_F64, cc_[] = WI_COS_C_F64;
    vf64 z = f * f;
    vf64 ps = (vf64){} + cs_[WI_SIN_N_F64 - 1];
#pragma GCC unroll 16
    for (int i = WI_SIN_N_F64 - 2; i >= 0; i--) ps = ps * z + cs_[i];
    ps = ps * f;
    vf64 pc = (vf64){} + cc_[WI_COS_N_F64 - 1];
#pragma GCC unroll 16
    for (int i = WI_COS_N_F64 - 2; i >= 0; i--) pc = pc * z + cc_[i];
    vi64 swap = -(q & 1);
    vi64 s = sel64(swap, (vi64)pc, (vi64)ps) ^ ((q & 2) << 62);
    vi64 c = sel64(swap, (vi64)ps, (vi64)pc) ^ (((q + 1) & 2) << 62);
    *sn = (vf64)s;
    *cs = (vf64)c;
}

/* ---- Box-Muller on word pairs: (w0, w1) -> (r cos, r sin) ---- */

static inline void box_muller_f32(vu32 w_radius, vu32 w_angle, vf32 *zc, vf32 *zs)
{
    vf32 u1 = u24_to_f32((w_radius >> 8) + 1u) * 0x1p-24f; /* (0, 1] */
    vf32 r = wi_sqrt_f32(neg2log_f32(u1));
    vi32 k = (vi32)(w_angle >> 8);
    vi32 q = (k + (1 << 21)) >> 22;
    vf32 f = __builtin_convertvector(k - (q << 22), vf32) * 0x1p-24f; /* [-1/8, 1/8) */
    vf32 sn, cs;
    sincos_f32(f, q, &sn, &cs);
    *zc = r * cs;
    *zs = r * sn;
}

static inline void box_muller_f64(vu64 w_radius, vu64 w_angle, vf64 *zc, vf64 *zs)
{
    vf64 u1 = u53_to_f64((w_radius >> 11) + 1u) * 0x1p-53;
    vf64 r = wi_sqrt_f64(neg2log_f64(u1));
    vi64 k = (vi64)(w_angle >> 11);
    vi64 q = (vi64)((vu64)(k + (1ll << 50)) >> 51);
    vf64 f = s51_to_f64(k - (q << 51)) * 0x1p-53;
    vf64 sn, cs;
    sincos_f64(f, q, &sn, &cs);
    *zc = r * cs;
    *zs = r * sn;
}

/* ---- the normal quantile (AS241), for the truncated normal ---- */

static inline int any32(vi32 m)
{
    int r = 0;
    for (int i = 0; i < WI_W; i++) r |= m[i];
    return r != 0;
}

static inline int any64(vi64 m)
{
    int r = 0;
    for (int i = 0; i < WI_W / 2; i++) r |= m[i] != 0;
    return r;
}

#define WI_RATIONAL(T, x, num, den, out)                                           \
    do {                                                                          \
        static const T n_[] = num, d_[] = den;                                    \
        T##v pn = (T##v){} + n_[7], pd = (T##v){} + d_[7];                        \
        _Pragma("GCC unroll 8") for (int i = 6; i >= 0; i--) {                    \
            pn = pn * (x) + n_[i];                                                \
            pd = pd * (x) + d_[i];                                                \
        }                                                                         \
        (out) = pn / pd;                                                          \
    } while (0)
typedef vf32 floatv;
typedef vf64 doublev;

/* Q(p) for p in (0, 1). Lanes pick the central or tail branch; the far tail (beyond
 * about 7 standard deviations) is only evaluated when some lane needs it. */
static inline vf32 quantile_f32(vf32 p)
{
    vf32 q = p - 0.5f;
    vf32 r = (float)WI_AS241_CONST1 - q * q, zc, zt, zf;
    WI_RATIONAL(float, r, WI_AS241_A, WI_AS241_B, zc);
    zc = q * zc;
    vf32 one_minus = 1.0f - p;
    vf32 t = (vf32)sel32(p < one_minus, (vi32)p, (vi32)one_minus);
    t = (vf32)sel32(t < 0x1p-126f, (vi32)((vf32){} + 0x1p-126f), (vi32)t);
    vf32 s = wi_sqrt_f32(neg2log_f32(t) * 0.5f); /* sqrt(-ln t) */
    vf32 s1 = s - (float)WI_AS241_CONST2;
    WI_RATIONAL(float, s1, WI_AS241_C, WI_AS241_D, zt);
    vi32 far = s > (float)WI_AS241_SPLIT2;
    if (any32(far)) {
        vf32 s2 = s - (float)WI_AS241_SPLIT2;
        WI_RATIONAL(float, s2, WI_AS241_E, WI_AS241_F, zf);
        zt = (vf32)sel32(far, (vi32)zf, (vi32)zt);
    }
    zt = (vf32)((vu32)zt ^ ((vu32)q & 0x80000000u)); /* negative below the median */
    vf32 aq = (vf32)((vi32)q & 0x7FFFFFFF);
    return (vf32)sel32(aq <= (float)WI_AS241_SPLIT1, (vi32)zc, (vi32)zt);
}

static inline vf64 quantile_f64(vf64 p)
{
    vf64 q = p - 0.5;
    vf64 r = WI_AS241_CONST1 - q * q, zc, zt, zf;
    WI_RATIONAL(double, r, WI_AS241_A, WI_AS241_B, zc);
    zc = q * zc;
    vf64 one_minus = 1.0 - p;
    vf64 t = (vf64)sel64(p < one_minus, (vi64)p, (vi64)one_minus);
    t = (vf64)sel64(t < 0x1p-1022, (vi64)((vf64){} + 0x1p-1022), (vi64)t);
    vf64 s = wi_sqrt_f64(neg2log_f64(t) * 0.5);
    vf64 s1 = s - WI_AS241_CONST2;
    WI_RATIONAL(double, s1, WI_AS241_C, WI_AS241_D, zt);
    vi64 far = s > WI_AS241_SPLIT2;
    if (any64(far)) {
        vf64 s2 = s - WI_AS241_SPLIT2;
        WI_RATIONAL(double, s2, WI_AS241_E, WI_AS241_F, zf);
        zt = (vf64)sel64(far, (vi64)zf, (vi64)zt);
    }
    zt = (vf64)((vu64)zt ^ ((vu64)q & 0x8000000000000000ull));
    vf64 aq = (vf64)((vi64)q & 0x7FFFFFFFFFFFFFFFll);
    return (vf64)sel64(aq <= WI_AS241_SPLIT1, (vi64)zc, (vi64)zt);
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
static inline __attribute__((always_inline)) void store32(void *dst, int i, vf32 v, int dtype)
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

/* ---- turning one batch of words (WI_U vectors) into output elements at dst ---- */

typedef void (*emit_fn)(const wi_ctx *c, const vu32 *x, void *dst);

#define STORE(dst, i, v) memcpy((char *)(dst) + (size_t)(i) * WI_VBYTES, &(v), WI_VBYTES)

static void emit_raw(const wi_ctx *c, const vu32 *x, void *dst)
{
    (void)c;
    for (int u = 0; u < WI_U; u++) STORE(dst, u, x[u]);
}

#define WI_INLINE static inline __attribute__((always_inline))

WI_INLINE void uniform32(const wi_ctx *c, const vu32 *x, void *dst, int dtype)
{
    for (int u = 0; u < WI_U; u++) {
        vf32 v = c->lo32 + c->width32 * (u24_to_f32(x[u] >> 8) * 0x1p-24f);
        v = (vf32)sel32(v > c->hi32, (vi32)c->hi32, (vi32)v);
        store32(dst, u, v, dtype);
    }
}

WI_INLINE void normal32(const wi_ctx *c, const vu32 *x, void *dst, int dtype)
{
    for (int u = 0; u < WI_U; u += 2) {
        vf32 zc, zs;
        box_muller_f32(SHUF(x[u], x[u + 1], WI_IX_EVEN_OF2), SHUF(x[u], x[u + 1], WI_IX_ODD_OF2), &zc, &zs);
        zc = c->lo32 + c->width32 * zc;
        zs = c->lo32 + c->width32 * zs;
        store32(dst, u, SHUF(zc, zs, WI_IX_ZIP_LO), dtype);
        store32(dst, u + 1, SHUF(zc, zs, WI_IX_ZIP_HI), dtype);
    }
}

WI_INLINE void truncnorm32(const wi_ctx *c, const vu32 *x, void *dst, int dtype)
{
    for (int u = 0; u < WI_U; u++) {
        vf32 p = c->p0_32 + c->pw32 * (u24_to_f32(x[u] >> 8) * 0x1p-24f);
        vf32 v = c->lo32 + c->width32 * quantile_f32(p);
        v = (vf32)sel32(v > c->hi32, (vi32)c->hi32, (vi32)v);
        v = (vf32)sel32(v < c->clamp_lo32, (vi32)c->clamp_lo32, (vi32)v);
        store32(dst, u, v, dtype);
    }
}

#define WI_EMIT32(name, body, dtype) \
    static void name(const wi_ctx *c, const vu32 *x, void *dst) { body(c, x, dst, dtype); }
WI_EMIT32(emit_uniform_f32, uniform32, WI_F32)
WI_EMIT32(emit_uniform_f16, uniform32, WI_F16)
WI_EMIT32(emit_uniform_bf16, uniform32, WI_BF16)
WI_EMIT32(emit_normal_f32, normal32, WI_F32)
WI_EMIT32(emit_normal_f16, normal32, WI_F16)
WI_EMIT32(emit_normal_bf16, normal32, WI_BF16)
WI_EMIT32(emit_truncnorm_f32, truncnorm32, WI_F32)
WI_EMIT32(emit_truncnorm_f16, truncnorm32, WI_F16)
WI_EMIT32(emit_truncnorm_bf16, truncnorm32, WI_BF16)

static void emit_uniform_f64(const wi_ctx *c, const vu32 *x, void *dst)
{
    for (int u = 0; u < WI_U; u++) {
        vf64 v = c->lo64 + c->width64 * (u53_to_f64((vu64)x[u] >> 11) * 0x1p-53);
        v = (vf64)sel64(v > c->hi64, (vi64)c->hi64, (vi64)v);
        STORE(dst, u, v);
    }
}

static void emit_normal_f64(const wi_ctx *c, const vu32 *x, void *dst)
{
    for (int u = 0; u < WI_U; u += 2) {
        vu64 a = (vu64)x[u], b = (vu64)x[u + 1];
        vf64 zc, zs;
        box_muller_f64(SHUF(a, b, WI_IX64_LO), SHUF(a, b, WI_IX64_HI), &zc, &zs);
        zc = c->lo64 + c->width64 * zc;
        zs = c->lo64 + c->width64 * zs;
        vf64 o0 = SHUF(zc, zs, WI_IX64_LO), o1 = SHUF(zc, zs, WI_IX64_HI);
        STORE(dst, u, o0);
        STORE(dst, u + 1, o1);
    }
}

static void emit_truncnorm_f64(const wi_ctx *c, const vu32 *x, void *dst)
{
    for (int u = 0; u < WI_U; u++) {
        vf64 p = c->p0_64 + c->pw64 * (u53_to_f64((vu64)x[u] >> 11) * 0x1p-53);
        vf64 v = c->lo64 + c->width64 * quantile_f64(p);
        v = (vf64)sel64(v > c->hi64, (vi64)c->hi64, (vi64)v);
        v = (vf64)sel64(v < c->clamp_lo64, (vi64)c->clamp_lo64, (vi64)v);
        STORE(dst, u, v);
    }
}

/* Words of the batch starting at counter ctr, or (words != NULL, the test hook) copied in. */
static inline void batch(const wi_ctx *c, emit_fn emit, vu64 ctr, const uint32_t *words, void *dst)
{
    vu32 x[WI_U];
    if (words) {
        memcpy(x, words, sizeof x);
    } else {
        load_batch(x, ctr);
        philox_batch(x, c->key);
    }
    emit(c, x, dst);
}

/* ---- the kernel: whole batches straight into the buffer, ragged ends via a scratch batch ---- */

static void run(const wi_fill_spec *s, uint64_t begin, uint64_t end, const uint32_t *words)
{
    wi_ctx c;
    c.key = (vu32){} + 0u;
    c.ctr_step = (vu64){} + 0u;
    for (int i = 0; i < WI_W; i += 4) {
        c.key[i] = s->key[0];
        c.key[i + 2] = s->key[1];
    }
    for (int j = 0; j < WI_W / 2; j += 2) c.ctr_step[j] = WI_BATCH;
    c.lo32 = (vf32){} + (float)s->lo;
    c.width32 = (vf32){} + (float)s->width;
    c.hi32 = (vf32){} + (float)s->hi;
    c.lo64 = (vf64){} + s->lo;
    c.width64 = (vf64){} + s->width;
    c.hi64 = (vf64){} + s->hi;
    c.clamp_lo32 = (vf32){} + (float)s->clamp_lo;
    c.p0_32 = (vf32){} + (float)s->p0;
    c.pw32 = (vf32){} + (float)s->pw;
    c.clamp_lo64 = (vf64){} + s->clamp_lo;
    c.p0_64 = (vf64){} + s->p0;
    c.pw64 = (vf64){} + s->pw;

    /* emitters[dist][dtype] */
    static const emit_fn emitters[4][5] = {
        {emit_raw, NULL, NULL, NULL, NULL},
        {NULL, emit_uniform_f32, emit_uniform_f64, emit_uniform_f16, emit_uniform_bf16},
        {NULL, emit_normal_f32, emit_normal_f64, emit_normal_f16, emit_normal_bf16},
        {NULL, emit_truncnorm_f32, emit_truncnorm_f64, emit_truncnorm_f16, emit_truncnorm_bf16},
    };
    emit_fn emit = emitters[s->dist][s->dtype];
    unsigned per_block = s->dtype == WI_F64 ? 2 : 4;
    unsigned esize = s->dtype == WI_F64 ? 8 : (s->dtype == WI_F16 || s->dtype == WI_BF16) ? 2 : 4;
    if (!emit) return; /* the glue never asks for a missing combination */
    const uint64_t per_batch = (uint64_t)WI_BATCH * per_block;
    unsigned char scratch[WI_U * WI_VBYTES] __attribute__((aligned(64)));
    char *out = (char *)s->out;

    /* g counts elements from lane 0 of first_block, so batches start at multiples of per_batch */
    uint64_t g = s->first_lane + begin, g_end = s->first_lane + end;
    while (g < g_end) {
        uint64_t g0 = g - g % per_batch;
        vu64 ctr = make_ctr(s->first_block + g0 / per_block, s->stream);
        if (g == g0 && g_end - g0 >= per_batch) {
            uint64_t nb = (g_end - g0) / per_batch;
            char *p = out + (g0 - s->first_lane) * esize;
            for (uint64_t i = 0; i < nb; i++) {
                batch(&c, emit, ctr, words ? words + (g0 / per_block + i * WI_BATCH) * 4 : NULL, p);
                ctr += c.ctr_step;
                p += per_batch * esize;
            }
            g = g0 + nb * per_batch;
        } else {
            uint64_t stop = g0 + per_batch < g_end ? g0 + per_batch : g_end;
            batch(&c, emit, ctr, words ? words + g0 / per_block * 4 : NULL, scratch);
            memcpy(out + (g - s->first_lane) * esize, scratch + (g - g0) * esize, (stop - g) * esize);
            g = stop;
        }
    }
}

void WI_KERNEL_NAME(const wi_fill_spec *s, uint64_t begin, uint64_t end) { run(s, begin, end, NULL); }

/* Test hook: transform given words (4 per block, whole batches: a multiple of WI_BATCH
 * blocks covering first_lane + n elements) instead of Philox output. */
void WI_KERNEL_WORDS_NAME(const wi_fill_spec *s, const uint32_t *words) { run(s, 0, s->n, words); }

unsigned WI_KERNEL_BATCH_NAME(void) { return WI_BATCH; }
