/* The thread pool: a fill finishes when its work is done, not when every helper has checked
 * in. The calling thread posts a job and claims its chunks itself; helpers that wake in time
 * claim chunks too; a helper that wakes after the last chunk was claimed finds nothing, and
 * nobody waits for it. Helpers are plain pthreads, started on first need, parked on a
 * condition variable (after a short bounded spin) between jobs. */
#ifndef WI_POOL_H
#define WI_POOL_H

#include <stdint.h>

#include "parallel.h"
#include "wi_core.h" /* wi_pool_threads, wi_pool_shutdown */

/* Runs body over chunks [i * chunk, min((i + 1) * chunk, n)) for i < nchunks, on the calling
 * thread and up to `helpers` pool threads; returns when every chunk is done. Every chunk runs
 * exactly once. With no helper available (shut down, none could start) the caller runs them
 * all. */
void wi_pool_run(uint64_t n, uint64_t chunk, int helpers, wi_range_fn body, const void *ctx);

/* pthread_atfork handlers (fork.c registers them): the pool's lock is held across fork();
 * the child starts with an empty pool that grows again on its first parallel fill. */
void wi_pool_before_fork(void);
void wi_pool_after_fork_parent(void);
void wi_pool_after_fork_child(void);

#endif
