"""The tensor op table: every array operation with its forward rule and its vector-Jacobian products side by side.

For a scalar op the local gradient is a number, and the chain rule multiplies
it by the upstream gradient.  For arrays the local gradient is a Jacobian
matrix: for ``z = x @ W`` with ``x`` of shape (100, 2) and ``z`` of shape
(100, 16) it would have 1600 × 200 entries, almost all zero.  Backpropagation
never needs the matrix itself, only its product with the upstream gradient,
and that product has a short formula (``upstream @ Wᵀ``).  So a row's ``local``
returns, per input, a ``VJP``: that product waiting for its upstream gradient.
``vjp * upstream`` is the contribution, already summed back to the input's
shape when numpy broadcast the input, and ``vjp.text`` says how it is made.

Forward mode runs the other way: it pushes a small change of the inputs (a
tangent, one per input, of the input's shape) through to the output.  Each row's
``jvp`` is that rule, the Jacobian-vector product, written as a student writes a
differential: for ``a * b`` it is ``da ⊙ b + a ⊙ db``.  It sits under the row's
VJP, and the tests check that the two are transposes of each other
(``u · (J v) = (Jᵀ u) · v``).

Inputs are positional arrays; constants (an exponent, an axis, a shape, a
slope) are keywords and never graph nodes.  Adding an op means adding one row
here and a method on ``Tensor``; the tests check every row against finite
differences.

Kinks follow PyTorch, as in the scalar table: relu'(0) = 0, |·|'(0) = 0,
maximum and minimum give each input half the gradient at a tie, clip passes the
gradient where lo ≤ a ≤ hi (its ends included), and aᵇ has slope 0 in b where
a = 0 and b ≥ 0.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .ops import Op, format_number

__all__ = ["TENSOR_OPS", "TensorOp", "VJP", "sum_to_shape", "sigmoid"]


# ---- helpers the rows use ------------------------------------------------------


# numpy's default already warns (and answers inf or nan) for 1/0, log(0) and
# overflow; these say so explicitly, so a changed np.seterr cannot turn a
# student's log(0) into an exception from inside the engine.
def _warn() -> np.errstate:
    return np.errstate(divide="warn", over="warn", invalid="warn")


def divide(a: Any, b: Any) -> np.ndarray:
    """``a / b`` elementwise; ``1/0`` is ``inf`` with a RuntimeWarning."""
    with _warn():
        return np.divide(a, b)


def exp(a: np.ndarray) -> np.ndarray:
    """``e ** a``; overflow gives ``inf`` with a RuntimeWarning."""
    with _warn():
        return np.exp(a)


def log(a: np.ndarray) -> np.ndarray:
    """Natural logarithm; ``log(0)`` is ``-inf``, ``log(-1)`` is ``nan``, each with a RuntimeWarning."""
    with _warn():
        return np.log(a)


def power(a: np.ndarray, n: Any) -> np.ndarray:
    """``a ** n``; ``0 ** -1`` is ``inf`` with a RuntimeWarning."""
    with _warn():
        return np.power(a, n)


def sqrt(a: np.ndarray) -> np.ndarray:
    """Square root; ``sqrt(-1)`` is ``nan`` with a RuntimeWarning."""
    with _warn():
        return np.sqrt(a)


def pow_slope(a: np.ndarray, n: Any) -> np.ndarray:
    """∂(aⁿ)/∂a = n·aⁿ⁻¹, entry by entry: 0 where n = 0 (as PyTorch), inf at a = 0 for n < 1, without a warning.

    >>> pow_slope(np.array([0.0, 2.0, 0.0]), np.array([0.5, 3.0, 0.0])).tolist()
    [inf, 12.0, 0.0]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n == 0, 0.0, n * np.power(a, n - 1.0))


def pow_slope_in_b(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """∂(aᵇ)/∂b = aᵇ·ln a, entry by entry: 0 where a = 0 and b ≥ 0 (as PyTorch), −inf where a = 0 and b < 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = out * np.log(np.where(a == 0, 1.0, a))
    return np.where(a == 0, np.where(b >= 0, 0.0, -np.inf), slope)


def tie_split(d: np.ndarray) -> np.ndarray:
    """1 where d > 0, 0 where d < 0, ½ where d = 0: how maximum and minimum share the gradient at a tie."""
    return np.heaviside(d, 0.5)


def sigmoid(a: np.ndarray) -> np.ndarray:
    """``1 / (1 + e^-a)``, elementwise and without overflow.

    Where some entry is below −700 (e^-a would overflow), it is computed as the
    scalar engine does: ``1 / (1 + e^-a)`` for a ≥ 0, ``e^a / (1 + e^a)`` for a < 0.

    >>> sigmoid(np.array([0.0, 1.0, -1000.0])).tolist()
    [0.5, 0.7310585786300049, 0.0]
    """
    if a.size and a.min() < -700.0:
        e = np.exp(-np.abs(a))
        d = 1.0 + e
        return np.where(a >= 0, 1.0 / d, e / d)
    return 1.0 / (1.0 + np.exp(-a))


def average(a: np.ndarray) -> np.ndarray:
    """The mean of all entries, as a 0-d array (what every loss reports)."""
    return np.asarray(a.sum() / a.size)


def softplus(a: np.ndarray) -> np.ndarray:
    """``log(1 + e^a)`` without overflow: ``max(a, 0) + log(1 + e^-|a|)``."""
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def sum_to_shape(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: add ``grad`` up along every axis an input of ``shape`` was stretched along.

    An input that numpy copied along an axis was used once per copy, so its
    gradient is the sum over the copies (gradients add at branches).

    >>> sum_to_shape(np.ones((4, 3)), (3,))
    array([4., 4., 4.])
    >>> sum_to_shape(np.ones((4, 3)), (4, 1)).T
    array([[3., 3., 3., 3.]])
    >>> float(sum_to_shape(np.ones((4, 3)), ()))
    12.0
    """
    if grad.shape == shape:
        return grad
    if grad.shape[1:] == shape:  # the usual case: a bias row added to every point of a batch
        return grad.sum(axis=0)
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return np.asarray(grad)


def spread(grad: np.ndarray, shape: tuple, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """The gradient of a sum: every entry of the input gets the upstream gradient of the sum it went into.

    >>> spread(np.array([1.0, 2.0]), (2, 3), axis=1)
    array([[1., 1., 1.],
           [2., 2., 2.]])
    """
    if axis is not None and not keepdims:
        grad = np.expand_dims(grad, axis)
    return np.broadcast_to(grad, shape)


def _no_negative_zero(product: Any) -> Any:
    """``product + 0``: turns −0.0 into 0.0 (in place for an array nobody else holds), changes nothing else."""
    if type(product) is np.ndarray:
        return np.add(product, 0.0, out=product)
    return product + 0.0


def negate(g: np.ndarray) -> np.ndarray:
    """−g, entry by entry, written ``0 − g`` so that −0 comes out as 0 (``np.negative(0.0)`` is −0.0)."""
    return 0.0 - g


def outer(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a ⊗ b, the table of products a_i b_j (with 0.0, not −0.0, where a product is 0)."""
    return _no_negative_zero(np.outer(a, b))


class VJP:
    """A local gradient for arrays: the vector-Jacobian product, waiting for its upstream gradient.

    ``vjp * upstream`` is the contribution to the input's gradient (so the
    chain rule in ``graph.backward_steps`` reads the same for scalars and
    arrays).  ``rule`` says how it is made, e.g. ``"upstream @ bᵀ"``;
    ``factor`` is the elementwise local gradient when there is one (σ'(z) as an
    array, to show its numbers); ``shape`` is set when the input was broadcast
    and the product must be summed back to that shape.

    A contribution never holds −0.0 where the upstream gradient holds none:
    0 × (−1) is turned into 0, as adding it to a zero gradient would, so no
    printed gradient shows ``-0.``.  (``apply`` keeps to that too: it negates
    as ``0 − g`` and its matrix products sum from +0.)  And it is a new array
    or a view of ``upstream``, never an array kept elsewhere: ``backward()``
    keeps a new one as the input's gradient, and copies a view.

    >>> vjp = VJP("b ⊙ upstream", factor=np.array([2.0, 3.0]))
    >>> vjp
    VJP(b ⊙ upstream)
    >>> vjp * np.array([1.0, 10.0])
    array([ 2., 30.])
    """

    __slots__ = ("rule", "apply", "factor", "shape")

    def __init__(
        self,
        rule: str,
        apply: Callable[[np.ndarray], np.ndarray] | None = None,
        *,
        factor: Any = None,
        shape: tuple | None = None,
    ) -> None:
        self.rule = rule
        self.apply = apply
        self.factor = factor
        self.shape = shape

    def __mul__(self, upstream: np.ndarray) -> np.ndarray:
        if self.factor is not None:
            contribution = self.factor * upstream
            if type(contribution) is np.ndarray:  # a new array: turn −0.0 into 0.0 in place
                np.add(contribution, 0.0, out=contribution)
            else:
                contribution += 0.0
        elif self.apply is not None:
            contribution = self.apply(upstream)
        else:
            contribution = upstream
        if self.shape is None:
            return contribution
        return sum_to_shape(contribution, self.shape)

    @property
    def text(self) -> str:
        """What this product computes, as a student would write it."""
        if self.shape is None:
            return self.rule
        return f"{self.rule}, summed to {self.shape}"

    def __repr__(self) -> str:
        return f"VJP({self.text})"


def _to(a: np.ndarray, out: np.ndarray) -> tuple | None:
    """``a``'s shape if numpy broadcast ``a`` to make ``out`` (so its gradient must be summed back)."""
    return a.shape if a.shape != out.shape else None


def _elementwise(factor: Any, rule: str, a: np.ndarray, out: np.ndarray) -> VJP:
    return VJP(rule, factor=factor, shape=_to(a, out))


def _matmul_vjps(a: np.ndarray, b: np.ndarray) -> tuple[VJP, VJP]:
    """The two products for ``a @ b``; a vector on either side turns one of them into an outer product."""
    if a.ndim == 2 and b.ndim == 2:  # (n, k) @ (k, m)
        return VJP("upstream @ bᵀ", lambda g: g @ b.T), VJP("aᵀ @ upstream", lambda g: a.T @ g)
    if a.ndim == 2:  # matrix @ vector, the article's W x
        return VJP("upstream ⊗ b", lambda g: outer(g, b)), VJP("aᵀ @ upstream", lambda g: a.T @ g)
    if b.ndim == 2:  # vector @ matrix
        return VJP("upstream @ bᵀ", lambda g: g @ b.T), VJP("a ⊗ upstream", lambda g: outer(a, g))
    return VJP("b · upstream", factor=b), VJP("a · upstream", factor=a)  # dot product of vectors


def _mean_count(a: np.ndarray, out: np.ndarray) -> float:
    return a.size / out.size if out.size else 1.0


def _format_param(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_format_param(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, str):
        return value
    return format_number(value)


@dataclass(frozen=True)
class TensorOp(Op):
    """A row of the tensor table: an ``Op`` whose constants may also be shapes or axes,
    with its forward-mode rule ``jvp(*inputs, *tangents, out=..., **params)`` beside the VJPs."""

    jvp: Callable[..., Any] | None = None

    def title(self, params: dict | None = None) -> str:
        """The symbol with its constants: ``Σ axis=0``, ``reshape (2, 3)``, ``^2``.

        >>> TENSOR_OPS["sum"].title({"axis": 0}), TENSOR_OPS["pow"].title({"n": 2.0})
        ('Σ axis=0', '^2')
        """
        if not params:
            return self.symbol
        named = {field for _, field, _, _ in string.Formatter().parse(self.symbol) if field}
        text = self.symbol.format(**{k: _format_param(v) for k, v in params.items() if k in named})
        for key, value in params.items():
            if key not in named:
                text += f" {key}" if value is True else f" {key}={_format_param(value)}"
        return text


# ---- the losses whose rules take more than a line --------------------------------------


def _mse_vjps(p: np.ndarray, t: np.ndarray, out: np.ndarray) -> tuple[VJP, VJP]:
    slope = (p - t) * (2.0 / p.size)  # ∂L/∂p; the target's is its negative
    return VJP("2(p − t)/n · upstream", factor=slope), VJP("−2(p − t)/n · upstream", factor=-slope)


# Binary cross-entropy from probabilities: p is clipped to [ε, 1 − ε] so that
# log never sees 0 (a confidently wrong p then costs about 27.6, not inf).
# From logits (bce_logits below) nothing needs clipping: prefer it for training.
BCE_EPS = 1e-12


def _bce(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    q = np.clip(p, BCE_EPS, 1.0 - BCE_EPS)
    return -average(t * np.log(q) + (1.0 - t) * np.log(1.0 - q))


def _bce_vjps(p: np.ndarray, t: np.ndarray, out: np.ndarray) -> tuple[VJP, VJP]:
    q = np.clip(p, BCE_EPS, 1.0 - BCE_EPS)
    return (
        VJP("(p − t)/(p(1 − p))/n · upstream", factor=(q - t) / (q * (1.0 - q) * p.size)),
        VJP("−log(p/(1 − p))/n · upstream", factor=(np.log(1.0 - q) - np.log(q)) / p.size),
    )


def _l1_vjps(p: np.ndarray, t: np.ndarray, out: np.ndarray) -> tuple[VJP, VJP]:
    return (
        VJP("sign(p − t)/n · upstream", factor=np.sign(p - t) / p.size),
        VJP("−sign(p − t)/n · upstream", factor=np.sign(t - p) / p.size),
    )


def _bce_logits_vjps(z: np.ndarray, t: np.ndarray, out: np.ndarray) -> tuple[VJP, VJP]:
    return VJP("(σ(z) − t)/n · upstream", factor=(sigmoid(z) - t) / z.size), VJP("−z/n · upstream", factor=-z / z.size)


def _hinge_vjps(s: np.ndarray, t: np.ndarray, out: np.ndarray) -> tuple[VJP, VJP]:
    inside = t * s < 1.0  # the points the margin still pushes
    return (
        VJP("−t·[t s < 1]/n · upstream", factor=-t * inside / s.size),
        VJP("−s·[t s < 1]/n · upstream", factor=-s * inside / s.size),
    )


def _gradient_dot(vjps: Callable[..., tuple]) -> Callable[..., np.ndarray]:
    """The JVP of a loss (one number out): its Jacobian is the gradient row, so J·v = Σ ∂L/∂p ⊙ dp + Σ ∂L/∂t ⊙ dt."""

    def jvp(p: np.ndarray, t: np.ndarray, dp: np.ndarray, dt: np.ndarray, out: np.ndarray) -> np.ndarray:
        for_p, for_t = vjps(p, t, out)
        return np.asarray(np.sum(for_p.factor * dp) + np.sum(for_t.factor * dt))

    return jvp


def _table(*ops: TensorOp) -> dict[str, TensorOp]:
    return {op.name: op for op in ops}


# ---- the table -----------------------------------------------------------------------
# Each ``local`` gets the inputs' data, the output's data as ``out`` and the constants,
# and returns one VJP per input.  ``g`` is the upstream gradient (the output's shape).
# Under it, ``jvp`` gets the inputs, then one tangent per input (da, db: each of its
# input's shape), then ``out`` and the constants, and returns the output's tangent.

_L = _elementwise  # keeps the rows below on one line each

# fmt: off
TENSOR_OPS: dict[str, TensorOp] = _table(
    #        name       symbol      forward                                    local: one vector-Jacobian product per input                                                 rule
    TensorOp("add",     "+",        np.add,                                    lambda a, b, out: (VJP("upstream", shape=_to(a, out)), VJP("upstream", shape=_to(b, out))),   "∂L/∂a = upstream,  ∂L/∂b = upstream  (each summed back to its input's shape)", 2,
             jvp=lambda a, b, da, db, out: da + db),
    TensorOp("sub",     "−",        np.subtract,                               lambda a, b, out: (VJP("upstream", shape=_to(a, out)), VJP("−upstream", negate, shape=_to(b, out))), "∂L/∂a = upstream,  ∂L/∂b = −upstream", 2,
             jvp=lambda a, b, da, db, out: da - db),
    TensorOp("mul",     "×",        np.multiply,                               lambda a, b, out: (_L(b, "b ⊙ upstream", a, out), _L(a, "a ⊙ upstream", b, out)),           "∂L/∂a = b ⊙ upstream,  ∂L/∂b = a ⊙ upstream", 2,
             jvp=lambda a, b, da, db, out: da * b + a * db),
    TensorOp("div",     "÷",        lambda a, b: divide(a, b),                 lambda a, b, out: (_L(divide(1.0, b), "(1/b) ⊙ upstream", a, out),
                                                                                                  _L(-divide(out, b), "(−a/b²) ⊙ upstream", b, out)),                        "∂L/∂a = upstream / b,  ∂L/∂b = −a/b² ⊙ upstream", 2,
             jvp=lambda a, b, da, db, out: divide(da - out * db, b)),
    TensorOp("neg",     "−",        lambda a: -a,                              lambda a, out: (VJP("−upstream", negate),),                                                  "∂L/∂a = −upstream",
             jvp=lambda a, da, out: -da),
    TensorOp("pow",     "^{n}",     lambda a, n: power(a, n),                  lambda a, out, n: (VJP("n·aⁿ⁻¹ ⊙ upstream", factor=pow_slope(a, n)),),                       "∂L/∂a = n·aⁿ⁻¹ ⊙ upstream  (n a constant)",
             jvp=lambda a, da, out, n: pow_slope(a, n) * da),
    TensorOp("powv",    "^",        lambda a, b: power(a, b),                  lambda a, b, out: (_L(pow_slope(a, b), "b·aᵇ⁻¹ ⊙ upstream", a, out),
                                                                                                  _L(pow_slope_in_b(a, b, out), "aᵇ·ln a ⊙ upstream", b, out)),               "∂L/∂a = b·aᵇ⁻¹ ⊙ upstream,  ∂L/∂b = aᵇ·ln a ⊙ upstream  (0 where a = 0 and b ≥ 0, as in PyTorch)", 2,
             jvp=lambda a, b, da, db, out: pow_slope(a, b) * da + pow_slope_in_b(a, b, out) * db),
    TensorOp("exp",     "exp",      lambda a: exp(a),                          lambda a, out: (VJP("eᵃ ⊙ upstream", factor=out),),                                           "∂L/∂a = eᵃ ⊙ upstream",
             jvp=lambda a, da, out: out * da),
    TensorOp("log",     "log",      lambda a: log(a),                          lambda a, out: (VJP("(1/a) ⊙ upstream", factor=divide(1.0, a)),),                              "∂L/∂a = upstream / a",
             jvp=lambda a, da, out: divide(da, a)),
    TensorOp("tanh",    "tanh",     np.tanh,                                   lambda a, out: (VJP("(1 − tanh²(a)) ⊙ upstream", factor=1.0 - out * out),),                   "∂L/∂a = (1 − tanh²(a)) ⊙ upstream",
             jvp=lambda a, da, out: (1.0 - out * out) * da),
    TensorOp("sigmoid", "σ",        sigmoid,                                   lambda a, out: (VJP("σ'(a) ⊙ upstream", factor=out * (1.0 - out)),),                          "∂L/∂a = σ(a)(1 − σ(a)) ⊙ upstream",
             jvp=lambda a, da, out: out * (1.0 - out) * da),
    TensorOp("relu",    "relu",     lambda a: np.maximum(a, 0.0),              lambda a, out: (VJP("[a > 0] ⊙ upstream", factor=(a > 0) * 1.0),),                            "∂L/∂a = upstream where a > 0, else 0",
             jvp=lambda a, da, out: (a > 0) * da),
    TensorOp("leaky_relu", "leaky relu", lambda a, slope: np.where(a > 0, a, slope * a),
                                                                               lambda a, out, slope: (VJP("(1 or slope) ⊙ upstream", factor=np.where(a > 0, 1.0, slope)),), "∂L/∂a = upstream where a > 0, else slope · upstream",
             jvp=lambda a, da, out, slope: np.where(a > 0, 1.0, slope) * da),
    TensorOp("abs",     "|·|",      np.abs,                                    lambda a, out: (VJP("sign(a) ⊙ upstream", factor=np.sign(a)),),                               "∂L/∂a = sign(a) ⊙ upstream",
             jvp=lambda a, da, out: np.sign(a) * da),
    TensorOp("sin",     "sin",      np.sin,                                    lambda a, out: (VJP("cos(a) ⊙ upstream", factor=np.cos(a)),),                                 "∂L/∂a = cos(a) ⊙ upstream",
             jvp=lambda a, da, out: np.cos(a) * da),
    TensorOp("cos",     "cos",      np.cos,                                    lambda a, out: (VJP("−sin(a) ⊙ upstream", factor=-np.sin(a)),),                               "∂L/∂a = −sin(a) ⊙ upstream",
             jvp=lambda a, da, out: -np.sin(a) * da),
    TensorOp("sqrt",    "√",        sqrt,                                      lambda a, out: (VJP("1/(2√a) ⊙ upstream", factor=pow_slope(a, 0.5)),),                        "∂L/∂a = upstream / (2√a)  (inf at a = 0, as in PyTorch)",
             jvp=lambda a, da, out: pow_slope(a, 0.5) * da),
    TensorOp("maximum", "max",      np.maximum,                                lambda a, b, out: (_L(tie_split(a - b), "[a > b] ⊙ upstream", a, out),
                                                                                                  _L(tie_split(b - a), "[b > a] ⊙ upstream", b, out)),                       "∂L/∂a = upstream where a > b, 0 where a < b, half of it at a tie (as PyTorch)", 2,
             jvp=lambda a, b, da, db, out: tie_split(a - b) * da + tie_split(b - a) * db),
    TensorOp("minimum", "min",      np.minimum,                                lambda a, b, out: (_L(tie_split(b - a), "[a < b] ⊙ upstream", a, out),
                                                                                                  _L(tie_split(a - b), "[b < a] ⊙ upstream", b, out)),                       "∂L/∂a = upstream where a < b, 0 where a > b, half of it at a tie (as PyTorch)", 2,
             jvp=lambda a, b, da, db, out: tie_split(b - a) * da + tie_split(a - b) * db),
    TensorOp("clip",    "clip [{lo}, {hi}]", lambda a, lo, hi: np.clip(a, lo, hi),
                                                                               lambda a, out, lo, hi: (VJP("[lo ≤ a ≤ hi] ⊙ upstream", factor=((lo <= a) & (a <= hi)) * 1.0),), "∂L/∂a = upstream where lo ≤ a ≤ hi (ends included, as PyTorch), else 0",
             jvp=lambda a, da, out, lo, hi: ((lo <= a) & (a <= hi)) * da),
    TensorOp("matmul",  "@",        np.matmul,                                 lambda a, b, out: _matmul_vjps(a, b),                                                         "∂L/∂A = upstream @ Bᵀ,  ∂L/∂B = Aᵀ @ upstream", 2,
             jvp=lambda a, b, da, db, out: da @ b + a @ db),
    TensorOp("transpose", "ᵀ",      np.transpose,                              lambda a, out: (VJP("upstreamᵀ", np.transpose),),                                             "∂L/∂A = (upstream)ᵀ",
             jvp=lambda a, da, out: np.transpose(da)),
    TensorOp("reshape", "reshape {shape}", lambda a, shape: a.reshape(shape),  lambda a, out, shape: (VJP("upstream reshaped back", lambda g: g.reshape(a.shape)),),         "∂L/∂a = upstream, reshaped to a's shape",
             jvp=lambda a, da, out, shape: da.reshape(shape)),
    TensorOp("sum",     "Σ",        lambda a, axis=None, keepdims=False: np.sum(a, axis=axis, keepdims=keepdims),
                                                                               lambda a, out, axis=None, keepdims=False: (VJP("upstream copied to every summand", lambda g: spread(g, a.shape, axis, keepdims)),),
                                                                                                                                                                             "∂L/∂aᵢ = upstream of the sum aᵢ went into",
             jvp=lambda a, da, out, axis=None, keepdims=False: np.sum(da, axis=axis, keepdims=keepdims)),
    TensorOp("mean",    "mean",     lambda a, axis=None, keepdims=False: np.mean(a, axis=axis, keepdims=keepdims),
                                                                               lambda a, out, axis=None, keepdims=False: (VJP("upstream / n, copied to every entry", lambda g: spread(g / _mean_count(a, out), a.shape, axis, keepdims)),),
                                                                                                                                                                             "∂L/∂aᵢ = upstream / n  (n entries averaged)",
             jvp=lambda a, da, out, axis=None, keepdims=False: np.mean(da, axis=axis, keepdims=keepdims)),
    # losses: prediction p (or logits z, or scores s) first, target t second; each is a mean over the entries
    TensorOp("mse",     "MSE",      lambda p, t: average((p - t) ** 2),        _mse_vjps,                                                                                    "L = mean((p − t)²):  ∂L/∂p = 2(p − t)/n", 2,
             jvp=_gradient_dot(_mse_vjps)),
    TensorOp("l1",      "L1",       lambda p, t: average(np.abs(p - t)),       _l1_vjps,                                                                                     "L = mean(|p − t|):  ∂L/∂p = sign(p − t)/n", 2,
             jvp=_gradient_dot(_l1_vjps)),
    TensorOp("bce",     "BCE",      _bce,                                      _bce_vjps,                                                                                    "L = −mean(t log p + (1 − t) log(1 − p)):  ∂L/∂p = (p − t)/(p(1 − p))/n", 2,
             jvp=_gradient_dot(_bce_vjps)),
    TensorOp("bce_logits", "BCE (logits)", lambda z, t: average(softplus(z) - t * z),
                                                                               _bce_logits_vjps,                                                                             "L = mean(log(1 + eᶻ) − t z):  ∂L/∂z = (σ(z) − t)/n", 2,
             jvp=_gradient_dot(_bce_logits_vjps)),
    TensorOp("hinge",   "hinge",    lambda s, t: average(np.maximum(0.0, 1.0 - t * s)),
                                                                               _hinge_vjps,                                                                                  "L = mean(max(0, 1 − t s)),  t = ±1:  ∂L/∂s = −t/n where t s < 1, else 0", 2,
             jvp=_gradient_dot(_hinge_vjps)),
)
# fmt: on
