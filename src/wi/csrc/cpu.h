/* What this CPU and OS can run, and its last-level cache size: probed once, thread-safely. */
#ifndef WI_CPU_H
#define WI_CPU_H

#include <stdint.h>

#include "wi_contract.h"

int wi_cpu_has(wi_simd s);       /* the CPU has the instructions and the OS saves their state */
uint64_t wi_cpu_llc_bytes(void); /* the last-level cache size (8 MiB if unknown) */

#endif
