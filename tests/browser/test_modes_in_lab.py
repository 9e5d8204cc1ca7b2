"""The Explorer's modes in a real JupyterLab: the toggle switches the whole widget; forward mode steps.

With BPW_DOCS_PICTURES=dir set, it also saves the screenshots of the (a+b)(b+c) walks that
docs/ shows (a backward step at the branch, and the forward walk for b).
"""

import os
import re
from pathlib import Path

import pytest

from .graph_dom import current_ids, eventually, svg_texts, wait_until_laid_out

EXPLORER_CELL = """\
from backprop_widgets import Explorer
explorer = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)
explorer
"""


def _shot(locator, name):
    target = os.environ.get("BPW_DOCS_PICTURES")
    if target:
        locator.screenshot(path=str(Path(target) / name))


@pytest.mark.browser
def test_the_mode_toggle_switches_to_a_forward_walk_you_can_step(lab):
    from playwright.sync_api import expect

    notebook = lab.run("modes.ipynb", [EXPLORER_CELL])
    wait_until_laid_out(notebook.panel)
    explorer = notebook.panel.locator(".bpw-explorer").first

    # reverse mode at the branch: b's second contribution, as the board would write it
    backward = explorer.locator(".bpw-stepper").first
    backward.get_by_role("button", name="Reset").click()
    for n in range(1, 6):
        backward.get_by_role("button", name="Step").click()
        expect(backward.get_by_text(re.compile(rf"^step {n} of 6$"))).to_be_visible(timeout=30_000)
    panel = backward.locator(".bpw-panel")
    expect(panel).to_contain_text("upstream × local = 2 × 1 = 2 = contribution")
    expect(panel).to_contain_text("b collects 2 contributions: (a + b): 7 + (b + c): 2 = 9")
    _shot(backward, "backward_step_5_of_6.png")
    _shot(explorer, "explorer.png")

    # the toggle: the whole widget becomes the forward walk for the chosen input
    explorer.get_by_role("button", name="Forward mode").click()
    forward = explorer.locator(".bpw-forward-stepper").first
    expect(forward).to_be_visible(timeout=30_000)
    expect(explorer.locator(".bpw-stepper:not(.bpw-forward-stepper)")).to_have_count(0)
    explorer.locator("select").first.select_option("b")
    expect(forward.get_by_text(re.compile(r"^step 0 of 3$"))).to_be_visible(timeout=30_000)
    wait_until_laid_out(notebook.panel)
    picture = forward.locator(".bpw-picture")
    texts = svg_texts(picture)
    assert texts.count("?") == 3, texts  # the tangents of (a + b), (b + c) and f: not reached yet
    report = explorer.locator(".bpw-forward-report")
    expect(report).to_contain_text("Forward passes done: 0 of 3 inputs")

    for n, line in enumerate(
        ["local × tangent: 1 × 1 = 1", "local × tangent: 1 × 1 = 1", "local × tangent: 7 × 1 + 2 × 1 = 9"], start=1
    ):
        forward.get_by_role("button", name="Step").click()
        expect(forward.get_by_text(re.compile(rf"^step {n} of 3$"))).to_be_visible(timeout=30_000)
        expect(forward.locator(".bpw-panel")).to_contain_text(line)
        eventually(lambda: svg_texts(picture), lambda t, n=n: t.count("?") == 3 - n, what=f"tangent {n} shown")
    assert any(i.startswith("e") for i in current_ids(picture))  # the step's edges are lit
    expect(report).to_contain_text("Forward passes done: 1 of 3 inputs")
    _shot(forward.locator("xpath=.."), "forward_walk_for_b.png")

    # a slider recomputes in the current mode: the forward walk keeps its step, with new numbers
    handle = explorer.locator(".widget-slider").nth(1).locator(".noUi-handle").first
    handle.focus()
    handle.press("ArrowLeft")
    expect(forward.locator(".bpw-panel")).to_contain_text("local × tangent: 6.99", timeout=30_000)
    expect(forward.get_by_text(re.compile(r"^step 3 of 3$"))).to_be_visible()

    explorer.get_by_role("button", name="Reverse mode").click()
    expect(explorer.locator(".bpw-forward-stepper")).to_have_count(0, timeout=30_000)
