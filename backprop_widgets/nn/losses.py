"""Loss functions: each returns a scalar ``Tensor``, one node of the graph with its gradient in the op table.

Every loss is a mean over the entries.  The target may be an array, a list or
a ``Tensor``; an array with as many entries as the prediction is reshaped to
the prediction's shape (so labels of shape (n,) fit predictions of shape
(n, 1) instead of broadcasting to an (n, n) table by accident).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.tensor import Tensor

__all__ = ["mse", "l1", "binary_cross_entropy", "hinge", "cross_entropy", "class_labels", "LOSSES"]


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


def class_labels(logits: Tensor, labels: Any) -> np.ndarray:
    """The labels as an integer array of one class number per row of ``logits``, or an error in the student's terms.

    >>> class_labels(Tensor(np.zeros((2, 3))), [2, 0]).tolist()
    [2, 0]
    """
    if logits.ndim != 2:
        raise ValueError(
            f"cross_entropy takes logits of shape (points, classes), one row per point; got shape {logits.shape}"
            + (": for one point, logits.reshape(1, -1)" if logits.ndim == 1 else "")
        )
    n, classes = logits.shape
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if y.ndim == 2 and y.shape == logits.shape:
        raise ValueError(
            f"the labels have shape {y.shape}, like the logits: they look one-hot (or like probabilities); "
            "cross_entropy takes one class number per point, e.g. y.argmax(axis=1)"
        )
    if y.dtype.kind not in "iu":
        if y.dtype.kind == "b" or y.size == 0 or not np.all(np.mod(y, 1) == 0):
            raise TypeError(
                f"cross_entropy takes the labels as whole numbers 0 to {classes - 1} (one class number per point), "
                f"not {y.dtype} values such as {y.ravel()[:3].tolist()}"
            )
        if not isinstance(labels, Tensor):  # a float array of whole numbers: say what is expected, as PyTorch does
            raise TypeError(
                f"cross_entropy takes the labels as integers (class numbers 0 to {classes - 1}), not {y.dtype}: "
                "y.astype(int) makes them so"
            )
        y = y.astype(np.int64)  # a Tensor of labels holds its whole numbers as floats
    if y.shape != (n,):
        raise ValueError(
            f"the logits have {n} rows (points) of {classes} classes, so give {n} labels; got shape {y.shape}"
        )
    labels_64 = y.astype(np.int64, copy=False)
    # One pass (a training step checks its labels each time): read as unsigned, a negative label is above any class.
    if y.size and np.maximum.reduce(labels_64.view(np.uint64), axis=None) >= classes:
        row = int(np.flatnonzero((y < 0) | (y >= classes))[0])
        raise ValueError(
            f"label {int(y[row])} (point {row}) is out of range for {classes} classes: labels go from 0 to {classes - 1}"
        )
    return labels_64


def cross_entropy(logits: Tensor, labels: Any, *, fused: bool = True) -> Tensor:
    """Cross-entropy of a classifier over C classes, as ``torch.nn.functional.cross_entropy``.

    ``logits`` has one row of C raw scores per point, ``labels`` one class number
    (0 to C − 1) per point; the loss is −mean(log softmax(logits)[point, label]).
    Fused (the default) it is one node whose local gradient is the well-known
    (softmax(logits) − onehot(labels)) / n.  With ``fused=False`` it is built from
    its pieces, as Backprop Ninja writes it: the row max subtracted (a constant),
    exp, sum, divide, log, pick each point's label, mean, negate; the same number
    and the same gradient, with every step of where p − y comes from.

    >>> z = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    >>> round(float(cross_entropy(z, [0, 1])), 4), round(float(cross_entropy(z, [0, 1], fused=False)), 4)
    (0.3185, 0.3185)
    """
    y = class_labels(logits, labels)
    if fused:
        return Tensor._apply("cross_entropy", logits, labels=y)
    n = len(y)
    shifted = logits - Tensor(logits.data.max(axis=1, keepdims=True), label="row max", constant=True)
    counts = shifted.exp()
    counts_sum = counts.sum(axis=1, keepdims=True)
    probs = counts / counts_sum
    logprobs = probs.log()
    picked = logprobs[np.arange(n), y]
    loss = -picked.mean()
    for node, label in (
        (shifted, "z − max"), (counts, "counts"), (counts_sum, "counts_sum"), (probs, "probs"),
        (logprobs, "logprobs"), (picked, "picked"), (loss, "loss"),
    ):  # fmt: skip
        node.label = label
    return loss


# By name, for widgets that offer a choice.
LOSSES: dict[str, Callable[..., Tensor]] = {
    "mse": mse,
    "l1": l1,
    "bce": binary_cross_entropy,
    "hinge": hinge,
    "cross_entropy": cross_entropy,
}
