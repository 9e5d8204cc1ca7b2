"""``audit(root)``: the first wrong gradient in a student's own graph, and the kind of bug behind it.

The graph is mirrored (``engine.foreign``), every node's expected gradient is
computed with the kit's op table, the student's ``backward()`` is run from
zeroed gradients, and the nodes are compared from the output backwards.  At the
first wrong node every node that uses it is right, so what went wrong is on the
edges into it: the cause is read from the numbers there, by calling the
student's own ``_backward`` of each consumer with chosen gradients (always
restored).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any

from ..engine.foreign import (
    ForeignNode,
    StudentGraphError,
    as_graph,
    describe,
    preserved_grads,
    read_local_grads,
)
from ..engine.graph import topological_order
from ..engine.ops import SCALAR_OPS, format_number

__all__ = ["Audit", "audit", "expected_grads", "KINDS"]

# The catalogue: each kind of bug audit() can name, in a few words.
KINDS = {
    "overwrites": "overwrites instead of adding (= where += belongs)",
    "forgets_upstream": "forgets the upstream gradient (out.grad)",
    "too_early": "visits a node too early (no topological order)",
    "wrong_local": "wrong local gradient of this op",
    "recursion": "recursion limit on a long chain",
    "twice": "gradient growing: backward() called again without zeroing",
    "seed": "the output's gradient does not start at 1",
    "wrong_value": "wrong value in the forward pass",
    "raises": "backward() raises",
    "broken": "a graph the kit cannot read",
    "missing": "a _backward not written yet",
    "other": "a wrong gradient of another kind",
}


def _num(x: Any) -> str:
    return "None" if x is None else format_number(float(x), 6)


def close(a: float, b: float) -> bool:
    """Equal up to rounding (both nan counts as equal)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-9 + 1e-7 * max(abs(a), abs(b))


@dataclass
class Audit:
    """What ``audit`` found: ``ok``, the first wrong node (the student's own object), expected, got, cause.

    ``kind`` is the catalogue's key (``KINDS``), ``notes`` says what was not
    checked (ops the kit does not know).  In Jupyter it shows the sentence and
    the picture with the first wrong node marked, a stepper opened there.
    """

    ok: bool
    cause: str
    kind: str | None = None
    first_wrong: Any = None
    expected: float | None = None
    got: float | None = None
    notes: list = field(default_factory=list)
    checked: int = 0
    root: Any = None  # the student's output
    mirror: Any = None  # the kit's mirror of the student's graph (None if it could not be read)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return "\n".join([self.cause, *self.notes])

    def __repr__(self) -> str:
        return f"Audit({str(self)!r})"

    def _repr_html_(self) -> str:
        from .view import audit_html

        return audit_html(self)

    def _ipython_display_(self) -> None:
        from .view import show

        show(self)


def audit(root: Any) -> Audit:
    """Check every gradient of a student's graph (micrograd-style) against the kit's engine.

    Runs the student's ``backward()`` from zeroed gradients, compares node by
    node from the output backwards and names the first wrong one with the kind
    of bug.  Every gradient of the student's graph is left as it was.

    >>> from backprop_widgets import Value
    >>> audit(Value(2.0) * 3).ok
    True
    """
    try:
        mirror = as_graph(root)
    except StudentGraphError as error:
        return Audit(False, f"✘ {error}", "broken", root=root)
    if not isinstance(mirror, ForeignNode):  # the kit's own Value: nothing of the student's to check
        return Audit(True, "✔ This is the kit's own Value: its gradients are the engine's.", root=root, mirror=mirror)
    order = output_first(mirror)
    expected, notes, wrong_value = expected_grads(mirror, order)
    if wrong_value is not None:
        node, should = wrong_value
        return Audit(
            False,
            f"✘ {describe(node.student)}: its value is {_num(node.data)}, but its op '{node.spelling}' on its inputs "
            f"gives {_num(should)}: the forward rule is wrong, so no gradient after it can be trusted.",
            "wrong_value",
            node.student,
            should,
            node.data,
            notes,
            root=root,
            mirror=mirror,
        )
    if not callable(getattr(root, "backward", None)):
        notes.append("Note: your Value has no backward() yet, so the kit called each node's _backward, output first.")
    found = dict(root=root, mirror=mirror, notes=notes, checked=len(order))
    students = [node.student for node in order]
    stored = [node.student.grad for node in order]
    try:
        got = run_backward(root, students)
    except RecursionError:
        return Audit(
            False,
            f"✘ backward() hit Python's recursion limit ({sys.getrecursionlimit()}) on this graph of {len(order)} "
            "nodes: the topological sort calls itself once per node. Build the order with a loop and a list "
            "as a stack instead of recursion (or raise sys.setrecursionlimit).",
            "recursion",
            **found,
        )
    except Exception as error:  # the student's code: any exception is a finding
        return Audit(False, f"✘ backward() raised {type(error).__name__}: {error}", "raises", **found)

    for node, value in zip(order, got, strict=True):
        if not _is_close_number(value, expected[node]):
            return _diagnose(node, expected, value, order, found)
    # a fresh pass is right: are the gradients the student holds the ones it gives?
    for node, value in zip(order, stored, strict=True):
        if not _is_close_number(value, expected[node]):
            runs = _runs_matching(root, students, stored)
            if runs:
                return Audit(
                    False,
                    f"✘ {describe(node.student)}: its grad is {_num(value)}, one backward pass gives "
                    f"{_num(expected[node])}: backward() was called {_times(runs)} without zeroing the gradients, "
                    "so they kept growing. Set every .grad to 0 before calling backward() again.",
                    "twice",
                    node.student,
                    expected[node],
                    value,
                    **found,
                )
            break  # stale gradients (values changed since): not a bug of the engine
    return Audit(
        True,
        f"✔ Every gradient matches the kit's engine: {len(order)} nodes checked from the output back.",
        **found,
    )


def expected_grads(mirror: ForeignNode, order: list) -> tuple[dict, list, Any]:
    """Each node's gradient by the kit's op table (for an op it does not know, the student's local
    gradients), the notes on such ops, and the first node whose value its op does not give (or None)."""
    expected = {node: 0.0 for node in order}
    expected[mirror] = 1.0
    notes = []
    for node in order:
        if not node.parents:
            continue
        local, should = kit_local_grads(node)
        if local is None:
            notes.append(
                f"Note: {describe(node.student)} has op '{node.spelling}', which the kit does not know: "
                "its local gradients were taken from your _backward as they are."
            )
            local = node._local
        elif not close(should, node.data):
            return expected, notes, (node, should)
        for parent, slope in zip(node.parents, local, strict=True):
            expected[parent] += slope * expected[node]
    return expected, notes, None


def kit_local_grads(node: ForeignNode) -> tuple[tuple | None, float]:
    """The kit's local gradients for a mirror node's inputs, and the value its op gives: (None, nan) if unknown.

    A set of inputs has no order: for ``-``, ``/`` the order is the one whose value matches.
    An op with one input where it takes two (micrograd's ``a + a``) gets both slopes summed.
    """
    row = SCALAR_OPS.get(node.op or "")
    if row is None:
        return None, math.nan
    data = [p.data for p in node.parents]
    if row.arity == 2 and len(data) == 1:
        tries = [(data * 2, lambda local: (local[0] + local[1],))]
    elif row.arity == len(data):
        tries = [(data, tuple)]
        if row.arity == 2:
            tries.append((data[::-1], lambda local: tuple(reversed(local))))
    else:
        return None, math.nan
    best = None
    for inputs, back in tries:
        try:
            value = float(row.forward(*inputs, **node.params))
            local = back(row.local(*inputs, out=value, **node.params))
        except (ArithmeticError, ValueError):
            continue
        if best is None or close(value, node.data):
            best = (tuple(float(g) for g in local), value)
            if close(value, node.data):
                break
    return best if best is not None else (None, math.nan)


def run_backward(root: Any, students: list, times: int = 1) -> list:
    """The gradients the student's ``backward()`` gives from zero (run ``times`` times); all restored after.

    ``students`` is output first.  A class without ``backward()`` yet has its
    ``_backward`` functions called in that order, from ``root.grad = 1``.
    """
    with preserved_grads(students):
        for obj in students:
            obj.grad = 0.0
        for _ in range(times):
            if callable(getattr(root, "backward", None)):
                root.backward()
            else:
                root.grad = 1.0
                for obj in students:
                    getattr(obj, "_backward", lambda: None)()
        return [obj.grad for obj in students]


def output_first(mirror: Any) -> list:
    """Every node, each after all the nodes that use it, ties broken by label, op and value (not by a set's order)."""
    order = topological_order(mirror)
    users = {node: 0 for node in order}
    for node in order:
        for parent in node.parents:
            users[parent] += 1
    rank = {node: k for k, node in enumerate(order)}

    def key(node: Any) -> tuple:
        return (node.label is None, str(node.label or ""), str(node.op or ""), node.data, -rank[node])

    ready = [mirror]
    result = []
    while ready:
        ready.sort(key=key, reverse=True)
        node = ready.pop()
        result.append(node)
        for parent in node.parents:
            users[parent] -= 1
            if users[parent] == 0:
                ready.append(parent)
    return result


def _is_close_number(value: Any, expected: float) -> bool:
    try:
        return close(float(value), expected)
    except (TypeError, ValueError):
        return False


def _runs_matching(root: Any, students: list, stored: list) -> int:
    """How many backward() calls from zero give the gradients the student holds (0: none of 2 to 5)."""
    for runs in range(2, 6):
        try:
            again = run_backward(root, students, runs)
        except Exception:
            return 0
        if all(_is_close_number(a, float(b)) for a, b in zip(again, stored, strict=True)):
            return runs
    return 0


def _diagnose(node: ForeignNode, expected: dict, got: Any, order: list, found: dict) -> Audit:
    """Name the kind of bug at the first wrong node (every node that uses it is right)."""
    who = describe(node.student)
    head = f"✘ {who}: expected grad {_num(expected[node])}, got {_num(got)}."

    def finding(kind: str, why: str) -> Audit:
        return Audit(False, f"{head} {why}", kind, node.student, expected[node], got, **found)

    if node is found["mirror"]:
        return finding("seed", "backward() must start with the output's own gradient: self.grad = 1 (d out / d out).")
    consumers = [(c, c.parents.index(node)) for c in order if node in c.parents]
    for consumer, index in consumers:
        name = describe(consumer.student)
        inputs = tuple(p.student for p in consumer.parents)
        try:
            from_zero = consumer._local[index]
            from_one = read_local_grads(consumer.student, inputs, start=1.0)[index] - 1.0
            doubled = read_local_grads(consumer.student, inputs, upstream=2.0)[index]
        except StudentGraphError as error:
            return finding("broken", str(error))
        if not any(consumer._local) and kit_local_grads(consumer)[0] not in (None, (0.0,) * len(consumer._local)):
            return finding(
                "missing",
                f"The _backward of {name} adds nothing to its inputs' gradients yet: write its rule, "
                "input.grad += local gradient × out.grad.",
            )
        if not close(from_one, from_zero):
            parts = [_num(c._local[i] * expected[c]) for c, i in consumers]
            kept = (
                f"so of the contributions {' and '.join(parts)} only one is kept."
                if len(parts) > 1
                else "so a node used twice by this op keeps only one of its two contributions."
            )
            return finding(
                "overwrites",
                f"The _backward of {name} overwrites its inputs' gradients instead of adding to them "
                f"(.grad = where += belongs), {kept}",
            )
        if from_zero and not close(doubled, 2 * from_zero):
            return finding(
                "forgets_upstream",
                f"The _backward of {name} forgets the upstream gradient: it adds its local gradient "
                f"{_num(from_zero)} alone, where the chain rule adds local × out.grad = "
                f"{_num(from_zero)} × {_num(expected[consumer])}.",
            )
        kit, _ = kit_local_grads(consumer)
        if kit is not None and not close(kit[index], from_zero):
            rule = SCALAR_OPS[consumer.op].rule
            return finding(
                "wrong_local",
                f"The local gradient of {name} is wrong: its _backward gives {_num(from_zero)} for this input, "
                f"where {rule} gives {_num(kit[index])}.",
            )
    if _right_in_order(node, expected, order):
        return finding(
            "too_early",
            "Every rule into it is right: backward() visits a node too early, passing its gradient on "
            "before all the nodes that use it have added theirs. Call the _backward functions in reverse "
            "topological order (build the order first, then go through it backwards).",
        )
    return finding("other", "Every rule into it looks right; print the gradients step by step to see where it changes.")


def _times(runs: int) -> str:
    return {2: "twice", 3: "three times", 4: "four times"}.get(runs, f"{runs} times")


def _arity(node: ForeignNode) -> int:
    row = SCALAR_OPS.get(node.op or "")
    return row.arity if row is not None else len(node.parents)


def _right_in_order(node: ForeignNode, expected: dict, order: list) -> bool:
    """Do the student's own ``_backward`` functions, called in the kit's order from zero, give ``node`` its right gradient?"""
    students = [n.student for n in order]
    try:
        with preserved_grads(students):
            for obj in students:
                obj.grad = 0.0
            order[0].student.grad = 1.0
            for n in order:
                if n.parents:
                    n.student._backward()
            return _is_close_number(node.student.grad, expected[node])
    except Exception:
        return False
