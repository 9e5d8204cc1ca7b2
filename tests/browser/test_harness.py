"""The browser harness itself: a widget renders and reacts to a click, and errors are found."""

import pytest

from .lab_harness import RunResult, browser_tests_skipped, find_chromium, summarize

PICTURE_CELL = """\
import ipywidgets as widgets

def picture(word):
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40">'
            f'<text id="t" x="10" y="25">{word}</text></svg>')

view = widgets.HTML(picture("before"))
button = widgets.Button(description="Change")
button.on_click(lambda _: setattr(view, "value", picture("after")))
widgets.VBox([button, view])
"""

# A widget view whose model the kernel never made: JupyterLab cannot display it.
MISSING_MODEL_CELL = """\
from IPython.display import display
display({"application/vnd.jupyter.widget-view+json":
         {"model_id": "no-such-model", "version_major": 2, "version_minor": 0}}, raw=True)
"""


@pytest.mark.browser
def test_widget_renders_and_a_click_runs_the_kernel_callback(lab):
    from playwright.sync_api import expect

    notebook = lab.run("harness_widget.ipynb", ["#md A button and a picture", PICTURE_CELL])

    label = notebook.panel.locator(".jp-OutputArea-output svg text#t")
    expect(label).to_have_text("before")
    notebook.panel.get_by_role("button", name="Change").click()
    expect(label).to_have_text("after", timeout=30_000)


@pytest.mark.browser
def test_errors_are_found_and_warnings_are_not_errors(lab):
    cells = [
        "import warnings\nwarnings.warn('only a warning')",
        MISSING_MODEL_CELL,
        "1/0",
        "print('never runs')",
    ]
    result = lab.open(lab.write_notebook("harness_errors.ipynb", cells)).run_all()
    assert [e.split(":")[1].strip() for e in result.errors] == ["ZeroDivisionError"], result
    assert result.widget_errors and result.widget_errors[0].startswith("Error displaying widget"), result
    assert any("only a warning" in text for text in result.stderr), result
    assert result.unexecuted == [4], result
    assert len(result.problems) == 2, result


@pytest.mark.browser
def test_a_run_that_went_wrong_fails_with_what_the_notebook_showed(lab):
    with pytest.raises(AssertionError, match="code cell 2: ZeroDivisionError") as failure:
        lab.run("harness_run_fails.ipynb", ["x = 1", "1/0", "print('never runs')"])
    assert "code cells not run: [3]" in str(failure.value)


# The parts that need no browser, so they run even with BPW_SKIP_BROWSER=1.


def test_chromium_named_in_the_environment_wins(tmp_path):
    fake = tmp_path / "my-chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert find_chromium({"BPW_CHROMIUM": str(fake), "PATH": ""}) == str(fake)


def test_chromium_named_but_missing_is_not_found(tmp_path):
    assert find_chromium({"BPW_CHROMIUM": str(tmp_path / "nothing"), "PATH": ""}) is None


def test_chromium_not_executable_is_not_found(tmp_path):
    plain = tmp_path / "chromium"
    plain.write_text("not a program")
    assert find_chromium({"BPW_CHROMIUM": str(plain), "PATH": ""}) is None


@pytest.mark.parametrize("value, skipped", [("1", True), ("yes", True), ("", False), ("0", False)])
def test_skip_switch(value, skipped):
    assert browser_tests_skipped({"BPW_SKIP_BROWSER": value}) is skipped


def test_summary_sorts_errors_stderr_and_cells_not_run():
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": "# title"},
            {
                "cell_type": "code",
                "source": "x = 1",
                "execution_count": 1,
                "outputs": [{"output_type": "stream", "name": "stderr", "text": "careful\n"}],
            },
            {
                "cell_type": "code",
                "source": "1/0",
                "execution_count": 2,
                "outputs": [
                    {
                        "output_type": "error",
                        "ename": "ZeroDivisionError",
                        "evalue": "division by zero",
                        "traceback": [],
                    }
                ],
            },
            {"cell_type": "code", "source": "print(2)", "execution_count": None, "outputs": []},
            {"cell_type": "code", "source": "", "execution_count": None, "outputs": []},
        ]
    }
    result = summarize("a.ipynb", notebook, ["Error displaying widget"])
    assert result.errors == ["code cell 2: ZeroDivisionError: division by zero"]
    assert result.stderr == ["code cell 1: careful"]
    assert result.unexecuted == [3]
    assert result.problems == result.errors + ["Error displaying widget"]
    assert "1 problem" not in str(result) and "2 problem(s)" in repr(result)


def test_a_clean_run_has_no_problems():
    assert RunResult("a.ipynb").problems == []
