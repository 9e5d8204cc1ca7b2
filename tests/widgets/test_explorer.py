"""Explorer driven in Python: formulas, sliders, modes."""

import math

import pytest

from backprop_widgets import Explorer, Value, forward_derivatives, variables


def test_formula_sliders_and_live_gradients():
    e = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)
    assert [s.description for s in e.sliders_box.children] == ["a", "b", "c"]
    assert e.sliders["b"].value == 3.0
    assert {n: v.grad for n, v in variables(e.root).items()} == {"a": 7.0, "b": 9.0, "c": 2.0}
    before = list(e.stepper.view.cells)
    e.sliders["b"].value = 2.0
    assert e.root.data == 1 * 6 and variables(e.root)["b"].grad == 6 + 1
    assert e.stepper.view.cells != before and e.stepper.view.texts(e.inputs["b"])["grad"] == "7"
    assert repr(e) == "Explorer('(a+b)*(b+c)', a=-1, b=2, c=4)"


def test_bad_formula_keeps_the_last_good_graph():
    e = Explorer("x^2", x=3)
    root = e.root
    e.formula.value = "sigmod(x)"
    assert e.root is root
    assert "did you mean" in e.error.value and "sigmoid" in e.error.value and "^" in e.error.value
    e.formula.value = "sigmoid(x)"
    assert e.error.value == "" and e.root is not root
    assert math.isclose(e.root.data, 1 / (1 + math.exp(-3)))


def test_a_stale_picture_is_marked_until_the_formula_parses_again():
    e = Explorer("x^2", x=3)
    assert e.stale.layout.display == "none" and "bpw-stale" not in e.body._dom_classes
    e.formula.value = "x^"
    assert e.stale.layout.display != "none" and "Out of date" in e.stale.value and "<code>x^2</code>" in e.stale.value
    assert "bpw-stale" in e.body._dom_classes and "dashed" in e.body.layout.border
    e.formula.value = "x^3"
    assert e.stale.layout.display == "none" and e.stale.value == "" and "bpw-stale" not in e.body._dom_classes
    assert not e.body.layout.border and e.root.data == 27.0


def test_a_bad_first_formula_is_marked_too():
    e = Explorer("(x+", x=1)
    assert "bpw-stale" in e.body._dom_classes and "not of the formula in the box" in e.stale.value


def test_new_variables_start_at_distinct_values():
    e = Explorer("max(a, b)")
    assert {n: v.data for n, v in e.inputs.items()} == {"a": 1.0, "b": 2.0}
    assert (e.inputs["a"].grad, e.inputs["b"].grad) == (0.0, 1.0)  # not ½ and ½: no tie
    e.formula.value = "max(a, b) + min(c, a)"  # a and b keep their values; c takes the next free one
    assert {n: v.data for n, v in e.inputs.items()} == {"a": 1.0, "b": 2.0, "c": 3.0}
    given = Explorer("x*y*z", y=1)
    assert sorted(v.data for v in given.inputs.values()) == [1.0, 2.0, 3.0] and given.inputs["y"].data == 1.0


def test_new_formula_rebuilds_sliders_and_keeps_shared_values():
    e = Explorer("x*y", x=2, y=5)
    e.formula.value = "x + z"
    assert list(e.sliders) == ["x", "z"]
    assert e.sliders["x"].value == 2.0 and e.sliders["z"].value == 1.0  # parse's default


def test_forward_mode_counts_passes_e7():
    e = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)
    e.mode.value = "forward"
    results = [e.forward_pass(n)[e.root] for n in "abc"]
    assert results == [7.0, 9.0, 2.0]
    assert "Forward passes done: 3 of 3 inputs" in e.forward_report.value
    assert "backward passes needed for all 3: 1" in e.forward_report.value


def test_forward_mode_is_a_mode_you_can_step():
    e = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)
    e.mode.value = "forward"
    e.wrt.value = "b"
    stepper = e.forward_stepper
    assert stepper in e.body.children and e.stepper not in e.body.children  # the whole widget switches
    assert "Forward passes done: 0 of 3" in e.forward_report.value
    f, b = e.root, e.inputs["b"]
    assert stepper.view.texts(b)["grad"] == "1" and stepper.view.texts(f)["grad"] == "?"
    assert stepper.view.texts(e.inputs["a"])["grad"] == "0"  # a does not move when b moves
    lines = []
    for _ in range(stepper.total):
        stepper.step()
        text = stepper.walk.explain()
        lines.append(f"{text['local_text']} | {text['numbers_text']}")
    assert lines == [
        "local: ∂(a + b)/∂b = 1 | local × tangent: 1 × 1 = 1",
        "local: ∂(b + c)/∂b = 1 | local × tangent: 1 × 1 = 1",
        "local: ∂f/∂(a + b) = (b + c) = 7; ∂f/∂(b + c) = (a + b) = 2 | local × tangent: 7 × 1 + 2 × 1 = 9",
    ]
    assert stepper.view.texts(f)["grad"] == "9" == format(forward_derivatives(f, wrt=b)[f], "g")
    assert "Forward passes done: 1 of 3" in e.forward_report.value and "b ✓" in e.forward_report.value
    e.sliders["b"].value = 2.0  # a slider recomputes in the current mode, at the same step
    assert e.body.children[1] is stepper and stepper.position == 3 and stepper.view.texts(f)["grad"] == "7"
    e.mode.value = "reverse"
    assert e.body.children[0] is e.stepper


def test_gradient_check_mode():
    e = Explorer("1/(1+e^(-x))", x=1)
    e.mode.value = "check"
    assert "All gradients agree" in e.check_report.value
    assert e.check_report.value.count("right") >= 8


def test_gradient_check_mode_shows_the_whole_picture_it_checks():
    e = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)
    e.stepper.reset()
    e.stepper.step()  # half-way through the backward pass: most gradients are "?"
    assert "?" in e.stepper.view.cells
    e.mode.value = "check"
    view = e.check_view
    assert e.body.children == (view, e.check_box)  # a picture of its own, without step controls
    assert "?" not in view.cells and not view.stepping
    assert [view.texts(e.inputs[n])["grad"] for n in "abc"] == ["7", "9", "2"]
    e.sliders["b"].value = 2.0  # a slider keeps the picture whole, with the new numbers
    assert "?" not in view.cells and view.texts(e.inputs["b"])["grad"] == "7"
    e.mode.value = "reverse"  # the stepper kept its place
    assert e.body.children[0] is e.stepper and e.stepper.position == 1
    e.mode.value = "check"
    e.formula.value = "a*b"  # a new formula, a new picture
    assert e.body.children[0] is e.check_view is not view and e.check_view.root is e.root
    assert "?" not in e.check_view.cells
    quiz = Explorer("a*b", a=2, b=3, quiz=True)
    quiz.mode.value = "check"  # a quiz keeps its stepper: the table shows only what was walked
    assert quiz.body.children[0] is quiz.stepper and "step the backward pass" in quiz.check_report.value


def test_the_mode_buttons_size_to_their_text():
    e = Explorer("x^2", x=1)
    assert e.check_button.layout.width == "auto" and e.forward_button.layout.width == "auto"
    assert e.check_button.layout.align_self == "flex-start"


def test_explorer_on_a_graph_built_in_python():
    x = Value(1.0, label="x")
    g = (4 * x + 1) ** 2
    e = Explorer(g)
    assert e.formula.value == "(4 * x + 1)^2"
    e.set_value("x", -1.0)
    assert g.data == 9.0 and x.grad == -24.0
    with pytest.raises(KeyError, match="no input named"):
        e.set_value("nope", 1.0)


def test_slider_ranges_hold_the_value_and_can_be_set():
    e = Explorer("x*y", x=30, y=0.5, ranges={"y": (-1, 1, 0.05)})
    assert e.sliders["x"].min <= 30 <= e.sliders["x"].max
    assert (e.sliders["y"].min, e.sliders["y"].max, e.sliders["y"].step) == (-1, 1, 0.05)


def test_hide_gradients_and_controls():
    e = Explorer("x*y", x=2, y=3, hide_gradients=True, hide=("formula", "modes"))
    assert e.stepper.position == 0 and "?" in e.stepper.view.cells
    assert e.children[0].layout.display == "none" and e.mode.layout.display == "none"


def test_bad_first_formula_still_gives_a_widget():
    e = Explorer("(x+", x=1)
    assert "never closed" in e.error.value or "column" in e.error.value
    e.formula.value = "x+1"
    assert e.root.data == 2.0


def test_a_slider_move_records_nothing_and_makes_no_step_until_one_is_shown(monkeypatch):
    from backprop_widgets.widgets import recorded, walk

    explorer = Explorer("(a+b)*(b+c) + tanh(a*c)")
    made: list[str] = []
    monkeypatch.setattr(recorded, "replay_state", lambda stepper: made.append("recorded") or {})
    take_steps = walk.BackwardWalk._take_steps
    monkeypatch.setattr(walk.BackwardWalk, "_take_steps", lambda self: made.append("steps") or take_steps(self))
    explorer.sliders["a"].value = 2.5
    explorer.sliders["b"].value = -1.5
    assert made == []
    assert explorer.stepper.explain()["numbers_text"]  # the last step, made alone for the panel
    explorer.stepper.back()  # a step in the middle of the pass: every step is made now
    assert made == ["steps"]
