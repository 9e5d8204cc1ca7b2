"""Layers built from ``Tensor`` ops: ``Linear`` (x @ W + b) and the multi-layer perceptron ``MLP``.

Weight convention: ``Linear(n_in, n_out).W`` has shape (n_in, n_out), as in the
matmul layer of the fourth article (``out = x @ w``): a batch of points goes
through as rows, ``X @ W + b`` with X of shape (n_points, n_in).  The third
article writes the same matrix the other way round (W1 is N1 x Nin and
``z1 = W1 x`` for one column vector x), so its W is this ``W.T``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.tensor import Tensor

__all__ = ["Linear", "MLP", "ACTIVATIONS", "INITS", "as_input", "output_label", "layer_number"]

# The activations a layer can be followed by, by name (each is one op of the table).
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")

INITS = ("xavier", "he", "zeros")


def output_label(name: str) -> str:
    """The label of a layer's output z (before its activation): ``z`` and the layer's name.

    >>> output_label("2")
    'z2'
    """
    return f"z{name}"


def layer_number(label: str | None) -> int | None:
    """The number of the layer whose output z carries ``label`` (``'z2'`` -> 2), None for any other label.

    The inverse of ``output_label`` for numbered layers, which ``MLP`` names ``1, 2, ...``.

    >>> layer_number("z2"), layer_number("W2"), layer_number("z"), layer_number(None)
    (2, None, None, None)
    """
    if label and label.startswith("z") and label[1:].isdecimal():
        return int(label[1:])
    return None


def _rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """A numpy Generator from a seed (or the Generator itself); ``None`` means seed 0, so runs repeat."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(0 if rng is None else rng)


def init_weights(n_in: int, n_out: int, init: str, rng: np.random.Generator) -> np.ndarray:
    """Starting weights of shape (n_in, n_out).

    ``"xavier"``: uniform in ±√(6 / (n_in + n_out)), keeps sigmoid and tanh units
    away from their flat ends; ``"he"``: normal with standard deviation √(2 / n_in),
    for relu; ``"zeros"``: all zero (every hidden unit then stays identical to the
    others: the symmetry pitfall).
    """
    if init == "xavier":
        bound = np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-bound, bound, size=(n_in, n_out))
    if init == "he":
        return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
    if init == "zeros":
        return np.zeros((n_in, n_out))
    raise ValueError(f"unknown init {init!r}; choose one of {INITS}")


def as_input(x: Any) -> Tensor:
    """The network's input as a graph node: a ``Tensor`` as it is, an array as a constant labelled ``x``."""
    if isinstance(x, Tensor):
        return x
    return Tensor(x, label="x", constant=True)


class Linear:
    """An affine layer ``x @ W + b``: W of shape (n_in, n_out), b of shape (n_out,).

    ``name`` is appended to the labels, so the pictures say ``W1``, ``b1``, ``z1``.

    >>> layer = Linear(2, 3, name="1")
    >>> layer
    Linear(2 -> 3, W1 (2, 3), b1 (3,))
    >>> layer(np.ones((5, 2)))
    Tensor(shape=(5, 3), label='z1', op='add')
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        *,
        bias: bool = True,
        init: str = "xavier",
        rng: np.random.Generator | int | None = None,
        name: str = "",
    ) -> None:
        self.n_in, self.n_out, self.name = n_in, n_out, name
        self.W = Tensor(init_weights(n_in, n_out, init, _rng(rng)), label=f"W{name}")
        self.b = Tensor(np.zeros(n_out), label=f"b{name}") if bias else None

    def __call__(self, x: Any) -> Tensor:
        z = as_input(x) @ self.W
        if self.b is not None:
            z = z + self.b
        z.label = output_label(self.name)
        return z

    def parameters(self) -> list[Tensor]:
        """The tensors a training step changes: W (and b)."""
        return [self.W] if self.b is None else [self.W, self.b]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def __repr__(self) -> str:
        parts = [f"{self.n_in} -> {self.n_out}", f"{self.W.label} {self.W.shape}"]
        if self.b is not None:
            parts.append(f"{self.b.label} {self.b.shape}")
        return f"Linear({', '.join(parts)})"


class MLP:
    """A multi-layer perceptron: ``Linear`` layers with an activation after each.

    ``sizes`` lists the widths from input to output, e.g. ``[2, 16, 1]`` for the
    two-layer network of the third article.  ``activation`` follows every hidden
    layer; ``output_activation`` follows the last one (``None`` leaves raw
    scores, i.e. logits for ``binary_cross_entropy(..., logits=True)`` or hinge).
    ``init`` defaults to ``"he"`` for relu-like activations, else ``"xavier"``;
    ``rng`` is a seed or a numpy Generator (the default seed 0 makes every run
    the same).  The forward pass labels its nodes ``z1, h1, z2, ..., y`` as the
    article does, so the picture and the formulas use the same names.

    >>> model = MLP([2, 16, 1])
    >>> model
    MLP(2-16-1, sigmoid, output sigmoid)
    >>> model(np.zeros((4, 2)))
    Tensor(shape=(4, 1), label='y', op='sigmoid')
    >>> [p.label for p in model.parameters()]
    ['W1', 'b1', 'W2', 'b2']
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str | None = "sigmoid",
        *,
        init: str | None = None,
        bias: bool = True,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        if len(sizes) < 2:
            raise ValueError(f"an MLP needs at least an input and an output size, got {list(sizes)}")
        for name in (activation, output_activation):
            if name is not None and name not in ACTIVATIONS:
                raise ValueError(f"unknown activation {name!r}; choose one of {ACTIVATIONS} (or None for the output)")
        self.sizes = list(sizes)
        self.activation = activation
        self.output_activation = output_activation
        if init is None:
            init = "he" if activation in ("relu", "leaky_relu") else "xavier"
        generator = _rng(rng)
        self.layers = [
            Linear(n_in, n_out, bias=bias, init=init, rng=generator, name=str(i + 1))
            for i, (n_in, n_out) in enumerate(zip(self.sizes, self.sizes[1:], strict=False))
        ]

    def __call__(self, x: Any) -> Tensor:
        h = as_input(x)
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            h = layer(h)
            act = self.activation if i < last else self.output_activation
            if act is not None:
                h = getattr(h, act)()
                h.label = f"h{i + 1}"
        if self.output_activation is not None:
            h.label = "y"
        return h

    def parameters(self) -> list[Tensor]:
        """Every weight and bias, layer by layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for layer in self.layers:
            layer.zero_grad()

    def __repr__(self) -> str:
        sizes = "-".join(str(n) for n in self.sizes)
        return f"MLP({sizes}, {self.activation}, output {self.output_activation})"
