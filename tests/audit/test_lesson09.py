"""Lesson 09 run with its solutions filled in (every check passes, the model learns), and as stored (placeholders:
every check says what to write next, nothing raises)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbconvert.preprocessors import ExecutePreprocessor

from backprop_widgets.exercises.lesson09_solutions import SOLUTIONS

LESSON = Path(__file__).resolve().parents[2] / "lessons" / "09_your_own_engine.ipynb"


def printed(nb) -> list[str]:
    return [
        line
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
        for line in out["text"].splitlines()
    ]


def test_every_exercise_cell_has_a_solution():
    cells = json.loads(LESSON.read_text())["cells"]
    exercises = {c["id"] for c in cells if c["id"].startswith("ex-")}
    assert all("YOUR CODE" in "".join(c["source"]) for c in cells if c["id"] in exercises)
    assert exercises == set(SOLUTIONS)


@pytest.mark.slow
def test_lesson09_with_its_solutions_passes_every_check():
    nb = nbformat.read(LESSON, as_version=4)
    for cell in nb.cells:
        if cell.get("id") in SOLUTIONS:
            cell.source = SOLUTIONS[cell.id]
    ExecutePreprocessor(timeout=300).preprocess(nb, {"metadata": {"path": str(LESSON.parent)}})
    lines = printed(nb)
    checks = [line for line in lines if line.startswith(("✔", "✘", "○"))]
    assert len(checks) == 8 and not any(line.startswith("✘") for line in checks), checks
    # before step 3 the class has no __rmul__: audit_engine says so, as not written yet (○)
    assert [line[:1] for line in checks] == ["✔", "✔", "○", "✔", "✔", "✔", "✔", "✔"]
    losses = [float(line.split()[-1]) for line in lines if line.startswith("step")]
    assert losses[-1] < 0.1 * losses[0]


def test_lesson09_as_stored_says_what_to_write_next():
    nb = nbformat.read(LESSON, as_version=4)
    assert not any(out.get("output_type") == "error" for c in nb.cells for out in c.get("outputs", []))
    checks = [line for line in printed(nb) if line.startswith(("✔", "✘", "○"))]
    assert len(checks) == 8
    assert all("write its rule" in line for line in checks), checks
