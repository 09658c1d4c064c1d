# Thin glue between Python and the C core: arguments arrive validated (see _validate.py),
# the buffer is locked through the buffer protocol, and one C call runs without the GIL.
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE, PyBUF_WRITABLE
from libc.stdint cimport uint32_t, uint64_t


cdef extern from "philox.h":
    void wi_philox4x32(uint32_t ctr[4], const uint32_t key[2], unsigned rounds)


cdef extern from "wi_core.h":
    ctypedef enum wi_dist:
        pass
    ctypedef enum wi_dtype:
        pass
    ctypedef enum wi_simd:
        WI_SIMD_COUNT
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
    void wi_transform_words(const wi_fill_spec *spec, const uint32_t *words) nogil
    unsigned wi_batch_blocks()


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
        with nogil:
            wi_fill(&spec, nthreads)
    finally:
        PyBuffer_Release(&view)


def transform_words(const uint32_t[::1] words, object out, int dtype, int dist, double lo, double width, double hi,
                    double clamp_lo=0.0, double p0=0.0, double pw=0.0):
    """Test hook: apply the active kernel's transform to given Philox words (4 per block)
    instead of generated ones, writing len(out) elements; words is padded to whole batches."""
    cdef Py_buffer view
    cdef wi_fill_spec spec
    cdef uint64_t per_block = 2 if dtype == 2 else 4
    cdef uint64_t itemsize = 8 if dtype == 2 else (2 if dtype >= 3 else 4)
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
