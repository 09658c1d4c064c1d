/* The kernels' entry points (one set per SIMD path, compiled from kernel_driver.h by
 * kernel_<path>.c) and the table fill.c dispatches through. Internal to the C core. */
#ifndef WI_KERNELS_H
#define WI_KERNELS_H

#include <stdint.h>

#include "wi_core.h"

/* Writes elements [begin, end) of spec->out; streaming: non-temporal stores allowed. */
typedef void (*wi_kernel_fn)(const wi_fill_spec *spec, uint64_t begin, uint64_t end, int streaming);
/* Test hook: the same transforms applied to given words instead of Philox output. */
typedef void (*wi_words_fn)(const wi_fill_spec *spec, const uint32_t *words);

#define WI_DECLARE_KERNEL(isa)                                                                  \
    void wi_kernel_fill_##isa(const wi_fill_spec *spec, uint64_t begin, uint64_t end, int streaming); \
    void wi_kernel_words_##isa(const wi_fill_spec *spec, const uint32_t *words);                \
    unsigned wi_kernel_batch_##isa(void); /* blocks per batch */

WI_DECLARE_KERNEL(portable)
#if defined(__x86_64__)
#define WI_HAVE_X86_KERNELS 1
WI_DECLARE_KERNEL(avx2)
WI_DECLARE_KERNEL(avx512)
#endif

typedef struct {
    wi_kernel_fn fill;
    wi_words_fn words;
    unsigned (*batch)(void);
} wi_kernel_entry;

/* Indexed by wi_simd; a path not compiled for this architecture has NULL entries. */
extern const wi_kernel_entry wi_kernels[WI_SIMD_COUNT];

/* fill.c: the kernel for s if this CPU runs it, else the portable one (same values). */
const wi_kernel_entry *wi_kernel_for(wi_simd s);
/* fill.c: whether a fill of n elements should bypass the caches (it outgrows the LLC). */
int wi_use_streaming(wi_dtype dtype, uint64_t n);

#endif
