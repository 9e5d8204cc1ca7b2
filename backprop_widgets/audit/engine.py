"""``audit_engine(Value)``: property tests (hypothesis) of a student's own Value class, each graph checked by ``audit``.

The properties, in the order they are tried: random expressions over the ops
the class defines, reuse (``a + a``, ``a * a``, a value used by three nodes),
constants on both sides (``2 * a``, ``a + 1``, ``1 - a``), a 5,000-node chain,
and a second ``backward()``.  The first that fails is reported in a sentence,
with hypothesis's smallest example.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..engine.foreign import preserved_grads, student_order
from .graph import Audit, audit, close

__all__ = ["EngineAudit", "audit_engine", "CHAIN", "ops_defined"]

CHAIN = 5_000  # the long chain's length: deeper than Python's default recursion limit (1,000)
VALUES = (-2.0, -1.5, -0.5, 0.5, 1.0, 2.0, 3.0)

# What each op needs of the class, and how to apply it: (dunder or method, arity, apply, how it reads)
OPS: dict[str, tuple[str, int, Callable, str]] = {
    "+": ("__add__", 2, lambda a, b: a + b, "({} + {})"),
    "*": ("__mul__", 2, lambda a, b: a * b, "({} * {})"),
    "-": ("__sub__", 2, lambda a, b: a - b, "({} - {})"),
    "/": ("__truediv__", 2, lambda a, b: a / b, "({} / {})"),
    "neg": ("__neg__", 1, lambda a: -a, "-{}"),
    "**2": ("__pow__", 1, lambda a: a**2, "{}**2"),
    "**3": ("__pow__", 1, lambda a: a**3, "{}**3"),
    "tanh": ("tanh", 1, lambda a: a.tanh(), "{}.tanh()"),
    "exp": ("exp", 1, lambda a: a.exp(), "{}.exp()"),
    "relu": ("relu", 1, lambda a: a.relu(), "{}.relu()"),
    "sigmoid": ("sigmoid", 1, lambda a: a.sigmoid(), "{}.sigmoid()"),
}
CONSTANTS = (  # (needs, text, apply): a number on either side
    ("__rmul__", "2 * a", lambda a: 2 * a),
    ("__mul__", "a * 2", lambda a: a * 2),
    ("__add__", "a + 1", lambda a: a + 1),
    ("__radd__", "1 + a", lambda a: 1 + a),
    ("__rsub__", "1 - a", lambda a: 1 - a),
    ("__sub__", "a - 1", lambda a: a - 1),
)


@dataclass
class EngineAudit:
    """What ``audit_engine`` found: ``ok``, the first failing ``property``, its ``sentence`` and smallest ``example``."""

    ok: bool
    sentence: str
    property: str | None = None
    example: str | None = None
    kind: str | None = None  # the catalogue's key of the audit that failed (audit.KINDS), or "missing"
    audit: Audit | None = None  # the audit of the smallest example
    notes: list = field(default_factory=list)
    ops: tuple = ()
    seconds: float = 0.0

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return "\n".join([self.sentence, *self.notes])

    def __repr__(self) -> str:
        return f"EngineAudit({str(self)!r})"


class NotYet(str):
    """A finding that something is not written yet (shown with ○, not ✘)."""


def ops_defined(cls: type) -> tuple[str, ...]:
    """The ops of ``OPS`` that a class defines (an inherited ``object`` method does not count)."""
    return tuple(op for op, (attr, *_) in OPS.items() if _has(cls, attr))


def audit_engine(cls: type, *, max_examples: int = 40) -> EngineAudit:
    """Test a student's Value class with hypothesis: random expressions, reuse, constants, a long chain, a second backward().

    Every graph is checked by ``audit`` against the kit's engine.  Returns the
    first failing property, with hypothesis's smallest example, in a sentence.
    """
    start = time.perf_counter()
    ops = ops_defined(cls)
    if not {"+", "*"} <= set(ops) or not callable(getattr(cls, "backward", None)):
        missing = [name for name in ("__add__", "__mul__", "backward") if not _has(cls, name)]
        found = EngineAudit(
            False,
            f"○ {cls.__name__} has no {', '.join(missing)} yet: define addition, multiplication and backward() "
            "first, then run audit_engine again.",
            "ops",
            kind="missing",
            ops=ops,
        )
        found.seconds = time.perf_counter() - start
        return found
    checks = [
        ("random expressions", lambda: _random_expressions(cls, ops, max_examples)),
        ("reuse", lambda: _reuse(cls, ops)),
        ("constants", lambda: _constants(cls)),
        (f"a {CHAIN:,}-node chain", lambda: _chain(cls)),
        ("a second backward()", lambda: _second_backward(cls)),
    ]
    notes: list[str] = []
    for name, check in checks:
        failure = check()
        if isinstance(failure, str):  # a note, not a failure
            notes.append(failure)
            continue
        if failure is not None:
            example, found_audit = failure
            kind = (
                found_audit.kind
                if isinstance(found_audit, Audit)
                else "missing"
                if isinstance(found_audit, NotYet)
                else "raises"
            )
            cause = str(found_audit.cause if isinstance(found_audit, Audit) else found_audit).lstrip("✘ ")
            mark = "○" if isinstance(found_audit, NotYet) else "✘"  # ○: something not written yet
            result = EngineAudit(
                False,
                f"{mark} {name}: {cause} Smallest example: {example}.",
                name,
                example,
                kind,
                found_audit if isinstance(found_audit, Audit) else None,
                notes,
                ops,
            )
            result.seconds = time.perf_counter() - start
            return result
    result = EngineAudit(
        True,
        f"✔ {cls.__name__} passes: random expressions over {', '.join(ops)}; reuse; constants; "
        f"a {CHAIN:,}-node chain; a second backward().",
        notes=notes,
        ops=ops,
    )
    result.seconds = time.perf_counter() - start
    return result


# ---- the properties: each returns None, a note (str), or (example, Audit or sentence) --------------


def _leaf(cls: type, value: float, name: str) -> Any:
    leaf = cls(value)
    try:
        leaf.label = name
    except AttributeError:  # a class with __slots__ and no label
        pass
    return leaf


def _check(build: Callable[[], Any], text: str) -> tuple[str, Any] | None:
    """Build one graph with the student's class and audit it: None if right, else (example, finding)."""
    try:
        root = build()
    except Exception as error:  # the student's code
        return text, f"building it raised {type(error).__name__}: {error}."
    if not math.isfinite(float(root.data)):
        return None  # overflow: not a question of gradients
    found = audit(root)
    return None if found.ok else (text, found)


def _random_expressions(cls: type, ops: tuple, max_examples: int) -> tuple[str, Any] | None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    usable = [op for op in ops if op != "/"]  # division: the denominator is kept away from zero below
    leaves = st.sampled_from(("a", "b", "c"))

    def extend(children):
        ones = [st.tuples(st.just(op), children) for op in usable if OPS[op][1] == 1]
        twos = [st.tuples(st.just(op), children, children) for op in usable if OPS[op][1] == 2]
        return st.one_of(*ones, *twos)

    trees = st.recursive(leaves, extend, max_leaves=6)
    numbers = st.tuples(*[st.sampled_from(VALUES)] * 3)
    failures: list = []

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    @given(trees, numbers)
    def prop(tree, values):
        named = dict(zip("abc", values, strict=True))
        text = _text(tree) + " with " + ", ".join(f"{k} = {v:g}" for k, v in named.items() if k in _text(tree))
        failure = _check(lambda: _build(cls, tree, named), text)
        if failure is not None:
            failures.append(failure)
            raise AssertionError(text)

    try:
        prop()
    except AssertionError:
        return failures[-1]  # hypothesis replays its smallest example last
    return None


def _text(tree: Any) -> str:
    if isinstance(tree, str):
        return tree
    op, *args = tree
    text = OPS[op][3].format(*(_text(a) for a in args))
    return text[1:-1] if text.startswith("(") and text.endswith(")") and text.count("(") == 1 else text


def _build(cls: type, tree: Any, named: dict, made: dict | None = None) -> Any:
    made = {} if made is None else made
    if isinstance(tree, str):  # one leaf object per name: a name used twice is reuse
        if tree not in made:
            made[tree] = _leaf(cls, named[tree], tree)
        return made[tree]
    op, *args = tree
    return OPS[op][2](*(_build(cls, a, named, made) for a in args))


def _reuse(cls: type, ops: tuple) -> tuple[str, Any] | None:
    examples: list[tuple[str, Callable]] = [
        ("a + a with a = 3", lambda a, b, c: a + a),
        ("a * a with a = 3", lambda a, b, c: a * a),
        (
            "(a * b) + (a * c) + (a + c) with a = 3, b = -2, c = 0.5, a used by three nodes",
            lambda a, b, c: (a * b) + (a * c) + (a + c),
        ),
    ]
    examples.append(("x = a * b; x * ((x * c) * c) with a = 3, b = -2, c = 0.5", _deep_reuse))
    for text, make in examples:
        failure = _check(partial(_three_leaves, make, cls), text)
        if failure is not None:
            return failure
    return None


def _three_leaves(make: Callable, cls: type) -> Any:
    return make(_leaf(cls, 3.0, "a"), _leaf(cls, -2.0, "b"), _leaf(cls, 0.5, "c"))


def _deep_reuse(a: Any, b: Any, c: Any) -> Any:
    """x used by two nodes, one of them two steps further from the output."""
    x = a * b
    return x * ((x * c) * c)


def _constants(cls: type) -> tuple[str, Any] | None:
    for needs, text, make in CONSTANTS:
        if not _has(cls, needs):
            return text, NotYet(
                f"{text} needs {needs}, which {cls.__name__} does not define yet (return self {text[2]} other)."
            )
        failure = _check(partial(_one_leaf, make, cls), f"{text} with a = 3")
        if failure is not None:
            return failure
    return None


def _one_leaf(make: Callable, cls: type) -> Any:
    return make(_leaf(cls, 3.0, "a"))


def _chain(cls: type) -> tuple[str, Any] | None:
    def build():
        x = _leaf(cls, 0.5, "a")
        step = _leaf(cls, 1.0, "one")
        for _ in range(CHAIN - 1):
            x = x * step
        return x

    text = f"a * one * one * … ({CHAIN:,} nodes)"
    return _check(build, text)


def _second_backward(cls: type) -> tuple[str, Any] | str | None:
    """Zeroed between them, two backward() calls give the same gradients; without zeroing, a note if they grow."""
    a, b = _leaf(cls, 3.0, "a"), _leaf(cls, -2.0, "b")
    try:
        f = a * b + a
        nodes = student_order(f)[0]
        with preserved_grads(nodes):
            f.backward()
            first = [n.grad for n in nodes]
            for n in nodes:
                n.grad = 0.0
            f.backward()
            again = [n.grad for n in nodes]
            f.backward()
            grown = [n.grad for n in nodes]
    except Exception as error:
        return "a * b + a, backward() twice", f"the second backward() raised {type(error).__name__}: {error}."
    text = "f = a * b + a with a = 3, b = -2; backward(), every .grad set to 0, backward() again"
    if not all(close(float(x), float(y)) for x, y in zip(first, again, strict=True)):
        found = audit(f)  # the second pass from zero is wrong: say where
        return text, found if not found.ok else f"the gradients after zeroing are {again}, not {first}."
    if not all(close(float(x), float(y)) for x, y in zip(first, grown, strict=True)):
        return (
            f"Note: calling backward() twice without zeroing gives a.grad = {float(grown[nodes.index(a)]):g} "
            f"instead of {float(first[nodes.index(a)]):g}: the gradients keep growing (as in micrograd and "
            "PyTorch). Set every .grad to 0 before each backward()."
        )
    return None


def _has(cls: type, attr: str) -> bool:
    return any(attr in vars(k) for k in cls.__mro__ if k is not object)
