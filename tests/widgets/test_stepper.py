"""BackwardStepper driven in Python: click, read the state and the SVG."""

import re

import pytest

from backprop_widgets import BackwardStepper, Value, configure


def grad_cells(svg):
    return re.findall(r">(-?[\d.?e+-]+|\?)</text>", svg)


def test_buttons_walk_the_backward_pass(abc):
    a, b, c, x, y, f = abc
    s = BackwardStepper(f)
    assert repr(s) == "BackwardStepper(step 0 of 6)"
    assert s.position_label.value == "step 0 of 6"
    assert s.back_button.disabled and not s.step_button.disabled
    first = list(s.view.cells)
    s.step_button.click()
    assert s.position == 1 and s.view.cells != first
    assert "step 1 of 6" == s.position_label.value
    assert "1 × 7 = 7" in s.numbers.value and r"\frac" in s.panel.value
    for _ in range(4):
        s.step_button.click()
    assert "x: 7 + y: 2 = 9" in s.numbers.value
    s.back_button.click()
    assert s.position == 4 and "(so far)" in s.numbers.value
    s.run_button.click()
    assert s.position == 6 and s.step_button.disabled and s.run_button.disabled
    s.reset_button.click()
    assert s.position == 0 and s.play.value == 0


def test_highlight_follows_the_step(abc):
    *_, f = abc
    s = BackwardStepper(f)
    s.step()
    step = s.walk.current
    k = s.view.node_id(step.node)
    assert f"e{k}-{step.index}" in s.view.current


def test_unknown_gradients_show_a_question_mark_until_they_arrive(abc):
    a, b, c, x, y, f = abc
    s = BackwardStepper(f)
    assert s.view.cells.count("?") == 5  # everything but f
    s.run()
    assert "?" not in s.view.cells
    assert s.view.texts(b)["grad"] == "9"


def test_play_widget_drives_the_position(abc):
    *_, f = abc
    s = BackwardStepper(f)
    s.play.value = 3
    assert s.position == 3 and s.position_label.value == "step 3 of 6"
    s.speed.value = 0.5
    assert s.play.interval == 500


def test_quiz_asks_for_the_local_gradient_before_showing_it(abc):
    a, b, c, x, y, f = abc
    s = BackwardStepper(f, quiz=True)
    assert s.run_button.layout.display == "none"
    s.step()
    assert s.position == 0 and "local gradient" in s.question.value
    assert not s.answer(2.0)
    assert "not 2" in s.feedback.value and "7" not in s.feedback.value
    assert s.answer(7.0)  # the local gradient; then the product upstream × local
    assert s.position == 0 and "right" in s.feedback.value and "upstream × local" in s.asked
    assert s.answer(7.0) and s.position == 1
    s.step()
    s.reveal_button.click()
    assert s.position == 2


def test_hide_controls_and_notebook_wide_defaults(abc):
    *_, f = abc
    s = BackwardStepper(f, hide=("run", "play"))
    assert s.run_button.layout.display == "none" and s.play.layout.display == "none"
    with pytest.raises(ValueError, match="unknown control"):
        BackwardStepper(f, hide=("bogus",))
    configure(quiz=True)
    assert BackwardStepper(f).quiz
    assert not BackwardStepper(f, quiz=False).quiz


def test_a_stepper_without_a_quiz_makes_no_quiz_controls(abc):
    *_, f = abc
    plain, quiz = BackwardStepper(f, quiz=False), BackwardStepper(f, quiz=True)
    assert not hasattr(plain, "quiz_box") and len(plain.children) == len(quiz.children) - 1
    assert quiz.quiz_box in quiz.children
    with pytest.raises(ValueError, match="quiz mode"):
        plain.answer(1.0)


def test_rebuild_after_values_change(abc):
    a, b, c, x, y, f = abc
    s = BackwardStepper(f)
    s.run()
    b.data = 2.0
    from backprop_widgets.engine import evaluate

    evaluate(f)
    s.rebuild()
    assert s.position == 6 and b.grad == 7.0 and s.view.texts(b)["grad"] == "7"


def test_a_single_leaf_has_no_steps():
    s = BackwardStepper(Value(3.0, label="x"))
    assert repr(s) == "BackwardStepper(step 0 of 0)"
    s.step()
    assert s.position == 0 and s.step_button.disabled


def test_quiz_on_a_tensor_graph_takes_arrays_and_names_the_entries_that_are_off():
    import numpy as np

    from backprop_widgets import Tensor

    w = Tensor([[1.0, 2.0], [3.0, 4.0]], label="W")
    x = Tensor([[1.0, -1.0]], label="x")
    loss = (x @ w).sigmoid().sum()
    s = BackwardStepper(loss, quiz=True)
    s.step()
    assert "1×2 array" in s.question.value and s.array_box.layout.display is None
    assert s.answer_box.layout.display == "none"
    assert not s.answer([1, 1]) and "shape (1, 2)" in s.feedback.value  # a flat list for a row
    assert s.answer([[1, 1]]) and s.position == 1  # the sum's step passes the upstream 1 to every entry
    s.step()  # the sigmoid step: the contribution is σ'(z) ⊙ upstream
    z = np.array([[1.0 - 3.0, 2.0 - 4.0]])
    right = (1 / (1 + np.exp(-z))) * (1 - 1 / (1 + np.exp(-z)))
    assert not s.answer([[right[0, 0], -right[0, 1]]]) and "(0, 1)" in s.feedback.value
    s.array_box.value = str(right.tolist())
    s.check_button.click()
    assert s.position == 2 and "right" in s.feedback.value
    s.array_box.value = "__import__('os')"  # typed text is read as data, never run
    s.check_button.click()
    assert s.position == 2 and "text" in s.feedback.value


def test_quiz_asks_the_local_gradient_then_the_product_then_at_a_branch_the_sum(abc):
    a, b, c, x, y, f = abc
    s = BackwardStepper(f, quiz=True)
    for _ in range(4):  # the first four steps, answered right: local, then product
        s.step()
        step = s.walk.steps[s.position]
        assert s.asked.startswith(f"Step {s.position + 1}: what is the local gradient")
        assert s.answer(step.local_grad) and "upstream × local" in s.asked
        assert s.answer(step.contribution)
    s.step()  # step 5: b's second contribution
    assert s.answer(1.0) and s.answer(2.0)
    assert s.position == 4 and "adds up" in s.asked  # the sum at the branch, asked without giving it away:
    question = s.asked.split(":", 1)[1]  # (after "Step 5:")
    assert "7" not in question and "2" not in question  # neither b's first contribution nor this one
    assert not s.answer(2.0) and "add this contribution" in s.feedback.value
    assert s.answer(9.0) and s.position == 5 and s.asked == ""  # a clean screen for the next question
    s.step()
    s.back()
    assert s.asked == "" and s.question.value == ""  # Back drops the question of the later step


def test_a_quiz_question_sits_beside_its_own_step_not_the_one_before(abc):
    """While asking about step N the panel shows step N's chain rule (and none of its numbers), not step N−1's."""
    a, b, c, x, y, f = abc
    s = BackwardStepper(f, quiz=True)
    s.step()
    assert s.answer(s.walk.steps[0].local_grad) and s.answer(s.walk.steps[0].contribution)  # step 1 done: f -> x
    assert s.position == 1 and r"\partial x" in s.panel.value
    s.step()  # the question about step 2 (f -> y)
    assert s.asked.startswith("Step 2:") and "∂f/∂y" in s.asked
    assert r"\partial y" in s.panel.value and r"\partial x" not in s.panel.value  # step 2's formula
    assert "question on step 2 of" in s.position_label.value
    assert "= contribution" not in s.numbers.value  # its numbers are what is asked


def test_the_quiz_and_the_exercises_share_one_rule_for_a_right_answer(abc):
    from backprop_widgets.exercises.compare import close
    from backprop_widgets.widgets.quiz import ABS_TOL, REL_TOL

    a, b, c, x, y, f = abc
    expected = 7.0  # step 1's local gradient, ∂f/∂x = y
    for answer in (7.0069, 7.00701, 6.99299, 7.0):  # 7.00701 is within math.isclose's 1e-3, not within 1e-3·|7|
        s = BackwardStepper(f, quiz=True)
        s.step()
        assert s.answer(answer) == bool(close(answer, expected, REL_TOL, ABS_TOL)), answer
