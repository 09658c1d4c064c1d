# Thin glue between Python and the C core: on the checked path arguments arrive validated
# (_args.py, _target.py, _dists.py), the buffer is locked through the buffer protocol, and one
# C call runs without the GIL. fill_fast is the hot path of wi.Generator.fill for plain NumPy
# arrays and small torch tensors: it checks only what it needs in C and hands anything
# unusual back to the checked Python path.
cimport numpy as cnp
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_C_CONTIGUOUS, PyBUF_SIMPLE, PyBUF_WRITABLE
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.math cimport INFINITY, erfc, fabs, sqrt
from libc.stdint cimport uint32_t, uint64_t

cnp.import_array()


cdef extern from "philox.h":
    void wi_philox4x32(uint32_t ctr[4], const uint32_t key[2], unsigned rounds)


from wi_contract cimport *


cdef extern from "wi_core.h":
    ctypedef struct wi_fill_spec:
        void *out
        uint64_t n
        wi_dist dist
        wi_dtype dtype
        wi_simd simd
        int nthreads
        uint32_t key[2]
        uint64_t stream
        uint64_t first_block
        unsigned first_lane
        double lo, width, hi
        double clamp_lo, p0, pw
    ctypedef struct wi_region:
        unsigned ndim
        const uint64_t *global_shape
        const uint64_t *start
        const uint64_t *shape
    void wi_init()
    const char *wi_simd_name(wi_simd s)
    int wi_simd_supported(wi_simd s)
    wi_simd wi_simd_best()
    void wi_fill(const wi_fill_spec *spec) nogil
    int wi_fill_region(const wi_fill_spec *spec, const wi_region *region) nogil
    void wi_set_num_threads(int n)
    int wi_get_num_threads()
    void wi_set_thread_limit(int n)
    int wi_get_thread_limit()
    int wi_default_num_threads()
    int wi_pool_threads()
    void wi_pool_shutdown() nogil
    uint64_t wi_parallel_min()
    uint64_t wi_stream_min_bytes()
    void wi_transform_words(const wi_fill_spec *spec, const uint32_t *words) nogil
    unsigned wi_batch_blocks(wi_simd s)


# CPU detection and the fork watch happen here, at import, never inside a fill.
wi_init()
# The kernel every fill names in its spec (set while holding the GIL; a running fill never
# reads it): the best this CPU runs, or simd_select's choice (WI_SIMD, tests).
cdef wi_simd current_simd = wi_simd_best()


cdef extern from *:
    """
    static const unsigned wi_itemsize_table[WI_DTYPE_COUNT] = WI_ITEMSIZE_TABLE;
    static const unsigned wi_per_block_table[WI_DTYPE_COUNT] = WI_PER_BLOCK_TABLE;
    """
    const unsigned ITEMSIZE "wi_itemsize_table"[]
    const unsigned PER_BLOCK "wi_per_block_table"[]


# Fills at least this long release the GIL; shorter ones finish before a switch would pay.
cdef uint64_t GIL_RELEASE_MIN = 16384
cdef double SQRT2 = sqrt(2.0)
UINT64_END = 2**64
ZERO = 0  # `stream is ZERO` admits only the int 0 (bools, floats and NumPy ints go the checked way)


cdef class Counter:
    """Storage of a block counter: (seed, stream, next free block). Reservation runs with the
    GIL held and calls no Python code, so it is atomic without a lock."""
    cdef uint64_t seed, stream, next_block
    cdef bint used_up  # every block has been handed out (the next block would be 2**64)

    def _store(self, uint64_t seed, uint64_t stream, next_block):
        self.seed, self.stream = seed, stream
        self.used_up = next_block == 2**64
        self.next_block = 0 if self.used_up else next_block

    def _load(self):
        return self.seed, self.stream, (2**64 if self.used_up else self.next_block)

    cdef int take(self, uint64_t nblocks, uint64_t *seed, uint64_t *stream, uint64_t *start) except -1:
        # room for nblocks (>= 1) iff nblocks - 1 <= 2**64 - 1 - next_block
        if self.used_up or nblocks - 1 > ~self.next_block:
            raise ValueError(
                f"the generator's stream is exhausted: {nblocks} more blocks requested after block "
                f"{self._load()[2]} of {2**64}; use another stream or seed")
        seed[0], stream[0], start[0] = self.seed, self.stream, self.next_block
        self.next_block += nblocks
        self.used_up = self.next_block == 0
        return 0

    def reserve(self, uint64_t nblocks):
        """Take the next nblocks (>= 1) blocks: (seed, stream, first block), read together."""
        cdef uint64_t seed, stream, start
        self.take(nblocks, &seed, &stream, &start)
        return seed, stream, start

    def fill(self, buf, dist, *, seed=None, stream=0, offset=0, global_shape=None, start=None):
        """wi.Generator.fill: the compiled fast path, else (and for every region fill) the
        subclass's fill_checked."""
        return self.fill_at(buf, dist, seed, stream, offset, global_shape, start)

    def fill_at(self, buf, dist, seed, stream, offset, global_shape, start):
        """fill with every argument positional: the fill_* methods' way in (keyword
        arguments cost a noticeable part of a 256-element fill)."""
        if global_shape is None and start is None and fill_fast(buf, dist, self, seed, stream, offset):
            return buf
        return self.fill_checked(buf, dist, seed, stream, offset, global_shape, start)


cdef inline int plain_array(object buf, void **data, uint64_t *n, int *dtype):
    """1 if buf is a writable, C-contiguous, native-order float32/float64 ndarray."""
    if type(buf) is not cnp.ndarray:
        return 0
    cdef cnp.ndarray arr = <cnp.ndarray>buf
    cdef int flags = cnp.PyArray_FLAGS(arr)
    if (flags & cnp.NPY_ARRAY_C_CONTIGUOUS) == 0 or (flags & cnp.NPY_ARRAY_WRITEABLE) == 0:
        return 0
    if not cnp.PyArray_ISNOTSWAPPED(arr):
        return 0
    cdef int t = cnp.PyArray_TYPE(arr)
    if t == cnp.NPY_FLOAT32:
        dtype[0] = WI_F32
    elif t == cnp.NPY_FLOAT64:
        dtype[0] = WI_F64
    else:
        return 0
    data[0] = cnp.PyArray_DATA(arr)
    n[0] = <uint64_t>cnp.PyArray_SIZE(arr)
    return 1


cdef inline void finish_spec(wi_fill_spec *spec, uint64_t seed, int nthreads):
    """The key, the current kernel and the thread count (0: the default) of a request."""
    spec.key[0] = <uint32_t>(seed & 0xFFFFFFFFu)
    spec.key[1] = <uint32_t>(seed >> 32)
    spec.simd = current_simd
    spec.nthreads = nthreads


cdef inline void run_fill(wi_fill_spec *spec, uint64_t seed, int nthreads=0):
    """Complete spec and run it, without the GIL if it is long."""
    finish_spec(spec, seed, nthreads)
    if spec.n >= GIL_RELEASE_MIN:
        with nogil:
            wi_fill(spec)
    else:
        wi_fill(spec)


# ---- the fast path: plain arrays and small torch tensors, parameters approved here ----

from wi import _contract as contract

# The contract's per-dtype limits, copied from _contract.py (their one source) at import.
cdef double LIMIT_MAX[WI_DTYPE_COUNT]
cdef double LIMIT_COMPUTE_MAX[WI_DTYPE_COUNT]
cdef double LIMIT_REACH[WI_DTYPE_COUNT]
cdef double LIMIT_TINY[WI_DTYPE_COUNT]
cdef double LIMIT_REACH_Q[WI_DTYPE_COUNT]
cdef double HALF_CELL[WI_DTYPE_COUNT]
for _code in contract.FLOATS:
    LIMIT_MAX[_code] = contract.MAX[_code]
    LIMIT_COMPUTE_MAX[_code] = contract.COMPUTE_MAX[_code]
    LIMIT_REACH[_code] = contract.MAX_ABS_NORMAL[_code]
    LIMIT_TINY[_code] = contract.TINY[_code]
    LIMIT_REACH_Q[_code] = contract.MAX_ABS_QUANTILE[_code]
    HALF_CELL[_code] = 2.0 ** -(contract.UNIFORM_BITS[_code] + 1)


cdef inline double rounded(int dtype, double x):
    """x in the computing precision: float64 for float64 output, float32 otherwise."""
    return x if dtype == WI_F64 else <double><float>x


cdef inline double normal_cdf(double x):
    return 0.5 * erfc(-x / SQRT2)


cdef int kernel_params(int dist, int dtype, tuple p, wi_fill_spec *spec) except -1:
    """Twin of _dists.<Distribution>.kernel_params for a float dtype: 1 with spec's parameter
    fields set if the rule approves, 0 (nothing set) where the Python rule would raise."""
    cdef double big = LIMIT_MAX[dtype]
    cdef double a, b, lo, hi, alpha, beta, sign, p_lo, p_hi, p0, pw
    cdef bint open_below
    spec.clamp_lo = spec.p0 = spec.pw = 0.0
    if dist == WI_DIST_UNIFORM:
        a, b = p
        if not (fabs(a) <= big and fabs(b) <= big and b - a <= LIMIT_COMPUTE_MAX[dtype]):
            return 0
        spec.lo, spec.width, spec.hi = rounded(dtype, a), rounded(dtype, b - a), rounded(dtype, b)
    elif dist == WI_DIST_NORMAL:
        a, b = p
        if not (fabs(a) + LIMIT_REACH[dtype] * b <= big):
            return 0
        spec.lo, spec.width, spec.hi = rounded(dtype, a), rounded(dtype, b), 0.0
    elif dist == WI_DIST_TRUNCNORM:
        a, b, lo, hi = p
        if not ((fabs(lo) <= big or lo == -INFINITY) and (fabs(hi) <= big or hi == INFINITY)):
            return 0
        if b == 0.0:
            spec.lo, spec.width, spec.hi = rounded(dtype, a), 0.0, rounded(dtype, hi)
            spec.clamp_lo, spec.p0, spec.pw = rounded(dtype, lo), 0.5, 0.0
            spec.dist, spec.dtype = <wi_dist>dist, <wi_dtype>dtype
            return 1
        if (lo == -INFINITY or hi == INFINITY) and not (fabs(a) + LIMIT_REACH_Q[dtype] * b <= big):
            return 0
        alpha, beta, sign, open_below = (lo - a) / b, (hi - a) / b, 1.0, lo == -INFINITY
        if alpha + beta > 0:
            alpha, beta, sign, open_below = -beta, -alpha, -1.0, hi == INFINITY
        p_lo, p_hi = normal_cdf(alpha), normal_cdf(beta)
        if p_lo < LIMIT_TINY[dtype]:
            p_lo = 0.0
        if p_hi < LIMIT_TINY[dtype]:
            return 0
        p0, pw = p_lo, p_hi - p_lo
        if open_below:  # the middle of u's first cell (see _dists.TruncatedNormal)
            if p_hi == 1.0:
                p0, pw = HALF_CELL[dtype], 1.0 - 4.0 * HALF_CELL[dtype]
            else:
                p0 = pw * HALF_CELL[dtype]
        spec.lo, spec.width, spec.hi = rounded(dtype, a), rounded(dtype, sign * b), rounded(dtype, hi)
        spec.clamp_lo, spec.p0, spec.pw = rounded(dtype, lo), rounded(dtype, p0), rounded(dtype, pw)
    else:
        return 0
    spec.dist = <wi_dist>dist
    spec.dtype = <wi_dtype>dtype
    return 1


def kernel_params_of(object dist, int dtype):
    """The compiled twin's KernelParams fields for (dist, dtype) as a tuple, or None where it
    declines (tests compare it with dist.kernel_params(dtype))."""
    cdef wi_fill_spec spec
    if not kernel_params(dist.code, dtype, dist.params, &spec):
        return None
    return (spec.lo, spec.width, spec.hi, spec.clamp_lo, spec.p0, spec.pw)


# torch, once wi.torch has registered it: the exact tensor types, dtype -> code, and the
# version-counter bump every in-place write must make, called with a tuple of tensors.
cdef object TORCH_TYPES = ()
cdef dict TORCH_DTYPES = {}
cdef object TORCH_BUMP = None
cdef object TORCH_GRAD_ENABLED = None


def register_torch(tuple types, dict dtypes, object increment_version, object is_grad_enabled):
    """Let the fast path take small contiguous CPU tensors of exactly these types."""
    global TORCH_TYPES, TORCH_DTYPES, TORCH_BUMP, TORCH_GRAD_ENABLED
    TORCH_TYPES, TORCH_DTYPES = types, dtypes
    TORCH_BUMP, TORCH_GRAD_ENABLED = increment_version, is_grad_enabled


cdef int plain_tensor(object t, void **data, uint64_t *n, int *dtype) except -1:
    """1 if t is a tensor the fast path may write directly: a registered type (not a subclass
    such as DTensor), on the CPU, contiguous, of a float dtype, small enough that the GIL stays
    held (so t stays alive and unchanged), not a lazy view, not an inference tensor, and not
    needing autograd. Anything else goes to the checked path, which explains a refusal."""
    if type(t) not in TORCH_TYPES:
        return 0
    code = TORCH_DTYPES.get(t.dtype)
    if code is None or not t.is_cpu or not t.is_contiguous():
        return 0
    cdef uint64_t numel = t.numel()
    if numel >= GIL_RELEASE_MIN or t.is_neg() or t.is_inference():
        return 0
    if t.requires_grad and TORCH_GRAD_ENABLED():
        return 0
    dtype[0] = code
    n[0] = numel
    data[0] = <void *><size_t>t.data_ptr()
    return 1


def fill_fast(object buf, object dist, Counter counter, object seed, object stream, object offset):
    """Fill buf from dist at the counter's next blocks (seed None) or at (seed, stream, offset).

    The fast path of Generator.fill: it takes plain float32/float64 ndarrays and small torch
    CPU tensors with parameters its kernel_params approves, and returns False having touched
    nothing (the checked path then fills or explains) for anything else."""
    cdef wi_fill_spec spec
    cdef int dtype
    cdef uint64_t seed64, block, off, per_block
    if plain_array(buf, &spec.out, &spec.n, &dtype):
        tensor = False
    elif plain_tensor(buf, &spec.out, &spec.n, &dtype):
        tensor = True
    else:
        return False
    if not kernel_params(dist.code, dtype, dist.params, &spec):
        return False
    per_block = PER_BLOCK[dtype]
    if seed is None:
        if not (stream is ZERO and offset is ZERO):
            return False
        if spec.n == 0:
            return True
        counter.take((spec.n + per_block - 1) // per_block, &seed64, &spec.stream, &block)
        spec.first_block, spec.first_lane = block, 0
    else:
        if not (type(seed) is int and type(stream) is int and type(offset) is int):
            return False
        if not (0 <= seed < UINT64_END and 0 <= stream < UINT64_END and 0 <= offset < UINT64_END):
            return False
        off = offset
        # the stream holds per_block * 2**64 elements; offset < 2**64 leaves room unless n is huge
        if spec.n > 0 and (off // per_block) + (off % per_block + spec.n - 1) // per_block < off // per_block:
            return False
        if spec.n == 0:
            return True
        seed64, spec.stream = seed, stream
        spec.first_block, spec.first_lane = off // per_block, off % per_block
    run_fill(&spec, seed64)
    if tensor:
        TORCH_BUMP((buf,))  # as an in-place torch op would: stale saved tensors are then caught
    return True


SIMD_NAMES = tuple(wi_simd_name(<wi_simd>i).decode() for i in range(WI_SIMD_COUNT))


def philox4x32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, unsigned rounds):
    """One Philox4x32 block: (c0..c3) under key (k0, k1) after `rounds` rounds."""
    cdef uint32_t ctr[4]
    cdef uint32_t key[2]
    ctr[0], ctr[1], ctr[2], ctr[3] = c0, c1, c2, c3
    key[0], key[1] = k0, k1
    wi_philox4x32(ctr, key, rounds)
    return (ctr[0], ctr[1], ctr[2], ctr[3])


cdef inline void set_params(wi_fill_spec *spec, int dtype, int dist, uint64_t stream, uint64_t block,
                            unsigned lane, double lo, double width, double hi, double clamp_lo, double p0,
                            double pw):
    spec.dist = <wi_dist>dist
    spec.dtype = <wi_dtype>dtype
    spec.stream = stream
    spec.first_block = block
    spec.first_lane = lane
    spec.lo, spec.width, spec.hi = lo, width, hi
    spec.clamp_lo, spec.p0, spec.pw = clamp_lo, p0, pw


def fill(object buf, int dtype, int dist, uint64_t n, Py_ssize_t itemsize, uint64_t seed, uint64_t stream,
         uint64_t block, unsigned lane, double lo, double width, double hi,
         double clamp_lo=0.0, double p0=0.0, double pw=0.0, int nthreads=0):
    """Fill the n elements of a writable C-contiguous buffer (already validated)."""
    cdef Py_buffer view
    cdef wi_fill_spec spec
    PyObject_GetBuffer(buf, &view, PyBUF_SIMPLE | PyBUF_WRITABLE)
    try:
        if <uint64_t>view.len != n * <uint64_t>itemsize:
            raise ValueError(f"buf holds {view.len} bytes, expected {n} elements of {itemsize} bytes")
        spec.out = view.buf
        spec.n = n
        set_params(&spec, dtype, dist, stream, block, lane, lo, width, hi, clamp_lo, p0, pw)
        run_fill(&spec, seed, nthreads)
    finally:
        PyBuffer_Release(&view)


def fill_region(object buf, int dtype, int dist, Py_ssize_t itemsize, uint64_t seed, uint64_t stream,
                uint64_t block, unsigned lane, double lo, double width, double hi, double clamp_lo, double p0,
                double pw, object global_shape, object start, int nthreads=0):
    """Fill buf, a writable C-contiguous block of a row-major array of shape global_shape
    starting at index start: its element at local index j takes the stream element
    ravel_multi_index(start + j, global_shape) counted from (block, lane). Arguments arrive
    validated; the C core still refuses (ValueError, nothing written) a region that does
    not fit the buffer or the global shape."""
    cdef Py_buffer view
    cdef wi_fill_spec spec
    cdef wi_region region
    cdef uint64_t *dims = NULL
    cdef uint64_t n = 1
    cdef int d, rc
    PyObject_GetBuffer(buf, &view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE)
    try:
        global_shape, start = tuple(global_shape), tuple(start)
        if len(global_shape) != view.ndim or len(start) != view.ndim:
            raise ValueError(f"global_shape and start must have buf.ndim = {view.ndim} entries "
                             f"(got {len(global_shape)} and {len(start)})")
        dims = <uint64_t *>PyMem_Malloc(3 * max(view.ndim, 1) * sizeof(uint64_t))
        if dims == NULL:
            raise MemoryError()
        for d in range(view.ndim):
            dims[d] = global_shape[d]
            dims[view.ndim + d] = start[d]
            dims[2 * view.ndim + d] = view.shape[d]
            n *= <uint64_t>view.shape[d]
        if <uint64_t>view.len != n * <uint64_t>itemsize:
            raise ValueError(f"buf holds {view.len} bytes, expected {n} elements of {itemsize} bytes")
        region.ndim = view.ndim
        region.global_shape, region.start, region.shape = dims, dims + view.ndim, dims + 2 * view.ndim
        spec.out = view.buf
        spec.n = n
        set_params(&spec, dtype, dist, stream, block, lane, lo, width, hi, clamp_lo, p0, pw)
        finish_spec(&spec, seed, nthreads)
        if n >= GIL_RELEASE_MIN:
            with nogil:
                rc = wi_fill_region(&spec, &region)
        else:
            rc = wi_fill_region(&spec, &region)
        if rc != 0:
            raise ValueError(f"region start={start} shape={tuple(view.shape[d] for d in range(view.ndim))} "
                             f"does not fit global_shape={global_shape} (or its flat index passes 2**64)")
    finally:
        PyMem_Free(dims)
        PyBuffer_Release(&view)


def transform_words(const uint32_t[::1] words, object out, int dtype, int dist, double lo, double width, double hi,
                    double clamp_lo=0.0, double p0=0.0, double pw=0.0):
    """Test hook: apply the active kernel's transform to given Philox words (4 per block)
    instead of generated ones, writing len(out) elements; words is padded to whole batches."""
    cdef Py_buffer view
    cdef wi_fill_spec spec
    cdef uint64_t per_block = PER_BLOCK[dtype]
    cdef uint64_t itemsize = ITEMSIZE[dtype]
    cdef uint64_t batch_words = 4 * wi_batch_blocks(current_simd)
    PyObject_GetBuffer(out, &view, PyBUF_SIMPLE | PyBUF_WRITABLE)
    try:
        n = <uint64_t>view.len // itemsize
        needed = (n + per_block - 1) // per_block * 4
        if <uint64_t>words.shape[0] < needed:
            raise ValueError(f"words must hold at least {needed} words for {n} elements")
        padded = bytearray(-(-needed // batch_words) * batch_words * 4)
        padded[: needed * 4] = bytes(words[:needed])
        spec.out = view.buf
        spec.n = n
        set_params(&spec, dtype, dist, 0, 0, 0, lo, width, hi, clamp_lo, p0, pw)
        finish_spec(&spec, 0, 1)
        wi_transform_words(&spec, <const uint32_t *><char *>padded)
    finally:
        PyBuffer_Release(&view)


def simd_supported():
    """Names of the SIMD paths this CPU and OS can run, best last."""
    return tuple(SIMD_NAMES[i] for i in range(WI_SIMD_COUNT) if wi_simd_supported(<wi_simd>i))


def simd_active():
    return SIMD_NAMES[<int>current_simd]


def simd_select(str name):
    """Switch the kernel for every later fill (tests and WI_SIMD); ValueError if unknown or unsupported."""
    if name not in SIMD_NAMES:
        raise ValueError(f"SIMD path must be one of {', '.join(SIMD_NAMES)} (got {name!r})")
    global current_simd
    cdef int index = SIMD_NAMES.index(name)
    if not wi_simd_supported(<wi_simd>index):
        raise ValueError(
            f"SIMD path {name!r} is not supported by this CPU/OS (supported: {', '.join(simd_supported())})")
    current_simd = <wi_simd>index


def set_num_threads(int n):
    wi_set_num_threads(n)


def get_num_threads():
    return wi_get_num_threads()


def set_thread_limit(int n):
    """threadpoolctl's limit (n <= 0: back to the default); wi.set_num_threads overrides it."""
    wi_set_thread_limit(n)


def get_thread_limit():
    return wi_get_thread_limit()


def default_num_threads():
    """OMP_NUM_THREADS's first value if set, else the CPUs this process may run on."""
    return wi_default_num_threads()


def pool_threads():
    """Helper threads of wi's pool alive now."""
    return wi_pool_threads()


def shutdown_pool():
    """Join every pool thread (interpreter exit); later fills run on their calling threads."""
    with nogil:
        wi_pool_shutdown()


def parallel_min():
    return wi_parallel_min()


def stream_min_bytes():
    """Fills of at least this many bytes use streaming (non-temporal) stores."""
    return wi_stream_min_bytes()
