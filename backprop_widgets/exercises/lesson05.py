"""Exercises for lesson 5: layers in operator form, an L1 loss, the matmul layer and relu (E11, E13, E14, E16).

Every answer is computed by the engine: ``Value``s for the scalar layer, ``Tensor``s for the matrices.
"""

from __future__ import annotations

import numpy as np

from ..engine import Tensor, Value, format_number
from .backward import FunctionExercise, away_from_zero, uniform
from .exercise import ArrayExercise, NumberExercise, declare

# ---- E11: y2 = add(b2, mul(W2, x2)), L = |y2 − t| ------------------------------------------

LAYER = {"W2": 0.5, "x2": 2.0, "b2": 0.3, "t": 2.0}
LAYER_TEXT = (
    "A one-weight layer in operator form: z2 = mul(W2, x2), y2 = add(b2, z2), and the L1 loss L = |y2 − t|, "
    "with W2 = 0.5, x2 = 2.0, b2 = 0.3 and the target t = 2.0. "
)


def _layer() -> dict[str, Value]:
    """E11's layer at ``LAYER``, after its backward pass."""
    W2, b2 = Value(LAYER["W2"], label="W2"), Value(LAYER["b2"], label="b2")
    x2, t = Value(LAYER["x2"], label="x2", constant=True), Value(LAYER["t"], label="t", constant=True)
    z2 = W2 * x2
    y2 = b2 + z2
    loss = abs(y2 - t)
    z2.label, y2.label, loss.label = "z2", "y2", "L"
    loss.backward()
    return {"W2": W2, "b2": b2, "x2": x2, "t": t, "z2": z2, "y2": y2, "L": loss}


l1_bias_gradient = NumberExercise(
    LAYER_TEXT + "What is dL/db2?",
    answer=lambda: _layer()["b2"].grad,
    mistakes=lambda: [
        (_layer()["y2"].data - LAYER["t"], "that is y2 − t itself; the derivative of |u| is the sign of u"),
        (_layer()["L"].data, "that is the loss L, not its gradient"),
    ],
    hint="dL/db2 = d|u|/du · du/dy2 · dy2/db2 with u = y2 − t. d|u|/du = sgn(u); the subtraction and the "
    "add node pass the gradient on unchanged.",
    solution_text=lambda: (
        f"Forward: z2 = {format_number(_layer()['z2'].data)}, y2 = {format_number(_layer()['y2'].data)}, "
        f"y2 − t = {format_number(_layer()['y2'].data - LAYER['t'])}. "
        "Backward: d|u|/du = sgn(u), and the add node passes the gradient on unchanged, so dL/db2 = sgn(y2 − t)."
    ),
)

l1_weight_gradient = NumberExercise(
    LAYER_TEXT + "What is dL/dW2?",
    answer=lambda: _layer()["W2"].grad,
    mistakes=lambda: [
        (_layer()["y2"].grad, "that is dL/dy2 (= dL/dz2); one more local gradient, ∂z2/∂W2 = x2, takes it to W2"),
        (
            _layer()["y2"].grad * LAYER["W2"],
            "you multiplied by W2; the local gradient of W2·x2 with respect to W2 is x2",
        ),
    ],
    hint="dL/dW2 = dL/dz2 · ∂z2/∂W2, and the mul node's local gradient with respect to W2 is the other input, x2.",
    solution_text="dL/dz2 = dL/dy2 = sgn(y2 − t) (the add node passes it on), and ∂(W2·x2)/∂W2 = x2, "
    "so dL/dW2 = x2 · 1 · sgn(y2 − t).",
)

# ---- E13: out = x @ w ---------------------------------------------------------------------

MATMUL = {
    "x": np.array([[1.0, -0.5, 2.2], [0.3, 1.2, -1.0]]),  # 2 points × 3 features
    "w": np.array([[0.2, -0.7], [0.4, 0.1], [-0.3, 0.6]]),  # 3 × 2
    "grad": np.array([[0.5, -1.2], [1.5, 0.25]]),  # dL/dout, the upstream gradient, 2 × 2
}
for _array in MATMUL.values():
    _array.flags.writeable = False  # a student's `x += ...` must not change the exercise


def _matmul_gradients() -> dict[str, np.ndarray]:
    """dL/dx and dL/dw for out = x @ w when dL/dout = ``MATMUL["grad"]``: the engine's backward of Σ out ⊙ grad."""
    x, w = Tensor(MATMUL["x"], label="x"), Tensor(MATMUL["w"], label="w")
    out = x @ w
    loss = (out * MATMUL["grad"]).sum()
    loss.backward()
    return {"x": x.grad, "w": w.grad}


matmul_weight_gradient = ArrayExercise(
    "A matmul layer out = x @ w (x holds 2 points of 3 features, w is 3 × 2). The layer above sends back "
    "`grad` = dL/dout. Using the numbers in `.given`, compute dL/dw.",
    answer=lambda: _matmul_gradients()["w"],
    given=MATMUL,
    mistakes=lambda: [
        (MATMUL["x"].T @ np.ones((2, 2)), "you left out the upstream gradient `grad`"),
    ],
    hint="dL/dw has the shape of w, (3, 2). Which product of x (2 × 3) and grad (2 × 2) has that shape?",
    solution_text="```python\ndL_dw = x.T @ grad      # (3, 2) @ (2, 2) -> (3, 2), the shape of w\n```\n\n"
    "Each weight w[i, j] multiplies feature i into output j for every point, so its gradient adds up "
    "x[point, i] · grad[point, j] over the points: that sum is the matrix product xᵀ @ grad.",
)

matmul_backward = FunctionExercise(
    "Write the whole backward of the matmul layer out = x @ w: `matmul_backward(x, w, upstream)` returning "
    "`(grad_x, grad_w)`, for x of shape (2, 3) and w of shape (3, 2).",
    forward=lambda x, w: x @ w,
    inputs={"x": uniform(-2.0, 2.0, shape=(2, 3)), "w": uniform(-2.0, 2.0, shape=(3, 2))},
    hint="Each gradient has the shape of its input: grad_x is (2, 3), grad_w is (3, 2). "
    "Build them from upstream (2, 2), w and x with one matrix product each.",
    solution_text=("```python\ndef matmul_backward(x, w, upstream):\n    return upstream @ w.T, x.T @ upstream\n```"),
)

relu_backward = FunctionExercise(
    "Write the backward of relu, entry by entry: `relu_backward(z, upstream)` for an array z, returning "
    "the gradient with respect to z (an array of z's shape).",
    forward=lambda z: z.relu(),
    inputs={"z": away_from_zero(0.2, 2.0, shape=(6,))},
    hint="relu's derivative is a step: 1 where z > 0 and 0 elsewhere. Multiply upstream by it "
    "(a boolean array such as `z > 0` multiplies as 1 and 0).",
    solution_text=("```python\ndef relu_backward(z, upstream):\n    return upstream * (z > 0)\n```"),
)

EXERCISES = declare(globals())
__all__ = [exercise.name for exercise in EXERCISES] + ["EXERCISES"]
