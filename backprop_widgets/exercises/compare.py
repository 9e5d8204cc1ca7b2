"""Comparing a student's numbers with the engine's, and naming the mistake without giving the answer away."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..engine.arrays import numpy as np
from ..engine.numerics import sign
from .answers import NoAnswerYet, NotAnAnswer, as_grid
from .grid import Grid, broadcast, grid
from .verdict import Verdict

__all__ = ["close", "all_close", "diagnose", "judge_array"]


def close(mine: Any, expected: Any, rel_tol: float, abs_tol: float) -> Any:
    """Entry by entry: ``|mine − expected| ≤ max(rel_tol·|expected|, abs_tol)``; a bool for two numbers.

    >>> close(np.array([1.0, 2.0]), np.array([1.0 + 1e-9, 2.5]), 1e-6, 1e-9).tolist()
    [True, False]
    >>> close(0.5, 0.5 + 1e-12, 1e-6, 1e-9)
    True
    """
    if type(mine) in (int, float) and type(expected) in (int, float):  # two numbers: a bool, no numpy needed
        return _near(mine, expected, rel_tol, abs_tol)
    mine, expected = np.asarray(mine, dtype=float), np.asarray(expected, dtype=float)
    with np.errstate(invalid="ignore"):  # inf − inf: the same infinity, which == already answers
        return (mine == expected) | (np.abs(mine - expected) <= np.maximum(rel_tol * np.abs(expected), abs_tol))


def _near(mine: float, expected: float, rel_tol: float, abs_tol: float) -> bool:
    """``close`` for two numbers: the one rule for a right answer, in the exercises and the stepper's quiz alike
    (an infinite answer is right only when it is the same infinity; nan is never near anything, as in numpy)."""
    return mine == expected or abs(mine - expected) <= max(rel_tol * abs(expected), abs_tol)


def _close_entries(mine: Grid, expected: Grid, rel_tol: float, abs_tol: float) -> list[bool]:
    """``close`` entry by entry, the two broadcast together as numpy would."""
    _, m, e = broadcast(mine, expected)
    return [_near(a, b, rel_tol, abs_tol) for a, b in zip(m, e, strict=True)]


def all_close(mine: Any, expected: Any, rel_tol: float, abs_tol: float) -> bool:
    """Whether every entry of ``mine`` is close to ``expected``'s (numbers, lists, arrays or Grids).

    >>> all_close([1.0, 2.0], [1.0, 2.0 + 1e-12], 1e-6, 1e-9), all_close(1.0, 1.1, 1e-6, 1e-9)
    (True, False)
    """
    return all(_close_entries(grid(mine), grid(expected), rel_tol, abs_tol))


def _everywhere(pairs: Iterable[tuple[Grid, Grid]], rel_tol: float, abs_tol: float) -> bool:
    try:
        return all(m.shape == e.shape and all(_close_entries(m, e, rel_tol, abs_tol)) for m, e in pairs)
    except ValueError:  # shapes that don't broadcast: not this mistake
        return False


def _times(a: Grid, b: Grid) -> Grid:
    shape, x, y = broadcast(a, b)
    return Grid(shape, tuple(p * q for p, q in zip(x, y, strict=True)))


def _sorted(g: Grid) -> Grid:
    """The entries in increasing order, flat (nan last), as ``numpy.sort(g, axis=None)``."""
    return Grid((g.size,), tuple(sorted(g.flat, key=lambda x: (x != x, x))))


def _index(position: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The index of the ``position``-th entry in row-major order, as ``numpy.unravel_index``."""
    index = []
    for n in reversed(shape):
        position, i = divmod(position, n)
        index.append(i)
    return tuple(reversed(index))


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def diagnose(
    mine: Sequence[Any],
    expected: Sequence[Any],
    *,
    rel_tol: float,
    abs_tol: float,
    upstream: Sequence[Any] | None = None,
    per: str = "entry",
) -> str | None:
    """``None`` if every ``mine[i]`` matches ``expected[i]``, else a phrase naming the mistake.

    ``mine`` and ``expected`` are lists of arrays of equal shapes: one per test
    point of a function (``per="test point"``), or a single array (``per="entry"``,
    where the phrase names the wrong positions).  The phrase says what kind of
    mistake it looks like (a wrong sign, a transpose, a missing upstream factor, a
    constant factor) and never the right numbers.  Numbers, lists, numpy arrays and
    ``Grid``s are all compared in plain Python.

    >>> diagnose([np.array([1.0, -2.0])], [np.array([-1.0, 2.0])], rel_tol=1e-6, abs_tol=1e-9)
    'has the wrong sign'
    >>> diagnose([[0.3, -0.4]], [[-0.4, 0.3]], rel_tol=1e-6, abs_tol=1e-9)
    'has the right numbers in the wrong places (two entries swapped?)'
    """
    rel, tiny = rel_tol, abs_tol
    mines, expecteds = [grid(m) for m in mine], [grid(e) for e in expected]
    pairs = list(zip(mines, expecteds, strict=True))
    spread = [broadcast(m, e) for m, e in pairs]  # (shape, mine's entries, expected's entries), pair by pair
    right = [[_near(a, b, rel, tiny) for a, b in zip(m, e, strict=True)] for _, m, e in spread]
    if all(all(r) for r in right):
        return None
    # swapped entries and transposes first: they can look like sign errors
    if all(m.ndim == 2 and m.shape[0] == m.shape[1] > 1 for m in mines) and _everywhere(
        ((m.T, e) for m, e in pairs), rel, tiny
    ):
        return "is transposed"
    if _everywhere(((_sorted(m), _sorted(e)) for m, e in pairs), rel, tiny):
        return "has the right numbers in the wrong places (two entries swapped?)"
    if _everywhere(((m, e.map(lambda x: -x)) for m, e in pairs), rel, tiny):
        return "has the wrong sign"
    if upstream is not None and _everywhere(
        ((_times(m, grid(u)), e) for (m, e), u in zip(pairs, upstream, strict=True)), rel, tiny
    ):
        return "is missing the factor `upstream`: it would be right only where the upstream gradient is 1"
    flat_mine = [x for m in mines for x in m.flat]
    flat_expected = [x for e in expecteds for x in e.flat]
    if not any(flat_mine) and any(flat_expected):
        return "is zero everywhere"
    zero = [abs(e) <= tiny for e in flat_expected]
    fine = [_near(m, e, rel, tiny) for m, e in zip(flat_mine, flat_expected, strict=True)]
    if any(zero) and all(f for f, z in zip(fine, zero, strict=True) if not z):
        return "is right where it is nonzero, but should be zero in some places: no gradient flows through there"
    stuck = [_near(m, 0.0, rel, tiny) and not z for m, z in zip(flat_mine, zero, strict=True)]
    if any(stuck) and all(f or s for f, s in zip(fine, stuck, strict=True)):
        return "is zero in some places where a gradient should flow through, and right elsewhere"
    if _off_by_constant_factor(flat_mine, flat_expected, rel, tiny):
        return "is off by the same constant factor everywhere (a forgotten constant?)"
    if per == "entry":
        wrong = [_index(i, spread[0][0]) for i, ok in enumerate(right[0]) if not ok]
        total = len(right[0])
        where = ""
        if 0 < len(wrong) <= 3 and len(wrong) < total and mines[0].ndim:
            where = ", at " + " and ".join(str(w) if len(w) > 1 else f"[{w[0]}]" for w in wrong)
        count = "in every entry" if len(wrong) == total else f"in {len(wrong)} of {_count(total, 'entry', 'entries')}"
    else:
        total = len(right)
        failing = sum(1 for r in right if not all(r))
        count = "at every test point" if failing == total else f"at {failing} of {total} test points"
        where = ""
    same_sign = [
        sign(a) == sign(b)
        for (_, m, e), r in zip(spread, right, strict=True)
        for a, b, ok in zip(m, e, r, strict=True)
        if not ok
    ]
    if all(same_sign):
        return f"has the right sign but the wrong size {count}{where}"
    if not any(same_sign):
        return f"has the wrong sign {count}{where}"
    return f"is wrong {count}{where}, with the wrong sign in some"


def _off_by_constant_factor(mine: list[float], expected: list[float], rel: float, tiny: float) -> bool:
    """Whether ``mine == c · expected`` everywhere for one number c ≠ 1."""
    big = [abs(e) > 10 * tiny for e in expected]
    if not any(big) or not all(_near(m, 0.0, rel, tiny) for m, b in zip(mine, big, strict=True) if not b):
        return False
    ratios = [m / e for m, e, b in zip(mine, expected, big, strict=True) if b]
    return abs(ratios[0] - 1.0) >= 1e-3 and all(_near(r, ratios[0], 1e-6, 0.0) for r in ratios)


def judge_array(answer: Any, expected: Any, *, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> Verdict:
    """A typed answer (a list, an array, a Tensor; a number where one is expected) against ``expected``.

    For a quiz on a Tensor step: the shape is checked first, then each entry;
    the ✘ verdict says which entries are off (for a few of them) and what kind
    of mistake it looks like, never the right numbers.

    >>> judge_array([[1, 2], [3, 5]], np.array([[1.0, 2.0], [3.0, 4.0]]))
    ✘ Not yet: your array has the right sign but the wrong size in 1 of 4 entries, at (1, 1)
    >>> judge_array([1, 2], np.array([[1.0, 2.0]]))
    ✘ Not yet: your answer should have shape (1, 2); yours has shape (2,): the same entries as a row, a column or a flat vector — reshape it
    >>> bool(judge_array([0.25, 0.5], np.array([0.25, 0.5])))
    True
    """
    right = grid(expected)
    notes: list[str] = []
    try:
        mine = as_grid(answer, right.shape, notes)
    except NotAnAnswer as refusal:
        return Verdict(False, str(refusal), tuple(notes), answered=not isinstance(refusal, NoAnswerYet))
    mistake = diagnose([mine], [right], rel_tol=rel_tol, abs_tol=abs_tol)
    if mistake is None:
        return Verdict(True, "that's it.", tuple(notes))
    return Verdict(False, f"your array {mistake}", tuple(notes))
