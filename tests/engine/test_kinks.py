"""The new gates and the conventions at kinks: the numbers PyTorch gives, written down, and checked live where torch is installed."""

import math
import warnings

import numpy as np
import pytest

from backprop_widgets import NumericWarning, Tensor, Value

# (what, how to build it from the inputs (same code for Value, Tensor and torch), inputs, value, gradients)
# The gradients are PyTorch 2.x's at these points (torch.relu, torch.abs, torch.maximum, torch.pow...).
KINKS = [
    ("relu at 0", lambda a: a.relu(), [0.0], 0.0, [0.0]),
    ("abs at 0", lambda a: abs(a), [0.0], 0.0, [0.0]),
    ("max at a tie", lambda a, b: _max(a, b), [1.0, 1.0], 1.0, [0.5, 0.5]),
    ("min at a tie", lambda a, b: _min(a, b), [1.0, 1.0], 1.0, [0.5, 0.5]),
    ("max, a larger", lambda a, b: _max(a, b), [2.0, 1.0], 2.0, [1.0, 0.0]),
    ("min, b smaller", lambda a, b: _min(a, b), [2.0, 1.0], 1.0, [0.0, 1.0]),
    ("0^b at b = 0", lambda a, b: a**b, [0.0, 0.0], 1.0, [0.0, 0.0]),
    ("0^b at b = 2", lambda a, b: a**b, [0.0, 2.0], 0.0, [0.0, 0.0]),
    ("0^b at b = 1", lambda a, b: a**b, [0.0, 1.0], 0.0, [1.0, 0.0]),
    ("0^b at b = 0.5", lambda a, b: a**b, [0.0, 0.5], 0.0, [math.inf, 0.0]),
    ("a^0 at a = 0 (constant exponent)", lambda a: a**0.0, [0.0], 1.0, [0.0]),
    ("a^0.5 at a = 0 (constant exponent)", lambda a: a**0.5, [0.0], 0.0, [math.inf]),
    ("sqrt at 0", lambda a: a.sqrt(), [0.0], 0.0, [math.inf]),
    ("2^b", lambda b: 2.0**b, [1.0], 2.0, [2.0 * math.log(2.0)]),
    ("leaky relu at 0", lambda a: a.leaky_relu(0.1), [0.0], 0.0, [0.1]),
]


def _max(a, b):
    return a.max(b) if isinstance(a, Value) else a.maximum(b)


def _min(a, b):
    return a.min(b) if isinstance(a, Value) else a.minimum(b)


def _run(make, build, inputs):
    leaves = [make(x) for x in inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # at a kink nothing should warn: the forward values are all finite
        out = build(*leaves)
        out = out.sum() if isinstance(out, Tensor) else out
        out.backward()
    return float(out.data), [np.asarray(leaf.grad).item() for leaf in leaves]


@pytest.mark.parametrize("what, build, inputs, value, grads", KINKS, ids=[k[0] for k in KINKS])
def test_value_follows_pytorch_at_kinks(what, build, inputs, value, grads):
    assert _run(Value, build, inputs) == (value, grads)


@pytest.mark.parametrize("what, build, inputs, value, grads", KINKS, ids=[k[0] for k in KINKS])
def test_tensor_follows_pytorch_at_kinks(what, build, inputs, value, grads):
    assert _run(lambda x: Tensor([x]), build, inputs) == (value, grads)


@pytest.mark.parametrize("what, build, inputs, value, grads", KINKS, ids=[k[0] for k in KINKS])
def test_the_written_numbers_are_pytorchs(what, build, inputs, value, grads):
    torch = pytest.importorskip("torch")
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    torch_build = {"max": torch.maximum, "min": torch.minimum}
    if "max" in what or "min" in what:
        out = torch_build[what[:3]](*leaves)
    elif what.startswith("relu") or what.startswith("leaky"):
        out = torch.relu(leaves[0]) if what.startswith("relu") else torch.nn.functional.leaky_relu(leaves[0], 0.1)
    elif what.startswith("sqrt"):
        out = torch.sqrt(leaves[0])
    else:
        out = build(*leaves)
    out.backward()
    assert (out.item(), [leaf.grad.item() for leaf in leaves]) == (value, grads)


def test_clip_passes_the_gradient_at_its_ends_as_pytorch():
    t = Tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
    y = t.clip(-1.0, 1.0)
    y.sum().backward()
    assert y.data.tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]
    assert t.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    torch = pytest.importorskip("torch")
    u = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.clamp(u, -1.0, 1.0).sum().backward()
    assert u.grad.tolist() == t.grad.tolist()


def test_clip_with_one_side_open():
    t = Tensor([-3.0, 3.0])
    assert t.clip(lo=0.0).data.tolist() == [0.0, 3.0]
    assert t.clip(hi=0.0).data.tolist() == [-3.0, 0.0]
    with pytest.raises(ValueError, match="lo <= hi"):
        t.clip(1.0, -1.0)


def test_zero_base_warns_only_where_the_value_itself_is_infinite():
    y = Value(0.5, label="y")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = 0.0**y  # the base's slope 0.5·0^-0.5 is inf, but nobody asked: no warning
        f.backward()
    assert (f.data, y.grad) == (0.0, 0.0)
    with pytest.warns(NumericWarning, match="divides by zero"):
        g = Value(0.0) ** Value(-1.0)  # the value is inf: that is worth a warning
    assert g.data == math.inf


def test_number_and_tensor_exponents():
    t = Tensor([1.0, 2.0], label="t")
    y = 2.0**t
    (y.sum()).backward()
    np.testing.assert_allclose(y.data, [2.0, 4.0])
    np.testing.assert_allclose(t.grad, [2.0 * math.log(2.0), 4.0 * math.log(2.0)])
    u = Tensor([3.0, 0.5], label="u")
    z = (t**u).sum()
    z.backward()
    np.testing.assert_allclose(t.grad, [3.0, 0.5 * 2.0**-0.5])
    np.testing.assert_allclose(u.grad, [0.0, 2.0**0.5 * math.log(2.0)])
    assert (t ** np.array([2.0, 2.0])).op == "powv" and (t**2).op == "pow"


def test_sum_and_mean_of_a_single_number_along_its_axis():
    for axis in (0, -1, (0,)):
        x = Tensor(3.0, label="x")
        y = x.sum(axis) * x.mean(axis)
        y.backward()
        assert (y.item(), x.grad.item()) == (9.0, 6.0)
    with pytest.raises(ValueError, match="out of range"):
        Tensor(3.0).sum(1)


def test_new_value_methods_compute_what_they_say():
    x = Value(0.5)
    assert x.sin().data == math.sin(0.5) and x.cos().data == math.cos(0.5) and x.sqrt().data == math.sqrt(0.5)
    with pytest.warns(NumericWarning, match="negative"):
        assert math.isnan(Value(-1.0).sqrt().data)
    with pytest.warns(NumericWarning, match="nan"):
        assert math.isnan(Value(math.inf).sin().data)
    assert Value(2.0).max(5).data == 5.0 and Value(2.0).min(5).data == 2.0
