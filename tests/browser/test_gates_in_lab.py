"""The gate patterns in a real JupyterLab: the toggle clicked in the browser marks the picture and the panel,
backward and forward, and the cross-entropy opened into its pieces steps to z's gradient (p − y)/n.

With $BPW_SHOTS set to a folder, each stepper is also photographed there (PNG), for people to look at.
"""

import os
import re
from pathlib import Path

import pytest

from .graph_dom import eventually, svg_texts

GATES_CELL = """\
from backprop_widgets import BackwardStepper, Value
a, b = Value(2.0, label="a"), Value(3.0, label="b")
g = (a * b + a).relu()
g.label = "g"
BackwardStepper(g)
"""

FORWARD_CELL = """\
from backprop_widgets.widgets.stepper import ForwardStepper
ForwardStepper(g, a, gates=True)
"""

CROSS_ENTROPY_CELL = """\
from backprop_widgets import Tensor
from backprop_widgets.nn import cross_entropy
z = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], label="z")
opened = BackwardStepper(cross_entropy(z, [0, 1], fused=False), gates=True)
opened.run()
opened
"""


def _shoot(stepper, name: str, fit: bool = True) -> None:
    """Photograph the stepper (picture and panel) into $BPW_SHOTS, the whole picture in view (Fit) unless ``fit=False``."""
    folder = os.environ.get("BPW_SHOTS")
    if folder:
        if fit:
            stepper.get_by_role("button", name="Fit").click()
            stepper.page.wait_for_timeout(500)  # the zoom's transition
        Path(folder).mkdir(parents=True, exist_ok=True)
        stepper.screenshot(path=str(Path(folder) / name))


@pytest.mark.browser
def test_the_gate_patterns_toggle_in_the_browser(lab):
    from playwright.sync_api import expect

    notebook = lab.open(lab.write_notebook("gates.ipynb", [GATES_CELL, FORWARD_CELL, CROSS_ENTROPY_CELL]))
    if os.environ.get("BPW_SHOTS"):  # photographs at a desktop's size (put back at the end)
        notebook.page.set_viewport_size({"width": 1920, "height": 1080})
    result = notebook.run_all()
    assert not result.problems and not result.unexecuted, result
    backward, forward, opened = (notebook.panel.locator(".bpw-stepper").nth(k) for k in range(3))
    picture = backward.locator(".bpw-picture").first
    expect(picture.locator(".bpw-stage svg")).to_be_visible(timeout=30_000)
    assert "swaps" not in svg_texts(picture)

    backward.get_by_role("button", name="Gate patterns").click()  # the toggle, as a student clicks it
    texts = eventually(lambda: svg_texts(picture), lambda t: "swaps" in t, what="the picture marks the patterns")
    for word in ("distributes", "routes", "fan-out: adds"):
        assert word in texts
    position = backward.get_by_text(re.compile(r"^step \d+ of \d+$"))
    for k in range(1, 5):  # relu, add, add (into a), multiply (into a and b)
        backward.get_by_role("button", name="Step").click()
        expect(position).to_contain_text(f"step {k} of", timeout=30_000)
    panel = backward.locator(".bpw-panel")
    expect(panel).to_contain_text("Multiply swaps")
    expect(panel).to_contain_text("a fan-out adds: a is used 2 times")
    _shoot(backward, "gates_backward.png")

    stage = forward.locator(".bpw-picture .bpw-stage svg")
    expect(stage).to_be_visible(timeout=30_000)
    forward.get_by_role("button", name="Step").click()
    expect(forward.locator(".bpw-panel")).to_contain_text("Multiply swaps here too", timeout=30_000)
    expect(forward.locator(".bpw-panel")).to_contain_text("a fan-out copies: a is used 2 times")
    assert "fan-out: copies" in svg_texts(forward.locator(".bpw-picture").first)
    _shoot(forward, "gates_forward.png")

    expect(opened.locator(".bpw-picture .bpw-stage svg")).to_be_visible(timeout=30_000)
    opened_texts = svg_texts(opened.locator(".bpw-picture").first)
    for piece in ("exp", "log", "passes", "distributes"):
        assert any(piece in t for t in opened_texts), piece
    _shoot(opened, "cross_entropy_opened_readable.png", fit=False)
    _shoot(opened, "cross_entropy_opened.png")
    notebook.page.set_viewport_size({"width": 1280, "height": 900})  # the session's size, for the tests after
