"""Toy datasets: shapes, labels, geometry without noise, and seeds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets.nn import DATASETS, make_circles, make_moons, make_spiral, make_xor


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(sorted(DATASETS)), n=st.integers(2, 300), seed=st.integers(0, 1000))
def test_shapes_labels_and_balance(name, n, seed):
    X, y = DATASETS[name](n, seed=seed)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    assert abs(int(y.sum()) - n / 2) <= 0.5


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_same_seed_same_points_other_seed_other_points(name):
    make = DATASETS[name]
    X1, y1 = make(50, seed=3)
    X2, y2 = make(50, seed=3)
    X3, _ = make(50, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_moons_lie_on_their_arcs_without_noise():
    X, y = make_moons(40, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert (upper[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_circles_have_two_radii():
    X, y = make_circles(40, noise=0.0, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_xor_labels_follow_the_signs():
    X, y = make_xor(200, noise=0.2, seed=1)
    assert np.mean((X[:, 0] * X[:, 1] < 0) == (y == 1)) > 0.95


def test_spiral_arms_are_half_a_turn_apart():
    X, y = make_spiral(40, noise=0.0)
    a, b = X[y == 0], X[y == 1]
    r_a, r_b = np.hypot(*a.T), np.hypot(*b.T)
    np.testing.assert_allclose(np.sort(r_a), np.sort(r_b))
    first_a, first_b = a[np.argmin(r_a)], b[np.argmin(r_b)]
    np.testing.assert_allclose(first_a, -first_b)


def test_too_few_points():
    with pytest.raises(ValueError, match="at least 2"):
        make_moons(1)
