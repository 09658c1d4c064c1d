/* Fork handling: libgomp's thread pool does not survive fork(), so a forked child fills on
 * its calling thread only. */
#ifndef WI_FORK_H
#define WI_FORK_H

void wi_fork_watch(void);     /* registers the pthread_atfork handler, once */
int wi_in_fork_child(void);   /* 1 in a child forked after wi_fork_watch() */

#endif
