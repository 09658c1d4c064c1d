/* Registers a pthread_atfork child handler once (pthread_once) that flags the child; the flag
 * is atomic because fills on any thread read it. */
#include "fork.h"

#include <pthread.h>
#include <stdatomic.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int in_child;

static void on_fork_child(void) { atomic_store_explicit(&in_child, 1, memory_order_relaxed); }

static void register_handler(void) { pthread_atfork(NULL, NULL, on_fork_child); }

void wi_fork_watch(void) { pthread_once(&once, register_handler); }

int wi_in_fork_child(void) { return atomic_load_explicit(&in_child, memory_order_relaxed); }
