"""PathView on graphs of tensors: each path's share of the gradient (its VJPs applied from the output back) adds up
to the gradient, the kit's own and PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_widgets import PathView, Tensor, nn
from backprop_widgets.engine.paths import multiplications, paths


def shares(view: PathView, name: str) -> np.ndarray:
    view.choice.value = name
    assert len(view.paths) == view.count  # every path listed: their sum is the whole gradient
    return sum(path.product for path in view.paths)


def test_a_kit_tensor_networks_paths_add_up_to_its_gradients():
    net = nn.MLP([3, 4, 2], activation="tanh", output_activation=None, rng=0)
    x = np.random.default_rng(1).normal(size=(5, 3))
    loss = nn.cross_entropy(net(x), [0, 1, 1, 0, 1])
    view = PathView(loss)
    assert view.tensors and set(view.inputs) == {"W1", "b1", "W2", "b2"}  # the data x is no start: a constant
    for name, tensor in view.inputs.items():
        np.testing.assert_allclose(shares(view, name), tensor.grad, rtol=0, atol=1e-12)
    assert "VJPs along it" in view.table.value and "its share of the gradient" in view.table.value


def test_a_tensor_used_three_times_has_paths_whose_shares_add_up():
    w = Tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), label="w")
    x = Tensor(np.array([[1.0, 2.0]]), label="x", constant=True)
    h = x @ w
    h.label = "h"
    loss = ((h @ w).tanh() * h + h).sum()
    loss.label = "L"
    found = paths(loss, w)
    assert len(found) == 4 and sorted(len(p.nodes) for p in found) == [4, 5, 6, 7]
    loss.backward()
    np.testing.assert_allclose(sum(p.product for p in found), w.grad, rtol=0, atol=1e-12)
    cost = multiplications(loss, w)
    assert cost["vjps_by_paths"] == sum(len(p.nodes) - 1 for p in found) > cost["by_backprop"]
    view = PathView(loss, wrt=w)
    assert "The 4 paths share their edges near L" in view.table.value
    assert "w → h → @ → tanh → × → + → L" in view.table.value


torch = pytest.importorskip("torch")


def test_a_torch_mlps_paths_add_up_to_torchs_own_gradients():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 4)).double()
    x = torch.randn(6, 3, dtype=torch.float64)
    loss = torch.nn.functional.cross_entropy(net(x), torch.tensor([0, 1, 3, 2, 1, 0]))
    view = PathView(loss, model=net)
    assert list(view.inputs) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    want = dict(
        zip(
            view.inputs,
            torch.autograd.grad(loss, [net[0].bias, net[0].weight, net[2].bias, net[2].weight], retain_graph=True),
            strict=True,
        )
    )
    for name in view.inputs:
        np.testing.assert_allclose(shares(view, name), want[name].numpy(), rtol=0, atol=1e-10)
    view.choice.value = "0.bias"
    assert "0.bias → @ + → relu → @ + → logsm → f" in view.table.value
    assert "With a single path from 0.bias to f there is nothing to reuse" in view.table.value
    assert all(p.grad is None for p in net.parameters())  # PyTorch's .grad untouched
    loss.backward()  # and the graph still there


def test_a_torch_tensor_used_three_times_has_three_paths_summing_to_torchs_gradient():
    torch.manual_seed(1)
    w = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
    a = torch.randn(2, 3, dtype=torch.float64)
    y = (a @ w * torch.tanh(a @ w) + a.sum() * w.sum()).sum()
    view = PathView(y, wrt=w)
    want = torch.autograd.grad(y, w, retain_graph=True)[0].numpy()
    assert view.count == 3
    np.testing.assert_allclose(sum(p.product for p in view.paths), want, rtol=0, atol=1e-10)
    assert all(not np.allclose(p.product, want) for p in view.paths)  # each path only a share
