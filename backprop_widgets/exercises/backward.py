"""``FunctionExercise``: the student writes an op's backward; the engine checks it at random points.

The student's function takes the op's inputs and the upstream gradient and
returns one gradient per input, e.g. for ``mul``::

    def mul_backward(a, b, upstream):
        return upstream * b, upstream * a

It is called at a few test points drawn from a fixed seed by Python's own
``random.Random`` (so the feedback is the same on every run, with numpy or without).  At each point the engine builds the op's graph, runs its backward pass
with that upstream gradient, and checks its own gradients against central finite
differences; the student's gradients are compared with those.  The feedback names
the input whose gradient is wrong and the kind of mistake, never a right number.
An op on numbers is judged in plain Python, without numpy.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.arrays import numpy as np
from ..engine.arrays import shape as shape_of
from ..engine.gradcheck import central_difference
from ..engine.graph import Node, topological_order
from ..engine.value import Value
from .answers import NoAnswerYet, NotAnAnswer, as_grid, describe
from .compare import all_close, diagnose
from .exercise import Exercise, resolve
from .grid import Grid, grid
from .verdict import Text, Verdict

__all__ = ["FunctionExercise", "uniform", "away_from_zero"]

# Draws one input's test value from a ``random.Random``: a float, or an array for a Tensor input.
Sampler = Callable[[random.Random], Any]


def _entries(shape: tuple, draw_one: Callable[[], float]) -> Any:
    """One number for shape ``()``, else a numpy array of ``shape`` filled entry by entry (row by row)."""
    if shape == ():
        return draw_one()
    return np.array([draw_one() for _ in range(math.prod(shape))], dtype=float).reshape(shape)


def uniform(low: float, high: float, shape: tuple = ()) -> Sampler:
    """Draw a number (or an array of ``shape``) uniformly from [low, high).

    >>> draw = uniform(-1.0, 1.0)
    >>> -1.0 <= draw(random.Random(0)) < 1.0
    True
    """

    def draw(rng: random.Random) -> Any:
        return _entries(shape, lambda: rng.uniform(low, high))

    return draw


def away_from_zero(low: float, high: float, shape: tuple = ()) -> Sampler:
    """Draw numbers whose size is in [low, high) and whose sign is random: never near a kink at 0.

    >>> draw = away_from_zero(0.5, 2.0, shape=(4,))
    >>> bool((abs(draw(random.Random(1))) >= 0.5).all())
    True
    >>> 0.5 <= abs(away_from_zero(0.5, 2.0)(random.Random(1))) < 2.0
    True
    """

    def draw(rng: random.Random) -> Any:
        return _entries(shape, lambda: rng.uniform(low, high) * rng.choice((-1.0, 1.0)))

    return draw


@dataclass(frozen=True)
class Point:
    """Inputs and an upstream gradient, with the engine's gradient for each input."""

    inputs: tuple
    upstream: Any
    expected: tuple


# The engine's gradients must match finite differences this well before a student is judged by them.
SELF_CHECK_TOLERANCE = 1e-5


def _finite_differences(loss: Node, leaves: Sequence[Node]) -> list[Any]:
    """d loss / d leaf, entry by entry, by the engine's central differences (values restored afterwards).

    A float for a ``Value``, an array for a ``Tensor``.
    """
    order = topological_order(loss)
    return [central_difference(loss, leaf, order=order) for leaf in leaves]


class FunctionExercise(Exercise):
    """Write the backward of an op: ``f(*inputs, upstream)`` returning one gradient per input.

    ``forward`` builds the op from engine nodes (``lambda a, b: a * b``, or
    ``lambda z: z.relu()``); it is run on ``Value``s when the inputs are numbers
    and on ``Tensor``s when they are arrays.  ``inputs`` maps each input's name to
    a sampler (``uniform``, ``away_from_zero``) that draws its test values.

    >>> ex = FunctionExercise("Backward of a·b?", forward=lambda a, b: a * b,
    ...     inputs={"a": uniform(-2, 2), "b": uniform(-2, 2)}, hint="product rule.", solution_text="…")
    >>> ex.check(lambda a, b, upstream: (upstream * b, upstream * a))
    ✔ Right: your backward agrees with the engine at every test point.
    >>> ex.check(lambda a, b, upstream: (upstream * a, upstream * b))
    ✘ Not yet: your two gradients are swapped: the one you return for a belongs to b, and the other way round.
    """

    def __init__(
        self,
        question: str,
        *,
        forward: Callable[..., Node],
        inputs: dict[str, Sampler],
        points: int = 5,
        seed: int = 1,  # (seed 0 draws only positive a for mul_backward; a test checks that both signs come up)
        rel_tol: float = 1e-6,
        abs_tol: float = 1e-9,
        **common: Any,
    ) -> None:
        super().__init__(question, **common)
        self.forward = forward
        self.inputs = dict(inputs)
        self.points, self.seed = points, seed
        self.rel_tol, self.abs_tol = rel_tol, abs_tol

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.inputs)

    @property
    def call_text(self) -> str:
        """How the student's function is called, e.g. ``backward(a, b, upstream)``."""
        return f"backward({', '.join(self.names)}, upstream)"

    @property
    def answer_format(self) -> str:
        grads = ", ".join(f"grad_{name}" for name in self.names)
        returned = f"({grads})" if len(self.names) > 1 else grads
        return f"a function, called as `{self.call_text}` and returning `{returned}`"

    def correct_answer(self) -> None:
        return None  # the answer is a function; solution() shows its code

    def solution(self) -> Text:
        """The worked solution: a backward function that passes."""
        return Text(resolve(self.solution_text))

    # ---- the test points ------------------------------------------------------

    def test_points(self) -> list[Point]:
        """The points the student's function is checked at (same seed, same points, every run)."""
        return self._once("_points", self._make_points)

    def _make_points(self) -> list[Point]:
        rng = random.Random(self.seed)
        return [self._make_point(rng) for _ in range(self.points)]

    def _make_point(self, rng: random.Random) -> Point:
        values = tuple(draw(rng) for draw in self.inputs.values())
        if any(isinstance(v, np.ndarray) for v in values):
            from ..engine.tensor import Tensor  # numpy comes with it

            leaves: list[Node] = [Tensor(v, label=name) for name, v in zip(self.names, values, strict=True)]
            out = self.forward(*leaves)
            upstream = away_from_zero(0.5, 2.0, shape=shape_of(out.data))(rng)
            # d(Σ out ⊙ upstream)/d input is exactly "upstream pulled back through the op"
            loss = (out * Tensor(upstream, constant=True)).sum()
            loss.backward()
            expected = tuple(np.array(node.grad, dtype=float) for node in leaves)
        else:  # numbers: Values, and floats throughout
            leaves = [Value(v, label=name) for name, v in zip(self.names, values, strict=True)]
            out = self.forward(*leaves)
            upstream = away_from_zero(0.5, 2.0, shape=shape_of(out.data))(rng)
            loss = out * upstream
            loss.backward()
            expected = tuple(float(node.grad) for node in leaves)
        numeric = _finite_differences(loss, leaves)
        for name, analytic, estimate in zip(self.names, expected, numeric, strict=True):
            if not all_close(analytic, estimate, SELF_CHECK_TOLERANCE, 1e-7):
                raise RuntimeError(
                    f"exercise {self.name}: the engine's gradient for {name} fails its own gradient check"
                )
        return Point(values, upstream, expected)

    # ---- judging --------------------------------------------------------------

    def _judge(self, answer: Any, notes: list[str]) -> Verdict:
        if answer is None or answer is Ellipsis:
            raise NoAnswerYet("write your backward function, then pass it here")
        if not callable(answer) or isinstance(answer, (Node, type)):
            raise NotAnAnswer(
                f"pass your function itself, as in `.check(my_backward)` (not what it returns); you gave {describe(answer)}"
            )
        points = self.test_points()
        mine = [self._run(answer, point, notes) for point in points]
        # A backward is linear in upstream: run the first point again with twice the upstream gradient.
        doubled = self._run(answer, points[0], notes, upstream_factor=2.0)
        ignores = [
            all_close(again, first, self.rel_tol, self.abs_tol) and any(grid(expected).flat)
            for again, first, expected in zip(doubled, mine[0], points[0].expected, strict=True)
        ]
        return self._compare(mine, points, ignores)

    def _run(self, student: Callable, point: Point, notes: list[str], upstream_factor: float = 1.0) -> list[Grid]:
        args = [np.copy(v) if isinstance(v, np.ndarray) else v for v in point.inputs]
        upstream = point.upstream * upstream_factor
        try:
            returned = student(*args, upstream)
        except Exception as error:  # a student's bug is feedback, not a crash
            raise NotAnAnswer(
                f"your function raised {type(error).__name__}: {error} (it is called as {self.call_text})"
            ) from None
        return self._gradients(returned, point, notes)

    def _gradients(self, returned: Any, point: Point, notes: list[str]) -> list[Grid]:
        count = len(self.names)
        if returned is None:
            raise NotAnAnswer("your function returned None — did you forget `return`?")
        if isinstance(returned, (tuple, list)) and returned and all(grad is None for grad in returned):
            raise NoAnswerYet(
                "your function still returns None for every gradient: write your code in place of each `None`"
            )
        if isinstance(returned, (tuple, list)):
            if len(returned) != count:
                wanted = f"{count} gradients, one per input ({', '.join(self.names)})" if count > 1 else "one gradient"
                raise NotAnAnswer(f"your function returned {describe(returned)}; it should return {wanted}")
            grads = list(returned)
        elif count == 1:
            grads = [returned]
        else:
            raise NotAnAnswer(
                f"your function returned {describe(returned)}; it should return a tuple of {count} gradients, "
                f"({', '.join('grad_' + n for n in self.names)})"
            )
        return [
            as_grid(grad, shape_of(expected), notes, what=f"the gradient for {name}")
            for grad, expected, name in zip(grads, point.expected, self.names, strict=True)
        ]

    def _compare(self, mine: list[list[Grid]], points: list[Point], ignores: list[bool]) -> Verdict:
        expected = [[grid(g) for g in p.expected] for p in points]
        upstream = [grid(p.upstream) for p in points]

        def matches(i: int, j: int) -> bool:
            return all(
                mine[k][i].shape == expected[k][j].shape
                and all_close(mine[k][i], expected[k][j], self.rel_tol, self.abs_tol)
                for k in range(len(points))
            )

        problems: dict[str, list[str]] = {}  # phrase -> the inputs it is true of
        right = []
        for i, name in enumerate(self.names):
            problem = diagnose(
                [m[i] for m in mine],
                [e[i] for e in expected],
                rel_tol=self.rel_tol,
                abs_tol=self.abs_tol,
                upstream=upstream,
                per="test point",
            )
            if problem and ignores[i] and "upstream" not in problem:
                problem = "does not change when `upstream` changes: the chain rule multiplies by the upstream gradient"
            if problem:
                problems.setdefault(problem, []).append(name)
            else:
                right.append(name)
        if not problems:
            return (
                self._right()
                if self.well_done
                else Verdict(True, "your backward agrees with the engine at every test point")
            )
        if len(self.names) == 2 and matches(0, 1) and matches(1, 0):
            a, b = self.names
            return Verdict(
                False,
                f"your two gradients are swapped: the one you return for {a} belongs to {b}, and the other way round",
            )
        reason = "; ".join(
            f"the gradient for {names[0]} {problem}"
            if len(names) == 1
            else f"for {_both(names)}, the gradient {problem}"
            for problem, names in problems.items()
        )
        if right:
            reason += f". (The gradient for {' and '.join(right)} is right.)"
        return Verdict(False, reason)


def _both(names: list[str]) -> str:
    """``both a and b``; ``a, b and c``."""
    if len(names) == 2:
        return f"both {names[0]} and {names[1]}"
    return f"{', '.join(names[:-1])} and {names[-1]}"
