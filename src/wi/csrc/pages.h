/* Fresh pages: how a large fill meets memory no one has touched yet (the to_empty-then-init
 * flow). Never changes a value, only how the kernel backs the buffer with pages. */
#ifndef WI_PAGES_H
#define WI_PAGES_H

#include <stdint.h>

/* Called by wi_fill before the threads start: for a large buffer whose pages are not yet
 * resident, asks for transparent huge pages on its 2 MiB-aligned interior (WI_FRESH_PAGES
 * chooses: "thp", the default; "populate", huge pages and then MADV_POPULATE_WRITE; "none").
 * Linux only; elsewhere, and on any refusal, nothing happens. */
void wi_pages_prepare(void *out, uint64_t bytes);

#endif
