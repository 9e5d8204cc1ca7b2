"""Optimisers: how a gradient becomes a change of the weights (plain descent, momentum, Adam).

Each keeps a list of parameters (``Tensor``s, or scalar ``Value``s) and
``step()`` changes their ``data`` using their ``grad``.  ``lr`` can be changed
between steps (a slider can set it).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "OPTIMIZERS"]


class Optimizer:
    """What every optimiser has: ``params``, ``lr``, ``step()`` and ``zero_grad()``."""

    def __init__(self, params: Iterable, lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimiser got no parameters to change")
        self.lr = float(lr)

    def step(self) -> None:
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero (``backward()`` also starts from zero)."""
        for p in self.params:
            p.grad = p.zero()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr:g})"


class SGD(Optimizer):
    """Gradient descent: w ← w − η ∂L/∂w.

    >>> from backprop_widgets import Value
    >>> w = Value(3.0)
    >>> loss = w * w
    >>> loss.backward()
    >>> SGD([w], lr=0.1).step()
    >>> w.data
    2.4
    """

    def step(self) -> None:
        for p in self.params:
            p.data -= self.lr * p.grad


class Momentum(Optimizer):
    """Descent with momentum: v ← β v + ∂L/∂w, then w ← w − η v.

    ``v`` is a running sum of past gradients that fades by β each step, so
    steps grow along a direction the gradient keeps pointing in and cancel
    where it zig-zags.
    """

    def __init__(self, params: Iterable, lr: float, beta: float = 0.9) -> None:
        super().__init__(params, lr)
        self.beta = float(beta)
        self.velocity = [p.zero() for p in self.params]

    def step(self) -> None:
        for i, p in enumerate(self.params):
            self.velocity[i] = self.beta * self.velocity[i] + p.grad
            p.data -= self.lr * self.velocity[i]


class Adam(Optimizer):
    """Adam: a running mean m and a running mean square v of each gradient entry.

    m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  and with the start-up
    correction m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ) the step is
    w ← w − η m̂ / (√v̂ + ε): about η per step for every weight, whatever the
    scale of its gradient.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = [p.zero() for p in self.params]
        self.v = [p.zero() for p in self.params]
        self.t = 0

    def step(self) -> None:
        self.t += 1
        correction1 = 1.0 - self.beta1**self.t
        correction2 = 1.0 - self.beta2**self.t
        for i, p in enumerate(self.params):
            g = p.grad
            self.m[i] = self.beta1 * self.m[i] + (1.0 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1.0 - self.beta2) * (g * g)
            p.data -= self.lr * (self.m[i] / correction1) / ((self.v[i] / correction2) ** 0.5 + self.eps)


# By name, for widgets that offer a choice.
OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
