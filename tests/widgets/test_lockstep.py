"""Lockstep: the kit's Tensor network and the same network in PyTorch, stepped together, the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from backprop_widgets import Lockstep, Tensor  # noqa: E402


def two_layers(x, y, W1, b1, W2, b2, tanh):
    """One network, written once: the kit's Tensors or torch's tensors go in."""
    h = tanh(x @ W1 + b1)
    return ((h @ W2 + b2 - y) ** 2).mean()


def both(seed=0):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    weights = {"W1": rng.normal(size=(3, 4)), "b1": np.zeros(4), "W2": rng.normal(size=(4, 2)), "b2": np.zeros(2)}
    kit = [Tensor(w, label=name) for name, w in weights.items()]
    ours = [torch.tensor(w, requires_grad=True) for w in weights.values()]
    kit_loss = two_layers(x, y, *kit, tanh=lambda t: t.tanh())
    torch_loss = two_layers(torch.tensor(x), torch.tensor(y), *ours, tanh=torch.tanh)
    return kit, ours, kit_loss, torch_loss


def test_one_step_button_moves_both_and_every_step_agrees():
    kit, ours, kit_loss, torch_loss = both()
    view = Lockstep(kit_loss, torch_loss)
    assert repr(view) == "Lockstep(step 0 of 11)"
    view.step_button.click()
    assert view.kit.walk.position == view.torch.walk.position == 1
    assert "mean in the kit, MeanBackward0 in PyTorch: the same contribution" in view.verdict.value
    view.run_button.click()
    assert max(view.differences()) < 1e-12
    pairs = [
        (a.node.op, b.node.op, a.parent.label, b.parent.label)
        for a, b in zip(view.kit.walk.steps, view.torch.walk.steps, strict=True)
    ]
    assert pairs[4] == ("add", "AddBackward0", "b2", "b2")  # PyTorch's leaves take the kit's names
    grads = view.torch.walk.grads()
    for kit_w, torch_w in zip(kit, ours, strict=True):
        np.testing.assert_allclose(grads[torch_w], view.kit.walk.grads()[kit_w], rtol=0, atol=1e-12)
    view.back_button.click()
    view.reset_button.click()
    assert view.kit.walk.position == view.torch.walk.position == 0


def test_graphs_that_take_different_steps_are_refused_with_both_op_lists():
    _, _, kit_loss, _ = both()
    w = torch.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="different steps.*Write both with the same ops"):
        Lockstep(kit_loss, (w * 2).sum())


def test_both_pictures_show_the_gradient_each_step_reaches():
    _, _, kit_loss, torch_loss = both()
    view = Lockstep(kit_loss, torch_loss)
    for _ in range(5):
        view.step()
    shown = []
    for side in (view.kit, view.torch):
        b2 = next(n for n in side.walk.order if n.label == "b2")
        shown.append(side.view.texts(b2)["grad"])
    assert shown == ["[0.4, 0.106]"] * 2  # b2.grad, entry by entry at 3 significant digits


def test_the_halves_stack_in_a_narrow_cell_and_are_never_folded_to_fit_only_windowed():
    _, _, kit_loss, torch_loss = both()
    view = Lockstep(kit_loss, torch_loss)
    sides = view.children[1]
    assert sides.layout.flex_flow == "row wrap"  # side by side where two halves fit, else one above the other
    assert all(half.layout.flex.endswith(" 560px") for half in sides.children)
    for side in (view.kit, view.torch):  # a folded group would be one step on one side only
        total = side.total
        assert not side.view.fold_to_fit and side.view.fit().fitted == "windowed" and not side.view.folded
        assert side.total == total  # W1's 3 rows drawn as 2 and ⋮: the same steps
