"""The tensor op table: every array operation with its forward rule and its vector-Jacobian products side by side.

For a scalar op the local gradient is a number, and the chain rule multiplies
it by the upstream gradient.  For arrays the local gradient is a Jacobian
matrix: for ``z = x @ W`` with ``x`` of shape (100, 2) and ``z`` of shape
(100, 16) it would have 1600 × 200 entries, almost all zero.  Backpropagation
never needs the matrix itself, only its product with the upstream gradient,
and that product has a short formula (``upstream @ Wᵀ``).  So a row's ``local``
holds, per input, the rule for that product, written once: a ``Factor`` (an
elementwise local gradient, times the upstream gradient entry by entry; a ``Mask``
when it is 1 or 0), a
``Pass`` (the upstream gradient passed on) or a ``Product`` (any other, such as
``upstream @ Wᵀ``).  The backward pass applies them (``Tensor.contribution``); for the
pictures ``TensorOp.bind`` gives a node's ``VJP``s: ``vjp * upstream`` is the
contribution, already summed back to the input's shape when numpy broadcast the
input, and ``vjp.text`` says how it is made.

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

import functools
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .ops import OVERFLOW, POWER, PRODUCT, SIGNED, SUM, LocalGrad, Op, format_number

__all__ = ["TENSOR_OPS", "TensorOp", "VJP", "Factor", "Mask", "Pass", "Product", "Cases", "sum_to_shape", "sigmoid"]

_NO_PARAMS: dict = {}
# 0 and 1 as 0-d arrays, for the engine's own arithmetic on every step: numpy converts a Python number
# afresh at each call (about 0.25 µs, a third of a small product's time) and takes an array as it is.  The same
# numbers: every array here is float64.
ZERO, ONE = np.array(0.0), np.array(1.0)
ZERO.flags.writeable = ONE.flags.writeable = False


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
    if type(n) is float and n == 2.0:  # the usual square: a · a, the same numbers as np.power gives, in one product
        return a * a
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
    if type(n) is float and n in (1.0, 2.0):  # the usual squares and identities, without the general machinery
        return a + a if n == 2.0 else np.ones(np.shape(a))  # (a + a: 2a exactly, as 2.0 * a, without converting 2.0)
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


@np.errstate(over="raise")
def _exp_or_overflow(x: np.ndarray) -> np.ndarray:
    """e^x, or a FloatingPointError if some entry overflows (numpy's error state, for this call alone):
    nothing has to look through x first, a pass of its own."""
    return np.exp(x)


def sigmoid(a: np.ndarray) -> np.ndarray:
    """``1 / (1 + e^-a)``, elementwise and without overflow.

    Where e^-a overflows for some entry (a below about −709.8), the whole array is
    computed as the scalar engine does: ``1 / (1 + e^-a)`` for a ≥ 0, ``e^a / (1 + e^a)``
    for a < 0 (whose e^a is at most 1).

    >>> sigmoid(np.array([0.0, 1.0, -1000.0])).tolist()
    [0.5, 0.7310585786300049, 0.0]
    """
    try:
        e = _exp_or_overflow(-a)
    except FloatingPointError:
        e = np.exp(-np.abs(a))
        d = 1.0 + e
        return np.where(a >= 0, 1.0 / d, e / d)
    return ONE / (ONE + e)


def average(a: np.ndarray) -> np.ndarray:
    """The mean of all entries, as a 0-d array (what every loss reports)."""
    return np.asarray(np.add.reduce(a, axis=None) / a.size)  # (a.sum(), without its Python wrapper)


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
        if grad.ndim == 2 and grad.shape[1] > 1:  # (1, ..., 1) @ grad: the same sums as one matrix product,
            return ones(grad.shape[0]) @ grad  # quicker than numpy's reduce over the rows (2× for 300 × 100)
        return np.add.reduce(grad, axis=0)  # (grad.sum(axis=0), without its Python wrapper)
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return np.asarray(grad)


@functools.lru_cache(maxsize=64)
def ones(n: int) -> np.ndarray:
    """A vector of n ones, made once per length and kept read-only: sums written as products with it.

    >>> ones(3)
    array([1., 1., 1.])
    """
    vector = np.ones(n)
    vector.flags.writeable = False
    return vector


def spread(grad: np.ndarray, shape: tuple, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """The gradient of a sum: every entry of the input gets the upstream gradient of the sum it went into.

    >>> spread(np.array([1.0, 2.0]), (2, 3), axis=1)
    array([[1., 1., 1.],
           [2., 2., 2.]])
    """
    if axis is None and (
        type(grad) is float or grad.ndim == 0
    ):  # one number copied everywhere: a new array, made faster than a view
        copied = np.empty(shape)
        copied.fill(grad)
        return copied
    if not keepdims:
        grad = np.expand_dims(grad, axis)
    return np.broadcast_to(grad, shape)


def _no_negative_zero(product: Any) -> Any:
    """``product + 0``: turns −0.0 into 0.0 (in place for an array nobody else holds), changes nothing else."""
    if type(product) is np.ndarray:
        return np.add(product, ZERO, out=product)
    return product + 0.0


def negate(g: np.ndarray) -> np.ndarray:
    """−g, entry by entry, written ``0 − g`` so that −0 comes out as 0 (``np.negative(0.0)`` is −0.0)."""
    return 0.0 - g


def outer(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a ⊗ b, the table of products a_i b_j (with 0.0, not −0.0, where a product is 0)."""
    return _no_negative_zero(np.outer(a, b))


class Rule:
    """How one input's contribution is made from the upstream gradient: the table holds one per input.

    A rule is written once, with the table.  ``pull`` applies it to one node's
    numbers; ``TensorOp.bind`` wraps it with them in a ``VJP`` that can be shown.
    """

    __slots__ = ("text",)
    sums_back = True  # an elementwise rule: numpy may have broadcast the input, so its gradient is summed back

    def __init__(self, text: str) -> None:
        self.text = text

    def pull(
        self, upstream: np.ndarray, inputs: Sequence[np.ndarray], index: int, out: np.ndarray, params: dict
    ) -> Any:
        """Input ``index``'s contribution, of that input's shape (``inputs``, ``out`` and ``params`` are the node's)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text})"


class Factor(Rule):
    """An elementwise local gradient: the contribution is ``factor ⊙ upstream``.

    ``factor(*inputs, out, **params)`` is the array of local slopes, σ(a)(1 − σ(a))
    for a sigmoid; the stepper shows its numbers.  A slope that is 1 or 0 (relu's
    [a > 0]) is a ``Mask``, given as booleans, and the stepper shows it as 1 and 0.  A product 0 × (−1) is turned into
    0, as adding it to a zero gradient would, so that no gradient shows ``-0.``.
    """

    __slots__ = ("factor",)

    def __init__(self, text: str, factor: Callable[..., Any]) -> None:
        super().__init__(text)
        self.factor = factor

    def pull(
        self, upstream: np.ndarray, inputs: Sequence[np.ndarray], index: int, out: np.ndarray, params: dict
    ) -> Any:
        factor = self.factor(*inputs, out, **params) if params else self.factor(*inputs, out)  # (see Tensor._apply)
        product = factor * upstream
        if type(product) is np.ndarray:  # a new array: turn −0.0 into 0.0 in place
            np.add(product, ZERO, out=product)
        else:
            product += 0.0
        shape = inputs[index].shape
        return product if product.shape == shape else sum_to_shape(product, shape)


class Mask(Factor):
    """A local gradient that is 1 or 0 (relu's [a > 0]), given as a mask of booleans: ``mask ⊙ upstream``.

    The mask's 1s and 0s are made numbers first and the product taken in place on them: numpy
    multiplies floats by booleans a block at a time through a cast, which costs more than the two
    passes.  The same numbers as ``Factor`` gives (−0.0 turned into 0 as there); the stepper shows 1 and 0.
    """

    __slots__ = ()

    def pull(
        self, upstream: np.ndarray, inputs: Sequence[np.ndarray], index: int, out: np.ndarray, params: dict
    ) -> Any:
        mask = self.factor(*inputs, out, **params) if params else self.factor(*inputs, out)
        product = np.array(mask, dtype=np.float64)  # a new array (a 0-d input's mask is numpy's bool scalar)
        product *= upstream  # (of the mask's shape: the output's, of an op of one input)
        return np.add(product, ZERO, out=product)


class Pass(Rule):
    """The upstream gradient passed on entry by entry, as it is (``upstream``, without ``apply``) or changed without a factor."""

    __slots__ = ("apply",)

    def __init__(self, text: str, apply: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        super().__init__(text)
        self.apply = apply

    def pull(
        self, upstream: np.ndarray, inputs: Sequence[np.ndarray], index: int, out: np.ndarray, params: dict
    ) -> Any:
        passed = upstream if self.apply is None else self.apply(upstream)
        shape = inputs[index].shape
        return passed if passed.shape == shape else sum_to_shape(passed, shape)


class Product(Rule):
    """Any other product: ``product(upstream, *inputs, out, **params)``, already of the input's shape.

    ``upstream @ bᵀ`` for the first input of ``a @ b``; ``upstream`` copied to
    every summand for a sum.
    """

    __slots__ = ("product",)
    sums_back = False

    def __init__(self, text: str, product: Callable[..., Any]) -> None:
        super().__init__(text)
        self.product = product

    def pull(
        self, upstream: np.ndarray, inputs: Sequence[np.ndarray], index: int, out: np.ndarray, params: dict
    ) -> Any:
        if params:
            return self.product(upstream, *inputs, out, **params)
        return self.product(upstream, *inputs, out)  # (no dict to copy: see Tensor._apply)


class Cases(Rule):
    """A rule that depends on the inputs' numbers of axes: ``pick(*inputs)`` chooses it (matmul's vectors)."""

    __slots__ = ("pick",)

    def __init__(self, pick: Callable[..., Rule]) -> None:
        super().__init__("")
        self.pick = pick

    def pull(
        self, upstream: np.ndarray, inputs: Sequence[np.ndarray], index: int, out: np.ndarray, params: dict
    ) -> Any:
        return self.pick(*inputs).pull(upstream, inputs, index, out, params)


class VJP(LocalGrad):
    """A local gradient for arrays: the vector-Jacobian product, waiting for its upstream gradient.

    It is one input's rule from the table, bound to one node's numbers.
    ``vjp * upstream`` is the contribution to the input's gradient, summed back
    to the input's shape when numpy broadcast the input: what the backward pass
    adds to that gradient (``Tensor.contribution`` applies the same rule).
    ``rule`` says how it is made, e.g. ``"upstream @ bᵀ"``; ``factor`` is the
    elementwise local gradient when there is one (σ'(z) as an array, to show its
    numbers); ``shape`` is the input's shape when the product must be summed back to it.

    A contribution never holds −0.0 where the upstream gradient holds none: the
    rules negate as ``0 − g``, their matrix products sum from +0, and a factor's
    product has −0.0 turned into 0.  And it is a new array, ``upstream`` itself
    or a view of it, never an array kept elsewhere: ``backward()`` keeps a new one
    as the input's gradient, shares ``upstream`` itself read-only, and copies a view.

    >>> a, b = np.array([2.0, 3.0]), np.array([4.0, 5.0])
    >>> vjp = TENSOR_OPS["mul"].bind([a, b], a * b)[0]
    >>> vjp
    VJP(b ⊙ upstream)
    >>> vjp.factor
    array([4., 5.])
    >>> vjp * np.array([1.0, 10.0])
    array([ 4., 50.])
    >>> vjp.jvp(np.array([1.0, 10.0]))  # forward: this input's term of the output's tangent
    array([ 4., 50.])
    """

    __slots__ = ("how", "inputs", "index", "out", "params", "row")

    def __init__(
        self,
        how: Rule,
        inputs: Sequence[np.ndarray],
        index: int,
        out: np.ndarray,
        params: dict,
        row: TensorOp | None = None,
    ) -> None:
        self.how = how  # the table's rule for this input
        self.inputs = inputs  # all the node's inputs, which the rule may use
        self.index = index
        self.out = out
        self.params = params
        self.row = row  # the row it came from, whose ``jvp`` is the same derivative, forward

    def jvp(self, tangent: np.ndarray) -> Any:
        """This input's term of the node's tangent: the row's JVP with only this input moving (by ``tangent``)."""
        assert self.row is not None and self.row.jvp is not None, "a VJP made outside the table has no JVP"
        tangents = [tangent if k == self.index else np.zeros(np.shape(x)) for k, x in enumerate(self.inputs)]
        return self.row.jvp(*self.inputs, *tangents, out=self.out, **self.params)

    def __mul__(self, upstream: np.ndarray) -> Any:
        return self.how.pull(upstream, self.inputs, self.index, self.out, self.params)

    @property
    def _rule(self) -> Rule:
        how = self.how
        return how.pick(*self.inputs) if isinstance(how, Cases) else how

    @property
    def rule(self) -> str:
        """How the product is made, as a student would write it: ``upstream @ bᵀ``."""
        return self._rule.text

    @property
    def factor(self) -> Any:
        """The elementwise local gradient (an array of slopes), or None when the product is not entry by entry."""
        how = self._rule
        if not isinstance(how, Factor):
            return None
        factor = how.factor(*self.inputs, self.out, **self.params)
        is_mask = isinstance(factor, np.ndarray) and factor.dtype == np.bool_
        return factor * 1.0 if is_mask else factor  # a mask ([a > 0]) shown as 1 and 0

    @property
    def shape(self) -> tuple | None:
        """The input's shape when numpy broadcast it (its gradient is summed back to it), else None."""
        shape = self.inputs[self.index].shape
        if self._rule.sums_back and shape != np.broadcast_shapes(*(x.shape for x in self.inputs)):
            return shape
        return None

    @property
    def text(self) -> str:
        """What this product computes, as a student would write it."""
        if self.shape is None:
            return self.rule
        return f"{self.rule}, summed to {self.shape}"

    def __repr__(self) -> str:
        return f"VJP({self.text})"


# a @ b: which products depends on which inputs are vectors; keyed by (a is a matrix, b is a matrix)
_MATMUL_A = {
    (True, True): Product("upstream @ bᵀ", lambda g, a, b, out: g @ b.T),
    (True, False): Product("upstream ⊗ b", lambda g, a, b, out: outer(g, b)),  # matrix @ vector, the article's W x
    (False, True): Product("upstream @ bᵀ", lambda g, a, b, out: g @ b.T),  # vector @ matrix
    (False, False): Factor("b · upstream", lambda a, b, out: b),  # the dot product of two vectors
}
_MATMUL_B = {
    (True, True): Product("aᵀ @ upstream", lambda g, a, b, out: a.T @ g),
    (True, False): Product("aᵀ @ upstream", lambda g, a, b, out: a.T @ g),
    (False, True): Product("a ⊗ upstream", lambda g, a, b, out: outer(a, g)),
    (False, False): Factor("a · upstream", lambda a, b, out: a),
}


def _mean_count(a: np.ndarray, out: np.ndarray) -> float:
    return a.size / out.size if out.size else 1.0


def _format_param(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_format_param(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, str):
        return value
    if isinstance(value, (Index, np.ndarray)):  # what t[...] picked; cross-entropy's labels
        return str(value) if isinstance(value, Index) else _format_key(value)
    return format_number(value)


@dataclass(frozen=True)
class TensorOp(Op):
    """A row of the tensor table: an ``Op`` whose constants may also be shapes or axes,
    with its forward-mode rule ``jvp(*inputs, *tangents, out=..., **params)`` beside the VJPs."""

    jvp: Callable[..., Any] | None = None

    def bind(self, inputs: Sequence[np.ndarray], out: np.ndarray, params: dict | None = None) -> tuple[VJP, ...]:
        """The row's rules (``local``, one per input) with one node's numbers: one ``VJP`` per input."""
        params = params or _NO_PARAMS
        return tuple(VJP(rule, inputs, index, out, params, self) for index, rule in enumerate(self.local))

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
# Each is a mean over n entries, so each input's local gradient is its slope divided by n.

_MSE = (
    Factor("2(p − t)/n · upstream", lambda p, t, out: (p - t) * (2.0 / p.size)),
    Factor("−2(p − t)/n · upstream", lambda p, t, out: (t - p) * (2.0 / p.size)),
)

# Binary cross-entropy from probabilities: p is clipped to [ε, 1 − ε] so that
# log never sees 0 (a confidently wrong p then costs about 27.6, not inf).
# From logits (bce_logits below) nothing needs clipping: prefer it for training.
BCE_EPS = 1e-12


def _clipped(p: np.ndarray) -> np.ndarray:
    return np.clip(p, BCE_EPS, 1.0 - BCE_EPS)


def _bce(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    q = _clipped(p)
    return -average(t * np.log(q) + (1.0 - t) * np.log(1.0 - q))


def _bce_slope(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    q = _clipped(p)
    return (q - t) / (q * (1.0 - q) * p.size)


def _bce_slope_in_t(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    q = _clipped(p)
    return (np.log(1.0 - q) - np.log(q)) / p.size


_BCE = (
    Factor("(p − t)/(p(1 − p))/n · upstream", lambda p, t, out: _bce_slope(p, t)),
    Factor("−log(p/(1 − p))/n · upstream", lambda p, t, out: _bce_slope_in_t(p, t)),
)
_L1 = (
    Factor("sign(p − t)/n · upstream", lambda p, t, out: np.sign(p - t) / p.size),
    Factor("−sign(p − t)/n · upstream", lambda p, t, out: np.sign(t - p) / p.size),
)
_BCE_LOGITS = (
    Factor("(σ(z) − t)/n · upstream", lambda z, t, out: (sigmoid(z) - t) / z.size),
    Factor("−z/n · upstream", lambda z, t, out: -z / z.size),
)
_HINGE = (  # [t s < 1]: the points the margin still pushes
    Factor("−t·[t s < 1]/n · upstream", lambda s, t, out: -t * (t * s < 1.0) / s.size),
    Factor("−s·[t s < 1]/n · upstream", lambda s, t, out: -s * (t * s < 1.0) / s.size),
)


def _gradient_dot(rules: tuple[Factor, Factor]) -> Callable[..., np.ndarray]:
    """The JVP of a loss (one number out): its Jacobian is the gradient row, so J·v = Σ ∂L/∂p ⊙ dp + Σ ∂L/∂t ⊙ dt."""
    for_p, for_t = rules

    def jvp(p: np.ndarray, t: np.ndarray, dp: np.ndarray, dt: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.asarray(np.sum(for_p.factor(p, t, out) * dp) + np.sum(for_t.factor(p, t, out) * dt))

    return jvp


def _table(*ops: TensorOp) -> dict[str, TensorOp]:
    return {op.name: op for op in ops}


# ---- the table -----------------------------------------------------------------------
# ``local`` holds one rule per input, written once with the table: a Factor gets the
# inputs' data, the output's data as ``out`` and the constants, and returns the local
# slopes; a Pass gets the upstream gradient ``g``; a Product gets ``g`` first, then
# what a Factor gets.  ``g`` has the output's shape.  Under it, ``jvp`` gets the
# inputs, then one tangent per input (da, db: each of its input's shape), then ``out``
# and the constants, and returns the output's tangent.

_UPSTREAM = Pass("upstream")
_MINUS_UPSTREAM = Pass("−upstream", negate)

# fmt: off
TENSOR_OPS: dict[str, TensorOp] = _table(
    #        name       symbol      forward                                    local: one rule per input (a vector-Jacobian product)                                        rule
    TensorOp("add",     "+",        np.add,                                    (_UPSTREAM, _UPSTREAM),                                                                       "∂L/∂a = upstream,  ∂L/∂b = upstream  (each summed back to its input's shape)", 2,
             latex=r"{0} + {1}", jvp=lambda a, b, da, db, out: da + db, infix=(" + ", " + "), binds=SUM),
    TensorOp("sub",     "−",        np.subtract,                               (_UPSTREAM, _MINUS_UPSTREAM),                                                                 "∂L/∂a = upstream,  ∂L/∂b = −upstream", 2,
             latex=r"{0} - {1}", jvp=lambda a, b, da, db, out: da - db, infix=(" - ", " − "), binds=SUM),
    TensorOp("mul",     "×",        np.multiply,                               (Factor("b ⊙ upstream", lambda a, b, out: b), Factor("a ⊙ upstream", lambda a, b, out: a)),    "∂L/∂a = b ⊙ upstream,  ∂L/∂b = a ⊙ upstream", 2,
             latex=r"{0} \cdot {1}", jvp=lambda a, b, da, db, out: da * b + a * db, infix=(" * ", "·"), binds=PRODUCT, not_finite=OVERFLOW),
    TensorOp("div",     "÷",        lambda a, b: divide(a, b),                 (Factor("(1/b) ⊙ upstream", lambda a, b, out: divide(1.0, b)),
                                                                                Factor("(−a/b²) ⊙ upstream", lambda a, b, out: -divide(out, b))),                             "∂L/∂a = upstream / b,  ∂L/∂b = −a/b² ⊙ upstream", 2,
             latex=r"\frac{{{0}}}{{{1}}}", jvp=lambda a, b, da, db, out: divide(da - out * db, b), infix=(" / ", "/"), binds=PRODUCT, not_finite="a division by {b}"),
    TensorOp("neg",     "−",        lambda a: -a,                              (_MINUS_UPSTREAM,),                                                                           "∂L/∂a = −upstream",
             latex=r"-{0}", jvp=lambda a, da, out: -da, binds=SIGNED),
    TensorOp("pow",     "^{n}",     lambda a, n: power(a, n),                  (Factor("n·aⁿ⁻¹ ⊙ upstream", lambda a, out, n: pow_slope(a, n)),),                             "∂L/∂a = n·aⁿ⁻¹ ⊙ upstream  (n a constant)",
             latex=r"{0}^{{{n}}}", jvp=lambda a, da, out, n: pow_slope(a, n) * da, binds=POWER, not_finite=OVERFLOW),
    TensorOp("powv",    "^",        lambda a, b: power(a, b),                  (Factor("b·aᵇ⁻¹ ⊙ upstream", lambda a, b, out: pow_slope(a, b)),
                                                                                Factor("aᵇ·ln a ⊙ upstream", lambda a, b, out: pow_slope_in_b(a, b, out))),                   "∂L/∂a = b·aᵇ⁻¹ ⊙ upstream,  ∂L/∂b = aᵇ·ln a ⊙ upstream  (0 where a = 0 and b ≥ 0, as in PyTorch)", 2,
             latex=r"{0}^{{{1}}}", jvp=lambda a, b, da, db, out: pow_slope(a, b) * da + pow_slope_in_b(a, b, out) * db, infix=("^", "^"), binds=POWER, not_finite=OVERFLOW),
    TensorOp("exp",     "exp",      lambda a: exp(a),                          (Factor("eᵃ ⊙ upstream", lambda a, out: out),),                                               "∂L/∂a = eᵃ ⊙ upstream",
             latex=r"\exp({0})", jvp=lambda a, da, out: out * da, not_finite=OVERFLOW),
    TensorOp("log",     "log",      lambda a: log(a),                          (Factor("(1/a) ⊙ upstream", lambda a, out: divide(1.0, a)),),                                  "∂L/∂a = upstream / a",
             latex=r"\ln({0})", jvp=lambda a, da, out: divide(da, a), not_finite="the log of {a}: log is defined only for numbers above 0"),
    TensorOp("tanh",    "tanh",     np.tanh,                                   (Factor("(1 − tanh²(a)) ⊙ upstream", lambda a, out: 1.0 - out * out),),                       "∂L/∂a = (1 − tanh²(a)) ⊙ upstream",
             latex=r"\tanh({0})", jvp=lambda a, da, out: (1.0 - out * out) * da),
    TensorOp("sigmoid", "σ",        sigmoid,                                   (Factor("σ'(a) ⊙ upstream", lambda a, out: out * (1.0 - out)),),                              "∂L/∂a = σ(a)(1 − σ(a)) ⊙ upstream",
             latex=r"\sigma({0})", jvp=lambda a, da, out: out * (1.0 - out) * da),
    TensorOp("relu",    "relu",     lambda a: np.maximum(a, 0.0),              (Mask("[a > 0] ⊙ upstream", lambda a, out: a > 0),),                                "∂L/∂a = upstream where a > 0, else 0",
             latex=r"\operatorname{{relu}}({0})", jvp=lambda a, da, out: (a > 0) * da),
    TensorOp("leaky_relu", "leaky relu", lambda a, slope: np.where(a > 0, a, slope * a),
                                                                               (Factor("(1 or slope) ⊙ upstream", lambda a, out, slope: np.where(a > 0, 1.0, slope)),),       "∂L/∂a = upstream where a > 0, else slope · upstream",
             latex=r"\operatorname{{leaky\_relu}}_{{{slope}}}({0})", jvp=lambda a, da, out, slope: np.where(a > 0, 1.0, slope) * da),
    TensorOp("abs",     "|·|",      np.abs,                                    (Factor("sign(a) ⊙ upstream", lambda a, out: np.sign(a)),),                                   "∂L/∂a = sign(a) ⊙ upstream",
             latex=r"|{0}|", jvp=lambda a, da, out: np.sign(a) * da),
    TensorOp("sin",     "sin",      np.sin,                                    (Factor("cos(a) ⊙ upstream", lambda a, out: np.cos(a)),),                                     "∂L/∂a = cos(a) ⊙ upstream",
             latex=r"\sin({0})", jvp=lambda a, da, out: np.cos(a) * da),
    TensorOp("cos",     "cos",      np.cos,                                    (Factor("−sin(a) ⊙ upstream", lambda a, out: -np.sin(a)),),                                   "∂L/∂a = −sin(a) ⊙ upstream",
             latex=r"\cos({0})", jvp=lambda a, da, out: -np.sin(a) * da),
    TensorOp("sqrt",    "√",        sqrt,                                      (Factor("1/(2√a) ⊙ upstream", lambda a, out: pow_slope(a, 0.5)),),                            "∂L/∂a = upstream / (2√a)  (inf at a = 0, as in PyTorch)",
             latex=r"\sqrt{{{0}}}", jvp=lambda a, da, out: pow_slope(a, 0.5) * da, not_finite="the square root of {a}: defined only for numbers from 0 up"),
    TensorOp("maximum", "max",      np.maximum,                                (Factor("[a > b] ⊙ upstream", lambda a, b, out: tie_split(a - b)),
                                                                                Factor("[b > a] ⊙ upstream", lambda a, b, out: tie_split(b - a))),                           "∂L/∂a = upstream where a > b, 0 where a < b, half of it at a tie (as PyTorch)", 2,
             latex=r"\max({0}, {1})", jvp=lambda a, b, da, db, out: tie_split(a - b) * da + tie_split(b - a) * db),
    TensorOp("minimum", "min",      np.minimum,                                (Factor("[a < b] ⊙ upstream", lambda a, b, out: tie_split(b - a)),
                                                                                Factor("[b < a] ⊙ upstream", lambda a, b, out: tie_split(a - b))),                           "∂L/∂a = upstream where a < b, 0 where a > b, half of it at a tie (as PyTorch)", 2,
             latex=r"\min({0}, {1})", jvp=lambda a, b, da, db, out: tie_split(b - a) * da + tie_split(a - b) * db),
    TensorOp("clip",    "clip [{lo}, {hi}]", lambda a, lo, hi: np.clip(a, lo, hi),
                                                                               (Mask("[lo ≤ a ≤ hi] ⊙ upstream", lambda a, out, lo, hi: (lo <= a) & (a <= hi)),),  "∂L/∂a = upstream where lo ≤ a ≤ hi (ends included, as PyTorch), else 0",
             latex=r"\operatorname{{clip}}_{{[{lo}, {hi}]}}({0})", jvp=lambda a, da, out, lo, hi: ((lo <= a) & (a <= hi)) * da),
    TensorOp("matmul",  "@",        np.matmul,                                 (Cases(lambda a, b: _MATMUL_A[a.ndim == 2, b.ndim == 2]),
                                                                                Cases(lambda a, b: _MATMUL_B[a.ndim == 2, b.ndim == 2])),                                    "∂L/∂A = upstream @ Bᵀ,  ∂L/∂B = Aᵀ @ upstream", 2,
             latex=r"{0} {1}", jvp=lambda a, b, da, db, out: da @ b + a @ db, infix=(" @ ", " @ "), binds=PRODUCT),
    TensorOp("transpose", "ᵀ",      np.transpose,                              (Product("upstreamᵀ", lambda g, a, out: np.transpose(g)),),                                   "∂L/∂A = (upstream)ᵀ",
             latex=r"{0}^{{\top}}", jvp=lambda a, da, out: np.transpose(da)),
    TensorOp("reshape", "reshape {shape}", lambda a, shape: a.reshape(shape),  (Product("upstream reshaped back", lambda g, a, out, shape: g.reshape(a.shape)),),              "∂L/∂a = upstream, reshaped to a's shape",
             latex=r"\operatorname{{reshape}}({0})", jvp=lambda a, da, out, shape: da.reshape(shape)),
    TensorOp("sum",     "Σ",        lambda a, axis=None, keepdims=False: np.sum(a, axis=axis, keepdims=keepdims),
                                                                               (Product("upstream copied to every summand", lambda g, a, out, axis=None, keepdims=False: spread(g, a.shape, axis, keepdims)),),
                                                                                                                                                                             "∂L/∂aᵢ = upstream of the sum aᵢ went into",
             latex=r"\sum {0}", jvp=lambda a, da, out, axis=None, keepdims=False: np.sum(da, axis=axis, keepdims=keepdims)),
    TensorOp("mean",    "mean",     lambda a, axis=None, keepdims=False: average(a) if axis is None and not keepdims else np.mean(a, axis=axis, keepdims=keepdims),
                                                                               (Product("upstream / n, copied to every entry", lambda g, a, out, axis=None, keepdims=False: spread(g / _mean_count(a, out), a.shape, axis, keepdims)),),
                                                                                                                                                                             "∂L/∂aᵢ = upstream / n  (n entries averaged)",
             latex=r"\operatorname{{mean}}({0})", jvp=lambda a, da, out, axis=None, keepdims=False: np.mean(da, axis=axis, keepdims=keepdims)),
    # losses: prediction p (or logits z, or scores s) first, target t second; each is a mean over the entries
    TensorOp("mse",     "MSE",      lambda p, t: average((p - t) ** 2),        _MSE,                                                                                         "L = mean((p − t)²):  ∂L/∂p = 2(p − t)/n", 2,
             latex=r"\operatorname{{MSE}}({0}, {1})", jvp=_gradient_dot(_MSE)),
    TensorOp("l1",      "L1",       lambda p, t: average(np.abs(p - t)),       _L1,                                                                                          "L = mean(|p − t|):  ∂L/∂p = sign(p − t)/n", 2,
             latex=r"\operatorname{{L1}}({0}, {1})", jvp=_gradient_dot(_L1)),
    TensorOp("bce",     "BCE",      _bce,                                      _BCE,                                                                                         "L = −mean(t log p + (1 − t) log(1 − p)):  ∂L/∂p = (p − t)/(p(1 − p))/n", 2,
             latex=r"\operatorname{{BCE}}({0}, {1})", jvp=_gradient_dot(_BCE)),
    TensorOp("bce_logits", "BCE (logits)", lambda z, t: average(softplus(z) - t * z),
                                                                               _BCE_LOGITS,                                                                                  "L = mean(log(1 + eᶻ) − t z):  ∂L/∂z = (σ(z) − t)/n", 2,
             latex=r"\operatorname{{BCE}}_{{\text{{logits}}}}({0}, {1})", jvp=_gradient_dot(_BCE_LOGITS)),
    TensorOp("hinge",   "hinge",    lambda s, t: average(np.maximum(0.0, 1.0 - t * s)),
                                                                               _HINGE,                                                                                       "L = mean(max(0, 1 − t s)),  t = ±1:  ∂L/∂s = −t/n where t s < 1, else 0", 2,
             latex=r"\operatorname{{hinge}}({0}, {1})", jvp=_gradient_dot(_HINGE)),
)
# fmt: on


# ---- many classes: softmax, max over an axis, variance, indexing, cross-entropy, normalisation --------
# Conventions follow PyTorch (torch.softmax, torch.amax, torch.var(unbiased=False), t[...],
# torch.nn.functional.cross_entropy, batch_norm in training mode, layer_norm), and each row says its own.


def _keep(g: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    """``g`` with the axes a reduction removed put back (as length 1), so it broadcasts against the input."""
    return g if axis is None or keepdims else np.expand_dims(g, axis)


def softmax(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """eᵃ / Σ eᵃ along ``axis``, with the max subtracted first (the same numbers, and never inf/inf).

    >>> softmax(np.array([1000.0, 1000.0, -1000.0])).tolist()
    [0.5, 0.5, 0.0]
    """
    with np.errstate(invalid="ignore"):  # a row that is all −inf gives nan, as PyTorch does
        e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """a − log Σ eᵃ along ``axis``, computed as (a − max) − log Σ e^(a − max): exact at logits ±1000.

    >>> log_softmax(np.array([1000.0, 0.0])).tolist()
    [0.0, -1000.0]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        shifted = a - np.max(a, axis=axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _max_share(a: np.ndarray, out: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    """1/k at each of the k entries that hold the max of their group, 0 elsewhere: how max shares a gradient."""
    mask = (a == _keep(out, axis, keepdims)) * 1.0
    return mask / np.sum(mask, axis=axis, keepdims=True)


def _var_slope(a: np.ndarray, axis: Any) -> np.ndarray:
    """∂var/∂aᵢ = 2(aᵢ − mean)/n, entry by entry (n entries in each variance)."""
    n = a.size if axis is None else np.prod([a.shape[k] for k in np.atleast_1d(axis)])
    return (a - np.mean(a, axis=axis, keepdims=True)) * (2.0 / n)


class Index:
    """What ``t[...]`` picked (ints, slices, arrays of ints), kept as a constant of the node, and how it prints.

    >>> str(Index((slice(None), np.array([2, 0, 1, 1, 0]))))
    ':, [2 0 1 1 …]'
    """

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __str__(self) -> str:
        parts = self.key if isinstance(self.key, tuple) else (self.key,)
        return ", ".join(_format_key(k) for k in parts)

    def __repr__(self) -> str:
        return f"Index({self})"


def _format_key(k: Any) -> str:
    if isinstance(k, slice):
        text = ":".join("" if v is None else str(v) for v in (k.start, k.stop))
        return text + (f":{k.step}" if k.step is not None else "")
    if isinstance(k, np.ndarray):
        head = " ".join(str(v) for v in k.ravel()[:4].tolist())
        return f"[{head}{' …' if k.size > 4 else ''}]"
    if k is Ellipsis:
        return "..."
    return "None" if k is None else str(k)


def scatter_add(g: np.ndarray, shape: tuple, key: Any) -> np.ndarray:
    """An array of ``shape``, zero but where ``key`` picked: there the upstream gradient, added up where an entry was picked twice.

    >>> scatter_add(np.array([1.0, 2.0, 3.0]), (3,), np.array([0, 2, 0])).tolist()
    [4.0, 0.0, 2.0]
    """
    grad = np.zeros(shape)
    np.add.at(grad, key.key if isinstance(key, Index) else key, g)
    return grad


def _class_rows(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """z − each row's max, e to the power of it, and each row's sum of those, with one row per class.

    The logits are copied transposed first, so that each of these steps runs along all the
    points at once: numpy reduces and broadcasts along a short last axis (a few classes) one
    row at a time, which for 300 rows of 3 costs five times the work itself.  Each point's
    sum adds its classes' terms in order; a max is exact.

    >>> shifted, e, sums = _class_rows(np.array([[1.0, 3.0], [0.0, 0.0]]))
    >>> shifted.tolist(), sums.tolist()
    ([[-2.0, 0.0], [0.0, 0.0]], [1.1353352832366128, 2.0])
    """
    shifted = z.T.copy()  # one row per class, in memory order
    shifted -= np.maximum.reduce(shifted, axis=0)
    e = np.exp(shifted)
    return shifted, e, np.add.reduce(e, axis=0)


def _picked(labels: np.ndarray, classes: int) -> np.ndarray:
    """Where each row's label sits in the rows laid end to end: row r's label at r·C + label.

    One index per row picks from the flat array, twice as quick as ``[np.arange(n), labels]``
    (the same entries).

    >>> _picked(np.array([2, 0]), 3).tolist()
    [2, 3]
    """
    return np.arange(0, len(labels) * classes, classes) + labels


class KeptSoftmax:
    """The softmax the last cross-entropy forward computed, kept for its backward, whose p − y needs exactly it.

    It is kept with the loss array it went into and a copy of the logits it came from.
    The backward takes it only for that same loss, from logits still equal to the copy;
    otherwise it computes the softmax again.  That happens when forward was run again
    (``evaluate()``, ``recompute()``, the Explorer: each makes a new loss array), or when
    the logits were changed in place.  So the gradient is always the softmax of the
    logits as they are, the same numbers as computing it again.  (The loss is looked
    at first: for any other loss the answer is a quick no.)

    >>> z = np.array([[1.0, 2.0, 3.0]])
    >>> loss = _cross_entropy(z, np.array([2]))
    >>> KEPT_SOFTMAX.get(z, loss).round(4).tolist()
    [[0.09, 0.2447, 0.6652]]
    >>> z[0, 0] = 5.0  # changed after forward: nothing kept for these logits
    >>> KEPT_SOFTMAX.get(z, loss) is None
    True
    """

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: tuple = (None, None, None)  # (loss, logits copy, softmax), replaced as one

    def keep(self, loss: np.ndarray, z: np.ndarray, p: np.ndarray) -> None:
        self._kept = (loss, z.copy(), p)

    def get(self, z: np.ndarray, loss: np.ndarray | None) -> np.ndarray | None:
        """The kept softmax if it belongs to ``loss`` and came from logits equal to ``z`` (read-only: copy it to change it)."""
        kept_loss, kept_z, p = self._kept
        if loss is not None and kept_loss is loss and kept_z.shape == z.shape and (kept_z == z).all():
            return p
        return None


KEPT_SOFTMAX = KeptSoftmax()


def _cross_entropy(z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """−mean over the rows of log softmax(z)[row, label] = mean(log Σ e^(z − max) − (z − max)[row, label]).

    The softmax met on the way is kept for the backward (``KEPT_SOFTMAX``).
    """
    shifted, e, sums = _class_rows(z)
    n = len(labels)
    picked = shifted.reshape(-1)[labels * n + np.arange(n)]  # point i's label: row label, column i
    loss = np.asarray((np.add.reduce(np.log(sums), axis=None) - np.add.reduce(picked)) / n)
    e /= sums  # now softmax(z), one row per class: the same numbers as e / sums
    softmax = e.T
    softmax.flags.writeable = False
    KEPT_SOFTMAX.keep(loss, z, softmax)
    return loss


def _cross_entropy_slope(z: np.ndarray, labels: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """(softmax(z) − onehot(labels)) / n: p − y, the well-known gradient, shared out over the n rows.

    softmax(z) is the one the forward that gave ``out`` kept, if it is still the logits' own.
    """
    kept = KEPT_SOFTMAX.get(z, out)
    if kept is not None:
        p = kept.copy()  # (in rows, as z: a copy is made in memory order)
    else:
        with np.errstate(invalid="ignore"):  # a row that is all −inf gives nan, as softmax does
            _, e, sums = _class_rows(z)
        p = (e / sums).T.copy()  # softmax(z), in rows
    p.reshape(-1)[_picked(labels, z.shape[1])] -= 1.0  # − onehot: 1 off each row's true class
    p *= 1.0 / len(labels)
    return p


def normalise(x: np.ndarray, axis: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(x − mean) / √(var + ε) along ``axis`` (var biased, as batch norm uses it), and 1/√(var + ε)."""
    centred = x - np.mean(x, axis=axis, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.mean(centred * centred, axis=axis, keepdims=True) + eps)
    return centred * inv_std, inv_std


def _norm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, axis: int, eps: float) -> np.ndarray:
    return gamma * normalise(x, axis, eps)[0] + beta


def _norm_dx(g: np.ndarray, x: np.ndarray, gamma: np.ndarray, axis: int, eps: float) -> np.ndarray:
    """The one-formula backward of normalisation: (1/σ)(ĝ − mean(ĝ) − x̂·mean(ĝ x̂)), ĝ = γ ⊙ upstream."""
    x_hat, inv_std = normalise(x, axis, eps)
    g_hat = g * gamma
    return inv_std * (
        g_hat - np.mean(g_hat, axis=axis, keepdims=True) - x_hat * np.mean(g_hat * x_hat, axis=axis, keepdims=True)
    )


def _norm_jvp(x, gamma, beta, dx, dgamma, dbeta, axis: int, eps: float) -> np.ndarray:
    x_hat, inv_std = normalise(x, axis, eps)
    dx_hat = inv_std * (
        dx - np.mean(dx, axis=axis, keepdims=True) - x_hat * np.mean(dx * x_hat, axis=axis, keepdims=True)
    )
    return dgamma * x_hat + gamma * dx_hat + dbeta


def _norm_rules(axis: int) -> tuple[Rule, Rule, Rule]:
    return (
        Product("(1/σ)(ĝ − mean ĝ − x̂ · mean(ĝ ⊙ x̂)),  ĝ = γ ⊙ upstream",
                lambda g, x, gamma, beta, out, eps=1e-5: _norm_dx(g, x, gamma, axis, eps)),
        Product("Σ x̂ ⊙ upstream  (over the batch)",
                lambda g, x, gamma, beta, out, eps=1e-5: sum_to_shape(g * normalise(x, axis, eps)[0], gamma.shape)),
        Product("Σ upstream  (over the batch)", lambda g, x, gamma, beta, out, eps=1e-5: sum_to_shape(g, beta.shape)),
    )  # fmt: skip


_CROSS_ENTROPY = Factor(
    "(softmax(z) − onehot(y))/n · upstream", lambda z, out, labels: _cross_entropy_slope(z, labels, out)
)

# fmt: off
TENSOR_OPS.update(_table(
    TensorOp("softmax", "softmax", lambda a, axis=-1: softmax(a, axis),
             (Product("p ⊙ (upstream − Σ p ⊙ upstream),  p = softmax(a)", lambda g, a, out, axis=-1: out * (g - np.sum(g * out, axis=axis, keepdims=True))),),
             "pᵢ = e^aᵢ / Σⱼ e^aⱼ along the axis (max subtracted first):  ∂pᵢ/∂aⱼ = pᵢ([i = j] − pⱼ);  a row of −inf gives nan (as PyTorch)",
             latex=r"\operatorname{{softmax}}({0})", jvp=lambda a, da, out, axis=-1: out * (da - np.sum(out * da, axis=axis, keepdims=True))),
    TensorOp("log_softmax", "log softmax", lambda a, axis=-1: log_softmax(a, axis),
             (Product("upstream − softmax(a) ⊙ Σ upstream", lambda g, a, out, axis=-1: g - np.exp(out) * np.sum(g, axis=axis, keepdims=True)),),
             "aᵢ − log Σⱼ e^aⱼ along the axis (stable):  ∂/∂aⱼ = [i = j] − softmax(a)ⱼ;  an entry at −inf stays −inf and gets gradient 0 (as PyTorch)",
             latex=r"\log \operatorname{{softmax}}({0})", jvp=lambda a, da, out, axis=-1: da - np.sum(np.exp(out) * da, axis=axis, keepdims=True)),
    TensorOp("amax", "max", lambda a, axis=None, keepdims=False: np.max(a, axis=axis, keepdims=keepdims),
             (Product("upstream routed to the max (shared equally at a tie)", lambda g, a, out, axis=None, keepdims=False: _max_share(a, out, axis, keepdims) * _keep(g, axis, keepdims)),),
             "∂L/∂aᵢ = upstream where aᵢ is the max, 0 elsewhere; k entries tied at the max get upstream/k each (as torch.amax)",
             latex=r"\max {0}", jvp=lambda a, da, out, axis=None, keepdims=False: np.sum(_max_share(a, out, axis, keepdims) * da, axis=axis, keepdims=keepdims)),
    TensorOp("var", "var", lambda a, axis=None, keepdims=False: np.var(a, axis=axis, keepdims=keepdims),
             (Product("2(a − mean)/n ⊙ upstream", lambda g, a, out, axis=None, keepdims=False: _var_slope(a, axis) * _keep(g, axis, keepdims)),),
             "var = mean((a − mean a)²), divided by n, not n − 1 (biased, as batch norm and torch.var(unbiased=False)):  ∂var/∂aᵢ = 2(aᵢ − mean)/n",
             latex=r"\operatorname{{Var}}({0})", jvp=lambda a, da, out, axis=None, keepdims=False: np.sum(_var_slope(a, axis) * da, axis=axis, keepdims=keepdims)),
    TensorOp("index", "[{key}]", lambda a, key: a[key.key],
             (Product("upstream added back where picked", lambda g, a, out, key: scatter_add(g, a.shape, key)),),
             "out = a[key] (gather):  ∂L/∂a = upstream put back where each entry was picked, added up where one was picked twice (scatter-add)",
             latex=r"{0}_{{[{key}]}}", jvp=lambda a, da, out, key: da[key.key]),
    TensorOp("cross_entropy", "cross-entropy", _cross_entropy, (_CROSS_ENTROPY,),
             "L = −mean over rows of log softmax(z)[row, yᵣₒw]  (integer labels y, as torch.nn.functional.cross_entropy):  ∂L/∂z = (softmax(z) − onehot(y))/n",
             latex=r"\operatorname{{CE}}({0}, {1})", jvp=lambda z, dz, out, labels: np.asarray(np.sum(_cross_entropy_slope(z, labels) * dz))),
    TensorOp("batch_norm", "batch norm", lambda x, gamma, beta, eps=1e-5: _norm_forward(x, gamma, beta, 0, eps), _norm_rules(0),
             "y = γ x̂ + β,  x̂ = (x − mean)/√(var + ε) over the batch (axis 0; var biased; training mode, as torch's batch_norm)", 3,
             latex=r"\operatorname{{BN}}_{{{1}, {2}}}({0})", jvp=lambda x, gamma, beta, dx, dgamma, dbeta, out, eps=1e-5: _norm_jvp(x, gamma, beta, dx, dgamma, dbeta, 0, eps)),
    TensorOp("layer_norm", "layer norm", lambda x, gamma, beta, eps=1e-5: _norm_forward(x, gamma, beta, -1, eps), _norm_rules(-1),
             "y = γ x̂ + β,  x̂ = (x − mean)/√(var + ε) over each row's features (the last axis; var biased, as torch's layer_norm)", 3,
             latex=r"\operatorname{{LN}}_{{{1}, {2}}}({0})", jvp=lambda x, gamma, beta, dx, dgamma, dbeta, out, eps=1e-5: _norm_jvp(x, gamma, beta, dx, dgamma, dbeta, -1, eps)),
))
# fmt: on
