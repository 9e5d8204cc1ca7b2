"""The articles' backpropagation written out in plain numpy, to set beside the engine's numbers.

Nothing here uses the graph: these are the formulas a student derives on
paper, so a lesson can show that the engine computes exactly them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..engine.tensor_ops import sigmoid

__all__ = ["MatMulLayer", "sigmoid_network_gradients"]


class MatMulLayer:
    """The fourth article's layer ``out = x @ w``, with its backward pass and update written by hand.

    ``backward(grad)`` takes dL/dout and returns dL/dx = grad @ wᵀ, keeping
    dL/dw = xᵀ @ grad for ``update``.  Weights start uniform in [0, 1), as in
    the article (``rng`` is a seed or a numpy Generator).

    >>> layer = MatMulLayer(3, 2, rng=0)
    >>> x = np.array([[1.0, 2.0, 3.0]])
    >>> layer.forward(x).shape, layer.backward(np.ones((1, 2))).shape, layer.dldw.shape
    ((1, 2), (1, 3), (3, 2))
    """

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator | int | None = 0) -> None:
        generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.w = generator.random((n_in, n_out))
        self.x: np.ndarray | None = None
        self.dldw: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = np.asarray(x, dtype=np.float64)  # kept: the weight gradient needs it
        return self.x @ self.w

    def backward(self, grad: np.ndarray) -> np.ndarray:
        assert self.x is not None, "call forward() before backward()"
        self.dldw = self.x.T @ grad  # dL/dw
        return grad @ self.w.T  # dL/dx, the upstream gradient of the layer before

    def update(self, eta: float) -> None:
        assert self.dldw is not None, "call backward() before update()"
        self.w -= eta * self.dldw

    def __repr__(self) -> str:
        return f"MatMulLayer({self.w.shape[0]} -> {self.w.shape[1]})"


def sigmoid_network_gradients(
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    cost_grad: Callable[[np.ndarray], np.ndarray],
) -> list[np.ndarray]:
    """dC/dW for every layer of a sigmoid network without biases, by the third article's loop.

    The network is ``z_l = W_l h_(l-1)``, ``h_l = σ(z_l)``, with ``h_0 = x`` one
    column vector and W_l of shape (N_l, N_(l-1)) (the article's convention).
    ``cost_grad(y)`` is ∇C at the output.  Then, from the last layer back::

        δ = ∇C(y)
        for each layer l, last first:
            dC/dW_l = (δ ⊙ σ'(z_l)) ⊗ h_(l-1)     # the outer product the article's loop leaves out
            δ       = W_lᵀ (δ ⊙ σ'(z_l))         # the error signal passed to the layer before

    >>> W1, W2 = np.ones((3, 2)), np.ones((1, 3))
    >>> grads = sigmoid_network_gradients([W1, W2], np.array([1.0, -1.0]), lambda y: y - 1.0)
    >>> [g.shape for g in grads]
    [(3, 2), (1, 3)]
    """
    inputs, zs = [], []
    h = np.asarray(x, dtype=np.float64)
    for W in weights:  # forward, keeping what the backward pass needs
        inputs.append(h)
        zs.append(W @ h)
        h = sigmoid(zs[-1])
    delta = cost_grad(h)
    grads: list[np.ndarray] = [np.empty(0)] * len(weights)
    for layer in reversed(range(len(weights))):
        s = sigmoid(zs[layer])
        signal = delta * s * (1.0 - s)  # δ ⊙ σ'(z_l)
        grads[layer] = np.outer(signal, inputs[layer])
        delta = weights[layer].T @ signal
    return grads
