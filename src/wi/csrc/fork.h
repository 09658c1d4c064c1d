/* Fork handling: the pool's helpers do not exist in a forked child, so the child starts with
 * an empty pool, which grows again on its first parallel fill. */
#ifndef WI_FORK_H
#define WI_FORK_H

void wi_fork_watch(void); /* registers the pthread_atfork handlers, once */

#endif
