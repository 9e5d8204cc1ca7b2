"""Reading answers: numbers, arrays and True/False, and the messages for everything else."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_widgets import Tensor, Value
from backprop_widgets.exercises.answers import NoAnswerYet, NotAnAnswer, as_array, as_bool, as_number, describe


def refusal(read, answer, *args) -> str:
    with pytest.raises(NotAnAnswer) as problem:
        read(answer, *args, [])
    return str(problem.value)


# ---- numbers --------------------------------------------------------------------------------


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_finite_float_reads_as_itself(x):
    assert as_number(x, []) == x


@pytest.mark.parametrize("x", [3, np.float32(0.5), np.int64(-2), np.array(1.5), np.array([2.5])])
def test_ints_numpy_scalars_and_one_entry_arrays_are_numbers(x):
    assert as_number(x, []) == float(np.ravel(x)[0])


def test_a_value_or_tensor_stands_for_its_data_with_a_note_about_grad():
    notes: list[str] = []
    x = Value(3.0, label="x")
    assert as_number(x, notes) == 3.0
    assert "Value" in notes[0] and ".data" in notes[0] and ".grad" in notes[0]
    notes = []
    assert as_number(Tensor(2.0), notes) == 2.0 and "Tensor" in notes[0]


def test_placeholders_mean_no_answer_yet():
    for placeholder in (None, ...):
        assert "in place of `None`" in refusal(as_number, placeholder)
        with pytest.raises(NoAnswerYet):
            as_number(placeholder, [])


def test_text_is_refused_and_a_number_in_text_is_shown_without_quotes():
    assert refusal(as_number, "7") == "'7' is text; give it as a number, without the quotes: 7"
    assert refusal(as_number, " 0.5 ") == "' 0.5 ' is text; give it as a number, without the quotes: 0.5"
    assert refusal(as_number, "seven") == "'seven' is text; give a number (without quotes)"


@pytest.mark.parametrize(
    "answer, words",
    [
        (True, "yes/no"),
        (np.bool_(False), "yes/no"),
        ([1.0, 2.0], "not a list of 2 items"),
        ((1.0,), "not a tuple of 1 item"),
        (np.zeros((2, 3)), "not an array of shape (2, 3)"),
        (1 + 2j, "complex"),
        (math.nan, "nan"),
        (np.array(np.nan), "nan"),
        (math.inf, "infinite"),
        (print, "that is a function"),
        ({"x": 1}, "not a dict"),
    ],
)
def test_what_is_not_a_number_says_so(answer, words):
    assert words in refusal(as_number, answer)


# ---- arrays ------------------------------------------------------------------------------------


def test_lists_become_float_arrays():
    array = as_array([[1, 2, 3], [4, 5, 6]], (2, 3), [])
    assert array.dtype == np.float64 and array.shape == (2, 3)


def test_a_list_of_values_reads_as_their_numbers():
    assert as_array([Value(1.0), Value(2.0)], (2,), []).tolist() == [1.0, 2.0]


def test_a_tensor_stands_for_its_data():
    notes: list[str] = []
    assert as_array(Tensor([[1.0, 2.0]]), (1, 2), notes).tolist() == [[1.0, 2.0]]
    assert notes


@pytest.mark.parametrize(
    "answer, shape, words",
    [
        (np.zeros((3, 2)), (2, 3), "should have shape (2, 3); yours has shape (3, 2) — did you forget a transpose?"),
        (np.zeros((1, 3)), (3,), "the same entries as a row, a column or a flat vector — reshape it"),
        (np.zeros((3, 1)), (1, 3), "did you forget a transpose?"),
        (np.zeros((3, 1)), (3,), "the same entries as a row, a column or a flat vector"),
        (np.zeros(6), (2, 3), "the right number of entries, arranged differently"),
        (np.zeros(4), (2, 3), "should have shape (2, 3); yours has shape (4,)"),
        ([[1, 2], [3]], (2, 2), "the rows of your answer have different lengths"),
        ([["a", "b"]], (1, 2), "entries that aren't numbers"),
        (2.5, (2,), "is one number; give an array of shape (2,)"),
        (Value(1.0), (2,), "is one number; give an array of shape (2,)"),
        ([1.0, math.nan], (2,), "nan"),
        ([1.0, math.inf], (2,), "infinite"),
        ("[1, 2]", (2,), "is text"),
        (None, (2,), "in place of `None`"),
    ],
)
def test_what_is_not_the_right_array_says_why(answer, shape, words):
    assert words in refusal(as_array, answer, shape)


def test_a_missing_gradient_inside_a_function_result_says_which():
    with pytest.raises(NotAnAnswer, match="the gradient for b is None — did you forget"):
        as_array(None, (), [], what="the gradient for b")


@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
)
def test_a_wrong_shape_always_names_both_shapes(expected, yours):
    if expected == yours:
        assert as_array(np.zeros(yours), expected, []).shape == expected
        return
    message = refusal(as_array, np.zeros(yours), expected)
    assert f"shape {expected}" in message and f"shape {yours}" in message


# ---- True / False ------------------------------------------------------------------------------


def test_booleans_read_as_themselves():
    assert as_bool(True, []) is True and as_bool(np.bool_(False), []) is False


@pytest.mark.parametrize(
    "answer, words",
    [("yes", "is text"), ("True", "is text"), (1, "a number"), ([True], "not a list"), (None, "in place of `None`")],
)
def test_what_is_not_true_or_false_says_so(answer, words):
    assert words in refusal(as_bool, answer)


def test_describe_never_shows_a_memory_address():
    assert "0x" not in describe(object()) and describe(object()) == "an object"
    assert describe(Value(1.0)) == "a Value"


def test_a_one_entry_array_where_one_number_is_expected_is_read_with_a_note():
    notes: list[str] = []
    assert as_array(np.array([2.5]), (), notes, what="the gradient for a") == 2.5
    assert notes == ["the gradient for a is an array of shape (1,); I used its one entry."]
    assert "should be one number; yours is an array of shape (2,)" in refusal(as_array, [1.0, 2.0], ())


# ---- judge_array: what a quiz on a Tensor step calls -------------------------------------------

from backprop_widgets.exercises.compare import judge_array  # noqa: E402


def test_judge_array_accepts_a_list_an_array_or_a_tensor_of_the_right_shape():
    from backprop_widgets import Tensor

    expected = np.array([[0.25, -0.5], [1.0, 2.0]])
    for answer in ([[0.25, -0.5], [1.0, 2.0]], expected.copy(), Tensor(expected)):
        assert judge_array(answer, expected)


def test_judge_array_names_the_entries_that_are_off():
    expected = np.array([[0.25, -0.5], [1.0, 2.0]])
    verdict = judge_array([[0.25, -0.5], [1.0, 3.0]], expected)
    assert not verdict and "(1, 1)" in verdict.reason and "3" not in verdict.reason.replace("(1, 1)", "")
    verdict = judge_array([1, 1], expected)
    assert not verdict and "shape (2, 2)" in verdict.reason
    assert not judge_array("0.25", expected)
    assert "wrong sign" in judge_array(-expected, expected).reason


def test_judge_array_of_a_single_number():
    assert judge_array(0.5, np.array(0.5)) and judge_array([0.5], np.array(0.5))
    assert not judge_array(0.6, np.array(0.5))
