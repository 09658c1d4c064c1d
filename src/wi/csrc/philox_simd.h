/* Philox4x32-10 on many blocks at once: the round of philox.h on vectors, WI_G groups of
 * WI_W blocks per batch (independent chains hide the multiplier's latency).
 *
 * Layout: a group is WI_W blocks in structure-of-arrays form (vector k holds word k of
 * every block), the cheapest form for the round. Lane L carries block
 * (L % 4) * WI_W/4 + L / 4 of the group, which makes the 4x4 transposes inside each
 * 128-bit lane (convert.h) emit the blocks in memory order. */
#ifndef WI_PHILOX_SIMD_H
#define WI_PHILOX_SIMD_H

#include <stddef.h>

#include "kernel_types.h"
#include "philox.h"

typedef struct {
    vu32 w[4]; /* word k of each of the group's WI_W blocks */
} group;

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

/* wi_philox_round of philox.h on every block of a group, under the broadcast key (k0, k1). */
WI_INLINE void philox_round_group(group *g, vu32 k0, vu32 k1)
{
    const vu32 m0 = BCAST32(WI_PHILOX_M0), m1 = BCAST32(WI_PHILOX_M1);
    vu32 hi0, lo0, hi1, lo1;
    mulhilo(g->w[0], m0, &hi0, &lo0);
    mulhilo(g->w[2], m1, &hi1, &lo1);
    g->w[0] = hi1 ^ g->w[1] ^ k0;
    g->w[1] = lo1;
    g->w[2] = hi0 ^ g->w[3] ^ k1;
    g->w[3] = lo0;
}

/* Ten rounds on the WI_G groups of a batch, round by round across groups. */
static inline void philox_batch(group g[WI_G], const uint32_t key_in[2])
{
    uint32_t key[2] = {key_in[0], key_in[1]};
#pragma GCC unroll 10
    for (int r = 0; r < 10; r++) {
        if (r) wi_philox_bump_key(key);
        vu32 k0 = BCAST32(key[0]), k1 = BCAST32(key[1]);
#pragma GCC unroll 8
        for (int i = 0; i < WI_G; i++) philox_round_group(&g[i], k0, k1);
    }
}

/* The block each lane of a group carries, relative to the group's first block. */
static inline vu32 lane_blocks(void)
{
    vu32 v;
    for (int l = 0; l < WI_W; l++) v[l] = (uint32_t)((l % 4) * (WI_W / 4) + l / 4);
    return v;
}

/* Counters of the WI_G * WI_W blocks starting at `block`. */
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

#endif
