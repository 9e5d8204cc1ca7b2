"""Exercises for lesson 2: f = (a + b)(b + c), where gradients add at branches, and forward vs reverse mode (E5–E7, E12).

Every answer is computed by the engine from the graph in the question.
"""

from __future__ import annotations

from ..engine import Value, backward_steps, format_number, forward_derivatives, topological_order
from .backward import FunctionExercise, uniform
from .exercise import ArrayExercise, NumberExercise, declare


def _branch_graph(a: float, b: float, c: float) -> dict[str, Value]:
    """E6's graph f = x·y with x = a + b and y = b + c, after its backward pass."""
    nodes = {name: Value(v, label=name) for name, v in (("a", a), ("b", b), ("c", c))}
    x = nodes["a"] + nodes["b"]
    y = nodes["b"] + nodes["c"]
    f = x * y
    x.label, y.label, f.label = "x", "y", "f"
    f.backward()
    return {**nodes, "x": x, "y": y, "f": f}


ELSEWHERE = {"a": 2.0, "b": -1.0, "c": 5.0}


def _one_path_only() -> list[tuple[float, str]]:
    g = _branch_graph(**ELSEWHERE)
    only_one = "that is only the path through {}; b also reaches f through {} — gradients add at branches"
    return [
        (g["y"].data, only_one.format("x = a + b", "y = b + c")),
        (g["x"].data, only_one.format("y = b + c", "x = a + b")),
    ]


df_db_elsewhere = NumberExercise(
    "f = (a + b)(b + c), with x = a + b and y = b + c. At a = 2, b = −1, c = 5, what is df/db?",
    answer=lambda: _branch_graph(**ELSEWHERE)["b"].grad,
    mistakes=_one_path_only,
    hint="b feeds both x and y. Find df/dx and df/dy (for a product, each is the other factor), "
    "then add the contributions of the two paths: df/dx · dx/db + df/dy · dy/db.",
    solution_text=lambda: (
        f"x = a + b = {format_number(_branch_graph(**ELSEWHERE)['x'].data)}, "
        f"y = b + c = {format_number(_branch_graph(**ELSEWHERE)['y'].data)}. "
        "df/dx = y and df/dy = x; dx/db = dy/db = 1. "
        "b is used twice, so its gradient is the sum of both paths: df/db = y·1 + x·1."
    ),
)


def _forward_passes() -> int:
    """One forward-mode pass per input: count the passes it takes to get every input's derivative."""
    g = _branch_graph(-1.0, 3.0, 4.0)
    inputs = [n for n in topological_order(g["f"]) if not n.parents and not n.constant]
    passes = 0
    for node in inputs:
        forward_derivatives(g["f"], wrt=node)  # each call is one forward pass, for one input
        passes += 1
    return passes


forward_passes_for_3_inputs = NumberExercise(
    "Forward mode carries derivatives from the inputs to the output. "
    "How many forward-mode passes does it take to get all of df/da, df/db and df/dc for f = (a + b)(b + c)?",
    answer=_forward_passes,
    whole=True,
    mistakes=[
        (
            1,
            "one pass gives every input's gradient in reverse mode (one backward pass); "
            "a forward-mode pass follows the derivative with respect to one input",
        )
    ],
    hint="A forward-mode pass starts by setting one input's derivative to 1 and the others' to 0.",
    solution_text="Each forward-mode pass computes the derivative of every node with respect to ONE input, "
    "so a, b and c need a pass each. Reverse mode gets all three from a single backward pass: "
    "that is why backpropagation runs backwards when a network has many inputs (weights) and one loss.",
)


AT_Y = {"a": 1.5, "b": -2.0, "c": 0.5}  # not the article's numbers, which the lesson prints


def _edge_y_to_b():
    """The step of E6's backward pass, at AT_Y, that carries y's gradient down to b."""
    g = _branch_graph(**AT_Y)
    for step in backward_steps(g["f"]):
        if step.node is g["y"] and step.parent is g["b"]:
            return step, g
    raise RuntimeError("no edge from y to b")


def _contribution_mistakes() -> list[tuple[float, str]]:
    step, g = _edge_y_to_b()
    return [
        (
            g["b"].grad,
            "that is b's whole gradient, the sum of both paths; the question asks for the part arriving from y",
        ),
        (g["y"].data, "that is the part arriving from x (df/dx · dx/db); the question asks for the part from y"),
        (step.local_grad, "that is the local gradient ∂y/∂b alone; multiply it by y's upstream gradient df/dy"),
    ]


contribution_from_y_to_b = NumberExercise(
    "For f = (a + b)(b + c) at a = 1.5, b = −2, c = 0.5, the backward pass sends b two contributions, "
    "one from x = a + b and one from y = b + c. How big is the contribution that arrives from y?",
    answer=lambda: _edge_y_to_b()[0].contribution,
    mistakes=_contribution_mistakes,
    hint="contribution = local gradient × upstream gradient. The local gradient of y = b + c with respect to b "
    "is 1; the upstream gradient is df/dy.",
    solution_text=lambda: (
        f"x = a + b = {format_number(_branch_graph(**AT_Y)['x'].data)}; "
        "df/dy = x (the other factor of the product); ∂y/∂b = 1; "
        "so the contribution from y is df/dy · ∂y/∂b."
    ),
)

ALL_AT = {"a": 0.4, "b": -1.3, "c": 2.1}


def _all_gradients() -> list[float]:
    g = _branch_graph(**ALL_AT)
    return [g["a"].grad, g["b"].grad, g["c"].grad]


all_gradients = ArrayExercise(
    "For f = (a + b)(b + c) at a = 0.4, b = −1.3, c = 2.1, give all three gradients as one array "
    "`[df/da, df/db, df/dc]`.",
    answer=_all_gradients,
    hint="df/da = y, df/dc = x, and df/db is the sum of both paths. Compute x and y first.",
    solution_text="x = a + b, y = b + c. df/da = y · 1, df/dc = x · 1, df/db = y + x. "
    "In code: `x, y = a + b, b + c; answer = [y, x + y, x]` — or build the graph with `Value`s, call "
    "`f.backward()` and read `[a.grad, b.grad, c.grad]`.",
)

add_backward = FunctionExercise(
    "Write the backward of `add` (out = a + b): `add_backward(a, b, upstream)` returning `(grad_a, grad_b)`.",
    forward=lambda a, b: a + b,
    inputs={"a": uniform(-3.0, 3.0), "b": uniform(-3.0, 3.0)},
    hint="Both local gradients of a + b are 1: an add node hands its upstream gradient to each input unchanged.",
    solution_text=(
        "```python\n"
        "def add_backward(a, b, upstream):\n"
        "    return upstream, upstream   # 1 · upstream for each input\n"
        "```"
    ),
)

EXERCISES = declare(globals())
__all__ = [exercise.name for exercise in EXERCISES] + ["EXERCISES"]
