"""The plain-Python pieces that let lessons 01-02 judge without numpy, each against numpy itself.

``grid`` must read lists as ``numpy.asarray`` does, and ``format_grid`` must print as
``numpy.array2string``.  (The test points of an exercise come from Python's ``random.Random``, the
same with numpy or without.)  That they are used without numpy is tests/test_scalar_path_without_numpy.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_widgets import Value
from backprop_widgets.exercises.grid import Grid, broadcast, format_grid, grid

# ---- grid: numbers as numpy.asarray reads them ------------------------------------------------------

FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)
SHAPES = st.lists(st.integers(0, 4), max_size=3).map(tuple)


def nested(shape, flat):
    return np.array(flat, dtype=float).reshape(shape).tolist()


@st.composite
def arrays(draw, elements=FLOATS, shapes=SHAPES):
    shape = draw(shapes)
    return np.array(draw(st.lists(elements, min_size=math.prod(shape), max_size=math.prod(shape)))).reshape(shape)


@given(arrays())
def test_nested_lists_read_as_numpy_reads_them(array):
    for given_as in (array.tolist(), array):
        read, numpys = grid(given_as), np.asarray(given_as, dtype=float)
        assert read.shape == numpys.shape and list(read.flat) == numpys.ravel().tolist()
        assert read.tolist() == numpys.tolist()


def test_values_booleans_and_tuples_are_numbers_and_ragged_rows_are_refused():
    assert grid([Value(1.5), True, 2]) == Grid((3,), (1.5, 1.0, 2.0))
    assert grid(((1, 2), (3, 4))).T.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    for ragged in ([[1, 2], [3]], [1, [2]]):
        with pytest.raises(ValueError):
            grid(ragged)
        with pytest.raises(ValueError):
            np.asarray(ragged, dtype=float)


@given(st.data())
def test_broadcasting_is_numpys(data):
    a = data.draw(arrays(shapes=st.lists(st.integers(1, 3), max_size=3).map(tuple)))
    b = data.draw(arrays(shapes=st.lists(st.sampled_from([1, *a.shape] or [1]), max_size=3).map(tuple)))
    try:
        x, y = np.broadcast_arrays(a, b)
    except ValueError:
        with pytest.raises(ValueError):
            broadcast(grid(a), grid(b))
        return
    shape, left, right = broadcast(grid(a), grid(b))
    assert shape == x.shape and left == x.ravel().tolist() and right == y.ravel().tolist()


# ---- format_grid: numpy.array2string ----------------------------------------------------------------

NUMBERS = st.one_of(
    FLOATS,
    st.integers(-30, 30).map(float),
    st.floats(-10, 10).map(lambda x: round(x, 3)),
    st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf, 1e-5, 1e8, 123456.789]),
)


@given(arrays(elements=NUMBERS, shapes=st.lists(st.integers(1, 5), max_size=3).map(tuple)), st.sampled_from([8, 6, 3]))
def test_arrays_print_as_numpy_prints_them(array, precision):
    assert format_grid(grid(array), precision=precision) == np.array2string(array, separator=", ", precision=precision)


def test_long_rows_wrap_as_numpys():
    for array in (np.arange(40) / 7, np.arange(60.0).reshape(3, 20) * 1.37, np.zeros((2, 0))):
        assert format_grid(grid(array)) == np.array2string(array, separator=", ", precision=8)


# ---- the test points of every FunctionExercise ------------------------------------------------------


def test_every_input_that_can_take_both_signs_is_tested_at_both():
    """A backward that is right only for a > 0 (say) must meet a point where it is wrong."""
    from backprop_widgets.exercises import FunctionExercise, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06

    exercises = [
        ex
        for module in (lesson01, lesson02, lesson03, lesson04, lesson05, lesson06)
        for ex in module.EXERCISES
        if isinstance(ex, FunctionExercise)
    ]
    assert len(exercises) >= 4
    for ex in exercises:
        for i, name in enumerate(ex.names):
            values = np.concatenate([np.ravel(point.inputs[i]) for point in ex.test_points()])
            assert (values > 0).any() and (values < 0).any(), (ex.name, name, values)
