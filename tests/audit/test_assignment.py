"""The nbgrader assignment version of lesson 09 (assignments/source/your_own_engine), graded by audit and audit_engine:
its solution passes every test with a student's own numbers; the student version runs and fails only the hidden tests."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbconvert.preprocessors import ExecutePreprocessor

SOURCE = Path(__file__).resolve().parents[2] / "assignments" / "source" / "your_own_engine" / "your_own_engine.ipynb"
SOLUTION = re.compile(r"([ \t]*)### BEGIN SOLUTION\n.*?[ \t]*### END SOLUTION\n?", re.S)
HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS\n.*?[ \t]*### END HIDDEN TESTS\n?", re.S)


def run(nb, student_id: str):
    nb.cells[1].source = f'STUDENT_ID = "{student_id}"'
    ExecutePreprocessor(timeout=300, allow_errors=True).preprocess(nb, {"metadata": {"path": str(SOURCE.parent)}})
    return {
        c.metadata.get("nbgrader", {}).get("grade_id"): [o for o in c.outputs if o.output_type == "error"]
        for c in nb.cells
        if c.cell_type == "code"
    }


@pytest.mark.slow
def test_the_solution_gets_every_point_with_a_students_own_numbers():
    nb = nbformat.read(SOURCE, as_version=4)
    errors = run(nb, "s1234567")
    assert not any(errors.values()), errors
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Your numbers: A = " in printed and "✔ Every gradient matches" in printed


@pytest.mark.slow
def test_the_student_version_runs_and_fails_only_the_hidden_tests():
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:  # as nbgrader's generate_assignment makes it
        cell.source = SOLUTION.sub(
            lambda m: f"{m[1]}# YOUR CODE HERE\n{m[1]}raise NotImplementedError()\n", cell.source
        )
    errors = run(nb, "s1234567")
    assert {gid for gid, found in errors.items() if found} == {"hidden_audit", "hidden_engine"}
    said = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "raised NotImplementedError" in said  # the visible check names the node whose rule is not written
    assert all(
        HIDDEN.search(c.source)
        for c in nb.cells
        if str(c.metadata.get("nbgrader", {}).get("grade_id")).startswith("hidden")
    )
