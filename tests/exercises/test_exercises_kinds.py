"""The exercise kinds, the verdict and how they show: generic behaviour, independent of any lesson."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from backprop_widgets import Value
from backprop_widgets.exercises import (
    ArrayExercise,
    BoolExercise,
    ChoiceExercise,
    FunctionExercise,
    NumberExercise,
    Text,
    Verdict,
    uniform,
)
from backprop_widgets.exercises.backward import _finite_differences
from backprop_widgets.exercises.compare import close, diagnose

from .leak_check import reveals


def number_exercise(answer, **options) -> NumberExercise:
    return NumberExercise(
        "What is it?", answer=lambda: answer, hint="think.", solution_text="Worked.", name="it", **options
    )


# ---- Verdict and Text ---------------------------------------------------------------------------


def test_a_verdict_is_truthy_exactly_when_right():
    assert Verdict(True, "ok") and not Verdict(False, "no")


def test_a_verdict_prints_one_line_and_its_notes():
    verdict = Verdict(False, "the sign is wrong.", ("you gave a Value.",))
    assert repr(verdict) == str(verdict) == "✘ Not yet: the sign is wrong.\n  (note: you gave a Value.)"


def test_a_verdict_shows_in_colour_in_a_notebook_with_its_text_escaped():
    right, wrong = Verdict(True, "a < b & c"), Verdict(False, "no")
    assert "#1a7f37" in right._repr_html_() and "a &lt; b &amp; c" in right._repr_html_()
    assert "#cf222e" in wrong._repr_html_() and "✘" in wrong._repr_html_()


def test_a_question_not_answered_yet_gets_a_neutral_verdict_of_its_own_look():
    ex = number_exercise(0.25)
    for placeholder in (None, ...):
        waiting = ex.check(placeholder)
        assert not waiting and not waiting.answered
        assert waiting.text == "○ No answer yet: put your answer in place of `None` and run the cell again."
        shown = waiting._repr_html_()
        assert "#57606a" in shown and "○" in shown and "#cf222e" not in shown and "✘" not in shown
    wrong = ex.check(0.3)
    assert wrong.answered and wrong.text.startswith("✘ Not yet")


def test_text_shows_without_quotes_and_is_still_a_str():
    hint = Text("Use the chain rule.")
    assert repr(hint) == "Use the chain rule." == hint._repr_markdown_()
    assert isinstance(hint, str) and "chain" in hint


# ---- check, assert_correct, hint, solution ----------------------------------------------------------


def test_check_never_raises_and_assert_correct_raises_with_the_same_reason():
    ex = number_exercise(0.25)
    verdict = ex.check(0.3)
    with pytest.raises(AssertionError) as failure:
        ex.assert_correct(0.3)
    assert str(failure.value) == verdict.text
    with pytest.raises(AssertionError, match="No answer yet"):
        ex.check(None, strict=True)
    assert ex.assert_correct(0.25) and ex.check(0.25, strict=True)


def test_hint_and_solution_are_text_and_the_solution_holds_every_digit():
    ex = number_exercise(0.19661193324148185)
    assert ex.hint() == "Hint: think."
    assert ex.solution() == "Worked.\n\nAnswer: 0.19661193324148185"
    assert isinstance(ex.solution(), Text)


def test_the_solution_text_may_be_computed():
    ex = NumberExercise("q", answer=lambda: 2.0, hint="h", solution_text=lambda: f"twice {1 + 1}")
    assert ex.solution().startswith("twice 2")


def test_the_answer_is_computed_once_and_only_when_needed():
    calls = []
    ex = NumberExercise("q", answer=lambda: calls.append(1) or 5.0, hint="h", solution_text="s")
    assert calls == []
    ex.check(5.0), ex.check(4.0), ex.solution()
    assert calls == [1]


def test_the_question_shows_with_its_given_numbers_and_no_memory_address():
    ex = ArrayExercise(
        "Double W.",
        answer=lambda: np.eye(2) * 2,
        given={"W": np.eye(2), "eta": 0.5},
        hint="h",
        solution_text="s",
        name="double",
    )
    markdown = ex._repr_markdown_()
    assert "**Exercise `double`**" in markdown and "Double W." in markdown
    assert "W = [[1., 0.],\n     [0., 1.]]" in markdown and "eta = 0.5" in markdown
    assert "an array of shape (2, 2)" in markdown
    assert repr(ex) == "ArrayExercise('double'): Double W."
    assert not re.search(r"0x[0-9a-f]+", markdown + repr(ex))


# ---- numbers -------------------------------------------------------------------------------------


def test_the_tolerance_is_relative_and_configurable():
    assert number_exercise(1000.0).check(1000.0005)
    assert not number_exercise(1000.0).check(1000.01)
    assert number_exercise(1000.0, rel_tol=1e-4).check(1000.01)
    assert number_exercise(0.0).check(1e-12) and not number_exercise(0.0).check(1e-6)


def test_a_rounded_answer_is_told_to_pass_the_full_number():
    verdict = number_exercise(0.19661193324148185).check(0.1966)
    assert not verdict and "did you round" in verdict.reason and not reveals(verdict.text, 0.19661193324148185)


def test_a_sign_error_is_named():
    assert "sign is wrong" in number_exercise(-0.25).check(0.25).reason


def test_named_mistakes_get_their_feedback_and_a_value_its_note():
    ex = number_exercise(9.0, mistakes=lambda: [(7.0, "only one path")])
    verdict = ex.check(Value(7.0))
    assert verdict.reason == "only one path." and verdict.notes


def test_a_count_must_be_whole():
    ex = number_exercise(3, whole=True)
    assert ex.check(3) and ex.check(3.0)
    assert "whole number" in ex.check(2.5).reason
    assert ex.answer_format == "a whole number"


@given(
    answer=st.floats(-1e6, 1e6).filter(lambda a: abs(a) > 1e-3),
    wrong=st.floats(-1e6, 1e6),
)
def test_feedback_for_a_wrong_number_never_contains_the_answer(answer, wrong):
    assume(abs(wrong - answer) > 1e-3 * abs(answer))
    verdict = number_exercise(answer).check(wrong)
    assert not verdict and not reveals(verdict.text, answer)


# ---- arrays --------------------------------------------------------------------------------------


def array_exercise(answer) -> ArrayExercise:
    return ArrayExercise("q", answer=lambda: np.asarray(answer, dtype=float), hint="h", solution_text="s")


@pytest.mark.parametrize(
    "mine, words",
    [
        ([[-0.3, 1.7], [-2.2, 0.4]], "has the wrong sign"),
        ([[0.3, 2.2], [-1.7, -0.4]], "is transposed"),
        ([[0.6, -3.4], [4.4, -0.8]], "off by the same constant factor"),
        ([[0.0, 0.0], [0.0, 0.0]], "is zero everywhere"),
        ([[0.3, -1.7], [2.2, -0.5]], "has the right sign but the wrong size in 1 of 4 entries, at (1, 1)"),
        ([[0.3, 1.7], [2.2, 0.4]], "has the wrong sign in 2 of 4 entries, at (0, 1) and (1, 1)"),
        ([[0.3, 1.7], [2.2, -0.5]], "is wrong in 2 of 4 entries, at (0, 1) and (1, 1), with the wrong sign in some"),
    ],
)
def test_array_mistakes_are_named_without_numbers(mine, words):
    answer = [[0.3, -1.7], [2.2, -0.4]]
    verdict = array_exercise(answer).check(mine)
    assert not verdict and words in verdict.reason
    assert not reveals(verdict.text, answer)


def test_an_array_right_where_nonzero_but_nonzero_where_it_should_be_zero():
    assert "should be zero in some places" in array_exercise([0.5, 0.0, -1.5]).check([0.5, 0.7, -1.5]).reason
    assert "is zero in some places" in array_exercise([0.5, 0.2, -1.5]).check([0.5, 0.0, -1.5]).reason


# ---- yes/no and choices -----------------------------------------------------------------------------


def test_a_bool_exercise_says_its_feedback_for_the_wrong_truth_value():
    ex = BoolExercise("q", answer=lambda: 1 + 1 == 2, hint="h", solution_text="s", if_wrong="count again")
    assert ex.check(True) and ex.check(False).reason == "count again."
    assert "is text" in ex.check("True").reason


def test_a_choice_must_be_one_of_the_choices():
    ex = ChoiceExercise(
        "q", choices=(0.1, 0.5), answer=lambda: 0.5, hint="h", solution_text="s", why_not=lambda c: f"{c} is too small"
    )
    assert ex.check(0.5) and ex.check(0.1).reason == "0.1 is too small."
    assert "choices listed" in ex.check(0.3).reason


def test_a_choice_exercise_whose_engine_answer_is_no_choice_is_an_error():
    ex = ChoiceExercise("q", choices=(0.1, 0.5), answer=lambda: 0.7, hint="h", solution_text="s")
    with pytest.raises(RuntimeError, match="not one of the choices"):
        ex.check(0.1)


# ---- functions ---------------------------------------------------------------------------------


def square_exercise(**options) -> FunctionExercise:
    return FunctionExercise(
        "backward of a²",
        forward=lambda a: a**2,
        inputs={"a": uniform(-2.0, 2.0)},
        hint="h",
        solution_text="s",
        **options,
    )


def test_the_test_points_are_the_same_on_every_run():
    first, again = square_exercise().test_points(), square_exercise().test_points()
    assert [p.inputs for p in first] == [p.inputs for p in again]
    assert [p.inputs for p in square_exercise(seed=2).test_points()] != [p.inputs for p in first]
    assert len(square_exercise(points=3).test_points()) == 3


def test_a_one_input_backward_may_return_a_bare_number():
    ex = square_exercise()
    assert ex.check(lambda a, upstream: 2 * a * upstream)
    assert "off by the same constant factor" in ex.check(lambda a, upstream: a * upstream).reason
    assert ex.answer_format == "a function, called as `backward(a, upstream)` and returning `grad_a`"


def test_a_backward_template_not_filled_in_yet_is_not_a_failure():
    ex = FunctionExercise(
        "mul",
        forward=lambda a, b: a * b,
        inputs={"a": uniform(-2.0, 2.0), "b": uniform(-2.0, 2.0)},
        hint="h",
        solution_text="s",
    )
    for template in (None, lambda a, b, upstream: (None, None)):
        waiting = ex.check(template)
        assert not waiting and not waiting.answered and waiting.headline == "○ No answer yet", waiting
    half_done = ex.check(lambda a, b, upstream: (upstream * b, None))
    assert half_done.answered and "the gradient for b is None" in half_done.reason
    forgot_return = ex.check(lambda a, b, upstream: None)
    assert forgot_return.answered and "did you forget `return`" in forgot_return.reason


def test_a_student_function_gets_copies_it_cannot_spoil():
    ex = FunctionExercise(
        "relu", forward=lambda z: z.relu(), inputs={"z": uniform(0.5, 1.0, shape=(3,))}, hint="h", solution_text="s"
    )

    def spoiling(z, upstream):
        grad = upstream * (z > 0)
        z[:] = -1.0
        upstream[:] = 0.0
        return grad

    assert ex.check(spoiling) and ex.check(lambda z, upstream: upstream * (z > 0))


def test_values_returned_by_a_student_function_are_read_with_a_note():
    verdict = square_exercise().check(lambda a, upstream: Value(2 * a * upstream))
    assert verdict and verdict.notes == (
        "you gave a Value; I used its .data. If you meant its gradient, pass .grad instead.",
    )


def test_an_engine_gradient_that_fails_finite_differences_stops_the_exercise():
    # at a kink (|a| at a ≈ 0) the central difference disagrees with the op table: not a fair test point
    ex = FunctionExercise(
        "abs",
        forward=lambda a: abs(a),
        inputs={"a": uniform(-1e-9, 1e-9)},
        hint="h",
        solution_text="s",
        name="abs_at_kink",
    )
    with pytest.raises(RuntimeError, match="abs_at_kink.*fails its own gradient check"):
        ex.check(lambda a, upstream: upstream)


def test_finite_differences_match_a_known_gradient():
    a, b = Value(1.5), Value(-0.5)
    loss = a * a * b
    numeric = _finite_differences(loss, [a, b])
    assert np.allclose([float(g) for g in numeric], [2 * 1.5 * -0.5, 1.5**2], rtol=1e-8)
    assert (a.data, b.data, loss.data) == (1.5, -0.5, 1.5 * 1.5 * -0.5)  # restored


# ---- the comparison ---------------------------------------------------------------------------------


@given(st.floats(-1e6, 1e6), st.floats(0.0, 0.5e-6))
def test_close_accepts_every_answer_within_the_relative_tolerance(x, fraction):
    assert close(x * (1 + fraction), x, 1e-6, 1e-9)


def test_diagnose_is_silent_when_everything_matches():
    arrays = [np.array([1.0, 2.0])]
    assert diagnose(arrays, arrays, rel_tol=1e-6, abs_tol=1e-9) is None
