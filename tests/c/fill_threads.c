/* Several pthreads filling at once through the C core's API, for ThreadSanitizer
 * (scripts/tsan.sh). No thread calls wi_init first: they race to the first CPU detection.
 * Each thread runs plain and region fills on every supported kernel, each fill on the
 * calling thread and wi's pool (thread counts 1 to `threads per fill`, varying per fill, so
 * callers with different counts share the helpers), while another thread changes the
 * thread-count settings. Every result must equal a fill made afterwards on the main thread
 * alone. Then the pool is shut down (every helper joined) and a fill must still be right,
 * on the calling thread. Exit status 0 when all match.
 *
 *   fill_threads [threads] [threads per fill]     (defaults 4 and 3) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    wi_pool_shutdown(); /* joins every helper; a later fill runs on its caller */
    int left = wi_pool_threads();
    float *after = malloc(sizeof(float) * N);
    wi_fill_spec s;
    make_spec(&s, after, N, 0, wi_simd_best());
    s.nthreads = fill_threads;
    wi_fill(&s);
    make_spec(&s, plain, N, 0, wi_simd_best());
    s.nthreads = 1;
    wi_fill(&s);
    bad |= memcmp(after, plain, sizeof(float) * N) != 0;
    printf("fill_threads: %d threads x up to %d threads per fill, %d kernels, %d pool helpers (%d after "
           "shutdown): %s\n", nthreads, fill_threads, paths, helpers, left,
           bad ? "MISMATCH" : "all fills equal the single-threaded ones");
    return bad || left != 0 || (fill_threads > 1 && helpers == 0);
}
