"""Training helpers: one step (forward, loss, backward, update), a loop of them, and accuracy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.tensor import Tensor
from .layers import as_input

__all__ = ["train_step", "fit", "accuracy"]

LossFn = Callable[[Tensor, Any], Tensor]


def train_step(model: Callable[[Any], Tensor], loss_fn: LossFn, X: Any, y: Any, optimizer: Any) -> float:
    """One step of training on the batch (X, y); returns the loss before the update.

    >>> from backprop_widgets.nn import MLP, SGD, make_moons, mse
    >>> X, y = make_moons(20)
    >>> model = MLP([2, 4, 1])
    >>> first = train_step(model, mse, X, y, SGD(model.parameters(), lr=0.5))
    >>> round(first, 4)
    0.2681
    """
    loss = loss_fn(model(as_input(X)), y)
    loss.backward()
    optimizer.step()
    return float(loss.data)


def fit(
    model: Callable[[Any], Tensor],
    loss_fn: LossFn,
    X: Any,
    y: Any,
    optimizer: Any,
    steps: int = 100,
    *,
    callback: Callable[[int, float], Any] | None = None,
) -> list[float]:
    """``steps`` full-batch training steps; returns the loss of each.

    ``callback(step, loss)`` is called after every step; if it returns True
    training stops there (e.g. once the accuracy reaches 100%).
    """
    x = as_input(X)  # made once: the same input node for every step
    history: list[float] = []
    for step in range(steps):
        history.append(train_step(model, loss_fn, x, y, optimizer))
        if callback is not None and callback(step, history[-1]):
            break
    return history


def accuracy(scores: Any, y: Any, threshold: float = 0.5) -> float:
    """The fraction of points whose score falls on the side of ``threshold`` its label says.

    Use ``threshold=0.5`` for probabilities (a sigmoid output), 0 for logits or hinge scores.

    >>> accuracy(np.array([[0.9], [0.2], [0.6]]), [1, 0, 0])
    0.6666666666666666
    """
    values = scores.data if isinstance(scores, Tensor) else np.asarray(scores, dtype=np.float64)
    labels = np.asarray(y).reshape(-1) > 0  # class 1 (labels 0/1 or −1/+1)
    return float(np.mean((values.reshape(-1) > threshold) == labels))
