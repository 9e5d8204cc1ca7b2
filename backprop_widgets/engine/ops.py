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
from dataclasses import dataclass, field
from typing import Any

from .numerics import cos, divide, exp, inf, log, power, sigmoid, sign, sin, sqrt, step, tanh

__all__ = ["Op", "SCALAR_OPS", "LocalGrad", "Slope", "format_number", "SUM", "PRODUCT", "SIGNED", "POWER", "ATOM"]


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


# How tightly a written operation holds together, loosest first (for parentheses, in formulas and names).
SUM, PRODUCT, SIGNED, POWER, ATOM = range(5)


@dataclass(frozen=True)
class Op:
    """One row of an op table: everything the kit knows of one operation.

    What it computes and its local gradients (the engine), its rule and its
    words (the panels), how a formula writes and calls it (the parser, the
    printer, the stepper's names) and why its value can stop being finite (the
    pictures' notes).  Nothing else holds any of these.
    """

    name: str  # what the node's ``.op`` says, e.g. "mul"
    symbol: str  # what the picture shows; may use the params, e.g. "^{n}"
    forward: Callable[..., Any]  # forward(*inputs, **params) -> output
    # local(*inputs, out=output, **params) -> one local gradient per input; a tensor row holds
    # instead one rule per input (tensor_ops.Factor, Pass, Product), applied by Tensor.contribution
    local: Any
    rule: str  # the derivative as written on paper
    arity: int = 1
    # Each input's local gradient as a formula in the names of the node's own inputs, filled by
    # the stepper: {a} and {b} are the inputs' names, {out} the node's, {n}, {slope} its constants.
    # Where the formula does not hold at a kink or a tie, an entry is a function of the numbers
    # (called as ``local`` is) that gives the words for the case at hand.
    said: tuple = ()
    infix: tuple[str, str] | None = None  # its operator: as typed in a formula, as the stepper writes it
    binds: int = ATOM  # how tightly its written form holds (SUM ... ATOM), for parentheses
    calls: tuple[str, ...] = ()  # the names a formula calls it by; the first is how it is printed
    call_params: dict = field(default_factory=dict)  # the constants a call gives it (leaky_relu's slope)
    not_finite: str = ""  # why its value can be inf or nan, in words ({a}, {b}: its inputs' values)
    # how LaTeX writes it: {0}, {1} its inputs, {n}, {slope}... its constants; an input set in braces,
    # parentheses, bars or between commas is a group of its own, any other is parenthesised by ``binds``
    latex: str = ""

    def bind(self, inputs: Any, out: Any, params: dict | None = None) -> tuple:
        """The row's local gradients with one node's numbers: one ``LocalGrad`` per input."""
        return tuple(Slope(g) for g in self.local(*inputs, out=out, **(params or {})))

    def words(self, index: int, inputs: Any, out: Any, params: dict | None = None) -> str:
        """Input ``index``'s local gradient in words, for these numbers ("" if the row has none).

        >>> SCALAR_OPS["max"].words(0, [2.0, 1.0], 2.0), SCALAR_OPS["max"].words(0, [2.0, 2.0], 2.0)
        ('1 if {a} > {b} else 0', '½ (a tie: {a} = {b})')
        """
        if index >= len(self.said):
            return ""
        said = self.said[index]
        return said(*inputs, out=out, **(params or {})) if callable(said) else said

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


OVERFLOW = "a number too big for a float (an overflow)"  # why exp, powers and products stop being finite


def _at_a_tie(otherwise: str) -> Callable[..., str]:
    """max and min's words: the rule, or at a tie, where each input gets half (as PyTorch), that."""
    return lambda a, b, out: "½ (a tie: {a} = {b})" if a == b else otherwise


# fmt: off
SCALAR_OPS: dict[str, Op] = _table(
    #  name        symbol     forward                            local gradient(s), one per input                    rule
    #      the local gradients said with the node's names; how a formula writes it; why it can stop being finite
    Op("add",      "+",       lambda a, b: a + b,                lambda a, b, out: (1.0, 1.0),                       "∂(a+b)/∂a = 1,  ∂(a+b)/∂b = 1", 2,
       latex=r"{0} + {1}", said=("1", "1"), infix=(" + ", " + "), binds=SUM),
    Op("sub",      "−",       lambda a, b: a - b,                lambda a, b, out: (1.0, -1.0),                      "∂(a−b)/∂a = 1,  ∂(a−b)/∂b = −1", 2,
       latex=r"{0} - {1}", said=("1", "−1"), infix=(" - ", " − "), binds=SUM),
    Op("mul",      "×",       lambda a, b: a * b,                lambda a, b, out: (b, a),                           "∂(ab)/∂a = b,  ∂(ab)/∂b = a", 2,
       latex=r"{0} \cdot {1}", said=("{b}", "{a}"), infix=(" * ", "·"), binds=PRODUCT, not_finite=OVERFLOW),
    Op("div",      "÷",       lambda a, b: divide(a, b),         lambda a, b, out: (divide(1.0, b), -divide(out, b)), "∂(a/b)/∂a = 1/b,  ∂(a/b)/∂b = −a/b²", 2,
       latex=r"\frac{{{0}}}{{{1}}}", said=("1/{b}", "−{a}/{b}²"), infix=(" / ", "/"), binds=PRODUCT, not_finite="a division by {b}"),
    Op("neg",      "−",       lambda a: -a,                      lambda a, out: (-1.0,),                             "∂(−a)/∂a = −1",
       latex=r"-{0}", said=("−1",), binds=SIGNED),
    Op("pow",      "^{n}",    lambda a, n: power(a, n),          lambda a, out, n: (n * power(a, n - 1, quiet=True) if n else 0.0,), "∂(aⁿ)/∂a = n·aⁿ⁻¹  (n a constant)",
       latex=r"{0}^{{{n}}}", said=(lambda a, out, n: "0 (n = 0)" if n == 0 else "{n}·{a}^{n1}",), binds=POWER, not_finite=OVERFLOW),
    Op("powv",     "^",       lambda a, b: power(a, b),          lambda a, b, out: (b * power(a, b - 1, quiet=True) if b else 0.0, _pow_slope_in_b(a, b, out)),
                                                                                                                     "∂(aᵇ)/∂a = b·aᵇ⁻¹,  ∂(aᵇ)/∂b = aᵇ·ln a  (0 at a = 0 for b ≥ 0, as in PyTorch)", 2,
       latex=r"{0}^{{{1}}}", said=(lambda a, b, out: "0 ({b} = 0)" if b == 0 else "{b}·{a}^({b}−1)",
             lambda a, b, out: "{a}^{b}·ln {a}" if a != 0 else "0 ({a} = 0, as PyTorch)" if b >= 0 else "−inf ({a} = 0)"),
       infix=("^", "^"), binds=POWER, not_finite=OVERFLOW),
    Op("exp",      "exp",     lambda a: exp(a),                  lambda a, out: (out,),                              "∂(eᵃ)/∂a = eᵃ",
       latex=r"\exp({0})", said=("e^{a}",), calls=("exp",), not_finite=OVERFLOW),
    Op("log",      "log",     lambda a: log(a),                  lambda a, out: (divide(1.0, a),),                   "∂(ln a)/∂a = 1/a",
       latex=r"\ln({0})", said=("1/{a}",), calls=("log", "ln"), not_finite="the log of {a}: log is defined only for numbers above 0"),
    Op("tanh",     "tanh",    lambda a: tanh(a),                 lambda a, out: (1.0 - out * out,),                  "∂tanh(a)/∂a = 1 − tanh²(a)",
       latex=r"\tanh({0})", said=("1 − tanh²({a})",), calls=("tanh",)),
    Op("sigmoid",  "σ",       lambda a: sigmoid(a),              lambda a, out: (out * (1.0 - out),),                "∂σ(a)/∂a = σ(a)·(1 − σ(a))",
       latex=r"\sigma({0})", said=("σ({a})·(1 − σ({a}))",), calls=("sigmoid", "σ")),
    Op("relu",     "relu",    lambda a: a if a > 0 else 0.0,     lambda a, out: (1.0 if a > 0 else 0.0,),            "∂relu(a)/∂a = 1 if a > 0 else 0",
       latex=r"\operatorname{{relu}}({0})", said=("1 if {a} > 0 else 0",), calls=("relu",)),
    Op("leaky_relu", "leaky relu", lambda a, slope: a if a > 0 else slope * a,
                                                                 lambda a, out, slope: (1.0 if a > 0 else slope,),   "∂lrelu(a)/∂a = 1 if a > 0 else slope",
       latex=r"\operatorname{{leaky\_relu}}_{{{slope}}}({0})", said=("1 if {a} > 0 else {slope}",), calls=("leaky_relu",), call_params={"slope": 0.01}),
    Op("abs",      "|·|",     lambda a: abs(a),                  lambda a, out: (sign(a),),                          "∂|a|/∂a = sign(a)",
       latex=r"|{0}|", said=("sign({a})",), calls=("abs",)),
    Op("max",      "max",     lambda a, b: max(a, b),            lambda a, b, out: (step(a - b), step(b - a)),       "∂max(a,b)/∂a = 1 if a > b, 0 if a < b, ½ at a tie (as PyTorch)", 2,
       latex=r"\max({0}, {1})", said=(_at_a_tie("1 if {a} > {b} else 0"), _at_a_tie("1 if {b} > {a} else 0")), calls=("max",)),
    Op("min",      "min",     lambda a, b: min(a, b),            lambda a, b, out: (step(b - a), step(a - b)),       "∂min(a,b)/∂a = 1 if a < b, 0 if a > b, ½ at a tie (as PyTorch)", 2,
       latex=r"\min({0}, {1})", said=(_at_a_tie("1 if {a} < {b} else 0"), _at_a_tie("1 if {b} < {a} else 0")), calls=("min",)),
    Op("sin",      "sin",     lambda a: sin(a),                  lambda a, out: (cos(a),),                           "∂sin(a)/∂a = cos(a)",
       latex=r"\sin({0})", said=("cos({a})",), calls=("sin",)),
    Op("cos",      "cos",     lambda a: cos(a),                  lambda a, out: (-sin(a),),                          "∂cos(a)/∂a = −sin(a)",
       latex=r"\cos({0})", said=("−sin({a})",), calls=("cos",)),
    Op("sqrt",     "√",       lambda a: sqrt(a),                 lambda a, out: (0.5 / out if out else inf,),        "∂√a/∂a = 1/(2√a)  (inf at a = 0, as in PyTorch)",
       latex=r"\sqrt{{{0}}}", said=("1/(2·√{a})",), calls=("sqrt",), not_finite="the square root of {a}: defined only for numbers from 0 up"),
)
# fmt: on
