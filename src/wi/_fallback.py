"""The stream contract in vectorised NumPy: the same raw words, uniforms and normals as
the compiled core, bit for bit (the same formulas, constants and operation order, with
float32 math done in float32). Used when the extension is missing or WI_BACKEND=numpy.

It works a chunk of blocks at a time, so memory stays bounded; it is single-threaded.
"""
import numpy as np

from . import _contract as contract
from . import _poly

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_MASK32 = np.uint64(0xFFFFFFFF)
_CHUNK_BLOCKS = 1 << 16
_REGION_CHUNK = 1 << 18  # block elements per step of a region fill

_u32, _u64, _i32, _i64 = np.uint32, np.uint64, np.int32, np.int64


def philox4x32(counter, key, rounds=10):
    """Philox4x32 of one block (the reference form of the round)."""
    c = [np.array([v], dtype=_u32) for v in counter]
    out = _philox(c, int(key[0]), int(key[1]), rounds)
    return tuple(int(w[0]) for w in out)


def _philox(c, k0, k1, rounds):
    c0, c1, c2, c3 = c
    for r in range(rounds):
        if r:
            k0 = (k0 + _W0) & 0xFFFFFFFF
            k1 = (k1 + _W1) & 0xFFFFFFFF
        p0 = c0.astype(_u64) * _M0
        p1 = c2.astype(_u64) * _M1
        c0, c1, c2, c3 = (
            (p1 >> np.uint64(32)).astype(_u32) ^ c1 ^ _u32(k0),
            (p1 & _MASK32).astype(_u32),
            (p0 >> np.uint64(32)).astype(_u32) ^ c3 ^ _u32(k1),
            (p0 & _MASK32).astype(_u32),
        )
    return c0, c1, c2, c3


def raw_blocks(seed, stream, first_block, nblocks):
    """Words of blocks first_block .. first_block+nblocks-1 (mod 2**64), shape (nblocks, 4)."""
    with np.errstate(over="ignore"):
        blocks = _u64(first_block) + np.arange(nblocks, dtype=_u64)
    return raw_blocks_at(seed, stream, blocks)


def raw_blocks_at(seed, stream, blocks):
    """Words of the blocks numbered by the uint64 array `blocks`, shape (len(blocks), 4)."""
    nblocks = blocks.size
    ctr = [
        (blocks & _MASK32).astype(_u32),
        (blocks >> np.uint64(32)).astype(_u32),
        np.full(nblocks, stream & 0xFFFFFFFF, dtype=_u32),
        np.full(nblocks, stream >> 32, dtype=_u32),
    ]
    return np.stack(_philox(ctr, seed & 0xFFFFFFFF, seed >> 32, 10), axis=1)


# ---- transforms: mirrors of csrc/kernel_emit.h and csrc/vmath_body.h ----

def _horner(z, coeffs, ftype):
    p = ftype(coeffs[-1])
    for c in reversed(coeffs[:-1]):
        p = p * z + ftype(c)
    return p


def _neg2log_f32(u):
    f = np.float32
    bits = u.view(_i32)
    e = (bits >> 23) - 127
    mbits = (bits & 0x007FFFFF) | 0x3F800000
    big = (mbits > 0x3FB504F3).astype(_i32)  # m > sqrt(2): halve m, bump e
    mbits = mbits - big * 0x00800000
    e = e + big
    m = mbits.view(np.float32)
    s = (m - f(1)) / (m + f(1))
    p = _horner(s * s, _poly.log_coeffs("f32"), f)
    ef = e.astype(np.float32)
    ln = ef * f(_poly.LN2_HI["f32"]) + (ef * f(_poly.LN2_LO["f32"]) + s * p)
    return ln * f(-2)


def _neg2log_f64(u):
    f = np.float64
    bits = u.view(_i64)
    e = (bits >> 52) - 1023
    mbits = (bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000
    big = (mbits > 0x3FF6A09E667F3BCD).astype(_i64)
    mbits = mbits - big * 0x0010000000000000
    e = e + big
    m = mbits.view(np.float64)
    s = (m - 1.0) / (m + 1.0)
    p = _horner(s * s, _poly.log_coeffs("f64"), f)
    ef = e.astype(np.float64)
    return (ef * _poly.LN2_HI["f64"] + (ef * _poly.LN2_LO["f64"] + s * p)) * -2.0


def _sincos(f, q, prec, ftype, itype, sign_shift):
    z = f * f
    ps = _horner(z, _poly.sin_coeffs(prec), ftype) * f
    pc = _horner(z, _poly.cos_coeffs(prec), ftype)
    swap = (q & 1).astype(bool)
    s = np.where(swap, pc, ps).view(itype) ^ ((q & 2) << sign_shift).astype(itype)
    c = np.where(swap, ps, pc).view(itype) ^ (((q + 1) & 2) << sign_shift).astype(itype)
    return s.view(ftype), c.view(ftype)


def _box_muller_f32(w_radius, w_angle):
    u1 = ((w_radius >> _u32(8)) + _u32(1)).astype(np.float32) * np.float32(2.0**-24)
    r = np.sqrt(_neg2log_f32(u1))
    k = (w_angle >> _u32(8)).astype(_i32)
    q = (k + (1 << 21)) >> 22
    f = (k - (q << 22)).astype(np.float32) * np.float32(2.0**-24)
    sn, cs = _sincos(f, q.astype(_u32), "f32", np.float32, _u32, 30)
    return r * cs, r * sn


def _box_muller_f64(w_radius, w_angle):
    u1 = ((w_radius >> _u64(11)) + _u64(1)).astype(np.float64) * 2.0**-53
    r = np.sqrt(_neg2log_f64(u1))
    k = (w_angle >> _u64(11)).astype(_i64)
    q = (k + (1 << 50)) >> 51
    f = (k - (q << 51)).astype(np.float64) * 2.0**-53
    sn, cs = _sincos(f, q.astype(_u64), "f64", np.float64, _u64, _u64(62))
    return r * cs, r * sn


def _rational(x, num, den, ftype):
    return _horner(x, num, ftype) / _horner(x, den, ftype)


def _quantile(p, ftype, neg2log, sign_bit, tiny):
    """The normal quantile by AS241, in the kernel's operation order."""
    f = ftype
    a = _poly.AS241
    q = p - f(0.5)
    zc = q * _rational(f(_poly.AS241_CONST1) - q * q, a["a"], a["b"], f)
    one_minus = f(1) - p
    t = np.where(p < one_minus, p, one_minus)
    t = np.where(t < f(tiny), f(tiny), t)
    s = np.sqrt(neg2log(t) * f(0.5))
    zt = _rational(s - f(_poly.AS241_CONST2), a["c"], a["d"], f)
    far = s > f(_poly.AS241_SPLIT2)
    if far.any():
        zt = np.where(far, _rational(s - f(_poly.AS241_SPLIT2), a["e"], a["f"], f), zt)
    itype = np.uint32 if f is np.float32 else np.uint64
    zt = (zt.view(itype) ^ (q.view(itype) & itype(sign_bit))).view(f)
    return np.where(np.abs(q) <= f(_poly.AS241_SPLIT1), zc, zt)


def _words64(x):
    """Little-endian pairs of words: (x0 | x1 << 32, x2 | x3 << 32) per block."""
    return x[:, 0::2].astype(_u64) | (x[:, 1::2].astype(_u64) << _u64(32))


def _to_half_bits(v, dtype):
    """float32 values -> float16 or bfloat16 bit patterns, rounded to nearest even."""
    if dtype == contract.F16:
        return v.astype(np.float16).view(np.uint16)
    b = v.view(_u32)
    return ((b + _u32(0x7FFF) + ((b >> _u32(16)) & _u32(1))) >> _u32(16)).astype(np.uint16)


def transform(x, dtype, dist, params):
    """Elements of whole blocks x (nblocks, 4) -> flat array in the buffer's storage type."""
    if dtype == contract.U32:
        return x.reshape(-1)
    lo, width, hi, clamp_lo, p0, pw = params
    if dtype == contract.F64:
        f, w = np.float64, _words64(x)
        u = (w >> _u64(11)).astype(f) * 2.0**-53
        neg2log, sign_bit, box_muller = _neg2log_f64, 1 << 63, _box_muller_f64
    else:
        f, w = np.float32, x
        u = (x >> _u32(8)).astype(f) * f(2.0**-24)
        neg2log, sign_bit, box_muller = _neg2log_f32, 1 << 31, _box_muller_f32
    if dist == contract.UNIFORM:
        v = np.minimum(f(lo) + f(width) * u, f(hi))
    elif dist == contract.NORMAL:
        zc, zs = box_muller(w[:, 0::2], w[:, 1::2]) if f is np.float32 else box_muller(w[:, 0], w[:, 1])
        v = f(lo) + f(width) * np.stack([zc, zs], axis=-1)
    else:
        z = _quantile(f(p0) + f(pw) * u, f, neg2log, sign_bit, contract.TINY[dtype])
        with np.errstate(over="ignore"):  # an infinite product is clamped next, as in the kernel
            v = f(lo) + f(width) * z
        v = np.where(v > f(hi), f(hi), v)
        v = np.where(v < f(clamp_lo), f(clamp_lo), v)
    v = v.reshape(-1)
    return _to_half_bits(v, dtype) if dtype in contract.HALVES else v


def fill(out, dtype, dist, seed, stream, block, lane, params):
    """Write elements lane.. of the stream starting at block into the flat array out
    (half formats as uint16 bit patterns); params is the distribution's _dists.KernelParams."""
    k = contract.PER_BLOCK[dtype]
    n = out.size
    done = 0
    g = lane  # element index counted from lane 0 of `block`
    while done < n:
        first = g // k
        nblocks = min(_CHUNK_BLOCKS, -(-(lane + n - first * k) // k))
        vals = transform(raw_blocks(seed, stream, (block + first) % 2**64, nblocks), dtype, dist, params)
        take = min(n - done, vals.size - (g - first * k))
        out[done : done + take] = vals[g - first * k : g - first * k + take]
        done += take
        g += take
    return out


def fill_region(out, shape, dtype, dist, seed, stream, block, lane, params, global_shape, start):
    """Write the block `shape` at index `start` of a row-major array of `global_shape` into the
    flat array out: local element j takes the stream element ravel_multi_index(start + j,
    global_shape) counted from (block, lane). Vectorised by index arrays, a chunk of the
    block's elements at a time: each element's global flat index (below 2**64: uint64), its
    block and lane, the distinct blocks generated once (they are sorted: the block's row-major
    order is the global one) and the values gathered."""
    k = contract.PER_BLOCK[dtype]
    n = out.size
    strides = [1] * len(global_shape)
    for d in range(len(global_shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * global_shape[d + 1]
    base = sum(s * st for s, st in zip(start, strides))  # flat index of the block's first element
    for lo in range(0, n, _REGION_CHUNK):
        hi = min(n, lo + _REGION_CHUNK)
        flat = np.full(hi - lo, base, dtype=_u64)
        for digit, stride in zip(np.unravel_index(np.arange(lo, hi), shape), strides):
            flat += digit.astype(_u64) * _u64(stride)
        # (block, lane) + flat without forming lane + flat, which can pass 2**64
        lanes = _u64(lane) + flat % _u64(k)
        with np.errstate(over="ignore"):
            blocks = _u64(block) + flat // _u64(k) + lanes // _u64(k)
        lanes %= _u64(k)
        new = np.empty(blocks.size, dtype=bool)
        new[0] = True
        np.not_equal(blocks[1:], blocks[:-1], out=new[1:])
        which = np.cumsum(new) - 1  # each element's row among the distinct blocks
        vals = transform(raw_blocks_at(seed, stream, blocks[new]), dtype, dist, params).reshape(-1, k)
        out[lo:hi] = vals[which, lanes.astype(np.intp)]
    return out
