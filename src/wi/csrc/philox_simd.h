/* Philox4x32-10 on many blocks at once: the round of philox.h on vectors, WI_G groups of
 * WI_W blocks per batch (independent chains hide the multiplier's latency).
 *
 * Layout: a group is WI_W blocks in structure-of-arrays form (vector k holds word k of
 * every block), what the transforms consume. Lane L carries block (L % 4) * WI_W/4 + L / 4
 * of the group, which makes the 4x4 transposes inside each 128-bit lane (convert.h) emit
 * the blocks in memory order.
 *
 * Two ways to run the rounds, chosen per path by the instruction counts it measured
 * (docs/benchmarks.md): packed, on the group itself (AVX2, where the 32-bit low multiply
 * is cheap), or WI_PHILOX_HALVES, on two halves of a group with one block per 64-bit lane
 * packed into the group at the end (AVX-512: 12 instead of 14 operations per 16 blocks
 * and round). Both give the same words. */
#ifndef WI_PHILOX_SIMD_H
#define WI_PHILOX_SIMD_H

#include <stddef.h>

#include "kernel_types.h"
#include "philox.h"

typedef struct {
    vu32 w[4]; /* word k of each of the group's WI_W blocks */
} group;

/* The block each lane of a group carries, relative to the group's first block. */
static inline vu32 lane_blocks(void)
{
    vu32 v;
    for (int l = 0; l < WI_W; l++) v[l] = (uint32_t)((l % 4) * (WI_W / 4) + l / 4);
    return v;
}

#ifdef WI_PHILOX_HALVES

#ifndef WI_PHILOX_TOGETHER
#define WI_PHILOX_TOGETHER WI_G /* groups whose rounds interleave */
#endif

/* The round state of half a group: word k of WI_W/2 blocks, one block per 64-bit lane, in
 * that lane's low 32 bits. vpmuludq reads only the low halves, so the full 64-bit product
 * c * m is one multiply and its high word one shift, and the low word needs no work: it is
 * the product itself. The high 32 bits of every lane are don't-care (xors leave garbage
 * there; no multiply ever reads it). Against the packed 32-bit layout this trades the odd
 * lanes' shifts, the even/odd blends and the 32-bit low multiplies for twice the vectors:
 * 2 multiplies, 2 shifts and 2-4 logic ops per half and round, against 6 multiplies, 4
 * shifts, 2 blends and 2-4 logic ops per packed group. */
typedef struct {
    vu64 w[4];
} half;

/* wi_philox_round of philox.h on every block of a half, under the broadcast key (k0, k1). */
WI_INLINE void philox_round_half(half *h, vu64 k0, vu64 k1)
{
    const vu32 m0 = BCAST32(WI_PHILOX_M0), m1 = BCAST32(WI_PHILOX_M1);
    vu64 p0 = wi_mul_even((vu32)h->w[0], m0), p1 = wi_mul_even((vu32)h->w[2], m1);
    h->w[0] = (p1 >> 32) ^ h->w[1] ^ k0;
    h->w[1] = p1;
    h->w[2] = (p0 >> 32) ^ h->w[3] ^ k1;
    h->w[3] = p0;
}

/* The blocks of a group's halves, relative to the group's first block. Lane L of a group
 * carries block (L % 4) * WI_W/4 + L / 4 (see the top); pack() puts 64-bit lane 2q + j of
 * half 0 into lane 4q + j and of half 1 into lane 4q + 2 + j (j = 0, 1). */
static inline vu64 half_blocks(int which)
{
    vu64 v;
    for (int q = 0; q < WI_W / 2; q++) {
        int lane = 4 * (q / 2) + 2 * which + q % 2;
        v[q] = (uint64_t)((lane % 4) * (WI_W / 4) + lane / 4);
    }
    return v;
}

/* The low words of two halves as one packed vector (shufps-like, inside 128-bit lanes). */
#define WI_IX_PACK(g) 4 * g, 4 * g + 2, WI_W + 4 * g, WI_W + 4 * g + 2
static inline vu32 pack(vu64 a, vu64 b) { return SHUF((vu32)a, (vu32)b, WI_IX_PACK); }

/* Ten rounds on groups [first, first + n) of a batch, whose counters start at `block`. */
WI_INLINE void philox_groups(group *g, int n, uint64_t block, uint64_t stream, const uint32_t key_in[2])
{
    half h[2 * WI_PHILOX_TOGETHER];
    for (int i = 0; i < 2 * n; i++) {
        vu64 b = (vu64){} + (block + (uint64_t)(i / 2) * WI_W) + half_blocks(i % 2);
        h[i].w[0] = b;       /* low word in the low half */
        h[i].w[1] = b >> 32; /* high word */
        h[i].w[2] = (vu64){} + (stream & 0xFFFFFFFFu);
        h[i].w[3] = (vu64){} + (stream >> 32);
    }
    uint32_t key[2] = {key_in[0], key_in[1]};
#pragma GCC unroll 10
    for (int r = 0; r < 10; r++) {
        if (r) wi_philox_bump_key(key);
        vu64 k0 = (vu64){} + key[0], k1 = (vu64){} + key[1];
#pragma GCC unroll 8
        for (int i = 0; i < 2 * n; i++) philox_round_half(&h[i], k0, k1);
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 4; k++) g[i].w[k] = pack(h[2 * i].w[k], h[2 * i + 1].w[k]);
}

/* Philox output of the WI_G * WI_W blocks starting at `block`, WI_PHILOX_TOGETHER groups
 * in flight at a time (as many as the path's registers hold without spilling). */
static inline void philox_batch(group g[WI_G], uint64_t block, uint64_t stream, const uint32_t key[2])
{
#pragma GCC unroll 8
    for (int i = 0; i < WI_G; i += WI_PHILOX_TOGETHER)
        philox_groups(g + i, WI_PHILOX_TOGETHER, block + (uint64_t)i * WI_W, stream, key);
}

#else /* the packed round: WI_W blocks per vector */

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
static inline void philox_rounds(group g[WI_G], const uint32_t key_in[2])
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

/* Philox output of the WI_G * WI_W blocks starting at `block`. */
static inline void philox_batch(group g[WI_G], uint64_t block, uint64_t stream, const uint32_t key[2])
{
    load_counters(g, block, stream);
    philox_rounds(g, key);
}

#endif

/* Test hook: words given in memory order (4 per block) instead of Philox output. */
static inline void load_words(group g[WI_G], const uint32_t *words)
{
    const vu32 offs = lane_blocks();
    for (int i = 0; i < WI_G; i++)
        for (int k = 0; k < 4; k++)
            for (int l = 0; l < WI_W; l++) g[i].w[k][l] = words[4 * ((size_t)i * WI_W + offs[l]) + k];
}

#endif
