"""Linear and MLP: shapes, labels, initialisation, and the pitfalls of E15 (symmetry, dead units)."""

import numpy as np
import pytest

from backprop_widgets import Tensor
from backprop_widgets.nn import MLP, SGD, Linear, mse, train_step


def test_linear_is_x_at_w_plus_b_with_w_in_by_out():
    layer = Linear(3, 2, rng=1, name="1")
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,)
    assert (layer.W.label, layer.b.label) == ("W1", "b1")
    X = np.arange(12.0).reshape(4, 3)
    z = layer(X)
    assert z.label == "z1" and z.shape == (4, 2)
    np.testing.assert_allclose(z.data, X @ layer.W.data + layer.b.data)
    assert layer.parameters() == [layer.W, layer.b]
    assert Linear(3, 2, bias=False).parameters()[0].shape == (3, 2) and len(Linear(3, 2, bias=False).parameters()) == 1


def test_inits():
    rng = np.random.default_rng(0)
    xavier = Linear(50, 30, init="xavier", rng=rng).W.data
    assert np.abs(xavier).max() <= np.sqrt(6 / 80) and xavier.std() > 0.1
    he = Linear(50, 30, init="he", rng=rng).W.data
    assert abs(he.std() - np.sqrt(2 / 50)) < 0.03
    assert not Linear(5, 4, init="zeros").W.data.any()
    with pytest.raises(ValueError, match="unknown init"):
        Linear(2, 2, init="ones")


def test_mlp_labels_its_nodes_like_the_article():
    model = MLP([2, 3, 3, 1], activation="tanh", output_activation=None)
    out = model(np.zeros((5, 2)))
    assert out.label == "z3" and out.shape == (5, 1)
    labels = []
    node = out
    while node.parents:
        labels.append(node.label)
        node = node.parents[0]
    assert [x for x in labels if x] == ["z3", "h2", "z2", "h1", "z1"]
    assert [p.label for p in model.parameters()] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert repr(model) == "MLP(2-3-3-1, tanh, output None)"


def test_mlp_same_seed_same_weights_other_seed_other_weights():
    a, b, c = MLP([2, 4, 1], rng=3), MLP([2, 4, 1], rng=3), MLP([2, 4, 1], rng=4)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    assert not np.array_equal(a.parameters()[0].data, c.parameters()[0].data)


def test_mlp_rejects_what_it_cannot_build():
    with pytest.raises(ValueError, match="unknown activation"):
        MLP([2, 1], activation="swish")
    with pytest.raises(ValueError, match="at least"):
        MLP([2])


def test_mlp_accepts_a_tensor_input_and_keeps_it_as_the_graph_leaf():
    x = Tensor(np.ones((3, 2)), label="points")
    y = MLP([2, 2, 1])(x)
    node = y
    while node.parents:
        node = node.parents[0]
    assert node is x


def test_e15_all_zero_weights_keep_hidden_units_identical():
    """Symmetry: with every weight zero, all hidden units get the same gradient, so they never differ."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, size=20)
    model = MLP([2, 4, 1], activation="tanh", init="zeros")
    optimizer = SGD(model.parameters(), lr=0.5)
    for _ in range(20):
        train_step(model, mse, X, y, optimizer)
    W1, W2 = model.layers[0].W.data, model.layers[1].W.data
    assert np.allclose(W1, W1[:, :1]) and np.allclose(W2, W2[0])  # every hidden unit the same
    # with random weights the units come apart
    model = MLP([2, 4, 1], activation="tanh")
    optimizer = SGD(model.parameters(), lr=0.5)
    for _ in range(20):
        train_step(model, mse, X, y, optimizer)
    assert not np.allclose(model.layers[0].W.data, model.layers[0].W.data[:, :1])


def test_e15_a_dead_relu_unit_gets_no_gradient_and_leaky_relu_keeps_one():
    X = np.abs(np.random.default_rng(1).normal(size=(10, 2)))  # positive inputs
    for activation, expect_dead in (("relu", True), ("leaky_relu", False)):
        model = MLP([2, 3, 1], activation=activation, output_activation="sigmoid")
        model.layers[0].W.data[:, 0] = -1.0  # unit 0 is negative for every point
        model.layers[0].b.data[0] = -1.0
        mse(model(X), np.ones(10)).backward()
        dead = not model.layers[0].W.grad[:, 0].any() and model.layers[0].b.grad[0] == 0
        assert dead == expect_dead, activation
        assert model.layers[0].W.grad[:, 1:].any()
