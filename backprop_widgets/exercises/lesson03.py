"""Exercises for lesson 3: the two-layer network, first as a chain of scalars, then with vectors and matrices (E8–E9).

Every answer is computed by the engine: scalar ``Value``s for the chain, ``Tensor``s for the matrices.
"""

from __future__ import annotations

import numpy as np

from ..engine import Tensor, Value, format_number
from .exercise import ArrayExercise, NumberExercise, declare

# ---- E8: y = σ(w2 · σ(w1 · x)) -------------------------------------------------------

CHAIN = {"x": 1.5, "w1": 0.8, "w2": -1.2}


def _chain() -> dict[str, Value]:
    """E8's chain at ``CHAIN``, after its backward pass: z1 = w1 x, h1 = σ(z1), z2 = w2 h1, y = σ(z2)."""
    x, w1, w2 = (Value(CHAIN[name], label=name) for name in ("x", "w1", "w2"))
    z1 = w1 * x
    h1 = z1.sigmoid()
    z2 = w2 * h1
    y = z2.sigmoid()
    for node, name in ((z1, "z1"), (h1, "h1"), (z2, "z2"), (y, "y")):
        node.label = name
    y.backward()
    return {"x": x, "w1": w1, "w2": w2, "z1": z1, "h1": h1, "z2": z2, "y": y}


def _slopes() -> tuple[float, float]:
    """σ'(z1) and σ'(z2): the local gradients of the two sigmoid nodes."""
    c = _chain()
    return c["h1"].local_grads()[0], c["y"].local_grads()[0]


def _dy_dw2_mistakes() -> list[tuple[float, str]]:
    c = _chain()
    slope2 = _slopes()[1]
    return [
        (
            c["h1"].data,
            "that is h1 alone, the local gradient of z2 = w2·h1 with respect to w2; "
            "the chain rule also multiplies by σ'(z2)",
        ),
        (slope2, "that is σ'(z2) alone; multiply it by the local gradient ∂z2/∂w2 = h1"),
    ]


dy_dw2 = NumberExercise(
    "The two-layer chain y = σ(w2 · σ(w1 · x)), with z1 = w1·x, h1 = σ(z1), z2 = w2·h1, y = σ(z2). "
    "At x = 1.5, w1 = 0.8, w2 = −1.2, what is dy/dw2?",
    answer=lambda: _chain()["w2"].grad,
    mistakes=_dy_dw2_mistakes,
    hint="dy/dw2 = dy/dz2 · dz2/dw2 = σ'(z2) · h1, and σ'(z) = σ(z)(1 − σ(z)). Run the forward pass first.",
    solution_text=lambda: (
        f"Forward: z1 = w1·x = {format_number(_chain()['z1'].data, 8)}, h1 = σ(z1) = {format_number(_chain()['h1'].data, 8)}, "
        f"z2 = w2·h1 = {format_number(_chain()['z2'].data, 8)}, y = σ(z2) = {format_number(_chain()['y'].data, 8)}.\n\n"
        f"Backward: σ'(z2) = y(1 − y) = {format_number(_slopes()[1], 8)}; dy/dw2 = σ'(z2) · h1."
    ),
)


def _dy_dw1_mistakes() -> list[tuple[float, str]]:
    c = _chain()
    slope1, slope2 = _slopes()
    x, w2 = c["x"].data, c["w2"].data
    return [
        (slope2 * w2 * slope1, "you stopped at z1: dy/dz1 still needs the last local gradient ∂z1/∂w1 = x"),
        (slope2 * slope1 * x, "the path from z2 down to h1 passes through the weight w2: its local gradient is w2"),
        (w2 * slope1 * x, "the error signal σ'(z2) from the output node is missing"),
    ]


dy_dw1 = NumberExercise(
    "Same chain and numbers (x = 1.5, w1 = 0.8, w2 = −1.2): what is dy/dw1?",
    answer=lambda: _chain()["w1"].grad,
    mistakes=_dy_dw1_mistakes,
    hint="dy/dw1 = σ'(z2) · w2 · σ'(z1) · x: one local gradient per node on the way from y down to w1.",
    solution_text=lambda: (
        f"σ'(z2) = {format_number(_slopes()[1], 8)} is the error signal at the output; passing it back through "
        f"z2 = w2·h1 multiplies by w2, through h1 = σ(z1) by σ'(z1) = {format_number(_slopes()[0], 8)}, "
        "and through z1 = w1·x by x: dy/dw1 = σ'(z2) · w2 · σ'(z1) · x."
    ),
)

# ---- E9: the same network with vectors -----------------------------------------------------

GIVEN = {
    "W1": np.array([[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]]),  # N1 × Nin, the article's convention
    "W2": np.array([[0.7, -0.5, 0.4], [-0.3, 0.6, 0.9]]),  # N2 × N1
    "x": np.array([1.0, -2.0]),
    "t": np.array([1.0, 0.0]),
}
for _array in GIVEN.values():
    _array.flags.writeable = False  # a student's `W1 += ...` must not change the exercise

NETWORK = (
    "The network of the third article with vectors: z1 = W1 @ x, h1 = σ(z1), z2 = W2 @ h1, y = σ(z2), "
    "and the cost C = ½ Σ (y − t)², so ∇C = y − t. "
)


def _network() -> dict[str, Tensor]:
    """E9's network on ``GIVEN``, after its backward pass."""
    W1, W2 = Tensor(GIVEN["W1"], label="W1"), Tensor(GIVEN["W2"], label="W2")
    x, t = Tensor(GIVEN["x"], label="x", constant=True), Tensor(GIVEN["t"], label="t", constant=True)
    z1 = W1 @ x
    h1 = z1.sigmoid()
    z2 = W2 @ h1
    y = z2.sigmoid()
    cost = 0.5 * ((y - t) ** 2).sum()
    for node, name in ((z1, "z1"), (h1, "h1"), (z2, "z2"), (y, "y"), (cost, "C")):
        node.label = name
    cost.backward()
    return {"W1": W1, "W2": W2, "x": x, "t": t, "z1": z1, "h1": h1, "z2": z2, "y": y, "C": cost}


def _delta2_mistakes() -> list[tuple[np.ndarray, str]]:
    n = _network()
    cost_grad = n["y"].data - GIVEN["t"]
    return [
        (cost_grad, "that is ∇C = y − t alone; multiply it entry by entry by σ'(z2)"),
        (n["y"].local_grads()[0].factor, "that is σ'(z2) alone; multiply it entry by entry by ∇C = y − t"),
    ]


delta2 = ArrayExercise(
    NETWORK + "For the numbers in `.given`, compute δ2 = ∇C ⊙ σ'(z2) (⊙ multiplies entry by entry): "
    "the error signal at z2.",
    answer=lambda: _network()["z2"].grad,  # dC/dz2 is exactly δ2
    given=GIVEN,
    mistakes=_delta2_mistakes,
    hint="Run the forward pass with numpy: `z1 = W1 @ x`, `h1 = 1 / (1 + np.exp(-z1))`, and so on to y. "
    "Then δ2 = (y − t) * y * (1 − y).",
    solution_text=(
        "```python\n"
        "sigmoid = lambda z: 1 / (1 + np.exp(-z))\n"
        "z1 = W1 @ x; h1 = sigmoid(z1); z2 = W2 @ h1; y = sigmoid(z2)\n"
        "delta2 = (y - t) * y * (1 - y)      # ∇C ⊙ σ'(z2), which is dC/dz2\n"
        "```"
    ),
)


def _dW2_mistakes() -> list[tuple[np.ndarray, str]]:
    n = _network()
    cost_grad = n["y"].data - GIVEN["t"]
    return [
        (np.outer(cost_grad, n["h1"].data), "you used ∇C where δ2 = ∇C ⊙ σ'(z2) belongs"),
    ]


dC_dW2 = ArrayExercise(
    NETWORK + "With the numbers in `.given`, compute dC/dW2 = δ2 ⊗ h1 (an outer product, the shape of W2).",
    answer=lambda: _network()["W2"].grad,
    given=GIVEN,
    mistakes=_dW2_mistakes,
    hint="`np.outer(delta2, h1)`: row i belongs to output unit i, column j to hidden unit j, like W2 itself.",
    solution_text=("```python\ndC_dW2 = np.outer(delta2, h1)       # (N2,) ⊗ (N1,) -> N2 × N1, the shape of W2\n```"),
)


def _dW1_mistakes() -> list[tuple[np.ndarray, str]]:
    n = _network()
    back = GIVEN["W2"].T @ n["z2"].grad  # W2ᵀ δ2, the error signal reaching h1
    return [
        (
            np.outer(back, GIVEN["x"]),
            "you passed δ2 back through W2ᵀ but left out σ'(z1), the local gradient of h1 = σ(z1)",
        ),
    ]


dC_dW1 = ArrayExercise(
    NETWORK + "With the numbers in `.given`, compute dC/dW1: pass the error signal back one more layer, "
    "δ1 = (W2ᵀ δ2) ⊙ σ'(z1), then dC/dW1 = δ1 ⊗ x.",
    answer=lambda: _network()["W1"].grad,
    given=GIVEN,
    mistakes=_dW1_mistakes,
    hint="This is the loop of the article, one more time: δ1 = (W2.T @ delta2) * h1 * (1 - h1), "
    "then the outer product with this layer's input x.",
    solution_text=(
        "```python\n"
        "delta1 = (W2.T @ delta2) * h1 * (1 - h1)   # the error signal at z1\n"
        "dC_dW1 = np.outer(delta1, x)              # N1 × Nin, the shape of W1\n"
        "```"
    ),
)

# ---- paths behind a gradient, in the scalar 2-4-4-1 network --------------------------------


def _net_paths() -> dict:
    from ..engine import topological_order
    from ..engine.paths import count_paths
    from ..nn.scalar import MLP

    net = MLP(2, [4, 4, 1], seed=0)
    y = net([0.5, -1.0])
    order = topological_order(y)
    x0 = next(n for n in order if n.label == "x0")
    w = net.layers[1].neurons[2].w[0]  # w2.3.0: layer 2, neuron 3, its first input
    return {"w": count_paths(y, w), "x0": count_paths(y, x0)}


paths_from_w = NumberExercise(
    "In the 2-4-4-1 network of section 5 (`MLP(2, [4, 4, 1])`), how many paths lead from the weight "
    "w2.3.0 (layer 2, neuron 3, its first input) to the output y?",
    answer=lambda: _net_paths()["w"],
    hint="A weight feeds only its own neuron; count how many ways that neuron's output reaches y.",
    solution_text="w2.3.0 → z2.3 → h2.3 → z3.1 → y: neuron 3 of layer 2 feeds only the one output neuron, so 1 path.",
    whole=True,
)

paths_from_x0 = NumberExercise(
    "And how many paths lead from the input x0 to y? (Then compare with the multiplications the backward "
    "pass needs, shown by `PathView`.)",
    answer=lambda: _net_paths()["x0"],
    hint="x0 feeds all 4 neurons of layer 1; each of them feeds all 4 neurons of layer 2; each of those feeds y.",
    solution_text="4 × 4 × 1 = 16 paths: a choice of neuron in layer 1, then one in layer 2.",
    whole=True,
)

EXERCISES = declare(globals())
__all__ = [exercise.name for exercise in EXERCISES] + ["EXERCISES"]
