"""Exercises for lesson 1: the sigmoid as a tree of small operations, and the chain rule node by node (E1–E4).

Every answer is computed by the engine from the graph in the question.
"""

from __future__ import annotations

import math

from ..engine import Value, format_number
from .backward import FunctionExercise, away_from_zero, uniform
from .exercise import NumberExercise, declare


def _sigmoid_tree(x: float) -> dict[str, Value]:
    """E1's tree at ``x``, after its backward pass, named as in the lesson: b = −x, c = e^b, d = 1 + c, g = 1/d."""
    x_node = Value(x, label="x")
    b = -x_node
    c = Value(math.e, label="e", constant=True) ** b
    d = 1 + c
    g = 1 / d
    b.label, c.label, d.label, g.label = "b", "c", "d", "g"
    g.backward()
    return {"x": x_node, "b": b, "c": c, "d": d, "g": g}


def _square_chain(x: float) -> dict[str, Value]:
    """E3's g = (4x + 1)² at ``x``, after its backward pass, with the inner node e = 4x + 1."""
    x_node = Value(x, label="x")
    e = 4 * x_node + 1
    g = e**2
    e.label, g.label = "e", "g"
    g.backward()
    return {"x": x_node, "e": e, "g": g}


def _sigmoid_solution() -> str:
    t = _sigmoid_tree(0.0)
    b, c, d, g = t["b"], t["c"], t["d"], t["g"]
    return (
        f"At x = 0 the forward pass gives b = −x = {format_number(b.data + 0.0)}, c = e^b = {format_number(c.data)}, "
        f"d = 1 + c = {format_number(d.data)}, g = 1/d = {format_number(g.data)}.\n\n"
        f"Backward, one local gradient per node: ∂g/∂d = −1/d² = {format_number(g.local_grads()[1])}; "
        f"∂d/∂c = 1; ∂c/∂b = e^b = {format_number(c.local_grads()[1])}; ∂b/∂x = −1.\n\n"
        "The chain rule multiplies them: dg/dx = (∂g/∂d)(∂d/∂c)(∂c/∂b)(∂b/∂x). "
        "The same number comes from the shortcut σ'(x) = σ(x)(1 − σ(x))."
    )


sigmoid_slope_at_0 = NumberExercise(
    "The sigmoid σ(x) = 1 / (1 + e^(−x)) is the lesson's tree b = −x, c = e^b, d = 1 + c, g = 1/d. "
    "Backpropagate through it at x = 0: what is σ'(0) = dg/dx?",
    answer=lambda: _sigmoid_tree(0.0)["x"].grad,
    mistakes=lambda: [
        (_sigmoid_tree(0.0)["g"].data, "that is σ(0), the value of the function; the question asks for its slope"),
    ],
    hint="walk from g down to x and multiply the local gradients: ∂g/∂d = −1/d², ∂d/∂c = 1, ∂c/∂b = e^b, ∂b/∂x = −1 (mind the minus sign).",
    solution_text=_sigmoid_solution,
)

local_gradient_of_div = NumberExercise(
    "In the same tree at x = 0, the div node g = 1/d has two inputs: the constant 1 and d. "
    "What is its local gradient with respect to d, ∂g/∂d?",
    answer=lambda: _sigmoid_tree(0.0)["g"].local_grads()[1],
    mistakes=lambda: [
        (
            _sigmoid_tree(0.0)["g"].local_grads()[0],
            "that is the local gradient with respect to the numerator 1; the question asks about d, the denominator",
        ),
    ],
    hint="g = 1/d, so the div rule gives ∂g/∂d = −1/d². Find d = 1 + e^(−x) at x = 0 first.",
    solution_text=lambda: (
        f"At x = 0, d = 1 + e⁰ = {format_number(_sigmoid_tree(0.0)['d'].data)}. "
        "The div row of the op table says ∂(a/b)/∂b = −a/b², so ∂g/∂d = −1/d²."
    ),
)

chain_rule_at_2 = NumberExercise(
    "g(x) = (4x + 1)². With e = 4x + 1, backpropagate at x = 2: what is dg/dx?",
    answer=lambda: _square_chain(2.0)["x"].grad,
    mistakes=lambda: [
        (
            _square_chain(2.0)["e"].grad,
            "that is dg/de, the gradient at the inner node e = 4x + 1; "
            "one more step of the chain rule takes it down to x",
        ),
    ],
    hint="dg/de = 2e (the power rule), and de/dx = 4. Multiply them at x = 2.",
    solution_text=lambda: (
        f"Forward at x = 2: e = 4·2 + 1 = {format_number(_square_chain(2.0)['e'].data)}, "
        f"g = e² = {format_number(_square_chain(2.0)['g'].data)}. Backward: dg/de = 2e = "
        f"{format_number(_square_chain(2.0)['e'].grad)}; de/dx = 4; dg/dx = dg/de · de/dx."
    ),
)

mul_backward = FunctionExercise(
    "Write the backward of `mul` (out = a · b): a function `mul_backward(a, b, upstream)` that returns "
    "the gradients `(grad_a, grad_b)`, each the local gradient times the upstream gradient.",
    forward=lambda a, b: a * b,
    inputs={"a": uniform(-3.0, 3.0), "b": uniform(-3.0, 3.0)},
    hint="∂(ab)/∂a = b and ∂(ab)/∂b = a: each input's local gradient is the OTHER input. "
    "Then multiply each by upstream.",
    solution_text=(
        "```python\n"
        "def mul_backward(a, b, upstream):\n"
        "    # local gradients: ∂(ab)/∂a = b, ∂(ab)/∂b = a; the chain rule multiplies each by upstream\n"
        "    return upstream * b, upstream * a\n"
        "```"
    ),
)

div_backward = FunctionExercise(
    "Write the backward of `div` (out = a / b): `div_backward(a, b, upstream)` returning `(grad_a, grad_b)`.",
    forward=lambda a, b: a / b,
    inputs={"a": uniform(-3.0, 3.0), "b": away_from_zero(0.5, 3.0)},
    hint="∂(a/b)/∂a = 1/b and ∂(a/b)/∂b = −a/b². Multiply each by upstream.",
    solution_text=("```python\ndef div_backward(a, b, upstream):\n    return upstream / b, -upstream * a / b**2\n```"),
)

EXERCISES = declare(globals())
__all__ = [exercise.name for exercise in EXERCISES] + ["EXERCISES"]
