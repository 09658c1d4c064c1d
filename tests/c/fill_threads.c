/* Several pthreads filling at once through the C core's API, for ThreadSanitizer
 * (scripts/tsan.sh). No thread calls wi_init first: they race to the first CPU detection.
 * Each thread runs plain and region fills on every supported kernel, each fill on the
 * calling thread and wi's pool (thread counts 1 to `threads per fill`, varying per fill, so
 * callers with different counts share the helpers), while another thread changes the
 * thread-count settings. Every result must equal a fill made afterwards on the main thread
 * alone. Then every helper is held inside another caller's job (its body waits for a flag)
 * while the main thread fills: the fill must finish, right, on the main thread alone (a pool
 * that waited for its helpers would hang here). Then the pool is shut down (every helper
 * joined) and a fill must still be right, on the calling thread. Exit status 0 when all
 * match.
 *
 *   fill_threads [threads] [threads per fill]     (defaults 4 and 3) */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h" /* wi_pool_run: the late-helper check drives the pool directly */
#include "wi_core.h"

#define N (3u << 16) /* long enough for the parallel driver (>= 2 * WI_PARALLEL_MIN) */
#define ROUNDS 3

static int fill_threads = 3;

static void make_spec(wi_fill_spec *s, void *out, uint64_t n, int id, wi_simd simd)
{
    memset(s, 0, sizeof *s);
    s->out = out;
    s->n = n;
    s->dist = id % 2 ? WI_DIST_NORMAL : WI_DIST_UNIFORM;
    s->dtype = WI_F32;
    s->simd = simd;
    s->nthreads = 1 + (id + (int)n) % fill_threads; /* callers with different counts at once */
    s->key[0] = 1234u + (uint32_t)id;
    s->stream = (uint64_t)id;
    s->first_block = 77;
    s->first_lane = (unsigned)id % 4;
    s->lo = -1.0;
    s->width = 2.0;
    s->hi = 1.0;
}

/* plain fill of N floats, then a column block (N/256 x 128) of an (N/256 x 256) array */
static int fill_both(float *plain, float *region, int id, wi_simd simd)
{
    static const uint64_t global[2] = {N / 256, 256}, start[2] = {0, 100}, shape[2] = {N / 256, 128};
    const wi_region r = {2, global, start, shape};
    wi_fill_spec s;
    make_spec(&s, plain, N, id, simd);
    wi_fill(&s);
    make_spec(&s, region, N / 2, id, simd);
    return wi_fill_region(&s, &r);
}

typedef struct {
    int id;
    float *plain, *region;
    int failed;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    for (int round = 0; round < ROUNDS; round++)
        for (int simd = 0; simd < WI_SIMD_COUNT; simd++) {
            if (!wi_simd_supported((wi_simd)simd)) continue;
            if (fill_both(j->plain + (size_t)simd * N, j->region + (size_t)simd * N / 2, j->id, (wi_simd)simd))
                j->failed = 1;
        }
    return NULL;
}

static void *setter(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        wi_set_num_threads(i % 3);
        wi_set_thread_limit(i % 4);
        (void)wi_get_num_threads();
    }
    return NULL;
}

/* A job whose chunks, on any thread but its caller's, wait for `release`; the caller's first
 * chunk waits until every helper is stuck in one (so the caller cannot finish the job alone
 * before they join). */
typedef struct {
    pthread_t owner;
    int helpers;
    atomic_int stuck, release;
} hold;

static void hold_body(const void *ctx, uint64_t begin, uint64_t end)
{
    hold *h = (hold *)ctx;
    (void)begin, (void)end;
    if (pthread_equal(pthread_self(), h->owner)) {
        while (atomic_load(&h->stuck) < h->helpers && !atomic_load(&h->release)) sched_yield();
        return;
    }
    atomic_fetch_add(&h->stuck, 1);
    while (!atomic_load(&h->release)) sched_yield();
}

static hold held;

static void *hold_helpers(void *arg)
{
    (void)arg;
    held.owner = pthread_self();
    wi_pool_run(1u << 20, 1u << 12, held.helpers, hold_body, &held);
    return NULL;
}

/* With every helper held by another caller's job, a fill of `fill_threads` threads must
 * finish on its caller alone and equal `want`. */
static int fill_while_helpers_are_held(const float *want)
{
    int helpers = held.helpers = wi_pool_threads();
    pthread_t t;
    pthread_create(&t, NULL, hold_helpers, NULL);
    for (int i = 0; i < 30000 && atomic_load(&held.stuck) < helpers; i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    int bad = atomic_load(&held.stuck) != helpers;
    float *got = malloc(sizeof(float) * N);
    wi_fill_spec s;
    make_spec(&s, got, N, 0, wi_simd_best());
    s.nthreads = fill_threads;
    wi_fill(&s); /* returns only if nobody waits for the held helpers */
    bad |= memcmp(got, want, sizeof(float) * N) != 0;
    atomic_store(&held.release, 1);
    pthread_join(t, NULL);
    free(got);
    return bad;
}

int main(int argc, char **argv)
{
    int nthreads = argc > 1 ? atoi(argv[1]) : 4;
    fill_threads = argc > 2 ? atoi(argv[2]) : 3;
    if (nthreads < 1 || nthreads > 64 || fill_threads < 1) return 2;
    job jobs[64];
    pthread_t tids[65];
    for (int t = 0; t < nthreads; t++) {
        jobs[t].id = t;
        jobs[t].plain = malloc(sizeof(float) * N * WI_SIMD_COUNT);
        jobs[t].region = malloc(sizeof(float) * N / 2 * WI_SIMD_COUNT);
        jobs[t].failed = 0;
        if (!jobs[t].plain || !jobs[t].region) return 2;
    }
    for (int t = 0; t < nthreads; t++) pthread_create(&tids[t], NULL, worker, &jobs[t]);
    pthread_create(&tids[nthreads], NULL, setter, NULL);
    for (int t = 0; t <= nthreads; t++) pthread_join(tids[t], NULL);

    int bad = 0, paths = 0;
    float *plain = malloc(sizeof(float) * N), *region = malloc(sizeof(float) * N / 2);
    for (int simd = 0; simd < WI_SIMD_COUNT; simd++) {
        if (!wi_simd_supported((wi_simd)simd)) continue;
        paths++;
        for (int t = 0; t < nthreads; t++) {
            fill_both(plain, region, t, (wi_simd)simd);
            bad |= jobs[t].failed || memcmp(plain, jobs[t].plain + (size_t)simd * N, sizeof(float) * N)
                   || memcmp(region, jobs[t].region + (size_t)simd * N / 2, sizeof(float) * N / 2);
        }
    }
    int helpers = wi_pool_threads();
    wi_fill_spec s;
    make_spec(&s, plain, N, 0, wi_simd_best());
    s.nthreads = 1;
    wi_fill(&s);
    int held_bad = fill_while_helpers_are_held(plain);
    bad |= held_bad;
    wi_pool_shutdown(); /* joins every helper; a later fill runs on its caller */
    int left = wi_pool_threads();
    float *after = malloc(sizeof(float) * N);
    make_spec(&s, after, N, 0, wi_simd_best());
    s.nthreads = fill_threads;
    wi_fill(&s);
    make_spec(&s, plain, N, 0, wi_simd_best());
    s.nthreads = 1;
    wi_fill(&s);
    bad |= memcmp(after, plain, sizeof(float) * N) != 0;
    printf("fill_threads: %d threads x up to %d threads per fill, %d kernels, %d pool helpers (%d after "
           "shutdown), a fill with every helper held elsewhere: %s; %s\n", nthreads, fill_threads, paths, helpers,
           left, held_bad ? "WRONG" : "finished alone",
           bad ? "MISMATCH" : "all fills equal the single-threaded ones");
    return bad || left != 0 || (fill_threads > 1 && helpers == 0);
}
