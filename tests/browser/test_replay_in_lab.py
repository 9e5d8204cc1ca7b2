"""A lesson saved with its widget state steps in JupyterLab with no kernel behind its widgets.

Lesson 01 is run in JupyterLab and saved with its widget state (Settings → Save Widget State
Automatically). Opened again, its widgets come back from that state, with no kernel behind them
(the fresh kernel has run nothing); its steppers step their recorded walks by buttons and keys, to
the same gradients as the live stepper, and still do after the kernel is shut down.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from backprop_widgets import BackwardStepper
from backprop_widgets.exercises.lesson01 import _sigmoid_tree
from backprop_widgets.render import backend

from .graph_dom import eventually, svg_texts, wait_until_laid_out

pytestmark = pytest.mark.browser

LESSON = Path(__file__).resolve().parents[2] / "lessons" / "01_sigmoid_tree.ipynb"
STATE = "application/vnd.jupyter.widget-state+json"


def _the_sigmoid_stepper(panel):
    """The lesson's ``BackwardStepper(sigmoid_tree(1.0), show_local=True)``: its second stepper of its own."""
    steppers = panel.locator(".bpw-stepper:not(.bpw-explorer .bpw-stepper)")
    return steppers.nth(1)


def _at(stepper) -> str | None:
    return stepper.locator(".bpw-graph").get_attribute("data-replay-at")


def test_a_lesson_saved_with_its_widget_state_steps_with_no_kernel(lab, browser_artifact_dir):
    live = BackwardStepper(_sigmoid_tree(1.0)["g"], show_local=True)
    start = Counter(live.view.cells)
    live.run()
    end = Counter(live.view.cells)

    path = lab.add_notebook(LESSON)
    notebook = lab.open(path, new_tab=True)
    result = notebook.run_all()
    assert not result.problems, str(result)
    wait_until_laid_out(notebook.panel)
    page = notebook.page
    stepper = _the_sigmoid_stepper(notebook.panel)
    assert start <= Counter(svg_texts(stepper)), "the lesson's stepper is not the test's"
    stepper.get_by_role("button", name="Run to end").click()  # the live kernel's walk, to the end
    eventually(lambda: Counter(svg_texts(stepper)), lambda texts: texts >= end, what="the live walk's end")
    live_end = eventually(
        lambda: svg_texts(stepper), lambda texts: Counter(texts)["?"] == end["?"], what="the live walk settled"
    )
    stepper.get_by_role("button", name="Reset").click()
    eventually(lambda: Counter(svg_texts(stepper)), lambda texts: texts >= start, what="the live walk reset")
    without = len((lab.root_dir / path).read_bytes())
    page.evaluate("() => window.jupyterapp.commands.execute('@jupyter-widgets/jupyterlab-manager:saveWidgetState')")
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    saved = eventually(
        lambda: json.loads((lab.root_dir / path).read_text(encoding="utf-8")),
        lambda nb: STATE in nb["metadata"].get("widgets", {}),
        what="the notebook saved with its widget state",
    )
    states = saved["metadata"]["widgets"][STATE]["state"]
    replays = [m["state"]["replay"] for m in states.values() if m["state"].get("replay")]
    assert len(replays) >= 3  # the two steppers' walks and the Explorer's (and those the lesson made unseen)
    kept = [m["state"]["laid_out"] for m in states.values() if m["state"].get("laid_out")]
    assert len(kept) == 6  # every picture's layout, as this page made it
    with_state = len((lab.root_dir / path).read_bytes())
    record = {"lesson 01 as stored": without, "saved by JupyterLab with widget state": with_state}
    # the three walks on screen dropped Python's layout for the page's own (those never shown keep it)
    assert sum(not r.get("svg") for r in replays) >= 3
    record["replay state"] = sum(len(json.dumps(r)) for r in replays)
    record["kept layouts"] = sum(len(json.dumps(k)) for k in kept)
    for model in states.values():  # the same notebook as the kit before recorded walks would have saved it
        model["state"].pop("replay", None)
        model["state"].pop("laid_out", None)
    record["the same without replay state or kept layouts"] = len(json.dumps(saved, indent=1, ensure_ascii=False))
    (browser_artifact_dir / "lesson01-saved-size.json").write_text(json.dumps(record, indent=1))
    notebook.close()  # and its kernel shut down

    again = lab.open(path, new_tab=True)  # a fresh kernel that has run nothing: the widgets are the saved state
    assert wait_until_laid_out(again.panel) == 6  # every picture, each as laid out when the lesson ran
    page = again.page
    stepper = _the_sigmoid_stepper(again.panel)
    eventually(lambda: _at(stepper), lambda at: at == "0", what="the recorded walk shown at its start")
    assert Counter(svg_texts(stepper)) >= start
    note = stepper.locator(".bpw-replay-note")
    assert "without Python" in note.text_content()
    assert "greyed-out controls need Python" in note.text_content()  # Play, its speed, the gate patterns
    assert stepper.locator(".bpw-needs-kernel").first.evaluate("e => e.inert")
    assert stepper.locator(".jupyter-widgets-disconnected").count() == 0 or (
        stepper.locator(".jupyter-widgets-disconnected").first.evaluate("e => getComputedStyle(e, '::before').display")
        == "none"
    )  # no broken-link icon
    explorer = again.panel.locator(".bpw-explorer")  # its formula box, sliders and modes need Python
    assert explorer.locator(".bpw-replay-note").count() == 1
    assert explorer.locator(".bpw-needs-kernel").evaluate_all("cs => cs.length >= 3 && cs.every(c => c.inert)")
    total = live.total
    step_button = stepper.locator("button.bpw-go-next")
    position = stepper.locator(".bpw-position")
    for k in range(1, 3):  # two steps by the button
        step_button.click()
        eventually(lambda: _at(stepper), lambda at, k=k: at == str(k), what=f"step {k}")
        assert position.text_content() == f"step {k} of {total}"
    live.goto(2)
    assert stepper.locator(".bpw-sr-only[aria-live]").text_content() == live.walk.spoken()
    stage = stepper.locator(".bpw-stage")
    stage.focus()
    for k in range(3, total + 1):  # the rest by the arrow key
        page.keyboard.press("ArrowRight")
        eventually(lambda: _at(stepper), lambda at, k=k: at == str(k), what=f"step {k} by the key")
    assert step_button.is_disabled()
    eventually(lambda: svg_texts(stepper), lambda texts: texts == live_end, what="the live stepper's gradients")
    stepper.locator("button.bpw-go-back").click()
    eventually(lambda: _at(stepper), lambda at: at == str(total - 1), what="one step back")

    lab.server.shutdown_kernels(path)  # and with the kernel gone too
    eventually(lambda: again._status(), lambda status: status in (None, "dead", "unknown"), what="kernel gone")
    stage.focus()
    page.keyboard.press("Home")
    eventually(lambda: _at(stepper), lambda at: at == "0", what="Home")
    assert Counter(svg_texts(stepper)) >= start
    stepper.locator("button.bpw-go-end").click()
    eventually(lambda: svg_texts(stepper), lambda texts: texts == live_end, what="Run to end")
    again.screenshot(browser_artifact_dir / "lesson01-replay-no-kernel.png")
    assert not [e for e in again.console_errors if "bpw" in e or "backprop" in e]


@pytest.mark.skipif(backend() is None, reason="the walk's picture is laid out in Python (the static extra)")
def test_a_notebook_saved_by_nbclient_steps_with_the_layout_made_in_python(lab, monkeypatch):
    """No page ever laid this notebook out (nbclient saved the kernel's widget state): the walk steps on the
    picture Graphviz laid out in Python, and a plain picture, with no layout kept, says it needs Python."""
    import nbformat
    from nbclient import NotebookClient
    from nbformat.sign import NotebookNotary

    from backprop_widgets import Value

    monkeypatch.setenv("PYTHONPATH", str(LESSON.parents[1]))  # the kernel imports this checkout's kit
    make = "a, b = Value(2.0, label='a'), Value(-3.0, label='b')\nf = a * b + a; f.label = 'f'\n"
    cells = ["from backprop_widgets import BackwardStepper, Value, draw\n" + make, "BackwardStepper(f)", "draw(f)"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    NotebookClient(notebook, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    data_dir = lab.server.workdir / "home" / "jupyter-data"  # signed as the server's own: trusted, as if saved there
    NotebookNotary(data_dir=str(data_dir)).sign(notebook)
    nbformat.write(notebook, lab.root_dir / "saved_by_nbclient.ipynb")
    namespace: dict = {"Value": Value}
    exec(make, namespace)
    live = BackwardStepper(namespace["f"])
    start = Counter(live.view.cells)
    live.run()
    end = Counter(live.view.cells)

    opened = lab.open("saved_by_nbclient.ipynb", new_tab=True)
    stepper = opened.panel.locator(".bpw-stepper")
    eventually(lambda: _at(stepper), lambda at: at == "0", what="the recorded walk on Python's layout")
    assert Counter(svg_texts(stepper)) >= start
    plain = opened.panel.locator(".bpw-picture:not(.bpw-stepper .bpw-picture)")
    eventually(lambda: plain.text_content(), lambda text: "run the notebook to see it" in text, what="the sentence")
    stepper.locator(".bpw-stage").focus()
    for k in range(1, live.total + 1):
        opened.page.keyboard.press("ArrowRight")
        eventually(lambda: _at(stepper), lambda at, k=k: at == str(k), what=f"step {k}")
    eventually(lambda: Counter(svg_texts(stepper)), lambda texts: texts >= end, what="the live stepper's gradients")
