"""One local-gradient object for scalars and tensors: its factor, its text, its VJP (``*``) and its JVP."""

import numpy as np
import pytest

from backprop_widgets import Tensor, Value
from backprop_widgets.engine import SCALAR_OPS, TENSOR_OPS, LocalGrad, Slope, backward_steps


def test_every_step_of_either_engine_carries_a_local_grad():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    W, x = Tensor([[1.0, 2.0], [3.0, 4.0]], label="W"), Tensor([0.5, -1.0], label="x")
    for root in ((a * b).tanh() + a, ((W @ x).sigmoid() * x).sum()):
        for step in backward_steps(root):
            assert isinstance(step.local_grad, LocalGrad), step
            assert np.allclose(step.local_grad * step.upstream_grad, step.contribution)


def test_a_scalar_local_grad_is_a_number_with_its_text_and_jvp():
    local = SCALAR_OPS["div"].bind([1.0, 4.0], 0.25)[1]
    assert isinstance(local, Slope) and local == -0.0625
    assert (local.factor, local.text, local.rule) == (-0.0625, "-0.0625", "-0.0625")
    assert local * 2.0 == -0.125 and local.jvp(2.0) == -0.125


@pytest.mark.parametrize("name", ["mul", "div", "maximum", "matmul", "mse"])
def test_a_tensor_local_grad_is_a_vjp_whose_jvp_terms_add_up_to_the_rows_jvp(name):
    rng = np.random.default_rng(0)
    shapes = {"matmul": ((2, 3), (3,))}.get(name, ((2, 3), (2, 3)))
    inputs = [rng.normal(size=s) for s in shapes]
    row = TENSOR_OPS[name]
    out = np.asarray(row.forward(*inputs))
    tangents = [rng.normal(size=s) for s in shapes]
    locals_ = row.bind(inputs, out)
    assert all(isinstance(local, LocalGrad) for local in locals_)
    terms = [local.jvp(t) for local, t in zip(locals_, tangents, strict=True)]
    np.testing.assert_allclose(sum(terms), row.jvp(*inputs, *tangents, out=out), rtol=1e-12, atol=1e-12)
    u = rng.normal(size=out.shape)  # and the VJP is its transpose: u·(J v) = (Jᵀ u)·v, input by input
    for local, t, term in zip(locals_, tangents, terms, strict=True):
        assert np.isclose(np.sum(u * term), np.sum((local * u) * t))


def test_a_jacobian_never_formed_has_no_factor_but_says_its_rule():
    w, x = TENSOR_OPS["matmul"].bind([np.ones((3, 2)), np.ones(2)], np.ones(3))
    assert w.factor is None and w.rule == "upstream ⊗ b"


def test_tensor_vjp_honours_the_local_grads_it_is_given():
    a = Tensor([1.0, 2.0], label="a")
    f = a * 3.0

    class Doubled(LocalGrad):  # a stand-in local gradient, to see that it is the one applied
        factor = 2.0
        rule = text = "2 ⊙ upstream"

        def __mul__(self, upstream):
            return 2.0 * upstream

    up = np.array([1.0, 1.0])
    np.testing.assert_array_equal(f.vjp((Doubled(), Doubled()))(0, up), [2.0, 2.0])
    np.testing.assert_array_equal(f.vjp()(0, up), [3.0, 3.0])
    np.testing.assert_array_equal(f.vjp(f.local_grads())(0, up), f.vjp()(0, up))
