"""A student's own engine (micrograd, or a class written in a notebook) drawn, stepped and followed along its paths."""

from __future__ import annotations

import math

import pytest

from backprop_widgets import BackwardStepper, PathView, audit, draw
from backprop_widgets.engine.foreign import StudentGraphError, as_graph

from .engines import make_engine

micrograd = pytest.importorskip("micrograd.engine")


def more_ops(a_value=-4.0):
    """micrograd's own test_more_ops graph (its test_engine.py), with its inputs (a at ``a_value``)."""
    Value = micrograd.Value
    a = Value(a_value)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g


def every_node(root):
    seen, stack, order = set(), [root], []
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            order.append(v)
            stack.extend(v._prev)
    return order


def state(root):
    """Everything of a student's graph the kit might touch: the objects themselves, data, grad, inputs, op."""
    return [(v, v.data, v.grad, frozenset(map(id, v._prev)), v._op, v._backward) for v in every_node(root)]


def test_micrograd_more_ops_steps_to_micrograds_own_gradients_exactly():
    a, b, g = more_ops()
    g.backward()
    ours_a, ours_b, ours_g = more_ops()
    stepper = BackwardStepper(ours_g)
    stepper.run()
    grads = stepper.walk.grads()  # keyed by micrograd's own objects
    # another run of micrograd may differ in the last bit (its sets' order follows addresses): approx here
    assert grads[ours_a] == pytest.approx(a.grad) and grads[ours_b] == pytest.approx(b.grad)
    assert a.grad == pytest.approx(138.83381924198252) and b.grad == pytest.approx(645.5772594752186)
    assert ours_a.grad == 0 and ours_b.grad == 0  # the student's own gradients were left alone
    # the picture shows the walk's gradients (looked up by its mirror nodes)
    assert stepper.view.texts(stepper.walk.root.parents[0])["grad"] not in ("?", "")
    ours_g.backward()  # micrograd's own pass on the same objects: every node, exactly (==)
    assert len(grads) == len(every_node(ours_g)) == 39 and len(stepper.walk) == 51
    assert all(grads[node] == node.grad for node in every_node(ours_g))
    assert repr(stepper) == f"BackwardStepper(step {len(stepper.walk)} of {len(stepper.walk)})"


def test_micrograd_more_ops_is_drawn_with_its_own_numbers():
    _, _, g = more_ops()
    g.backward()
    picture = draw(g)
    assert picture.texts(picture.root) == {"data": "24.7", "grad": "1"}
    assert "ReLU" not in picture.source and "relu" in picture.source  # micrograd's ReLU is the kit's relu row
    assert picture.root.student is g


def test_draw_highlights_a_students_node():
    a, _, g = more_ops()
    picture = draw(g, highlight=a)
    assert picture.current and all(i.startswith("n") for i in picture.current)


def test_micrograd_path_view_follows_the_students_input():
    a, _, g = more_ops()
    view = PathView(g, wrt=a)
    assert view.start.student is a


def test_the_kit_never_changes_the_students_graph_or_gradients():
    for make in (more_ops, _notebook_graph):
        *_, root = make()
        root.backward()
        before = state(root)
        draw(root, show_local=True)
        BackwardStepper(root).run()
        BackwardStepper(root, quiz=True)
        PathView(root)
        audit(root)
        after = state(root)
        assert len(before) == len(after)
        for old, new in zip(before, after, strict=True):
            assert old[0] is new[0] and old[1:] == new[1:]
            assert old[2] is new[2] or old[2] == new[2] and type(old[2]) is type(new[2])


def _notebook_graph():
    Value = make_engine()
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    n = x * w + x
    n.label = "n"
    return x, w, n.tanh()


def test_a_notebook_class_steps_with_its_own_local_gradients():
    x, w, out = _notebook_graph()
    mirror = as_graph(out)
    assert mirror.op == "tanh" and mirror.local_grads()[0] == pytest.approx(1 - out.data**2)
    stepper = BackwardStepper(out)
    stepper.run()
    out.backward()
    assert stepper.walk.grads()[x] == pytest.approx(x.grad) and stepper.walk.grads()[w] == pytest.approx(w.grad)


def test_a_wrong_local_gradient_is_what_the_stepper_shows():
    Value = make_engine("wrong_local")
    x = Value(0.5, label="x")
    out = x.tanh()
    stepper = BackwardStepper(out)
    stepper.step()
    assert stepper.walk.current.local_grad == pytest.approx(1 - math.tanh(0.5))  # the student's rule, not the kit's


class Broken:
    """A student's node with whatever is asked of it."""

    def __init__(self, data, children=(), op="", backward=None, label=""):
        self.data, self.grad, self._prev, self._op, self.label = data, 0.0, tuple(children), op, label
        self._backward = backward or (lambda: None)


def test_a_backward_that_raises_is_a_sentence_naming_the_node():
    a = Broken(2.0, label="a")
    out = Broken(4.0, (a,), "square", backward=lambda: 1 / 0, label="sq")
    with pytest.raises(StudentGraphError, match=r"the node 'sq' \(data 4\): its _backward raised ZeroDivisionError"):
        draw(out)
    found = audit(out)
    assert not found.ok and found.kind == "broken" and "'sq'" in found.cause
    assert StudentGraphError("x")._render_traceback_() == ["StudentGraphError: x"]  # Jupyter shows just the sentence


def test_nan_a_cycle_and_no_prev_are_sentences():
    a = Broken(2.0, label="a")

    def nan_backward():
        a.grad += math.nan

    out = Broken(3.0, (a,), "f", backward=nan_backward, label="y")
    with pytest.raises(StudentGraphError, match=r"the node 'y' \(data 3\): its _backward gives nan .* the node 'a'"):
        BackwardStepper(out)
    b = Broken(1.0, label="b")
    c = Broken(2.0, (b,), "+", label="c")
    b._prev = (c,)
    with pytest.raises(StudentGraphError, match=r"cycle"):
        draw(c)

    class NoPrev:
        data, grad, label = 1.0, 0.0, "lonely"

    with pytest.raises(StudentGraphError, match=r"the node 'lonely' \(data 1\) has no _prev"):
        PathView(NoPrev())
    for broken in (out, c, NoPrev()):
        found = audit(broken)
        assert not found.ok and found.kind == "broken"


def test_a_5000_node_chain_is_mirrored_without_recursion():
    Value = make_engine()
    x = Value(0.5)
    for _ in range(5000):
        x = x * 1.0
    assert len(BackwardStepper(x).walk) > 0


def test_micrograd_passes_audit_and_audit_engine_finds_its_recursive_sort():
    *_, g = more_ops()
    found = audit(g)
    assert found.ok and found.checked == 39
    from backprop_widgets import audit_engine

    engine = audit_engine(micrograd.Value)  # micrograd's build_topo is recursive: its one known limit
    assert engine.property == "a 5,000-node chain" and engine.kind == "recursion"


def test_a_wrong_forward_value_is_named():
    Value = make_engine()
    a = Value(2.0, label="a")
    y = a * a
    y.data = 5.0  # the student's forward rule gave the wrong number
    y.label = "y"
    found = audit(y + a)
    assert found.kind == "wrong_value" and found.first_wrong is y and found.expected == 4.0
