/* Philox4x32 (Salmon et al., SC11; Random123's philox.h) for one block, in plain C.
 * The SIMD kernels apply the same round to many blocks at once (philox_simd.h) with this
 * key schedule; this scalar form is the reference they are tested against and backs
 * wi.philox4x32(). */
#ifndef WI_PHILOX_H
#define WI_PHILOX_H

#include <stdint.h>

#define WI_PHILOX_M0 0xD2511F53u /* multiplier applied to counter word 0 */
#define WI_PHILOX_M1 0xCD9E8D57u /* multiplier applied to counter word 2 */
#define WI_PHILOX_W0 0x9E3779B9u /* key increment, word 0 (golden ratio) */
#define WI_PHILOX_W1 0xBB67AE85u /* key increment, word 1 (sqrt(3) - 1) */

static inline void wi_philox_round(uint32_t ctr[4], const uint32_t key[2])
{
    uint64_t p0 = (uint64_t)WI_PHILOX_M0 * ctr[0];
    uint64_t p1 = (uint64_t)WI_PHILOX_M1 * ctr[2];
    uint32_t c1 = ctr[1], c3 = ctr[3];
    ctr[0] = (uint32_t)(p1 >> 32) ^ c1 ^ key[0];
    ctr[1] = (uint32_t)p1;
    ctr[2] = (uint32_t)(p0 >> 32) ^ c3 ^ key[1];
    ctr[3] = (uint32_t)p0;
}

/* The key schedule: Random123 bumps the key before every round but the first. */
static inline void wi_philox_bump_key(uint32_t key[2])
{
    key[0] += WI_PHILOX_W0;
    key[1] += WI_PHILOX_W1;
}

static inline void wi_philox4x32(uint32_t ctr[4], const uint32_t key_in[2], unsigned rounds)
{
    uint32_t key[2] = {key_in[0], key_in[1]};
    for (unsigned r = 0; r < rounds; r++) {
        if (r) wi_philox_bump_key(key);
        wi_philox_round(ctr, key);
    }
}

#endif
