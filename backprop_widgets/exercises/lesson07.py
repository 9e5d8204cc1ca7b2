"""Exercises for lesson 7: many classes — softmax, cross-entropy and its gradient p − y, and how max routes.

The answers come from the engine (cross_entropy, softmax and max as rows of the op table), never typed in.
"""

from __future__ import annotations

import numpy as np

from ..engine import Tensor
from ..nn import cross_entropy
from .backward import FunctionExercise, uniform
from .exercise import ArrayExercise, NumberExercise, declare

LOGITS = {"z": np.array([[2.0, 1.0, -1.0], [0.5, 0.5, 3.0]]), "y": np.array([0, 1])}
for _value in LOGITS.values():
    _value.flags.writeable = False


def _loss_at_start(classes: int) -> float:
    """The cross-entropy of a classifier whose scores all start equal, over 8 points of ``classes`` classes."""
    return float(cross_entropy(Tensor(np.zeros((8, classes))), np.arange(8) % classes).data)


def _logits_gradient() -> np.ndarray:
    z = Tensor(LOGITS["z"], label="z")
    cross_entropy(z, LOGITS["y"]).backward()
    return z.grad


def _max_slope() -> float:
    t = Tensor([1.0, 4.0, 4.0, 2.0], label="t")
    t.max().backward()
    return float(t.grad[1])


loss_at_start = NumberExercise(
    "A classifier over 10 classes starts with every score equal (say all 0). What is its cross-entropy loss "
    "at the start, on any batch?",
    answer=lambda: _loss_at_start(10),
    mistakes=lambda: [(np.log10(10.0), "cross-entropy uses the natural log"), (0.1, "that is p, not −log p")],
    hint="Equal scores: softmax gives every class the same probability. What is it for 10 classes, "
    "and what is −log of it?",
    solution_text="Every class gets p = 1/10, so each point costs −log(1/10) = log 10 ≈ 2.303, and so does the mean. "
    "The check at the start of training: a loss far above log C means the first scores are far from equal.",
)

logits_gradient = ArrayExercise(
    "For the logits z in `.given` (2 points, 3 classes) and labels y = [0, 1], what is ∂L/∂z for "
    "L = cross_entropy(z, y) (the mean over the 2 points)?",
    answer=_logits_gradient,
    given=LOGITS,
    mistakes=lambda: [
        (2 * _logits_gradient(), "the loss is a mean over the 2 points: divide by n"),
        (
            np.exp(LOGITS["z"]) / np.exp(LOGITS["z"]).sum(axis=1, keepdims=True) / 2,
            "that is p/n: the true class's probability also loses 1 (p − y)",
        ),
    ],
    hint="The well-known result: ∂L/∂z = (softmax(z) − onehot(y)) / n. Compute softmax row by row.",
    solution_text="```python\nz, y = ex.logits_gradient.given['z'], ex.logits_gradient.given['y']\n"
    "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\np[np.arange(2), y] -= 1\nanswer = p / 2\n```",
)

softmax_backward = FunctionExercise(
    "Write softmax's backward, row by row: `softmax_backward(z, upstream)` for z of shape (2, 3) "
    "(softmax along each row), returning the gradient with respect to z.",
    forward=lambda z: z.softmax(),
    inputs={"z": uniform(-2.0, 2.0, shape=(2, 3))},
    hint="With p = softmax(z), ∂pᵢ/∂zⱼ = pᵢ([i = j] − pⱼ). So the gradient is p ⊙ (upstream − Σⱼ upstreamⱼ pⱼ), "
    "the sum taken along each row (keepdims=True).",
    solution_text=(
        "```python\n"
        "import numpy as np\n\n\n"
        "def softmax_backward(z, upstream):\n"
        "    p = np.exp(z - z.max(axis=1, keepdims=True))\n"
        "    p /= p.sum(axis=1, keepdims=True)\n"
        "    return p * (upstream - (upstream * p).sum(axis=1, keepdims=True))\n"
        "```"
    ),
)

max_routes_at_a_tie = NumberExercise(
    "m = t.max() for t = Tensor([1, 4, 4, 2]). What is ∂m/∂t[1]?",
    answer=_max_slope,
    mistakes=lambda: [(1.0, "t[2] holds the max too: who gets the gradient at a tie?")],
    hint="Max routes the gradient to the entry that holds the max. Here two entries tie; the kit, as "
    "torch.amax, shares it equally.",
    solution_text="Two entries tie at 4, so each gets half of the upstream 1: ∂m/∂t = [0, 0.5, 0.5, 0].",
)

EXERCISES = declare(globals())
__all__ = [exercise.name for exercise in EXERCISES] + ["EXERCISES"]
