/* Region fills: a block of a row-major global array, each element at its global position in
 * the stream (wi_core.h, wi_region). The block is a sequence of contiguous runs of the
 * global array: one per row, or fewer when trailing dimensions are whole (they merge into
 * the run). The parallel driver splits the block's elements, not its runs, so a tall narrow
 * block and a single long row run in parallel alike; each chunk then walks the runs it
 * covers and hands each piece to the kernel as a plain fill at the run's stream position. */
#include <stddef.h>

#include "parallel.h"
#include "wi_compiler.h"
#include "wi_core.h"
#include "wi_kernels.h"

typedef struct {
    const wi_fill_spec *spec;
    const wi_region *region;
    wi_kernel_fn fill;
    int streaming;
    unsigned outer;   /* dimensions [0, outer) number the runs; [outer, ndim) lie inside one */
    uint64_t run_len; /* elements per run */
    unsigned per_block, esize;
} region_fill;

/* The global flat index of run q's first element (fits: wi_fill_region checked the last one). */
static uint64_t run_flat(const region_fill *f, uint64_t q)
{
    const wi_region *r = f->region;
    uint64_t digit[r->ndim ? r->ndim : 1];
    for (unsigned d = f->outer; d-- > 0;) {
        digit[d] = q % r->shape[d];
        q /= r->shape[d];
    }
    uint64_t flat = 0;
    for (unsigned d = 0; d < r->ndim; d++) flat = flat * r->global_shape[d] + r->start[d] + (d < f->outer ? digit[d] : 0);
    return flat;
}

static void region_range(const void *ctx, uint64_t begin, uint64_t end)
{
    const region_fill *f = ctx;
    const wi_fill_spec *s = f->spec;
    const uint64_t k = f->per_block;
    uint64_t q = begin / f->run_len, off = begin - q * f->run_len;
    while (begin < end) {
        uint64_t len = f->run_len - off < end - begin ? f->run_len - off : end - begin;
        uint64_t flat = run_flat(f, q);
        /* (first_block, first_lane) + flat without forming first_lane + flat, which can
         * pass 2^64 */
        uint64_t lane = s->first_lane + flat % k;
        wi_fill_spec run = *s;
        run.out = (char *)s->out + (begin - off) * f->esize;
        run.first_block = s->first_block + flat / k + lane / k;
        run.first_lane = (unsigned)(lane % k);
        run.n = f->run_len;
        f->fill(&run, off, off + len, f->streaming);
        begin += len;
        q++;
        off = 0;
    }
}

/* 0 if the region fits its global shape, holds spec->n elements, and its last element's flat
 * index is below 2^64. */
static int check_region(const wi_fill_spec *spec, const wi_region *r)
{
    uint64_t count = 1, last = 0;
    for (unsigned d = 0; d < r->ndim; d++) {
        uint64_t g = r->global_shape[d], b = r->shape[d], s = r->start[d];
        if (b > g || s > g - b) return -1;
        if (__builtin_mul_overflow(count, b, &count)) return -1;
    }
    if (count != spec->n) return -1;
    if (count == 0) return 0;
    for (unsigned d = 0; d < r->ndim; d++) /* Horner: every partial value is <= the final one */
        if (__builtin_mul_overflow(last, r->global_shape[d], &last)
            || __builtin_add_overflow(last, r->start[d] + r->shape[d] - 1, &last))
            return -1;
    return 0;
}

int wi_fill_region(const wi_fill_spec *spec, const wi_region *region)
{
    static const unsigned itemsize[WI_DTYPE_COUNT] = WI_ITEMSIZE_TABLE;
    static const unsigned per_block[WI_DTYPE_COUNT] = WI_PER_BLOCK_TABLE;
    if (check_region(spec, region) != 0) return -1;
    if (spec->n == 0) return 0;
    region_fill f = {spec, region, wi_kernel_for(spec->simd)->fill, wi_use_streaming(spec->dtype, spec->n),
                     region->ndim, 1, per_block[spec->dtype], itemsize[spec->dtype]};
    /* merge whole trailing dimensions (and the one before them) into the run */
    while (f.outer > 0) {
        unsigned d = --f.outer;
        f.run_len *= region->shape[d];
        if (region->shape[d] != region->global_shape[d]) break;
    }
    wi_parallel_for(spec->n, spec->nthreads, region_range, &f);
    return 0;
}
