"""audit() and audit_engine() on a right engine and on one engine per catalogue bug: each found, with its node and kind."""

from __future__ import annotations

import time

import pytest

from backprop_widgets import Value as KitValue
from backprop_widgets import audit, audit_engine
from backprop_widgets.audit.view import audit_view

from .engines import BUGS, make_engine


def graph(Value):
    """x = a·b is used by two nodes, one of them deeper; f is a tanh of moderate size (its slope is far from 1 − t)."""
    a, b, c = Value(0.3, label="a"), Value(-0.8, label="b"), Value(0.5, label="c")
    x = a * b
    x.label = "x"
    z = (x * c) * c
    z.label = "z"
    y = x + z
    y.label = "y"
    s = a * a
    s.label = "s"
    n = y + s
    n.label = "n"
    f = n.tanh()
    f.label = "f"
    return f


# the node audit() names first (from the output back) and the kind, for each engine
FOUND = {
    "overwrites": ({"x", "c"}, "overwrites"),  # both used twice; which comes first follows the sets
    "forgets_upstream": ({"y", "s"}, "forgets_upstream"),  # n's inputs (which first depends on micrograd's set)
    "too_early": ({"a", "b"}, "too_early"),  # x is complete in the end, but was passed on too early
    "wrong_local": ({"n"}, "wrong_local"),
}


def test_a_right_engine_passes_both():
    Value = make_engine()
    found = audit(graph(Value))
    assert found.ok and found.kind is None and found.first_wrong is None and found.checked == 10
    assert audit_engine(Value).ok


@pytest.mark.parametrize("bug", sorted(FOUND))
def test_audit_names_the_first_wrong_node_and_the_kind(bug):
    f = graph(make_engine(bug))
    found = audit(f)
    label, kind = FOUND[bug]
    assert not found.ok and found.kind == kind and found.first_wrong.label in label
    assert found.cause.startswith(f"✘ the node '{found.first_wrong.label}'")
    assert found.expected == pytest.approx(_kit_grads()[found.first_wrong.label])
    assert found.got != pytest.approx(found.expected)


def _kit_grads():
    f = graph(KitValue)
    f.backward()
    from backprop_widgets.engine import topological_order

    return {n.label: n.grad for n in topological_order(f) if n.label}


def test_audit_finds_the_recursion_limit_on_a_long_chain():
    Value = make_engine("recursion")
    x = Value(0.5, label="a")
    for _ in range(3000):
        x = x * 1.0
    found = audit(x)
    assert found.kind == "recursion" and "loop" in found.cause and "recursion limit" in found.cause


def test_audit_finds_a_second_backward_without_zeroing():
    f = graph(make_engine())
    f.backward()
    f.backward()
    found = audit(f)
    assert found.kind == "twice" and "called twice" in found.cause
    assert found.got == pytest.approx(2 * found.expected)  # the first wrong node from the output: f's input, 2x


def test_audit_of_a_seed_that_is_not_one():
    Value = make_engine()
    f = graph(Value)
    f.backward = lambda: None  # a backward() that never starts
    found = audit(f)
    assert found.kind == "seed" and found.first_wrong is f


def test_an_unknown_op_is_reported_and_the_rest_checked():
    Value = make_engine("overwrites")
    a = Value(2.0, label="a")
    s = a * a
    s._op = "square"  # an op the kit does not know: the student's slopes are taken as they are
    found = audit(s + a)
    assert any("'square'" in note for note in found.notes)
    assert found.kind == "overwrites"


@pytest.mark.parametrize("bug", BUGS)
def test_audit_engine_finds_each_bug(bug):
    found = audit_engine(make_engine(bug))
    assert not found.ok
    assert found.kind == bug
    assert "Smallest example:" in found.sentence


def test_audit_engine_notes_growing_gradients_and_takes_seconds():
    start = time.perf_counter()
    found = audit_engine(make_engine())
    took = time.perf_counter() - start
    assert found.ok and any("keep growing" in note for note in found.notes)
    assert found.seconds == pytest.approx(took, abs=0.1) and took < 20


def test_audit_engine_on_an_empty_class_says_what_to_do_next():
    class Value:
        def __init__(self, data):
            self.data, self.grad = data, 0.0

    found = audit_engine(Value)
    assert not found.ok and found.kind == "missing" and "define addition" in found.sentence


def test_audit_engine_finds_missing_constants():
    Value = make_engine()
    del Value.__rsub__
    found = audit_engine(Value)
    assert found.property == "constants" and "1 - a needs __rsub__" in found.sentence


def test_the_audit_shows_a_stepper_opened_at_the_first_wrong_node():
    found = audit(graph(make_engine("overwrites")))
    box = audit_view(found)
    stepper = box.stepper
    assert stepper.walk.current.parent.student is found.first_wrong
    assert "expected grad" in found._repr_html_() and "first wrong gradient" in stepper.view.title
