"""PyTorch's backward graph in a real JupyterLab: a torch MLP stepped folded by layer, and the lockstep view,
at a laptop's and a desktop's window size, each picture whole with its text at 10 px or more as it opens.

Set BPW_SHOT_DIR to a folder to keep the screenshots (torch-mlp-1366x768.png, torch-lockstep-1920x1080.png, ...).
"""

import os
import re
from pathlib import Path

import pytest

from .conftest import SIZES
from .graph_dom import cell_texts, eventually, wait_until_laid_out
from .test_pictures_fit_in_lab import MEASURE_JS, READABLE_PX, ROUNDING_PX

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
stepper.view.fold(*stepper.view.groups())  # every module one box: 0 (Linear), 1 (ReLU), ...
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


def window_shot(lab, notebook, widget, name: str) -> None:
    """The window as a student sees it with ``widget`` scrolled to the top, and again at its bottom if taller."""
    widget.evaluate("e => e.scrollIntoView({block: 'start'})")
    notebook.page.wait_for_timeout(200)
    notebook.page.screenshot(path=str(shot_dir(lab) / f"{name}.png"))
    if widget.bounding_box()["height"] > notebook.page.viewport_size["height"] * 0.8:
        widget.evaluate("e => e.scrollIntoView({block: 'end'})")
        notebook.page.wait_for_timeout(200)
        notebook.page.screenshot(path=str(shot_dir(lab) / f"{name}-end.png"))


@pytest.mark.browser
@pytest.mark.parametrize("window", list(SIZES), indirect=True)
def test_a_torch_mlp_steps_folded_by_layer_and_the_lockstep_view_shows_both(lab, window):
    from playwright.sync_api import expect

    notebook = lab.run(f"torch-{window}.ipynb", [MLP, LOCKSTEP])
    wait_until_laid_out(notebook.panel)
    notebook.page.wait_for_timeout(300)  # the stage's resize observer has settled

    stepper = notebook.panel.locator(".bpw-stepper").first
    picture = stepper.locator(".bpw-picture")
    # five modules, five boxes: the three Linear layers and the two ReLUs between them
    eventually(lambda: picture.locator(".bpw-stage svg g.folded").count(), lambda n: n == 5, what="five module boxes")
    expect(picture.locator(".bpw-stage svg")).to_contain_text("1 (ReLU)")
    expect(stepper.get_by_text(re.compile(r"^step 3 of \d+$"))).to_be_visible(timeout=30_000)
    expect(stepper.locator(".bpw-panel")).to_contain_text("4 (Linear)", timeout=30_000)
    cells = cell_texts(picture, "g.folded")
    assert cells and not [cell for cell in cells if cell["squeezed"]], cells  # a box's arrays fit, never squeezed
    window_shot(lab, notebook, stepper, f"torch-mlp-{window}")

    lockstep = notebook.panel.locator(".bpw-lockstep").first
    expect(lockstep).to_contain_text("step 5 of 11", timeout=30_000)
    expect(lockstep).to_contain_text("the same contribution")
    assert lockstep.locator(".bpw-stepper").count() == 2
    eventually(lambda: lockstep.locator(".bpw-picture .bpw-stage svg").count(), lambda n: n == 2, what="both pictures")
    window_shot(lab, notebook, lockstep, f"torch-lockstep-{window}")

    problems = []
    for measured in notebook.panel.evaluate(MEASURE_JS):
        name = f"picture {measured['number']} ({measured['title'][:60]})"
        if measured["smallest"] < READABLE_PX - ROUNDING_PX:
            problems.append(f"{name}: smallest text {measured['smallest']} px ({measured['smallestText']!r})")
        if (measured["note"] or measured["outside"]) and not measured["over"]:
            problems.append(f"{name}: opens in part ({measured['outside']} labels outside, note {measured['note']!r})")
    assert not problems, "\n".join(problems)


PATHS = """\
import torch
from backprop_widgets import PathView
torch.manual_seed(1)
w = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
a = torch.randn(2, 3, dtype=torch.float64)
y = (a @ w * torch.tanh(a @ w) + a.sum() * w.sum()).sum()
PathView(y, wrt=w)
"""


@pytest.mark.browser
@pytest.mark.parametrize("window", ["1366x768"], indirect=True)
def test_path_view_lists_a_torch_tensors_paths_with_their_shares(lab, window):
    from playwright.sync_api import expect

    notebook = lab.run(f"torch-paths-{window}.ipynb", [PATHS])
    wait_until_laid_out(notebook.panel)
    view = notebook.panel.locator(".bpw-path-view").first
    expect(view).to_contain_text("3 paths", timeout=30_000)
    expect(view).to_contain_text("its share of the gradient")
    expect(view).to_contain_text("The 3 paths share their edges near f")
    window_shot(lab, notebook, view, f"torch-pathview-{window}")
    [measured] = notebook.panel.evaluate(MEASURE_JS)
    assert measured["smallest"] >= READABLE_PX - ROUNDING_PX, measured
