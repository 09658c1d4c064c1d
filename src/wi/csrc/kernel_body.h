/* The fill kernel, written once over generic vectors and compiled once per SIMD path.
 *
 * The including file defines WI_W (32-bit lanes per vector), WI_G (groups per batch),
 * WI_KERNEL_NAME, WI_KERNEL_WORDS_NAME, WI_KERNEL_BATCH_NAME, and three helpers:
 * wi_mul_even (32x32->64-bit products of the even lanes), wi_sqrt_f32 and wi_sqrt_f64.
 * Everything else is plain IEEE arithmetic with no contraction (-ffp-contract=off), so
 * every path gives bit-identical values.
 *
 * Layout: a group is WI_W blocks in structure-of-arrays form (vector k holds word k of
 * every block), the cheapest form for the Philox round. Lane L carries block
 * (L % 4) * WI_W/4 + L / 4 of the group, which makes the 4x4 transposes inside each
 * 128-bit lane (the only shuffles needed) emit the blocks in memory order.
 * See docs/stream.md for the transforms. */
#include <string.h>

#include "philox.h"
#include "wi_core.h"
#include "wi_poly.h"

#define WI_BATCH (WI_G * WI_W) /* blocks per batch */

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

/* ---- Philox4x32-10 on WI_G groups at once (independent chains hide mul latency) ---- */

typedef struct {
    vu32 w[4]; /* word k of each of the group's WI_W blocks */
} group;

typedef struct {
    uint32_t key[2];
    uint64_t stream;
    vf32 lo32, width32, hi32, clamp_lo32, p0_32, pw32;
    vf64 lo64, width64, hi64, clamp_lo64, p0_64, pw64;
} wi_ctx;

#define BCAST32(x) ((vu32){} + (uint32_t)(x))

/* hi and lo halves of the 64-bit products c * m, lane by lane */
static inline void mulhilo(vu32 c, vu32 m, vu32 *hi, vu32 *lo)
{
    vu64 even = wi_mul_even(c, m);
    vu64 odd = wi_mul_even((vu32)((vu64)c >> 32), m);
    *hi = SHUF((vu32)(even >> 32), (vu32)odd, WI_IX_EVEN_ODD);
#ifdef WI_HAVE_MULLO
    *lo = c * m; /* one multiply where the ISA has a 32-bit low multiply */
#else
    *lo = SHUF((vu32)even, (vu32)(odd << 32), WI_IX_EVEN_ODD);
#endif
}

static inline void philox_batch(group g[WI_G], uint32_t k0, uint32_t k1)
{
    const vu32 m0 = BCAST32(WI_PHILOX_M0), m1 = BCAST32(WI_PHILOX_M1);
#pragma GCC unroll 10
    for (int r = 0; r < 10; r++) {
        if (r) {
            k0 += WI_PHILOX_W0;
            k1 += WI_PHILOX_W1;
        }
        vu32 vk0 = BCAST32(k0), vk1 = BCAST32(k1);
#pragma GCC unroll 8
        for (int i = 0; i < WI_G; i++) {
            vu32 hi0, lo0, hi1, lo1;
            mulhilo(g[i].w[0], m0, &hi0, &lo0);
            mulhilo(g[i].w[2], m1, &hi1, &lo1);
            g[i].w[0] = hi1 ^ g[i].w[1] ^ vk0;
            g[i].w[1] = lo1;
            g[i].w[2] = hi0 ^ g[i].w[3] ^ vk1;
            g[i].w[3] = lo0;
        }
    }
}

/* The block each lane of a group carries, relative to the group's first block. */
static inline vu32 lane_blocks(void)
{
    vu32 v;
    for (int l = 0; l < WI_W; l++) v[l] = (uint32_t)((l % 4) * (WI_W / 4) + l / 4);
    return v;
}

/* Counters of the WI_BATCH blocks starting at `block`. */
static inline void load_counters(group g[WI_G], uint64_t block, uint64_t stream)
{
    const vu32 offs = lane_blocks();
#pragma GCC unroll 8
    for (int i = 0; i < WI_G; i++) {
        uint64_t b = block + (uint64_t)i * WI_W;
        vu32 lo = BCAST32(b) + offs;
        vu32 carry = (vu32)(lo < offs); /* all-ones where the low word wrapped */
        g[i].w[0] = lo;
        g[i].w[1] = BCAST32(b >> 32) - carry;
        g[i].w[2] = BCAST32(stream);
        g[i].w[3] = BCAST32(stream >> 32);
    }
}

/* Test hook: words given in memory order (4 per block) instead of Philox output. */
static inline void load_words(group g[WI_G], const uint32_t *words)
{
    const vu32 offs = lane_blocks();
    for (int i = 0; i < WI_G; i++)
        for (int k = 0; k < 4; k++)
            for (int l = 0; l < WI_W; l++) g[i].w[k][l] = words[4 * ((size_t)i * WI_W + offs[l]) + k];
}

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

/* Per-block float64 pairs (first, second) for the lanes of words64(), in memory order. */
static inline void store64_pairs(void *dst, int i, vf64 first_lo, vf64 second_lo, vf64 first_hi, vf64 second_hi)
{
    vf64 o[4] = {SHUF(first_lo, second_lo, WI_IX64_LO), SHUF(first_lo, second_lo, WI_IX64_HI),
                 SHUF(first_hi, second_hi, WI_IX64_LO), SHUF(first_hi, second_hi, WI_IX64_HI)};
    memcpy((char *)dst + (size_t)i * 4 * WI_VBYTES, o, sizeof o);
}

/* ---- the math, in lock-step over n independent vectors ----
 * Each function takes arrays of n vectors (n <= WI_NMAX, a constant after inlining) and
 * runs every step for all of them before the next, so the compiler emits n interleaved
 * chains: the long log/sincos/quantile chains would otherwise leave the core waiting on
 * latency. The arithmetic per element is the same as one vector at a time. */

#define WI_NMAX 8
#define EACH(j) _Pragma("GCC unroll 8") for (int j = 0; j < n; j++)
#define WI_INLINE static inline __attribute__((always_inline))

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

WI_INLINE void neg2log_f32(int n, const vf32 *u, vf32 *out)
{
    static const float c[] = WI_LOG_C_F32;
    vi32 e[WI_NMAX], mb[WI_NMAX];
    vf32 s[WI_NMAX], z[WI_NMAX], p[WI_NMAX];
    EACH(j) {
        vi32 bits = (vi32)u[j];
        e[j] = (bits >> 23) - 127;
        mb[j] = (bits & 0x007FFFFF) | 0x3F800000;
        vi32 big = mb[j] > 0x3FB504F3; /* m > sqrt(2): halve m, bump e */
        mb[j] -= big & 0x00800000;
        e[j] -= big;
    }
    EACH(j) s[j] = ((vf32)mb[j] - 1.0f) / ((vf32)mb[j] + 1.0f);
    EACH(j) z[j] = s[j] * s[j];
    EACH(j) p[j] = (vf32){} + c[WI_LOG_N_F32 - 1];
#pragma GCC unroll 16
    for (int i = WI_LOG_N_F32 - 2; i >= 0; i--) EACH(j) p[j] = p[j] * z[j] + c[i];
    EACH(j) {
        vf32 ef = __builtin_convertvector(e[j], vf32);
        out[j] = (ef * (float)WI_LN2_HI_F32 + (ef * (float)WI_LN2_LO_F32 + s[j] * p[j])) * -2.0f;
    }
}

WI_INLINE void neg2log_f64(int n, const vf64 *u, vf64 *out)
{
    static const double c[] = WI_LOG_C_F64;
    vi64 e[WI_NMAX], mb[WI_NMAX];
    vf64 s[WI_NMAX], z[WI_NMAX], p[WI_NMAX];
    EACH(j) {
        vi64 bits = (vi64)u[j];
        e[j] = (vi64)((vu64)bits >> 52) - 1023; /* u > 0: a logical shift (AVX2 has no 64-bit arithmetic one) */
        mb[j] = (bits & 0x000FFFFFFFFFFFFFll) | 0x3FF0000000000000ll;
        vi64 big = mb[j] > 0x3FF6A09E667F3BCDll;
        mb[j] -= big & 0x0010000000000000ll;
        e[j] -= big;
    }
    EACH(j) s[j] = ((vf64)mb[j] - 1.0) / ((vf64)mb[j] + 1.0);
    EACH(j) z[j] = s[j] * s[j];
    EACH(j) p[j] = (vf64){} + c[WI_LOG_N_F64 - 1];
#pragma GCC unroll 16
    for (int i = WI_LOG_N_F64 - 2; i >= 0; i--) EACH(j) p[j] = p[j] * z[j] + c[i];
    EACH(j) {
        vf64 ef = s51_to_f64(e[j]);
        out[j] = (ef * WI_LN2_HI_F64 + (ef * WI_LN2_LO_F64 + s[j] * p[j])) * -2.0;
    }
}

/* ---- sin and cos of 2*pi*(q/4 + f), |f| <= 1/8, q the quadrant ---- */

WI_INLINE void sincos_f32(int n, const vf32 *f, const vi32 *q, vf32 *sn, vf32 *cs)
{
    static const float cs_[] = WI_SIN_C_F32, cc_[] = WI_COS_C_F32;
    vf32 z[WI_NMAX], ps[WI_NMAX], pc[WI_NMAX];
    EACH(j) z[j] = f[j] * f[j];
    EACH(j) ps[j] = (vf32){} + cs_[WI_SIN_N_F32 - 1];
    EACH(j) pc[j] = (vf32){} + cc_[WI_COS_N_F32 - 1];
#pragma GCC unroll 16
    for (int i = WI_COS_N_F32 - 2; i >= 0; i--) {
        if (i <= WI_SIN_N_F32 - 2) EACH(j) ps[j] = ps[j] * z[j] + cs_[i];
        EACH(j) pc[j] = pc[j] * z[j] + cc_[i];
    }
    EACH(j) {
        ps[j] = ps[j] * f[j];
        vi32 swap = -(q[j] & 1);
        sn[j] = (vf32)(sel32(swap, (vi32)pc[j], (vi32)ps[j]) ^ ((q[j] & 2) << 30));
        cs[j] = (vf32)(sel32(swap, (vi32)ps[j], (vi32)pc[j]) ^ (((q[j] + 1) & 2) << 30));
    }
}

WI_INLINE void sincos_f64(int n, const vf64 *f, const vi64 *q, vf64 *sn, vf64 *cs)
{
    static const double cs_[] = WI_SIN_C_F64, cc_[] = WI_COS_C_F64;
    vf64 z[WI_NMAX], ps[WI_NMAX], pc[WI_NMAX];
    EACH(j) z[j] = f[j] * f[j];
    EACH(j) ps[j] = (vf64){} + cs_[WI_SIN_N_F64 - 1];
    EACH(j) pc[j] = (vf64){} + cc_[WI_COS_N_F64 - 1];
#pragma GCC unroll 16
    for (int i = WI_COS_N_F64 - 2; i >= 0; i--) {
        if (i <= WI_SIN_N_F64 - 2) EACH(j) ps[j] = ps[j] * z[j] + cs_[i];
        EACH(j) pc[j] = pc[j] * z[j] + cc_[i];
    }
    EACH(j) {
        ps[j] = ps[j] * f[j];
        vi64 swap = -(q[j] & 1);
        sn[j] = (vf64)(sel64(swap, (vi64)pc[j], (vi64)ps[j]) ^ ((q[j] & 2) << 62));
        cs[j] = (vf64)(sel64(swap, (vi64)ps[j], (vi64)pc[j]) ^ (((q[j] + 1) & 2) << 62));
    }
}

/* ---- Box-Muller on word pairs: (radius word, angle word) -> (r cos, r sin) ---- */

WI_INLINE void box_muller_f32(int n, const vu32 *w_radius, const vu32 *w_angle, vf32 *zc, vf32 *zs)
{
    vf32 u1[WI_NMAX], r[WI_NMAX], f[WI_NMAX], sn[WI_NMAX], cs[WI_NMAX];
    vi32 q[WI_NMAX];
    EACH(j) u1[j] = u24_to_f32((w_radius[j] >> 8) + 1u) * 0x1p-24f; /* (0, 1] */
    EACH(j) {
        vi32 k = (vi32)(w_angle[j] >> 8);
        q[j] = (k + (1 << 21)) >> 22;
        f[j] = __builtin_convertvector(k - (q[j] << 22), vf32) * 0x1p-24f; /* [-1/8, 1/8) */
    }
    neg2log_f32(n, u1, r);
    sincos_f32(n, f, q, sn, cs);
    EACH(j) r[j] = wi_sqrt_f32(r[j]);
    EACH(j) {
        zc[j] = r[j] * cs[j];
        zs[j] = r[j] * sn[j];
    }
}

WI_INLINE void box_muller_f64(int n, const vu64 *w_radius, const vu64 *w_angle, vf64 *zc, vf64 *zs)
{
    vf64 u1[WI_NMAX], r[WI_NMAX], f[WI_NMAX], sn[WI_NMAX], cs[WI_NMAX];
    vi64 q[WI_NMAX];
    EACH(j) u1[j] = u53_to_f64((w_radius[j] >> 11) + 1u) * 0x1p-53;
    EACH(j) {
        vi64 k = (vi64)(w_angle[j] >> 11);
        q[j] = (vi64)((vu64)(k + (1ll << 50)) >> 51);
        f[j] = s51_to_f64(k - (q[j] << 51)) * 0x1p-53;
    }
    neg2log_f64(n, u1, r);
    sincos_f64(n, f, q, sn, cs);
    EACH(j) r[j] = wi_sqrt_f64(r[j]);
    EACH(j) {
        zc[j] = r[j] * cs[j];
        zs[j] = r[j] * sn[j];
    }
}

/* ---- the normal quantile (AS241), for the truncated normal ---- */

/* Evaluate num(x)/den(x), degree-7 polynomials with coefficients in ascending order. */
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

/* Q(p) for p in (0, 1). Lanes pick the central or tail branch; the far tail (beyond about
 * 7 standard deviations) is only evaluated when some lane needs it. */
WI_INLINE void quantile_f32(int n, const vf32 *p, vf32 *z)
{
    vf32 q[WI_NMAX], r[WI_NMAX], zc[WI_NMAX], zt[WI_NMAX], t[WI_NMAX], s[WI_NMAX], s1[WI_NMAX];
    vi32 far[WI_NMAX];
    EACH(j) {
        q[j] = p[j] - 0.5f;
        r[j] = (float)WI_AS241_CONST1 - q[j] * q[j];
        vf32 om = 1.0f - p[j];
        t[j] = (vf32)sel32(p[j] < om, (vi32)p[j], (vi32)om);
        t[j] = (vf32)sel32(t[j] < 0x1p-126f, (vi32)((vf32){} + 0x1p-126f), (vi32)t[j]);
    }
    WI_RATIONAL(float, vf32, r, WI_AS241_A, WI_AS241_B, zc);
    neg2log_f32(n, t, s);
    EACH(j) s[j] = wi_sqrt_f32(s[j] * 0.5f); /* sqrt(-ln t) */
    EACH(j) s1[j] = s[j] - (float)WI_AS241_CONST2;
    WI_RATIONAL(float, vf32, s1, WI_AS241_C, WI_AS241_D, zt);
    vi32 any = (vi32){};
    EACH(j) {
        far[j] = s[j] > (float)WI_AS241_SPLIT2;
        any |= far[j];
    }
    if (any_lane32(any)) {
        vf32 s2[WI_NMAX], zf[WI_NMAX];
        EACH(j) s2[j] = s[j] - (float)WI_AS241_SPLIT2;
        WI_RATIONAL(float, vf32, s2, WI_AS241_E, WI_AS241_F, zf);
        EACH(j) zt[j] = (vf32)sel32(far[j], (vi32)zf[j], (vi32)zt[j]);
    }
    EACH(j) {
        vf32 tail = (vf32)((vu32)zt[j] ^ ((vu32)q[j] & 0x80000000u)); /* negative below the median */
        vf32 aq = (vf32)((vi32)q[j] & 0x7FFFFFFF);
        z[j] = (vf32)sel32(aq <= (float)WI_AS241_SPLIT1, (vi32)(q[j] * zc[j]), (vi32)tail);
    }
}

WI_INLINE void quantile_f64(int n, const vf64 *p, vf64 *z)
{
    vf64 q[WI_NMAX], r[WI_NMAX], zc[WI_NMAX], zt[WI_NMAX], t[WI_NMAX], s[WI_NMAX], s1[WI_NMAX];
    vi64 far[WI_NMAX];
    EACH(j) {
        q[j] = p[j] - 0.5;
        r[j] = WI_AS241_CONST1 - q[j] * q[j];
        vf64 om = 1.0 - p[j];
        t[j] = (vf64)sel64(p[j] < om, (vi64)p[j], (vi64)om);
        t[j] = (vf64)sel64(t[j] < 0x1p-1022, (vi64)((vf64){} + 0x1p-1022), (vi64)t[j]);
    }
    WI_RATIONAL(double, vf64, r, WI_AS241_A, WI_AS241_B, zc);
    neg2log_f64(n, t, s);
    EACH(j) s[j] = wi_sqrt_f64(s[j] * 0.5);
    EACH(j) s1[j] = s[j] - WI_AS241_CONST2;
    WI_RATIONAL(double, vf64, s1, WI_AS241_C, WI_AS241_D, zt);
    vi64 any = (vi64){};
    EACH(j) {
        far[j] = s[j] > WI_AS241_SPLIT2;
        any |= far[j];
    }
    if (any_lane64(any)) {
        vf64 s2[WI_NMAX], zf[WI_NMAX];
        EACH(j) s2[j] = s[j] - WI_AS241_SPLIT2;
        WI_RATIONAL(double, vf64, s2, WI_AS241_E, WI_AS241_F, zf);
        EACH(j) zt[j] = (vf64)sel64(far[j], (vi64)zf[j], (vi64)zt[j]);
    }
    EACH(j) {
        vf64 tail = (vf64)((vu64)zt[j] ^ ((vu64)q[j] & 0x8000000000000000ull));
        vf64 aq = (vf64)((vi64)q[j] & 0x7FFFFFFFFFFFFFFFll);
        z[j] = (vf64)sel64(aq <= WI_AS241_SPLIT1, (vi64)(q[j] * zc[j]), (vi64)tail);
    }
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

/* ---- turning one batch of words into output elements at dst ---- */

typedef void (*emit_fn)(const wi_ctx *c, group *g, void *dst);

static void emit_raw(const wi_ctx *c, group *g, void *dst)
{
    (void)c;
    for (int i = 0; i < WI_G; i++) {
        transpose32(g[i].w);
        memcpy((char *)dst + (size_t)i * 4 * WI_VBYTES, g[i].w, 4 * WI_VBYTES);
    }
}

/* Four float32 vectors (element k of each block in v[k]) stored in the output format. */
WI_INLINE void store_group32(void *dst, int i, vf32 v[4], int dtype)
{
    transpose32((vu32 *)v);
    for (int k = 0; k < 4; k++) store32(dst, 4 * i + k, v[k], dtype);
}

WI_INLINE void uniform32(const wi_ctx *c, group *g, void *dst, int dtype)
{
    for (int i = 0; i < WI_G; i++) {
        vf32 v[4];
        for (int k = 0; k < 4; k++) {
            vf32 x = c->lo32 + c->width32 * (u24_to_f32(g[i].w[k] >> 8) * 0x1p-24f);
            v[k] = (vf32)sel32(x > c->hi32, (vi32)c->hi32, (vi32)x);
        }
        store_group32(dst, i, v, dtype);
    }
}

WI_INLINE void normal32(const wi_ctx *c, group *g, void *dst, int dtype)
{
    /* pairs (word 0, word 1) and (word 2, word 3) of every group, all at once */
    vu32 wr[2 * WI_G], wa[2 * WI_G];
    vf32 zc[2 * WI_G], zs[2 * WI_G];
    for (int i = 0; i < WI_G; i++) {
        wr[2 * i] = g[i].w[0], wa[2 * i] = g[i].w[1];
        wr[2 * i + 1] = g[i].w[2], wa[2 * i + 1] = g[i].w[3];
    }
    box_muller_f32(2 * WI_G, wr, wa, zc, zs);
    for (int i = 0; i < WI_G; i++) {
        vf32 v[4] = {zc[2 * i], zs[2 * i], zc[2 * i + 1], zs[2 * i + 1]};
        for (int k = 0; k < 4; k++) v[k] = c->lo32 + c->width32 * v[k];
        store_group32(dst, i, v, dtype);
    }
}

WI_INLINE void truncnorm32(const wi_ctx *c, group *g, void *dst, int dtype)
{
    vf32 p[4 * WI_G], z[4 * WI_G];
    for (int i = 0; i < 4 * WI_G; i++) p[i] = c->p0_32 + c->pw32 * (u24_to_f32(g[i / 4].w[i % 4] >> 8) * 0x1p-24f);
    quantile_f32(4 * WI_G, p, z);
    for (int i = 0; i < WI_G; i++) {
        vf32 v[4];
        for (int k = 0; k < 4; k++) {
            vf32 x = c->lo32 + c->width32 * z[4 * i + k];
            x = (vf32)sel32(x > c->hi32, (vi32)c->hi32, (vi32)x);
            v[k] = (vf32)sel32(x < c->clamp_lo32, (vi32)c->clamp_lo32, (vi32)x);
        }
        store_group32(dst, i, v, dtype);
    }
}

#define WI_EMIT32(name, body, dtype) \
    static void name(const wi_ctx *c, group *g, void *dst) { body(c, g, dst, dtype); }
WI_EMIT32(emit_uniform_f32, uniform32, WI_F32)
WI_EMIT32(emit_uniform_f16, uniform32, WI_F16)
WI_EMIT32(emit_uniform_bf16, uniform32, WI_BF16)
WI_EMIT32(emit_normal_f32, normal32, WI_F32)
WI_EMIT32(emit_normal_f16, normal32, WI_F16)
WI_EMIT32(emit_normal_bf16, normal32, WI_BF16)
WI_EMIT32(emit_truncnorm_f32, truncnorm32, WI_F32)
WI_EMIT32(emit_truncnorm_f16, truncnorm32, WI_F16)
WI_EMIT32(emit_truncnorm_bf16, truncnorm32, WI_BF16)

static inline vf64 uniform64(const wi_ctx *c, vu64 w)
{
    vf64 x = c->lo64 + c->width64 * (u53_to_f64(w >> 11) * 0x1p-53);
    return (vf64)sel64(x > c->hi64, (vi64)c->hi64, (vi64)x);
}

static inline vf64 clamp64(const wi_ctx *c, vf64 z)
{
    vf64 x = c->lo64 + c->width64 * z;
    x = (vf64)sel64(x > c->hi64, (vi64)c->hi64, (vi64)x);
    return (vf64)sel64(x < c->clamp_lo64, (vi64)c->clamp_lo64, (vi64)x);
}

static void emit_uniform_f64(const wi_ctx *c, group *g, void *dst)
{
    for (int i = 0; i < WI_G; i++) {
        vu64 w[4];
        words64(&g[i], w);
        store64_pairs(dst, i, uniform64(c, w[0]), uniform64(c, w[2]), uniform64(c, w[1]), uniform64(c, w[3]));
    }
}

static void emit_truncnorm_f64(const wi_ctx *c, group *g, void *dst)
{
    vf64 p[4 * WI_G], z[4 * WI_G];
    for (int i = 0; i < WI_G; i++) {
        vu64 w[4];
        words64(&g[i], w);
        for (int k = 0; k < 4; k++) p[4 * i + k] = c->p0_64 + c->pw64 * (u53_to_f64(w[k] >> 11) * 0x1p-53);
    }
    quantile_f64(4 * WI_G, p, z);
    for (int i = 0; i < WI_G; i++)
        store64_pairs(dst, i, clamp64(c, z[4 * i]), clamp64(c, z[4 * i + 2]), clamp64(c, z[4 * i + 1]),
                      clamp64(c, z[4 * i + 3]));
}

static void emit_normal_f64(const wi_ctx *c, group *g, void *dst)
{
    /* radius words w[0], w[1] and angle words w[2], w[3] of every group, all at once */
    vu64 wr[2 * WI_G], wa[2 * WI_G];
    vf64 zc[2 * WI_G], zs[2 * WI_G];
    for (int i = 0; i < WI_G; i++) {
        vu64 w[4];
        words64(&g[i], w);
        wr[2 * i] = w[0], wr[2 * i + 1] = w[1];
        wa[2 * i] = w[2], wa[2 * i + 1] = w[3];
    }
    box_muller_f64(2 * WI_G, wr, wa, zc, zs);
    const vf64 lo = c->lo64, wd = c->width64;
    for (int i = 0; i < WI_G; i++)
        store64_pairs(dst, i, lo + wd * zc[2 * i], lo + wd * zs[2 * i], lo + wd * zc[2 * i + 1], lo + wd * zs[2 * i + 1]);
}

/* One batch: Philox output for the blocks from `block`, or (the test hook) given words. */
static inline void batch(const wi_ctx *c, emit_fn emit, uint64_t block, const uint32_t *words, void *dst)
{
    group g[WI_G];
    if (words) {
        load_words(g, words);
    } else {
        load_counters(g, block, c->stream);
        philox_batch(g, c->key[0], c->key[1]);
    }
    emit(c, g, dst);
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
static inline int stream_aligned(const void *p) { (void)p; return 0; }
static inline void stream_copy(void *dst, const void *src, size_t bytes) { memcpy(dst, src, bytes); }
static inline void stream_fence(void) {}
#endif

/* ---- the kernel: whole batches straight into the buffer, ragged ends via a scratch batch ---- */

static void run(const wi_fill_spec *s, uint64_t begin, uint64_t end, const uint32_t *words)
{
    wi_ctx c;
    c.key[0] = s->key[0];
    c.key[1] = s->key[1];
    c.stream = s->stream;
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
    unsigned char scratch[WI_BATCH * 16] __attribute__((aligned(64)));
    char *out = (char *)s->out;

    /* g counts elements from lane 0 of first_block, so batches start at multiples of per_batch */
    uint64_t g = s->first_lane + begin, g_end = s->first_lane + end;
    while (g < g_end) {
        uint64_t g0 = g - g % per_batch;
        uint64_t block = s->first_block + g0 / per_block;
        if (g == g0 && g_end - g0 >= per_batch) {
            uint64_t nb = (g_end - g0) / per_batch;
            char *p = out + (g0 - s->first_lane) * esize;
            int streaming = s->streaming && stream_aligned(p);
            for (uint64_t i = 0; i < nb; i++) {
                const uint32_t *w = words ? words + (g0 / per_block + i * WI_BATCH) * 4 : NULL;
                if (streaming) {
                    batch(&c, emit, block + i * WI_BATCH, w, scratch);
                    stream_copy(p, scratch, per_batch * esize);
                } else {
                    batch(&c, emit, block + i * WI_BATCH, w, p);
                }
                p += per_batch * esize;
            }
            if (streaming) stream_fence();
            g = g0 + nb * per_batch;
        } else {
            uint64_t stop = g0 + per_batch < g_end ? g0 + per_batch : g_end;
            batch(&c, emit, block, words ? words + g0 / per_block * 4 : NULL, scratch);
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
