"""The op table: every scalar operation with its forward rule and its local gradients side by side.

Each row says, for one operation, what it computes (``forward``) and how its
output changes with each of its inputs (``local``): the local gradients that
backpropagation multiplies by the upstream gradient.  ``rule`` is the same
derivative as a student writes it on paper.  Inputs are positional; constants
such as an exponent or a slope are keywords (``params``) and never graph nodes.

Adding an operation means adding one row here (and a method on ``Value`` that
calls it); the tests check every row against finite differences automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .numerics import divide, exp, log, power, sigmoid, sign, tanh

__all__ = ["Op", "SCALAR_OPS", "format_number"]


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


@dataclass(frozen=True)
class Op:
    """One row of an op table."""

    name: str  # what the node's ``.op`` says, e.g. "mul"
    symbol: str  # what the picture shows; may use the params, e.g. "^{n}"
    forward: Callable[..., Any]  # forward(*inputs, **params) -> output
    local: Callable[..., tuple]  # local(*inputs, out=output, **params) -> one local gradient per input
    rule: str  # the derivative as written on paper
    arity: int = 1

    def title(self, params: dict | None = None) -> str:
        """The symbol with its constants filled in: ``^2`` for ``pow`` with n=2."""
        if not params:
            return self.symbol
        return self.symbol.format(**{k: format_number(v) for k, v in params.items()})


def _table(*ops: Op) -> dict[str, Op]:
    return {op.name: op for op in ops}


# fmt: off
SCALAR_OPS: dict[str, Op] = _table(
    #  name        symbol     forward                            local gradient(s), one per input                    rule
    Op("add",      "+",       lambda a, b: a + b,                lambda a, b, out: (1.0, 1.0),                       "∂(a+b)/∂a = 1,  ∂(a+b)/∂b = 1", 2),
    Op("sub",      "−",       lambda a, b: a - b,                lambda a, b, out: (1.0, -1.0),                      "∂(a−b)/∂a = 1,  ∂(a−b)/∂b = −1", 2),
    Op("mul",      "×",       lambda a, b: a * b,                lambda a, b, out: (b, a),                           "∂(ab)/∂a = b,  ∂(ab)/∂b = a", 2),
    Op("div",      "÷",       lambda a, b: divide(a, b),         lambda a, b, out: (divide(1.0, b), -divide(out, b)), "∂(a/b)/∂a = 1/b,  ∂(a/b)/∂b = −a/b²", 2),
    Op("neg",      "−",       lambda a: -a,                      lambda a, out: (-1.0,),                             "∂(−a)/∂a = −1"),
    Op("pow",      "^{n}",    lambda a, n: power(a, n),          lambda a, out, n: (n * power(a, n - 1) if n else 0.0,), "∂(aⁿ)/∂a = n·aⁿ⁻¹  (n a constant)"),
    Op("powv",     "^",       lambda a, b: power(a, b),          lambda a, b, out: (b * power(a, b - 1), out * log(a) if out else 0.0), "∂(aᵇ)/∂a = b·aᵇ⁻¹,  ∂(aᵇ)/∂b = aᵇ·ln a", 2),
    Op("exp",      "exp",     lambda a: exp(a),                  lambda a, out: (out,),                              "∂(eᵃ)/∂a = eᵃ"),
    Op("log",      "log",     lambda a: log(a),                  lambda a, out: (divide(1.0, a),),                   "∂(ln a)/∂a = 1/a"),
    Op("tanh",     "tanh",    lambda a: tanh(a),                 lambda a, out: (1.0 - out * out,),                  "∂tanh(a)/∂a = 1 − tanh²(a)"),
    Op("sigmoid",  "σ",       lambda a: sigmoid(a),              lambda a, out: (out * (1.0 - out),),                "∂σ(a)/∂a = σ(a)·(1 − σ(a))"),
    Op("relu",     "relu",    lambda a: a if a > 0 else 0.0,     lambda a, out: (1.0 if a > 0 else 0.0,),            "∂relu(a)/∂a = 1 if a > 0 else 0"),
    Op("leaky_relu", "leaky relu", lambda a, slope: a if a > 0 else slope * a,
                                                                 lambda a, out, slope: (1.0 if a > 0 else slope,),   "∂lrelu(a)/∂a = 1 if a > 0 else slope"),
    Op("abs",      "|·|",     lambda a: abs(a),                  lambda a, out: (sign(a),),                          "∂|a|/∂a = sign(a)"),
)
# fmt: on
