/* The parallel driver and the thread-count settings.
 *
 * A fill's thread count is, first to last: the fill's own (spec->nthreads), the
 * wi.set_num_threads override, the threadpoolctl limit, the default. The default is what an
 * OpenMP runtime would pick: OMP_NUM_THREADS (its first value) if it is a positive integer,
 * else the CPUs this process may run on. */
#define _GNU_SOURCE /* sched_getaffinity */
#include "parallel.h"

#include <ctype.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "pool.h"
#include "wi_compiler.h"
#include "wi_core.h"

/* Chunks of a parallel fill start at multiples of this (a multiple of every batch size). */
#define WI_SPLIT_ALIGN 4096u

static atomic_int thread_override; /* wi.set_num_threads; 0: none */
static atomic_int thread_limit;    /* threadpoolctl's limit; 0: the default */
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static int default_threads;

/* OMP_NUM_THREADS's first value ("4" or "4,2"), or 0 if unset or not a positive integer. */
static int omp_num_threads(void)
{
    const char *s = getenv("OMP_NUM_THREADS");
    if (!s) return 0;
    while (isspace((unsigned char)*s)) s++;
    char *end;
    long v = strtol(s, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    if (end == s || (*end && *end != ',') || v < 1) return 0;
    return v > 4096 ? 4096 : (int)v;
}

static int cpus_available(void)
{
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void find_default(void)
{
    int n = omp_num_threads();
    default_threads = n ? n : cpus_available();
}

int wi_default_num_threads(void)
{
    pthread_once(&default_once, find_default);
    return default_threads;
}

void wi_set_num_threads(int n) { atomic_store_explicit(&thread_override, n > 0 ? n : 0, memory_order_relaxed); }

void wi_set_thread_limit(int n) { atomic_store_explicit(&thread_limit, n > 0 ? n : 0, memory_order_relaxed); }

int wi_get_thread_limit(void)
{
    int n = atomic_load_explicit(&thread_limit, memory_order_relaxed);
    return n ? n : wi_default_num_threads();
}

int wi_get_num_threads(void)
{
    int n = atomic_load_explicit(&thread_override, memory_order_relaxed);
    return n ? n : wi_get_thread_limit();
}

uint64_t wi_parallel_min(void) { return WI_PARALLEL_MIN; }

void wi_parallel_for(uint64_t n, int nthreads, wi_range_fn body, const void *ctx)
{
    if (nthreads <= 0) nthreads = wi_get_num_threads();
    uint64_t max_useful = n / WI_PARALLEL_MIN;
    if (n < WI_PARALLEL_MIN || nthreads <= 1 || max_useful < 2) {
        body(ctx, 0, n);
        return;
    }
    if ((uint64_t)nthreads > max_useful) nthreads = (int)max_useful;
    /* Sixteen chunks per thread: whoever is running claims the next, so a thread that starts
     * late (a busy machine) takes fewer, and the tail after the last claim is short (with
     * eight, 16 Mi fills on two threads ran about 8% behind OpenMP's; with sixteen, level). */
    uint64_t chunk = n / ((uint64_t)nthreads * 16);
    chunk = (chunk + WI_SPLIT_ALIGN - 1) / WI_SPLIT_ALIGN * WI_SPLIT_ALIGN;
    if (chunk < WI_PARALLEL_MIN / 2) chunk = WI_PARALLEL_MIN / 2;
    wi_pool_run(n, chunk, nthreads - 1, body, ctx);
}
