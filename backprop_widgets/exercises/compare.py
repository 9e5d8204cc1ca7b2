"""Comparing a student's numbers with the engine's, and naming the mistake without giving the answer away."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine.arrays import numpy as np
from .answers import NotAnAnswer, as_array
from .verdict import Verdict

__all__ = ["close", "diagnose", "judge_array"]


def close(mine: np.ndarray, expected: np.ndarray, rel_tol: float, abs_tol: float) -> np.ndarray:
    """Entry by entry: ``|mine − expected| ≤ max(rel_tol·|expected|, abs_tol)``.

    >>> close(np.array([1.0, 2.0]), np.array([1.0 + 1e-9, 2.5]), 1e-6, 1e-9).tolist()
    [True, False]
    """
    if type(mine) in (int, float) and type(expected) in (int, float):  # two numbers: a bool, no numpy needed
        return abs(mine - expected) <= max(rel_tol * abs(expected), abs_tol)
    mine, expected = np.asarray(mine, dtype=float), np.asarray(expected, dtype=float)
    return np.abs(mine - expected) <= np.maximum(rel_tol * np.abs(expected), abs_tol)


def _everywhere(pairs, rel_tol: float, abs_tol: float) -> bool:
    try:
        return all(np.shape(m) == np.shape(e) and close(m, e, rel_tol, abs_tol).all() for m, e in pairs)
    except ValueError:  # shapes that don't broadcast: not this mistake
        return False


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def diagnose(
    mine: Sequence[np.ndarray],
    expected: Sequence[np.ndarray],
    *,
    rel_tol: float,
    abs_tol: float,
    upstream: Sequence[np.ndarray] | None = None,
    per: str = "entry",
) -> str | None:
    """``None`` if every ``mine[i]`` matches ``expected[i]``, else a phrase naming the mistake.

    ``mine`` and ``expected`` are lists of arrays of equal shapes: one per test
    point of a function (``per="test point"``), or a single array (``per="entry"``,
    where the phrase names the wrong positions).  The phrase says what kind of
    mistake it looks like (a wrong sign, a transpose, a missing upstream factor, a
    constant factor) and never the right numbers.

    >>> diagnose([np.array([1.0, -2.0])], [np.array([-1.0, 2.0])], rel_tol=1e-6, abs_tol=1e-9)
    'has the wrong sign'
    >>> diagnose([np.array([0.3, -0.4])], [np.array([-0.4, 0.3])], rel_tol=1e-6, abs_tol=1e-9)
    'has the right numbers in the wrong places (two entries swapped?)'
    """
    rel, tiny = rel_tol, abs_tol
    right = [close(m, e, rel, tiny) for m, e in zip(mine, expected, strict=True)]
    if all(r.all() for r in right):
        return None
    # swapped entries and transposes first: they can look like sign errors
    if all(m.ndim == 2 and m.shape[0] == m.shape[1] > 1 for m in mine) and _everywhere(
        ((m.T, e) for m, e in zip(mine, expected, strict=True)), rel, tiny
    ):
        return "is transposed"
    if _everywhere(
        ((np.sort(m, axis=None), np.sort(e, axis=None)) for m, e in zip(mine, expected, strict=True)), rel, tiny
    ):
        return "has the right numbers in the wrong places (two entries swapped?)"
    if _everywhere(((m, -e) for m, e in zip(mine, expected, strict=True)), rel, tiny):
        return "has the wrong sign"
    if upstream is not None and _everywhere(
        ((m * np.asarray(u), e) for m, e, u in zip(mine, expected, upstream, strict=True)), rel, tiny
    ):
        return "is missing the factor `upstream`: it would be right only where the upstream gradient is 1"
    flat_mine = np.concatenate([np.ravel(m) for m in mine])
    flat_expected = np.concatenate([np.ravel(e) for e in expected])
    if not flat_mine.any() and flat_expected.any():
        return "is zero everywhere"
    zero = np.abs(flat_expected) <= tiny
    fine = close(flat_mine, flat_expected, rel, tiny)
    if zero.any() and fine[~zero].all():
        return "is right where it is nonzero, but should be zero in some places: no gradient flows through there"
    stuck = close(flat_mine, 0.0, rel, tiny) & ~zero
    if stuck.any() and (fine | stuck).all():
        return "is zero in some places where a gradient should flow through, and right elsewhere"
    if _off_by_constant_factor(flat_mine, flat_expected, rel, tiny):
        return "is off by the same constant factor everywhere (a forgotten constant?)"
    if per == "entry":
        wrong = [tuple(int(i) for i in index) for index in np.argwhere(~right[0])]
        total = right[0].size
        where = ""
        if 0 < len(wrong) <= 3 and len(wrong) < total and mine[0].ndim:
            where = ", at " + " and ".join(str(w) if len(w) > 1 else f"[{w[0]}]" for w in wrong)
        count = "in every entry" if len(wrong) == total else f"in {len(wrong)} of {_count(total, 'entry', 'entries')}"
    else:
        wrong = [i for i, r in enumerate(right) if not r.all()]
        total = len(right)
        count = "at every test point" if len(wrong) == total else f"at {len(wrong)} of {total} test points"
        where = ""
    same_sign = np.concatenate([(np.sign(m) == np.sign(e))[~r] for m, e, r in zip(mine, expected, right, strict=True)])
    if same_sign.all():
        return f"has the right sign but the wrong size {count}{where}"
    if not same_sign.any():
        return f"has the wrong sign {count}{where}"
    return f"is wrong {count}{where}, with the wrong sign in some"


def _off_by_constant_factor(mine: np.ndarray, expected: np.ndarray, rel: float, tiny: float) -> bool:
    """Whether ``mine == c · expected`` everywhere for one number c ≠ 1."""
    big = np.abs(expected) > 10 * tiny
    if not big.any() or not close(mine[~big], 0.0, rel, tiny).all():
        return False
    ratios = mine[big] / expected[big]
    return abs(ratios[0] - 1.0) >= 1e-3 and bool(close(ratios, ratios[0], 1e-6, 0.0).all())


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
    expected = np.asarray(expected, dtype=np.float64)
    notes: list[str] = []
    try:
        mine = as_array(answer, expected.shape, notes)
    except NotAnAnswer as problem:
        return Verdict(False, str(problem), tuple(notes))
    problem = diagnose([mine], [expected], rel_tol=rel_tol, abs_tol=abs_tol)
    if problem is None:
        return Verdict(True, "that's it.", tuple(notes))
    return Verdict(False, f"your array {problem}", tuple(notes))
