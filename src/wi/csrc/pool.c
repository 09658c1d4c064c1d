/* The thread pool (pool.h): work-claiming jobs on a few persistent pthreads, lock-free on
 * the fill's path.
 *
 * A job is a range cut into chunks plus two atomic counters: `next` (the next chunk to claim)
 * and `unfinished` (chunks not yet done). Whoever runs a job, the caller or a helper, claims
 * chunks with fetch_add until they run out. The caller returns once `unfinished` is 0: it
 * waits only for chunks somebody is working on, never for a helper that has not started.
 *
 * No lock is taken by a fill: on a busy machine a thread is descheduled at any instruction,
 * and a helper descheduled while holding a lock the caller needs would cost the caller whole
 * scheduler slices (measured: 25-40 ms per 4 Mi fill with a mutex-guarded job list). Jobs
 * live in a fixed table of slots; a slot's `state` word packs a generation, an "open" bit and
 * a count of holders. A helper joins by one compare-and-swap on that word (which fails if the
 * slot was closed or reused meanwhile: the generation differs), so a helper that wakes late
 * finds nothing and holds nothing anybody waits for. The caller's body context is touched only
 * by a thread that claimed a chunk, which the caller waits for. A slot is reused once its
 * last holder leaves; the caller never waits for that.
 *
 * Sleeping: helpers wait on an event counter (`seq`) with futex (Linux) or a condition
 * variable (elsewhere), after polling for the next job for at most WI_POOL_SPIN_NS; a caller
 * waits for its last chunks the same way after WI_POOL_WAIT_SPIN_NS. A helper's polling
 * calls sched_yield: free on an idle core, and on a busy one the core goes to other work. */
#define _GNU_SOURCE /* pthread_setname_np, syscall */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "wi_compiler.h"

#define WI_POOL_MAX 256             /* helper threads at most, whatever is asked for */
#define WI_POOL_SLOTS 64            /* jobs posted at once (more concurrent fills run alone) */
/* Polling bounds, chosen by measurement (docs/architecture.md, "Threads"): long enough that
 * back-to-back fills find the helpers awake on a quiet machine, short enough to cost a busy
 * one nothing. */
#define WI_POOL_SPIN_NS 50000       /* a helper polls for a next job this long before sleeping */
#define WI_POOL_WAIT_SPIN_NS 50000  /* a caller polls for its last chunks this long before sleeping */

/* slot state: holders in the low 16 bits, OPEN, then the generation */
#define HOLDER 1u
#define HOLDERS_MASK 0xFFFFu
#define OPEN (1u << 16)
#define GENERATION (1u << 17)

typedef struct {
    _Atomic uint64_t state;
    /* written by the owner before OPEN is set (release), read by holders after joining */
    uint64_t n, chunk;
    uint32_t nchunks;
    int helpers_max;
    wi_range_fn body;
    const void *ctx;
    /* reset by the owner, while nobody else holds the slot */
    _Atomic uint32_t next;       /* next chunk to claim (runs past nchunks: then none left) */
    _Atomic uint32_t unfinished; /* chunks not yet done; the caller sleeps on it */
    _Atomic int helpers;         /* helpers that joined */
} slot;

static slot slots[WI_POOL_SLOTS];

static _Atomic uint32_t seq;      /* bumped when a job opens or the pool shuts down */
static _Atomic int sleepers;      /* helpers asleep or about to sleep on seq */
static _Atomic unsigned epoch;    /* bumped by shutdown: helpers of an older epoch leave */
static _Atomic int alive;         /* helper threads running */
static _Atomic int started;       /* helpers started (read without the lock: grow only if short) */

/* starting and joining threads (rare; never on a fill's path once the pool has grown) */
static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t threads[WI_POOL_MAX];
static int closed; /* under spawn_lock */

/* A helper polling for its next job yields: if it loses the core meanwhile, it only misses a
 * job (the caller does the work). A caller polling for its last chunks does not: handing its
 * core away there would delay its return by a whole slice after the chunks are done. */
static inline void yield_pause(void) { sched_yield(); }

static inline void cpu_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- sleep until *addr != expected (or spuriously); wake sleepers on addr ---- */
#if defined(__linux__)
static void wait_while(_Atomic uint32_t *addr, uint32_t expected)
{
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}
static void wake(_Atomic uint32_t *addr, int n) { syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0); }
#else
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cond = PTHREAD_COND_INITIALIZER;
static void wait_while(_Atomic uint32_t *addr, uint32_t expected)
{
    pthread_mutex_lock(&sleep_lock);
    if (atomic_load(addr) == expected) pthread_cond_wait(&sleep_cond, &sleep_lock);
    pthread_mutex_unlock(&sleep_lock);
}
static void wake(_Atomic uint32_t *addr, int n)
{
    (void)addr, (void)n;
    pthread_mutex_lock(&sleep_lock);
    pthread_cond_broadcast(&sleep_cond);
    pthread_mutex_unlock(&sleep_lock);
}
#endif

/* Claims and runs chunks until none is left; 1 if this call finished the job's last chunk. */
static int work_on(slot *s)
{
    int finished_last = 0;
    for (;;) {
        uint32_t i = atomic_fetch_add_explicit(&s->next, 1, memory_order_relaxed);
        if (i >= s->nchunks) break;
        uint64_t b = (uint64_t)i * s->chunk, e = s->n - b > s->chunk ? b + s->chunk : s->n;
        s->body(s->ctx, b, e);
        /* release: the chunk's writes happen before the caller sees 0 */
        if (atomic_fetch_sub_explicit(&s->unfinished, 1, memory_order_acq_rel) == 1) finished_last = 1;
    }
    return finished_last;
}

static void leave(slot *s) { atomic_fetch_sub_explicit(&s->state, HOLDER, memory_order_release); }

/* Joins an open job that still has chunks and room for a helper; NULL if there is none. */
static slot *join_any(void)
{
    for (int k = 0; k < WI_POOL_SLOTS; k++) {
        slot *s = &slots[k];
        uint64_t st = atomic_load_explicit(&s->state, memory_order_relaxed);
        while (st & OPEN) {
            if (atomic_compare_exchange_weak_explicit(&s->state, &st, st + HOLDER, memory_order_acquire,
                                                      memory_order_relaxed)) {
                if (atomic_load_explicit(&s->next, memory_order_relaxed) < s->nchunks
                    && atomic_fetch_add_explicit(&s->helpers, 1, memory_order_relaxed) < s->helpers_max)
                    return s;
                leave(s);
                break;
            }
        }
    }
    return NULL;
}

static int any_open(void)
{
    for (int k = 0; k < WI_POOL_SLOTS; k++)
        if (atomic_load_explicit(&slots[k].state, memory_order_relaxed) & OPEN) return 1;
    return 0;
}

/* After a job: poll briefly for the next one, so back-to-back fills find the helper awake. */
static void spin_for_work(uint32_t seen)
{
    uint64_t start = now_ns();
    for (unsigned k = 1; atomic_load_explicit(&seq, memory_order_relaxed) == seen; k++) {
        if (k % 8 == 0 && now_ns() - start > WI_POOL_SPIN_NS) return;
        yield_pause();
    }
}

static void *helper_main(void *arg)
{
    unsigned my_epoch = (unsigned)(uintptr_t)arg;
    while (atomic_load_explicit(&epoch, memory_order_acquire) == my_epoch) {
        uint32_t seen = atomic_load_explicit(&seq, memory_order_acquire);
        slot *s = join_any();
        if (s) {
            if (work_on(s)) wake(&s->unfinished, 1);
            leave(s);
            spin_for_work(seen);
            continue;
        }
        /* Nothing open: sleep until seq moves. A job opened after `seen` was read has moved
         * it, so the futex returns at once (no lost wake-up); the caller skips the wake-up
         * system call only while no helper sleeps. */
        atomic_fetch_add_explicit(&sleepers, 1, memory_order_seq_cst);
        if (!any_open()) wait_while(&seq, seen);
        atomic_fetch_sub_explicit(&sleepers, 1, memory_order_relaxed);
    }
    atomic_fetch_sub_explicit(&alive, 1, memory_order_relaxed);
    return NULL;
}

/* Starts helpers up to `want`. They block every signal: Python's handlers belong to the
 * threads that run Python. A failed start leaves fewer helpers, not an error. */
static void grow(int want)
{
    if (want > WI_POOL_MAX) want = WI_POOL_MAX;
    if (atomic_load_explicit(&started, memory_order_acquire) >= want) return;
    pthread_mutex_lock(&spawn_lock);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int n = atomic_load_explicit(&started, memory_order_relaxed);
    void *arg = (void *)(uintptr_t)atomic_load_explicit(&epoch, memory_order_relaxed);
    while (!closed && n < want && pthread_create(&threads[n], NULL, helper_main, arg) == 0) {
#if defined(__GLIBC__)
        pthread_setname_np(threads[n], "wi-pool"); /* named before anyone can look */
#endif
        n++;
        atomic_fetch_add_explicit(&alive, 1, memory_order_relaxed);
    }
    atomic_store_explicit(&started, n, memory_order_release);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_mutex_unlock(&spawn_lock);
}

/* A free slot, owned (one holder, closed) on return; NULL if every slot is taken. */
static slot *acquire_slot(void)
{
    for (int k = 0; k < WI_POOL_SLOTS; k++) {
        slot *s = &slots[k];
        uint64_t st = atomic_load_explicit(&s->state, memory_order_relaxed);
        if ((st & (OPEN | HOLDERS_MASK)) == 0
            && atomic_compare_exchange_strong_explicit(&s->state, &st, (st & ~(uint64_t)(GENERATION - 1)) + GENERATION + HOLDER,
                                                       memory_order_acquire, memory_order_relaxed))
            return s;
    }
    return NULL;
}

void wi_pool_run(uint64_t n, uint64_t chunk, int helpers, wi_range_fn body, const void *ctx)
{
    uint64_t nchunks = chunk ? (n + chunk - 1) / chunk : 0;
    slot *s = NULL;
    if (helpers > 0 && nchunks >= 2 && nchunks <= UINT32_MAX) {
        if ((uint64_t)helpers > nchunks - 1) helpers = (int)(nchunks - 1);
        grow(helpers);
        if (atomic_load_explicit(&started, memory_order_acquire) > 0) s = acquire_slot();
    }
    if (!s) { /* no helper to share with: the caller does it all */
        if (n) body(ctx, 0, n);
        return;
    }
    s->n = n;
    s->chunk = chunk;
    s->nchunks = (uint32_t)nchunks;
    s->helpers_max = helpers;
    s->body = body;
    s->ctx = ctx;
    atomic_store_explicit(&s->next, 0, memory_order_relaxed);
    atomic_store_explicit(&s->unfinished, (uint32_t)nchunks, memory_order_relaxed);
    atomic_store_explicit(&s->helpers, 0, memory_order_relaxed);
    atomic_fetch_or_explicit(&s->state, OPEN, memory_order_release);
    atomic_fetch_add_explicit(&seq, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&sleepers, memory_order_seq_cst) > 0) wake(&seq, helpers);

    work_on(s); /* the caller works too: the fill ends when its chunks do */

    atomic_fetch_and_explicit(&s->state, ~(uint64_t)OPEN, memory_order_relaxed);
    /* the last chunks are in helpers' hands: wait for them (and for no one else) */
    uint64_t start = now_ns();
    for (unsigned k = 1;; k++) {
        uint32_t left = atomic_load_explicit(&s->unfinished, memory_order_acquire);
        if (left == 0) break;
        if (k % 64 == 0 && now_ns() - start > WI_POOL_WAIT_SPIN_NS)
            wait_while(&s->unfinished, left);
        else
            cpu_pause();
    }
    leave(s);
}

int wi_pool_threads(void) { return atomic_load_explicit(&alive, memory_order_relaxed); }

void wi_pool_shutdown(void)
{
    pthread_mutex_lock(&spawn_lock);
    closed = 1;
    int n = atomic_load_explicit(&started, memory_order_relaxed);
    atomic_store_explicit(&started, 0, memory_order_release);
    atomic_fetch_add_explicit(&epoch, 1, memory_order_release);
    atomic_fetch_add_explicit(&seq, 1, memory_order_seq_cst);
    wake(&seq, WI_POOL_MAX);
    for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
    pthread_mutex_unlock(&spawn_lock);
}

void wi_pool_before_fork(void)
{
    pthread_mutex_lock(&spawn_lock);
#if !defined(__linux__)
    pthread_mutex_lock(&sleep_lock);
#endif
}

void wi_pool_after_fork_parent(void)
{
#if !defined(__linux__)
    pthread_mutex_unlock(&sleep_lock);
#endif
    pthread_mutex_unlock(&spawn_lock);
}

void wi_pool_after_fork_child(void)
{
    /* Only the forking thread exists here (not inside a fill: it is the one calling fork),
     * and it holds spawn_lock. Jobs of the parent's other threads are dropped with them. */
    for (int k = 0; k < WI_POOL_SLOTS; k++) atomic_store_explicit(&slots[k].state, 0, memory_order_relaxed);
    atomic_store_explicit(&sleepers, 0, memory_order_relaxed);
    atomic_store_explicit(&alive, 0, memory_order_relaxed);
    atomic_store_explicit(&started, 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&epoch, 1, memory_order_relaxed);
#if !defined(__linux__)
    pthread_mutex_unlock(&sleep_lock);
    pthread_cond_init(&sleep_cond, NULL);
#endif
    pthread_mutex_unlock(&spawn_lock);
}
