/* Plain fills and the kernel dispatch: the fill spec names its kernel (the glue's current
 * choice), the CPU check (cpu.c) keeps an unsupported one from running, and the parallel
 * driver (parallel.c) splits the range. */
#include <stddef.h>

#include "cpu.h"
#include "fork.h"
#include "pages.h"
#include "parallel.h"
#include "wi_compiler.h"
#include "wi_core.h"
#include "wi_kernels.h"

static const char *const simd_names[WI_SIMD_COUNT] = WI_SIMD_NAMES;

#define WI_ENTRY(isa) {wi_kernel_fill_##isa, wi_kernel_words_##isa, wi_kernel_batch_##isa}
const wi_kernel_entry wi_kernels[WI_SIMD_COUNT] = {
    [WI_SIMD_PORTABLE] = WI_ENTRY(portable),
#ifdef WI_HAVE_X86_KERNELS
    [WI_SIMD_AVX2] = WI_ENTRY(avx2),
    [WI_SIMD_AVX512] = WI_ENTRY(avx512),
#endif
};

void wi_init(void)
{
    (void)wi_cpu_has(WI_SIMD_PORTABLE);
    wi_fork_watch();
}

const char *wi_simd_name(wi_simd s) { return (unsigned)s < WI_SIMD_COUNT ? simd_names[s] : "?"; }

int wi_simd_supported(wi_simd s)
{
    return (unsigned)s < WI_SIMD_COUNT && wi_kernels[s].fill && wi_cpu_has(s);
}

wi_simd wi_simd_best(void)
{
    for (int s = WI_SIMD_COUNT - 1; s > 0; s--)
        if (wi_simd_supported((wi_simd)s)) return (wi_simd)s;
    return WI_SIMD_PORTABLE;
}

const wi_kernel_entry *wi_kernel_for(wi_simd s)
{
    wi_init();
    return &wi_kernels[wi_simd_supported(s) ? s : WI_SIMD_PORTABLE];
}

uint64_t wi_stream_min_bytes(void) { return wi_cpu_llc_bytes(); }

int wi_use_streaming(wi_dtype dtype, uint64_t n)
{
    static const unsigned itemsize[WI_DTYPE_COUNT] = WI_ITEMSIZE_TABLE;
    return n * itemsize[dtype] >= wi_cpu_llc_bytes();
}

typedef struct {
    const wi_fill_spec *spec;
    wi_kernel_fn fill;
    int streaming;
} plain_fill;

static void plain_range(const void *ctx, uint64_t begin, uint64_t end)
{
    const plain_fill *f = ctx;
    f->fill(f->spec, begin, end, f->streaming);
}

void wi_fill(const wi_fill_spec *spec)
{
    static const unsigned itemsize[WI_DTYPE_COUNT] = WI_ITEMSIZE_TABLE;
    plain_fill f = {spec, wi_kernel_for(spec->simd)->fill, wi_use_streaming(spec->dtype, spec->n)};
    wi_pages_prepare(spec->out, spec->n * itemsize[spec->dtype]);
    wi_parallel_for(spec->n, spec->nthreads, plain_range, &f);
}

void wi_transform_words(const wi_fill_spec *spec, const uint32_t *words) { wi_kernel_for(spec->simd)->words(spec, words); }

unsigned wi_batch_blocks(wi_simd s) { return wi_kernel_for(s)->batch(); }
