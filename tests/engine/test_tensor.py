"""``Tensor``: the array node, its API, and the graph machinery (backward_steps, evaluate) running on it."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Tensor, Value
from backprop_widgets.engine import VJP, backward_steps, evaluate, topological_order

from ..numerical import numerical_grad

# ---- making tensors -------------------------------------------------------------------


def test_data_and_grad_are_float64_arrays_of_one_shape():
    t = Tensor([[1, 2, 3], [4, 5, 6]], label="W")
    assert t.data.dtype == np.float64 and t.data.shape == (2, 3) == t.shape
    assert t.grad.dtype == np.float64 and t.grad.shape == (2, 3) and not t.grad.any()
    assert (t.op, t.parents, t.params, t.label, t.constant) == (None, (), {}, "W", False)
    assert (t.ndim, t.size) == (2, 6)


def test_tensor_copies_its_input():
    array = np.ones(3)
    t = Tensor(array)
    array[0] = 5.0
    assert t.data[0] == 1.0


def test_repr_has_shape_label_op_and_no_address():
    assert repr(Tensor(np.zeros((2, 3)), label="W1")) == "Tensor(shape=(2, 3), label='W1')"
    s = Tensor([1.0, 2.0]).sum()
    assert repr(s) == "Tensor(shape=(), data=3, op='sum')"
    assert "0x" not in repr(Tensor([1.0]) * 2)


def test_a_scalar_result_is_a_0d_array_and_converts_to_float():
    s = Tensor([[1.0, 2.0], [3.0, 4.0]]).mean()
    assert isinstance(s.data, np.ndarray) and s.data.shape == ()
    assert float(s) == 2.5 and s.item() == 2.5


def test_bad_inputs_are_refused():
    with pytest.raises(TypeError):
        Tensor(Tensor([1.0]))
    with pytest.raises(TypeError, match="mix"):
        Tensor([1.0]) + Value(1.0)
    with pytest.raises(TypeError, match="exponent"):
        Tensor([1.0]) ** True
    with pytest.raises(TypeError, match="mix"):
        Tensor([1.0]) ** Value(2.0)
    with pytest.raises(ValueError, match=r"cannot multiply \(3, 2\) @ \(3, 2\)"):
        Tensor(np.ones((3, 2))) @ Tensor(np.ones((3, 2)))
    with pytest.raises(ValueError, match="vectors and matrices"):
        Tensor(np.ones((2, 2, 2))) @ Tensor(np.ones((2, 2)))


# ---- arithmetic with numbers and arrays on either side ------------------------------------


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda t: t + 1, [2.0, 3.0]),
        (lambda t: 1 + t, [2.0, 3.0]),
        (lambda t: t - 1, [0.0, 1.0]),
        (lambda t: 1 - t, [0.0, -1.0]),
        (lambda t: t * 3, [3.0, 6.0]),
        (lambda t: 3 * t, [3.0, 6.0]),
        (lambda t: t / 2, [0.5, 1.0]),
        (lambda t: 2 / t, [2.0, 1.0]),
        (lambda t: np.array([10.0, 20.0]) + t, [11.0, 22.0]),
        (lambda t: np.float64(2.0) * t, [2.0, 4.0]),
        (lambda t: t**2, [1.0, 4.0]),
        (lambda t: -t, [-1.0, -2.0]),
        (lambda t: +t, [1.0, 2.0]),
        (lambda t: abs(-t), [1.0, 2.0]),
    ],
)
def test_numbers_and_arrays_become_constant_inputs(make, expected):
    t = Tensor([1.0, 2.0], label="t")
    out = make(t)
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(out.data, expected)
    assert all(p is t or p.constant or p.parents for p in out.parents)


def test_array_matmul_tensor_goes_to_the_tensor():
    W = Tensor(np.eye(2) * 2, label="W")
    out = np.array([[1.0, 2.0]]) @ W
    assert isinstance(out, Tensor) and out.op == "matmul"
    assert out.parents[0].constant and out.parents[1] is W


def test_every_method_is_a_node_of_its_op():
    t = Tensor(np.array([[0.5, -1.0], [2.0, 3.0]]))
    made = {
        "transpose": t.T,
        "reshape": t.reshape(4),
        "sum": t.sum(axis=0),
        "mean": t.mean(),
        "exp": t.exp(),
        "log": abs(t).log(),
        "tanh": t.tanh(),
        "sigmoid": t.sigmoid(),
        "relu": t.relu(),
        "leaky_relu": t.leaky_relu(0.1),
        "abs": t.abs(),
    }
    for op, node in made.items():
        assert node.op == op
    assert t.reshape(1, 4).shape == t.reshape((1, 4)).shape == (1, 4)
    assert made["leaky_relu"].params == {"slope": 0.1}
    assert t.sum(axis=1, keepdims=True).params == {"axis": 1, "keepdims": True}
    with pytest.raises(ValueError):
        t.reshape(3)


# ---- backward --------------------------------------------------------------------------


def test_backward_needs_a_scalar():
    with pytest.raises(
        ValueError,
        match=r"backward\(\) needs a scalar output; this tensor has shape \(3, 2\): call .sum\(\) or .mean\(\) first",
    ):
        Tensor(np.ones((3, 2))).exp().backward()


def test_backward_from_a_single_entry_of_any_shape():
    x = Tensor([[2.0]])
    (x * x).backward()
    assert x.grad.shape == (1, 1) and x.grad[0, 0] == 4.0


def test_gradients_add_at_branches_and_repeat():
    x = Tensor([1.0, -2.0, 3.0], label="x")
    loss = (x * x + x).sum()
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + 1)
    loss.backward()  # gradients start from zero every pass
    np.testing.assert_allclose(x.grad, 2 * x.data + 1)


def test_broadcast_inputs_get_gradients_of_their_own_shape():
    X = Tensor(np.arange(6.0).reshape(3, 2), label="X")
    b = Tensor([10.0, 20.0], label="b")
    c = Tensor([[1.0], [2.0], [3.0]], label="c")
    loss = ((X + b) * c).sum()
    loss.backward()
    assert b.grad.shape == (2,) and c.grad.shape == (3, 1)
    np.testing.assert_allclose(b.grad, [6.0, 6.0])
    np.testing.assert_allclose(c.grad[:, 0], (X.data + b.data).sum(axis=1))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), n=st.integers(1, 5), act=st.sampled_from(["sigmoid", "tanh", "exp"]))
def test_a_small_network_matches_finite_differences(seed, n, act):
    rng = np.random.default_rng(seed)
    X = Tensor(rng.normal(size=(n, 3)), label="X")
    W = Tensor(rng.normal(size=(3, 2)) * 0.5, label="W")
    b = Tensor(rng.normal(size=2), label="b")
    v = Tensor(rng.normal(size=(2,)), label="v")

    def loss():
        h = getattr(X @ W + b, act)()
        return ((h @ v - 1.0) ** 2).mean() + (W * W).sum() / 10

    loss().backward()
    for leaf in (X, W, b, v):
        numeric = numerical_grad(lambda _: float(loss().data), leaf.data)
        np.testing.assert_allclose(leaf.grad, numeric, rtol=1e-5, atol=1e-7, err_msg=leaf.label)


def test_backward_steps_show_local_times_upstream_for_arrays():
    x = Tensor(np.ones((4, 2)), label="x", constant=True)
    W = Tensor(np.full((2, 3), 0.5), label="W")
    b = Tensor(np.zeros(3), label="b")
    z = x @ W + b
    loss = z.sigmoid().sum()
    steps = list(backward_steps(loss))
    assert len(steps) == sum(len(n.parents) for n in topological_order(loss))
    for s in steps:
        assert isinstance(s.local_grad, VJP)
        np.testing.assert_array_equal(s.contribution, s.local_grad * s.upstream_grad)
        assert np.shape(s.contribution) == s.parent.data.shape
    by_text = {(s.node.op, s.index): s.local_grad.text for s in steps}
    assert by_text[("sigmoid", 0)] == "σ'(a) ⊙ upstream"
    assert by_text[("add", 1)] == "upstream, summed to (3,)"
    assert by_text[("matmul", 1)] == "aᵀ @ upstream"
    grads = {n.label: n.grad.copy() for n in (x, W, b)}
    loss.backward()
    for n in (x, W, b):
        np.testing.assert_array_equal(n.grad, grads[n.label])


def test_the_graph_of_a_two_layer_net_shows_its_layers_with_shapes():
    from backprop_widgets.nn import MLP, mse

    model = MLP([2, 16, 1])
    loss = mse(model(np.zeros((100, 2))), np.zeros(100))
    nodes = [(n.label or n.op, n.op, n.shape) for n in topological_order(loss)]
    assert nodes == [
        ("x", None, (100, 2)),
        ("W1", None, (2, 16)),
        ("matmul", "matmul", (100, 16)),
        ("b1", None, (16,)),
        ("z1", "add", (100, 16)),
        ("h1", "sigmoid", (100, 16)),
        ("W2", None, (16, 1)),
        ("matmul", "matmul", (100, 1)),
        ("b2", None, (1,)),
        ("z2", "add", (100, 1)),
        ("y", "sigmoid", (100, 1)),
        ("t", None, (100, 1)),
        ("mse", "mse", ()),
    ]


def test_evaluate_recomputes_after_an_input_changes():
    x = Tensor([1.0, 2.0])
    loss = (x * 3).sum()
    x.data[:] = [10.0, 20.0]
    assert float(evaluate(loss)) == 90.0
    assert isinstance(loss.data, np.ndarray) and loss.data.shape == ()


def test_e14_the_gradient_of_an_intermediate_is_kept():
    """x (1x3) @ w (3x3) + b, relu, L = sum(|y|): z.grad is there to inspect, as z.retain_grad() in PyTorch."""
    rng = np.random.default_rng(3)
    x = Tensor(rng.normal(size=(1, 3)), label="x")
    w = Tensor(rng.normal(size=(3, 3)), label="w")
    b = Tensor(rng.normal(size=3), label="b")
    z = x @ w + b
    z.label = "z"
    y = z.relu()
    loss = y.abs().sum()
    loss.backward()
    np.testing.assert_array_equal(z.grad, (z.data > 0) * 1.0)
    np.testing.assert_allclose(w.grad, x.data.T @ z.grad)
    np.testing.assert_allclose(x.grad, z.grad @ w.data.T)


def test_same_construction_same_graph_and_gradients():
    def build():
        rng = np.random.default_rng(5)
        a = Tensor(rng.normal(size=(3, 2)), label="a")
        loss = ((a @ a.T).tanh() + a.sum()).mean()
        loss.backward()
        return [(n.label, n.op, n.shape) for n in topological_order(loss)], a.grad

    (order1, grad1), (order2, grad2) = build(), build()
    assert order1 == order2
    np.testing.assert_array_equal(grad1, grad2)


def test_log_of_zero_warns_and_gives_minus_inf():
    x = Tensor([0.0, 1.0])
    with pytest.warns(RuntimeWarning):
        y = x.log()
    assert y.data[0] == -np.inf and y.data[1] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (Tensor([1.0]) / Tensor([0.0])).sum().backward()
