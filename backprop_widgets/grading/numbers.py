"""Numbers of one's own: a random generator seeded by the assignment and the student's id.

The student types their id in the notebook (on a JupyterHub it may stay empty: the
hub's user name is used).  ``my_numbers`` turns it into a ``numpy`` generator, and
the assignment's locked cells draw the task's numbers from it, so the task text
(printed by that cell) and the instructor's hidden tests (run by the grader with
the id it verified) use the same numbers.

>>> a = my_numbers("sigmoid_tree", "s1234567").uniform()
>>> b = my_numbers("sigmoid_tree", " S1234567 ").uniform()   # case and spaces do not matter
>>> c = my_numbers("sigmoid_tree", "s7654321").uniform()
>>> a == b, a == c
(True, False)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

__all__ = ["my_numbers", "seed_for", "normalize_id", "grading_seed", "grading_with", "resolve_id"]

_GRADING_SEED = 20240501  # the instructor's own runs: a fixed seed
# While the grader (``backprop_widgets.grading.judge``) judges a hand-in: a fresh seed for the inputs the
# hidden tests try a student's functions at, set only inside ``grading_with`` and put back as it ends.
_judging: ContextVar[int | None] = ContextVar("grading_seed", default=None)


def normalize_id(student_id: str) -> str:
    """The form of an id the seed is made from: no surrounding spaces, lower case."""
    return str(student_id).strip().lower()


def resolve_id(student_id: str | None) -> str:
    """The id typed in the notebook, or (when it is empty) the JupyterHub user's name."""
    typed = normalize_id(student_id or "")
    if typed:
        return typed
    for variable in ("BPW_STUDENT_ID", "JUPYTERHUB_USER"):
        if os.environ.get(variable, "").strip():
            return normalize_id(os.environ[variable])
    raise ValueError(
        'Type your student id between the quotes of STUDENT_ID = "" in the cell near the top, exactly as '
        "your course lists it (for example your university login), run that cell, then run this one again."
    )


def seed_for(assignment: str, student_id: str) -> int:
    """A 64-bit seed from the assignment's name and the student's id.

    >>> seed_for("sigmoid_tree", "ada") == seed_for("sigmoid_tree", "ADA"), seed_for("a", "x") != seed_for("b", "x")
    (True, True)
    """
    digest = hashlib.sha256(f"backprop_widgets/{assignment}/{normalize_id(student_id)}".encode()).hexdigest()
    return int(digest[:16], 16)


def my_numbers(assignment: str, student_id: str | None) -> np.random.Generator:
    """The generator a student's numbers for ``assignment`` are drawn from (the same every run)."""
    return np.random.default_rng(seed_for(assignment, resolve_id(student_id)))


def grading_seed() -> int:
    """A seed for the inputs a hidden test tries functions at: fresh for every hand-in while grading."""
    seed = _judging.get()
    return _GRADING_SEED if seed is None else seed


@contextmanager
def grading_with(seed: int) -> Iterator[None]:
    """Judge one hand-in: inside the block ``grading_seed()`` is ``seed``; after it, what it was before.

    >>> with grading_with(7):
    ...     grading_seed()
    7
    >>> grading_seed() == _GRADING_SEED
    True
    """
    token = _judging.set(int(seed))
    try:
        yield
    finally:
        _judging.reset(token)
