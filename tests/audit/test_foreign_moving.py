"""A student's own graph moved and walked forwards: the Explorer drags its inputs (each node re-run by the
student's own code on copies), the ForwardStepper walks it, and the student's objects never change."""

from __future__ import annotations

import math

import pytest

from backprop_widgets import Explorer, gradcheck
from backprop_widgets.engine import evaluate, topological_order
from backprop_widgets.engine.foreign import StudentGraphError, as_graph
from backprop_widgets.widgets.stepper import ForwardStepper

from .engines import make_engine
from .test_foreign_graphs import Broken, every_node, more_ops, state

micrograd = pytest.importorskip("micrograd.engine")


def lecture_graph(Value, x=0.5, w=-1.5):
    x, w = Value(x, label="x"), Value(w, label="w")
    n = x * w + x - 2 * w  # a constant on the left, and sub: its inputs' order matters
    n.label = "n"
    out = (n / (1 + w * w)).tanh() if hasattr(Value, "__truediv__") else n.tanh()
    out.label = "out"
    return x, w, out


def test_the_explorer_drags_a_students_input_and_shows_what_the_students_engine_gives():
    Value = make_engine()
    x, w, out = lecture_graph(Value)
    explorer = Explorer(out)
    assert set(explorer.inputs) == {"x", "w"}  # its labelled leaves (not the constants 2 and 1)
    explorer.set_value("x", 1.25)
    _, _, fresh = lecture_graph(Value, x=1.25)  # the student's engine run anew at the new number
    fresh.backward()
    assert explorer.root.data == fresh.data
    grads = explorer.stepper.walk.grads()
    assert grads[explorer.inputs["x"]] == pytest.approx(fresh_grad(fresh, "x"), rel=1e-12)
    assert grads[explorer.inputs["w"]] == pytest.approx(fresh_grad(fresh, "w"), rel=1e-12)
    assert x.data == 0.5 and x.grad == 0.0 and out.data == math.tanh(0.5 * -1.5 + 0.5 + 3.0)  # the student's own


def fresh_grad(root, label):
    return next(v.grad for v in every_node(root) if v.label == label)


def test_a_wrong_local_gradient_moves_with_the_slider_and_the_check_finds_it():
    Value = make_engine("wrong_local")  # tanh's local gradient written 1 − t
    *_, out = lecture_graph(Value)
    explorer = Explorer(out)
    explorer.set_value("w", 0.3)
    tanh_node = explorer.root
    assert tanh_node.local_grads()[0] == pytest.approx(1 - tanh_node.data)  # the student's rule, at the new numbers
    explorer.mode.value = "check"
    report = explorer.check()
    assert not report.ok and "wrong" in explorer.check_report.value  # backward rules against the forward's numbers


def test_micrograd_moves_to_micrograds_own_numbers():
    a, b, g = more_ops()
    mirror = as_graph(g)
    order = topological_order(mirror)
    leaf_a = next(n for n in order if n.student is a)
    leaf_a.data = -3.0
    evaluate(mirror)
    a2, _, g2 = more_ops(-3.0)
    assert mirror.data == g2.data  # every node re-run by micrograd itself: the same number, exactly
    assert gradcheck(mirror).ok
    assert a.data == -4.0 and g.data != g2.data


def test_the_forward_stepper_walks_a_students_graph_to_its_gradient():
    a, b, g = more_ops()
    stepper = ForwardStepper(g, a)
    assert stepper.wrt.student is a
    stepper.run()
    g.backward()
    assert stepper.walk.grads()[stepper.walk.root] == pytest.approx(a.grad, rel=1e-12)
    assert repr(stepper).startswith("ForwardStepper(∂/∂")


def test_nothing_of_the_students_graph_changes_when_explored():
    for make in (lambda: more_ops(), lambda: lecture_graph(make_engine())):
        *_, root = make()
        root.backward()
        before = state(root)
        explorer = Explorer(root)
        name = next(iter(explorer.inputs))
        explorer.set_value(name, 0.75)
        explorer.mode.value = "forward"
        explorer.forward_pass(name)
        explorer.mode.value = "check"
        explorer.mode.value = "reverse"
        explorer.stepper.reset()
        explorer.stepper.run()
        after = state(root)
        assert len(before) == len(after)
        for old, new in zip(before, after, strict=True):
            assert old[0] is new[0] and old[1:] == new[1:]


def test_an_op_the_kit_cannot_rerun_is_a_sentence():
    a = Broken(2.0, label="a")
    out = Broken(4.0, (a,), "square", backward=lambda: None, label="sq")
    explorer = Explorer(out)
    with pytest.raises(StudentGraphError, match=r"the node 'sq' \(data 4\): the kit cannot re-run its op 'square'"):
        explorer.set_value("a", 3.0)
