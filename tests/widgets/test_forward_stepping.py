"""Forward mode, stepped: the walk steps the engine's JVPs, on scalars and Tensors, folded or not."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Tensor, Value, forward_derivatives
from backprop_widgets.engine import evaluate, topological_order
from backprop_widgets.nn.scalar import MLP
from backprop_widgets.widgets.stepper import ForwardStepper
from backprop_widgets.widgets.walk import ForwardWalk

from ..engine.test_forward_mode import graphs, random_graph


def central_differences(root, wrt, v, h=1e-6):
    """Every node's move when ``wrt`` moves along ``v``, by central differences."""
    order = topological_order(root)
    start = wrt.data.copy()
    ends = []
    for sign in (1.0, -1.0):
        wrt.data = start + sign * h * v
        evaluate(root, order)
        ends.append({node: np.array(node.data, dtype=float) for node in order})
    wrt.data = start
    evaluate(root, order)
    return {node: (ends[0][node] - ends[1][node]) / (2 * h) for node in order}


@settings(max_examples=60, deadline=None)
@given(graphs(), st.integers(0, 2**16))
def test_forward_stepping_on_tensor_graphs_is_the_engines_forward_mode_step_by_step(tree, seed):
    built = random_graph(tree, np.random.default_rng(seed))
    if built is None:
        return
    root, wrt, v = built
    engine = forward_derivatives(root, wrt=wrt, tangent=v)
    numeric = central_differences(root, wrt, v)
    walk = ForwardWalk(root, wrt, tangent=v)
    for k, step in enumerate(walk.steps, 1):
        walk.goto(k)
        shown = walk.grads()[step.node]
        np.testing.assert_array_equal(shown, engine[step.node])  # the same numbers as forward_derivatives
        np.testing.assert_allclose(sum(term for *_, term in step.terms), shown, rtol=1e-9, atol=1e-9)
        kinks = ("relu", "abs", "maximum", "minimum")  # a central difference across a kink is no derivative
        if not any(n.op in kinks for n in topological_order(step.node)):
            np.testing.assert_allclose(shown, numeric[step.node], rtol=1e-4, atol=1e-5)


def layer():
    rng = np.random.default_rng(3)
    W, b = Tensor(rng.normal(size=(3, 2)), label="W"), Tensor(rng.normal(size=3), label="b")
    x = Tensor([0.5, -1.0], label="x")
    return ((W @ x + b).tanh() ** 2).sum(), W, x, b


def test_a_forward_stepper_walks_a_tensor_layer_to_the_full_derivative():
    f, W, x, b = layer()
    s = ForwardStepper(f, x)
    s.run()
    derivative = forward_derivatives(f, wrt=x)
    f.backward()
    assert s.walk.grads()[f].shape == (2,)
    np.testing.assert_array_equal(s.walk.grads()[f], derivative[f])  # one pass per entry of x, stacked
    np.testing.assert_allclose(s.walk.grads()[f], x.grad, rtol=1e-12)  # = reverse mode's gradient
    assert s.walk.grads()[W] == 0.0  # W does not move with x
    assert s.walk.explain()["numbers_text"].startswith("local × tangent: J·(∂(tanh(W @ x + b)^2)/∂x) = ")
    s.reset()
    s.step()  # W @ x: a Jacobian never formed, so its term is given, not a product
    assert "Jacobian" in s.explain()["local_text"]


def test_the_tangent_row_is_named_for_the_input():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    s = ForwardStepper(a * b + b, b)
    assert "∂·/∂b" in s.view.dot and ">grad<" not in s.view.dot
    assert s.walk.tangent_name == "∂·/∂b"
    f, W, x, _ = layer()
    assert "∂·/∂x" in ForwardStepper(f, x).view.dot


def folded_net():
    net = MLP(2, [3, 1], seed=0)
    x0 = Value(0.5, label="x0")
    return net([x0, -1.0]), x0


@pytest.mark.parametrize("fold_at", [0, 2, 5])
def test_forward_stepping_goes_on_through_a_fold_and_an_unfold(fold_at):
    y, x0 = folded_net()
    s = ForwardStepper(y, x0)
    for _ in range(fold_at):
        s.step()
    s.view.fold("layer 1")  # no backward-only state is needed to fold
    assert s.position == fold_at
    s.step()
    s.view.unfold("layer 1")
    assert s.position == fold_at + 1
    s.run()
    assert s.walk.grads()[y] == forward_derivatives(y, wrt=x0)[y]


def test_the_explorers_forward_pass_and_its_stepper_agree():
    from backprop_widgets import Explorer

    e = Explorer("sqrt(a*b) + max(a, b)", a=2, b=3)
    derivatives = e.forward_pass("b")
    assert e.forward_stepper is not None
    shown = e.forward_stepper.walk.grads()
    assert all(shown[node] == derivatives[node] for node in shown)
