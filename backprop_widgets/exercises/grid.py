"""Arrays of numbers in plain Python: what the exercises judge with, so that judging needs no numpy.

A ``Grid`` is a shape and its entries in row-major order, as floats.  Plain numbers and
(nested) lists of them (or of ``Value``s) become Grids without numpy, so lessons 01 and 02
judge their answers where numpy cannot be had (a browser kernel built from the package
registries alone).  Anything else (numpy arrays and scalars, Tensors, text) goes through
``numpy.asarray``, imported then; without numpy it is read as ``numpy.asarray`` would read it.

``format_grid`` prints a Grid as ``numpy.array2string(..., separator=", ")`` prints the same array.

>>> g = grid([[1, 2.5], [3, -4]])
>>> g.shape, g.flat
((2, 2), (1.0, 2.5, 3.0, -4.0))
>>> print(format_grid(g))
[[ 1. ,  2.5],
 [ 3. , -4. ]]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..engine.value import Value

__all__ = ["Grid", "grid", "plain_grid", "broadcast", "format_grid"]

PLAIN = (float, int, bool)


@dataclass(frozen=True)
class Grid:
    """A shape and its entries in row-major order (``()`` and one entry for a single number)."""

    shape: tuple[int, ...]
    flat: tuple[float, ...]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return len(self.flat)

    @property
    def T(self) -> Grid:
        """The axes reversed, as ``ndarray.T``.

        >>> grid([[1, 2, 3], [4, 5, 6]]).T.tolist()
        [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
        """
        shape = self.shape[::-1]
        strides = _strides(self.shape)[::-1]
        flat = tuple(self.flat[sum(i * s for i, s in zip(index, strides, strict=True))] for index in _indices(shape))
        return Grid(shape, flat)

    def tolist(self) -> Any:
        """Nested lists (a float for one number), as ``ndarray.tolist``."""

        def rows(axis: int, start: int) -> Any:
            if axis == self.ndim:
                return self.flat[start]
            step = math.prod(self.shape[axis + 1 :])
            return [rows(axis + 1, start + i * step) for i in range(self.shape[axis])]

        return rows(0, 0)

    def map(self, function: Callable[[float], float]) -> Grid:
        return Grid(self.shape, tuple(function(x) for x in self.flat))

    def __repr__(self) -> str:
        return f"Grid({self.tolist()!r})"


def _strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(math.prod(shape[axis + 1 :]) for axis in range(len(shape)))


def _indices(shape: tuple[int, ...]) -> Iterable[tuple[int, ...]]:
    """Every index of ``shape`` in row-major order."""
    return itertools.product(*(range(n) for n in shape))


def grid(x: Any) -> Grid:
    """``x`` as a Grid: as ``numpy.asarray(x, dtype=float)`` reads it, with numpy only for what isn't plain.

    >>> grid(2.5), grid([True, 2])
    (Grid(2.5), Grid([1.0, 2.0]))
    >>> grid([[1, 2], [3]])
    Traceback (most recent call last):
    ...
    ValueError: the rows have different lengths
    """
    if isinstance(x, Grid):
        return x
    plain = plain_grid(x)
    if plain is not None:
        return plain
    try:
        import numpy
    except ImportError:  # nothing here can be a numpy object
        return _read_without_numpy(x)
    array = numpy.asarray(x, dtype=numpy.float64)
    return Grid(tuple(int(n) for n in array.shape), tuple(array.ravel().tolist()))


def plain_grid(x: Any) -> Grid | None:
    """A plain number, a ``Value``, or (nested) lists and tuples of them as a Grid; ``None`` for anything else.

    Raises ``ValueError`` for rows of different lengths, as numpy does.
    """
    if type(x) in PLAIN:
        return Grid((), (float(x),))
    if isinstance(x, Value):
        return Grid((), (x.data,))
    if not isinstance(x, (list, tuple)):
        return None
    rows = []
    for item in x:
        row = plain_grid(item)
        if row is None:
            return None
        rows.append(row)
    return _stack(rows)


def _stack(rows: list[Grid]) -> Grid:
    if not rows:
        return Grid((0,), ())
    if len({row.shape for row in rows}) > 1:
        raise ValueError("the rows have different lengths")
    return Grid((len(rows), *rows[0].shape), tuple(x for row in rows for x in row.flat))


def _read_without_numpy(x: Any) -> Grid:
    """What ``numpy.asarray(x, dtype=float)`` makes of text, ``None`` and objects with ``__float__``."""
    if isinstance(x, (list, tuple)):
        return _stack([_read_without_numpy(item) for item in x])
    if x is None:
        return Grid((), (math.nan,))
    if isinstance(x, complex):
        raise TypeError("float() argument must be a string or a real number, not 'complex'")
    return Grid((), (float(x),))


def broadcast(a: Grid, b: Grid) -> tuple[tuple[int, ...], list[float], list[float]]:
    """The shape and entries of ``a`` and ``b`` broadcast together, as numpy does; ``ValueError`` if they can't be.

    >>> broadcast(grid([[1, 2], [3, 4]]), grid(10))
    ((2, 2), [1.0, 2.0, 3.0, 4.0], [10.0, 10.0, 10.0, 10.0])
    """
    if a.shape == b.shape:
        return a.shape, list(a.flat), list(b.flat)
    n = max(a.ndim, b.ndim)
    left, right = (1,) * (n - a.ndim) + a.shape, (1,) * (n - b.ndim) + b.shape
    shape = []
    for p, q in zip(left, right, strict=True):
        if p != q and 1 not in (p, q):
            raise ValueError(f"operands could not be broadcast together with shapes {_text(a.shape)} {_text(b.shape)} ")
        shape.append(q if p == 1 else p)
    return tuple(shape), _spread(a, left, tuple(shape)), _spread(b, right, tuple(shape))


def _text(shape: tuple[int, ...]) -> str:
    """A shape as numpy's broadcasting error writes it: ``(3,2)``, ``(3,)``."""
    return f"({','.join(map(str, shape))}{',' if len(shape) == 1 else ''})"


def _spread(g: Grid, padded: tuple[int, ...], shape: tuple[int, ...]) -> list[float]:
    strides = [0 if n == 1 else s for n, s in zip(padded, _strides(padded), strict=True)]
    return [g.flat[sum(i * s for i, s in zip(index, strides, strict=True))] for index in _indices(shape)]


# ---- printing, as numpy.array2string(array, separator=", ", precision=...) ----------------------------

LINE_WIDTH = 75  # numpy's default


def _trimmed(text: str) -> tuple[str, str]:
    """``'1.2500'`` -> ``('1', '25')``: the integer part and the fraction without trailing zeros."""
    whole, _, fraction = text.partition(".")
    return whole, fraction.rstrip("0")


def _positional(x: float, precision: int) -> tuple[str, str]:
    """The shortest digits that give ``x`` back, at most ``precision`` after the point, as (whole, fraction)."""
    whole, fraction = _trimmed(format(Decimal(repr(x)), "f"))
    if len(fraction) > precision:
        whole, fraction = _trimmed(format(x, f".{precision}f"))
    return whole, fraction


def _scientific(x: float, precision: int) -> tuple[str, str, int]:
    """The shortest digits that give ``x`` back as d.ddd × 10^e, at most ``precision`` after the point."""
    if x == 0:
        return ("-0" if math.copysign(1.0, x) < 0 else "0"), "", 0
    mantissa, _, exponent = format(Decimal(repr(x)), "e").partition("e")
    whole, fraction = _trimmed(mantissa)
    if len(fraction) > precision:
        mantissa, _, exponent = format(x, f".{precision}e").partition("e")
        whole, fraction = _trimmed(mantissa)
    return whole, fraction, int(exponent)


def _float_format(values: tuple[float, ...], precision: int) -> Callable[[float], str]:
    """How numpy prints each entry of an array of these values (its 'maxprec' float mode)."""
    finite = [x for x in values if math.isfinite(x)]
    nonzero = [abs(x) for x in finite if x != 0]
    exponential = bool(nonzero) and (max(nonzero) >= 1e8 or min(nonzero) < 1e-4 or max(nonzero) / min(nonzero) > 1e3)
    if not finite:
        pad_left = pad_right = 0
    elif exponential:
        parts = [_scientific(x, precision) for x in finite]
        digits = max(len(fraction) for _, fraction, _ in parts)
        exponent_width = max(len(f"{abs(e):02d}") for _, _, e in parts)
        pad_left = max(len(whole) for whole, _, _ in parts)
        pad_right = exponent_width + 2 + digits
    else:
        pieces = [_positional(x, precision) for x in finite]
        pad_left = max(len(whole) for whole, _ in pieces)
        pad_right = max(len(fraction) for _, fraction in pieces)
    if len(finite) < len(values):
        negative_inf = any(x == -math.inf for x in values)
        pad_left = max(pad_left, 3 - (pad_right + 1), 3 + negative_inf - (pad_right + 1))

    def entry(x: float) -> str:
        if math.isnan(x) or math.isinf(x):
            text = "nan" if math.isnan(x) else ("-inf" if x < 0 else "inf")
            return text.rjust(pad_left + pad_right + 1)
        if exponential:  # every entry with as many digits as the longest needs, rounded from x itself
            mantissa, _, power = format(x, f".{digits}e").partition("e")
            whole, _, fraction = mantissa.partition(".")
            e = int(power)
            return f"{whole.rjust(pad_left)}.{fraction}e{'-' if e < 0 else '+'}{abs(e):0{exponent_width}d}"
        whole, fraction = _positional(x, precision)
        return f"{whole.rjust(pad_left)}.{fraction.ljust(pad_right)}"

    return entry


def format_grid(g: Grid, precision: int = 8, separator: str = ", ") -> str:
    """``g`` as ``numpy.array2string(numpy.array(g), separator=separator, precision=precision)`` prints it.

    (numpy shortens arrays of more than 1000 entries with "..."; this prints every entry.)

    >>> format_grid(grid([0.5, -1.0])), format_grid(grid([1e-5, 2.5]))
    ('[ 0.5, -1. ]', '[1.0e-05, 2.5e+00]')
    """
    if g.size == 0:
        return "[]"
    entry = _float_format(g.flat, precision)
    if g.ndim == 0:
        return entry(g.flat[0])
    words = iter([entry(x) for x in g.flat])

    def rows(axis: int, indent: str, width: int) -> str:
        count = g.shape[axis]
        if axis == g.ndim - 1:
            line, text = indent, ""
            room = width - max(len(separator.rstrip()), len("]"))
            for i in range(count):
                word = next(words)
                if len(line) + len(word) > room and len(line) > len(indent):
                    text += line.rstrip() + "\n"
                    line = indent
                line += word + (separator if i < count - 1 else "")
            text += line
        else:
            between = separator.rstrip() + "\n" * (g.ndim - axis - 1)
            text = between.join(indent + rows(axis + 1, indent + " ", width - 1) for _ in range(count))
        return "[" + text[len(indent) :] + "]"

    return rows(0, " ", LINE_WIDTH)
