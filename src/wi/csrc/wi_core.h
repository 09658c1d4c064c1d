/* The C core's public interface: fill a buffer with values of the weightinit stream.
 * No Python here; the Cython glue (_core.pyx) is the only caller. */
#ifndef WI_CORE_H
#define WI_CORE_H

#include <stdint.h>

/* wi_dist, wi_dtype, wi_simd and the per-dtype tables: generated from src/wi/_contract.py. */
#include "wi_contract.h"

typedef struct {
    void *out;            /* first element to write */
    uint64_t n;           /* number of elements */
    wi_dist dist;
    wi_dtype dtype;
    uint32_t key[2];      /* seed low word, seed high word */
    uint64_t stream;      /* counter words 2 and 3 */
    uint64_t first_block; /* counter words 0 and 1 of element 0 */
    unsigned first_lane;  /* element 0's position inside its block */
    /* Transform parameters, already validated and rounded to the computing precision
     * (float64 for float64 output, float32 otherwise):
     * uniform:  min(lo + width*u, hi)
     * normal:   lo + width*z                               (lo = mean, width = std)
     * truncnorm: clamp(lo + width*Q(p0 + pw*u), clamp_lo, hi), Q the normal quantile
     *           (width = +-std: negative when the interval was reflected into the lower tail) */
    double lo, width, hi;
    double clamp_lo, p0, pw;
    int streaming;        /* set by wi_fill: non-temporal stores (buffers beyond the LLC) */
} wi_fill_spec;

/* A kernel writes elements [begin, end) of spec->out. */
typedef void (*wi_kernel_fn)(const wi_fill_spec *spec, uint64_t begin, uint64_t end);

/* Test hook: the same transforms applied to given words instead of Philox output. */
typedef void (*wi_words_fn)(const wi_fill_spec *spec, const uint32_t *words);

#define WI_DECLARE_KERNEL(isa)                                                      \
    void wi_kernel_##isa(const wi_fill_spec *spec, uint64_t begin, uint64_t end);   \
    void wi_kernel_words_##isa(const wi_fill_spec *spec, const uint32_t *words);    \
    unsigned wi_kernel_batch_##isa(void); /* blocks per batch */

WI_DECLARE_KERNEL(scalar)
#if defined(__x86_64__) || defined(_M_X64)
#define WI_HAVE_X86_KERNELS 1
WI_DECLARE_KERNEL(avx2)
WI_DECLARE_KERNEL(avx512)
#endif

/* dispatch.c */

const char *wi_simd_name(wi_simd s);
int wi_simd_supported(wi_simd s);      /* CPU and OS support it (checked once) */
wi_simd wi_simd_best(void);
wi_simd wi_simd_active(void);
int wi_simd_select(wi_simd s);         /* 0 on success, -1 if unsupported here */

void wi_fill(const wi_fill_spec *spec, int nthreads); /* nthreads <= 0: the default */
void wi_set_num_threads(int n);        /* n <= 0: back to OpenMP's default */
int wi_get_num_threads(void);
int wi_openmp_version(void);           /* the _OPENMP date macro, 0 without OpenMP */
uint64_t wi_parallel_min(void);        /* fills shorter than this run on the caller */
uint64_t wi_stream_min_bytes(void);    /* fills at least this big use streaming stores */
/* Test hook on the active kernel: spec->first_lane + spec->n elements from `words`, which
 * must hold wi_batch_blocks() * 4 words per started batch. */
void wi_transform_words(const wi_fill_spec *spec, const uint32_t *words);
unsigned wi_batch_blocks(void);

#endif
