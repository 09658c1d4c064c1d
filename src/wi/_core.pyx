# Thin glue between Python and the C core: arguments arrive validated (see _validate.py),
# the buffer is locked through the buffer protocol, and one C call runs without the GIL.
# fast_fill is the hot path for plain NumPy arrays: it checks only what it needs in C and
# hands anything unusual back to the checked Python path.
cimport numpy as cnp
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_C_CONTIGUOUS, PyBUF_SIMPLE, PyBUF_WRITABLE
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.float cimport DBL_MAX, FLT_MAX
from libc.math cimport fabs
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
    int wi_openmp_version()
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


cdef inline int fast_params(int dist, int dtype, double a, double b, wi_fill_spec *spec):
    """The kernel parameters of a uniform (a=low, b=high) or normal (a=mean, b=std) fill,
    as _validate.transform computes them; 0 if the values could overflow (the checked
    path then raises the error)."""
    cdef double big = FLT_MAX if dtype == WI_F32 else DBL_MAX
    if dist == WI_DIST_UNIFORM:
        if not (fabs(a) <= big and fabs(b) <= big and b - a <= big):
            return 0
        spec.lo, spec.width, spec.hi = a, b - a, b
    else:
        if fabs(a) + (6.0 if dtype == WI_F32 else 9.0) * b > big:
            return 0
        spec.lo, spec.width, spec.hi = a, b, 0.0
    if dtype == WI_F32:  # round to the computing precision
        spec.lo, spec.width, spec.hi = <float>spec.lo, <float>spec.width, <float>spec.hi
    spec.clamp_lo = spec.p0 = spec.pw = 0.0
    spec.dist = <wi_dist>dist
    spec.dtype = <wi_dtype>dtype
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


def fast_fill(object buf, int dist, double a, double b, Counter counter):
    """Uniform (a=low, b=high) or normal (a=mean, b=std) fill of a plain float32/float64
    ndarray from counter. a and b are already checked finite (low <= high, std > 0).
    Returns False, having touched nothing, if anything needs the checked path."""
    cdef wi_fill_spec spec
    cdef int dtype
    cdef uint64_t seed, block
    if not plain_array(buf, &spec.out, &spec.n, &dtype) or not fast_params(dist, dtype, a, b, &spec):
        return False
    if spec.n == 0:
        return True
    cdef uint64_t per_block = PER_BLOCK[dtype]
    counter.take((spec.n + per_block - 1) // per_block, &seed, &spec.stream, &block)
    spec.first_block = block
    spec.first_lane = 0
    run_fill(&spec, seed)
    return True


def fast_fill_at(object buf, int dist, double a, double b, object seed, object stream, object offset):
    """As fast_fill, at an explicit (seed, stream, offset) given as Python ints; False if
    any of them is out of range or anything else needs the checked path."""
    cdef wi_fill_spec spec
    cdef int dtype
    if not plain_array(buf, &spec.out, &spec.n, &dtype) or not fast_params(dist, dtype, a, b, &spec):
        return False
    if not (0 <= seed < 2**64 and 0 <= stream < 2**64 and 0 <= offset < 2**64):
        return False
    cdef uint64_t per_block = PER_BLOCK[dtype]
    cdef uint64_t off = offset
    # the stream holds per_block * 2**64 elements; offset < 2**64 leaves room unless n is huge
    if spec.n > 0 and (off // per_block) + (off % per_block + spec.n - 1) // per_block < off // per_block:
        return False
    if spec.n == 0:
        return True
    spec.stream = stream
    spec.first_block = off // per_block
    spec.first_lane = off % per_block
    run_fill(&spec, seed)
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


def openmp_version():
    """The _OPENMP date the core was built with (e.g. 201511), or 0 for a serial build."""
    return wi_openmp_version()


def parallel_min():
    return wi_parallel_min()


def stream_min_bytes():
    """Fills of at least this many bytes use streaming (non-temporal) stores."""
    return wi_stream_min_bytes()
