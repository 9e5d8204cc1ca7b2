"""Normalisation: batch norm and layer norm (training mode), as one node each or opened into mean, var and normalise."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.tensor import Tensor
from .layers import as_input

__all__ = ["batch_norm", "layer_norm", "BatchNorm1d", "LayerNorm"]


def _check(x: Tensor, gamma: Tensor, beta: Tensor, what: str, over: str) -> None:
    if x.ndim < 2 or (what == "batch_norm" and x.ndim != 2):
        raise ValueError(f"{what} takes x of shape (points, features); got shape {x.shape}")
    features = x.shape[-1]
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p.shape != (features,):
            raise ValueError(
                f"{what}: {name} needs one number per feature, shape ({features},), to match x of shape {x.shape}; "
                f"got shape {p.shape}"
            )
    if what == "batch_norm" and x.shape[0] < 2:
        raise ValueError(
            f"batch_norm needs at least 2 points to take a mean and variance {over}; got x of shape {x.shape}"
        )


def _opened(x: Tensor, gamma: Tensor, beta: Tensor, eps: float, axis: int) -> Tensor:
    """y = γ x̂ + β built from its pieces: mean, x − mean, var, 1/√(var + ε), x̂."""
    mean = x.mean(axis=axis, keepdims=True)
    diff = x - mean
    var = x.var(axis=axis, keepdims=True)
    inv_std = (var + eps) ** -0.5
    x_hat = diff * inv_std
    out = gamma * x_hat + beta
    for node, label in ((mean, "mean"), (diff, "x − mean"), (var, "var"), (inv_std, "1/σ"), (x_hat, "x̂"), (out, "y")):
        node.label = label
    return out


def batch_norm(x: Any, gamma: Any, beta: Any, eps: float = 1e-5, *, fused: bool = True) -> Tensor:
    """Batch normalisation in training mode: each feature (column) of the batch to mean 0 and variance 1, then γ x̂ + β.

    x̂ = (x − mean) / √(var + ε), mean and var over the batch (axis 0, var biased, as
    ``torch.nn.functional.batch_norm(..., training=True)``).  Fused it is one node whose
    backward is the one formula (1/σ)(ĝ − mean ĝ − x̂ mean(ĝ x̂)), ĝ = γ ⊙ upstream; with
    ``fused=False`` it is built from mean, x − mean, var, 1/σ, x̂, ×γ, +β.

    >>> y = batch_norm(Tensor([[1.0, 2.0], [3.0, 6.0]]), Tensor([1.0, 1.0]), Tensor([0.0, 0.0]))
    >>> y.data.round(4).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    """
    x, gamma, beta = as_input(x), _param(gamma), _param(beta)
    _check(x, gamma, beta, "batch_norm", "over the batch")
    if not fused:
        return _opened(x, gamma, beta, eps, 0)
    return Tensor._apply("batch_norm", x, gamma, beta, eps=float(eps))


def layer_norm(x: Any, gamma: Any, beta: Any, eps: float = 1e-5, *, fused: bool = True) -> Tensor:
    """Layer normalisation: each point's features (the last axis) to mean 0 and variance 1, then γ x̂ + β.

    As ``torch.nn.functional.layer_norm(x, (features,), gamma, beta, eps)``; no batch statistics,
    so it behaves the same in training and in use.  ``fused=False`` opens it as ``batch_norm`` does.

    >>> y = layer_norm(Tensor([[1.0, 3.0], [2.0, 6.0]]), Tensor([1.0, 1.0]), Tensor([0.0, 0.0]))
    >>> y.data.round(4).tolist()
    [[-1.0, 1.0], [-1.0, 1.0]]
    """
    x, gamma, beta = as_input(x), _param(gamma), _param(beta)
    _check(x, gamma, beta, "layer_norm", "over the features")
    if not fused:
        return _opened(x, gamma, beta, eps, -1)
    return Tensor._apply("layer_norm", x, gamma, beta, eps=float(eps))


def _param(p: Any) -> Tensor:
    return p if isinstance(p, Tensor) else Tensor(p, constant=True)


class _Norm:
    """A normalisation layer's parameters: γ (ones) and β (zeros), one per feature."""

    kind = ""

    def __init__(self, features: int, eps: float = 1e-5, *, name: str = "") -> None:
        self.features, self.eps, self.name = features, eps, name
        self.gamma = Tensor(np.ones(features), label=f"γ{name}")
        self.beta = Tensor(np.zeros(features), label=f"β{name}")

    def parameters(self) -> list[Tensor]:
        """The tensors a training step changes: γ and β."""
        return [self.gamma, self.beta]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.features}, eps={self.eps:g})"


class BatchNorm1d(_Norm):
    """Batch norm over a batch of shape (points, features), with running statistics, as ``torch.nn.BatchNorm1d``.

    In training mode (the start, or after ``train()``) each call normalises with the batch's own mean
    and variance and moves the running statistics towards them:
    ``running = (1 − momentum)·running + momentum·batch``, the batch's variance unbiased there
    (divided by n − 1, as PyTorch keeps it); ``momentum=None`` averages every batch so far equally.
    In eval mode (``eval()``) it normalises with ``running_mean`` and ``running_var`` instead, so a
    point's answer no longer depends on the other points of its batch (one point alone is fine).

    >>> layer = BatchNorm1d(3)
    >>> layer, layer(np.arange(6.0).reshape(2, 3)).data.round(3).tolist()
    (BatchNorm1d(3, eps=1e-05, momentum=0.1), [[-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]])
    >>> layer.running_mean.round(3).tolist(), layer.running_var.round(3).tolist()  # 0.9·0 + 0.1·mean; 0.9·1 + 0.1·4.5
    ([0.15, 0.25, 0.35], [1.35, 1.35, 1.35])
    >>> layer.eval()(np.array([[1.0, 2.0, 3.0]])).data.round(3).tolist()  # (x − running mean) / √(running var + ε)
    [[0.732, 1.506, 2.281]]
    """

    def __init__(self, features: int, eps: float = 1e-5, momentum: float | None = 0.1, *, name: str = "") -> None:
        super().__init__(features, eps, name=name)
        self.momentum = momentum
        self.running_mean = np.zeros(features)
        self.running_var = np.ones(features)
        self.num_batches_tracked = 0
        self.training = True

    def train(self, mode: bool = True) -> BatchNorm1d:
        """Training mode (``mode=False``: eval mode); returns the layer, as PyTorch's ``train()``."""
        self.training = bool(mode)
        return self

    def eval(self) -> BatchNorm1d:
        """Eval mode: normalise with the running statistics, and leave them as they are."""
        return self.train(False)

    def __call__(self, x: Any) -> Tensor:
        x = as_input(x)
        if not self.training:
            return self._with_running_statistics(x)
        y = batch_norm(x, self.gamma, self.beta, self.eps)
        self._track(x.data)
        return y

    def _track(self, batch: np.ndarray) -> None:
        """Move the running statistics towards this batch's (its variance unbiased, as PyTorch keeps it)."""
        self.num_batches_tracked += 1
        weight = 1.0 / self.num_batches_tracked if self.momentum is None else self.momentum
        n = batch.shape[0]
        self.running_mean = (1.0 - weight) * self.running_mean + weight * batch.mean(axis=0)
        self.running_var = (1.0 - weight) * self.running_var + weight * batch.var(axis=0) * (n / (n - 1))

    def _with_running_statistics(self, x: Tensor) -> Tensor:
        """y = γ x̂ + β with x̂ = (x − running mean) / √(running var + ε): the running statistics are constants."""
        if x.ndim != 2 or x.shape[1] != self.features:
            raise ValueError(
                f"BatchNorm1d({self.features}) takes x of shape (points, {self.features}); got shape {x.shape}"
            )
        mean = Tensor(self.running_mean, label="running mean", constant=True)
        inv_std = Tensor(1.0 / np.sqrt(self.running_var + self.eps), label="1/√(running var + ε)", constant=True)
        x_hat = (x - mean) * inv_std
        x_hat.label = "x̂"
        return self.gamma * x_hat + self.beta

    def __repr__(self) -> str:
        return f"BatchNorm1d({self.features}, eps={self.eps:g}, momentum={self.momentum})"


class LayerNorm(_Norm):
    """Layer norm over each point's features (as ``torch.nn.LayerNorm(features)``).

    >>> LayerNorm(2)(np.array([[1.0, 3.0]])).data.round(3).tolist()
    [[-1.0, 1.0]]
    """

    def __call__(self, x: Any) -> Tensor:
        return layer_norm(x, self.gamma, self.beta, self.eps)
