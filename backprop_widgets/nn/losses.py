"""Loss functions: each returns a scalar ``Tensor``, one node of the graph with its gradient in the op table.

Every loss is a mean over the entries.  The target may be an array, a list or
a ``Tensor``; an array with as many entries as the prediction is reshaped to
the prediction's shape (so labels of shape (n,) fit predictions of shape
(n, 1) instead of broadcasting to an (n, n) table by accident).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.tensor import Tensor

__all__ = ["mse", "l1", "binary_cross_entropy", "hinge", "LOSSES"]


def _target(pred: Tensor, target: Any) -> Tensor:
    if isinstance(target, Tensor):
        if target.shape == pred.shape:
            return target
        if target.size == pred.size:
            return target.reshape(pred.shape)
    else:
        array = np.asarray(target, dtype=np.float64)
        if array.size == pred.size:
            return Tensor(array.reshape(pred.shape), label="t", constant=True)
    raise ValueError(
        f"the target has shape {np.shape(getattr(target, 'data', target))} but the prediction has shape {pred.shape}"
    )


def mse(pred: Tensor, target: Any) -> Tensor:
    """Mean squared error, mean((p − t)²).

    >>> float(mse(Tensor([1.0, 2.0]), [1.0, 4.0]))
    2.0
    """
    return Tensor._apply("mse", pred, _target(pred, target))


def l1(pred: Tensor, target: Any) -> Tensor:
    """Mean absolute error, mean(|p − t|) (the article's L1 loss, averaged).

    >>> float(l1(Tensor([1.0, 2.0]), [1.0, 4.0]))
    1.0
    """
    return Tensor._apply("l1", pred, _target(pred, target))


def binary_cross_entropy(pred: Tensor, target: Any, *, logits: bool = False) -> Tensor:
    """Binary cross-entropy, −mean(t log p + (1 − t) log(1 − p)), for targets t in {0, 1}.

    With ``logits=False`` (the default) ``pred`` holds probabilities, e.g. a
    sigmoid output; they are clipped to [1e-12, 1 − 1e-12] so that a confident
    mistake costs about 27.6 rather than inf.  With ``logits=True`` ``pred``
    holds the scores before the sigmoid and the loss is computed as
    mean(log(1 + eᶻ) − t z), exact and stable for any z, with the famously
    simple gradient (σ(z) − t)/n: the better choice for training.

    >>> round(float(binary_cross_entropy(Tensor([0.5]), [1])), 4)
    0.6931
    >>> round(float(binary_cross_entropy(Tensor([0.0]), [1], logits=True)), 4)
    0.6931
    """
    return Tensor._apply("bce_logits" if logits else "bce", pred, _target(pred, target))


def hinge(scores: Tensor, target: Any) -> Tensor:
    """Hinge loss, mean(max(0, 1 − t s)), for raw scores s and labels t.

    Labels may be given as {−1, 1} or as {0, 1} (0 then means −1).

    >>> float(hinge(Tensor([2.0, 0.5]), [1, 0]))
    0.75
    """
    t = target.data if isinstance(target, Tensor) else np.asarray(target, dtype=np.float64)
    if t.size and t.min() >= 0:  # labels 0/1: map to −1/+1
        t = 2.0 * t - 1.0
    return Tensor._apply("hinge", scores, _target(scores, t))


# By name, for widgets that offer a choice.
LOSSES = {"mse": mse, "l1": l1, "bce": binary_cross_entropy, "hinge": hinge}
