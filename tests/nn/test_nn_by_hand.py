"""The articles' formulas against the engine: E9 (two-layer network with matrices) and E13 (the matmul layer)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Tensor
from backprop_widgets.engine import backward_steps
from backprop_widgets.engine.tensor_ops import sigmoid
from backprop_widgets.nn import MLP, SGD, MatMulLayer, sigmoid_network_gradients


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def article_network(n_in, n1, n2, seed):
    """E9 in the third article's convention: W1 is N1 x Nin, W2 is N2 x N1, x and t are vectors."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n1, n_in)), rng.normal(size=(n2, n1)), rng.normal(size=n_in), rng.uniform(0, 1, size=n2)


def engine_network(W1, W2, x, t):
    W1, W2, x = Tensor(W1, label="W1"), Tensor(W2, label="W2"), Tensor(x, label="x")
    z1 = W1 @ x
    h1 = z1.sigmoid()
    z2 = W2 @ h1
    y = z2.sigmoid()
    cost = 0.5 * ((y - t) ** 2).sum()  # C(y) = ½‖y − t‖², so ∇C = y − t
    for node, name in ((z1, "z1"), (h1, "h1"), (z2, "z2"), (y, "y")):
        node.label = name
    return cost, {"W1": W1, "W2": W2, "x": x, "z1": z1, "h1": h1, "z2": z2, "y": y}


@settings(max_examples=25, deadline=None)
@given(n_in=st.integers(1, 4), n1=st.integers(1, 5), n2=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_e9_engine_gradients_equal_the_closed_forms(n_in, n1, n2, seed):
    W1, W2, x, t = article_network(n_in, n1, n2, seed)
    cost, nodes = engine_network(W1, W2, x, t)
    cost.backward()

    z1 = W1 @ x
    h1 = sigmoid(z1)
    z2 = W2 @ h1
    y = sigmoid(z2)
    grad_C = y - t
    signal = grad_C * sigmoid_prime(z2)  # ∇C ⊙ σ'(z2), the error signal
    dC_dW2 = np.outer(signal, h1)  # (∇C ⊙ σ'(z2)) ⊗ h1, N2 x N1
    dC_dW1 = np.outer((W2.T @ signal) * sigmoid_prime(z1), x)  # [W2ᵀ(∇C ⊙ σ'(z2))] ⊙ σ'(z1) ⊗ x

    assert nodes["W2"].grad.shape == (n2, n1) and nodes["W1"].grad.shape == (n1, n_in)
    np.testing.assert_allclose(nodes["W2"].grad, dC_dW2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(nodes["W1"].grad, dC_dW1, rtol=1e-12, atol=1e-15)
    # each layer's delta is the gradient at its pre-activation node
    np.testing.assert_allclose(nodes["z2"].grad, signal, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(nodes["h1"].grad, W2.T @ signal, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(nodes["z1"].grad, (W2.T @ signal) * sigmoid_prime(z1), rtol=1e-12, atol=1e-15)

    # the article's loop (with the outer product it left out) gives the same matrices
    by_loop = sigmoid_network_gradients([W1, W2], x, lambda out: out - t)
    np.testing.assert_allclose(by_loop[0], dC_dW1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(by_loop[1], dC_dW2, rtol=1e-12, atol=1e-15)


def test_e9_the_stepper_walks_the_deltas_back_layer_by_layer():
    W1, W2, x, t = article_network(2, 3, 1, seed=4)
    cost, nodes = engine_network(W1, W2, x, t)
    steps = {(s.node.label, s.parent.label): s for s in backward_steps(cost)}
    into_z2 = steps[("y", "z2")]  # σ'(z2) ⊙ upstream, upstream = ∇C
    np.testing.assert_allclose(into_z2.local_grad.factor, sigmoid_prime(nodes["z2"].data))
    np.testing.assert_allclose(into_z2.upstream_grad, nodes["y"].data - t)
    into_W2 = steps[("z2", "W2")]
    assert into_W2.local_grad.text == "upstream ⊗ b"  # the outer product with h1
    into_h1 = steps[("z2", "h1")]
    assert into_h1.local_grad.text == "aᵀ @ upstream"  # W2ᵀ δ: the error signal passed back
    np.testing.assert_allclose(into_h1.contribution, W2.T @ into_z2.contribution)


def test_e9_with_linear_layers_the_weights_are_the_articles_transposed():
    """nn.Linear keeps W as (n_in, n_out) so batches go through as X @ W: the article's W1 is layer 1's W.T."""
    W1, W2, x, t = article_network(3, 4, 2, seed=7)
    model = MLP([3, 4, 2], activation="sigmoid", output_activation="sigmoid", bias=False)
    model.layers[0].W.data[:] = W1.T
    model.layers[1].W.data[:] = W2.T
    y = model(x.reshape(1, 3))
    cost = 0.5 * ((y - t.reshape(1, 2)) ** 2).sum()
    cost.backward()
    dW1, dW2 = sigmoid_network_gradients([W1, W2], x, lambda out: out - t)
    np.testing.assert_allclose(model.layers[0].W.grad, dW1.T, rtol=1e-12)
    np.testing.assert_allclose(model.layers[1].W.grad, dW2.T, rtol=1e-12)


# ---- E13: the matmul layer written by hand ------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_e13_matmul_layer_backward_equals_the_engine(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(1, 3))
    layer = MatMulLayer(3, 3, rng=seed)
    upstream = rng.normal(size=(1, 3))  # dL/dout from whatever comes next

    out = layer.forward(x)
    dldx = layer.backward(upstream)

    x_t, w_t = Tensor(x, label="x"), Tensor(layer.w, label="w")
    out_t = x_t @ w_t
    loss = (out_t * upstream).sum()  # a loss whose gradient at out is exactly `upstream`
    loss.backward()
    np.testing.assert_allclose(out, out_t.data)
    assert dldx.shape == (1, 3) and layer.dldw.shape == (3, 3)
    np.testing.assert_allclose(dldx, x_t.grad, rtol=1e-13)
    np.testing.assert_allclose(layer.dldw, w_t.grad, rtol=1e-13)

    # and the update is one step of gradient descent
    SGD([w_t], lr=0.1).step()
    layer.update(0.1)
    np.testing.assert_allclose(layer.w, w_t.data, rtol=1e-13)


def test_matmul_layer_starts_like_the_article_and_repeats():
    a, b = MatMulLayer(3, 2, rng=1), MatMulLayer(3, 2, rng=1)
    assert a.w.shape == (3, 2) and (a.w >= 0).all() and (a.w < 1).all()
    np.testing.assert_array_equal(a.w, b.w)
    assert repr(a) == "MatMulLayer(3 -> 2)"
