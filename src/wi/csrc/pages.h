/* Fresh pages: how a large fill meets memory no one has touched yet (the to_empty-then-init
 * flow). Never changes a value, only how the kernel backs the buffer with pages. */
#ifndef WI_PAGES_H
#define WI_PAGES_H

#include <stdint.h>

/* Called by wi_fill before the threads start. WI_FRESH_PAGES (read once) chooses what
 * happens to a buffer of 8 MiB or more whose pages are not yet resident: "none" (the
 * default) nothing; "thp" advise its 2 MiB-aligned interior for transparent huge pages;
 * "populate" that, then MADV_POPULATE_WRITE it from the calling thread. Linux only;
 * elsewhere, and on any refusal, nothing happens. */
void wi_pages_prepare(void *out, uint64_t bytes);

#endif
