"""A student's own engine as a kit graph: any micrograd-style scalar graph, mirrored without being changed.

A *foreign* node is any object with ``data`` and ``grad`` whose inputs are in
``_prev`` (micrograd), ``_children``, ``parents`` or ``children`` and whose op
name is in ``_op`` or ``op``.  ``as_graph(root)`` mirrors its graph into
``ForeignNode``s, the kit's own kind of node, so the pictures, steppers and
path views take it as they take a ``Value``.  Each mirror node keeps the
student's object (``student``), the student's numbers, and its local
gradients *read from the student's own code*: its ``_backward`` is called with
``out.grad = 1`` and the inputs' gradients at 0, what arrives is read, and
every gradient is put back exactly as it was.

A mirror can also be moved: give a leaf new ``data`` and ``evaluate`` the
mirror, and each node is recomputed by the student's own code (its op re-run,
through the student's own operators and methods, on copies of its inputs that
hold the new numbers), its local gradients read again from the new node's
``_backward``.  The student's objects are never changed: only throwaway copies
are run.  So an ``Explorer`` can drag a student's inputs, and ``gradcheck``
can hold the student's backward rules against finite differences of the
student's forward rules.

Whatever is wrong with the student's graph (no inputs attribute, a cycle, a
``_backward`` that raises or gives nan) is a ``StudentGraphError`` whose
message names the node and what is missing; in Jupyter it shows as that
sentence alone, without a traceback from the kit.

>>> class V:                                     # a student's class, as in the micrograd lecture
...     def __init__(self, data, _children=(), _op=""):
...         self.data, self.grad, self._prev, self._op = data, 0.0, tuple(_children), _op
...         self._backward = lambda: None
...     def __mul__(self, other):
...         out = V(self.data * other.data, (self, other), "*")
...         def _backward():
...             self.grad += other.data * out.grad
...             other.grad += self.data * out.grad
...         out._backward = _backward
...         return out
>>> a, b = V(2.0), V(3.0)
>>> f = as_graph(a * b)
>>> f.op, [p.data for p in f.parents], f.local_grads()
('mul', [2.0, 3.0], (3.0, 2.0))
>>> a.grad, b.grad                               # the student's gradients are untouched
(0.0, 0.0)
"""

from __future__ import annotations

import copy
import math
import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from numbers import Real
from typing import Any

from .graph import Node, backward_steps, topological_order
from .ops import SCALAR_OPS, Op, Slope, format_number

__all__ = [
    "ForeignNode",
    "StudentGraphError",
    "as_graph",
    "mirror_of",
    "student_of",
    "keyed_by_student",
    "is_foreign",
    "kit_op",
    "describe",
    "inputs_of",
    "read_local_grads",
    "preserved_grads",
    "CHILDREN",
    "OP_NAMES",
]

CHILDREN = ("_prev", "_children", "parents", "children")  # where a node's inputs may be kept, in this order
OP_ATTRIBUTES = ("_op", "op")

# micrograd's spellings (and a student's usual ones) of the kit's ops; "**k" is read apart (pow, n=k)
OP_NAMES = {
    "+": "add",
    "add": "add",
    "*": "mul",
    "mul": "mul",
    "-": "sub",
    "sub": "sub",
    "/": "div",
    "div": "div",
    "neg": "neg",
    "tanh": "tanh",
    "exp": "exp",
    "log": "log",
    "ReLU": "relu",
    "relu": "relu",
    "sigmoid": "sigmoid",
}

# How a node is re-run on new numbers: the kit's op name -> the student's operator that made it (a method
# named as the op, such as tanh(), is called on the input; "**k" is a ** k).
OPERATORS: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "mul": operator.mul,
    "sub": operator.sub,
    "div": operator.truediv,
    "neg": operator.neg,
}
ORDERED = {"sub", "div"}  # ops whose inputs' order matters: checked once against the student's own number

# The mirror's op table: the kit's rows for their symbols and names, without the "said" formulas,
# since a student's node shows the local gradient the student's code gives, not the kit's formula.
FOREIGN_OPS: dict[str, Op] = {name: replace(op, said=()) for name, op in SCALAR_OPS.items()}


class StudentGraphError(ValueError):
    """What is wrong with a student's graph, in one sentence naming the node (no traceback in Jupyter)."""

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of the traceback
        return [f"{type(self).__name__}: {self}"]


def is_foreign(obj: Any) -> bool:
    """Is ``obj`` a scalar graph node of someone else's engine (``data`` and ``grad``, not a kit node)?"""
    return not isinstance(obj, Node) and hasattr(obj, "data") and hasattr(obj, "grad")


def kit_op(spelling: Any) -> tuple[str | None, dict]:
    """The kit's op name and constants for a student's op spelling: ``'**2'`` is ``('pow', {'n': 2.0})``.

    >>> kit_op("*"), kit_op("**-1"), kit_op("ReLU"), kit_op("softplus"), kit_op("")
    (('mul', {}), ('pow', {'n': -1.0}), ('relu', {}), (None, {}), (None, {}))
    """
    text = str(spelling or "").strip()
    if text.startswith("**") or text.startswith("^"):
        try:
            return "pow", {"n": float(text.lstrip("*^"))}
        except ValueError:
            return None, {}
    return OP_NAMES.get(text), {}


def op_spelling(obj: Any) -> str:
    """The op name a student's node carries ('' for an input)."""
    for name in OP_ATTRIBUTES:
        value = getattr(obj, name, None)
        if value is not None and not callable(value):
            return str(value)
    return ""


def describe(obj: Any) -> str:
    """A student's node in words: ``the node 'L' (data 2)``, ``the '*' node (data 6)``, ``the input (data 3)``."""
    data = getattr(obj, "data", None)
    number = format_number(float(data)) if data is not None and _is_number(data) else repr(data)
    label = getattr(obj, "label", None)
    if label:
        return f"the node '{label}' (data {number})"
    op = op_spelling(obj)
    return f"the '{op}' node (data {number})" if op else f"the input (data {number})"


def inputs_of(obj: Any) -> tuple:
    """A student's node's inputs, in a fixed order, each once (a node used twice by one op is one edge).

    ``_prev`` in micrograd is a set: its order is the one micrograd's own
    topological sort follows (it changes between runs, with the objects'
    addresses), taken reversed, so that the kit's backward pass visits the
    nodes in micrograd's order and adds the same numbers in the same order:
    the gradients are micrograd's to the last bit.
    """
    for name in CHILDREN:
        if hasattr(obj, name):
            children = getattr(obj, name)
            break
    else:
        raise StudentGraphError(
            f"{describe(obj)} has no _prev (nor _children, parents or children): "
            "the kit cannot find its inputs. Keep them as self._prev = set(_children), as in micrograd."
        )
    if children is None:
        return ()
    try:
        found = list(children)
    except TypeError:
        raise StudentGraphError(
            f"{describe(obj)} keeps its inputs in {type(children).__name__}, which is not a collection: "
            "give it a tuple or set of the nodes it was made from."
        ) from None
    if isinstance(children, (set, frozenset)):  # reversed, so the kit's backward visits nodes as micrograd's does
        found.reverse()
    unique: dict[int, Any] = {}
    for child in found:
        unique.setdefault(id(child), child)
    return tuple(unique.values())


@contextmanager
def preserved_grads(nodes: Iterable[Any]) -> Iterator[None]:
    """Whatever happens inside, every node's ``grad`` is put back to the very object it was."""
    saved = [(node, node.grad) for node in nodes]
    try:
        yield
    finally:
        for node, grad in reversed(saved):
            try:
                node.grad = grad
            except AttributeError:  # a class that refuses the assignment: nothing was changed there
                pass


def read_local_grads(obj: Any, inputs: tuple, *, upstream: float = 1.0, start: float = 0.0) -> tuple:
    """What the student's ``_backward`` of ``obj`` adds to each input, with ``obj.grad = upstream`` and
    every input's gradient at ``start``: with 1 and 0, its local gradients.  Every gradient is restored.
    """
    backward = getattr(obj, "_backward", None)
    if not callable(backward):
        raise StudentGraphError(
            f"{describe(obj)} has no _backward: the kit cannot read its local gradients. "
            "Give every node made by an op a function out._backward that adds to its inputs' .grad."
        )
    with preserved_grads((obj, *inputs)):
        obj.grad = upstream
        for child in inputs:
            child.grad = start
        try:
            backward()
        except Exception as error:  # the student's code: any exception is a finding, named
            raise StudentGraphError(f"{describe(obj)}: its _backward raised {type(error).__name__}: {error}") from None
        arrived = tuple(child.grad for child in inputs)
    for child, value in zip(inputs, arrived, strict=True):
        if not _is_number(value):
            raise StudentGraphError(
                f"{describe(obj)}: its _backward left {describe(child)} with grad {value!r}, not a number."
            )
    return tuple(float(value) for value in arrived)


class ForeignNode(Node):
    """A mirror of one node of a student's graph: the student's numbers, the kit's kind of node.

    ``student`` is the student's own object.  ``op`` is the kit's name for the
    student's op where the kit knows it (so the picture shows its symbol),
    otherwise the student's spelling.  Its local gradients are the ones read
    from the student's ``_backward``; backward passes on mirrors set the
    mirrors' gradients, never the student's.
    """

    __slots__ = ("student", "spelling", "_local", "_order")
    ops = FOREIGN_OPS
    student: Any
    spelling: str
    _local: tuple
    _order: tuple | None  # the inputs in the order the student's operator takes them (found on the first re-run)

    def local_grads(self) -> tuple:
        return tuple(Slope(g) for g in self._local)

    def vjp(self, local_grads: tuple | None = None) -> Callable[[int, Any], Any]:
        local = self._local if local_grads is None else local_grads
        return lambda index, upstream: local[index] * upstream

    def vjp_args(self) -> tuple:
        return self._local  # the local gradients read from the student's _backward

    def push_forward(self, tangents: list) -> Any:
        return sum((g * t for g, t in zip(self._local, tangents, strict=True)), 0.0)

    def recompute(self) -> None:
        """This node's value from its inputs' current values, by the student's own code: its op re-run on
        copies of the student's input objects holding the new numbers; its local gradients read again."""
        if self._order is None:  # which way round the student's operator takes its inputs (a set keeps no order)
            self._order = self._inputs_order()
        copies = {id(p): _copy_with(p.student, p.data) for p in self.parents}
        out = self._rerun([copies[id(p)] for p in self._order])
        self.data = float(out.data)
        self._local = _checked_local(out, tuple(copies[id(p)] for p in self.parents))

    def _rerun(self, inputs: list) -> Any:
        """The student's op on ``inputs`` (student objects): a new student node, whose data is checked."""
        name, params = kit_op(self.spelling)
        arity = self.ops[name].arity if name in self.ops else len(inputs)
        args = inputs * 2 if arity == 2 and len(inputs) == 1 else inputs  # a * a: one input, used twice
        try:
            if name == "pow":
                n = params["n"]
                out = operator.pow(args[0], int(n) if n.is_integer() else n)
            elif name in OPERATORS:
                out = OPERATORS[name](*args)
            else:  # a method named as the op: tanh(), exp(), relu() (or ReLU()), sigmoid(), log(), or the student's own
                method = next(
                    (
                        getattr(args[0], m)
                        for m in (self.spelling, name, str(name).lower())
                        if m and callable(getattr(args[0], m, None))
                    ),
                    None,
                )
                if method is None or len(args) != 1:
                    raise StudentGraphError(
                        f"{describe(self.student)}: the kit cannot re-run its op '{self.spelling}' on new numbers "
                        "(it calls +, -, *, /, ** and a method named as the op, such as tanh()), "
                        "so this graph is not recomputed."
                    )
                out = method()
        except StudentGraphError:
            raise
        except Exception as error:  # the student's code: any exception is a finding, named
            raise StudentGraphError(
                f"{describe(self.student)}: re-running its op '{self.spelling}' on new numbers raised "
                f"{type(error).__name__}: {error}"
            ) from None
        if not _is_number(getattr(out, "data", None)):
            raise StudentGraphError(f"{describe(self.student)}: re-running its op '{self.spelling}' gave no number.")
        return out

    def _inputs_order(self) -> tuple:
        """The inputs in the order the student's operator takes them: as mirrored, unless the op's inputs'
        order matters and only the other order gives the student's own value at the student's own numbers."""
        parents = self.parents
        if len(parents) != 2 or kit_op(self.spelling)[0] not in ORDERED:
            return parents
        originals = [_copy_with(p.student, float(p.student.data)) for p in parents]
        if _same(self._rerun(originals).data, self.student.data):
            return parents
        if _same(self._rerun(originals[::-1]).data, self.student.data):
            return parents[::-1]
        return parents

    def backward(self) -> None:
        """The kit's backward pass over the mirror, with the student's local gradients (the student's graph is untouched)."""
        for _ in backward_steps(self, record=False):
            pass

    def zero_grad(self) -> None:
        self.grad = 0.0

    def __repr__(self) -> str:
        return f"ForeignNode({describe(self.student)}, grad={format_number(float(self.grad))})"


def as_graph(root: Any, *, read_local: bool = True, model: Any = None) -> Any:
    """The graph that ends in ``root`` as kit nodes: ``root`` itself if it is one, else its mirror.

    Raises ``StudentGraphError`` (one sentence, naming the node) for a graph
    the kit cannot read.  ``read_local=False`` mirrors only the numbers and
    structure (no ``_backward`` is called): enough for a picture.  A PyTorch
    tensor is mirrored by ``torch_graph`` (``model`` names its parameters).
    """
    if type(root).__module__.split(".")[0] == "torch" or model is not None:  # PyTorch's own backward graph
        from .torch_graph import torch_graph

        return torch_graph(root, model=model)
    if isinstance(root, Node) or not is_foreign(root):
        return root
    order, inputs = student_order(root)
    mirrors: dict[int, ForeignNode] = {}
    with preserved_grads(order):  # whatever a _backward does elsewhere in the graph is undone too
        for obj in order:
            mirrors[id(obj)] = _mirror(obj, tuple(mirrors[id(c)] for c in inputs[id(obj)]), read_local)
    return mirrors[id(root)]


def mirror_of(root: Any, obj: Any) -> Any:
    """The mirror of a student's node ``obj`` in the mirrored graph ``root`` (``obj`` itself if it is a kit node)."""
    if not is_foreign(obj) or not hasattr(root, "student"):  # None, a kit node, a Step; a PyTorch mirror has one too
        return obj
    for node in topological_order(root):
        if getattr(node, "student", None) is obj:
            return node
    raise StudentGraphError(f"{describe(obj)} is not in this graph")


def student_of(node: Any) -> Any:
    """The student's own object behind a mirror node (a kit node is its own)."""
    return getattr(node, "student", node)  # a ForeignNode's or a PyTorch mirror's (torch_graph)


class StudentKeyed(dict):
    """Gradients keyed by the student's own objects, that a mirror node looks up as well (the pictures do)."""

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(student_of(key))

    def __contains__(self, key: object) -> bool:
        return super().__contains__(student_of(key))

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(student_of(key), default)


def keyed_by_student(by_node: dict) -> dict:
    """``by_node`` keyed by the student's objects where its nodes are mirrors (else as it is)."""
    if not any(hasattr(node, "student") for node in by_node):  # a ForeignNode or a PyTorch mirror (torch_graph)
        return by_node
    return StudentKeyed((student_of(node), value) for node, value in by_node.items())


def student_order(root: Any) -> tuple[list, dict[int, tuple]]:
    """Every node of a student's graph, inputs first (iteratively: a 5,000-node chain is fine), with
    each node's inputs; a cycle or a node without data is a ``StudentGraphError``."""
    inputs: dict[int, tuple] = {}
    order: list = []
    done: set[int] = set()
    on_path: dict[int, Any] = {}
    stack: list[tuple[Any, Iterator]] = []

    def enter(obj: Any) -> None:
        if not _is_number(getattr(obj, "data", None)):
            raise StudentGraphError(
                f"{describe(obj)} has no number in .data (it holds {getattr(obj, 'data', None)!r}): "
                "every node needs its value as a number."
            )
        if not hasattr(obj, "grad"):
            raise StudentGraphError(f"{describe(obj)} has no .grad: give every node self.grad = 0.0.")
        inputs[id(obj)] = inputs_of(obj)
        on_path[id(obj)] = obj
        stack.append((obj, iter(inputs[id(obj)])))

    enter(root)
    while stack:
        obj, pending = stack[-1]
        for child in pending:
            if id(child) in on_path:
                raise StudentGraphError(
                    f"{describe(child)} is among its own inputs (through {describe(obj)}): the graph has a cycle, "
                    "so there is no order to run backward in. Make each op a new node."
                )
            if id(child) not in done:
                enter(child)
                break
        else:
            stack.pop()
            del on_path[id(obj)]
            done.add(id(obj))
            order.append(obj)
    return order, inputs


def _mirror(obj: Any, parents: tuple, read_local: bool) -> ForeignNode:
    node = ForeignNode.__new__(ForeignNode)
    node.student = obj
    node.spelling = op_spelling(obj) if parents else ""
    name, params = kit_op(node.spelling)
    node.op = (name or node.spelling or "op") if parents else None
    node.params = params
    node.parents = parents
    node.data = float(obj.data)
    node.grad = float(obj.grad) if _is_number(obj.grad) else 0.0
    label = getattr(obj, "label", None)
    node.label = str(label) if label else None
    node.constant = False
    node._local = ()
    node._order = None
    if parents and read_local:
        node._local = _checked_local(obj, tuple(p.student for p in parents))
    return node


def _checked_local(obj: Any, inputs: tuple) -> tuple:
    """``read_local_grads`` of a student's node, with a nan from finite numbers named in a sentence."""
    local = read_local_grads(obj, inputs)
    for child, value in zip(inputs, local, strict=True):
        if math.isnan(value) and all(math.isfinite(float(n.data)) for n in (obj, *inputs)):
            raise StudentGraphError(
                f"{describe(obj)}: its _backward gives nan as the gradient of {describe(child)}, "
                "from finite numbers. Look for 0/0, inf - inf or a log of a negative number there."
            )
    return local


def _copy_with(obj: Any, data: float) -> Any:
    """A throwaway copy of a student's object holding ``data`` (grad 0): what a re-run op is given."""
    twin = copy.copy(obj)
    twin.data = data
    twin.grad = 0.0
    return twin


def _same(a: Any, b: Any) -> bool:
    return a == b or abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(b)))


def _is_number(x: Any) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)  # numpy's scalars are Real too
