"""The Explorer and the stepper in a real JupyterLab, in headless Chromium."""

import re

import pytest

EXPLORER_CELL = '''\
from backprop_widgets import Explorer
explorer = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)
explorer
'''


def gradient_texts(svg_html: str) -> list[str]:
    return re.findall(r">([^<>]*)</text>", svg_html)


@pytest.mark.browser
def test_explorer_steps_in_the_browser(lab):
    from playwright.sync_api import expect

    notebook = lab.open(lab.write_notebook("explorer.ipynb", ["#md An Explorer", EXPLORER_CELL]))
    result = notebook.run_all()
    assert not result.problems and not result.unexecuted, result

    stepper = notebook.panel.locator(".bpw-stepper").first
    picture = stepper.locator(".bpw-picture svg").first
    expect(picture).to_be_visible(timeout=30_000)
    position = stepper.get_by_text(re.compile(r"^step \d+ of 6$"))
    expect(position).to_have_text("step 6 of 6")  # the live graph shows every gradient
    assert "9" in gradient_texts(picture.inner_html())  # b.grad = 7 + 2

    stepper.get_by_role("button", name="Reset").click()
    expect(position).to_have_text("step 0 of 6", timeout=30_000)
    before = picture.inner_html()
    assert "?" in gradient_texts(before)  # gradients not known yet

    stepper.get_by_role("button", name="Step").click()
    expect(position).to_have_text("step 1 of 6", timeout=30_000)
    after = picture.inner_html()
    assert after != before
    assert re.search(r'class="[^"]*current', after), "the current edge is highlighted"
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
