"""The nbgrader assignment version of lesson 09 (assignments/source/your_own_engine), checked task by task by
grading.engines.check_engine (in the notebook, on the class itself): its solution passes every test with a student's
own numbers; the student version runs, and each test says what to write."""

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
    assert "Your numbers: A = " in printed and printed.count("✔ Right (") == 14


@pytest.mark.slow
def test_the_student_version_runs_and_each_check_says_what_to_write():
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:  # as nbgrader's generate_assignment makes it
        cell.source = SOLUTION.sub(
            lambda m: f"{m[1]}# YOUR CODE HERE\n{m[1]}raise NotImplementedError()\n", cell.source
        )
    errors = run(nb, "s1234567")
    tests = {gid for gid in errors if str(gid).startswith("task")}
    assert len(tests) == 14 and {gid for gid, found in errors.items() if found} == tests
    said = {gid: found[0].evalue for gid, found in errors.items() if found}
    assert all(text.startswith("✘ Not yet: ") for text in said.values()), said
    assert "its _backward raised NotImplementedError" in said["task1_test"]
    assert all(
        HIDDEN.search(c.source)
        for c in nb.cells
        if str(c.metadata.get("nbgrader", {}).get("grade_id")).endswith("_hidden")
    )
