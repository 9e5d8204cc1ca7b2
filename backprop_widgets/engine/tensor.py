"""``Tensor``: a numpy array as one node of the computation graph, so a whole layer is one step of the chain rule."""

from __future__ import annotations

from numbers import Real
from operator import attrgetter
from typing import Any

import numpy as np

from .graph import Node, backward_steps
from .groups import tag
from .ops import format_number
from .tensor_ops import TENSOR_OPS, Index

__all__ = ["Tensor"]

_NO_PARAMS: dict = {}
_data = attrgetter("data")  # a node's numbers (``map(_data, parents)``: a list comprehension, without its call)


class Tensor(Node):
    """An array in a computation graph: its values ``data`` and, after
    ``backward()``, the gradient ``grad`` of the (scalar) output with respect to
    every entry, an array of the same shape.

    It is the same kind of node as ``Value``: ``op``, ``parents``, ``params``
    and ``label`` mean the same, and ``backward_steps`` walks both.  Numbers and
    numpy arrays mixed into arithmetic become constant inputs; numpy's
    broadcasting works on either side, and each input's gradient is summed back
    to its own shape.

    >>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], label="W")
    >>> x = Tensor([1.0, -1.0], label="x")
    >>> y = (W @ x).sigmoid().sum()
    >>> y.backward()
    >>> W
    Tensor(shape=(2, 2), label='W')
    >>> W.grad.round(4)
    array([[ 0.1966, -0.1966],
           [ 0.1966, -0.1966]])
    """

    __slots__ = ("_grad",)  # where ``grad`` keeps the gradient
    _grad: np.ndarray
    ops = TENSOR_OPS
    # Makes numpy hand ``array + tensor`` and ``array @ tensor`` to Tensor's reflected methods.
    __array_ufunc__ = None

    def __init__(self, data: Any, label: str | None = None, *, constant: bool = False) -> None:
        if isinstance(data, Node):
            raise TypeError(f"Tensor(...) takes numbers or an array, not a {type(data).__name__}")
        self.data = np.array(data, dtype=np.float64)  # a copy: the tensor owns its numbers
        self.op = None
        self.parents = ()
        self.params = _NO_PARAMS
        self.label = label
        self.constant = constant
        tag(self)  # the groups (layer, neuron) open while it is made

    @classmethod
    def _apply(cls, op: str, *parents: Tensor, **params: Any) -> Tensor:
        """Make the node for ``op`` applied to ``parents`` (the only way inner nodes are made)."""
        forward = cls.ops[op].forward
        # (``**params`` copies the dict even when it is empty, as it is for most nodes: so only when needed)
        data = forward(*map(_data, parents), **params) if params else forward(*map(_data, parents))
        if type(data) is not np.ndarray:  # numpy answers a 0-d result with a scalar
            data = np.asarray(data, dtype=np.float64)
        out = cls.__new__(cls)
        out.data = data  # no grad yet: backward() gives it one (or, asked for first, zeros: see grad)
        out.op = op
        out.parents = parents
        out.params = params or _NO_PARAMS
        out.label = None
        out.constant = False
        tag(out)
        return out

    @property
    def grad(self) -> np.ndarray:
        """The gradient, an array of ``data``'s shape and of this tensor's own.  Before any backward
        pass it is zeros, made when first asked for (a training step never asks: backward() sets
        every gradient it computes, and nobody asks for the data's or a constant's).

        backward() may leave one read-only array as the gradient of two nodes (an input of + or −
        gets the output's gradient unchanged: see ``first_grad``); asked for, each gets a copy of
        its own, so changing one node's gradient never changes another's.

        (A property, not ``__getattr__``: a class with ``__getattr__`` is slower at every attribute.)
        """
        try:
            grad = self._grad
        except AttributeError:
            grad = self._grad = np.zeros(self.data.shape)
            return grad
        if not grad.flags.writeable:  # shared by backward(), or given so: this tensor's own copy
            grad = self._grad = grad.copy()
        return grad

    @grad.setter
    def grad(self, value: np.ndarray) -> None:
        self._grad = value

    # ---- what the graph needs -------------------------------------------------

    def vjp_args(self) -> list:
        """What ``contribution`` needs: the inputs' arrays (a tensor row's rules are applied to them, input by input)."""
        return list(map(_data, self.parents))

    def contribution(self, index: int, upstream: np.ndarray, args: list) -> Any:
        """Input ``index``'s contribution: its op's rule for that input applied to ``upstream``
        (``args``: the inputs' arrays), without the ``VJP`` object the stepper shows."""
        assert self.op is not None, "an input has no local gradients"
        return self.ops[self.op].local[index].pull(upstream, args, index, self.data, self.params)

    def recompute(self) -> None:
        """Recompute ``data`` from the parents (and keep a 0-d result a 0-d array)."""
        super().recompute()
        if type(self.data) is not np.ndarray:
            self.data = np.asarray(self.data, dtype=np.float64)

    def push_forward(self, tangents: list) -> np.ndarray:
        """Forward mode for this node: the op's JVP turns its inputs' tangents into its own."""
        assert self.op is not None, "only a node made by an op is pushed forward"
        rule = self.ops[self.op]
        assert rule.jvp is not None, f"the {rule.name!r} row has no forward-mode rule"
        return rule.jvp(*[p.data for p in self.parents], *tangents, out=self.data, **self.params)

    def zero(self) -> np.ndarray:
        """A zero gradient of this tensor's shape."""
        return np.zeros(self.data.shape)

    def first_grad(self, contribution: Any, shared: bool) -> np.ndarray:
        """The contribution itself when it is a new array (the op table's VJPs leave no −0.0 in it).

        When it is the upstream gradient passed on unchanged (``shared``: the input of a + or −),
        the two nodes hold that one array, made read-only, in place of a copy (in a training step, a
        copy of ``x @ W``'s gradient for every ``x @ W + b``).  Nothing can change it then: ``grad``
        gives each node a copy of its own when asked for, and the backward pass adds a later
        contribution to a new array.  A view of another array is copied (and a 0-d gradient stays an array).
        """
        if type(contribution) is not np.ndarray:  # numpy's scalar for a 0-d product
            return np.array(contribution, dtype=np.float64)
        if shared:
            contribution.flags.writeable = False
            return contribution
        if contribution.base is not None:
            return contribution.copy()
        return contribution  # (of this tensor's shape: the table's tests check every row's)

    def held_grad(self) -> np.ndarray:
        """The gradient as held, read-only if backward() shared it (``grad`` would copy it)."""
        return self._grad

    def one(self) -> np.ndarray:
        """d(self)/d(self) = 1, for a tensor with one entry (a scalar loss)."""
        if self.data.size != 1:
            raise ValueError(
                f"backward() needs a scalar output; this tensor has shape {self.data.shape}: "
                "call .sum() or .mean() first"
            )
        one = np.array(1.0)  # as np.ones(shape), in fewer steps
        return one if self.data.ndim == 0 else one.reshape(self.data.shape)

    # ---- the backward pass ----------------------------------------------------

    def backward(self) -> None:
        """Fill in ``grad`` on every tensor this one depends on: d(self)/d(entry), entry by entry.

        ``self`` must have a single entry (a loss).  As for ``Value``, gradients
        are recomputed from zero on each call.  Constants (the data, the targets,
        numbers and arrays mixed into arithmetic) get none, as in PyTorch: nothing
        uses them, and a training step is spared the product for every data point.
        """
        for _ in backward_steps(self, record=False, constants=False):
            pass

    def zero_grad(self) -> None:
        """Set this tensor's gradient to zeros (the array is dropped; zeros are made if it is asked for)."""
        try:
            del self._grad
        except AttributeError:  # none yet
            pass

    # ---- shape --------------------------------------------------------------------

    @property
    def shape(self) -> tuple:
        """The shape of ``data`` (and of ``grad``)."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def T(self) -> Tensor:
        """The transpose (a graph node ``ᵀ``)."""
        return Tensor._apply("transpose", self)

    def reshape(self, *shape: int | tuple) -> Tensor:
        """The same entries in another shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        sizes: Any = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        new_shape = tuple(int(n) for n in sizes)
        np.empty(self.data.shape).reshape(new_shape)  # raises numpy's clear error for a wrong size
        return Tensor._apply("reshape", self, shape=new_shape)

    def sum(self, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """The sum of the entries (along ``axis`` if given)."""
        return Tensor._apply("sum", self, **_reduce_params(axis, keepdims, self.data.ndim))

    def mean(self, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """The mean of the entries (along ``axis`` if given)."""
        return Tensor._apply("mean", self, **_reduce_params(axis, keepdims, self.data.ndim))

    def max(self, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """The largest entry (along ``axis`` if given); k entries tied at the max share its gradient, 1/k each.

        >>> t = Tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
        >>> m = t.max(axis=1).sum()
        >>> m.backward()
        >>> t.grad
        array([[0. , 0.5, 0.5],
               [1. , 0. , 0. ]])
        """
        return Tensor._apply("amax", self, **_reduce_params(axis, keepdims, self.data.ndim))

    def var(self, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """The variance mean((t − mean t)²) (along ``axis`` if given), divided by n: biased, as batch norm uses it."""
        return Tensor._apply("var", self, **_reduce_params(axis, keepdims, self.data.ndim))

    def softmax(self, axis: int = -1) -> Tensor:
        """e^t / Σ e^t along ``axis`` (the last by default): each row becomes probabilities that add up to 1.

        >>> Tensor([[0.0, 0.0, 1000.0]]).softmax().data.tolist()
        [[0.0, 0.0, 1.0]]
        """
        return Tensor._apply("softmax", self, **_axis_param(axis, self.ndim))

    def log_softmax(self, axis: int = -1) -> Tensor:
        """t − log Σ e^t along ``axis``, computed stably (the max subtracted first): finite at logits ±1000."""
        return Tensor._apply("log_softmax", self, **_axis_param(axis, self.ndim))

    def __getitem__(self, key: Any) -> Tensor:
        """Entries picked as numpy picks them: ``t[0]``, ``t[:, 1:]``, ``t[range(n), y]`` (one entry per row).

        Backward puts each upstream gradient back where its entry came from, added up
        where an entry was picked more than once.

        >>> t = Tensor([10.0, 20.0, 30.0])
        >>> s = t[[0, 2, 0]].sum()
        >>> s.backward()
        >>> t.grad
        array([2., 0., 1.])
        """
        key = _index_key(key)
        try:
            self.data[key]
        except IndexError as error:
            raise IndexError(f"cannot pick [{Index(key)}] from a tensor of shape {self.shape}: {error}") from None
        return Tensor._apply("index", self, key=Index(key))

    # ---- arithmetic: every operator is a row of the op table ----------------------

    def __add__(self, other: Any) -> Tensor:
        return Tensor._apply("add", self, _wrap(other))

    def __radd__(self, other: Any) -> Tensor:
        return Tensor._apply("add", _wrap(other), self)

    def __sub__(self, other: Any) -> Tensor:
        return Tensor._apply("sub", self, _wrap(other))

    def __rsub__(self, other: Any) -> Tensor:
        return Tensor._apply("sub", _wrap(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return Tensor._apply("mul", self, _wrap(other))

    def __rmul__(self, other: Any) -> Tensor:
        return Tensor._apply("mul", _wrap(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return Tensor._apply("div", self, _wrap(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return Tensor._apply("div", _wrap(other), self)

    def __matmul__(self, other: Any) -> Tensor:
        return _matmul(self, _wrap(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return _matmul(_wrap(other), self)

    def __pow__(self, other: Any) -> Tensor:
        """``t ** 2`` keeps 2 as a constant of the node (so a negative base just
        works); ``t ** u`` with a tensor or an array exponent makes both inputs graph nodes."""
        if type(other) is float or type(other) is int:  # the usual t ** 2, without asking numbers.Real
            return Tensor._apply("pow", self, n=float(other))
        if isinstance(other, bool):
            raise TypeError("a tensor's exponent must be a number or a tensor, not a bool")
        if isinstance(other, Real):
            return Tensor._apply("pow", self, n=float(other))
        return Tensor._apply("powv", self, _wrap(other))

    def __rpow__(self, other: Any) -> Tensor:
        """``2.0 ** t``: the base becomes a constant input, the exponent is this tensor."""
        return Tensor._apply("powv", _wrap(other), self)

    def __neg__(self) -> Tensor:
        return Tensor._apply("neg", self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return Tensor._apply("abs", self)

    def abs(self) -> Tensor:
        """|t|, entry by entry."""
        return Tensor._apply("abs", self)

    def exp(self) -> Tensor:
        """e to the power of each entry."""
        return Tensor._apply("exp", self)

    def log(self) -> Tensor:
        """Natural logarithm of each entry (``log(0)`` is ``-inf``, with a warning)."""
        return Tensor._apply("log", self)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent of each entry."""
        return Tensor._apply("tanh", self)

    def sigmoid(self) -> Tensor:
        """The logistic function 1 / (1 + e^-x) of each entry."""
        return Tensor._apply("sigmoid", self)

    def relu(self) -> Tensor:
        """max(0, x) for each entry."""
        return Tensor._apply("relu", self)

    def leaky_relu(self, slope: float = 0.01) -> Tensor:
        """x where x > 0, else slope * x."""
        return Tensor._apply("leaky_relu", self, slope=float(slope))

    def sin(self) -> Tensor:
        """Sine of each entry (in radians)."""
        return Tensor._apply("sin", self)

    def cos(self) -> Tensor:
        """Cosine of each entry (in radians)."""
        return Tensor._apply("cos", self)

    def sqrt(self) -> Tensor:
        """Square root of each entry (``sqrt(-1)`` is nan, with a warning)."""
        return Tensor._apply("sqrt", self)

    def maximum(self, other: Any) -> Tensor:
        """The larger of the two, entry by entry (numpy's broadcasting applies).

        >>> a, b = Tensor([1.0, 5.0, 2.0]), Tensor([3.0, 4.0, 2.0])
        >>> m = a.maximum(b).sum()
        >>> m.backward()
        >>> a.grad, b.grad
        (array([0. , 1. , 0.5]), array([1. , 0. , 0.5]))
        """
        return Tensor._apply("maximum", self, _wrap(other))

    def minimum(self, other: Any) -> Tensor:
        """The smaller of the two, entry by entry."""
        return Tensor._apply("minimum", self, _wrap(other))

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        """Each entry held inside [lo, hi] (``None`` leaves that side open)."""
        lo = -np.inf if lo is None else float(lo)
        hi = np.inf if hi is None else float(hi)
        if lo > hi:
            raise ValueError(f"clip needs lo <= hi, not lo={lo} > hi={hi}")
        return Tensor._apply("clip", self, lo=lo, hi=hi)

    # ---- how it prints ---------------------------------------------------------

    def item(self) -> float:
        """The single entry as a Python float."""
        return self.data.item()

    def __float__(self) -> float:
        return float(self.data)

    def __repr__(self) -> str:
        parts = [f"shape={self.data.shape}"]
        if self.data.size == 1:
            parts.append(f"data={format_number(float(self.data.flat[0]), 6)}")
        if self.label is not None:
            parts.append(f"label={self.label!r}")
        if self.op is not None:
            parts.append(f"op={self.op!r}")
        return f"Tensor({', '.join(parts)})"


def _wrap(x: Any) -> Tensor:
    """Numbers and arrays mixed into arithmetic become constant input nodes."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):
        raise TypeError(f"cannot mix a Tensor with a {type(x).__name__} in one graph")
    return Tensor(x, constant=True)


def _reduce_params(axis: Any, keepdims: bool, ndim: int) -> dict:
    """Only the constants that differ from the defaults, so the picture says just ``Σ``.

    A single number has one axis to speak of, as in PyTorch: ``t.sum(0)`` of a
    0-d tensor is the number itself.
    """
    if axis is None and not keepdims:  # the usual .sum() and .mean(): nothing to check or keep
        return _NO_PARAMS
    params: dict = {}
    if ndim == 0 and axis is not None:
        axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
        if any(a not in (0, -1) for a in axes):
            raise ValueError(f"axis {axis!r} is out of range for a tensor with no axes (a single number)")
        axis = None
    if axis is not None:
        params["axis"] = tuple(int(a) for a in axis) if isinstance(axis, (tuple, list)) else int(axis)
    if keepdims:
        params["keepdims"] = True
    return params


def _axis_param(axis: int, ndim: int) -> dict:
    """softmax's axis as a constant of the node, only when it is not the last (so the picture says just softmax)."""
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"axis {axis} is out of range for a tensor with {ndim} axes")
    return {} if axis in (-1, ndim - 1) else {"axis": int(axis)}


def _index_key(key: Any) -> Any:
    """A key numpy can use: lists, ranges and Tensors of whole numbers become integer arrays."""
    if isinstance(key, tuple):
        return tuple(_index_part(k) for k in key)
    return _index_part(key)


def _index_part(k: Any) -> Any:
    if isinstance(k, (slice, int, np.integer)) or k is None or k is Ellipsis:
        return k
    array = np.asarray(k.data if isinstance(k, Tensor) else k)
    if array.dtype == bool:
        return array
    if array.dtype.kind == "f" and np.all(array == np.round(array)):
        array = array.astype(np.int64)  # a Tensor of labels holds floats
    if array.dtype.kind not in "iu":
        raise IndexError(f"a tensor is indexed by whole numbers, slices or arrays of them, not {array.dtype} {k!r}")
    return array


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    if not (0 < a.data.ndim < 3 and 0 < b.data.ndim < 3):
        raise ValueError(f"@ takes vectors and matrices, not shapes {a.shape} @ {b.shape}")
    try:
        return Tensor._apply("matmul", a, b)
    except ValueError:  # numpy's message names gufunc signatures; say it with the shapes
        raise ValueError(
            f"cannot multiply {a.shape} @ {b.shape}: the inner sizes {a.shape[-1]} and {b.shape[0]} differ"
        ) from None
