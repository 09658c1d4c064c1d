/* CPU detection, once per process under pthread_once: every reader sees the finished
 * result, whichever thread asks first (the glue asks at import, before any fill).
 *
 * x86-64 uses the compiler's __builtin_cpu_supports, which checks both the CPUID bit and
 * that the OS saves the registers (XGETBV: YMM state for AVX2; opmask and ZMM state for
 * AVX-512). */
#define _GNU_SOURCE /* sysconf's cache-size names */
#include "cpu.h"

#include <pthread.h>
#include <unistd.h>

#include "wi_compiler.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int has[WI_SIMD_COUNT];
static uint64_t llc;

/* Streaming stores pay off once a fill no longer fits in the last-level cache. */
static uint64_t probe_llc(void)
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
    has[WI_SIMD_PORTABLE] = 1;
#if defined(__x86_64__)
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2");
    has[WI_SIMD_AVX2] = avx2;
    has[WI_SIMD_AVX512] = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
                          && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
#endif
    llc = probe_llc();
}

int wi_cpu_has(wi_simd s)
{
    pthread_once(&once, detect);
    return (unsigned)s < WI_SIMD_COUNT && has[s];
}

uint64_t wi_cpu_llc_bytes(void)
{
    pthread_once(&once, detect);
    return llc;
}
