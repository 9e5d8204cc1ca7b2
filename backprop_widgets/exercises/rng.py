"""``numpy.random.default_rng(seed)``'s stream in plain Python, for the test points of ``FunctionExercise``.

The test points of an op's backward are drawn from a fixed seed.  numpy's generator
(PCG64, seeded through a ``SeedSequence``) is written out here, so that a scalar
exercise draws the same numbers where numpy cannot be had, such as a browser kernel
built from the package registries alone.  ``Rng.uniform`` and ``Rng.choice`` draw
single numbers themselves; anything else (arrays, other distributions) is drawn by
numpy's own ``Generator``, handed the same state and handing it back, so the
stream goes on exactly as numpy's would.

>>> import numpy
>>> mine, numpys = default_rng(0), numpy.random.default_rng(0)
>>> mine.uniform(-1.0, 1.0) == float(numpys.uniform(-1.0, 1.0))
True
>>> mine.uniform(0.0, 1.0, size=(2,)).tolist() == numpys.uniform(0.0, 1.0, size=(2,)).tolist()
True
>>> bool(mine.choice([-1.0, 1.0]) == numpys.choice([-1.0, 1.0])), mine.uniform() == numpys.uniform()
(True, True)
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["Rng", "default_rng"]

MASK32 = (1 << 32) - 1
MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1
PCG_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341  # PCG's default 128-bit multiplier

# numpy's SeedSequence: its hash constants and pool of 4 words.
INIT_A, MULT_A, INIT_B, MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
POOL_SIZE = 4


def seed_words(seed: int, count: int) -> list[int]:
    """``numpy.random.SeedSequence(seed).generate_state(count)``: ``count`` 32-bit words.

    >>> import numpy
    >>> seed_words(0, 2) == numpy.random.SeedSequence(0).generate_state(2).tolist()
    True
    """
    if seed < 0:
        raise ValueError("a seed must be a non-negative integer")
    entropy = [(seed >> shift) & MASK32 for shift in range(0, max(seed.bit_length(), 1), 32)]
    hash_const = INIT_A

    def hashmix(value: int) -> int:
        nonlocal hash_const
        value = (value ^ hash_const) & MASK32
        hash_const = (hash_const * MULT_A) & MASK32
        value = (value * hash_const) & MASK32
        return value ^ (value >> 16)

    def mix(x: int, y: int) -> int:
        result = (MIX_MULT_L * x - MIX_MULT_R * y) & MASK32
        return result ^ (result >> 16)

    pool = [hashmix(entropy[i] if i < len(entropy) else 0) for i in range(POOL_SIZE)]
    for source in range(POOL_SIZE):
        for target in range(POOL_SIZE):
            if source != target:
                pool[target] = mix(pool[target], hashmix(pool[source]))
    for word in entropy[POOL_SIZE:]:
        for target in range(POOL_SIZE):
            pool[target] = mix(pool[target], hashmix(word))
    words, hash_const = [], INIT_B
    for i in range(count):
        value = (pool[i % POOL_SIZE] ^ hash_const) & MASK32
        hash_const = (hash_const * MULT_B) & MASK32
        value = (value * hash_const) & MASK32
        words.append(value ^ (value >> 16))
    return words


class Rng:
    """numpy's ``default_rng(seed)``: ``uniform`` and ``choice`` of single numbers here, the rest by numpy.

    The state is PCG64's: a 128-bit state and increment, and the spare half of a
    64-bit output that a 32-bit draw leaves (numpy's ``has_uint32``/``uinteger``).
    """

    def __init__(self, seed: int) -> None:
        words = seed_words(operator.index(seed), 8)
        u64 = [words[i] | words[i + 1] << 32 for i in range(0, 8, 2)]  # as numpy views them: little-endian
        state, sequence = u64[0] << 64 | u64[1], u64[2] << 64 | u64[3]
        self.increment = (sequence << 1 | 1) & MASK128
        self.state = 0
        self._step()
        self.state = (self.state + state) & MASK128
        self._step()
        self.spare: int | None = None  # the upper half of the last 64-bit output, not yet drawn

    # ---- PCG64 (XSL RR 128/64) -------------------------------------------------------------

    def _step(self) -> None:
        self.state = (self.state * PCG_MULTIPLIER + self.increment) & MASK128

    def _next64(self) -> int:
        self._step()
        xored = ((self.state >> 64) ^ self.state) & MASK64
        rotation = self.state >> 122
        return ((xored >> rotation) | (xored << (-rotation & 63))) & MASK64

    def _next32(self) -> int:
        if self.spare is not None:
            spare, self.spare = self.spare, None
            return spare
        word = self._next64()
        self.spare = word >> 32
        return word & MASK32

    def _next_double(self) -> float:
        return (self._next64() >> 11) * (1.0 / 9007199254740992.0)

    def _below(self, count: int) -> int:
        """A whole number in [0, count), as numpy's ``integers(0, count)`` (Lemire's method on 32 bits)."""
        if count == 1:
            return 0
        scaled = self._next32() * count
        if scaled & MASK32 < count:
            threshold = (MASK32 - (count - 1)) % count
            while scaled & MASK32 < threshold:
                scaled = self._next32() * count
        return scaled >> 32

    # ---- what samplers call --------------------------------------------------------------------

    def uniform(self, low: float = 0.0, high: float = 1.0, size: Any = None) -> Any:
        """A number from [low, high), as ``Generator.uniform``; with an array ``size``, numpy draws the array."""
        if size not in (None, ()) or not all(type(x) in (int, float) for x in (low, high)):
            return self._numpy("uniform", low, high, size=size)
        if not math.isfinite(high - low):
            raise OverflowError("Range exceeds valid bounds")
        return low + (high - low) * self._next_double()

    def choice(self, a: Sequence[Any] | int, size: Any = None) -> Any:
        """One of ``a`` (or of ``range(a)``), as ``Generator.choice``; arrays and other options go to numpy."""
        if size not in (None, ()) or not (isinstance(a, (list, tuple, int)) and 0 < _count(a) <= MASK32):
            return self._numpy("choice", a, size=size)
        index = self._below(_count(a))
        return index if isinstance(a, int) else a[index]

    def __getattr__(self, name: str) -> Callable[..., Any]:
        """Any other ``Generator`` method (``normal``, ``integers``...), drawn by numpy from this state."""
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._numpy(name, *args, **kwargs)

    def _numpy(self, method: str, *args: Any, **kwargs: Any) -> Any:
        import numpy

        bits = numpy.random.PCG64()
        bits.state = {
            "bit_generator": "PCG64",
            "state": {"state": self.state, "inc": self.increment},
            "has_uint32": int(self.spare is not None),
            "uinteger": self.spare or 0,
        }
        try:
            return getattr(numpy.random.Generator(bits), method)(*args, **kwargs)
        finally:
            state = bits.state
            self.state = state["state"]["state"]
            self.spare = state["uinteger"] if state["has_uint32"] else None


def _count(a: Sequence[Any] | int) -> int:
    return a if isinstance(a, int) else len(a)


def default_rng(seed: int) -> Rng:
    """The generator ``numpy.random.default_rng(seed)`` would be, for a non-negative whole seed."""
    return Rng(seed)
