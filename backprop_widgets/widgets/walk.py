"""The backward pass as a walk: the state a stepper shows, kept apart from any widget.

A ``BackwardWalk`` records every step of ``backward_steps(root)`` once, and
then answers, for any position, what a student should see: which gradients are
known, which are still being summed, and the chain-rule product of the step
just taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy

from ..engine import Step, backward_steps, format_number, topological_order

__all__ = ["BackwardWalk", "GradState", "node_names"]

SUM_TERMS = 6  # a running sum longer than this is shortened in the panel


def node_names(order: list) -> dict:
    """A name for every node, as the stepper's formulas use it.

    Its label if it has one; a constant's number; a small inner node's own
    formula in parentheses, ``(a + b)``, so that the name says where it is in
    the picture; otherwise ``n<position>`` in the graph order.  An unlabelled
    output is ``f``.

    >>> from backprop_widgets import Value
    >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
    >>> order = topological_order((a + b) * 3)
    >>> [node_names(order)[n] for n in order]
    ['a', 'b', '(a + b)', '3', 'f']
    """
    size: dict = {}
    names: dict = {}
    labels = {node.label for node in order}
    for i, node in enumerate(order):
        size[node] = min(1 + sum(size[p] for p in node.parents), 100)
        if node.label:
            names[node] = node.label
        elif not node.parents and node.constant and numpy.ndim(node.data) == 0:
            names[node] = format_number(float(node.data))
        else:
            names[node] = _formula_name(node, size[node]) or f"n{i}"
    root = order[-1]
    if not root.label:
        names[root] = "f" if "f" not in labels else "out"
    return names


def _formula_name(node, size: int) -> str | None:
    if size > 7 or not node.parents:
        return None
    try:
        from ..parse import to_formula  # the parser is a layer beside render, below the widgets

        return f"({to_formula(node)})"
    except (ValueError, TypeError, AttributeError, KeyError):
        return None


@dataclass(frozen=True)
class GradState:
    """What is known of one node's gradient at a position of the walk."""

    value: Any  # the sum of the contributions received so far (None: nothing yet)
    parts: tuple  # (from_name, contribution) for each contribution received so far
    expected: int  # how many contributions it will receive in all
    complete: bool  # all of them have arrived


class BackwardWalk:
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

    def __init__(self, root, names: dict | None = None) -> None:
        self.root = root
        self.order = topological_order(root)
        self.names = names if names is not None else node_names(self.order)
        self.steps: list[Step] = list(backward_steps(root))
        self.position = 0
        self._incoming: dict[Any, list[int]] = {}
        for i, step in enumerate(self.steps):
            self._incoming.setdefault(step.parent, []).append(i)

    def __len__(self) -> int:
        return len(self.steps)

    # ---- moving --------------------------------------------------------------

    def goto(self, position: int) -> None:
        self.position = max(0, min(int(position), len(self.steps)))

    def step(self) -> None:
        self.goto(self.position + 1)

    def back(self) -> None:
        self.goto(self.position - 1)

    def reset(self) -> None:
        self.goto(0)

    def run(self) -> None:
        self.goto(len(self.steps))

    @property
    def current(self) -> Step | None:
        """The step just taken (``None`` before the first)."""
        return self.steps[self.position - 1] if self.position else None

    @property
    def done(self) -> bool:
        return self.position == len(self.steps)

    # ---- what is known -------------------------------------------------------

    def grad_state(self, node) -> GradState:
        if node is self.root:
            return GradState(self.root.one(), (), 0, True)
        arrived = [i for i in self._incoming.get(node, []) if i < self.position]
        parts = tuple((self.names[self.steps[i].node], self.steps[i].contribution) for i in arrived)
        value = self.steps[arrived[-1]].total if arrived else None
        expected = len(self._incoming.get(node, []))
        return GradState(value, parts, expected, len(arrived) == expected)

    def grads(self) -> dict:
        """Each node's gradient as known at this position (None where nothing has arrived)."""
        return {node: self.grad_state(node).value for node in self.order}

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
        if step is None:
            root = self.names[self.root]
            return {
                "formula": rf"\frac{{\partial {_tex(root)}}}{{\partial {_tex(root)}}} = 1",
                "numbers": "",
                "numbers_text": "",
                "sum": "",
                "rule": "The backward pass starts at the output: its gradient with respect to itself is 1.",
            }
        out, node, parent = (_tex(self.names[n]) for n in (self.root, step.node, step.parent))
        d = lambda top, bottom: rf"\frac{{\partial {top}}}{{\partial {bottom}}}"  # noqa: E731
        state = self.grad_state(step.parent)
        gets = r"\mathrel{+}=" if state.expected > 1 else "="
        formula = rf"{d(out, parent)} {gets} {d(out, node)} \cdot {d(node, parent)}"
        numbers = (
            rf"{_num(step.upstream_grad)} \times {_num(step.local_grad)} = {_num(step.contribution)}"
        )
        total = ""
        if state.expected > 1:
            total = f"{self.names[step.parent]} collects {state.expected} contributions: {self.running_sum(step.parent)}"
            if not state.complete:
                total += " (so far)"
        rule = step.node.ops[step.node.op].rule
        numbers_text = f"{_plain(step.upstream_grad)} × {_plain(step.local_grad)} = {_plain(step.contribution)}"
        return {"formula": formula, "numbers": numbers, "numbers_text": numbers_text, "sum": total, "rule": rule}

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
        node, parent = self.names[step.node], self.names[step.parent]
        state = self.grad_state(step.parent)
        gets = "+=" if state.expected > 1 else "="
        numbers = f"{_plain(step.upstream_grad)} × {_plain(step.local_grad)} = {_plain(step.contribution)}"
        return (
            f"Step {self.position} of {len(self.steps)}: ∂{out}/∂{parent} {gets} ∂{out}/∂{node} · ∂{node}/∂{parent} "
            f"= {numbers}; {parent}'s gradient is now {_plain(state.value)}."
        )

    def __repr__(self) -> str:
        return f"BackwardWalk(step {self.position} of {len(self.steps)})"


def _plain(x) -> str:
    """A number (or an array's shape) as plain text."""
    text = _num(x)
    return text.replace(r"\text{", "").replace("}", "") if text.startswith("\\") else text


def _num(x) -> str:
    """A number as the panel shows it; an array by its shape; a tensor op's local gradient by its factor."""
    if hasattr(x, "rule"):  # a tensor op's local gradient: a vector-Jacobian product
        factor = getattr(x, "factor", None)
        return _num(factor) if factor is not None else r"\text{" + x.text + "}"
    shape = numpy.shape(x)
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
    tail = name[len(head):]
    head = head.replace("_", r"\_")
    if len(head) > 1:
        head = rf"\mathrm{{{head}}}"
    return f"{head}_{{{tail}}}" if tail and head else head or tail
