"""Forward mode on Tensor graphs: tangents of the right shape, and J·v = vᵀ·J against reverse mode on random graphs."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Tensor, Value, forward_derivatives, gradcheck
from backprop_widgets.engine import topological_order

from .strategies import op_trees


def two_layer(seed=0):
    """The article's network with vectors: W1 (4×3), W2 (2×4), one input x, a squared-error cost."""
    rng = np.random.default_rng(seed)
    W1, W2 = Tensor(rng.normal(size=(4, 3)), label="W1"), Tensor(rng.normal(size=(2, 4)), label="W2")
    x = Tensor(rng.normal(size=3), label="x", constant=True)
    y = (W2 @ (W1 @ x).sigmoid()).sigmoid()
    C = 0.5 * ((y - np.array([0.0, 1.0])) ** 2).sum()
    return C, W1, W2, y


def test_a_tangent_gives_every_node_a_tangent_of_its_own_shape():
    C, W1, W2, y = two_layer()
    V = np.random.default_rng(1).normal(size=W1.shape)
    tangents = forward_derivatives(C, wrt=W1, tangent=V)
    for node in topological_order(C):
        assert np.shape(tangents[node]) == node.shape, node.op
    assert not tangents[W2].any()  # W2 does not move with W1
    C.backward()
    assert np.isclose(float(tangents[C]), np.sum(W1.grad * V), rtol=1e-12)  # dC·V = ⟨∇C, V⟩


def test_without_a_tangent_one_pass_per_entry_gives_the_full_derivative():
    C, W1, W2, y = two_layer()
    derivative = forward_derivatives(C, wrt=W1)
    C.backward()
    assert derivative[C].shape == W1.shape  # a scalar's derivative has the shape of the gradient
    np.testing.assert_allclose(derivative[C], W1.grad, rtol=1e-12, atol=1e-15)
    assert derivative[y].shape == y.shape + W1.shape  # the Jacobian of y, (2,) + (4, 3)


def test_an_inner_node_is_moved_as_if_it_were_an_input():
    x = Value(2.0)
    h = x * x
    f = 3 * h
    assert forward_derivatives(f, wrt=h)[f] == 3.0


def test_scalar_forward_mode_is_unchanged():
    a, b, c = Value(-1.0), Value(3.0), Value(4.0)
    f = (a + b) * (b + c)
    assert [forward_derivatives(f, wrt=v)[f] for v in (a, b, c)] == [7.0, 9.0, 2.0]


# ---- random small Tensor graphs: forward mode against reverse mode ---------------------------

SHAPE = (2, 3)
UNARY = ["neg", "exp", "tanh", "sigmoid", "sin", "cos", "square", "sqrt_abs", "T2", "reshape", "relu", "abs"]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum", "matmul", "powv", "rowsum"]


def graphs():
    return op_trees(UNARY, BINARY, max_leaves=6)


def build(tree, leaves):
    """A (2, 3) tensor from a random tree; every op keeps that shape so any two can be combined."""
    if isinstance(tree, int):
        return leaves[tree]
    op, *args = tree
    xs = [build(a, leaves) for a in args]
    a = xs[0]
    unary = {
        "neg": lambda: -a,
        "exp": lambda: (a * 0.3).exp(),
        "tanh": a.tanh,
        "sigmoid": a.sigmoid,
        "sin": a.sin,
        "cos": a.cos,
        "square": lambda: a**2,
        "sqrt_abs": lambda: (abs(a) + 1.0).sqrt(),
        "T2": lambda: a.T.T,
        "reshape": lambda: a.reshape(3, 2).reshape(SHAPE),
        "relu": a.relu,
        "abs": lambda: abs(a),
    }
    if op in unary:
        return unary[op]()
    b = xs[1]
    binary = {
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "div": lambda: a / (b * b + 1.0),
        "maximum": lambda: a.maximum(b),
        "minimum": lambda: a.minimum(b),
        "matmul": lambda: (a @ b.T @ a) * 0.5,
        "powv": lambda: (a * a + 0.5) ** (b.tanh()),
        "rowsum": lambda: a * b.sum(axis=1, keepdims=True).tanh() + b.mean(0),
    }
    return binary[op]()


def random_graph(tree, rng):
    """The graph of ``tree`` over three random (2, 3) leaves, one leaf to move and a direction: None for a leaf
    alone or a graph whose output is not finite."""
    leaves = [Tensor(rng.normal(size=SHAPE), label=name) for name in "abc"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = build(tree, leaves)
    if not isinstance(tree, tuple) or not np.isfinite(root.data).all():
        return None
    wrt = leaves[rng.integers(3)]
    return root, wrt, rng.normal(size=wrt.shape)


@settings(max_examples=150, deadline=None)
@given(graphs(), st.integers(0, 2**16))
def test_forward_mode_is_the_transpose_of_reverse_mode(tree, seed):
    """u·(J v) from one forward pass = (Jᵀ u)·v from one backward pass, for random u and v."""
    rng = np.random.default_rng(seed)
    built = random_graph(tree, rng)
    if built is None:
        return
    root, wrt, v = built
    u = rng.normal(size=root.shape)
    Jv = forward_derivatives(root, wrt=wrt, tangent=v)[root]
    assert Jv.shape == root.shape
    loss = (root * u).sum()
    loss.backward()
    uJ = wrt.grad
    assert np.isclose(np.sum(u * Jv), np.sum(uJ * v), rtol=1e-9, atol=1e-9), (tree, np.sum(u * Jv), np.sum(uJ * v))


# ---- gradcheck from the graph's true values, at every node ---------------------------------


def test_inner_nodes_are_checked_at_their_true_values():
    x = Value(1.0, label="x")
    g = (4 * x + 1) ** 2
    report = gradcheck(g)
    assert report.max_rel_error < 1e-9, report  # was 8e-6 for the 4x node: checked at leftover nudged values
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    s = a + b
    report = gradcheck(s**2)
    assert [row.numeric for row in report if row.node is s] == pytest.approx([6.0], rel=1e-9)


SMOOTH_UNARY = ["neg", "exp", "tanh", "sigmoid", "sin", "cos", "square"]
SMOOTH_BINARY = ["+", "-", "*", "/"]


def smooth_trees():
    return op_trees(SMOOTH_UNARY, SMOOTH_BINARY, max_leaves=8)


def build_scalar(tree, xs):
    if isinstance(tree, int):
        return xs[tree]
    op, *args = tree
    vals = [build_scalar(a, xs) for a in args]
    if len(vals) == 1:
        a = vals[0]
        return {"neg": lambda: -a, "square": lambda: a**2, "exp": lambda: (a * 0.5).exp()}.get(
            op, getattr(a, op, None)
        )()
    a, b = vals
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / (b * b + 1.0)}[op]


@settings(max_examples=200, deadline=None)
@given(smooth_trees(), st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_every_inner_node_of_a_smooth_graph_agrees_to_1e_6(tree, values):
    xs = [Value(v, label=name) for v, name in zip(values, "abc", strict=False)]
    root = build_scalar(tree, xs)
    if isinstance(tree, int) or abs(root.data) > 1e3:
        return
    report = gradcheck(root)
    for row in report:  # a zero gradient is estimated as rounding noise of about 1e-11: hence abs_tol
        assert math.isclose(row.analytic, row.numeric, rel_tol=1e-6, abs_tol=1e-8), report


def test_gradcheck_on_a_tensor_graph_entry_by_entry():
    C, W1, W2, y = two_layer()
    report = gradcheck(C)
    assert report.ok and report.max_rel_error < 1e-7
    row = next(row for row in report if row.node is W1)
    assert row.analytic.shape == row.numeric.shape == W1.shape
    assert "W1[" in repr(report)  # the worst entry is named
    assert (C.data, W1.data.sum()) == (two_layer()[0].data, two_layer()[1].data.sum())  # values restored


def test_gradcheck_on_a_tensor_catches_a_wrong_entry(monkeypatch):
    from dataclasses import replace

    from backprop_widgets.engine import TENSOR_OPS
    from backprop_widgets.engine.tensor_ops import Factor

    # a sigmoid rule that forgets the factor (1 − σ): wrong in every entry
    wrong = replace(TENSOR_OPS["sigmoid"], local=(Factor("σ ⊙ upstream", lambda a, out: out),))
    monkeypatch.setitem(TENSOR_OPS, "sigmoid", wrong)
    C, W1, W2, y = two_layer()
    assert not gradcheck(C).ok


def test_gradcheck_needs_a_scalar_output():
    with pytest.raises(ValueError, match="scalar"):
        gradcheck(Tensor([1.0, 2.0]) * 2)
