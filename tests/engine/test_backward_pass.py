"""The backward pass's bookkeeping on tensors: each node owns its gradient, no −0.0, the same numbers as the stepper."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Tensor, Value
from backprop_widgets.engine import backward_steps, topological_order


def _every_way_a_gradient_is_passed_on():
    """A graph with pass-throughs (+, −, reshape, ᵀ, Σ, mean, broadcast), a node used twice, and constants."""
    rng = np.random.default_rng(3)
    x = Tensor(rng.normal(size=(4, 3)), label="x", constant=True)
    W = Tensor(rng.normal(size=(3, 2)), label="W")
    b = Tensor([0.5, -0.5], label="b")
    z = x @ W + b
    z.label = "z"
    h = z.sigmoid()
    h.label = "h"
    y = (h - z) + h.T.reshape(4, 2) * 2.0 - (-h).sum(axis=0)
    loss = (y.mean(axis=1) + z.sum()).mean()
    return loss


def test_after_backward_no_two_nodes_share_a_gradient_array():
    loss = _every_way_a_gradient_is_passed_on()
    loss.backward()
    nodes = topological_order(loss)
    for i, a in enumerate(nodes):
        assert isinstance(a.grad, np.ndarray) and a.grad.shape == a.data.shape
        for other in nodes[i + 1 :]:
            assert not np.shares_memory(a.grad, other.grad), (a.label or a.op, other.label or other.op)
        for other in nodes:
            assert not np.shares_memory(a.grad, other.data)


def test_a_gradient_passed_on_unchanged_is_shared_read_only_and_copied_only_when_asked_for():
    # x @ W + b: the product's gradient is the sum's, passed on by +; backward() does not copy it
    # (a copy of every hidden layer's gradient in every training step), and nobody can change it.
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(5, 3)), constant=True)
    W, b = Tensor(rng.normal(size=(3, 4))), Tensor(np.zeros(4))
    product = x @ W
    z = product + b
    loss = (z.sigmoid() * 2.0).sum()
    loss.backward()
    held = z.held_grad()
    assert product.held_grad() is held and not held.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        held += 1.0
    mine = product.grad  # asked for: a copy of its own, writable, the same numbers
    assert mine is not held and mine.flags.writeable and not np.shares_memory(mine, z.grad)
    np.testing.assert_array_equal(mine, held)
    assert product.grad is mine  # copied once


def test_a_shared_gradient_gets_a_later_contribution_on_a_new_array():
    # a + (a * a): a gets the sum's gradient unchanged first, then the product's contribution; the sum's own
    # gradient (the array a shared) is left as it was.
    a = Tensor([1.0, -2.0, 3.0], label="a")
    s = a + a * a
    loss = (s * Tensor([1.0, 2.0, 3.0], constant=True)).sum()
    loss.backward()
    np.testing.assert_array_equal(s.grad, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(a.grad, [1.0 + 2.0, 2.0 - 8.0, 3.0 + 18.0])


def test_changing_one_gradient_changes_no_other():
    loss = _every_way_a_gradient_is_passed_on()
    loss.backward()
    nodes = topological_order(loss)
    before = [n.grad.copy() for n in nodes]
    for i, node in enumerate(nodes):
        node.grad += 100.0  # in place, as a student might
        for j, other in enumerate(nodes):
            if j != i:
                np.testing.assert_array_equal(other.grad, before[j])
        node.grad[...] = before[i]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_backward_gives_the_stepper_s_gradients_to_the_last_bit(seed):
    rng = np.random.default_rng(seed)
    a = Tensor(rng.normal(size=(3, 2)), label="a")
    b = Tensor(rng.normal(size=(2,)), label="b")
    c = Tensor(rng.normal(size=(2, 3)), label="c", constant=True)
    h = (a * b + a).tanh()  # a used twice
    loss = ((h @ c).relu() - (a @ c)).abs().mean() + (h * h).sum()
    walked = [step for step in backward_steps(loss)]
    stepped = {node: node.grad.copy() for node in topological_order(loss) if not node.constant}
    assert walked
    for node in stepped:
        node.grad = None  # so that a gradient backward() left out would fail below
    loss.backward()
    for node, grad in stepped.items():
        np.testing.assert_array_equal(node.grad, grad)


def test_backward_leaves_constants_alone_as_pytorch_does():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], label="x", constant=True)  # data: nothing to learn
    W = Tensor([[0.5], [-0.5]], label="W")
    loss = ((x @ W).sigmoid() * 3.0).mean()
    marker = np.full((2, 2), 7.0)
    x.grad = marker
    loss.backward()
    assert x.grad is marker  # not computed, not touched
    assert W.grad.any()
    for _ in backward_steps(loss, record=False):  # the full pass still gives a constant its gradient
        pass
    np.testing.assert_allclose(x.grad, loss_gradient_wrt_x(x.data, W.data))


def loss_gradient_wrt_x(x, W):
    s = 1.0 / (1.0 + np.exp(-(x @ W)))
    return (3.0 * s * (1.0 - s) / s.size) @ W.T


def test_no_gradient_shows_minus_zero():
    # 0 × (a negative upstream) is −0.0 in floating point; adding it to a zero gradient gave 0.0, and still does
    x = Tensor([-1.0, 2.0, 0.0], label="x")
    w = Tensor([[0.0, 1.0], [0.0, -1.0], [3.0, 0.0]], label="w")
    z = x @ w - x.sum() * 0.0
    loss = (-(z.relu() * -2.0) - z * 0.0 - (x * 0.0).sum() + (-x).relu().sum()).sum()
    for record in (False, True):
        for _ in backward_steps(loss, record=record):
            pass
        for node in topological_order(loss):
            negative_zero = (node.grad == 0) & np.signbit(node.grad)
            assert not negative_zero.any(), (record, node.label or node.op, node.grad)


def test_a_0d_gradient_is_a_0d_array():
    s = Tensor(2.0, label="s")
    loss = (s * 3.0).exp() * s
    loss.backward()
    for node in topological_order(loss):
        assert type(node.grad) is np.ndarray and node.grad.shape == ()


def test_an_inner_node_has_zeros_before_any_backward_pass():
    a = Tensor([1.0, 2.0])
    z = a * 3.0
    assert type(z.grad) is np.ndarray and z.grad.shape == (2,) and not z.grad.any()
    z.grad += 1.0  # its own array
    assert (z * 1.0).grad.sum() == 0.0 and not a.grad.any()
    with pytest.raises(AttributeError, match="no attribute 'gard'"):
        z.gard  # noqa: B018 (the misspelt name is the test)


def test_a_leaf_s_gradient_comes_from_the_last_pass_only():
    w = Tensor([1.0, -2.0], label="w")
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, -4.0])
    (w * 3.0).sum().backward()  # a new graph: w.grad is this graph's, not added to the last
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])


def test_values_too_start_each_pass_from_zero():
    x = Value(3.0, label="x")
    g = x * x + x
    g.backward()
    g.backward()
    assert x.grad == 7.0 and g.grad == 1.0


def test_a_row_with_too_few_local_gradients_is_an_error(monkeypatch):
    import dataclasses

    from backprop_widgets.engine.ops import SCALAR_OPS

    wrong = dataclasses.replace(SCALAR_OPS["mul"], local=lambda a, b, out: (b,))  # forgets b's
    monkeypatch.setitem(SCALAR_OPS, "mul", wrong)
    with pytest.raises(ValueError, match="1 local gradient.s. for 2 input"):
        (Value(2.0) * Value(3.0)).backward()


# ---- gradients made only when needed (what a training step is spared) ---------------------------


def _two_layer_step(x, W1, b1, W2, b2, t):
    return ((((x @ W1 + b1).sigmoid() @ W2 + b2).sigmoid() - t) ** 2).mean()


def _sigmoid_net(seed=0):
    rng = np.random.default_rng(seed)
    x = Tensor(rng.normal(size=(6, 2)), label="x", constant=True)
    t = Tensor(rng.integers(0, 2, size=(6, 1)) * 1.0, label="t", constant=True)
    params = [
        Tensor(rng.normal(size=s), label=n) for n, s in (("W1", (2, 4)), ("b1", (4,)), ("W2", (4, 1)), ("b2", (1,)))
    ]
    return x, params, t


def test_a_leaf_that_does_not_require_a_gradient_gets_none_made():
    x, (W1, b1, W2, b2), t = _sigmoid_net()
    loss = _two_layer_step(x, W1, b1, W2, b2, t)
    loss.backward()
    for constant in (x, t):  # no array was made for them, by the constructor or by backward()
        assert not hasattr(constant, "_grad"), constant.label
    for p in (W1, b1, W2, b2):
        assert p.grad.shape == p.shape and p.grad.any()
    # asked for, a constant's gradient is zeros of its shape (as before: made on demand)
    assert x.grad.shape == x.shape and not x.grad.any()


def test_a_value_used_twice_adds_both_contributions_with_lazy_gradients():
    w = Tensor([1.5, -2.0, 0.25], label="w")
    loss = (w * w + w).sum() + (w * 3.0).mean()  # w reaches the loss along four edges
    loss.backward()
    np.testing.assert_array_equal(w.grad, 2 * w.data + 1.0 + 1.0)  # 2w + 1 + 3/3
    (w.exp() * w).sum().backward()  # a second graph: its own gradient, not added to the last
    np.testing.assert_allclose(w.grad, np.exp(w.data) * (w.data + 1.0), rtol=1e-15)


def test_zero_grad_drops_the_array_and_backward_gives_the_same_gradients_again():
    x, params, t = _sigmoid_net(1)
    _two_layer_step(x, *params, t).backward()
    first = [p.grad for p in params]
    for p in params:
        p.zero_grad()
        assert not hasattr(p, "_grad")  # dropped, not filled with zeros
        np.testing.assert_array_equal(p.grad, np.zeros(p.shape))  # read: zeros of its shape
        p.zero_grad()
    assert any(g.any() for g in first)  # the arrays a caller kept are left as they were
    _two_layer_step(x, *params, t).backward()
    for p, g in zip(params, first, strict=True):
        np.testing.assert_array_equal(p.grad, g)


def test_a_bias_gradient_is_an_array_of_its_own_not_the_shared_vector_of_ones():
    x, (W1, b1, W2, b2), t = _sigmoid_net(2)
    _two_layer_step(x, W1, b1, W2, b2, t).backward()
    b1.grad += 1.0  # writable and its own: the next bias sum is not changed by it
    x2, params2, t2 = _sigmoid_net(2)
    _two_layer_step(x2, *params2, t2).backward()
    np.testing.assert_array_equal(params2[1].grad + 1.0, b1.grad)


@pytest.mark.parametrize("value", [2.0, -2.0, 0.0, 1.0])
@pytest.mark.parametrize("shape", [(), (1,), (2, 3)])
def test_relu_and_clip_masks_give_0_and_upstream_at_any_shape_and_no_minus_zero(value, shape):
    for make, passes in ((lambda t: t.relu(), value > 0), (lambda t: t.clip(-1.0, 1.0), -1.0 <= value <= 1.0)):
        t = Tensor(np.full(shape, value), label="t")
        loss = (make(t) * -3.0).sum()
        for record in (False, True):
            for _ in backward_steps(loss, record=record):
                pass
            assert type(t.grad) is np.ndarray and t.grad.shape == shape
            np.testing.assert_array_equal(t.grad, np.full(shape, -3.0 if passes else 0.0))
            assert not np.signbit(t.grad).any() or passes  # 0 × (−3) shows as 0, not −0
