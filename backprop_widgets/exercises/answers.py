"""Reading a student's answer as a number, an array or True/False, or saying in words why it isn't one."""

from __future__ import annotations

import math
from numbers import Number
from typing import TYPE_CHECKING, Any, SupportsFloat, cast

from ..engine.arrays import numpy as np
from ..engine.graph import Node
from .grid import Grid, grid

if TYPE_CHECKING:
    import numpy

__all__ = ["NotAnAnswer", "NoAnswerYet", "describe", "as_number", "as_array", "as_grid", "as_bool", "shape_text"]


class NotAnAnswer(Exception):
    """The answer is of the wrong kind or shape; ``str()`` says what to give instead."""


class NoAnswerYet(NotAnAnswer):
    """The placeholder (``None`` or ``...``) is still in place: nothing to judge yet, and no mistake either."""


PUT_YOUR_ANSWER = "put your answer in place of `None` and run the cell again"


def describe(obj: Any) -> str:
    """A few words for what ``obj`` is: ``'a str'``, ``'a list of 3 items'``, ``'a function'``.

    >>> describe([1, 2, 3]), describe(None), describe(print), describe(np.zeros((2, 3)))
    ('a list of 3 items', 'None', 'a function', 'an array of shape (2, 3)')
    """
    if obj is None:
        return "None"
    if isinstance(obj, (np.ndarray, Grid)):
        return f"an array of shape {shape_text(obj.shape)}"
    if isinstance(obj, Node):
        return f"a {type(obj).__name__}"
    if isinstance(obj, (list, tuple)):
        count = len(obj)
        return f"a {type(obj).__name__} of {count} item{'' if count == 1 else 's'}"
    if callable(obj) and not isinstance(obj, type):
        return "a function"
    name = type(obj).__name__
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def shape_text(shape: tuple) -> str:
    """A shape as numpy prints it: ``(2, 3)``, ``(3,)``, and ``()`` for one number.

    >>> shape_text((3,)), shape_text((2, 3))
    ('(3,)', '(2, 3)')
    """
    return str(tuple(int(n) for n in shape))


def _not_given(answer: Any) -> None:
    if answer is None or answer is Ellipsis:
        raise NoAnswerYet(PUT_YOUR_ANSWER)


def _refuse_text(answer: Any, want: str) -> None:
    if not isinstance(answer, str):
        return
    text = answer.strip()
    try:
        float(text)
    except ValueError:
        raise NotAnAnswer(f"{answer!r} is text; give {want} (without quotes)") from None
    raise NotAnAnswer(f"{answer!r} is text; give it as {want}, without the quotes: {text}")


def _refuse_function(answer: Any, want: str) -> None:
    if callable(answer) and not isinstance(answer, (Node, np.ndarray, type)):
        raise NotAnAnswer(f"that is a function; give {want}: call the function and pass what it returns")


def _unwrap_node(answer: Any, notes: list[str]) -> Any:
    """A Value or Tensor stands for its data (with a gentle note about .grad)."""
    if isinstance(answer, Node):
        kind = type(answer).__name__
        notes.append(f"you gave a {kind}; I used its .data. If you meant its gradient, pass .grad instead.")
        return answer.data
    return answer


def _check_finite(x: float, what: str) -> float:
    if math.isnan(x):
        raise NotAnAnswer(
            f"{what} is nan ('not a number'): something in your computation was undefined, "
            "such as 0/0 or the log of a negative number"
        )
    if math.isinf(x):
        raise NotAnAnswer(f"{what} is infinite: somewhere a number was divided by zero or overflowed")
    return x


def as_number(answer: Any, notes: list[str]) -> float:
    """The answer as one float, or ``NotAnAnswer`` saying why it can't be one.

    ``notes`` collects remarks that don't make the answer wrong (a Value stands for
    its ``.data``; a one-entry array for its entry).

    >>> as_number(0.5, [])
    0.5
    >>> as_number("7", [])
    Traceback (most recent call last):
    ...
    backprop_widgets.exercises.answers.NotAnAnswer: '7' is text; give it as a number, without the quotes: 7
    """
    _not_given(answer)
    if isinstance(answer, (bool, np.bool_)):
        raise NotAnAnswer(f"{answer} is a yes/no value; give a number")
    answer = _unwrap_node(answer, notes)
    _refuse_text(answer, "a number")
    _refuse_function(answer, "a number")
    if isinstance(answer, (list, tuple)):
        raise NotAnAnswer(f"give one number, not {describe(answer)}")
    if isinstance(answer, np.ndarray):
        if answer.size != 1:
            raise NotAnAnswer(f"give one number, not {describe(answer)}")
        if answer.ndim:
            notes.append(f"you gave {describe(answer)}; I used its one entry.")
        answer = answer.reshape(()).item()
    if isinstance(answer, (bool, np.bool_)):
        raise NotAnAnswer(f"{answer} is a yes/no value; give a number")
    if isinstance(answer, (complex, np.complexfloating)):
        raise NotAnAnswer("that is a complex number; every answer here is a real number")
    if not isinstance(answer, (Number, np.number)):
        raise NotAnAnswer(f"give a number, not {describe(answer)}")
    return _check_finite(float(cast(SupportsFloat, answer)), "your answer")


def _shape_problem(what: str, yours: tuple, expected: tuple) -> str:
    if expected == ():
        return f"{what} should be one number; yours is an array of shape {shape_text(yours)}"
    said = f"{what} should have shape {shape_text(expected)}; yours has shape {shape_text(yours)}"
    if len(yours) == 2 and len(expected) == 2 and yours == expected[::-1]:
        return f"{said} — did you forget a transpose?"
    if yours and expected and math.prod(yours) == math.prod(expected):
        if sorted(n for n in yours if n != 1) == sorted(n for n in expected if n != 1):
            return f"{said}: the same entries as a row, a column or a flat vector — reshape it"
        return f"{said}: the right number of entries, arranged differently"
    return said


def as_array(answer: Any, shape: tuple, notes: list[str], what: str = "your answer") -> numpy.ndarray:
    """The answer as a float array of ``shape``, or ``NotAnAnswer`` saying why it isn't one.

    Lists are turned into arrays; a Tensor stands for its ``.data``.  For
    ``shape == ()`` a single number is expected.  ``as_grid`` reads it (without numpy where it can).

    >>> as_array([[1, 2], [3, 4]], (2, 2), []).dtype
    dtype('float64')
    >>> as_array(np.ones((3, 2)), (2, 3), [])
    Traceback (most recent call last):
    ...
    backprop_widgets.exercises.answers.NotAnAnswer: your answer should have shape (2, 3); yours has shape (3, 2) — did you forget a transpose?
    """
    import numpy

    checked = as_grid(answer, shape, notes, what)
    return numpy.array(checked.flat, dtype=numpy.float64).reshape(checked.shape)


def as_grid(answer: Any, shape: tuple, notes: list[str], what: str = "your answer") -> Grid:
    """The answer as a ``Grid`` of floats of ``shape``, or ``NotAnAnswer`` saying why it isn't one.

    Plain numbers and lists (of numbers or ``Value``s) are read without numpy; numpy
    arrays and Tensors with it.  For ``shape == ()`` a single number is expected.

    >>> as_grid([0.5, -1], (2,), [])
    Grid([0.5, -1.0])
    >>> as_grid([1.0, 2.0], (), [])
    Traceback (most recent call last):
    ...
    backprop_widgets.exercises.answers.NotAnAnswer: your answer should be one number; yours is an array of shape (2,)
    """
    want = "a number" if shape == () else f"an array of shape {shape_text(shape)}"
    if answer is None and what != "your answer":
        raise NotAnAnswer(f"{what} is None — did you forget to compute it or to `return` it?")
    _not_given(answer)
    answer = _unwrap_node(answer, notes)
    _refuse_text(answer, want)
    _refuse_function(answer, want)
    if isinstance(answer, (bool, np.bool_)):
        raise NotAnAnswer(f"{what} is {answer}, a yes/no value; give {want}")
    if isinstance(answer, (Number, np.number)) and shape != ():
        raise NotAnAnswer(f"{what} is one number; give {want}")
    if not isinstance(answer, (list, tuple, np.ndarray, Number, np.number)):
        raise NotAnAnswer(f"{what} is {describe(answer)}; give {want}")
    try:
        array = grid(answer)
    except (TypeError, ValueError):
        if isinstance(answer, (list, tuple)) and _ragged(answer):
            raise NotAnAnswer(f"the rows of {what} have different lengths; give {want}") from None
        raise NotAnAnswer(f"{what} has entries that aren't numbers; give {want}") from None
    if shape == () and array.size == 1 and array.ndim:
        notes.append(f"{what} is {describe(array)}; I used its one entry.")
        array = Grid((), array.flat)
    if array.shape != tuple(shape):
        raise NotAnAnswer(_shape_problem(what, array.shape, tuple(shape)))
    if any(math.isnan(x) for x in array.flat):
        raise NotAnAnswer(
            f"{what} has nan ('not a number') in it: something in your computation was undefined, "
            "such as 0/0 or the log of a negative number"
        )
    if any(math.isinf(x) for x in array.flat):
        raise NotAnAnswer(f"{what} has an infinite entry: a division by zero or an overflow")
    return array


def _ragged(rows: list | tuple) -> bool:
    lengths = {len(row) if isinstance(row, (list, tuple, np.ndarray)) else -1 for row in rows}
    return len(lengths) > 1


def as_bool(answer: Any, notes: list[str]) -> bool:
    """The answer as True or False, or ``NotAnAnswer`` saying why it isn't one.

    >>> as_bool(True, [])
    True
    >>> as_bool("yes", [])
    Traceback (most recent call last):
    ...
    backprop_widgets.exercises.answers.NotAnAnswer: 'yes' is text; give True or False (without quotes)
    """
    _not_given(answer)
    if isinstance(answer, (bool, np.bool_)):
        return bool(answer)
    if isinstance(answer, str):
        raise NotAnAnswer(f"{answer!r} is text; give True or False (without quotes)")
    if isinstance(answer, (Number, np.number)):
        raise NotAnAnswer("that is a number; this question wants True or False")
    raise NotAnAnswer(f"give True or False, not {describe(answer)}")
