/* Chooses the kernel once (CPUID + XGETBV: the CPU must have the instructions and the OS
 * must save their registers) and runs a fill on OpenMP threads. Values depend only on
 * element indices, so how the range is split never changes the result. */
#define _GNU_SOURCE /* sysconf's cache-size names */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "wi_core.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define WI_HAVE_ATFORK 1
#endif

/* Below this many elements a fill runs on the calling thread: waking a thread team
 * costs more than it saves. */
#define WI_PARALLEL_MIN (1u << 16)
/* Chunks of a parallel fill start at multiples of this (a multiple of every batch size). */
#define WI_SPLIT_ALIGN 4096u

static const char *const simd_names[WI_SIMD_COUNT] = WI_SIMD_NAMES;
typedef struct {
    wi_kernel_fn fill;
    wi_words_fn words;
    unsigned (*batch)(void);
} kernel_entry;

#define WI_ENTRY(isa) {wi_kernel_##isa, wi_kernel_words_##isa, wi_kernel_batch_##isa}
static const kernel_entry kernels[WI_SIMD_COUNT] = {
    WI_ENTRY(scalar),
#ifdef WI_HAVE_X86_KERNELS
    WI_ENTRY(avx2),
    WI_ENTRY(avx512),
#endif
};

static int supported[WI_SIMD_COUNT];
static int detected;
static wi_simd active = WI_SIMD_PORTABLE;
static int thread_override;      /* 0: use OpenMP's default */
static volatile int in_fork_child; /* libgomp's pool does not survive fork */
static uint64_t stream_min_bytes;  /* the last-level cache size */

#ifdef WI_HAVE_X86_KERNELS
#include <cpuid.h>

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void detect_x86(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx) return;
    uint64_t xcr0 = xgetbv0();
    int os_ymm = (xcr0 & 0x6) == 0x6;    /* SSE and AVX state */
    int os_zmm = (xcr0 & 0xE6) == 0xE6;  /* plus opmask, ZMM_Hi256, Hi16_ZMM */
    if (__get_cpuid_max(0, NULL) < 7) return;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1;
    int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
    supported[WI_SIMD_AVX2] = os_ymm && avx2;
    supported[WI_SIMD_AVX512] = os_zmm && avx2 && f && dq && bw && vl;
}
#endif

#ifdef WI_HAVE_ATFORK
static void on_fork_child(void) { in_fork_child = 1; }
#endif

/* Streaming stores pay off once a fill no longer fits in the last-level cache. */
static uint64_t llc_bytes(void)
{
#if defined(_SC_LEVEL3_CACHE_SIZE)
    long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (l3 > 0) return (uint64_t)l3;
#endif
#if defined(_SC_LEVEL2_CACHE_SIZE)
    long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (l2 > 0) return (uint64_t)l2;
#endif
    return 8u << 20;
}

static void detect(void)
{
    if (detected) return;
    stream_min_bytes = llc_bytes();
    supported[WI_SIMD_PORTABLE] = 1;
#ifdef WI_HAVE_X86_KERNELS
    detect_x86();
#endif
#ifdef WI_HAVE_ATFORK
    pthread_atfork(NULL, NULL, on_fork_child);
#endif
    active = wi_simd_best();
    detected = 1;
}

const char *wi_simd_name(wi_simd s) { return (unsigned)s < WI_SIMD_COUNT ? simd_names[s] : "?"; }

int wi_simd_supported(wi_simd s)
{
    detect();
    return (unsigned)s < WI_SIMD_COUNT && kernels[s].fill && supported[s];
}

wi_simd wi_simd_best(void)
{
    for (int s = WI_SIMD_COUNT - 1; s > 0; s--)
        if (kernels[s].fill && supported[s]) return (wi_simd)s;
    return WI_SIMD_PORTABLE;
}

wi_simd wi_simd_active(void)
{
    detect();
    return active;
}

int wi_simd_select(wi_simd s)
{
    if (!wi_simd_supported(s)) return -1;
    active = s;
    return 0;
}

void wi_set_num_threads(int n) { thread_override = n > 0 ? n : 0; }

int wi_get_num_threads(void)
{
#ifdef _OPENMP
    if (in_fork_child) return 1;
    return thread_override ? thread_override : omp_get_max_threads();
#else
    return 1;
#endif
}

int wi_openmp_version(void)
{
#ifdef _OPENMP
    return _OPENMP;
#else
    return 0;
#endif
}

uint64_t wi_parallel_min(void) { return WI_PARALLEL_MIN; }

uint64_t wi_stream_min_bytes(void)
{
    detect();
    return stream_min_bytes;
}

void wi_fill(const wi_fill_spec *spec_in, int nthreads)
{
    detect();
    wi_kernel_fn fn = kernels[active].fill;
    wi_fill_spec local = *spec_in;
    const wi_fill_spec *spec = &local;
    uint64_t n = spec->n;
    static const unsigned itemsize[WI_DTYPE_COUNT] = WI_ITEMSIZE_TABLE;
    unsigned esize = itemsize[spec->dtype];
    local.streaming = n * esize >= stream_min_bytes;
    if (nthreads <= 0) nthreads = wi_get_num_threads();
    if (in_fork_child) nthreads = 1;
    uint64_t max_useful = n / WI_PARALLEL_MIN;
    if (n < WI_PARALLEL_MIN || nthreads <= 1 || max_useful < 2) {
        fn(spec, 0, n);
        return;
    }
    if ((uint64_t)nthreads > max_useful) nthreads = (int)max_useful;
#ifdef _OPENMP
    /* Chunks handed out dynamically: a thread that starts late (a busy machine) takes
     * fewer, instead of everyone waiting for its fixed share. */
    uint64_t chunk = n / ((uint64_t)nthreads * 8);
    chunk = (chunk + WI_SPLIT_ALIGN - 1) / WI_SPLIT_ALIGN * WI_SPLIT_ALIGN;
    if (chunk < WI_PARALLEL_MIN / 2) chunk = WI_PARALLEL_MIN / 2;
    int64_t nchunks = (int64_t)((n + chunk - 1) / chunk);
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1)
    for (int64_t i = 0; i < nchunks; i++) {
        uint64_t b = (uint64_t)i * chunk, e = b + chunk < n ? b + chunk : n;
        fn(spec, b, e);
    }
#else
    fn(spec, 0, n);
#endif
}

void wi_transform_words(const wi_fill_spec *spec, const uint32_t *words)
{
    detect();
    wi_fill_spec local = *spec;
    local.streaming = 0;
    kernels[active].words(&local, words);
}

unsigned wi_batch_blocks(void)
{
    detect();
    return kernels[active].batch();
}
