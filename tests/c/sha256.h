/* SHA-256 (FIPS 180-4) for the digest driver: the same digest Python's hashlib.sha256 gives
 * for the same bytes, so the driver's output compares with tests/data/golden_digests.json.
 * Plain C11, no library; byte order handled explicitly, so it gives the same answer on any
 * architecture (checked against FIPS 180-4's examples by `golden_digests --selftest`). */
#ifndef WI_TEST_SHA256_H
#define WI_TEST_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint64_t length;       /* bytes hashed so far */
    unsigned char block[64];
    size_t used;           /* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Writes the digest as 64 lowercase hex digits and a terminating NUL. */
void sha256_hex(sha256_ctx *c, char out[65]);

#endif
