"""Every lesson opens in JupyterLab and runs with no error output and no 'Error displaying widget'."""

from pathlib import Path

import pytest

from .graph_dom import NOT_LAID_OUT, wait_until_laid_out

LESSONS = sorted((Path(__file__).resolve().parents[2] / "lessons").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_lessons():
    assert len(LESSONS) >= 3, "lessons/ should hold the numbered lesson notebooks"


def _draws_a_graph(lesson: Path) -> bool:
    text = lesson.read_text(encoding="utf-8")
    return any(name in text for name in ("draw(", "BackwardStepper(", "Explorer(", "GraphView("))


@pytest.mark.browser
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_in_jupyterlab(lab, lesson):
    notebook = lab.open(lab.add_notebook(lesson))
    result = notebook.run_all(timeout=300)
    assert not result.problems, result
    assert not result.unexecuted, result
    if _draws_a_graph(lesson):
        # every graph picture laid out in the browser: an SVG, and no "Laying out" / "has not arrived" left
        wait_until_laid_out(notebook.panel, timeout=30)
    outputs = " ".join(notebook.panel.locator(".jp-OutputArea-output").all_text_contents())
    assert not [word for word in NOT_LAID_OUT if word in outputs], outputs[:2000]
