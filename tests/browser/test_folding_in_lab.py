"""Folded neurons in a real JupyterLab: click to unfold, Enter to fold back, step a folded network."""

import re
import time

import pytest

from .graph_dom import eventually, wait_until_laid_out

BIG = """\
from backprop_widgets import BackwardStepper, draw
from backprop_widgets.nn.scalar import MLP
y_big = MLP(2, [16, 16, 1], seed=0)([0.5, -1.0])
y_big.backward()
picture = draw(y_big)
picture
"""

SMALL = """\
y_small = MLP(2, [4, 4, 1], seed=0)([0.5, -1.0])
y_small.backward()
BackwardStepper(y_small)
"""


def folded_boxes(picture):
    return picture.locator(".bpw-stage svg g.folded").count()


@pytest.mark.browser
def test_click_unfolds_a_neuron_enter_folds_it_back_and_a_folded_network_steps(lab):
    from playwright.sync_api import expect

    notebook = lab.run("folding.ipynb", [BIG, SMALL])
    wait_until_laid_out(notebook.panel)
    picture = notebook.panel.locator(".bpw-picture").first
    assert folded_boxes(picture) == 33  # 2-16-16-1: every neuron one box

    box = picture.locator(".bpw-stage svg g.folded", has_text="neuron 3").first
    box.scroll_into_view_if_needed()
    start = time.perf_counter()
    box.click()
    eventually(lambda: folded_boxes(picture), lambda n: n == 32, timeout=30, what="one neuron unfolded")
    wait_until_laid_out(notebook.panel)
    unfold_seconds = time.perf_counter() - start
    frame = picture.locator(".bpw-stage svg g.cluster", has_text="neuron 3").first
    expect(frame).to_be_visible()
    print(f"unfolding one neuron of the 2-16-16-1 picture took {unfold_seconds:.2f} s (click to new picture)")

    assert frame.get_attribute("role") == "button" and "press Enter to fold" in frame.get_attribute("aria-label")
    frame.focus()
    frame.press("Enter")
    eventually(lambda: folded_boxes(picture), lambda n: n == 33, timeout=30, what="the neuron folded back")

    stepper = notebook.panel.locator(".bpw-stepper").first
    expect(stepper.get_by_text(re.compile(r"^step 0 of 9$"))).to_be_visible(timeout=30_000)
    stepper.get_by_role("button", name="Step").click()
    expect(stepper.locator(".bpw-panel")).to_contain_text("inside layer 3 › neuron 1", timeout=30_000)
    small = stepper.locator(".bpw-picture")
    eventually(lambda: small.locator("svg g.folded.current").count(), lambda n: n == 1, what="the folded box lit")
