"""PyTorch's backward graph in a real JupyterLab: a torch MLP stepped folded by layer, and the lockstep view."""

import os
import re
from pathlib import Path

import pytest

from .graph_dom import eventually, wait_until_laid_out

pytest.importorskip("torch")

MLP = """\
import numpy as np
import torch
from backprop_widgets import BackwardStepper, Lockstep, Tensor
torch.manual_seed(0)
net = torch.nn.Sequential(
    torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
).double()
loss = torch.nn.functional.cross_entropy(net(torch.randn(5, 4, dtype=torch.float64)), torch.tensor([0, 1, 2, 1, 0]))
stepper = BackwardStepper(loss, model=net)
stepper.view.fold("0", "2", "4")
for _ in range(3):
    stepper.step()
stepper
"""

LOCKSTEP = """\
def two_layers(x, y, W1, b1, W2, b2, tanh):
    h = tanh(x @ W1 + b1)
    return ((h @ W2 + b2 - y) ** 2).mean()

rng = np.random.default_rng(0)
x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
weights = {"W1": rng.normal(size=(3, 4)), "b1": np.zeros(4), "W2": rng.normal(size=(4, 2)), "b2": np.zeros(2)}
kit_loss = two_layers(x, y, *[Tensor(w, label=k) for k, w in weights.items()], tanh=lambda t: t.tanh())
torch_loss = two_layers(torch.tensor(x), torch.tensor(y), *[torch.tensor(w, requires_grad=True) for w in weights.values()], tanh=torch.tanh)
view = Lockstep(kit_loss, torch_loss)
for _ in range(5):
    view.step()
view
"""


def shot_dir(lab) -> Path:
    named = os.environ.get("BPW_SHOT_DIR")  # where a person wants the pictures, to look at them
    return Path(named) if named else lab.artifact_dir


@pytest.mark.browser
def test_a_torch_mlp_steps_folded_by_layer_and_the_lockstep_view_shows_both(lab):
    from playwright.sync_api import expect

    notebook = lab.open(lab.write_notebook("torch.ipynb", [MLP, LOCKSTEP]))
    size = notebook.page.viewport_size
    notebook.page.set_viewport_size({"width": 1700, "height": 1100})  # wide enough to read the pictures
    result = notebook.run_all()
    assert not result.problems and not result.unexecuted, result
    wait_until_laid_out(notebook.panel)

    stepper = notebook.panel.locator(".bpw-stepper").first
    picture = stepper.locator(".bpw-picture")
    eventually(lambda: picture.locator("svg g.folded").count(), lambda n: n == 3, what="three layer boxes")
    expect(stepper.get_by_text(re.compile(r"^step 3 of \d+$"))).to_be_visible(timeout=30_000)
    expect(stepper.locator(".bpw-panel")).to_contain_text("AddmmBackward0", timeout=30_000)
    stepper.scroll_into_view_if_needed()
    stepper.get_by_role("button", name="Fit").click()
    stepper.screenshot(path=str(shot_dir(lab) / "torch-mlp.png"))

    lockstep = notebook.panel.locator(".bpw-lockstep").first
    expect(lockstep).to_contain_text("step 5 of 11", timeout=30_000)
    expect(lockstep).to_contain_text("the same contribution")
    assert lockstep.locator(".bpw-stepper").count() == 2
    eventually(lambda: lockstep.locator(".bpw-picture svg").count(), lambda n: n == 2, what="both pictures")
    lockstep.scroll_into_view_if_needed()
    lockstep.screenshot(path=str(shot_dir(lab) / "torch-lockstep.png"))
    notebook.page.set_viewport_size(size)
