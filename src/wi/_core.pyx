# Thin glue between Python and the C core: arguments arrive validated (see _validate.py),
# the buffer is locked through the buffer protocol, and one C call runs without the GIL.
# fast_fill is the hot path for plain NumPy arrays: it checks only what it needs in C and
# hands anything unusual back to the checked Python path.
cimport numpy as cnp
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE, PyBUF_WRITABLE
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
        uint32_t key[2]
        uint64_t stream
        uint64_t first_block
        unsigned first_lane
        double lo, width, hi
        double clamp_lo, p0, pw
    const char *wi_simd_name(wi_simd s)
    int wi_simd_supported(wi_simd s)
    wi_simd wi_simd_active()
    int wi_simd_select(wi_simd s)
    void wi_fill(const wi_fill_spec *spec, int nthreads) nogil
    void wi_set_num_threads(int n)
    int wi_get_num_threads()
    int wi_openmp_version()
    uint64_t wi_parallel_min()
    uint64_t wi_stream_min_bytes()
    void wi_transform_words(const wi_fill_spec *spec, const uint32_t *words) nogil
    unsigned wi_batch_blocks()


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


cdef inline void run_fill(wi_fill_spec *spec, uint64_t seed):
    spec.key[0] = <uint32_t>(seed & 0xFFFFFFFFu)
    spec.key[1] = <uint32_t>(seed >> 32)
    if spec.n >= GIL_RELEASE_MIN:
        with nogil:
            wi_fill(spec, 0)
    else:
        wi_fill(spec, 0)


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
        spec.dist = <wi_dist>dist
        spec.dtype = <wi_dtype>dtype
        spec.key[0] = <uint32_t>(seed & 0xFFFFFFFFu)
        spec.key[1] = <uint32_t>(seed >> 32)
        spec.stream = stream
        spec.first_block = block
        spec.first_lane = lane
        spec.lo = lo
        spec.width = width
        spec.hi = hi
        spec.clamp_lo = clamp_lo
        spec.p0 = p0
        spec.pw = pw
        if n >= GIL_RELEASE_MIN:
            with nogil:
                wi_fill(&spec, nthreads)
        else:
            wi_fill(&spec, nthreads)
    finally:
        PyBuffer_Release(&view)


def transform_words(const uint32_t[::1] words, object out, int dtype, int dist, double lo, double width, double hi,
                    double clamp_lo=0.0, double p0=0.0, double pw=0.0):
    """Test hook: apply the active kernel's transform to given Philox words (4 per block)
    instead of generated ones, writing len(out) elements; words is padded to whole batches."""
    cdef Py_buffer view
    cdef wi_fill_spec spec
    cdef uint64_t per_block = PER_BLOCK[dtype]
    cdef uint64_t itemsize = ITEMSIZE[dtype]
    cdef uint64_t batch_words = 4 * wi_batch_blocks()
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
        spec.dist = <wi_dist>dist
        spec.dtype = <wi_dtype>dtype
        spec.key[0] = spec.key[1] = 0
        spec.stream = spec.first_block = 0
        spec.first_lane = 0
        spec.lo, spec.width, spec.hi = lo, width, hi
        spec.clamp_lo, spec.p0, spec.pw = clamp_lo, p0, pw
        wi_transform_words(&spec, <const uint32_t *><char *>padded)
    finally:
        PyBuffer_Release(&view)


def simd_supported():
    """Names of the SIMD paths this CPU and OS can run, best last."""
    return tuple(SIMD_NAMES[i] for i in range(WI_SIMD_COUNT) if wi_simd_supported(<wi_simd>i))


def simd_active():
    return SIMD_NAMES[<int>wi_simd_active()]


def simd_select(str name):
    """Switch the kernel for every later fill (tests and WI_SIMD); ValueError if unknown or unsupported."""
    if name not in SIMD_NAMES:
        raise ValueError(f"SIMD path must be one of {', '.join(SIMD_NAMES)} (got {name!r})")
    cdef int index = SIMD_NAMES.index(name)
    if wi_simd_select(<wi_simd>index) != 0:
        raise ValueError(
            f"SIMD path {name!r} is not supported by this CPU/OS (supported: {', '.join(simd_supported())})")


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
