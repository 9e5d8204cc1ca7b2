"""Scalar maths that answers inf or nan with a warning where Python would raise.

A student who types ``log(0)`` or ``1/0`` should see ``-inf`` or ``inf`` on the
graph and a warning, the way numpy answers, not a traceback from inside the engine.
"""

from __future__ import annotations

import math
import warnings

__all__ = ["NumericWarning", "divide", "exp", "log", "power", "sin", "cos", "sqrt", "tanh", "sigmoid", "sign", "step"]

inf = math.inf
nan = math.nan


class NumericWarning(RuntimeWarning):
    """A result became inf or nan (division by zero, overflow, log of a negative...)."""


def _warn(message: str) -> None:
    warnings.warn(message, NumericWarning, stacklevel=4)


def divide(a: float, b: float) -> float:
    """``a / b``, with ``1/0 = inf`` and ``0/0 = nan`` (and a warning).

    >>> divide(1.0, 4.0)
    0.25
    """
    if b == 0.0:
        _warn(f"division by zero in {a!r} / {b!r}")
        if a == 0.0 or math.isnan(a):
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)
    return a / b


def exp(x: float) -> float:
    """``e**x``, with overflow giving ``inf``."""
    try:
        return math.exp(x)
    except OverflowError:
        _warn(f"exp({x!r}) overflowed to inf")
        return inf


def log(x: float) -> float:
    """Natural logarithm: ``log(0) = -inf``, ``log(negative) = nan``."""
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        _warn("log(0) is -inf")
        return -inf
    if math.isnan(x):
        return nan
    _warn(f"log({x!r}) of a negative number is nan")
    return nan


def power(a: float, n: float, *, quiet: bool = False) -> float:
    """``a**n``: ``0**-1 = inf``, overflow gives inf, a negative base with a
    fractional exponent gives nan.

    ``quiet`` drops the warning for ``0**-n``: a local gradient such as
    ``n·0ⁿ⁻¹`` is inf there, and the forward pass has already said so if it mattered.

    >>> power(-3.0, 2.0), power(0.0, -0.5, quiet=True)
    (9.0, inf)
    """
    try:
        out = a**n
    except ZeroDivisionError:
        if not quiet:
            _warn(f"{a!r} ** {n!r} divides by zero")
        return inf
    except OverflowError:
        _warn(f"{a!r} ** {n!r} overflowed to inf")
        return inf
    if isinstance(out, complex):
        _warn(f"{a!r} ** {n!r}: a negative base with a fractional exponent is nan")
        return nan
    return float(out)


def sin(x: float) -> float:
    """Sine: ``sin(inf) = nan``, with a warning."""
    if math.isinf(x):
        _warn(f"sin({x!r}) is nan")
        return nan
    return math.sin(x)


def cos(x: float) -> float:
    """Cosine: ``cos(inf) = nan``, with a warning."""
    if math.isinf(x):
        _warn(f"cos({x!r}) is nan")
        return nan
    return math.cos(x)


def sqrt(x: float) -> float:
    """Square root: ``sqrt(negative) = nan``, with a warning."""
    if x >= 0.0:
        return math.sqrt(x)
    if not math.isnan(x):
        _warn(f"sqrt({x!r}) of a negative number is nan")
    return nan


def tanh(x: float) -> float:
    """Hyperbolic tangent (never overflows)."""
    return math.tanh(x)


def sigmoid(x: float) -> float:
    """``1 / (1 + e**-x)``, computed without overflow for large ``|x|``."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def sign(x: float) -> float:
    """-1, 0 or 1 (nan stays nan)."""
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return x  # 0.0 or nan


def step(x: float) -> float:
    """1 for x > 0, 0 for x < 0, and ½ at 0: how ``max`` and ``min`` share the gradient at a tie.

    >>> step(2.0), step(0.0), step(-1.0)
    (1.0, 0.5, 0.0)
    """
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return 0.0
    return 0.5 if x == 0.0 else x  # nan stays nan
