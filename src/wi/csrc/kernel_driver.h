/* The fill kernel of one SIMD path: the batch loop over Philox (philox_simd.h), the
 * transforms (kernel_emit.h, vmath.h) and the stores (convert.h). Written once over
 * generic vectors and compiled once per path by kernel_<path>.c.
 *
 * The including file defines WI_W (32-bit lanes per vector), WI_G (groups per batch),
 * WI_KERNEL(name) (the path's suffix on the entry points), and three helpers: wi_mul_even
 * (32x32->64-bit products of the even lanes), wi_sqrt_f32 and wi_sqrt_f64. Everything
 * else is plain IEEE arithmetic with no contraction (-ffp-contract=off), so every path
 * gives bit-identical values. */
#include <string.h>

#include "kernel_emit.h"
#include "wi_core.h"
#include "wi_kernels.h"

#define WI_BATCH (WI_G * WI_W) /* blocks per batch */

/* One batch: Philox output for the blocks from `block`, or (the test hook) given words. */
static inline void batch(const wi_ctx *c, emit_fn emit, uint64_t block, const uint32_t *words, void *dst)
{
    group g[WI_G];
    if (words) {
        load_words(g, words);
    } else {
        philox_batch(g, block, c->stream, c->key);
    }
    emit(c, g, dst);
}

static void init_ctx(wi_ctx *c, const wi_fill_spec *s)
{
    c->key[0] = s->key[0];
    c->key[1] = s->key[1];
    c->stream = s->stream;
    c->lo32 = (vf32){} + (float)s->lo;
    c->width32 = (vf32){} + (float)s->width;
    c->hi32 = (vf32){} + (float)s->hi;
    c->clamp_lo32 = (vf32){} + (float)s->clamp_lo;
    c->p0_32 = (vf32){} + (float)s->p0;
    c->pw32 = (vf32){} + (float)s->pw;
    c->lo64 = (vf64){} + s->lo;
    c->width64 = (vf64){} + s->width;
    c->hi64 = (vf64){} + s->hi;
    c->clamp_lo64 = (vf64){} + s->clamp_lo;
    c->p0_64 = (vf64){} + s->p0;
    c->pw64 = (vf64){} + s->pw;
}

/* Elements [begin, end) of the fill: whole batches straight into the buffer (or through a
 * scratch batch and streaming stores), ragged ends via the scratch batch. */
static void run(const wi_fill_spec *s, uint64_t begin, uint64_t end, int streaming_ok, const uint32_t *words)
{
    static const unsigned itemsize[WI_DTYPE_COUNT] = WI_ITEMSIZE_TABLE;
    static const unsigned per_blocks[WI_DTYPE_COUNT] = WI_PER_BLOCK_TABLE;
    emit_fn emit = emitters[s->dist][s->dtype];
    if (!emit) return; /* the glue never asks for a missing combination */
    wi_ctx c;
    init_ctx(&c, s);
    const unsigned per_block = per_blocks[s->dtype], esize = itemsize[s->dtype];
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
            int streaming = streaming_ok && stream_aligned(p);
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

void WI_KERNEL(fill)(const wi_fill_spec *s, uint64_t begin, uint64_t end, int streaming)
{
    run(s, begin, end, streaming, NULL);
}

void WI_KERNEL(words)(const wi_fill_spec *s, const uint32_t *words) { run(s, 0, s->n, 0, words); }

unsigned WI_KERNEL(batch)(void) { return WI_BATCH; }
