"""The rows for many classes (softmax, log softmax, max, var, indexing, cross-entropy, batch and layer norm):
against PyTorch in float64, their JVPs against their VJPs, their edge cases, and their errors in the student's terms.

``CLASS_CASES`` joins ``test_tensor_ops.CASES``, so every row is also checked against central differences there.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Tensor
from backprop_widgets.engine import TENSOR_OPS, gradcheck
from backprop_widgets.engine.tensor_ops import Index
from backprop_widgets.nn import BatchNorm1d, LayerNorm, batch_norm, cross_entropy, layer_norm

RNG = np.random.default_rng(24)
LABELS = np.array([2, 0, 1, 1, 0])

CLASS_CASES = {
    "softmax": [
        ([RNG.normal(size=(4, 3))], {}),
        ([RNG.normal(size=(4, 3))], {"axis": 0}),
        ([RNG.normal(size=(5,))], {}),
    ],
    "log_softmax": [([RNG.normal(size=(4, 3))], {}), ([RNG.normal(size=(2, 3, 4))], {"axis": 1})],
    "amax": [  # distinct entries: a max is smooth away from its ties
        ([RNG.permutation(12).reshape(3, 4) * 0.5], {}),
        ([RNG.permutation(12).reshape(3, 4) * 0.5], {"axis": 1}),
        ([RNG.permutation(12).reshape(3, 4) * 0.5], {"axis": 0, "keepdims": True}),
    ],
    "var": [
        ([RNG.normal(size=(4, 3))], {}),
        ([RNG.normal(size=(4, 3))], {"axis": 0}),
        ([RNG.normal(size=(2, 3, 4))], {"axis": (0, 2), "keepdims": True}),
    ],
    "index": [
        ([RNG.normal(size=(5, 3))], {"key": Index((np.arange(5), LABELS))}),
        ([RNG.normal(size=(5, 3))], {"key": Index((slice(1, 4), slice(None)))}),
        ([RNG.normal(size=(4,))], {"key": Index(np.array([0, 2, 0, 0, 3]))}),  # repeated indices
        ([RNG.normal(size=(3, 4))], {"key": Index(1)}),
    ],
    "cross_entropy": [([RNG.normal(scale=2, size=(5, 3))], {"labels": LABELS})],
    "batch_norm": [([RNG.normal(size=(6, 3)), RNG.normal(size=(3,)), RNG.normal(size=(3,))], {"eps": 1e-5})],
    "layer_norm": [
        ([RNG.normal(size=(4, 5)), RNG.normal(size=(5,)), RNG.normal(size=(5,))], {"eps": 1e-5}),
        ([RNG.normal(size=(2, 3, 4)), RNG.normal(size=(4,)), RNG.normal(size=(4,))], {"eps": 0.1}),
    ],
}


# ---- against PyTorch, float64, to 1e-6 relative --------------------------------------------------


def _torch_cases():
    """(name, our function of Tensors, torch's function of tensors, inputs)."""
    x = RNG.normal(size=(6, 4))
    g, b = RNG.normal(size=(4,)), RNG.normal(size=(4,))
    y = np.array([3, 0, 1, 1, 2, 3])
    return [
        ("softmax", lambda t: t.softmax(), lambda t: t.softmax(-1), [x]),
        ("softmax axis 0", lambda t: t.softmax(axis=0), lambda t: t.softmax(0), [x]),
        ("log_softmax", lambda t: t.log_softmax(), lambda t: t.log_softmax(-1), [x]),
        ("max", lambda t: t.max(), lambda t: t.amax(), [x]),
        ("max axis 1", lambda t: t.max(axis=1), lambda t: t.amax(1), [x]),
        ("max with ties", lambda t: t.max(axis=1, keepdims=True), lambda t: t.amax(1, keepdim=True),
         [np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [0.0, -1.0, 0.0]])]),
        ("var", lambda t: t.var(), lambda t: t.var(unbiased=False), [x]),
        ("var axis 0", lambda t: t.var(axis=0), lambda t: t.var(0, unbiased=False), [x]),
        ("index pick", lambda t: t[np.arange(6), y], lambda t: t[np.arange(6), y], [x]),
        ("index repeated", lambda t: t[[0, 2, 0, 5, 0]], lambda t: t[[0, 2, 0, 5, 0]], [x]),
        ("index slices", lambda t: t[1:5:2, ::-1][:, 1:], lambda t: t[1:5:2].flip(1)[:, 1:], [x]),
        ("cross_entropy", lambda t: cross_entropy(t, y), lambda t: _F().cross_entropy(t, _torch().tensor(y)), [x]),
        ("cross_entropy opened", lambda t: cross_entropy(t, y, fused=False),
         lambda t: _F().cross_entropy(t, _torch().tensor(y)), [x]),
        ("batch_norm", lambda t, g, b: batch_norm(t, g, b),
         lambda t, g, b: _F().batch_norm(t, None, None, g, b, training=True, eps=1e-5), [x, g, b]),
        ("batch_norm opened", lambda t, g, b: batch_norm(t, g, b, fused=False),
         lambda t, g, b: _F().batch_norm(t, None, None, g, b, training=True, eps=1e-5), [x, g, b]),
        ("layer_norm", lambda t, g, b: layer_norm(t, g, b),
         lambda t, g, b: _F().layer_norm(t, (4,), g, b, eps=1e-5), [x, g, b]),
        ("layer_norm opened", lambda t, g, b: layer_norm(t, g, b, fused=False),
         lambda t, g, b: _F().layer_norm(t, (4,), g, b, eps=1e-5), [x, g, b]),
    ]  # fmt: skip


def _torch():
    return pytest.importorskip("torch")


def _F():
    return _torch().nn.functional


@pytest.mark.parametrize("name, ours, theirs, inputs", _torch_cases(), ids=[c[0] for c in _torch_cases()])
def test_values_and_gradients_agree_with_pytorch_in_float64(name, ours, theirs, inputs):
    torch = _torch()
    upstream_seed = np.random.default_rng(5)
    mine = [Tensor(x) for x in inputs]
    out = ours(*mine)
    upstream = upstream_seed.normal(size=out.shape)
    (out * upstream).sum().backward()
    theirs_in = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    their_out = theirs(*theirs_in)
    (their_out * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(out.data, their_out.detach().numpy(), rtol=1e-6, atol=1e-12, err_msg=name)
    for t, u in zip(mine, theirs_in, strict=True):
        np.testing.assert_allclose(t.grad, u.grad.numpy(), rtol=1e-6, atol=1e-12, err_msg=name)


# ---- forward mode is the transpose of reverse mode, at random shapes --------------------------------


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(
        ["softmax", "log_softmax", "var", "amax", "cross_entropy", "batch_norm", "layer_norm", "index"]
    ),
    rows=st.integers(2, 5),
    cols=st.integers(2, 5),
    seed=st.integers(0, 2**16),
)
def test_jvp_is_the_transpose_of_the_vjp(name, rows, cols, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, cols))
    inputs, params = [x], {}
    if name in ("softmax", "log_softmax"):
        params = {"axis": int(rng.integers(0, 2))}
    elif name in ("var", "amax"):
        params = {"axis": int(rng.integers(0, 2)), "keepdims": bool(rng.integers(0, 2))}
    elif name == "cross_entropy":
        params = {"labels": rng.integers(0, cols, size=rows)}
    elif name in ("batch_norm", "layer_norm"):
        inputs, params = [x, rng.normal(size=cols), rng.normal(size=cols)], {"eps": 1e-5}
    elif name == "index":
        params = {"key": Index((rng.integers(0, rows, size=7), rng.integers(0, cols, size=7)))}
    row = TENSOR_OPS[name]
    out = np.asarray(row.forward(*inputs, **params))
    tangents = [rng.normal(size=a.shape) for a in inputs]
    upstream = rng.normal(size=out.shape)
    pushed = np.asarray(row.jvp(*inputs, *tangents, out=out, **params))
    assert pushed.shape == out.shape
    pulled = [np.asarray(vjp * upstream) for vjp in row.bind(inputs, out, params)]
    forward_side = np.sum(upstream * pushed)
    backward_side = sum(np.sum(g * v) for g, v in zip(pulled, tangents, strict=True))
    assert np.isclose(forward_side, backward_side, rtol=1e-9, atol=1e-12)


# ---- the edge cases the rows' words promise ---------------------------------------------------------------


def test_repeated_indices_add_up_their_gradients():
    t = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    picked = t[[0, 0, 2, 0], [1, 1, 0, 0]]  # (0, 1) twice, (2, 0), (0, 0)
    assert picked.data.tolist() == [2.0, 2.0, 5.0, 1.0]
    (picked * Tensor([1.0, 10.0, 100.0, 1000.0])).sum().backward()
    assert t.grad.tolist() == [[1000.0, 11.0], [0.0, 0.0], [100.0, 0.0]]


def test_softmax_and_log_softmax_stay_finite_at_logits_of_plus_and_minus_1000():
    z = Tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0], [1000.0, 1000.0, 999.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p, lp = z.softmax(), z.log_softmax()
        loss = cross_entropy(z, [1, 0, 2])
        loss.backward()
    assert np.all(np.isfinite(p.data)) and np.all(np.isfinite(lp.data)) and np.isfinite(loss.data)
    assert lp.data[0].tolist() == [0.0, -2000.0, -1000.0]
    np.testing.assert_allclose(p.data[1], [1 / 3] * 3)
    assert np.all(np.isfinite(z.grad))
    np.testing.assert_allclose(float(loss.data), (2000.0 + np.log(3) + (1 + np.log(2 + np.e**-1))) / 3)


def test_log_softmax_at_minus_infinity_is_minus_infinity_with_gradient_zero_as_pytorch():
    z = Tensor([[0.0, -np.inf, 1.0]])
    lp = z.log_softmax()
    assert lp.data[0, 1] == -np.inf and np.isfinite(lp.data[0, [0, 2]]).all()
    lp[0, 0].backward()
    assert z.grad[0, 1] == 0.0


def test_max_shares_the_gradient_among_ties_as_torch_amax():
    t = Tensor([[1.0, 4.0, 4.0, 4.0]])
    t.max().backward()
    np.testing.assert_allclose(t.grad, [[0.0, 1 / 3, 1 / 3, 1 / 3]])


def test_the_fused_cross_entropy_equals_its_opened_pieces():
    z = RNG.normal(scale=3, size=(7, 4))
    y = np.array([0, 3, 1, 2, 2, 0, 3])
    fused, opened = Tensor(z), Tensor(z)
    a, b = cross_entropy(fused, y), cross_entropy(opened, y, fused=False)
    a.backward()
    b.backward()
    assert abs(float(a.data) - float(b.data)) < 1e-12
    np.testing.assert_allclose(fused.grad, opened.grad, rtol=1e-10, atol=1e-15)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(fused.grad, (p - np.eye(4)[y]) / 7, rtol=1e-12)  # (p − y)/n
    ops = [n.op for n in _nodes(b)]
    for piece in ("exp", "sum", "div", "log", "index", "mean", "neg"):
        assert piece in ops


def _slope_computed_again(z, y):
    """(softmax(z) − onehot(y))/n computed from the logits, nothing kept."""
    from backprop_widgets.engine.tensor_ops import _cross_entropy_slope

    return _cross_entropy_slope(z, y)


def test_cross_entropy_s_backward_takes_the_softmax_its_forward_kept_to_the_last_bit():
    from backprop_widgets.engine.tensor_ops import KEPT_SOFTMAX

    z, y = Tensor(RNG.normal(scale=3, size=(6, 4))), np.array([0, 3, 1, 2, 2, 0])
    loss = cross_entropy(z, y)
    kept = KEPT_SOFTMAX.get(z.data, loss.data)
    assert kept is not None and not kept.flags.writeable  # kept, and nobody can change it
    loss.backward()
    np.testing.assert_array_equal(z.grad, _slope_computed_again(z.data, y))
    loss.backward()  # again: the kept softmax was copied, not changed
    np.testing.assert_array_equal(z.grad, _slope_computed_again(z.data, y))


def test_cross_entropy_never_uses_a_stale_softmax():
    from backprop_widgets.engine import evaluate

    y = np.array([2, 0, 1])
    z = Tensor(RNG.normal(size=(3, 3)), label="z")
    loss = cross_entropy(z, y)
    z.data[0, 0] += 5.0  # changed in place after forward: the gradient is the softmax of the logits as they are
    loss.backward()
    np.testing.assert_array_equal(z.grad, _slope_computed_again(z.data, y))
    W = Tensor(RNG.normal(size=(2, 3)), label="W")
    x = Tensor(RNG.normal(size=(3, 2)), label="x")
    first = cross_entropy(x @ W, y)
    second = cross_entropy(x @ W * 2.0, y)  # the last forward kept its own softmax, not the first's
    first.backward()
    np.testing.assert_array_equal(first.parents[0].grad, _slope_computed_again(first.parents[0].data, y))
    second.backward()
    np.testing.assert_array_equal(second.parents[0].grad, _slope_computed_again(second.parents[0].data, y))
    W.data += 1.0  # as a slider moves W: evaluate() runs forward again, and the backward follows it
    evaluate(first)
    first.backward()
    np.testing.assert_array_equal(first.parents[0].grad, _slope_computed_again(first.parents[0].data, y))
    np.testing.assert_allclose(W.grad, x.data.T @ _slope_computed_again(x.data @ W.data, y), rtol=1e-12)


def test_batch_and_layer_norm_fused_equal_opened():
    x, g, bb = RNG.normal(size=(8, 3)), RNG.normal(size=3), RNG.normal(size=3)
    for norm in (batch_norm, layer_norm):
        tensors = [[Tensor(x), Tensor(g), Tensor(bb)] for _ in range(2)]
        up = RNG.normal(size=x.shape)
        outs = [norm(*tensors[0]), norm(*tensors[1], fused=False)]
        for out in outs:
            (out * up).sum().backward()
        np.testing.assert_allclose(outs[0].data, outs[1].data, rtol=1e-10, atol=1e-12)
        for t0, t1 in zip(*tensors, strict=True):
            np.testing.assert_allclose(t0.grad, t1.grad, rtol=1e-8, atol=1e-12)
        assert {"mean", "var", "pow", "mul", "add"} <= {n.op for n in _nodes(outs[1])}


def _nodes(root):
    from backprop_widgets.engine import topological_order

    return topological_order(root)


def test_gradcheck_passes_on_a_softmax_classifier_graph():
    X, y = RNG.normal(size=(6, 2)), np.array([0, 1, 2, 2, 1, 0])
    W1, b1 = Tensor(RNG.normal(size=(2, 5)), label="W1"), Tensor(RNG.normal(size=5) * 0.1, label="b1")
    W2, b2 = Tensor(RNG.normal(size=(5, 3)), label="W2"), Tensor(np.zeros(3), label="b2")
    h = batch_norm(Tensor(X, constant=True) @ W1 + b1, np.ones(5), np.zeros(5)).tanh()
    for loss in (cross_entropy(h @ W2 + b2, y), cross_entropy(h @ W2 + b2, y, fused=False)):
        report = gradcheck(loss)
        assert report.ok, [(r.name, r.rel_error) for r in report if r.verdict != "right"]


def test_the_stepper_and_the_quiz_step_through_the_opened_cross_entropy():
    from backprop_widgets import BackwardStepper

    z = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], label="z")
    loss = cross_entropy(z, [0, 1], fused=False)
    stepper = BackwardStepper(loss)
    stepper.run_button.click()
    p = np.exp(z.data) / np.exp(z.data).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(z.grad, (p - np.eye(3)[[0, 1]]) / 2, atol=1e-12)  # p − y appears at z
    quiz = BackwardStepper(cross_entropy(Tensor(z.data, label="z"), [0, 1]), quiz=True)
    step = quiz._quiz.next_step()
    assert not quiz.answer([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert quiz.answer(np.asarray(step.contribution).tolist())  # the fused node asks for (p − y)/n · upstream
    assert "softmax(z) − onehot(y)" in TENSOR_OPS["cross_entropy"].local[0].text


# ---- errors in the student's terms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels, error, words",
    [
        ([0, 3, 1], ValueError, "label 3 \\(point 1\\) is out of range for 3 classes"),
        ([0, -1, 1], ValueError, "label -1 \\(point 1\\) is out of range for 3 classes"),
        ([0.0, 1.5, 1.0], TypeError, "whole numbers 0 to 2"),
        (np.array([0.0, 1.0, 2.0]), TypeError, "y.astype\\(int\\)"),
        (np.eye(3), ValueError, "one-hot"),
        ([0, 1], ValueError, "3 rows \\(points\\) of 3 classes, so give 3 labels"),
    ],
)
def test_wrong_labels_get_a_clear_error(labels, error, words):
    with pytest.raises(error, match=words):
        cross_entropy(Tensor(np.zeros((3, 3))), labels)


def test_wrong_shapes_get_a_message_naming_the_shapes():
    with pytest.raises(ValueError, match="shape \\(points, classes\\).*shape \\(3,\\).*reshape"):
        cross_entropy(Tensor(np.zeros(3)), [0])
    with pytest.raises(ValueError, match="gamma needs one number per feature, shape \\(3,\\).*\\(4, 3\\).*\\(4,\\)"):
        batch_norm(Tensor(np.zeros((4, 3))), np.ones(4), np.zeros(3))
    with pytest.raises(ValueError, match="at least 2 points"):
        batch_norm(Tensor(np.zeros((1, 3))), np.ones(3), np.zeros(3))
    with pytest.raises(IndexError, match="shape \\(2, 3\\).*out of bounds"):
        Tensor(np.zeros((2, 3)))[[0, 5]]
    with pytest.raises(IndexError, match="whole numbers"):
        Tensor(np.zeros(3))[np.array([0.5])]
    with pytest.raises(ValueError, match="axis 2 is out of range for a tensor with 2 axes"):
        Tensor(np.zeros((2, 3))).softmax(axis=2)


def test_layers_hold_gamma_and_beta_and_train():
    bn, ln = BatchNorm1d(3, name="1"), LayerNorm(3)
    assert [p.label for p in bn.parameters()] == ["γ1", "β1"]
    x = RNG.normal(size=(5, 3))
    (bn(x) * RNG.normal(size=(5, 3))).sum().backward()
    assert bn.gamma.grad.shape == (3,) and np.abs(bn.beta.grad).sum() > 0
    np.testing.assert_allclose(ln(x).data.mean(axis=1), 0.0, atol=1e-12)


def test_the_pictures_titles_show_the_constants():
    assert TENSOR_OPS["index"].title({"key": Index((slice(None), np.array([2, 0, 1, 1, 0])))}) == "[:, [2 0 1 1 …]]"
    assert TENSOR_OPS["amax"].title({"axis": 1}) == "max axis=1"
    assert TENSOR_OPS["softmax"].title({}) == "softmax"


# ---- BatchNorm1d's running statistics, against torch.nn.BatchNorm1d ------------------------------


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batch_norm_layer_keeps_running_statistics_as_pytorch_does(momentum):
    torch = pytest.importorskip("torch")
    ours = BatchNorm1d(4, momentum=momentum)
    theirs = torch.nn.BatchNorm1d(4, momentum=momentum).double()
    rng = np.random.default_rng(7)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(rng.normal(size=4)))
        theirs.bias.copy_(torch.from_numpy(rng.normal(size=4)))
    ours.gamma.data[:] = theirs.weight.detach().numpy()
    ours.beta.data[:] = theirs.bias.detach().numpy()
    for n in (5, 2, 9):  # batches of different sizes: the unbiased variance's n − 1 differs
        x = rng.normal(loc=3.0, scale=2.0, size=(n, 4))
        np.testing.assert_allclose(ours(x).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
    assert ours.num_batches_tracked == int(theirs.num_batches_tracked) == 3
    # eval mode: the running statistics normalise, stay as they are, and one point alone has an answer
    assert ours.eval() is ours and not ours.training
    theirs.eval()
    for x in (rng.normal(size=(6, 4)), rng.normal(size=(1, 4))):
        xt = torch.from_numpy(x).requires_grad_(True)
        out_t = theirs(xt)
        (out_t * torch.arange(4.0, dtype=torch.float64)).sum().backward()
        xs = Tensor(x, label="x")
        out = ours(xs)
        (out * np.arange(4.0)).sum().backward()
        np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(xs.grad, xt.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(ours.gamma.grad, theirs.weight.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(ours.beta.grad, theirs.bias.grad.numpy(), rtol=1e-10)
        theirs.zero_grad()
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)  # eval left them alone
    assert ours.num_batches_tracked == 3
    ours.train()
    ours(rng.normal(size=(3, 4)))
    assert ours.training and ours.num_batches_tracked == 4


def test_batch_norm_layer_in_eval_mode_names_the_shape_it_takes():
    layer = BatchNorm1d(3).eval()
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\) takes x of shape \(points, 3\); got shape \(2, 4\)"):
        layer(np.zeros((2, 4)))


@pytest.mark.parametrize(
    "labels, words",
    [
        (np.array([0, 2**63 + 5, 1], dtype=np.uint64), "label 9223372036854775813 \\(point 1\\) is out of range"),
        (np.array([0, 1, -2], dtype=np.int8), "label -2 \\(point 2\\) is out of range"),
        (np.array([2, 1, 3], dtype=np.int32), "label 3 \\(point 2\\) is out of range"),
    ],
)
def test_labels_of_any_integer_type_are_checked_on_both_sides_in_one_pass(labels, words):
    with pytest.raises(ValueError, match=words):
        cross_entropy(Tensor(np.zeros((3, 3))), labels)
    np.testing.assert_array_equal(  # in range, any integer type gives the same loss and gradient
        cross_entropy(Tensor(np.eye(3)), np.array([2, 0, 1], dtype=labels.dtype)).data,
        cross_entropy(Tensor(np.eye(3)), [2, 0, 1]).data,
    )


def test_cross_entropy_picks_each_row_s_label_from_the_flat_rows():
    from backprop_widgets.engine.tensor_ops import _picked

    z = RNG.normal(size=(7, 5))
    labels = np.array([4, 0, 0, 3, 1, 2, 4])
    np.testing.assert_array_equal(z.reshape(-1)[_picked(labels, 5)], z[np.arange(7), labels])
    logits = Tensor(z)
    cross_entropy(logits, labels).backward()
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    softmax[np.arange(7), labels] -= 1.0
    np.testing.assert_allclose(logits.grad, softmax / 7, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("classes", [2, 3, 6, 11])
def test_cross_entropy_adds_each_point_s_classes_in_order_to_the_last_bit(classes):
    z, y = RNG.normal(scale=3, size=(300, classes)), RNG.integers(0, classes, 300)
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    sums = e[:, 0].copy()
    for k in range(1, classes):  # Σ e^(z − max) over a point's classes, one after the other
        sums += e[:, k]
    logits = Tensor(z)
    loss = cross_entropy(logits, y)
    assert loss.data == (np.log(sums).sum() - shifted[np.arange(300), y].sum()) / 300
    loss.backward()
    p = e / sums[:, np.newaxis]
    p[np.arange(300), y] -= 1.0
    np.testing.assert_array_equal(logits.grad, p * (1.0 / 300))
