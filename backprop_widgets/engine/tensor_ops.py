"""The tensor op table: every array operation with its forward rule and its vector-Jacobian products side by side.

For a scalar op the local gradient is a number, and the chain rule multiplies
it by the upstream gradient.  For arrays the local gradient is a Jacobian
matrix: for ``z = x @ W`` with ``x`` of shape (100, 2) and ``z`` of shape
(100, 16) it would have 1600 × 200 entries, almost all zero.  Backpropagation
never needs the matrix itself, only its product with the upstream gradient,
and that product has a short formula (``upstream @ Wᵀ``).  So a row's ``local``
holds, per input, the rule for that product, written once: a ``Factor`` (an
elementwise local gradient, times the upstream gradient entry by entry), a
``Pass`` (the upstream gradient passed on) or a ``Product`` (any other, such as
``upstream @ Wᵀ``).  The backward pass applies them (``Tensor.vjp``); for the
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

import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .ops import OVERFLOW, POWER, PRODUCT, SIGNED, SUM, LocalGrad, Op, format_number

__all__ = ["TENSOR_OPS", "TensorOp", "VJP", "Factor", "Pass", "Product", "Cases", "sum_to_shape", "sigmoid"]

_NO_PARAMS: dict = {}


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
    for a sigmoid; the stepper shows its numbers.  A product 0 × (−1) is turned into
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
            np.add(product, 0.0, out=product)
        else:
            product += 0.0
        shape = inputs[index].shape
        return product if product.shape == shape else sum_to_shape(product, shape)


class Pass(Rule):
    """The upstream gradient passed on entry by entry, as it is (``upstream``) or changed without a factor."""

    __slots__ = ("apply",)

    def __init__(self, text: str, apply: Callable[[np.ndarray], np.ndarray]) -> None:
        super().__init__(text)
        self.apply = apply

    def pull(
        self, upstream: np.ndarray, inputs: Sequence[np.ndarray], index: int, out: np.ndarray, params: dict
    ) -> Any:
        passed, shape = self.apply(upstream), inputs[index].shape
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
    adds to that gradient (``Tensor.vjp`` applies the same rule).
    ``rule`` says how it is made, e.g. ``"upstream @ bᵀ"``; ``factor`` is the
    elementwise local gradient when there is one (σ'(z) as an array, to show its
    numbers); ``shape`` is the input's shape when the product must be summed back to it.

    A contribution never holds −0.0 where the upstream gradient holds none: the
    rules negate as ``0 − g``, their matrix products sum from +0, and a factor's
    product has −0.0 turned into 0.  And it is a new array or a view of
    ``upstream``, never an array kept elsewhere: ``backward()`` keeps a new one
    as the input's gradient, and copies a view.

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
        return how.factor(*self.inputs, self.out, **self.params) if isinstance(how, Factor) else None

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

_UPSTREAM = Pass("upstream", lambda g: g)
_MINUS_UPSTREAM = Pass("−upstream", negate)

# fmt: off
TENSOR_OPS: dict[str, TensorOp] = _table(
    #        name       symbol      forward                                    local: one rule per input (a vector-Jacobian product)                                        rule
    TensorOp("add",     "+",        np.add,                                    (_UPSTREAM, _UPSTREAM),                                                                       "∂L/∂a = upstream,  ∂L/∂b = upstream  (each summed back to its input's shape)", 2,
             jvp=lambda a, b, da, db, out: da + db, infix=(" + ", " + "), binds=SUM),
    TensorOp("sub",     "−",        np.subtract,                               (_UPSTREAM, _MINUS_UPSTREAM),                                                                 "∂L/∂a = upstream,  ∂L/∂b = −upstream", 2,
             jvp=lambda a, b, da, db, out: da - db, infix=(" - ", " − "), binds=SUM),
    TensorOp("mul",     "×",        np.multiply,                               (Factor("b ⊙ upstream", lambda a, b, out: b), Factor("a ⊙ upstream", lambda a, b, out: a)),    "∂L/∂a = b ⊙ upstream,  ∂L/∂b = a ⊙ upstream", 2,
             jvp=lambda a, b, da, db, out: da * b + a * db, infix=(" * ", "·"), binds=PRODUCT, not_finite=OVERFLOW),
    TensorOp("div",     "÷",        lambda a, b: divide(a, b),                 (Factor("(1/b) ⊙ upstream", lambda a, b, out: divide(1.0, b)),
                                                                                Factor("(−a/b²) ⊙ upstream", lambda a, b, out: -divide(out, b))),                             "∂L/∂a = upstream / b,  ∂L/∂b = −a/b² ⊙ upstream", 2,
             jvp=lambda a, b, da, db, out: divide(da - out * db, b), infix=(" / ", "/"), binds=PRODUCT, not_finite="a division by {b}"),
    TensorOp("neg",     "−",        lambda a: -a,                              (_MINUS_UPSTREAM,),                                                                           "∂L/∂a = −upstream",
             jvp=lambda a, da, out: -da, binds=SIGNED),
    TensorOp("pow",     "^{n}",     lambda a, n: power(a, n),                  (Factor("n·aⁿ⁻¹ ⊙ upstream", lambda a, out, n: pow_slope(a, n)),),                             "∂L/∂a = n·aⁿ⁻¹ ⊙ upstream  (n a constant)",
             jvp=lambda a, da, out, n: pow_slope(a, n) * da, binds=POWER, not_finite=OVERFLOW),
    TensorOp("powv",    "^",        lambda a, b: power(a, b),                  (Factor("b·aᵇ⁻¹ ⊙ upstream", lambda a, b, out: pow_slope(a, b)),
                                                                                Factor("aᵇ·ln a ⊙ upstream", lambda a, b, out: pow_slope_in_b(a, b, out))),                   "∂L/∂a = b·aᵇ⁻¹ ⊙ upstream,  ∂L/∂b = aᵇ·ln a ⊙ upstream  (0 where a = 0 and b ≥ 0, as in PyTorch)", 2,
             jvp=lambda a, b, da, db, out: pow_slope(a, b) * da + pow_slope_in_b(a, b, out) * db, infix=("^", "^"), binds=POWER, not_finite=OVERFLOW),
    TensorOp("exp",     "exp",      lambda a: exp(a),                          (Factor("eᵃ ⊙ upstream", lambda a, out: out),),                                               "∂L/∂a = eᵃ ⊙ upstream",
             jvp=lambda a, da, out: out * da, not_finite=OVERFLOW),
    TensorOp("log",     "log",      lambda a: log(a),                          (Factor("(1/a) ⊙ upstream", lambda a, out: divide(1.0, a)),),                                  "∂L/∂a = upstream / a",
             jvp=lambda a, da, out: divide(da, a), not_finite="the log of {a}: log is defined only for numbers above 0"),
    TensorOp("tanh",    "tanh",     np.tanh,                                   (Factor("(1 − tanh²(a)) ⊙ upstream", lambda a, out: 1.0 - out * out),),                       "∂L/∂a = (1 − tanh²(a)) ⊙ upstream",
             jvp=lambda a, da, out: (1.0 - out * out) * da),
    TensorOp("sigmoid", "σ",        sigmoid,                                   (Factor("σ'(a) ⊙ upstream", lambda a, out: out * (1.0 - out)),),                              "∂L/∂a = σ(a)(1 − σ(a)) ⊙ upstream",
             jvp=lambda a, da, out: out * (1.0 - out) * da),
    TensorOp("relu",    "relu",     lambda a: np.maximum(a, 0.0),              (Factor("[a > 0] ⊙ upstream", lambda a, out: (a > 0) * 1.0),),                                "∂L/∂a = upstream where a > 0, else 0",
             jvp=lambda a, da, out: (a > 0) * da),
    TensorOp("leaky_relu", "leaky relu", lambda a, slope: np.where(a > 0, a, slope * a),
                                                                               (Factor("(1 or slope) ⊙ upstream", lambda a, out, slope: np.where(a > 0, 1.0, slope)),),       "∂L/∂a = upstream where a > 0, else slope · upstream",
             jvp=lambda a, da, out, slope: np.where(a > 0, 1.0, slope) * da),
    TensorOp("abs",     "|·|",      np.abs,                                    (Factor("sign(a) ⊙ upstream", lambda a, out: np.sign(a)),),                                   "∂L/∂a = sign(a) ⊙ upstream",
             jvp=lambda a, da, out: np.sign(a) * da),
    TensorOp("sin",     "sin",      np.sin,                                    (Factor("cos(a) ⊙ upstream", lambda a, out: np.cos(a)),),                                     "∂L/∂a = cos(a) ⊙ upstream",
             jvp=lambda a, da, out: np.cos(a) * da),
    TensorOp("cos",     "cos",      np.cos,                                    (Factor("−sin(a) ⊙ upstream", lambda a, out: -np.sin(a)),),                                   "∂L/∂a = −sin(a) ⊙ upstream",
             jvp=lambda a, da, out: -np.sin(a) * da),
    TensorOp("sqrt",    "√",        sqrt,                                      (Factor("1/(2√a) ⊙ upstream", lambda a, out: pow_slope(a, 0.5)),),                            "∂L/∂a = upstream / (2√a)  (inf at a = 0, as in PyTorch)",
             jvp=lambda a, da, out: pow_slope(a, 0.5) * da, not_finite="the square root of {a}: defined only for numbers from 0 up"),
    TensorOp("maximum", "max",      np.maximum,                                (Factor("[a > b] ⊙ upstream", lambda a, b, out: tie_split(a - b)),
                                                                                Factor("[b > a] ⊙ upstream", lambda a, b, out: tie_split(b - a))),                           "∂L/∂a = upstream where a > b, 0 where a < b, half of it at a tie (as PyTorch)", 2,
             jvp=lambda a, b, da, db, out: tie_split(a - b) * da + tie_split(b - a) * db),
    TensorOp("minimum", "min",      np.minimum,                                (Factor("[a < b] ⊙ upstream", lambda a, b, out: tie_split(b - a)),
                                                                                Factor("[b < a] ⊙ upstream", lambda a, b, out: tie_split(a - b))),                           "∂L/∂a = upstream where a < b, 0 where a > b, half of it at a tie (as PyTorch)", 2,
             jvp=lambda a, b, da, db, out: tie_split(b - a) * da + tie_split(a - b) * db),
    TensorOp("clip",    "clip [{lo}, {hi}]", lambda a, lo, hi: np.clip(a, lo, hi),
                                                                               (Factor("[lo ≤ a ≤ hi] ⊙ upstream", lambda a, out, lo, hi: ((lo <= a) & (a <= hi)) * 1.0),),  "∂L/∂a = upstream where lo ≤ a ≤ hi (ends included, as PyTorch), else 0",
             jvp=lambda a, da, out, lo, hi: ((lo <= a) & (a <= hi)) * da),
    TensorOp("matmul",  "@",        np.matmul,                                 (Cases(lambda a, b: _MATMUL_A[a.ndim == 2, b.ndim == 2]),
                                                                                Cases(lambda a, b: _MATMUL_B[a.ndim == 2, b.ndim == 2])),                                    "∂L/∂A = upstream @ Bᵀ,  ∂L/∂B = Aᵀ @ upstream", 2,
             jvp=lambda a, b, da, db, out: da @ b + a @ db, infix=(" @ ", " @ "), binds=PRODUCT),
    TensorOp("transpose", "ᵀ",      np.transpose,                              (Product("upstreamᵀ", lambda g, a, out: np.transpose(g)),),                                   "∂L/∂A = (upstream)ᵀ",
             jvp=lambda a, da, out: np.transpose(da)),
    TensorOp("reshape", "reshape {shape}", lambda a, shape: a.reshape(shape),  (Product("upstream reshaped back", lambda g, a, out, shape: g.reshape(a.shape)),),              "∂L/∂a = upstream, reshaped to a's shape",
             jvp=lambda a, da, out, shape: da.reshape(shape)),
    TensorOp("sum",     "Σ",        lambda a, axis=None, keepdims=False: np.sum(a, axis=axis, keepdims=keepdims),
                                                                               (Product("upstream copied to every summand", lambda g, a, out, axis=None, keepdims=False: spread(g, a.shape, axis, keepdims)),),
                                                                                                                                                                             "∂L/∂aᵢ = upstream of the sum aᵢ went into",
             jvp=lambda a, da, out, axis=None, keepdims=False: np.sum(da, axis=axis, keepdims=keepdims)),
    TensorOp("mean",    "mean",     lambda a, axis=None, keepdims=False: np.mean(a, axis=axis, keepdims=keepdims),
                                                                               (Product("upstream / n, copied to every entry", lambda g, a, out, axis=None, keepdims=False: spread(g / _mean_count(a, out), a.shape, axis, keepdims)),),
                                                                                                                                                                             "∂L/∂aᵢ = upstream / n  (n entries averaged)",
             jvp=lambda a, da, out, axis=None, keepdims=False: np.mean(da, axis=axis, keepdims=keepdims)),
    # losses: prediction p (or logits z, or scores s) first, target t second; each is a mean over the entries
    TensorOp("mse",     "MSE",      lambda p, t: average((p - t) ** 2),        _MSE,                                                                                         "L = mean((p − t)²):  ∂L/∂p = 2(p − t)/n", 2,
             jvp=_gradient_dot(_MSE)),
    TensorOp("l1",      "L1",       lambda p, t: average(np.abs(p - t)),       _L1,                                                                                          "L = mean(|p − t|):  ∂L/∂p = sign(p − t)/n", 2,
             jvp=_gradient_dot(_L1)),
    TensorOp("bce",     "BCE",      _bce,                                      _BCE,                                                                                         "L = −mean(t log p + (1 − t) log(1 − p)):  ∂L/∂p = (p − t)/(p(1 − p))/n", 2,
             jvp=_gradient_dot(_BCE)),
    TensorOp("bce_logits", "BCE (logits)", lambda z, t: average(softplus(z) - t * z),
                                                                               _BCE_LOGITS,                                                                                  "L = mean(log(1 + eᶻ) − t z):  ∂L/∂z = (σ(z) − t)/n", 2,
             jvp=_gradient_dot(_BCE_LOGITS)),
    TensorOp("hinge",   "hinge",    lambda s, t: average(np.maximum(0.0, 1.0 - t * s)),
                                                                               _HINGE,                                                                                       "L = mean(max(0, 1 − t s)),  t = ±1:  ∂L/∂s = −t/n where t s < 1, else 0", 2,
             jvp=_gradient_dot(_HINGE)),
)
# fmt: on
