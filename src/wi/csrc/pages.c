/* Fresh pages (pages.h). A first touch of 4 KiB pages costs a fault per page: about 160k
 * faults per 163 M-float buffer; with MADV_HUGEPAGE the same buffer faults 512x less often.
 * Measured on the development VM (docs/benchmarks.md, "Fresh pages") neither huge pages nor
 * pre-faulting won robustly (huge pages gave the best minima and erratic medians; pre-faulting
 * was slower), so the default leaves the pages alone and the modes are opt-in. Only memory
 * that is not resident yet is advised (mincore on the first interior huge page), so
 * re-filling mapped memory never pays a syscall or splits its mapping; small buffers are
 * left alone. */
#define _GNU_SOURCE
#include "pages.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#define WI_HUGE (2u << 20)
/* Buffers below this are not advised: a few huge pages gain little, and glibc hands
 * smaller allocations from recycled heap memory anyway. */
#define WI_PAGES_MIN_BYTES (8u << 20)

#if defined(__linux__) && defined(MADV_HUGEPAGE)
enum { MODE_UNSET = -1, MODE_NONE, MODE_THP, MODE_POPULATE };

static int read_mode(void)
{
    const char *v = getenv("WI_FRESH_PAGES");
    if (v && !strcmp(v, "thp")) return MODE_THP;
    if (v && !strcmp(v, "populate")) return MODE_POPULATE;
    return MODE_NONE; /* unset, "none", or an unknown word: the default */
}

static int mode(void)
{
    static atomic_int m = MODE_UNSET; /* read once; a race only reads the same value twice */
    int v = atomic_load_explicit(&m, memory_order_relaxed);
    if (v == MODE_UNSET) {
        v = read_mode();
        atomic_store_explicit(&m, v, memory_order_relaxed);
    }
    return v;
}

#endif

void wi_pages_prepare(void *out, uint64_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes < WI_PAGES_MIN_BYTES) return;
    int m = mode();
    if (m == MODE_NONE) return;
    uintptr_t b = ((uintptr_t)out + WI_HUGE - 1) & ~(uintptr_t)(WI_HUGE - 1);
    uintptr_t e = ((uintptr_t)out + bytes) & ~(uintptr_t)(WI_HUGE - 1);
    if (e <= b) return;
    unsigned char resident = 0;
    if (mincore((void *)b, 1, &resident) != 0 || (resident & 1)) return; /* mapped already */
    if (madvise((void *)b, e - b, MADV_HUGEPAGE) != 0) return;
#ifdef MADV_POPULATE_WRITE
    if (m == MODE_POPULATE) (void)madvise((void *)b, e - b, MADV_POPULATE_WRITE);
#endif
#else
    (void)out;
    (void)bytes;
#endif
}
