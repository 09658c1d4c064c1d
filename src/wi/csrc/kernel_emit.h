/* One batch of Philox words -> output elements, per (distribution, output dtype): the
 * transforms of docs/stream.md over the vector math, then the stores of convert.h. */
#ifndef WI_KERNEL_EMIT_H
#define WI_KERNEL_EMIT_H

#include "convert.h"
#include "philox_simd.h"
#include "vmath.h"
#include "wi_contract.h"

/* A fill's parameters broadcast once per kernel call (see wi_fill_spec). */
typedef struct {
    uint32_t key[2];
    uint64_t stream;
    vf32 lo32, width32, hi32, clamp_lo32, p0_32, pw32;
    vf64 lo64, width64, hi64, clamp_lo64, p0_64, pw64;
} wi_ctx;

typedef void (*emit_fn)(const wi_ctx *c, group *g, void *dst);

static void emit_raw(const wi_ctx *c, group *g, void *dst)
{
    (void)c;
    for (int i = 0; i < WI_G; i++) {
        transpose32(g[i].w);
        memcpy((char *)dst + (size_t)i * 4 * WI_VBYTES, g[i].w, 4 * WI_VBYTES);
    }
}

/* ---- float32 results (float32, float16, bfloat16 output): one element per word ---- */

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

/* ---- float64 results: one element per pair of words ---- */

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

/* emitters[dist][dtype]; NULL where the glue never asks (raw words are uint32 only) */
static const emit_fn emitters[WI_DIST_COUNT][WI_DTYPE_COUNT] = {
    [WI_DIST_RAW] = {[WI_U32] = emit_raw},
    [WI_DIST_UNIFORM] = {[WI_F32] = emit_uniform_f32, [WI_F64] = emit_uniform_f64, [WI_F16] = emit_uniform_f16,
                         [WI_BF16] = emit_uniform_bf16},
    [WI_DIST_NORMAL] = {[WI_F32] = emit_normal_f32, [WI_F64] = emit_normal_f64, [WI_F16] = emit_normal_f16,
                        [WI_BF16] = emit_normal_bf16},
    [WI_DIST_TRUNCNORM] = {[WI_F32] = emit_truncnorm_f32, [WI_F64] = emit_truncnorm_f64,
                           [WI_F16] = emit_truncnorm_f16, [WI_BF16] = emit_truncnorm_bf16},
};

#endif
