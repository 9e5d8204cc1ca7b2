"""The op table: every scalar operation with its forward rule and its local gradients side by side.

Each row says, for one operation, what it computes (``forward``) and how its
output changes with each of its inputs (``local``): the local gradients that
backpropagation multiplies by the upstream gradient.  ``rule`` is the same
derivative as a student writes it on paper.  Inputs are positional; constants
such as an exponent or a slope are keywords (``params``) and never graph nodes.

Adding an operation means adding one row here (and a method on ``Value`` that
calls it); the tests check every row against finite differences automatically.

At a kink the derivative is a convention, and the table follows PyTorch's
(``torch.relu``, ``torch.abs``, ``torch.maximum``, ``torch.pow``), so that a
student who checks an answer there gets the same number from both:
relu'(0) = 0, |·|'(0) = 0, max and min split the gradient half and half at a
tie, n·aⁿ⁻¹ is 0 for n = 0, and 0ᵇ has slope 0 in b for b ≥ 0.  Where a power's
slope is infinite at 0 (√a, a^0.5) the graph shows inf without a warning of its
own: the forward pass has already warned if its value was infinite too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .numerics import cos, divide, exp, inf, log, power, sigmoid, sign, sin, sqrt, step, tanh

__all__ = ["Op", "SCALAR_OPS", "LocalGrad", "Slope", "format_number"]


def format_number(x: float, digits: int = 4) -> str:
    """A compact, stable text for a number: ``4``, ``0.25``, ``0.1966``, ``1e-08``.

    >>> format_number(25.0), format_number(0.19661193324148185), format_number(-1e-8)
    ('25', '0.1966', '-1e-08')
    """
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


class LocalGrad:
    """One input's local gradient at one node, for scalars and tensors alike: what the chain rule multiplies.

    ``local * upstream`` is the input's contribution to its gradient (backward,
    a vector-Jacobian product); ``local.jvp(tangent)`` is the input's term of
    the node's tangent (forward, a Jacobian-vector product).  ``factor`` is the
    local gradient as a number, or an array of slopes for an elementwise tensor
    op, and ``None`` where it is a Jacobian that is never formed (``a @ b``):
    then ``rule`` says how the product is made (``upstream @ bᵀ``) and ``text``
    the same with the summing back to a broadcast input's shape.  The op
    table makes them (``Op.bind``); the walks, pictures and quiz read only these.
    """

    __slots__ = ()

    @property
    def factor(self) -> Any:
        raise NotImplementedError

    @property
    def rule(self) -> str:
        raise NotImplementedError

    @property
    def text(self) -> str:
        raise NotImplementedError

    def __mul__(self, upstream: Any) -> Any:
        raise NotImplementedError

    def jvp(self, tangent: Any) -> Any:
        raise NotImplementedError


class Slope(float, LocalGrad):
    """A scalar op's local gradient: a number (it is a ``float``), so ``local * upstream`` is plain arithmetic.

    >>> local = SCALAR_OPS["mul"].bind([2.0, 7.0], 14.0)[0]
    >>> local, local * 3.0, local.jvp(0.5), local.factor, local.text
    (7.0, 21.0, 3.5, 7.0, '7')
    """

    __slots__ = ()

    @property
    def factor(self) -> float:
        return float(self)

    @property
    def text(self) -> str:
        return format_number(float(self))

    rule = text  # (a tensor's VJP names its rule so; here the rule is the number)

    def jvp(self, tangent: Any) -> Any:
        """This input's term of the node's tangent: local gradient × the input's tangent."""
        return float(self) * tangent


@dataclass(frozen=True)
class Op:
    """One row of an op table."""

    name: str  # what the node's ``.op`` says, e.g. "mul"
    symbol: str  # what the picture shows; may use the params, e.g. "^{n}"
    forward: Callable[..., Any]  # forward(*inputs, **params) -> output
    # local(*inputs, out=output, **params) -> one local gradient per input; a tensor row holds
    # instead one rule per input (tensor_ops.Factor, Pass, Product), applied by Tensor.vjp
    local: Any
    rule: str  # the derivative as written on paper
    arity: int = 1
    # Each input's local gradient as a formula in the names of the node's own inputs, filled by
    # the stepper: {a} and {b} are the inputs' names, {out} the node's, {n}, {slope} its constants.
    said: tuple = ()

    def bind(self, inputs: Any, out: Any, params: dict | None = None) -> tuple:
        """The row's local gradients with one node's numbers: one ``LocalGrad`` per input."""
        return tuple(Slope(g) for g in self.local(*inputs, out=out, **(params or {})))

    def title(self, params: dict | None = None) -> str:
        """The symbol with its constants filled in: ``^2`` for ``pow`` with n=2."""
        if not params:
            return self.symbol
        return self.symbol.format(**{k: format_number(v) for k, v in params.items()})


def _pow_slope_in_b(a: float, b: float, out: float) -> float:
    """∂(aᵇ)/∂b = aᵇ·ln a; at a = 0 it is 0 for b ≥ 0 (PyTorch's choice; 0⁰ = 1 would give −inf) and −inf below."""
    if a == 0.0:
        return 0.0 if b >= 0.0 else -inf
    return out * log(a) if out else 0.0


def _table(*ops: Op) -> dict[str, Op]:
    return {op.name: op for op in ops}


# The local gradients as formulas in the node's own names (the "said" column), by op name:
# the stepper writes "∂f/∂x = y = 7" from the mul row's "{b}".
SAID = {
    "add": ("1", "1"),
    "sub": ("1", "−1"),
    "mul": ("{b}", "{a}"),
    "div": ("1/{b}", "−{a}/{b}²"),
    "neg": ("−1",),
    "pow": ("{n}·{a}^{n1}",),
    "powv": ("{b}·{a}^({b}−1)", "{a}^{b}·ln {a}"),
    "exp": ("e^{a}",),
    "log": ("1/{a}",),
    "tanh": ("1 − tanh²({a})",),
    "sigmoid": ("σ({a})·(1 − σ({a}))",),
    "relu": ("1 if {a} > 0 else 0",),
    "leaky_relu": ("1 if {a} > 0 else {slope}",),
    "abs": ("sign({a})",),
    "max": ("1 if {a} > {b} else 0", "1 if {b} > {a} else 0"),
    "min": ("1 if {a} < {b} else 0", "1 if {b} < {a} else 0"),
    "sin": ("cos({a})",),
    "cos": ("−sin({a})",),
    "sqrt": ("1/(2·√{a})",),
}


# fmt: off
SCALAR_OPS: dict[str, Op] = _table(
    #  name        symbol     forward                            local gradient(s), one per input                    rule
    Op("add",      "+",       lambda a, b: a + b,                lambda a, b, out: (1.0, 1.0),                       "∂(a+b)/∂a = 1,  ∂(a+b)/∂b = 1", 2),
    Op("sub",      "−",       lambda a, b: a - b,                lambda a, b, out: (1.0, -1.0),                      "∂(a−b)/∂a = 1,  ∂(a−b)/∂b = −1", 2),
    Op("mul",      "×",       lambda a, b: a * b,                lambda a, b, out: (b, a),                           "∂(ab)/∂a = b,  ∂(ab)/∂b = a", 2),
    Op("div",      "÷",       lambda a, b: divide(a, b),         lambda a, b, out: (divide(1.0, b), -divide(out, b)), "∂(a/b)/∂a = 1/b,  ∂(a/b)/∂b = −a/b²", 2),
    Op("neg",      "−",       lambda a: -a,                      lambda a, out: (-1.0,),                             "∂(−a)/∂a = −1"),
    Op("pow",      "^{n}",    lambda a, n: power(a, n),          lambda a, out, n: (n * power(a, n - 1, quiet=True) if n else 0.0,), "∂(aⁿ)/∂a = n·aⁿ⁻¹  (n a constant)"),
    Op("powv",     "^",       lambda a, b: power(a, b),          lambda a, b, out: (b * power(a, b - 1, quiet=True) if b else 0.0, _pow_slope_in_b(a, b, out)),
                                                                                                                     "∂(aᵇ)/∂a = b·aᵇ⁻¹,  ∂(aᵇ)/∂b = aᵇ·ln a  (0 at a = 0 for b ≥ 0, as in PyTorch)", 2),
    Op("exp",      "exp",     lambda a: exp(a),                  lambda a, out: (out,),                              "∂(eᵃ)/∂a = eᵃ"),
    Op("log",      "log",     lambda a: log(a),                  lambda a, out: (divide(1.0, a),),                   "∂(ln a)/∂a = 1/a"),
    Op("tanh",     "tanh",    lambda a: tanh(a),                 lambda a, out: (1.0 - out * out,),                  "∂tanh(a)/∂a = 1 − tanh²(a)"),
    Op("sigmoid",  "σ",       lambda a: sigmoid(a),              lambda a, out: (out * (1.0 - out),),                "∂σ(a)/∂a = σ(a)·(1 − σ(a))"),
    Op("relu",     "relu",    lambda a: a if a > 0 else 0.0,     lambda a, out: (1.0 if a > 0 else 0.0,),            "∂relu(a)/∂a = 1 if a > 0 else 0"),
    Op("leaky_relu", "leaky relu", lambda a, slope: a if a > 0 else slope * a,
                                                                 lambda a, out, slope: (1.0 if a > 0 else slope,),   "∂lrelu(a)/∂a = 1 if a > 0 else slope"),
    Op("abs",      "|·|",     lambda a: abs(a),                  lambda a, out: (sign(a),),                          "∂|a|/∂a = sign(a)"),
    Op("max",      "max",     lambda a, b: max(a, b),            lambda a, b, out: (step(a - b), step(b - a)),       "∂max(a,b)/∂a = 1 if a > b, 0 if a < b, ½ at a tie (as PyTorch)", 2),
    Op("min",      "min",     lambda a, b: min(a, b),            lambda a, b, out: (step(b - a), step(a - b)),       "∂min(a,b)/∂a = 1 if a < b, 0 if a > b, ½ at a tie (as PyTorch)", 2),
    Op("sin",      "sin",     lambda a: sin(a),                  lambda a, out: (cos(a),),                           "∂sin(a)/∂a = cos(a)"),
    Op("cos",      "cos",     lambda a: cos(a),                  lambda a, out: (-sin(a),),                          "∂cos(a)/∂a = −sin(a)"),
    Op("sqrt",     "√",       lambda a: sqrt(a),                 lambda a, out: (0.5 / out if out else inf,),        "∂√a/∂a = 1/(2√a)  (inf at a = 0, as in PyTorch)"),
)
# fmt: on
SCALAR_OPS = {name: replace(op, said=SAID.get(name, ())) for name, op in SCALAR_OPS.items()}
