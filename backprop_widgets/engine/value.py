"""``Value``: one scalar node of the computation graph, with PyTorch's names (data, grad, backward)."""

from __future__ import annotations

from numbers import Real

from .graph import Node, backward_steps
from .groups import tag
from .ops import SCALAR_OPS, format_number

__all__ = ["Value"]

Number = int | float
_NO_PARAMS: dict = {}


class Value(Node):
    """A scalar in a computation graph: its value ``data`` and, after
    ``backward()``, the gradient ``grad`` of the output with respect to it.

    ``op`` names the row of the op table that made it (``None`` for an input),
    ``parents`` are its inputs in order, and ``label`` is the name the pictures
    show.  Numbers mixed into arithmetic become constant inputs.

    >>> x = Value(1.0, label="x")
    >>> g = (4 * x + 1) ** 2
    >>> g.backward()
    >>> g.data, x.grad
    (25.0, 40.0)
    """

    __slots__ = ()
    ops = SCALAR_OPS

    def __init__(self, data: Number, label: str | None = None, *, constant: bool = False) -> None:
        if isinstance(data, Value):
            raise TypeError("Value(...) takes a number; this is already a Value")
        if not isinstance(data, Real):
            raise TypeError(f"Value(...) takes a real number, not {type(data).__name__}: {data!r}")
        self.data = float(data)
        self.grad = 0.0
        self.op = None
        self.parents = ()
        self.params = _NO_PARAMS
        self.label = label
        self.constant = constant
        tag(self)  # the groups (layer, neuron) open while it is made

    @classmethod
    def _apply(cls, op: str, *parents: Value, **params: float) -> Value:
        """Make the node for ``op`` applied to ``parents`` (the only way inner nodes are made)."""
        rule = cls.ops[op]
        out = cls.__new__(cls)
        out.data = float(rule.forward(*[p.data for p in parents], **params))
        out.grad = 0.0
        out.op = op
        out.parents = parents
        out.params = params or _NO_PARAMS
        out.label = None
        out.constant = False
        tag(out)
        return out

    # ---- the backward pass -------------------------------------------------

    def backward(self) -> None:
        """Fill in ``grad`` on every node this one depends on: d(self)/d(node).

        Gradients are recomputed from zero each call, so calling ``backward()``
        twice gives the same gradients as calling it once.  (PyTorch instead adds
        to the old gradients until you call ``zero_grad``; here a graph's
        gradients always describe its last backward pass, which is what a
        picture of the graph should show.)  Within one pass, contributions ADD:
        ``x * x`` gives ``x.grad == 2 * x.data``.
        """
        for _ in backward_steps(self, record=False):
            pass

    def zero_grad(self) -> None:
        """Set this node's gradient to zero."""
        self.grad = 0.0

    # ---- arithmetic: every operator is a row of the op table --------------

    def __add__(self, other: Value | Number) -> Value:
        return Value._apply("add", self, _wrap(other))

    def __radd__(self, other: Number) -> Value:
        return Value._apply("add", _wrap(other), self)

    def __sub__(self, other: Value | Number) -> Value:
        return Value._apply("sub", self, _wrap(other))

    def __rsub__(self, other: Number) -> Value:
        return Value._apply("sub", _wrap(other), self)

    def __mul__(self, other: Value | Number) -> Value:
        return Value._apply("mul", self, _wrap(other))

    def __rmul__(self, other: Number) -> Value:
        return Value._apply("mul", _wrap(other), self)

    def __truediv__(self, other: Value | Number) -> Value:
        return Value._apply("div", self, _wrap(other))

    def __rtruediv__(self, other: Number) -> Value:
        return Value._apply("div", _wrap(other), self)

    def __pow__(self, other: Value | Number) -> Value:
        """``x ** 2`` keeps 2 as a constant of the node (so a negative base just
        works); ``x ** y`` with a Value exponent makes both inputs graph nodes."""
        if isinstance(other, Value):
            return Value._apply("powv", self, other)
        return Value._apply("pow", self, n=_check_number(other))

    def __rpow__(self, other: Number) -> Value:
        return Value._apply("powv", _wrap(other), self)

    def __neg__(self) -> Value:
        return Value._apply("neg", self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return Value._apply("abs", self)

    def exp(self) -> Value:
        """e to the power of this value."""
        return Value._apply("exp", self)

    def log(self) -> Value:
        """Natural logarithm (``log(0)`` is ``-inf``, with a warning)."""
        return Value._apply("log", self)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return Value._apply("tanh", self)

    def sigmoid(self) -> Value:
        """The logistic function 1 / (1 + e^-x)."""
        return Value._apply("sigmoid", self)

    def relu(self) -> Value:
        """max(0, x)."""
        return Value._apply("relu", self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x."""
        return Value._apply("leaky_relu", self, slope=_check_number(slope))

    def sin(self) -> Value:
        """Sine (in radians)."""
        return Value._apply("sin", self)

    def cos(self) -> Value:
        """Cosine (in radians)."""
        return Value._apply("cos", self)

    def sqrt(self) -> Value:
        """Square root (``sqrt`` of a negative number is nan, with a warning)."""
        return Value._apply("sqrt", self)

    def max(self, other: Value | Number) -> Value:
        """The larger of the two: CS231n's max gate, which routes the gradient to the larger input.

        >>> a, b = Value(2.0), Value(5.0)
        >>> m = a.max(b)
        >>> m.backward()
        >>> m.data, a.grad, b.grad
        (5.0, 0.0, 1.0)
        """
        return Value._apply("max", self, _wrap(other))

    def min(self, other: Value | Number) -> Value:
        """The smaller of the two (the gradient goes to the smaller input)."""
        return Value._apply("min", self, _wrap(other))

    # ---- how it prints -----------------------------------------------------

    def __repr__(self) -> str:
        parts = [f"data={format_number(self.data, 6)}", f"grad={format_number(self.grad, 6)}"]
        if self.label is not None:
            parts.append(f"label={self.label!r}")
        if self.op is not None:
            parts.append(f"op={self.op!r}")
        return f"Value({', '.join(parts)})"

    def __float__(self) -> float:
        return self.data


def _check_number(x: object) -> float:
    """``x`` as a float, if it is a real number (True and False are not)."""
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"expected a number or a Value, got {type(x).__name__}: {x!r}")
    return float(x)


def _wrap(x: Value | Number) -> Value:
    """Numbers mixed into arithmetic become constant input nodes."""
    if isinstance(x, Value):
        return x
    return Value(_check_number(x), constant=True)
