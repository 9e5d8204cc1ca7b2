"""The Explorer's marks in a real JupyterLab: a stale picture is greyed and said to be out of date; the
gradient check shows the whole picture it checks, and its button's text fits."""

import re

import pytest

from .graph_dom import eventually, svg_texts, wait_until_laid_out

EXPLORER_CELL = """\
from backprop_widgets import Explorer
explorer = Explorer("max(a, b) * c")
explorer
"""

OPACITY_JS = "el => Number(getComputedStyle(el).opacity)"
CLIPPED_JS = "el => el.scrollWidth > el.clientWidth + 1"


@pytest.mark.browser
def test_the_explorer_marks_a_stale_picture_and_checks_the_whole_one(lab):
    from playwright.sync_api import expect

    notebook = lab.run("explorer_marks.ipynb", [EXPLORER_CELL])
    wait_until_laid_out(notebook.panel)
    explorer = notebook.panel.locator(".bpw-explorer").first
    readouts = explorer.locator(".widget-slider .widget-readout").all_inner_texts()[:3]  # a, b, c (then the stepper's)
    assert [float(text) for text in readouts] == [1.0, 2.0, 3.0]  # distinct starting values: max(a, b) is no tie

    # half-way through the backward pass, then the gradient check: the picture is complete
    stepper = explorer.locator(".bpw-stepper").first
    stepper.get_by_role("button", name="Reset").click()
    stepper.get_by_role("button", name="Step").click()
    expect(stepper.get_by_text(re.compile(r"^step 1 of \d+$"))).to_be_visible(timeout=30_000)
    explorer.get_by_role("button", name="Gradient check").click()
    check = explorer.get_by_role("button", name="Check every gradient")
    expect(check).to_be_visible(timeout=30_000)
    assert not check.evaluate(CLIPPED_JS), "the button's text is cut"
    expect(explorer.locator("table.bpw-check")).to_contain_text("right")
    picture = explorer.locator(".bpw-picture").first
    eventually(lambda: svg_texts(picture), lambda texts: texts and "?" not in texts, what="every gradient drawn")
    expect(explorer.get_by_role("button", name="Step")).to_have_count(0)

    # a formula that does not parse: the old picture is greyed and said to be out of date
    box = explorer.locator("input[type=text]").first
    box.fill("max(a, b")
    box.press("Enter")
    note = explorer.locator(".bpw-stale-note")
    expect(note).to_contain_text("Out of date", timeout=30_000)
    expect(note).to_contain_text("max(a, b) * c")
    body = explorer.locator(".bpw-stale")
    expect(body).to_have_count(1)
    assert body.evaluate(OPACITY_JS) < 0.6

    # it parses again: the mark goes
    box.fill("max(a, b) + c")
    box.press("Enter")
    expect(note).to_be_hidden(timeout=30_000)
    expect(explorer.locator(".bpw-stale")).to_have_count(0)
