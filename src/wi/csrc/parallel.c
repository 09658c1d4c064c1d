/* The OpenMP driver and the thread-count setting. */
#include "parallel.h"

#include <stdatomic.h>

#include "fork.h"
#include "wi_compiler.h"
#include "wi_core.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Chunks of a parallel fill start at multiples of this (a multiple of every batch size). */
#define WI_SPLIT_ALIGN 4096u

static atomic_int thread_override; /* 0: OpenMP's default; read by fills on any thread */

void wi_set_num_threads(int n) { atomic_store_explicit(&thread_override, n > 0 ? n : 0, memory_order_relaxed); }

int wi_get_num_threads(void)
{
#ifdef _OPENMP
    if (wi_in_fork_child()) return 1;
    int n = atomic_load_explicit(&thread_override, memory_order_relaxed);
    return n ? n : omp_get_max_threads();
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

void wi_parallel_for(uint64_t n, int nthreads, wi_range_fn body, const void *ctx)
{
    if (nthreads <= 0) nthreads = wi_get_num_threads();
    if (wi_in_fork_child()) nthreads = 1;
    uint64_t max_useful = n / WI_PARALLEL_MIN;
    if (n < WI_PARALLEL_MIN || nthreads <= 1 || max_useful < 2) {
        body(ctx, 0, n);
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
        body(ctx, b, e);
    }
#else
    body(ctx, 0, n);
#endif
}
