"""Optimisers: each update rule computed by hand for a step or two, on Tensors and on scalar Values."""

import numpy as np
import pytest

from backprop_widgets import Tensor, Value
from backprop_widgets.nn import OPTIMIZERS, SGD, Adam, Momentum


def with_grad(data, grad):
    t = Tensor(data)
    t.grad = np.array(grad, dtype=float)
    return t


def test_sgd_steps_against_the_gradient():
    w = with_grad([1.0, 2.0], [0.5, -1.0])
    SGD([w], lr=0.1).step()
    np.testing.assert_allclose(w.data, [0.95, 2.1])


def test_momentum_accumulates_velocity():
    w = with_grad([0.0], [1.0])
    opt = Momentum([w], lr=0.1, beta=0.9)
    opt.step()  # v = 1
    opt.step()  # v = 0.9 + 1 = 1.9
    np.testing.assert_allclose(w.data, [-(0.1 + 0.19)])
    np.testing.assert_allclose(opt.velocity[0], [1.9])


def test_adam_first_step_is_about_lr_whatever_the_gradient_scale():
    w = with_grad([0.0, 0.0], [1e-4, -300.0])
    Adam([w], lr=0.01).step()
    np.testing.assert_allclose(w.data, [-0.01, 0.01], rtol=1e-3)


def test_adam_second_step_matches_the_formula():
    w = with_grad([1.0], [2.0])
    opt = Adam([w], lr=0.1, beta1=0.5, beta2=0.5, eps=0.0)
    opt.step()
    w.grad = np.array([1.0])
    opt.step()
    m = 0.5 * (0.5 * 2.0) + 0.5 * 1.0  # 1.0
    v = 0.5 * (0.5 * 4.0) + 0.5 * 1.0  # 1.5
    second = 0.1 * (m / 0.75) / np.sqrt(v / 0.75)
    np.testing.assert_allclose(w.data, [1.0 - 0.1 - second])


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimiser_descends_a_bowl_with_scalar_values(name):
    """E10 with a Value: the same optimisers move a single number downhill."""
    w = Value(3.0, label="w")
    opt = OPTIMIZERS[name]([w], lr=0.1)
    for _ in range(100):
        loss = (w - 1.0) ** 2
        loss.backward()
        opt.step()
    assert abs(w.data - 1.0) < 0.2
    assert isinstance(w.data, float)


def test_zero_grad_and_changing_lr():
    w = with_grad([1.0], [4.0])
    opt = SGD([w], lr=1.0)
    opt.lr = 0.25
    opt.step()
    assert w.data[0] == 0.0
    opt.zero_grad()
    assert w.grad.shape == (1,) and not w.grad.any()
    assert repr(opt) == "SGD(1 parameters, lr=0.25)"
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], lr=0.1)
