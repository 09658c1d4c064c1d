/* The parallel driver: runs a range of elements on the fill's threads (the pool, pool.h),
 * and the thread-count settings. Values depend only on element indices, so how the range is
 * split never changes the result. */
#ifndef WI_PARALLEL_H
#define WI_PARALLEL_H

#include <stdint.h>

/* Below this many elements a fill runs on the calling thread: waking a helper costs more
 * than it saves. */
#define WI_PARALLEL_MIN (1u << 16)

/* Processes elements [begin, end) of a fill; called once per chunk, on any thread. */
typedef void (*wi_range_fn)(const void *ctx, uint64_t begin, uint64_t end);

/* Calls body over [0, n) in chunks on the calling thread and up to `nthreads` - 1 pool
 * helpers (nthreads 0: wi_get_num_threads()). */
void wi_parallel_for(uint64_t n, int nthreads, wi_range_fn body, const void *ctx);

#endif
