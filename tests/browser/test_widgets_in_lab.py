"""The Explorer and the stepper in a real JupyterLab, in headless Chromium."""

import re

import pytest

from .graph_dom import current_ids, eventually, svg_texts

EXPLORER_CELL = """\
from backprop_widgets import Explorer
explorer = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)
explorer
"""


@pytest.mark.browser
def test_explorer_steps_in_the_browser(lab):
    from playwright.sync_api import expect

    notebook = lab.run("explorer.ipynb", ["#md An Explorer", EXPLORER_CELL])

    stepper = notebook.panel.locator(".bpw-stepper").first
    picture = stepper.locator(".bpw-picture").first
    expect(picture.locator(".bpw-stage svg")).to_be_visible(timeout=30_000)
    position = stepper.get_by_text(re.compile(r"^step \d+ of 6$"))
    expect(position).to_have_text("step 6 of 6")  # the live graph shows every gradient
    assert "9" in svg_texts(picture)  # b.grad = 7 + 2

    stepper.get_by_role("button", name="Reset").click()
    expect(position).to_have_text("step 0 of 6", timeout=30_000)
    before = eventually(lambda: svg_texts(picture), lambda t: "?" in t, what="gradients shown as ?")
    assert "9" not in before  # gradients not known yet
    assert not any(i.startswith("e") for i in current_ids(picture)), "no edge is current at the start"

    stepper.get_by_role("button", name="Step").click()
    expect(position).to_have_text("step 1 of 6", timeout=30_000)
    # x's gradient cell receives 1 × 7 once the contribution has travelled along its edge
    after = eventually(
        lambda: svg_texts(picture), lambda t: t.count("7") > before.count("7"), what="a gradient cell shows 7"
    )
    assert after != before
    assert any(i.startswith("e") for i in current_ids(picture)), "the current edge is highlighted"
    panel = stepper.locator(".bpw-panel")
    expect(panel).to_contain_text("contribution")
    expect(panel).to_contain_text("7")  # 1 × 7 = 7: df/dx


@pytest.mark.browser
def test_a_bad_formula_shows_the_error_beside_the_box(lab):
    from playwright.sync_api import expect

    notebook = lab.open(lab.write_notebook("explorer_error.ipynb", [EXPLORER_CELL]))
    result = notebook.run_all()
    assert not result.problems, result
    box = notebook.panel.locator(".bpw-explorer input[type=text]").first
    box.fill("sigmod(x)")
    box.press("Enter")
    expect(notebook.panel.locator(".bpw-error")).to_contain_text("did you mean 'sigmoid'", timeout=30_000)
    expect(notebook.panel.locator(".bpw-stepper").first).to_contain_text("step 6 of 6")  # last good graph kept
