"""The computation graph: node order, the backward pass (the chain rule, in one place), and re-evaluation.

Everything here works on any node that has ``data``, ``grad``, ``op``,
``parents`` and ``params`` and whose class names its op table (``Value`` for
scalars, ``Tensor`` for arrays).  Traversals are iterative, so a 100,000-node
chain is an example, not a ``RecursionError``; and they follow ``parents`` in
order, so the same graph gives the same node order in every process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from .arrays import ndim
from .arrays import numpy as np

__all__ = [
    "Node",
    "Step",
    "ForwardStep",
    "topological_order",
    "backward_steps",
    "forward_steps",
    "evaluate",
    "forward_derivatives",
]


class Node:
    """What every graph node has.  Subclasses set ``ops`` (their op table)."""

    __slots__ = ("data", "grad", "op", "parents", "params", "label", "constant", "__weakref__")
    ops: ClassVar[dict] = {}

    data: Any
    grad: Any
    op: str | None
    parents: tuple
    params: dict
    label: str | None
    constant: bool

    def local_grads(self) -> tuple:
        """This node's local gradients, one ``LocalGrad`` per parent, at the current values (made by its op's row)."""
        assert self.op is not None, "an input has no local gradients"
        return self.ops[self.op].bind([p.data for p in self.parents], self.data, self.params)

    def vjp(self, local_grads: tuple | None = None) -> Callable[[int, Any], Any]:
        """This node's part of the chain rule: ``vjp(i, upstream)`` is input i's local gradient × ``upstream``.

        Given ``local_grads`` (the stepper's, one per input) it applies those; without, its
        ``contribution`` (the op's rule applied to the numbers, as ``backward()`` does).
        """
        if local_grads is None:
            args = self.vjp_args()
            return lambda index, upstream: self.contribution(index, upstream, args)
        given = self._one_per_input(local_grads)
        return lambda index, upstream: given[index] * upstream

    def vjp_args(self) -> Any:
        """What ``contribution`` needs, made once per node and backward pass: here the local gradients,
        as plain numbers (a scalar row gives all its inputs' at once)."""
        return self._one_per_input(
            self.ops[self.op].local(*[p.data for p in self.parents], out=self.data, **self.params)
        )

    def _one_per_input(self, local_grads: tuple) -> tuple:
        if len(local_grads) != len(self.parents):  # a row that would drop (or invent) a gradient
            raise ValueError(
                f"the {self.op!r} row gives {len(local_grads)} local gradient(s) for {len(self.parents)} input(s)"
            )
        return local_grads

    def contribution(self, index: int, upstream: Any, args: Any) -> Any:
        """Input ``index``'s contribution to its gradient: its local gradient × ``upstream`` (``args``: ``vjp_args()``)."""
        return args[index] * upstream

    def recompute(self) -> None:
        """Recompute ``data`` from the parents' current ``data`` (the forward rule)."""
        rule = self.ops[self.op]
        self.data = rule.forward(*[p.data for p in self.parents], **self.params)

    def push_forward(self, tangents: list) -> Any:
        """Forward mode for this node: its tangent from its inputs' tangents,
        the sum over inputs of local gradient × that input's tangent (the chain rule, forward)."""
        rule = self.ops[self.op]
        total = 0.0
        for local_grad, tangent in zip(
            rule.local(*[p.data for p in self.parents], out=self.data, **self.params), tangents, strict=True
        ):
            total += local_grad * tangent
        return total

    def zero(self) -> Any:
        """A zero gradient of this node's shape."""
        return 0.0

    def first_grad(self, contribution: Any, shared: bool) -> Any:
        """This node's gradient after its first contribution: zero + contribution.

        ``shared`` says that ``contribution`` is another node's gradient (an
        input passed on unchanged), which an array must not simply become.
        Adding to zero also turns −0.0 into 0.0, as ``grad += contribution``
        on zeros would.
        """
        return self.zero() + contribution

    def one(self) -> Any:
        """The gradient of a node with respect to itself (a scalar output)."""
        return 1.0

    def held_grad(self) -> Any:
        """The gradient as the node holds it, for the backward pass to read (``grad``, for a scalar)."""
        return self.grad


@dataclass(frozen=True)
class Step:
    """One edge of the backward pass: ``contribution = local_grad × upstream_grad``.

    ``node`` is the node whose gradient is being passed down, ``parent`` the input
    that receives it (``index`` says which input), and ``total`` is the parent's
    gradient after this contribution was ADDED to it.
    """

    node: Any
    parent: Any
    index: int
    local_grad: Any
    upstream_grad: Any
    contribution: Any
    total: Any

    def __repr__(self) -> str:
        who = self.parent.label or self.parent.op or "leaf"
        return (
            f"Step({self.node.op} -> {who}: local {self.local_grad!r} × upstream "
            f"{self.upstream_grad!r} = {self.contribution!r}, total {self.total!r})"
        )


@dataclass(frozen=True)
class ForwardStep:
    """One node of forward mode: its tangent from its inputs' tangents.

    ``terms`` holds, for each input that moves with ``wrt``, ``(index, input,
    local_grad, the input's tangent, local_grad.jvp(that tangent))``; ``tangent``
    is the node's own, their sum (the op's JVP, as ``forward_derivatives`` gives it).
    """

    node: Any
    terms: tuple
    tangent: Any

    def __repr__(self) -> str:
        who = self.node.label or self.node.op
        return f"ForwardStep({who}: tangent {self.tangent!r} from {len(self.terms)} input(s))"


def topological_order(root: Node, *, last_input_first: bool = False) -> list[Node]:
    """Every node that ``root`` depends on, inputs before the nodes that use them.

    Depth-first over ``parents`` in order, without recursion.  The root is last.
    With ``last_input_first`` the inputs are visited in reverse, so that read
    backwards the order walks a node's first input before its second (the order
    of the backward pass).

    >>> from backprop_widgets import Value
    >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
    >>> [n.label or n.op for n in topological_order(a * b + a)]
    ['a', 'b', 'mul', 'add']
    """
    order: list[Node] = []
    seen: set[Node] = {root}
    stack = [
        (root, reversed(root.parents) if last_input_first else iter(root.parents))
    ]  # each node with the inputs it has yet to visit
    while stack:
        node, to_visit = stack[-1]
        for parent in to_visit:
            if parent not in seen:
                seen.add(parent)
                if parent.parents:
                    stack.append((parent, reversed(parent.parents) if last_input_first else iter(parent.parents)))
                    break
                order.append(parent)  # an input: nothing to visit before it
        else:  # every input done: the node comes after them
            stack.pop()
            order.append(node)
    return order


def backward_steps(root: Node, *, record: bool = True, constants: bool = True) -> Iterator[Step]:
    """Run the backward pass from ``root``, yielding one ``Step`` per edge.

    First every gradient in the graph is set to zero and ``root.grad`` to 1
    (droot/droot = 1).  Then the nodes are visited from the root towards the
    inputs; when a node is visited its gradient is complete, because everything
    that uses it came later in the forward order.  For each of its inputs the
    chain rule gives a contribution, local gradient times upstream gradient,
    which is ADDED to that input's gradient: an input used twice receives both.

    ``Value.backward()`` is this generator run to the end with ``record=False``:
    the same pass, without keeping a ``Step`` for every edge, and without
    making the zeros: nobody can look between its steps, so an input's first
    contribution simply becomes its gradient (zero + contribution, on an array
    of its own: ``Node.first_grad``) and later ones are added to it.

    ``constants=False`` leaves out the edges into constants (numbers written in
    the formula, data, targets): nothing uses their gradients and no picture
    shows them, so ``Tensor.backward()`` does not compute them, as PyTorch
    computes none for a tensor that does not require one.

    >>> from backprop_widgets import Value
    >>> x = Value(3.0, label="x")
    >>> for s in backward_steps(x * x):
    ...     print(s.local_grad, "×", s.upstream_grad, "=", s.contribution, "-> x.grad", s.total)
    3.0 × 1.0 = 3.0 -> x.grad 3.0
    3.0 × 1.0 = 3.0 -> x.grad 6.0
    """
    order = topological_order(root, last_input_first=True)
    if record:  # a stepper shows the graph between steps: the gradients not reached yet are 0
        for node in order:
            node.grad = node.zero()
    root.grad = root.one()
    # The nodes whose gradient this pass has begun: when recording, all (their zeros are there to add to).
    reached = set(order) if record else {root}
    skip_constants = not constants
    for node in reversed(order):
        parents = node.parents
        if not parents:
            continue
        upstream_grad = node.held_grad()
        local_grads = node.local_grads() if record else None  # what the steps show
        args = node.vjp_args()  # what the node's contributions are made from (its local gradients' numbers)
        for index, parent in enumerate(parents):
            if skip_constants and parent.constant:
                continue
            contribution = node.contribution(index, upstream_grad, args)  # the chain rule: local gradient × upstream
            if parent in reached:
                parent.grad += contribution  # gradients add at branches
            else:  # the first contribution: zero + contribution, without making the zeros
                parent.grad = parent.first_grad(contribution, contribution is upstream_grad)
                reached.add(parent)
            if record:
                assert local_grads is not None
                total = parent.grad.copy() if hasattr(parent.grad, "copy") else parent.grad
                yield Step(node, parent, index, local_grads[index], upstream_grad, contribution, total)


def evaluate(root: Node, order: list[Node] | None = None, hold: Node | None = None) -> Any:
    """Recompute every node's ``data`` from its inputs (after an input changed).

    ``order`` may be passed to skip the traversal; ``hold`` keeps one inner node's
    ``data`` as it is, so that it acts as an input (used for gradient checks).
    Returns ``root.data``.
    """
    for node in order if order is not None else topological_order(root):
        if node.parents and node is not hold:
            node.recompute()
    return root.data


def forward_derivatives(root: Node, wrt: Node, tangent: Any = None) -> dict[Node, Any]:
    """Forward mode: the derivative of every node with respect to one input ``wrt``.

    One pass from the inputs to the output: each node's tangent (how much it
    moves when ``wrt`` moves) is made from its inputs' tangents by its op's
    forward rule; for a scalar op that is the sum, over the inputs, of local
    gradient × the input's tangent.  Getting the derivatives with respect to n
    inputs takes n such passes; reverse mode (``backward_steps``) gets them all
    in one.

    For a ``Tensor`` input, ``tangent`` (an array of ``wrt``'s shape) says which
    way it moves, and every node gets its tangent, of its own shape: one pass,
    the Jacobian times that vector.  Without ``tangent`` a tensor of n entries
    takes n passes, one per entry, and each node gets the full derivative, of
    shape ``node.shape + wrt.shape``: for a scalar loss, the shape of ``wrt.grad``.
    An inner node given as ``wrt`` is moved as if it were an input.

    >>> from backprop_widgets import Value
    >>> a, b = Value(2.0), Value(5.0)
    >>> f = a * b
    >>> forward_derivatives(f, wrt=a)[f]
    5.0
    """
    order = topological_order(root)
    if tangent is not None or ndim(wrt.data) == 0:
        return _forward_pass(order, wrt, wrt.one() if tangent is None else tangent)
    passes = [_forward_pass(order, wrt, one_entry) for one_entry in _unit_tangents(wrt)]
    return {node: _stacked([p[node] for p in passes], node, wrt) for node in order}


def forward_steps(root: Node, wrt: Node, tangent: Any = None) -> Iterator[ForwardStep]:
    """Forward mode one node at a time: the pass of ``forward_derivatives``, as a ``ForwardStep`` per node that moves.

    The nodes are visited inputs first; each one that depends on ``wrt`` gets
    its tangent from its inputs' tangents, and its step shows each moving
    input's term, ``local_grad.jvp(tangent of the input)``.  For a ``Tensor``
    without ``tangent``, each step holds the full derivatives (one pass per
    entry of ``wrt``, stacked, as ``forward_derivatives`` gives them).

    >>> from backprop_widgets import Value
    >>> a, b = Value(2.0, label="a"), Value(5.0, label="b")
    >>> for s in forward_steps(a * b + a, wrt=a):
    ...     print(s.node.op, [term[2] for term in s.terms], "->", s.tangent)
    mul [5.0] -> 5.0
    add [1.0, 1.0] -> 6.0
    """
    order = topological_order(root)
    if tangent is not None or ndim(wrt.data) == 0:
        yield from _forward_walk(order, wrt, wrt.one() if tangent is None else tangent, {}, record=True)
        return
    passes = [list(_forward_walk(order, wrt, one_entry, {}, record=True)) for one_entry in _unit_tangents(wrt)]
    for steps in zip(*passes, strict=True):
        node, first = steps[0].node, steps[0]
        terms = tuple(
            (
                index,
                parent,
                local,
                _stacked([s.terms[k][3] for s in steps], parent, wrt),
                _stacked([s.terms[k][4] for s in steps], node, wrt),
            )
            for k, (index, parent, local, _, _) in enumerate(first.terms)
        )
        yield ForwardStep(node, terms, _stacked([s.tangent for s in steps], node, wrt))


def _unit_tangents(wrt: Node) -> Iterator[Any]:
    """One tangent per entry of a tensor ``wrt``: the one that moves only that entry."""
    for index in np.ndindex(wrt.data.shape):
        one_entry = np.zeros(wrt.data.shape)
        one_entry[index] = 1.0
        yield one_entry


def _stacked(per_entry: list, node: Node, wrt: Node) -> Any:
    """One pass's tangents per entry of ``wrt``, as one derivative of shape ``node.shape + wrt.shape``."""
    return np.stack(per_entry, axis=-1).reshape(np.shape(node.data) + wrt.data.shape)


def _forward_pass(order: list[Node], wrt: Node, tangent: Any) -> dict[Node, Any]:
    """One forward-mode pass: ``wrt`` moves by ``tangent``; every node's tangent, inputs first."""
    derivative: dict[Node, Any] = {}
    for _ in _forward_walk(order, wrt, tangent, derivative, record=False):
        pass
    return derivative


def _forward_walk(
    order: list[Node], wrt: Node, tangent: Any, derivative: dict[Node, Any], *, record: bool
) -> Iterator[ForwardStep]:
    """The forward pass, in one place: fills ``derivative`` with every node's tangent (zero for those that
    do not depend on ``wrt``) and, with ``record``, yields a ``ForwardStep`` for each node that moves."""
    moves: set[Node] = {wrt}  # the nodes that depend on wrt; the others keep a zero tangent
    for node in order:
        if node is wrt:
            derivative[node] = tangent
        elif any(parent in moves for parent in node.parents):
            tangents = [derivative[parent] for parent in node.parents]
            derivative[node] = node.push_forward(tangents)  # the op's JVP: the chain rule, forward
            moves.add(node)
            if record:
                local = node.local_grads()
                terms = tuple(
                    (i, p, local[i], tangents[i], local[i].jvp(tangents[i]))
                    for i, p in enumerate(node.parents)
                    if p in moves
                )
                yield ForwardStep(node, terms, derivative[node])
        else:
            derivative[node] = node.zero()
