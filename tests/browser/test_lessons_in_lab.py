"""Every lesson opens in JupyterLab and runs with no error output and no 'Error displaying widget'."""

from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).resolve().parents[2] / "lessons").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_lessons():
    assert len(LESSONS) >= 3, "lessons/ should hold the numbered lesson notebooks"


@pytest.mark.browser
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_in_jupyterlab(lab, lesson):
    notebook = lab.open(lab.add_notebook(lesson))
    result = notebook.run_all(timeout=300)
    assert not result.problems, result
    assert not result.unexecuted, result
