"""The gate patterns: each op's word (add distributes, multiply swaps, max routes, a copy passes), a fan-out adds,
marked on the picture and said in the stepper's panel at each step, on a toggle; and, in the forward stepper,
what each gate does to a tangent (add adds, a fan-out copies)."""

import re

import numpy as np

from backprop_widgets import BackwardStepper, Tensor, Value, forward_derivatives
from backprop_widgets.engine import SCALAR_OPS, TENSOR_OPS
from backprop_widgets.engine.gates import gate_pattern, gate_sentence, uses
from backprop_widgets.nn import cross_entropy
from backprop_widgets.render.dot import SMALL_FONT_SIZE
from backprop_widgets.widgets.stepper import ForwardStepper


def test_every_row_of_either_table_makes_one_of_the_patterns():
    for name in [*SCALAR_OPS, *TENSOR_OPS]:
        assert gate_pattern(name) in {"distributes", "swaps", "routes", "passes", "scales"}, name
    assert [gate_pattern(op) for op in ("add", "mul", "max", "amax", "relu", "reshape", "index", "exp")] == [
        "distributes", "swaps", "routes", "routes", "routes", "passes", "passes", "scales",
    ]  # fmt: skip
    assert gate_sentence("add").startswith("add distributes") and gate_sentence("mul").startswith("multiply swaps")


def test_the_pattern_words_match_what_the_numbers_do():
    a, b = Value(2.0), Value(-3.0)
    (a * b).backward()
    assert (a.grad, b.grad) == (b.data, a.data)  # multiply swaps
    a, b = Value(2.0), Value(-3.0)
    (a + b).backward()
    assert a.grad == b.grad == 1.0  # add distributes
    t = Tensor([1.0, 5.0, 2.0])
    t.max().backward()
    assert t.grad.tolist() == [0.0, 1.0, 0.0]  # max routes


def _abc():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    f = (a * b + a).relu()
    f.label = "f"
    return a, f


def test_the_stepper_says_the_pattern_at_each_step_when_the_toggle_is_on():
    a, f = _abc()
    assert uses(f)[a] == 2
    s = BackwardStepper(f)
    assert not s.gates_button.value and "xlabel" not in s.view.dot
    s.step()
    assert "routes" not in s.numbers.value
    s.gates_button.value = True  # the toggle
    assert "Relu = max(0, a) routes" in s.numbers.value
    said = []
    for _ in range(3):
        s.step()
        said.append(s.gate_text())
    assert said[0].startswith("Add distributes") and "fan-out" not in said[0]  # into a·b, used once
    assert said[1].startswith("Add distributes") and "a fan-out adds: a is used 2 times" in said[1]
    assert said[2].startswith("Multiply swaps") and "a fan-out adds" in said[2]
    assert all(text in s.numbers.value for text in ("Multiply swaps", "fan-out adds"))
    s.gates_button.value = False
    assert "swaps" not in s.numbers.value and "xlabel" not in s.view.dot


def test_the_picture_marks_every_op_and_the_fan_out():
    a, f = _abc()
    s = BackwardStepper(f, gates=True)
    dot = s.view.dot
    for word in ("swaps", "distributes", "routes", "fan-out: adds"):
        assert word in dot
    assert dot.count("xlabel") == 4  # one per op, and one beside the fan-out a's box (not a node of its own)
    assert "-fan" not in dot
    assert s.view.gates and "swaps" in s.view.svg


def test_the_gate_words_are_no_smaller_than_the_pictures_other_captions():
    # a smaller word would set the scale at which the whole picture reads at 10 px (7 pt: 1.07 CSS px per point,
    # where 9 pt captions need 0.83), so that a picture with its gates marked could not open whole where one
    # without them does
    a, f = _abc()
    dot = BackwardStepper(f, gates=True).view.dot
    sizes = {int(n) for n in re.findall(r'POINT-SIZE="(\d+)"', dot)} | {
        int(n) for n in re.findall(r"fontsize=(\d+)", dot)
    }
    assert min(sizes) == SMALL_FONT_SIZE, sizes


def test_the_gates_on_a_tensor_classifier_graph():
    z = Tensor(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), label="z")
    s = BackwardStepper(cross_entropy(z, [0, 1], fused=False), gates=True)
    s.run()
    s.goto(1)
    assert s.gate_text().startswith("A copy passes, with its sign flipped")  # the loss's minus
    assert "passes" in s.view.dot and "distributes" in s.view.dot and "scales" in s.view.dot


# ---- forward mode: what each gate does to a tangent ---------------------------------------------


def test_every_row_says_what_it_does_to_a_tangent():
    for name in [*SCALAR_OPS, *TENSOR_OPS]:
        assert gate_pattern(name, forward=True) in {"adds", "swaps", "routes", "passes", "scales"}, name
        assert gate_sentence(name, forward=True) != gate_sentence(name), name  # the forward words are their own
    assert [gate_pattern(op, forward=True) for op in ("add", "mul", "max", "relu", "reshape", "exp")] == [
        "adds", "swaps", "routes", "routes", "passes", "scales",
    ]  # fmt: skip


def test_the_forward_pattern_words_match_what_the_tangents_do():
    a, b = Value(2.0), Value(-3.0)
    f = a + b
    assert forward_derivatives(f, wrt=a)[f] == 1.0  # add adds: da + db with da = 1, db = 0
    g = a * b
    assert forward_derivatives(g, wrt=a)[g] == b.data  # multiply swaps: da·b
    m = Tensor([1.0, 5.0, 2.0])
    top = m.max()
    tangent = np.array([10.0, 20.0, 30.0])
    assert forward_derivatives(top, wrt=m, tangent=tangent)[top] == 20.0  # max routes: the winner's tangent


def test_the_forward_stepper_says_what_each_gate_does_to_the_tangent():
    a, f = _abc()  # f = relu(a·b + a): a fans out
    s = ForwardStepper(f, a)
    assert not s.gates_button.value and "xlabel" not in s.view.dot
    s.step()
    assert "swaps" not in s.numbers.value
    s.gates_button.value = True  # the toggle
    said = [s.gate_text()]
    for _ in range(2):
        s.step()
        said.append(s.gate_text())
    assert (
        said[0].startswith("Multiply swaps here too: da·b + a·db") and "a fan-out copies: a is used 2 times" in said[0]
    )
    assert said[1].startswith("Add adds the tangents") and "a fan-out copies: a is used 2 times" in said[1]
    assert said[2].startswith("Relu = max(0, a) routes: the tangent passes") and "fan-out" not in said[2]
    assert "Relu = max(0, a) routes" in s.numbers.value
    dot = s.view.dot
    assert s.view.gates == "forward" and dot.count("xlabel") == 4  # 3 ops and the fan-out
    for word in ("swaps", "adds", "routes", "fan-out: copies"):
        assert word in dot
    assert "distributes" not in dot and "fan-out: adds" not in dot  # backward's words stay with backward
    s.gates_button.value = False
    assert "Relu" not in s.numbers.value and "xlabel" not in s.view.dot


def test_the_forward_stepper_can_start_with_the_gates_shown():
    z = Tensor(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), label="z")
    s = ForwardStepper(cross_entropy(z, [0, 1], fused=False), z, gates=True)
    s.run()
    assert s.view.gates == "forward" and "passes" in s.view.dot and "adds" in s.view.dot
    s.reset()
    texts = []
    while not s.walk.done:
        s.step()
        texts.append(s.gate_text())
    assert any(t.startswith("A copy passes: the tangent's entries are moved") for t in texts)
    assert any(t.startswith("A mean averages its entries' tangents") for t in texts)
