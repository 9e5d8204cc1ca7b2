"""Losses: their values against the formulas, their gradients against finite differences, their edges."""

import warnings

import numpy as np
import pytest

from backprop_widgets import Tensor
from backprop_widgets.nn import LOSSES, binary_cross_entropy, hinge, l1, mse

from ..numerical import numerical_grad

RNG = np.random.default_rng(11)


def sig(z):
    return 1 / (1 + np.exp(-z))


CASES = [
    ("mse", lambda p, t: mse(p, t), lambda p, t: np.mean((p - t) ** 2), RNG.normal(size=(6, 1)), RNG.normal(size=6)),
    ("l1", lambda p, t: l1(p, t), lambda p, t: np.mean(np.abs(p - t)), RNG.normal(size=(6, 1)), RNG.normal(size=6) + 5),
    (
        "bce",
        lambda p, t: binary_cross_entropy(p, t),
        lambda p, t: -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)),
        RNG.uniform(0.05, 0.95, size=(6, 1)),
        RNG.integers(0, 2, size=6),
    ),
    (
        "bce logits",
        lambda z, t: binary_cross_entropy(z, t, logits=True),
        lambda z, t: -np.mean(t * np.log(sig(z)) + (1 - t) * np.log(1 - sig(z))),
        RNG.normal(size=(6, 1)),
        RNG.integers(0, 2, size=6),
    ),
    (
        "hinge 0/1",
        lambda s, t: hinge(s, t),
        lambda s, t: np.mean(np.maximum(0, 1 - (2 * t - 1) * s)),
        np.array([[2.0], [0.5], [-0.3], [-1.7], [0.2]]),
        np.array([1, 1, 0, 1, 0]),
    ),
    (
        "hinge ±1",
        lambda s, t: hinge(s, t),
        lambda s, t: np.mean(np.maximum(0, 1 - t * s)),
        np.array([2.0, 0.5, -0.3]),
        np.array([1.0, -1.0, -1.0]),
    ),
]


@pytest.mark.parametrize("name, loss_fn, formula, pred, target", CASES, ids=[c[0] for c in CASES])
def test_value_and_gradient(name, loss_fn, formula, pred, target):
    p = Tensor(pred, label="p")
    loss = loss_fn(p, target)
    assert loss.shape == ()
    flat_target = np.asarray(target, dtype=float).reshape(pred.shape)
    assert abs(float(loss) - formula(pred, flat_target)) < 1e-12
    loss.backward()
    numeric = numerical_grad(lambda x: formula(x, flat_target), pred.copy())
    np.testing.assert_allclose(p.grad, numeric, rtol=1e-6, atol=1e-9)


def test_target_of_n_entries_fits_predictions_of_shape_n_by_1():
    p = Tensor(np.zeros((4, 1)))
    loss = mse(p, np.ones(4))
    assert float(loss) == 1.0  # not a (4, 4) broadcast
    t = loss.parents[1]
    assert t.constant and t.label == "t" and t.shape == (4, 1)
    loss = mse(p, Tensor(np.ones(4)))
    assert loss.parents[1].op == "reshape"
    with pytest.raises(ValueError, match=r"target has shape \(3,\) but the prediction has shape \(4, 1\)"):
        mse(p, np.ones(3))


def test_bce_from_logits_equals_bce_of_the_sigmoid():
    z = RNG.normal(size=(8, 1))
    t = RNG.integers(0, 2, size=8)
    a = binary_cross_entropy(Tensor(z), t, logits=True)
    b = binary_cross_entropy(Tensor(z).sigmoid(), t)
    assert abs(float(a) - float(b)) < 1e-12


def test_bce_from_logits_is_stable_at_the_extremes():
    z = Tensor([[1000.0], [-1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = binary_cross_entropy(z, [0, 1], logits=True)
        loss.backward()
    assert float(loss) == 1000.0
    np.testing.assert_allclose(z.grad, [[0.5], [-0.5]])


def test_losses_by_name():
    assert set(LOSSES) == {"mse", "l1", "bce", "hinge", "cross_entropy"}
    assert LOSSES["mse"] is mse
