"""Exercises a student checks on the spot: a question, a ``check`` that says why an answer is wrong, a hint and a solution."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..engine.arrays import numpy as np
from ..engine.ops import format_number
from .answers import NoAnswerYet, NotAnAnswer, as_bool, as_grid, as_number, shape_text
from .compare import all_close, close, diagnose
from .grid import Grid, format_grid, grid
from .verdict import Text, Verdict

__all__ = ["Exercise", "NumberExercise", "ArrayExercise", "BoolExercise", "ChoiceExercise", "format_answer", "declare"]

Lazy = Any | Callable[[], Any]

TRY_THE_HINT = "Not this one; `.hint()` may help."


def resolve(source: Lazy) -> Any:
    """A value given as itself, or as a function that computes it (callers keep the result)."""
    return source() if callable(source) else source


def format_answer(value: Any) -> str:
    """How a solution prints an answer: every digit Python has, ``True``, or an array (as numpy prints it).

    >>> format_answer(0.25), format_answer(3.0), format_answer(np.array([0.5, -1.0])), format_answer(grid([0.5, -1]))
    ('0.25', '3', '[ 0.5, -1. ]', '[ 0.5, -1. ]')
    """
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, np.ndarray):
        return np.array2string(value, separator=", ", precision=8)
    if isinstance(value, Grid):
        return format_grid(value, precision=8)
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def array_answer(value: Any) -> Any:
    """An array answer as a numpy float array, or as a ``Grid`` where numpy cannot be imported (a browser kernel)."""
    try:
        import numpy
    except ImportError:
        return grid(value)
    return numpy.array(value, dtype=numpy.float64)


def _sentence(text: str) -> str:
    """End a message with a full stop unless it already ends like a sentence."""
    return text if text.endswith((".", "?", "!", ")")) else text + "."


def _given_text(name: str, value: Any) -> str:
    if isinstance(value, np.ndarray):
        body = np.array2string(value, separator=", ", precision=6)
        indent = " " * (len(name) + 3)
        return f"{name} = " + body.replace("\n", "\n" + indent)
    if isinstance(value, float):
        return f"{name} = {format_number(value, 10)}"
    return f"{name} = {value!r}"


def declare(namespace: dict[str, Any]) -> tuple[Exercise, ...]:
    """A lesson module's exercises, each named after its variable, in the order they are declared.

    A lesson module declares each exercise once, as a variable, and ends with::

        EXERCISES = declare(globals())
        __all__ = [exercise.name for exercise in EXERCISES] + ["EXERCISES"]

    >>> easy = NumberExercise("1 + 1?", answer=2, hint="add.", solution_text="1 + 1.")
    >>> [exercise.name for exercise in declare({"easy": easy, "_helper": 3})]
    ['easy']
    """
    found = []
    for variable, value in namespace.items():
        if isinstance(value, Exercise) and not variable.startswith("_"):
            if value.name not in (UNNAMED, variable):
                raise ValueError(f"exercise {variable} is named {value.name!r}: leave name= out, the variable names it")
            value.name = variable
            found.append(value)
    return tuple(found)


UNNAMED = "exercise"  # the name of an exercise that no lesson module has declared


class Exercise:
    """A question with ``check(answer)``, ``hint()`` and ``solution()``; subclasses say what an answer is.

    ``check`` never raises for a wrong answer and never shows the right one: it
    returns a ``Verdict`` (truthy when right) with the reason in words.
    ``solution_text`` may be a function returning the text, so that its numbers
    can come from the engine too.
    ``assert_correct`` raises ``AssertionError`` with the same reason, for graded
    test cells.  ``given`` holds the numbers the question works with, so a student
    can compute with them (``ex.some_exercise.given["W1"]``).  ``name`` is filled
    in by ``declare`` from the variable that holds the exercise.

    Subclasses take these keywords (``hint``, ``solution_text``, ``name``,
    ``given``, ``well_done``) through ``**common`` and add their own.
    """

    _answer_format = "an answer"

    def __init__(
        self,
        question: str,
        *,
        hint: str,
        solution_text: Lazy,
        name: str = UNNAMED,
        given: dict | None = None,
        well_done: str = "",
    ) -> None:
        self.question = question
        self.hint_text = hint
        self.solution_text = solution_text
        self.name = name
        self.given = dict(given or {})
        self.well_done = well_done

    # ---- what a student calls ------------------------------------------------

    def check(self, answer: Any, *, strict: bool = False) -> Verdict:
        """Say whether ``answer`` is right and, if not, why (without the right answer).

        The placeholder ``None`` gets a neutral "No answer yet", not a failure.
        With ``strict=True`` a wrong (or missing) answer raises ``AssertionError`` instead.

        >>> NumberExercise("1 + 1?", answer=2, hint="add.", solution_text="1 + 1.").check(None)
        ○ No answer yet: put your answer in place of `None` and run the cell again.
        """
        notes: list[str] = []
        try:
            verdict = self._judge(answer, notes)
        except NoAnswerYet as waiting:
            verdict = Verdict(False, str(waiting), answered=False)
        except NotAnAnswer as problem:
            verdict = Verdict(False, str(problem))
        verdict = Verdict(verdict.correct, _sentence(verdict.reason), tuple(dict.fromkeys(notes)), verdict.answered)
        if strict and not verdict.correct:
            raise AssertionError(verdict.text)
        return verdict

    def assert_correct(self, answer: Any) -> Verdict:
        """``check(answer)``, raising ``AssertionError`` with the reason when it is wrong (for nbgrader)."""
        return self.check(answer, strict=True)

    def hint(self) -> Text:
        """A hint: where to look, not the answer."""
        return Text(f"Hint: {self.hint_text}")

    def solution(self) -> Text:
        """The worked solution, and the answer itself."""
        return Text(f"{resolve(self.solution_text)}\n\nAnswer: {self._answer_text()}")

    @property
    def answer_format(self) -> str:
        """What the question asks for, as in "Answer with a number"."""
        return self._answer_format

    def correct_answer(self) -> Any:
        """The right answer, as ``solution()`` shows it (computed by the engine)."""
        raise NotImplementedError

    # ---- what subclasses fill in --------------------------------------------------

    def _judge(self, answer: Any, notes: list[str]) -> Verdict:
        raise NotImplementedError

    def _answer_text(self) -> str:
        return format_answer(self.correct_answer())

    def _right(self) -> Verdict:
        return Verdict(True, self.well_done or "that's it.")

    def _once(self, attribute: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` the first time, kept as ``attribute`` after: answers come from the engine once."""
        if attribute not in self.__dict__:
            self.__dict__[attribute] = compute()
        return self.__dict__[attribute]

    # ---- how it shows -----------------------------------------------------------

    def _given_block(self) -> str:
        if not self.given:
            return ""
        lines = "\n".join(_given_text(name, value) for name, value in self.given.items())
        return f"\n\nGiven (also as `.given`):\n\n```\n{lines}\n```"

    def _repr_markdown_(self) -> str:
        return (
            f"**Exercise `{self.name}`**\n\n{self.question}{self._given_block()}\n\n"
            f"Answer with {self.answer_format}: `.check(answer)` checks it, "
            "`.hint()` gives a hint, `.solution()` the worked solution."
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}): {self.question}"


class NumberExercise(Exercise):
    """An exercise whose answer is one number, computed by the engine when first needed.

    ``answer`` is the number or (better) a function that computes it from a
    graph.  An answer within ``max(rel_tol·|answer|, abs_tol)`` is right.
    ``mistakes`` lists ``(value, feedback)`` for wrong answers worth a specific
    word (e.g. only one of two paths); it may also be a function returning that
    list.  ``whole=True`` asks for a count.

    >>> ex = NumberExercise("2 + 2?", answer=lambda: 2 + 2, hint="add.", solution_text="2 + 2.")
    >>> ex.check(4)
    ✔ Right: that's it.
    >>> ex.check(-4)
    ✘ Not yet: the size is right but the sign is wrong.
    """

    _answer_format = "a number"

    def __init__(
        self,
        question: str,
        *,
        answer: Lazy,
        rel_tol: float = 1e-6,
        abs_tol: float = 1e-9,
        whole: bool = False,
        mistakes: Lazy = (),
        **common: Any,
    ) -> None:
        super().__init__(question, **common)
        self._answer_source = answer
        self._mistakes_source = mistakes
        self.rel_tol, self.abs_tol, self.whole = rel_tol, abs_tol, whole
        if whole:
            self._answer_format = "a whole number"

    def correct_answer(self) -> float:
        return self._once("_answer", lambda: float(resolve(self._answer_source)))

    def mistakes(self) -> list[tuple[float, str]]:
        """The wrong answers with their own feedback, as ``(value, feedback)``."""
        return self._once("_mistakes", lambda: [(float(v), text) for v, text in resolve(self._mistakes_source)])

    def _close(self, mine: float, value: float) -> bool:
        return bool(close(mine, value, self.rel_tol, self.abs_tol))

    def _judge(self, answer: Any, notes: list[str]) -> Verdict:
        mine = as_number(answer, notes)
        right = self.correct_answer()
        if self._close(mine, right):
            return self._right()
        if self.whole and not mine.is_integer():
            return Verdict(False, "this asks for a count, a whole number")
        for value, feedback in self.mistakes():
            if self._close(mine, value):
                return Verdict(False, feedback)
        if right != 0 and self._close(-mine, right):
            return Verdict(False, "the size is right but the sign is wrong")
        if abs(mine - right) <= 1e-3 * abs(right):
            return Verdict(
                False,
                f"very close, but not within the tolerance (relative {self.rel_tol:g}): did you round? "
                "Pass the number Python computed rather than a rounded copy",
            )
        return Verdict(False, TRY_THE_HINT)


class ArrayExercise(Exercise):
    """An exercise whose answer is an array, computed by the engine; the shape is checked first.

    >>> ex = ArrayExercise("x·2 for x = [1, 2, 3]?", answer=lambda: np.array([1.0, 2.0, 3.0]) * 2,
    ...                    hint="double each.", solution_text="each entry doubled.")
    >>> ex.check([[2.0, 4.0, 6.0]])
    ✘ Not yet: your answer should have shape (3,); yours has shape (1, 3): the same entries as a row, a column or a flat vector — reshape it.
    >>> ex.check([2, 4, 6])
    ✔ Right: that's it.
    """

    def __init__(
        self,
        question: str,
        *,
        answer: Lazy,
        rel_tol: float = 1e-6,
        abs_tol: float = 1e-9,
        mistakes: Lazy = (),
        **common: Any,
    ) -> None:
        super().__init__(question, **common)
        self._answer_source = answer
        self._mistakes_source = mistakes
        self.rel_tol, self.abs_tol = rel_tol, abs_tol

    @property
    def answer_format(self) -> str:
        return f"an array of shape {shape_text(self.correct_answer().shape)}"

    def correct_answer(self) -> Any:
        """The right array: a numpy array (a ``Grid`` where numpy cannot be imported)."""
        return self._once("_answer", lambda: array_answer(resolve(self._answer_source)))

    def mistakes(self) -> list[tuple[Any, str]]:
        """The wrong answers with their own feedback, as ``(array, feedback)``."""
        return self._once("_mistakes", lambda: [(array_answer(v), text) for v, text in resolve(self._mistakes_source)])

    def _judge(self, answer: Any, notes: list[str]) -> Verdict:
        right = grid(self.correct_answer())
        mine = as_grid(answer, right.shape, notes)
        for value, feedback in self.mistakes():
            wrong = grid(value)
            if wrong.shape == mine.shape and all_close(mine, wrong, self.rel_tol, self.abs_tol):
                if not all_close(mine, right, self.rel_tol, self.abs_tol):
                    return Verdict(False, feedback)
        problem = diagnose([mine], [right], rel_tol=self.rel_tol, abs_tol=self.abs_tol)
        if problem is None:
            return self._right()
        return Verdict(False, f"your array {problem}")


class BoolExercise(Exercise):
    """A yes/no question, answered with ``True`` or ``False``; the answer comes from a run of the engine.

    ``if_wrong`` is the feedback for the wrong one (it must not state the answer).

    >>> ex = BoolExercise("Is 0.1 + 0.2 == 0.3 in floating point?", answer=lambda: 0.1 + 0.2 == 0.3,
    ...                   hint="try it.", solution_text="rounding.", if_wrong="run it and see.")
    >>> ex.check(True)
    ✘ Not yet: run it and see.
    """

    _answer_format = "True or False"

    def __init__(
        self,
        question: str,
        *,
        answer: Lazy,
        if_wrong: str,
        **common: Any,
    ) -> None:
        super().__init__(question, **common)
        self._answer_source = answer
        self.if_wrong = if_wrong

    def correct_answer(self) -> bool:
        return self._once("_answer", lambda: bool(resolve(self._answer_source)))

    def _judge(self, answer: Any, notes: list[str]) -> Verdict:
        if as_bool(answer, notes) == self.correct_answer():
            return self._right()
        return Verdict(False, self.if_wrong)


class ChoiceExercise(Exercise):
    """Pick one of a few numbers listed in the question; the right one is found by running the engine.

    ``why_not(choice)`` gives the feedback for a wrong choice (computed too, e.g.
    "with that rate the steps shrink").

    >>> ex = ChoiceExercise("Which is prime?", choices=(4, 6, 7), answer=lambda: 7,
    ...                     hint="divide.", solution_text="7 has no divisors.")
    >>> ex.check(5)
    ✘ Not yet: pick one of the choices listed in the question.
    """

    _answer_format = "one of the listed numbers"

    def __init__(
        self,
        question: str,
        *,
        choices: Sequence[float],
        answer: Lazy,
        why_not: Callable[[float], str] | None = None,
        **common: Any,
    ) -> None:
        super().__init__(question, **common)
        self.choices = tuple(float(c) for c in choices)
        self._answer_source = answer
        self.why_not = why_not

    def correct_answer(self) -> float:
        return self._once("_answer", self._computed_choice)

    def _computed_choice(self) -> float:
        answer = float(resolve(self._answer_source))
        if answer not in self.choices:
            raise RuntimeError(f"exercise {self.name}: the computed answer is not one of the choices")
        return answer

    def _judge(self, answer: Any, notes: list[str]) -> Verdict:
        mine = as_number(answer, notes)
        picked = [c for c in self.choices if math.isclose(mine, c, rel_tol=1e-9, abs_tol=1e-12)]
        if not picked:
            return Verdict(False, "pick one of the choices listed in the question")
        if picked[0] == self.correct_answer():
            return self._right()
        return Verdict(False, self.why_not(picked[0]) if self.why_not else TRY_THE_HINT)
