"""The backward pass as a walk: the state a stepper shows, kept apart from any widget.

A ``BackwardWalk`` records every step of ``backward_steps(root)`` once, and
then answers, for any position, what a student should see: which gradients are
known, which are still being summed, and the chain-rule product of the step
just taken.  On a scalar graph not folded it makes the steps only when one
between the ends is asked for (a slider move shows the end of the pass: the
gradients and the last step), from the values as they are then: after the
values change, make a new walk (a stepper's ``rebuild`` does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..engine import (
    ATOM,
    POWER,
    PRODUCT,
    ForwardStep,
    LocalGrad,
    Step,
    arrays,
    backward_steps,
    format_number,
    forward_steps,
    topological_order,
)
from ..engine.foreign import keyed_by_student

__all__ = ["BackwardWalk", "ForwardWalk", "GradState", "node_names", "tangent_name"]

SUM_TERMS = 6  # a running sum longer than this is shortened in the panel


def node_names(order: list) -> dict:
    """A name for every node, as the stepper's formulas use it.

    Its label if it has one; a constant's number; an unlabelled inner node is
    named by what it computes from its inputs' names, ``(a + b)``, ``σ(z1)``,
    ``(x @ W1)``, so that the name says where it is in the picture (a name
    longer than ``NAME_LENGTH`` falls back to ``n<position>``).  An unlabelled
    output is ``f``.

    >>> from backprop_widgets import Value
    >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
    >>> order = topological_order((4 * a + 1) * (a + b))
    >>> [node_names(order)[n] for n in order]
    ['4', 'a', '(4·a)', '1', '(4·a + 1)', 'b', '(a + b)', 'f']
    """
    names: dict = {}
    bare: dict = {}  # an inner node's formula without its outer parentheses, and how tightly it binds
    labels = {node.label for node in order}
    for i, node in enumerate(order):
        if node.label:
            names[node] = node.label
        elif not node.parents and node.constant and arrays.ndim(node.data) == 0:
            names[node] = format_number(float(node.data))
        elif not node.parents:
            names[node] = f"n{i}"
        else:
            formula, binds = _compose(node, names, bare)
            bare[node] = (formula, binds)
            wrapped = f"({formula})" if binds < ATOM else formula
            names[node] = wrapped if len(wrapped) <= NAME_LENGTH else f"n{i}"
    root = order[-1]
    if not root.label:
        names[root] = "f" if "f" not in labels else "out"
    return names


NAME_LENGTH = 24


def _compose(node, names: dict, bare: dict) -> tuple[str, int]:
    """What an unlabelled node computes, written with its inputs' names (its row says how, and how tightly)."""

    def inner(parent, binds: int) -> str:
        if parent in bare and names[parent] == f"({bare[parent][0]})":  # an unlabelled inner node
            formula, tight = bare[parent]
            return formula if tight >= binds else f"({formula})"
        return names[parent]

    row = node.ops.get(node.op)
    if row is not None and row.infix is not None and len(node.parents) == 2:
        left, right = node.parents  # left associative: the right operand holds tighter (a power, from the right)
        symbol, binds = row.infix[1], row.binds
        return f"{inner(left, binds)}{symbol}{inner(right, binds + (binds < POWER))}", binds
    if node.op == "pow" and len(node.parents) == 1:
        return f"{inner(node.parents[0], ATOM)}^{format_number(node.params['n'])}", POWER
    if node.op == "neg" and len(node.parents) == 1:  # in a name, −x is kept in parentheses after a product: a·(−x)
        return f"−{inner(node.parents[0], POWER)}", PRODUCT
    title = row.title(node.params) if row is not None else str(node.op)
    return f"{title}({', '.join(inner(p, 0) for p in node.parents)})", ATOM


@dataclass(frozen=True)
class GradState:
    """What is known of one node's gradient at a position of the walk."""

    value: Any  # the sum of the contributions received so far (None: nothing yet)
    parts: tuple  # (from_name, contribution) for each contribution received so far
    expected: int  # how many contributions it will receive in all
    complete: bool  # all of them have arrived


class _Walk:
    """A list of steps and a position in it: what both walks share."""

    _steps: list
    position: int

    @property
    def steps(self) -> list:
        """Every step of the walk, in order."""
        return self._steps

    def __len__(self) -> int:
        return len(self.steps)

    def goto(self, position: int) -> None:
        self.position = max(0, min(int(position), len(self)))

    def step(self) -> None:
        self.goto(self.position + 1)

    def back(self) -> None:
        self.goto(self.position - 1)

    def reset(self) -> None:
        self.goto(0)

    def run(self) -> None:
        self.goto(len(self))

    @property
    def current(self):
        """The step just taken (``None`` before the first)."""
        return self.steps[self.position - 1] if self.position else None

    @property
    def done(self) -> bool:
        return self.position == len(self)


class BackwardWalk(_Walk):
    """Step through ``backward_steps(root)`` forwards and backwards.

    >>> from backprop_widgets import Value
    >>> a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    >>> x, y = a + b, b + c
    >>> x.label, y.label = "x", "y"
    >>> f = x * y
    >>> f.label = "f"
    >>> walk = BackwardWalk(f)
    >>> walk.goto(len(walk))
    >>> walk.grad_state(b).parts
    (('x', 7.0), ('y', 2.0))
    >>> walk.running_sum(b)
    'x: 7 + y: 2 = 9'
    """

    def __init__(
        self,
        root,
        names: dict | None = None,
        *,
        walk_constants: bool = False,
        folded: dict | None = None,
        boxes: dict | None = None,
        order: list | None = None,
        like: BackwardWalk | None = None,
    ) -> None:
        self.root = root
        self.order = order if order is not None else topological_order(root)  # a rebuild knows it already
        self.names = names if names is not None else node_names(self.order)
        self.walk_constants = walk_constants
        # A folded group (``folded`` maps each node inside one to the group's box) is one step.
        self.folded = folded or {}
        self._boxes = boxes or {}
        self.position = 0
        self._edges: list[Step] | None = None  # every step with its numbers: made when first asked for
        self._steps: list = []
        self._ends: list[int] = []
        self._links: list[tuple] | None = None  # (node, parent, index) of each edge, while the steps are not made
        self._incoming: dict[Any, list[int]] = {}  # the edges into each node, by their place in the pass
        if self.folded or not isinstance(root.data, float):
            self._take_steps()  # a folded group, or tensors: every step now
            return
        # A scalar graph, not folded (what a slider moves): each step is one edge, and which edges in what order
        # is known without the numbers (from the last walk of the same graph, on a rebuild).  The gradients are
        # the engine's own backward pass; a step's numbers are made when a step is shown (the panel shows one).
        same = like is not None and like.root is root and like.walk_constants == walk_constants and not like.folded
        if same and like is not None and like._links is not None:
            self._links, self._incoming = like._links, like._incoming
        else:
            self._links = [
                (node, parent, index)
                for node in reversed(topological_order(root, last_input_first=True))
                for index, parent in enumerate(node.parents)
                if walk_constants or not _is_constant(parent)
            ]
            for i, (_, parent, _) in enumerate(self._links):
                self._incoming.setdefault(parent, []).append(i)
        for _ in backward_steps(root, record=False):  # what root.backward() does: every gradient, no Step objects
            pass
        self._grad = {node: node.grad for node in self._incoming}  # each gradient once all its contributions arrived
        self._last: Step | None = None
        self._known: dict = {}  # complete gradients' states, once asked for

    def _take_steps(self) -> None:
        """Every step of the pass with its numbers (``backward_steps``), and where each step ends."""
        # A constant's gradient is never used, and its box shows none: by default its steps are skipped.
        walk_constants = self.walk_constants
        edges: list[Step] = [
            step for step in backward_steps(self.root) if walk_constants or not _is_constant(step.parent)
        ]
        if self.folded:
            edges = _box_by_box(edges, self.order, self.folded)
        steps: list = []
        ends: list[int] = []  # how many edges are done after each step
        for step in edges:
            box = self.folded.get(step.node)
            last = steps[-1] if steps else None
            if box is not None and isinstance(last, GroupStep) and last.box is box:
                steps[-1] = GroupStep(box, (*last.edges, step), self.folded, self._group(box))
            else:
                steps.append(GroupStep(box, (step,), self.folded, self._group(box)) if box is not None else step)
            ends.append(len(steps))
        # after each step, the edges done: the last edge that the step took, plus one (one pass, not n²)
        self._ends = [0] * len(steps)
        for i, k in enumerate(ends):
            self._ends[k - 1] = i + 1
        self._incoming = {}
        for i, step in enumerate(edges):
            self._incoming.setdefault(step.parent, []).append(i)
        self._edges, self._steps, self._links = edges, steps, None

    @property
    def edges(self) -> list[Step]:
        """Every edge of the backward pass as a ``Step``, in the order the steps take them."""
        if self._edges is None:
            self._take_steps()
        assert self._edges is not None
        return self._edges

    @property
    def steps(self) -> list:
        """The steps: one edge each, or a folded group's edges as one."""
        if self._edges is None:
            self._take_steps()
        return self._steps

    def __len__(self) -> int:
        return len(self._links) if self._links is not None else len(self._steps)

    @property
    def current(self):
        """The step just taken (``None`` before the first)."""
        if not self.position:
            return None
        if self._links is not None and self.position == len(self._links):  # the last step, made alone
            if self._last is None:
                self._last = self._step(len(self._links) - 1)
            return self._last
        return self.steps[self.position - 1]

    def _contribution(self, k: int) -> tuple:
        """Edge ``k``'s local gradient, upstream gradient and contribution, as ``backward_steps`` makes them."""
        node, _, index = self._links[k]  # type: ignore[index]
        local_grads = node.local_grads()
        upstream = self._grad.get(node, node.one() if node is self.root else None)
        return local_grads[index], upstream, node.vjp(local_grads)(index, upstream)

    def _step(self, k: int) -> Step:
        """Edge ``k`` as a ``Step``: the last edge into its parent (its total is the parent's whole gradient)."""
        node, parent, index = self._links[k]  # type: ignore[index]
        local, upstream, contribution = self._contribution(k)
        return Step(node, parent, index, local, upstream, contribution, self._grad[parent])

    def _group(self, box) -> tuple:
        found = self._boxes.get(box)
        return found.group if found is not None else ("group",)

    def goto_edges(self, done: int) -> None:
        """Go to the first step that has crossed at least ``done`` edges (after the folding changed)."""
        if self._links is not None:  # one edge per step
            self.goto(done)
            return
        self.position = next((k + 1 for k, end in enumerate(self._ends) if end >= done), 0) if done else 0

    @property
    def edges_done(self) -> int:
        """How many edges of the backward pass the steps so far have crossed."""
        if self._links is not None:  # one edge per step
            return self.position
        return self._ends[self.position - 1] if self.position else 0

    # how far along the pass, whatever the folding: what a stepper keeps when the picture refolds
    progress = edges_done

    def goto_progress(self, done: int) -> None:
        self.goto_edges(done)

    # ---- what is known -------------------------------------------------------

    def grad_state(self, node) -> GradState:
        if node is self.root:
            return GradState(self.root.one(), (), 0, True)
        done = self.edges_done
        arrived = [i for i in self._incoming.get(node, []) if i < done]
        expected = len(self._incoming.get(node, []))
        if self._links is not None and len(arrived) in (0, expected):  # nothing yet, or all: no steps needed
            if not arrived:
                return GradState(None, (), expected, not expected)
            found = self._known.get(node)
            if found is None:
                names = self.names
                parts = tuple((names[self._links[i][0]], self._contribution(i)[2]) for i in arrived)
                found = self._known[node] = GradState(self._grad[node], parts, expected, True)
            return found
        parts = tuple((self.names[self.edges[i].node], self.edges[i].contribution) for i in arrived)
        if not self.folded:
            value = self.edges[arrived[-1]].total if arrived else None  # the engine's own running sum
        else:  # steps taken box by box: add up what has arrived
            value = sum((part for _, part in parts[1:]), parts[0][1]) if parts else None
        return GradState(value, parts, expected, len(arrived) == expected)

    def grads(self) -> dict:
        """Each node's gradient as known at this position (None where nothing has arrived)."""
        if self.folded:
            return keyed_by_student(
                {node: self.grad_state(node).value for node in self.order}
            )  # a student's own objects
        # not folded: each gradient is the engine's running sum after the last edge into it so far
        values: dict = dict.fromkeys(self.order)
        values[self.root] = self.root.one()
        if self._links is not None and self.position in (0, len(self._links)):  # none yet, or every one: no steps
            if self.position:
                values.update(self._grad)
            return keyed_by_student(values)
        for step in self.edges[: self.edges_done]:
            values[step.parent] = step.total
        return keyed_by_student(values)

    def running_sum(self, node) -> str:
        """``'x: 7 + y: 2 = 9'``: the contributions a node has received and their sum."""
        state = self.grad_state(node)
        if not state.parts:
            return ""
        parts = [f"{name}: {_num(part)}" for name, part in state.parts]
        if len(parts) > SUM_TERMS:  # a node feeding many others: the first few, the last, and how many
            parts = [*parts[: SUM_TERMS - 1], f"… ({len(parts) - SUM_TERMS} more)", parts[-1]]
        terms = " + ".join(parts)
        return f"{terms} = {_num(state.value)}" if len(state.parts) > 1 else terms

    # ---- the chain rule of the current step, as text -------------------------

    def explain(self) -> dict:
        """The current step as formula and numbers, for the chain-rule panel.

        Keys: ``formula`` (LaTeX), ``numbers`` (LaTeX), ``numbers_text`` (the same in plain text), ``sum`` (plain text, where a
        node collects several contributions), ``rule`` (the op table's rule).
        """
        step = self.current
        if isinstance(step, GroupStep):
            return self._explain_group(step)
        if step is None:
            root = self.names[self.root]
            return _panel(
                formula=rf"\frac{{\partial {_tex(root)}}}{{\partial {_tex(root)}}} = 1",
                rule=f"∂{root}/∂{root} = 1: the output's gradient with respect to itself. "
                "The backward pass starts here.",
            )
        state = self.grad_state(step.parent)
        formula = self._formula(step)
        numbers = rf"{_num(step.upstream_grad)} \times {_num_local(step.local_grad)} = {_num(step.contribution)}"
        total = ""
        if state.expected > 1:
            total = (
                f"{self.names[step.parent]} collects {state.expected} contributions: {self.running_sum(step.parent)}"
            )
            if not state.complete:
                total += " (so far)"
        row = step.node.ops.get(step.node.op)  # a student's op the kit has no row for: its numbers only
        rule = row.rule if row is not None else f"{step.node.op}: an op of your own; its local gradient is your code's"
        local = step.local_grad
        if local.factor is None:  # a Jacobian never formed (a Tensor op's product, such as upstream @ bᵀ)
            numbers_text = (
                f"upstream = {_plain(step.upstream_grad)}; through the local rule, "
                f"{_named_rule(step, self.names)} = {_plain(step.contribution)}"
            )
        else:
            numbers_text = (
                f"upstream × local = {_plain(step.upstream_grad)} × {_plain_local(local)} = {_plain(step.contribution)}"
            )
        return _panel(
            formula=formula,
            local_text="local: " + self.local_said(step),
            numbers=numbers,
            numbers_text=numbers_text,
            sum=total,
            rule=rule,
        )

    def _formula(self, step: Step) -> str:
        """The chain rule of ``step`` in LaTeX: ∂out/∂parent (+)= upstream · local."""
        out, node, parent = (_tex(self.names[n]) for n in (self.root, step.node, step.parent))
        d = lambda top, bottom: rf"\frac{{\partial {top}}}{{\partial {bottom}}}"  # noqa: E731
        gets = r"\mathrel{+}=" if len(self._incoming.get(step.parent, [])) > 1 else "="
        return (
            rf"{d(out, parent)} {gets} \underbrace{{{d(out, node)}}}_{{\text{{upstream}}}} \cdot "
            rf"\underbrace{{{d(node, parent)}}}_{{\text{{local}}}}"
        )

    def asking(self, step: Step) -> dict:
        """The panel while a quiz asks about ``step`` (the next one): its chain rule, none of its numbers."""
        return _panel(
            formula=self._formula(step),
            rule=f"Step {self.steps.index(step) + 1}: the question below is about this product.",
        )

    def local_said(self, step: Step | None = None) -> str:
        """The local gradient of a step written with the nodes' own names, then its number.

        ``∂f/∂x = y = 7`` for x·y; ``∂x/∂a = 1`` for a + b.
        """
        step = step or self.current
        return "" if step is None else _local_said(step, self.names)

    def _explain_group(self, step: GroupStep) -> dict:
        out = self.names[self.root]
        leaving = [(self.names[edge.parent], edge) for edge in step.leaving]
        name = " › ".join(step.group)
        sends = "; ".join(
            f"∂{out}/∂{parent} += {_plain(edge.upstream_grad)} × {_plain_local(edge.local_grad)} "
            f"= {_plain(edge.contribution)}"
            for parent, edge in leaving
        )
        return _panel(
            formula=rf"\text{{{name}, folded: {len(step.edges)} chain-rule products in one step}}",
            local_text=f"inside {name}: {len(step.edges)} edges; what leaves it, upstream × local:",
            numbers_text=sends,
            rule="Click the box (or press Enter on it) to unfold it and step inside.",
        )

    def spoken(self) -> str:
        """The current step in words, for a screen reader's live region.

        >>> from backprop_widgets import Value
        >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
        >>> f = a * b
        >>> walk = BackwardWalk(f)
        >>> walk.spoken()
        'Start: the gradient of f with respect to itself is 1.'
        >>> walk.step(); print(walk.spoken())
        Step 1 of 2: ∂f/∂a = ∂f/∂f · ∂f/∂a = 1 × 3 = 3; a's gradient is now 3.
        """
        step = self.current
        out = self.names[self.root]
        if step is None:
            return f"Start: the gradient of {out} with respect to itself is 1."
        if isinstance(step, GroupStep):
            text = self._explain_group(step)["numbers_text"]
            return f"Step {self.position} of {len(self)}: {' › '.join(step.group)}, folded, in one step: {text}."
        node, parent = self.names[step.node], self.names[step.parent]
        if self._links is not None:  # one edge per step: its total is the gradient now (its parts are not needed)
            expected, now = len(self._incoming.get(step.parent, [])), step.total
        else:
            state = self.grad_state(step.parent)
            expected, now = state.expected, state.value
        gets = "+=" if expected > 1 else "="
        if step.local_grad.factor is None:
            numbers = f"{_named_rule(step, self.names)} with upstream {_plain(step.upstream_grad)} = {_plain(step.contribution)}"
        else:
            numbers = f"{_plain(step.upstream_grad)} × {_plain_local(step.local_grad)} = {_plain(step.contribution)}"
        return (
            f"Step {self.position} of {len(self)}: ∂{out}/∂{parent} {gets} ∂{out}/∂{node} · ∂{node}/∂{parent} "
            f"= {numbers}; {parent}'s gradient is now {_plain(now)}."
        )

    def __repr__(self) -> str:
        return f"BackwardWalk(step {self.position} of {len(self)})"


def _is_constant(node) -> bool:
    """A leaf that is a constant: a number written in the formula, a data point, a target."""
    return not node.parents and bool(getattr(node, "constant", False))


def _plain(x) -> str:
    """A number as plain text; a small array as its entries and shape, a larger one summarised.

    >>> import numpy
    >>> _plain(0.25), _plain(numpy.array([[0.5, -1.0]]))
    ('0.25', '[[0.5, -1]] (1×2)')
    >>> _plain(numpy.arange(12.0).reshape(3, 4))
    '3×4 [0, 1, 2, …], norm 22.49'
    """
    if arrays.ndim(x) > 0:
        import numpy

        array = numpy.asarray(x, dtype=float)
        shape = "×".join(str(n) for n in array.shape)
        if array.size <= SMALL_ARRAY:
            return f"{_nested(array)} ({shape})"
        first = ", ".join(format_number(v) for v in array.ravel()[:3])
        return f"{shape} [{first}, …], norm {format_number(float(numpy.linalg.norm(array)))}"
    text = _num(x)
    return text.replace(r"\text{", "").replace("}", "") if text.startswith("\\") else text


SMALL_ARRAY = 6  # arrays of at most this many entries are written out in the panel


def _nested(array) -> str:
    if array.ndim == 0:
        return format_number(float(array))
    return "[" + ", ".join(_nested(row) for row in array) + "]"


def _plain_local(local: LocalGrad) -> str:
    """A local gradient as plain text: its number or array of slopes, else how its product is made."""
    return _plain(local.factor) if local.factor is not None else local.text


def _num_local(local: LocalGrad) -> str:
    """A local gradient as the panel's LaTeX shows it: its number (an array by its shape), else its rule."""
    return _num(local.factor) if local.factor is not None else r"\text{" + local.text + "}"


def _num(x) -> str:
    """A number as the panel shows it; an array by its shape."""
    shape = arrays.shape(x)
    if shape:
        return "[" + "×".join(str(n) for n in shape) + "]"
    try:
        return format_number(float(x))
    except (TypeError, ValueError):
        return str(x)


def _tex(name: str) -> str:
    """A node name as LaTeX: ``n3`` -> ``n_{3}``, ``W1`` -> ``W_{1}``, a formula as text."""
    if not name.replace("_", "").isalnum():  # a formula such as (a + b), or a number
        return r"\text{" + name.replace("\\", "").replace("{", "(").replace("}", ")") + "}"
    head = name.rstrip("0123456789")
    tail = name[len(head) :]
    head = head.replace("_", r"\_")
    if len(head) > 1:
        head = rf"\mathrm{{{head}}}"
    return f"{head}_{{{tail}}}" if tail and head else head or tail


def _panel(
    formula: str, *, local_text: str = "", numbers: str = "", numbers_text: str = "", sum: str = "", rule: str = ""
) -> dict:
    """What a walk's ``explain()`` gives a panel: the formula (LaTeX) and its lines in plain text."""
    return {
        "formula": formula,
        "local_text": local_text,
        "numbers": numbers,
        "numbers_text": numbers_text,
        "sum": sum,
        "rule": rule,
    }


def _box_by_box(edges: list, order: list, folded: dict) -> list:
    """The backward steps reordered so that each folded group's steps come together.

    A unit is a node or a folded box; units go from the output back (by the
    position of their last member in the graph order), and each unit's steps
    keep their order, so every step's upstream gradient is complete before it.
    """
    position = {node: i for i, node in enumerate(order)}
    last: dict = {}
    for node, box in folded.items():
        last[box] = max(last.get(box, -1), position[node])
    unit = lambda node: folded.get(node, node)  # noqa: E731
    rank = lambda u: last.get(u, position.get(u, -1))  # noqa: E731
    by_unit: dict = {}
    for step in edges:
        by_unit.setdefault(unit(step.node), []).append(step)
    return [step for u in sorted(by_unit, key=rank, reverse=True) for step in by_unit[u]]


def _local_said(step: Step, names_of: dict) -> str:
    """A step's local gradient written with the nodes' names (``names_of``), then its number (see ``local_said``)."""
    node, parent = step.node, step.parent
    d = f"∂{names_of[node]}/∂{names_of[parent]}"
    if step.local_grad.factor is None:
        return f"{d}: contribution = {_named_rule(step, names_of)}"
    value = _plain_local(step.local_grad)
    row = node.ops.get(node.op) if node.op else None
    said = row.words(step.index, [p.data for p in node.parents], node.data, node.params) if row is not None else ""
    if not said:
        return f"{d} = {value}"
    names = {letter: names_of[p] for letter, p in zip("ab", node.parents, strict=False)}
    names["out"] = names_of[node]
    names.update({k: format_number(v) for k, v in node.params.items()})
    if "n" in node.params:
        names["n1"] = format_number(node.params["n"] - 1)
    formula = said.format(**names)
    for name in names.values():  # σ((x + 1)) -> σ(x + 1)
        if name.startswith("(") and name.endswith(")"):
            formula = formula.replace(f"({name})", name)
    if formula.endswith("^1"):  # 2·e^1 -> 2·e
        formula = formula[:-2]
    same = formula.replace("−", "-") == value
    return f"{d} = {value}" if same else f"{d} = {formula} = {value}"


def _named_rule(step: Step, names_of: dict) -> str:
    """A Tensor op's local rule with the node's own input names: ``xᵀ @ upstream``."""
    names: dict[str, str] = {letter: names_of[p] for letter, p in zip("ab", step.node.parents, strict=False)}
    text = step.local_grad.text
    return re.sub(r"(?<![\w])([ab])(?=ᵀ|\s*[⊙@·)]|$)", lambda m: names.get(m[1], m[1]), text)


class GroupStep:
    """The steps inside a folded group, taken as one: the edges crossed, and those that leave the group."""

    def __init__(self, box: Any, edges: tuple, folded: dict, group: tuple) -> None:
        self.box = box  # the node whose box shows the folded group
        self.edges = edges
        self.leaving = tuple(edge for edge in edges if folded.get(edge.parent) is not box)
        self.group = group

    # what a stepper reads of a step
    @property
    def node(self):
        return self.box

    @property
    def parent(self):
        return self.leaving[-1].parent if self.leaving else self.edges[-1].parent

    @property
    def index(self):
        return (self.leaving[-1] if self.leaving else self.edges[-1]).index

    @property
    def contribution(self):
        return (self.leaving[-1] if self.leaving else self.edges[-1]).contribution

    @property
    def local_grad(self):
        return None

    def __repr__(self) -> str:
        return f"GroupStep({self.group[-1] if self.group else '?'}: {len(self.edges)} edges)"


class ForwardWalk(_Walk):
    """Forward mode one node at a time: how much each node moves when one input ``wrt`` moves.

    The mirror of ``BackwardWalk``: it starts at the input (its tangent is 1)
    and walks towards the output; each step is the engine's forward step
    (``forward_steps``): the tangent of a node = Σ over its inputs of the local
    gradient's JVP of the input's tangent (local gradient × tangent, for a
    number).  Nodes that do not depend on ``wrt`` have tangent 0 from the start.
    For a ``Tensor`` ``wrt`` each tangent is the full derivative, of shape
    ``node.shape + wrt.shape`` (or, given ``tangent``, the move along it).

    >>> from backprop_widgets import Value
    >>> a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    >>> x, y = a + b, b + c
    >>> x.label, y.label = "x", "y"
    >>> f = x * y
    >>> f.label = "f"
    >>> walk = ForwardWalk(f, b)
    >>> len(walk), [walk.names[s.node] for s in walk.steps], walk.tangent_name
    (3, ['x', 'y', 'f'], '∂·/∂b')
    >>> walk.run(); walk.explain()["numbers_text"]
    'local × tangent: 7 × 1 + 2 × 1 = 9'
    """

    def __init__(self, root, wrt, names: dict | None = None, *, tangent=None) -> None:
        self.root = root
        self.wrt = wrt
        self.order = topological_order(root)
        self.names = names if names is not None else node_names(self.order)
        self._steps: list[ForwardStep] = list(forward_steps(root, wrt, tangent))
        self.start = tangent if tangent is not None else _moves_by_one(wrt)  # wrt's own tangent
        self.hidden: set = set()  # nodes whose tangent stays "?" (a quiz has not reached them yet)
        self.position = 0

    @property
    def tangent_name(self) -> str:
        """What the tangents are, as the picture's row names them: ``∂·/∂b``."""
        return tangent_name(self.names[self.wrt])

    # a forward step is one node, folded or not: the position is the progress
    @property
    def progress(self) -> int:
        return self.position

    def goto_progress(self, done: int) -> None:
        self.goto(done)

    def grads(self) -> dict:
        """Each node's tangent as known at this position: 0 where it does not depend on ``wrt``, None ("?") where
        it does but has not been reached."""
        moves = {step.node for step in self.steps}
        known = {step.node: step.tangent for step in self.steps[: self.position]}
        shown: dict[Any, Any] = {}
        for node in self.order:
            if node is self.wrt:
                shown[node] = self.start
            elif node in self.hidden:
                shown[node] = None
            elif node in known:
                shown[node] = known[node]
            else:
                shown[node] = None if node in moves else 0.0
        return shown

    def explain(self) -> dict:
        """The current step as formula (LaTeX) and as plain text, like ``BackwardWalk.explain``."""
        w = _tex(self.names[self.wrt])
        d = lambda top, bottom: rf"\frac{{\partial {top}}}{{\partial {bottom}}}"  # noqa: E731
        step = self.current
        if step is None:
            name = self.names[self.wrt]
            return _panel(
                formula=rf"{d(w, w)} = 1",
                rule=f"∂{name}/∂{name} = 1: forward mode starts at the input {name}, which moves by 1; "
                "every node that does not depend on it moves by 0.",
            )
        node = _tex(self.names[step.node])
        terms = [
            rf"\underbrace{{{d(node, _tex(self.names[p]))}}}_{{\text{{local}}}} \cdot "
            rf"\underbrace{{{d(_tex(self.names[p]), w)}}}_{{\text{{tangent}}}}"
            for _, p, *_ in step.terms
        ]
        formula = rf"{d(node, w)} = " + " + ".join(terms)
        local_text = "local: " + "; ".join(self._local_said(step, k) for k in range(len(step.terms)))
        return _panel(
            formula=formula,
            local_text=local_text,
            numbers_text=f"local × tangent: {self._products(step)} = {_plain(step.tangent)}",
        )

    def _products(self, step: ForwardStep) -> str:
        """Each moving input's term: local × tangent, or for a Jacobian never formed, the term it gives."""
        return " + ".join(
            f"{_plain_local(local)} × {_plain(t)}"
            if local.factor is not None
            else f"J·(∂{self.names[p]}/∂{self.names[self.wrt]}) = {_plain(term)}"
            for _, p, local, t, term in step.terms
        )

    def _local_said(self, step: ForwardStep, k: int) -> str:
        index, parent, local, _, _ = step.terms[k]
        if local.factor is None:
            name, by = self.names[step.node], self.names[parent]
            return f"∂{name}/∂{by}: the {step.node.op} node's Jacobian J, applied to {by}'s tangent"
        fake = Step(step.node, parent, index, local, upstream_grad=None, contribution=None, total=None)
        return _local_said(fake, self.names)

    def spoken(self) -> str:
        step = self.current
        w = self.names[self.wrt]
        if step is None:
            return f"Forward mode with respect to {w}: {w} moves by 1."
        name = self.names[step.node]
        return f"Step {self.position} of {len(self.steps)}: ∂{name}/∂{w} = {self._products(step)} = {_plain(step.tangent)}."

    def __repr__(self) -> str:
        return f"ForwardWalk(∂/∂{self.names[self.wrt]}, step {self.position} of {len(self.steps)})"


def tangent_name(name: str) -> str:
    """The name of the tangents of forward mode with respect to ``name``: ``∂·/∂b``."""
    return f"∂·/∂{name}"


def _moves_by_one(wrt) -> Any:
    """The tangent of ``wrt`` itself: 1 for a number; for a tensor, the identity (each entry moves by 1 in its own pass)."""
    if arrays.ndim(wrt.data) == 0:
        return wrt.one()
    size = wrt.data.size
    return arrays.numpy.eye(size).reshape(wrt.data.shape + wrt.data.shape)
