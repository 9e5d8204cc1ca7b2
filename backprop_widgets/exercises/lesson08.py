"""Exercises for lesson 8: batch norm by hand — its backward pass piece by piece, then as one formula (Backprop Ninja).

The answers come from the engine's batch norm (opened into its pieces, or as one node), never typed in.
"""

from __future__ import annotations

import numpy as np

from ..engine import Tensor
from ..nn import batch_norm
from .backward import FunctionExercise, away_from_zero, uniform
from .exercise import ArrayExercise, BoolExercise, declare

# A batch of 4 points with 2 features, γ, β, and the upstream gradient G = ∂L/∂y (so L = Σ G ⊙ y).
GIVEN = {
    "x": np.array([[1.0, -2.0], [3.0, 0.0], [-1.0, 1.0], [5.0, 3.0]]),
    "gamma": np.array([2.0, 0.5]),
    "beta": np.array([0.1, -0.3]),
    "G": np.array([[0.5, -1.25], [1.5, 2.0], [-0.75, 0.5], [2.25, 1.0]]),
}
for _value in GIVEN.values():
    _value.flags.writeable = False

GIVEN_TEXT = (
    "y = batch_norm(x, γ, β) on the batch in `.given` (4 points, 2 features; ε = 1e-5), and the loss "
    "L = Σ G ⊙ y, so that G is the upstream gradient ∂L/∂y. "
)


def _gradients(fused: bool = True) -> dict[str, np.ndarray]:
    """∂L/∂x, ∂L/∂γ, ∂L/∂β from the engine's batch norm."""
    x, gamma, beta = Tensor(GIVEN["x"], label="x"), Tensor(GIVEN["gamma"], label="γ"), Tensor(GIVEN["beta"], label="β")
    (batch_norm(x, gamma, beta, fused=fused) * GIVEN["G"]).sum().backward()
    return {"x": x.grad, "gamma": gamma.grad, "beta": beta.grad}


beta_gradient = ArrayExercise(
    GIVEN_TEXT + "What is ∂L/∂β (an array of shape (2,))?",
    answer=lambda: _gradients()["beta"],
    given=GIVEN,
    mistakes=lambda: [
        ((GIVEN["G"] * GIVEN["gamma"]).sum(axis=0), "β is added after γ multiplies: nothing scales what reaches it")
    ],
    hint="β is added to every point of the batch: a fan-out. Each use sends back its upstream gradient, "
    "and those add up. Which axis is the batch?",
    solution_text="y = γ x̂ + β adds β[j] to every point's feature j, so ∂L/∂β[j] = Σ over the points of G[i, j]: "
    "`G.sum(axis=0)`.",
)

gamma_gradient = ArrayExercise(
    GIVEN_TEXT + "What is ∂L/∂γ (shape (2,))? x̂ = (x − mean)/√(var + ε), mean and var over the batch.",
    answer=lambda: _gradients()["gamma"],
    given=GIVEN,
    mistakes=lambda: [(GIVEN["G"].sum(axis=0), "that is ∂L/∂β: γ multiplies x̂, so each use is weighted by x̂")],
    hint="Multiply swaps: γ[j] multiplies x̂[i, j], so each point sends back G[i, j] · x̂[i, j]; "
    "then add them up over the batch.",
    solution_text="```python\nx = ex.gamma_gradient.given['x']\nG = ex.gamma_gradient.given['G']\n"
    "x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)\nanswer = (G * x_hat).sum(axis=0)\n```",
)

x_gradient_adds_to_zero = BoolExercise(
    GIVEN_TEXT + "Compute ∂L/∂x. Do its entries add up to 0 down each column (over the batch), "
    "and would they for any G?",
    answer=lambda: bool(np.allclose(_gradients()["x"].sum(axis=0), 0.0, atol=1e-12)),
    given=GIVEN,
    if_wrong="compute `x.grad.sum(axis=0)` for this G, then for a random G",
    hint="Shift every point's feature j by the same amount: does y change? What does that say about "
    "the sum of ∂L/∂x[i, j] over i?",
    solution_text="Yes. Adding the same number to every point of a column changes the mean by that number and "
    "nothing else, so y does not move: the derivative along that direction, Σᵢ ∂L/∂x[i, j], is 0 for any G. "
    "The formula says the same: (1/σ)(ĝ − mean ĝ − x̂·mean(ĝ x̂)) sums to 0 because ĝ − mean ĝ does and x̂ does.",
)

batch_norm_backward = FunctionExercise(
    "Write batch norm's whole backward as one formula (Backprop Ninja's exercise 3): "
    "`batch_norm_backward(x, gamma, beta, upstream)` for x of shape (4, 3), returning "
    "`(grad_x, grad_gamma, grad_beta)` (ε = 1e-5, mean and var over the batch, var divided by n).",
    forward=lambda x, gamma, beta: batch_norm(x, gamma, beta),
    inputs={
        "x": uniform(-2.0, 2.0, shape=(4, 3)),
        "gamma": away_from_zero(0.5, 2.0, shape=(3,)),
        "beta": uniform(-1.0, 1.0, shape=(3,)),
    },
    hint="Work out x̂ and 1/σ = 1/√(var + ε) first. grad_beta and grad_gamma are sums over the batch. "
    "For grad_x let ĝ = γ · upstream: it is (1/σ)(ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)), means over the batch.",
    solution_text=(
        "```python\n"
        "import numpy as np\n\n\n"
        "def batch_norm_backward(x, gamma, beta, upstream):\n"
        "    inv_std = 1 / np.sqrt(x.var(axis=0) + 1e-5)\n"
        "    x_hat = (x - x.mean(axis=0)) * inv_std\n"
        "    g = gamma * upstream\n"
        "    grad_x = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))\n"
        "    return grad_x, (upstream * x_hat).sum(axis=0), upstream.sum(axis=0)\n"
        "```"
    ),
)

EXERCISES = declare(globals())
__all__ = [exercise.name for exercise in EXERCISES] + ["EXERCISES"]
