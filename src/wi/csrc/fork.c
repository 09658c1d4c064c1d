/* Registers the pool's pthread_atfork handlers once (pthread_once): the pool lock is held
 * across fork() so the child never inherits a half-changed pool, and the child resets it. */
#include "fork.h"

#include <pthread.h>

#include "pool.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void register_handlers(void)
{
    pthread_atfork(wi_pool_before_fork, wi_pool_after_fork_parent, wi_pool_after_fork_child);
}

void wi_fork_watch(void) { pthread_once(&once, register_handlers); }
