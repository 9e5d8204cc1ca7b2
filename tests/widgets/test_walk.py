"""BackwardWalk: the stepper's state, without any widget."""

from backprop_widgets import Value
from backprop_widgets.widgets import BackwardWalk


def test_positions_and_known_gradients(abc):
    a, b, c, x, y, f = abc
    walk = BackwardWalk(f)
    assert len(walk) == 6 and walk.position == 0
    assert walk.grads()[f] == 1.0 and walk.grads()[a] is None
    walk.goto(2)
    assert walk.grads()[x] == 7.0 and walk.grads()[y] == 2.0 and walk.grads()[b] is None
    walk.goto(4)
    state = walk.grad_state(b)
    assert state.value == 7.0 and not state.complete and state.expected == 2
    walk.step()
    assert walk.grad_state(b).complete and walk.running_sum(b) == "x: 7 + y: 2 = 9"
    walk.goto(99)
    assert walk.done and walk.grads() == {n: n.grad for n in walk.order}
    walk.goto(-5)
    assert walk.position == 0


def test_explain_e3_step_as_formula_and_numbers():
    x = Value(1.0, label="x")
    c = 4 * x + 1
    c.label = "e"
    g = c**2
    g.label = "g"
    walk = BackwardWalk(g)
    walk.step()
    text = walk.explain()
    assert r"\frac{\partial g}{\partial e}" in text["formula"]
    assert text["numbers"] == r"1 \times 10 = 10"
    assert "n·aⁿ⁻¹" in text["rule"]
    walk.run()
    assert walk.current.parent is x and walk.explain()["numbers"] == r"10 \times 4 = 40"


def test_explain_running_sum_at_a_branch(abc):
    a, b, c, x, y, f = abc
    walk = BackwardWalk(f)
    walk.goto(4)
    assert walk.explain()["sum"] == "b collects 2 contributions: x: 7 (so far)"
    walk.goto(5)
    assert walk.explain()["sum"] == "b collects 2 contributions: x: 7 + y: 2 = 9"
    assert r"\mathrel{+}=" in walk.explain()["formula"]


def test_repr():
    walk = BackwardWalk(Value(2.0) * 3)  # the constant 3 gets no step
    walk.step()
    assert repr(walk) == "BackwardWalk(step 1 of 1)"
    assert len(BackwardWalk(Value(2.0) * 3, walk_constants=True)) == 2
