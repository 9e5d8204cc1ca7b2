"""PathView and a tensor's picture in a real JupyterLab: fitted and centred, every input offered, readable cells."""

import os
import re
from pathlib import Path

import pytest

from .graph_dom import cell_texts, geometry, inside, wait_until_laid_out

PATHS = """\
from backprop_widgets import PathView
from backprop_widgets.nn.scalar import MLP
net = MLP(2, [4, 4, 1], seed=0)
y = net([0.5, -1.0])
view = PathView(y, net.layers[0].neurons[0].w[0])
view
"""

TENSORS = """\
import numpy as np
from backprop_widgets import Tensor, draw
W = Tensor(np.array([[0.5, -1.25, 2.0], [0.125, 3.5, -0.75]]), label="W")
x = Tensor(np.array([1.0, -2.0, 0.5]), label="x", constant=True)
h = Tensor(np.linspace(-1, 1, 16).reshape(8, 2), label="H")
loss = ((W @ x).tanh().sum() + h.sum()); loss.label = "L"
loss.backward()
draw(loss)
"""

# Where the screenshots a person looks at go (the lead's shots folder, when set).
SHOTS = Path(os.environ.get("BPW_SHOTS", "")) if os.environ.get("BPW_SHOTS") else None


def shot(notebook, locator, name):
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=str(SHOTS / name))


def smallest_number_px(picture) -> float:
    """The height on screen of the smallest number cell text (px)."""
    texts = geometry(picture)["texts"]
    numbers = [t for t in texts if any(c.isdigit() for c in t["text"]) and t["height"] > 0]
    return min(t["height"] for t in numbers)


@pytest.mark.browser
def test_path_view_fits_and_centres_offers_every_input_and_says_why(lab):
    from playwright.sync_api import expect

    notebook = lab.run("paths.ipynb", [PATHS])
    wait_until_laid_out(notebook.panel)
    view = notebook.panel.locator(".bpw-path-view").first
    picture = view.locator(".bpw-picture").first

    # fitted and centred: the whole graph inside the stage, no "out of view" note, equal margins
    place = geometry(picture)
    assert inside(place["graph"], place["stage"]), place
    expect(picture.locator(".bpw-more")).to_have_text("")
    left = place["graph"]["left"] - place["stage"]["left"]
    right = place["stage"]["right"] - place["graph"]["right"]
    assert abs(left - right) <= 0.1 * place["stage"]["width"] + 4, (left, right)
    assert smallest_number_px(picture) >= 9, "numbers too small to read"
    shot(notebook, view, "cells-pathview.png")

    # every input, layer by layer: the network's inputs first
    options = view.locator("select").first.locator("option").all_text_contents()
    assert options[:3] == ["x0", "x1", "b1.1"], options
    assert len(options) == 2 + (4 * 3) + (4 * 5) + 5  # x0, x1, then every weight and bias

    # a weight with a single path: the sentence says why listing it costs no more
    view.locator("select").first.select_option("w3.1.0")
    expect(view.locator(".bpw-path-table").locator("..")).to_contain_text(
        "With a single path from w3.1.0 to y there is nothing to reuse", timeout=30_000
    )
    view.locator("select").first.select_option("x0")
    expect(view.locator(".bpw-path-table").locator("..")).to_contain_text("16 paths", timeout=30_000)


@pytest.mark.browser
def test_tensor_cells_are_readable_whole_and_tell_the_whole_array(lab):
    from playwright.sync_api import expect

    notebook = lab.run("tensors.ipynb", [TENSORS])
    wait_until_laid_out(notebook.panel)
    picture = notebook.panel.locator(".bpw-picture").first
    picture.locator(".bpw-bar button", has_text="Fit").click()
    texts = [t["text"] for t in geometry(picture)["texts"]]
    for entry in ("0.5", "-1.25", "2", "0.125", "3.5", "-0.75"):  # W whole, one cell per entry
        assert entry in texts, texts
    assert "8×2" in texts and "⋮" in texts  # H: its shape and its first rows
    # no entry of an array squeezed (narrowed to its cell's width)
    cells = cell_texts(picture, "g.array")
    assert len(cells) >= 6, cells
    squeezed = [cell["text"] for cell in cells if cell["squeezed"]]
    assert not squeezed, squeezed
    # hover (an SVG <title>) and focus (its accessible name) give the whole array, asked of the kernel
    box = picture.locator(".bpw-stage svg g#n0")
    assert box.get_attribute("tabindex") == "0" and box.locator("title").count() == 0
    box.hover()
    expect(box.locator("title")).to_contain_text("data [[0.5, -1.25, 2],", timeout=30_000)
    assert "[0.125, 3.5, -0.75]]" in (box.get_attribute("aria-label") or "")
    other = picture.locator(".bpw-stage svg g#n5")  # H: focused by keyboard
    other.focus()
    expect(other).to_have_attribute(
        "aria-label", re.compile(r"^H \(8×2\); data \[\[-1, -0.8667\]; \[-0.7333, -0.6\]; "), timeout=30_000
    )
    shot(notebook, picture, "cells-tensors.png")
