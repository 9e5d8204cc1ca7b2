"""Exercises for lesson 6: the pitfalls — all-zero weights keep hidden units identical, and relu units can die (E15).

The answers come from training runs and backward passes of the engine, not from a table of facts.
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np

from ..engine import Tensor, Value
from ..nn import MLP, SGD, fit, make_moons, mse
from .exercise import BoolExercise, NumberExercise, declare

# ---- symmetry -------------------------------------------------------------------------------


class _Training(TypedDict):
    sizes: list[int]
    points: int
    steps: int
    lr: float


# 41 points: one more of class 1, so that even the all-zero network gets a nonzero gradient and moves.
TRAINING: _Training = {"sizes": [2, 4, 1], "points": 41, "steps": 50, "lr": 0.5}


def _distinct_hidden_units(model: MLP) -> int:
    """How many different hidden units the first layer has: its distinct columns of W1."""
    columns = np.round(model.layers[0].W.data, 10).T
    return len(np.unique(columns, axis=0))


def _train(model: MLP) -> MLP:
    X, y = make_moons(TRAINING["points"], seed=0)
    fit(model, mse, X, y, SGD(model.parameters(), lr=TRAINING["lr"]), steps=TRAINING["steps"])
    return model


def _all_zero_network() -> MLP:
    return _train(MLP(TRAINING["sizes"], init="zeros"))


def _first_layer_zero_network() -> MLP:
    model = MLP(TRAINING["sizes"], rng=0)
    model.layers[0].W.data[:] = 0.0  # only W1 at zero; W2 keeps its random start
    return _train(model)


zero_init_distinct_units = NumberExercise(
    "Train `MLP([2, 4, 1], init='zeros')` (every weight starts at 0) for 50 steps of gradient descent "
    "(lr 0.5, mean squared error, `make_moons(41)`). How many DIFFERENT hidden units does it end with, "
    "counting units with identical incoming weights (identical columns of W1) as one?",
    answer=lambda: _distinct_hidden_units(_all_zero_network()),
    whole=True,
    mistakes=lambda: [
        (
            TRAINING["sizes"][1],
            "look again at the columns of `model.layers[0].W.data` after training: are any two different?",
        ),
    ],
    hint="Start from the first backward pass: with every weight equal, does any hidden unit receive a "
    "gradient the others don't? Then try it: train the model and print `model.layers[0].W.data`.",
    solution_text="All hidden units start with the same weights, so they compute the same output and receive "
    "the same gradient; the update keeps them equal, step after step. The weights do move (print them), but "
    "however long it trains, the hidden layer acts like a single unit copied several times. Random initial "
    "weights break this symmetry. (With `make_moons(40)` the classes balance exactly and the all-zero network "
    "doesn't move at all: another face of the same pitfall.)",
)

zero_first_layer_units_identical = BoolExercise(
    "Now set only the first layer to zero: `model = MLP([2, 4, 1], rng=0)`, then "
    "`model.layers[0].W.data[:] = 0`, and train it the same way (50 steps, lr 0.5, mse, `make_moons(41)`). "
    "Are all four hidden units still identical after training?",
    answer=lambda: _distinct_hidden_units(_first_layer_zero_network()) == 1,
    if_wrong="train it and compare the columns of `model.layers[0].W.data`; "
    "then think about what the random W2 sends back to each hidden unit",
    hint="The gradient reaching hidden unit j is multiplied by its outgoing weight W2[j]. Are those equal here?",
    solution_text="No. The hidden units start equal, but each one's gradient is multiplied by its own outgoing "
    "weight in W2, and those are random and different, so the units move apart at the first step. "
    "Symmetry is broken as long as one layer on the path is random.",
)

# ---- dead relu units ----------------------------------------------------------------------------

UNIT = {
    "X": np.array([[1.0, 0.5], [-0.5, 1.0], [0.8, -1.2], [1.5, 2.0]]),
    "w": np.array([0.5, -0.3]),
    "b": -4.0,
    "t": np.array([1.0, 0.0, 1.0, 0.5]),
}
for _value in UNIT.values():
    if isinstance(_value, np.ndarray):
        _value.flags.writeable = False

UNIT_TEXT = (
    "One relu unit h = relu(X @ w + b) on the 4 points in `.given` (w = [0.5, −0.3], b = −4), "
    "with the loss L = mean((h − t)²). "
)


def _unit_bias_gradient(activation: str | None) -> float:
    """dL/db for the unit in ``UNIT`` with ``activation`` ("relu", "leaky_relu" or None for none)."""
    w, b = Tensor(UNIT["w"], label="w"), Tensor(UNIT["b"], label="b")
    z = Tensor(UNIT["X"], label="X", constant=True) @ w + b
    h = getattr(z, activation)() if activation else z
    mse(h, UNIT["t"]).backward()
    return float(b.grad)


dead_relu_gradient = NumberExercise(
    UNIT_TEXT + "What is dL/db?",
    answer=lambda: _unit_bias_gradient("relu"),
    given=UNIT,
    mistakes=lambda: [
        (
            _unit_bias_gradient(None),
            "that would be the gradient if relu let negative inputs through; "
            "look at z = X @ w + b for every point first",
        ),
    ],
    hint="Compute z = X @ w + b for the four points. What is relu's local gradient where z is negative?",
    solution_text="Every point has z = X @ w + b < 0, so relu outputs 0 and its local gradient is 0 at every "
    "point: nothing flows back to w or b. Gradient descent can't move this unit again — it is 'dead'.",
)

leaky_relu_slope_gradient = NumberExercise(
    "For y = leaky_relu(x) with slope 0.1 (y = x for x > 0, else 0.1·x), what is dy/dx at x = −2?",
    answer=lambda: _leaky_gradient(-2.0, "leaky_relu"),
    mistakes=lambda: [
        (
            _leaky_gradient(-2.0, "relu"),
            "that is plain relu's slope for a negative input; leaky relu keeps a small one",
        ),
        (_leaky_output(-2.0), "that is the output y, not its slope"),
        (_leaky_gradient(2.0, "leaky_relu"), "that is the slope for a positive input; x = −2 is negative"),
    ],
    hint="For negative x, leaky relu is a straight line through the origin, y = k·x. What is the slope of such a line?",
    solution_text="For x < 0, y = 0.1·x, a line whose slope is the constant 0.1 — whatever the (negative) x.",
)


def _leaky_gradient(x: float, activation: str) -> float:
    node = Value(x, label="x")
    out = node.leaky_relu(0.1) if activation == "leaky_relu" else node.relu()
    out.backward()
    return node.grad


def _leaky_output(x: float) -> float:
    return Value(x).leaky_relu(0.1).data


leaky_unit_learns = BoolExercise(
    UNIT_TEXT + "Replace relu by leaky_relu (slope 0.01) in the same unit. Is dL/db now different from 0?",
    answer=lambda: _unit_bias_gradient("leaky_relu") != 0.0,
    given=UNIT,
    if_wrong="compute it: what is leaky relu's local gradient where z < 0?",
    hint="Leaky relu's local gradient for z < 0 is its slope, 0.01, not 0.",
    solution_text="Yes. For z < 0 leaky relu's local gradient is its slope 0.01, so a small gradient still "
    "flows back to w and b, and the unit can recover. That is why leaky relu exists.",
)

EXERCISES = declare(globals())
__all__ = [exercise.name for exercise in EXERCISES] + ["EXERCISES"]
