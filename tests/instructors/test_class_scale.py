"""Grading a class in parallel (``python -m backprop_widgets.grading.grade --jobs 2``): the grades serial grading
gives, a progress bar, and a table of which test the class fails and why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.instructors.test_nbgrader import (
    MISTAKES,
    environment,
    hand_in,
    read,
    require_sandbox,
    run_nbgrader,
    set_up,
    submit,
)

pytestmark = pytest.mark.slow

STUDENTS = {"ann": None, "ben": None, "cat": "mistake", "dov": "mistake", "eli": "blank", "fay": None}


def scores(course: Path) -> dict[tuple[str, str], float]:
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in STUDENTS:
            for grade in gradebook.find_submission_notebook("sigmoid_tree", "sigmoid_tree", student).grades:
                found[student, grade.name] = grade.score
    return found


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    require_sandbox()
    course = tmp_path_factory.mktemp("class")
    roster = [{"id": s, "first_name": s.title(), "last_name": "X", "email": f"{s}@example.edu"} for s in STUDENTS]
    set_up(course, ("sigmoid_tree",), roster)
    run_nbgrader(course, "generate_assignment", "sigmoid_tree")
    source = read(course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    release = read(course / "release" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    for student, kind in STUDENTS.items():
        nb = {
            None: hand_in(source, student),
            "mistake": hand_in(source, student, MISTAKES["sigmoid_tree"]),
            "blank": hand_in(release, student),
        }[kind]
        submit(course, student, "sigmoid_tree", nb)
    return course


def test_parallel_grading_gives_the_grades_of_serial_grading_and_a_table(course):
    run_nbgrader(course, "autograde", "sigmoid_tree")
    serial = scores(course)
    done = subprocess.run(
        [sys.executable, "-m", "backprop_widgets.grading.grade", "sigmoid_tree", "--jobs", "2", "--force"],
        cwd=course,
        env=environment(course),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert scores(course) == serial
    assert f"{len(STUDENTS)}/{len(STUDENTS)} graded" in done.stderr  # the progress bar's last state
    rows = {line.split(" | ")[0].strip("| "): line for line in done.stdout.splitlines() if line.startswith("| task")}
    assert "| 3/6 |" in rows["task3_hidden"], done.stdout  # ann, ben, fay; the mistakes and the blank fail it
    assert "2× " in rows["task3_hidden"] and "Not yet" in rows["task3_hidden"], rows["task3_hidden"]
    assert "| 5/6 |" in rows["task1_test"] or "| 3/6 |" in rows["task1_test"], done.stdout
    print(done.stdout)
