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
    vf32 lo32, width32, hi32;
    vf64 lo64, width64, hi64;
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

/* ---- turning one batch of words (WI_U vectors) into output elements at dst ---- */

typedef void (*emit_fn)(const wi_ctx *c, const vu32 *x, void *dst);

#define STORE(dst, i, v) memcpy((char *)(dst) + (size_t)(i) * WI_VBYTES, &(v), WI_VBYTES)

static void emit_raw(const wi_ctx *c, const vu32 *x, void *dst)
{
    (void)c;
    for (int u = 0; u < WI_U; u++) STORE(dst, u, x[u]);
}

static void emit_uniform_f32(const wi_ctx *c, const vu32 *x, void *dst)
{
    for (int u = 0; u < WI_U; u++) {
        vf32 v = c->lo32 + c->width32 * (u24_to_f32(x[u] >> 8) * 0x1p-24f);
        v = (vf32)sel32(v > c->hi32, (vi32)c->hi32, (vi32)v);
        STORE(dst, u, v);
    }
}

static void emit_uniform_f64(const wi_ctx *c, const vu32 *x, void *dst)
{
    for (int u = 0; u < WI_U; u++) {
        vf64 v = c->lo64 + c->width64 * (u53_to_f64((vu64)x[u] >> 11) * 0x1p-53);
        v = (vf64)sel64(v > c->hi64, (vi64)c->hi64, (vi64)v);
        STORE(dst, u, v);
    }
}

static void emit_normal_f32(const wi_ctx *c, const vu32 *x, void *dst)
{
    for (int u = 0; u < WI_U; u += 2) {
        vf32 zc, zs;
        box_muller_f32(SHUF(x[u], x[u + 1], WI_IX_EVEN_OF2), SHUF(x[u], x[u + 1], WI_IX_ODD_OF2), &zc, &zs);
        zc = c->lo32 + c->width32 * zc;
        zs = c->lo32 + c->width32 * zs;
        vf32 o0 = SHUF(zc, zs, WI_IX_ZIP_LO), o1 = SHUF(zc, zs, WI_IX_ZIP_HI);
        STORE(dst, u, o0);
        STORE(dst, u + 1, o1);
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

    emit_fn emit;
    unsigned per_block = 4, esize = 4;
    switch (s->dist) {
    case WI_DIST_RAW: emit = emit_raw; break;
    case WI_DIST_UNIFORM: emit = s->dtype == WI_F64 ? emit_uniform_f64 : emit_uniform_f32; break;
    default: emit = s->dtype == WI_F64 ? emit_normal_f64 : emit_normal_f32; break;
    }
    if (s->dtype == WI_F64) {
        per_block = 2;
        esize = 8;
    }
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
