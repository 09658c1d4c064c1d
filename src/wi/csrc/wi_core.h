/* The C core's public interface: fill a buffer, or a block of a larger row-major array,
 * with values of the weightinit stream. No Python here; the Cython glue (_core.pyx) is the
 * only caller. Every function may be called from any thread; fills run without the GIL. */
#ifndef WI_CORE_H
#define WI_CORE_H

#include <stdint.h>

/* wi_dist, wi_dtype, wi_simd and the per-dtype tables: generated from src/wi/_contract.py. */
#include "wi_contract.h"

/* One fill request. Input only: the core never writes to it. */
typedef struct {
    void *out;            /* first element to write */
    uint64_t n;           /* number of elements (for a region: the block's, i.e. the buffer's) */
    wi_dist dist;
    wi_dtype dtype;
    wi_simd simd;         /* the kernel: one wi_simd_supported() accepts (else the portable one) */
    int nthreads;         /* > 0: at most this many threads; 0: wi_get_num_threads() */
    uint32_t key[2];      /* seed low word, seed high word */
    uint64_t stream;      /* counter words 2 and 3 */
    uint64_t first_block; /* counter words 0 and 1 of element 0 (for a region: of global element 0) */
    unsigned first_lane;  /* element 0's position inside its block */
    /* Transform parameters, already validated and rounded to the computing precision
     * (float64 for float64 output, float32 otherwise):
     * uniform:  min(lo + width*u, hi)
     * normal:   lo + width*z                               (lo = mean, width = std)
     * truncnorm: clamp(lo + width*Q(p0 + pw*u), clamp_lo, hi), Q the normal quantile
     *           (width = +-std: negative when the interval was reflected into the lower tail) */
    double lo, width, hi;
    double clamp_lo, p0, pw;
} wi_fill_spec;

/* A block of a row-major array of ndim dimensions: elements start[d] <= i[d] < start[d] +
 * shape[d]. The block's element at local (row-major) index j takes stream element
 * ravel_multi_index(start + j, global_shape) counted from (first_block, first_lane). */
typedef struct {
    unsigned ndim;
    const uint64_t *global_shape;
    const uint64_t *start;
    const uint64_t *shape;
} wi_region;

/* Detects the CPU and watches for fork, once (every entry point below also makes sure of it;
 * the glue calls it at import so no fill ever pays for it). */
void wi_init(void);

const char *wi_simd_name(wi_simd s);
int wi_simd_supported(wi_simd s);      /* compiled in, and the CPU and OS support it */
wi_simd wi_simd_best(void);            /* the widest supported path */

void wi_fill(const wi_fill_spec *spec);
/* 0 on success; -1, having written nothing, if the region is inconsistent: a block outside
 * the global shape, a block size other than spec->n, a flat index past 2^64, ndim 0. */
int wi_fill_region(const wi_fill_spec *spec, const wi_region *region);

/* Threads (parallel.c, pool.c): a fill uses spec->nthreads, else the wi_set_num_threads
 * override, else the threadpoolctl limit, else the default (OMP_NUM_THREADS, else the CPUs
 * this process may run on). */
void wi_set_num_threads(int n);        /* n <= 0: no override */
int wi_get_num_threads(void);          /* what a fill with nthreads 0 uses now */
void wi_set_thread_limit(int n);       /* threadpoolctl's limit; n <= 0: back to the default */
int wi_get_thread_limit(void);         /* the limit, or the default without one */
int wi_default_num_threads(void);
int wi_pool_threads(void);             /* pool helper threads alive now */
void wi_pool_shutdown(void);           /* joins every helper; later fills run on their callers */
uint64_t wi_parallel_min(void);        /* fills shorter than this run on the caller */
uint64_t wi_stream_min_bytes(void);    /* fills at least this big use streaming stores */

/* Test hook on spec->simd's kernel: spec->first_lane + spec->n elements from `words`, which
 * must hold wi_batch_blocks(spec->simd) * 4 words per started batch. */
void wi_transform_words(const wi_fill_spec *spec, const uint32_t *words);
unsigned wi_batch_blocks(wi_simd s);

#endif
