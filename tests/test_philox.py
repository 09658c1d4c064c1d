"""The generator itself: Random123's known answers and an independent implementation."""
import pathlib

import numpy as np
import pytest

import wi
from wi import _fallback

KAT = pathlib.Path(__file__).parent / "data" / "kat_vectors.txt"


def kat_cases():
    for line in KAT.read_text().splitlines():
        if line.startswith("philox4x32"):
            words = line.split()
            nums = [int(w, 16) for w in words[2:]]
            yield int(words[1]), tuple(nums[:4]), tuple(nums[4:6]), tuple(nums[6:10])


@pytest.mark.parametrize("rounds,counter,key,expected", list(kat_cases()))
def test_random123_known_answers(rounds, counter, key, expected):
    assert wi.philox4x32(counter, key, rounds=rounds) == expected
    assert _fallback.philox4x32(counter, key, rounds) == expected


def test_known_answer_file_has_the_three_philox4x32_10_vectors():
    assert sum(1 for r, *_ in kat_cases() if r == 10) == 3


def test_fill_raw_block_zero_is_the_known_answer():
    # seed 0, stream 0, block 0 is counter (0,0,0,0) under key (0,0)
    out = wi.fill_raw(np.empty(4, np.uint32), seed=0)
    assert [int(x) for x in out] == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]


def test_fill_raw_maps_seed_stream_block_to_key_and_counter():
    # Random123's third vector: counter (243f6a88 85a308d3 13198a2e 03707344), key (a4093822 299f31d0)
    block = (0x85A308D3 << 32) | 0x243F6A88
    stream = (0x03707344 << 32) | 0x13198A2E
    seed = (0x299F31D0 << 32) | 0xA4093822
    out = wi.fill_raw(np.empty(4, np.uint32), seed=seed, stream=stream, offset=4 * block)
    assert [int(x) for x in out] == [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]


randomgen = pytest.importorskip("randomgen")

CASES = [
    # seed, stream, offset (elements), length
    (0, 0, 0, 1000),
    (1, 0, 3, 1001),
    (0x0123456789ABCDEF, 5, 4 * (2**32 - 3) + 1, 77),  # carries from block word 0 into word 1
    (2**64 - 1, 2**64 - 1, 4 * (2**64 - 9) + 2, 30),   # the last blocks of the last stream
    (987654321, 2**32 + 7, 4 * (2**33 - 2), 64),
    (42, 2**40, 12345, 4099),
]


@pytest.mark.parametrize("seed,stream,offset,n", CASES)
def test_raw_stream_matches_randomgen(seed, stream, offset, n):
    block, lane = divmod(offset, 4)
    # randomgen increments its counter before each block, so start it one below ours.
    bg = randomgen.Philox(key=seed, counter=(((stream << 64) | block) - 1) % 2**128, number=4, width=32)
    nblocks = (lane + n + 3) // 4
    expected = bg.random_raw(4 * nblocks).astype(np.uint32)[lane : lane + n]
    got = wi.fill_raw(np.empty(n, np.uint32), seed=seed, stream=stream, offset=offset)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(
        _fallback.raw_blocks(seed, stream, block, nblocks).reshape(-1)[lane : lane + n], expected
    )
