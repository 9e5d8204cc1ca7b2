"""Every row of the tensor op table: its vector-Jacobian products against central differences, broadcasting included.

The cases are keyed by op name and a test fails when a row has none, so an op
is tested the day it is added.
"""

import warnings
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from backprop_widgets.engine import TENSOR_OPS, VJP, sum_to_shape
from backprop_widgets.engine.tensor_ops import Factor, sigmoid

from ..numerical import difference_quotient, numerical_grad
from .test_many_classes import CLASS_CASES

H = 1e-6


def numerical_vjp(f, inputs, i, upstream):
    """Σ upstream ⊙ ∂f/∂inputs[i], entry by entry, by central differences."""
    return numerical_grad(lambda _: np.sum(upstream * f(*inputs)), inputs[i], H)


def check_row(name, inputs, params=None, rtol=1e-6, atol=1e-7):
    """The row's VJPs times a random upstream equal the numerical vector-Jacobian products."""
    op = TENSOR_OPS[name]
    params = params or {}
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    out = np.asarray(op.forward(*inputs, **params))
    upstream = np.random.default_rng(7).normal(size=out.shape)
    vjps = op.bind(inputs, out, params)
    assert len(vjps) == op.arity == len(inputs)
    for i, vjp in enumerate(vjps):
        assert isinstance(vjp, VJP)
        contribution = np.asarray(vjp * upstream)
        assert contribution.shape == inputs[i].shape, f"{name}: input {i} got a gradient of the wrong shape"
        numeric = numerical_vjp(lambda *xs: op.forward(*xs, **params), inputs, i, upstream)
        np.testing.assert_allclose(contribution, numeric, rtol=rtol, atol=atol, err_msg=f"{name} input {i}")


def away_from_zero(rng, shape, low=0.3, high=2.0):
    """Values whose size is in [low, high] with random signs: clear of the kinks at 0."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


RNG = np.random.default_rng(2024)
BROADCAST_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((3, 1), (1, 4)),
    ((2, 3, 4), (3, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
]


def binary_cases(make_a, make_b):
    return [(make_a(a), make_b(b)) for a, b in BROADCAST_PAIRS]


CASES = {
    "add": [(xs, {}) for xs in binary_cases(lambda s: RNG.normal(size=s), lambda s: RNG.normal(size=s))],
    "sub": [(xs, {}) for xs in binary_cases(lambda s: RNG.normal(size=s), lambda s: RNG.normal(size=s))],
    "mul": [(xs, {}) for xs in binary_cases(lambda s: RNG.normal(size=s), lambda s: RNG.normal(size=s))],
    "div": [(xs, {}) for xs in binary_cases(lambda s: RNG.normal(size=s), lambda s: away_from_zero(RNG, s, 0.5))],
    "neg": [([RNG.normal(size=(3, 2))], {})],
    "pow": [
        ([RNG.normal(size=(3, 2))], {"n": 2.0}),
        ([RNG.normal(size=(4,))], {"n": 3.0}),
        ([RNG.uniform(0.5, 2, size=(2, 2))], {"n": -1.0}),
        ([RNG.uniform(0.5, 2, size=(3,))], {"n": 0.5}),
        ([RNG.normal(size=(2,))], {"n": 0.0}),
    ],
    "exp": [([RNG.normal(size=(3, 2))], {})],
    "log": [([RNG.uniform(0.2, 3.0, size=(3, 2))], {})],
    "tanh": [([RNG.normal(size=(3, 2))], {})],
    "sigmoid": [([RNG.normal(scale=3, size=(3, 2))], {}), ([np.array([-800.0, -1.0, 2.0])], {})],
    "relu": [([away_from_zero(RNG, (3, 4))], {})],
    "leaky_relu": [([away_from_zero(RNG, (3, 4))], {"slope": 0.01}), ([away_from_zero(RNG, (5,))], {"slope": 0.2})],
    "abs": [([away_from_zero(RNG, (3, 4))], {})],
    "matmul": [
        ([RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2))], {}),  # batch of rows @ W
        ([RNG.normal(size=(3, 4)), RNG.normal(size=(4,))], {}),  # the article's W x: an outer product
        ([RNG.normal(size=(4,)), RNG.normal(size=(4, 2))], {}),
        ([RNG.normal(size=(4,)), RNG.normal(size=(4,))], {}),
        ([RNG.normal(size=(1, 3)), RNG.normal(size=(3, 3))], {}),
    ],  # E13's shapes
    "transpose": [([RNG.normal(size=(3, 4))], {}), ([RNG.normal(size=(4,))], {}), ([RNG.normal(size=(2, 3, 4))], {})],
    "reshape": [
        ([RNG.normal(size=(3, 4))], {"shape": (2, 6)}),
        ([RNG.normal(size=(6,))], {"shape": (3, 2)}),
        ([RNG.normal(size=(1, 1))], {"shape": ()}),
    ],
    "sum": [
        ([RNG.normal(size=(3, 4))], {}),
        ([RNG.normal(size=(3, 4))], {"axis": 0}),
        ([RNG.normal(size=(3, 4))], {"axis": -1, "keepdims": True}),
        ([RNG.normal(size=(2, 3, 4))], {"axis": (0, 2)}),
    ],
    "mean": [
        ([RNG.normal(size=(3, 4))], {}),
        ([RNG.normal(size=(3, 4))], {"axis": 1}),
        ([RNG.normal(size=(3, 4))], {"axis": 0, "keepdims": True}),
        ([RNG.normal(size=(2, 3, 4))], {"axis": (1, 2)}),
    ],
    "mse": [
        ([RNG.normal(size=(5, 1)), RNG.normal(size=(5, 1))], {}),
        ([RNG.normal(size=(4,)), RNG.normal(size=(4,))], {}),
    ],
    "l1": [([RNG.normal(size=(5, 1)), RNG.normal(size=(5, 1)) + 3.0], {})],  # p − t clear of 0
    "bce": [
        ([RNG.uniform(0.1, 0.9, size=(6, 1)), RNG.integers(0, 2, size=(6, 1))], {}),
        ([RNG.uniform(0.1, 0.9, size=(4,)), RNG.uniform(0, 1, size=(4,))], {}),
    ],
    "bce_logits": [
        ([RNG.normal(scale=3, size=(6, 1)), RNG.integers(0, 2, size=(6, 1))], {}),
        ([RNG.normal(size=(4,)), RNG.uniform(0, 1, size=(4,))], {}),
    ],
    "hinge": [([np.array([2.0, 0.5, -0.3, -1.7, 0.2]), np.array([1.0, 1.0, -1.0, 1.0, -1.0])], {})],  # t·s clear of 1
    "powv": [
        ([RNG.uniform(0.5, 2, size=(3, 2)), RNG.normal(size=(3, 2))], {}),
        ([RNG.uniform(0.5, 2, size=(3, 4)), RNG.normal(size=(4,))], {}),  # a broadcast exponent
        ([np.array(2.0), RNG.normal(size=(3,))], {}),
    ],  # 2 ** t: a number base
    "sin": [([RNG.normal(scale=2, size=(3, 2))], {})],
    "cos": [([RNG.normal(scale=2, size=(3, 2))], {})],
    "sqrt": [([RNG.uniform(0.2, 3.0, size=(3, 2))], {})],
    "maximum": [(xs, {}) for xs in binary_cases(lambda s: RNG.normal(size=s), lambda s: RNG.normal(size=s))],
    "minimum": [(xs, {}) for xs in binary_cases(lambda s: RNG.normal(size=s), lambda s: RNG.normal(size=s))],
    "clip": [
        ([np.array([-2.0, -0.7, 0.2, 0.9, 1.6])], {"lo": -1.0, "hi": 1.0}),
        ([RNG.normal(size=(3, 3)) * 0.1 + 1.0], {"lo": -np.inf, "hi": 0.5}),
    ],  # clear of the ends
    **CLASS_CASES,
}


def test_every_row_has_cases():
    assert set(CASES) == set(TENSOR_OPS), "give every op of TENSOR_OPS example inputs in CASES"


@pytest.mark.parametrize(
    "name, inputs, params",
    [
        pytest.param(name, inputs, params, id=f"{name}-{k}")
        for name, cases in CASES.items()
        for k, (inputs, params) in enumerate(cases)
    ],
)
def test_vjp_matches_central_differences(name, inputs, params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of these points should overflow or divide by zero
        check_row(name, inputs, params)


def numerical_jvp(f, inputs, tangents):
    """J·v by central differences: (f(x + h v) − f(x − h v)) / 2h, all inputs moved at once."""
    return difference_quotient(
        lambda t: np.asarray(f(*[x + t * v for x, v in zip(inputs, tangents, strict=True)])), 0.0, H
    )


@pytest.mark.parametrize(
    "name, inputs, params",
    [
        pytest.param(name, inputs, params, id=f"{name}-{k}")
        for name, cases in CASES.items()
        for k, (inputs, params) in enumerate(cases)
    ],
)
def test_jvp_matches_central_differences_and_is_the_transpose_of_the_vjp(name, inputs, params):
    """Forward mode beside backward mode: J·v against finite differences, and u·(J v) = (Jᵀ u)·v."""
    op = TENSOR_OPS[name]
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    rng = np.random.default_rng(11)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = np.asarray(op.forward(*inputs, **params))
        tangents = [rng.normal(size=x.shape) for x in inputs]
        pushed = np.asarray(op.jvp(*inputs, *tangents, out=out, **params))
        assert pushed.shape == out.shape, f"{name}: the output's tangent has the wrong shape"
        numeric = numerical_jvp(lambda *xs: op.forward(*xs, **params), inputs, tangents)
        np.testing.assert_allclose(pushed, numeric, rtol=1e-6, atol=1e-7, err_msg=f"{name} J·v")
        upstream = rng.normal(size=out.shape)
        pulled = [np.asarray(vjp * upstream) for vjp in op.bind(inputs, out, params)]
    forward_side = np.sum(upstream * pushed)
    backward_side = sum(np.sum(g * v) for g, v in zip(pulled, tangents, strict=True))
    assert np.isclose(forward_side, backward_side, rtol=1e-10, atol=1e-12), name


def test_every_row_has_a_jvp():
    assert [name for name, op in TENSOR_OPS.items() if op.jvp is None] == []


def test_a_wrong_vjp_is_caught():
    """The checker itself can fail: a sigmoid whose local gradient forgot a factor."""
    wrong = replace(TENSOR_OPS["sigmoid"], local=(Factor("σ ⊙ upstream", lambda a, out: out),))
    inputs = [RNG.normal(size=(3,))]
    out = wrong.forward(*inputs)
    upstream = np.ones(3)
    numeric = numerical_vjp(wrong.forward, inputs, 0, upstream)
    assert not np.allclose(wrong.bind(inputs, out)[0] * upstream, numeric)


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(["add", "sub", "mul", "div"]),
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    seed=st.integers(0, 2**16),
)
def test_broadcasting_gradients_are_summed_back(name, shapes, seed):
    """Any pair of broadcastable shapes: each input's gradient has its own shape and is right."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=shapes.input_shapes[0])
    b = away_from_zero(rng, shapes.input_shapes[1], 0.5) if name == "div" else rng.normal(size=shapes.input_shapes[1])
    check_row(name, [a, b])


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(["sum", "mean"]),
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
    data=st.data(),
)
def test_reductions_along_any_axes(name, shape, data):
    axes = data.draw(st.sets(st.integers(-len(shape), len(shape) - 1), max_size=len(shape)))
    axes = sorted({a % len(shape) for a in axes})
    params = {}
    if axes:
        params["axis"] = axes[0] if len(axes) == 1 else tuple(axes)
    if data.draw(st.booleans()):
        params["keepdims"] = True
    check_row(name, [np.random.default_rng(len(shape)).normal(size=shape)], params)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), vec_a=st.booleans(), vec_b=st.booleans())
def test_matmul_of_any_sizes(n, k, m, vec_a, vec_b):
    rng = np.random.default_rng(n * 100 + k * 10 + m)
    a = rng.normal(size=(k,) if vec_a else (n, k))
    b = rng.normal(size=(k,) if vec_b else (k, m))
    check_row("matmul", [a, b])


# ---- the helpers and the numbers at the edges --------------------------------------------


def test_sum_to_shape_undoes_broadcasting():
    g = np.arange(24.0).reshape(2, 3, 4)
    assert sum_to_shape(g, (2, 3, 4)) is g
    np.testing.assert_array_equal(sum_to_shape(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_array_equal(sum_to_shape(g, (3, 1)), g.sum(axis=(0, 2)).reshape(3, 1))
    np.testing.assert_array_equal(sum_to_shape(g, (1, 1, 1)), g.sum().reshape(1, 1, 1))
    assert sum_to_shape(g, ()).shape == () and float(sum_to_shape(g, ())) == g.sum()


def test_vjp_text_says_when_it_sums_back():
    vjps = TENSOR_OPS["add"].bind([np.ones((5, 3)), np.ones(3)], np.ones((5, 3)))
    assert [v.text for v in vjps] == ["upstream", "upstream, summed to (3,)"]
    assert repr(vjps[1]) == "VJP(upstream, summed to (3,))"
    a, b = TENSOR_OPS["matmul"].bind([np.ones((5, 2)), np.ones((2, 3))], np.ones((5, 3)))
    assert (a.text, b.text) == ("upstream @ bᵀ", "aᵀ @ upstream")
    w, x = TENSOR_OPS["matmul"].bind([np.ones((3, 2)), np.ones(2)], np.ones(3))
    assert (w.text, x.text) == ("upstream ⊗ b", "aᵀ @ upstream")


def test_elementwise_vjps_carry_their_local_factor():
    out = sigmoid(np.array([0.0, 1.0]))
    (vjp,) = TENSOR_OPS["sigmoid"].bind([np.array([0.0, 1.0])], out)
    np.testing.assert_allclose(vjp.factor, [0.25, 0.19661193324148185])
    assert vjp.text == "σ'(a) ⊙ upstream"


def test_titles_show_the_constants():
    assert TENSOR_OPS["matmul"].title({}) == "@"
    assert TENSOR_OPS["pow"].title({"n": 2.0}) == "^2"
    assert TENSOR_OPS["sum"].title({"axis": 0, "keepdims": True}) == "Σ axis=0 keepdims"
    assert TENSOR_OPS["mean"].title({"axis": (0, 1)}) == "mean axis=(0, 1)"
    assert TENSOR_OPS["reshape"].title({"shape": (2, 3)}) == "reshape (2, 3)"
    assert TENSOR_OPS["reshape"].title({"shape": (6,)}) == "reshape (6,)"


def test_sigmoid_is_exact_and_never_overflows():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = sigmoid(np.array([0.0, 1.0, -1.0, -1000.0, 1000.0]))
    assert values[0] == 0.5 and values[1] == 0.7310585786300049
    assert values[3] == 0.0 and values[4] == 1.0
    assert abs(values[2] - 0.2689414213699951) < 1e-16


def test_sigmoid_takes_the_scalar_engine_s_formula_exactly_where_e_to_the_minus_a_overflows():
    from backprop_widgets import Value

    extreme = np.concatenate([np.linspace(-800.0, -690.0, 1000), [np.nan]])  # a nan among them too
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = sigmoid(extreme)
    np.testing.assert_array_equal(values[:-1], [Value(float(a)).sigmoid().data for a in extreme[:-1]])
    assert np.isnan(values[-1]) and 0.0 < values[np.searchsorted(extreme, -720.0)] < 1e-310  # e^a, not 0
    ordinary = np.linspace(-709.0, 40.0, 3000)  # no e^-a overflows: 1 / (1 + e^-a), entry by entry
    np.testing.assert_array_equal(sigmoid(ordinary), 1.0 / (1.0 + np.exp(-ordinary)))


def test_division_by_zero_and_log_zero_warn_instead_of_raising():
    old = np.seterr(all="raise")
    try:
        with pytest.warns(RuntimeWarning):
            assert TENSOR_OPS["div"].forward(np.array(1.0), np.array(0.0)) == np.inf
        with pytest.warns(RuntimeWarning):
            assert TENSOR_OPS["log"].forward(np.array([0.0]))[0] == -np.inf
        with pytest.warns(RuntimeWarning):
            assert TENSOR_OPS["pow"].forward(np.array(0.0), n=-1.0) == np.inf
    finally:
        np.seterr(**old)


def test_losses_from_logits_stay_finite():
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    t = np.array([1.0, 1.0, 0.0, 0.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = TENSOR_OPS["bce_logits"].forward(z, t)
        (vjp_z, _) = TENSOR_OPS["bce_logits"].bind([z, t], loss)
    expected = np.mean([1000.0, 30.0 + np.log1p(np.exp(-30.0)), np.log(2.0), 30.0 + np.log1p(np.exp(-30.0)), 1000.0])
    assert abs(float(loss) - expected) < 1e-12
    np.testing.assert_allclose(vjp_z * np.array(1.0), (sigmoid(z) - t) / 5)


def test_bce_from_probabilities_clips_instead_of_inf():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = TENSOR_OPS["bce"].forward(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    assert np.isfinite(loss) and 27 < float(loss) < 28
