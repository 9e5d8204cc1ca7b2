"""PyTorch's own backward graph, stepped by the kit: every gradient equals torch.autograd.grad, the user's graph intact."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from backprop_widgets import BackwardStepper, draw  # noqa: E402
from backprop_widgets.engine import topological_order  # noqa: E402
from backprop_widgets.engine.groups import group_of  # noqa: E402
from backprop_widgets.engine.torch_graph import TorchGraphError, TorchNode, torch_graph  # noqa: E402

nn, F = torch.nn, torch.nn.functional


def stepped(loss, **options):
    stepper = BackwardStepper(loss, **options)
    stepper.run()
    return stepper


def assert_same_as_torch(stepper, loss, tensors):
    expected = torch.autograd.grad(loss, tensors, retain_graph=True)
    grads = stepper.walk.grads()
    for tensor, want in zip(tensors, expected, strict=True):
        np.testing.assert_allclose(grads[tensor], want.numpy(), rtol=0, atol=1e-10)


@pytest.fixture
def mlp():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 4)).double()
    x = torch.randn(6, 3, dtype=torch.float64)
    target = torch.tensor([0, 1, 3, 2, 1, 0])
    return net, F.cross_entropy(net(x), target)


def test_an_mlp_with_cross_entropy_steps_to_torchs_gradients(mlp):
    net, loss = mlp
    stepper = stepped(loss, model=net)
    assert stepper.walk.done and len(stepper.walk) == 10
    assert_same_as_torch(stepper, loss, list(net.parameters()))
    ops = [n.op for n in stepper.walk.order if n.op]
    assert ops == [
        "TBackward0",
        "AddmmBackward0",
        "ReluBackward0",
        "TBackward0",
        "AddmmBackward0",
        "LogSoftmaxBackward0",
        "NllLossBackward0",
    ]


def test_each_contribution_is_torchs_own_call_of_the_node(mlp):
    net, loss = mlp
    stepper = BackwardStepper(loss)
    stepper.step()
    step = stepper.walk.current
    with torch.no_grad():
        want = loss.grad_fn(torch.ones((), dtype=torch.float64))
    assert step.node.op == "NllLossBackward0" and np.array_equal(step.contribution, want.numpy())
    assert "saved self = 6×4" in step.local_grad.text  # the log-probabilities its gradient is made of


def test_a_small_conv_net():
    torch.manual_seed(1)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3)).double()
    x = torch.randn(2, 1, 6, 6, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(net(x), torch.tensor([2, 0]))
    stepper = stepped(loss, model=net)
    assert_same_as_torch(stepper, loss, [x, *net.parameters()])
    ops = {n.op for n in stepper.walk.order}
    assert {"ConvolutionBackward0", "MaxPool2DWithIndicesBackward0", "ViewBackward0"} <= ops


def test_a_tensor_used_three_times_receives_three_contributions():
    w = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64, requires_grad=True)
    loss = (w * w).sum() + w.exp().sum()
    stepper = stepped(loss)
    assert_same_as_torch(stepper, loss, [w])
    leaf = next(n for n in stepper.walk.order if n.student is w)
    assert stepper.walk.grad_state(leaf).expected == 3


def test_an_op_with_two_outputs_is_one_node_per_output():
    x = torch.tensor([1.0, -2.0, 3.0, 0.5], dtype=torch.float64, requires_grad=True)
    a, b = x.split(2)
    loss = (a * 3).sum() + (b**2).sum()
    stepper = stepped(loss)
    assert_same_as_torch(stepper, loss, [x])
    splits = [n for n in stepper.walk.order if n.op == "SplitBackward0"]
    assert sorted(n.slot for n in splits) == [0, 1] and all(n.parents[0].student is x for n in splits)


class Cube(torch.autograd.Function):
    """x³ with its own backward, and a constant argument (no gradient) beside the tensor."""

    @staticmethod
    def forward(ctx, t, scale):
        ctx.save_for_backward(t)
        ctx.scale = scale
        return scale * t**3

    @staticmethod
    def backward(ctx, upstream):
        (t,) = ctx.saved_tensors
        return ctx.scale * 3 * t**2 * upstream, None


def test_a_custom_autograd_function_steps_by_its_name():
    x = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
    loss = Cube.apply(x, 2.0).tanh().sum()
    stepper = stepped(loss)
    assert_same_as_torch(stepper, loss, [x])
    cube = next(n for n in stepper.walk.order if n.op == "CubeBackward")
    assert "no words" in TorchNode.ops["CubeBackward"].rule
    assert "saved_tensors[0] = 3 [1, -2, 0.5]" in cube.local_grads()[0].text


def test_parameters_are_named_as_the_model_names_them_and_grouped_by_module():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(2, 3), nn.Linear(3, 1)

        def forward(self, x):
            return self.fc2(torch.tanh(self.fc1(x)))

    net = Net().double()
    loss = net(torch.ones(4, 2, dtype=torch.float64)).pow(2).mean()
    root = torch_graph(loss, model=net)
    order = topological_order(root)
    labels = {n.label for n in order if not n.parents}
    assert labels == {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
    by_op = {(n.op, group_of(n)) for n in order if n.op in ("AddmmBackward0", "TanhBackward0")}
    # torch.tanh called in forward belongs to no module: it stays outside the boxes
    assert by_op == {
        ("AddmmBackward0", ("fc1 (Linear)",)),
        ("AddmmBackward0", ("fc2 (Linear)",)),
        ("TanhBackward0", ()),
    }
    unnamed = topological_order(torch_graph(loss))  # without model=: the same graph, no names, no groups
    assert [n.op for n in unnamed] == [n.op for n in order] and not any(n.label for n in unnamed)


def test_a_big_model_opens_folded_by_layer():
    torch.manual_seed(2)
    layers = [m for _ in range(40) for m in (nn.Linear(8, 8), nn.Tanh())]
    net = nn.Sequential(*layers).double()
    loss = net(torch.randn(2, 8, dtype=torch.float64)).sum()
    picture = draw(loss, model=net)
    assert len(picture._plan.order) > 200
    kinds = ("Linear", "Tanh")
    assert picture._plan.folded == frozenset((f"{k} ({kinds[k % 2]})",) for k in range(80))


def test_modules_without_parameters_are_groups_of_their_own_between_the_layers():
    torch.manual_seed(4)
    net = nn.Sequential(
        nn.Linear(3, 5), nn.ReLU(), nn.Dropout(0.5), nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 2), nn.Identity()
    ).double()
    loss = F.cross_entropy(net(torch.randn(6, 3, dtype=torch.float64)), torch.tensor([0, 1, 1, 0, 1, 0]))
    order = topological_order(torch_graph(loss, model=net))
    grouped = [(n.op or n.label, group_of(n)) for n in order if n.parents]
    assert grouped == [
        ("TBackward0", ("0 (Linear)",)),
        ("AddmmBackward0", ("0 (Linear)",)),
        ("ReluBackward0", ("1 (ReLU)",)),
        ("MulBackward0", ("2 (Dropout)",)),  # dropout in training: a multiplication by the scaled mask
        ("TBackward0", ("3 (Linear)",)),
        ("AddmmBackward0", ("3 (Linear)",)),
        ("TanhBackward0", ("4 (Tanh)",)),
        ("TBackward0", ("5 (Linear)",)),
        ("AddmmBackward0", ("5 (Linear)",)),
        ("LogSoftmaxBackward0", ()),  # F.cross_entropy: a function, no module's
        ("NllLossBackward0", ()),
    ]
    stepper = stepped(loss, model=net)
    assert_same_as_torch(stepper, loss, list(net.parameters()))


def test_stepping_leaves_the_users_graph_and_torchs_state_as_they_were(mlp):
    net, loss = mlp
    want = torch.autograd.grad(loss, list(net.parameters()), retain_graph=True)
    grad_mode, dtype = torch.is_grad_enabled(), torch.get_default_dtype()
    stepper = stepped(loss, model=net)
    stepper.reset()
    stepper.run()
    draw(loss, model=net)
    assert all(p.grad is None for p in net.parameters())  # the kit never touches .grad
    loss.backward()  # the saved tensors are all there: calling a grad_fn does not free them
    for p, w in zip(net.parameters(), want, strict=True):
        assert torch.equal(p.grad, w)
    assert (torch.is_grad_enabled(), torch.get_default_dtype()) == (grad_mode, dtype)


def test_a_float32_model_steps_too():
    torch.manual_seed(3)
    net = nn.Linear(3, 2)
    loss = net(torch.randn(5, 3)).relu().sum()
    stepper = stepped(loss, model=net)
    want = torch.autograd.grad(loss, list(net.parameters()), retain_graph=True)
    for p, w in zip(net.parameters(), want, strict=True):
        np.testing.assert_allclose(stepper.walk.grads()[p], w.numpy(), rtol=1e-6)


# ---- refusals, each a sentence ------------------------------------------------------------------


def test_a_tensor_without_grad_fn_is_refused():
    leaf = torch.ones(3, requires_grad=True)
    with pytest.raises(TorchGraphError, match="no grad_fn.*a leaf"):
        draw(leaf)
    with torch.no_grad():
        made = leaf * 2
    with pytest.raises(TorchGraphError, match="no grad_fn.*no_grad"):
        BackwardStepper(made)


def test_a_freed_graph_says_to_keep_it_or_recompute(mlp):
    _, loss = mlp
    loss.backward()
    with pytest.raises(TorchGraphError, match="retain_graph=True.*compute the loss again"):
        BackwardStepper(loss)


def test_a_freed_graph_without_saved_tensors_is_still_stepped():
    x = torch.ones(3, requires_grad=True)
    loss = (x + 1).sum()  # nothing saved: nothing to free
    loss.backward()
    np.testing.assert_array_equal(stepped(loss).walk.grads()[x], np.ones(3))


def test_complex_and_sparse_tensors_and_double_backward_are_refused():
    z = torch.ones(2, dtype=torch.complex128, requires_grad=True)
    with pytest.raises(TorchGraphError, match="complex"):
        draw((z * z).abs().sum())
    s = torch.eye(2).to_sparse().requires_grad_()
    with pytest.raises(TorchGraphError, match="sparse"):
        draw(torch.sparse.sum(s * 2))
    logits = torch.randn(3, 4, requires_grad=True)
    (g,) = torch.autograd.grad(F.cross_entropy(logits, torch.tensor([0, 1, 2])), logits, create_graph=True)
    with pytest.raises(TorchGraphError, match="double backward"):
        draw((g * g).sum())


def test_a_gradient_made_of_ordinary_ops_is_stepped_as_the_function_it_is():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad((x**3).sum(), x, create_graph=True)  # 3x², built of pow and mul nodes
    loss = g.sum()
    assert_same_as_torch(stepped(loss), loss, [x])


def test_forward_mode_is_refused_in_a_sentence(mlp):
    _, loss = mlp
    root = torch_graph(loss)
    with pytest.raises(TorchGraphError, match="forward mode"):
        root.local_grads()[0].jvp(np.ones(()))


def test_a_value_pytorch_did_not_keep_is_never_drawn_as_a_number():
    torch.manual_seed(1)
    w = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
    a = torch.randn(2, 3, dtype=torch.float64)
    y = (a @ w * torch.tanh(a @ w) + a.sum() * w.sum()).sum()  # tanh keeps its output, not its input
    picture = draw(y)
    lost = {n.op: picture.texts(n)["data"] for n in topological_order(picture.root) if getattr(n.data, "not_kept", 0)}
    assert lost["SumBackward0"] == "(not kept)"  # w.sum(): the product with a constant keeps only the constant
    assert lost["MmBackward0"] == "[–, –, –, –, –, –]"  # a grid of dashes, not of zeros
    svg = picture.svg
    assert "2×3 (value not kept)" in svg and ">(not kept)<" in svg
