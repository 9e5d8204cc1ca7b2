"""The assignments go through nbgrader: the student version hides solutions and hidden tests, and autograding scores hand-ins."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "assignments"
ASSIGNMENTS = ("sigmoid_tree", "gradients_add_at_branches", "two_layer_network")

SOLUTION = re.compile(r"[ \t]*### BEGIN SOLUTION\n(.*?)[ \t]*### END SOLUTION\n?", re.S)
HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS\n(.*?)[ \t]*### END HIDDEN TESTS\n?", re.S)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

# Typical mistakes, one hand-in per assignment: answer cell -> what the student wrote there.
MISTAKES = {
    "sigmoid_tree": {
        # right numbers; the backward forgets to multiply by the upstream gradient
        "task3_answer": (
            "def sigmoid_backward(z, upstream):\n"
            "    s = 1 / (1 + np.exp(-z))\n"
            "    return s * (1 - s)\n"
        ),
    },
    "gradients_add_at_branches": {
        # df/db along one path only; a backward that is right but only works for numbers
        "task2_answer": "a, b, c = 1.5, -2.0, 4.0\ndf_db = b + c\n",
        "task3_answer": (
            "def branch_backward(a, b, c, upstream):\n"
            "    x, y = a + b, b + c\n"
            "    return float(upstream * y), float(upstream * (x + y)), float(upstream * x)\n"
        ),
    },
    "two_layer_network": {
        # the delta is right, but only for the network in the notebook (the arguments are ignored)
        "task2_answer": (
            "def output_delta(W1_, W2_, x_, t_):\n"
            "    y = sigmoid(W2 @ sigmoid(W1 @ x))\n"
            "    return (y - t) * y * (1 - y)\n"
        ),
    },
}

# The test cells each mistaken hand-in still passes; every other test cell must fail.
STILL_PASSING = {
    "sigmoid_tree": {"task1_test", "task2_test"},
    "gradients_add_at_branches": {"task1_test", "task3_test"},
    "two_layer_network": {"task1_test", "task2_test", "task3_test"},
}


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def test_cells(nb) -> dict[str, float]:
    """The autograded test cells of a notebook: grade id -> points."""
    return {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c)["points"]) for c in nb.cells
            if nbgrader_meta(c).get("grade") and c.cell_type == "code"}


test_cells.__test__ = False  # a helper, not a test


def run_nbgrader(course: Path, *args: str) -> str:
    """``nbgrader ARGS`` for the course in ``course``, from this Python's environment, isolated from user config."""
    bin_dir = Path(sys.executable).parent  # nbgrader runs `alembic` from PATH
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(course / ".jupyter-config"))
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}",
               f"--db=sqlite:///{course / 'gradebook.db'}"]
    done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=900)
    log = done.stdout + done.stderr
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{log[-4000:]}"
    return log


def with_mistakes(source_nb, mistakes: dict[str, str]):
    nb = nbformat.from_dict(source_nb)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in mistakes:
            cell.source = mistakes[grade_id]
    assert {nbgrader_meta(c).get("grade_id") for c in nb.cells} >= set(mistakes)
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course directory: the sources, their student versions, three hand-ins each, all autograded."""
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(COURSE / "source", course / "source")
    shutil.copy(COURSE / "nbgrader_config.py", course)
    run_nbgrader(course, "generate_assignment", "*")
    for name in ASSIGNMENTS:
        source = read(course / "source" / name / f"{name}.ipynb")
        hand_ins = {
            "blank": read(course / "release" / name / f"{name}.ipynb"),  # the student version, untouched
            "teacher": source,  # the instructor's solution
            "mistaken": with_mistakes(source, MISTAKES[name]),
        }
        for student, nb in hand_ins.items():
            folder = course / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{name}.ipynb")
    run_nbgrader(course, "autograde", "*")
    run_nbgrader(course, "generate_feedback", "*")
    return course


@pytest.fixture(scope="module")
def grades(course) -> dict:
    """(assignment, student) -> (score, max score, {test cell: score})."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for name in ASSIGNMENTS:
            for student in ("blank", "teacher", "mistaken"):
                submission = gradebook.find_submission(name, student)
                notebook = gradebook.find_submission_notebook(name, name, student)
                cells = {grade.name: grade.score for grade in notebook.grades}
                found[name, student] = (submission.score, submission.max_score, cells)
    return found


# ---- the sources ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_source_has_solutions_hidden_tests_and_points(name):
    nb = read(COURSE / "source" / name / f"{name}.ipynb")
    solutions = [c for c in nb.cells if nbgrader_meta(c).get("solution")]
    assert len(solutions) >= 3 and all(SOLUTION.search(c.source) for c in solutions)
    tests = test_cells(nb)
    assert len(tests) >= 4 and all(points > 0 for points in tests.values())
    hidden = [c for c in nb.cells if HIDDEN.search(c.source)]
    assert hidden and all(nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("locked") for c in hidden)
    ids = [nbgrader_meta(c).get("grade_id") for c in nb.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), "grade ids must be unique"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_first_code_cell_sets_what_students_see_in_one_line(name):
    nb = read(COURSE / "source" / name / f"{name}.ipynb")
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert nbgrader_meta(first).get("locked")
    settings = [line for line in first.source.splitlines() if line.startswith("configure(")]
    assert len(settings) == 1 and "quiz=True" in settings[0] and "hide_gradients=True" in settings[0]


# ---- the student version -------------------------------------------------------------------------------


def regions_only(source_nb, pattern) -> list[str]:
    """Lines inside the marked regions that appear nowhere outside them (so must not reach students)."""
    text = "\n".join(c.source for c in source_nb.cells)
    outside = pattern.sub("", text)
    lines = [line.strip() for cell in source_nb.cells for region in pattern.findall(cell.source)
             for line in region.splitlines()]
    return [line for line in lines if line and not line.startswith("#") and line not in outside]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_student_version_has_no_solutions_and_no_hidden_tests(course, name):
    source = read(course / "source" / name / f"{name}.ipynb")
    release = read(course / "release" / name / f"{name}.ipynb")
    text = "\n".join(c.source for c in release.cells)
    for marker in MARKERS:
        assert marker not in text
    secret = regions_only(source, SOLUTION) + regions_only(source, HIDDEN)
    assert len(secret) >= 10
    leaked = [line for line in secret if line in text]
    assert not leaked, leaked
    stubs = [c for c in release.cells if c.cell_type == "code" and "raise NotImplementedError()" in c.source]
    assert len(stubs) == sum(1 for c in source.cells if nbgrader_meta(c).get("solution"))


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_student_version_keeps_every_test_cell_locked_with_its_points(course, name):
    source = read(course / "source" / name / f"{name}.ipynb")
    release = read(course / "release" / name / f"{name}.ipynb")
    assert test_cells(release) == test_cells(source)
    assert all(nbgrader_meta(c)["locked"] for c in release.cells if nbgrader_meta(c).get("grade"))
    assert all(not c.get("outputs") for c in release.cells)


# ---- autograding ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_instructors_solution_gets_full_marks(grades, name):
    score, max_score, cells = grades[name, "teacher"]
    assert max_score == sum(test_cells(read(COURSE / "source" / name / f"{name}.ipynb")).values())
    assert score == max_score, cells


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_untouched_student_version_gets_zero(grades, name):
    score, max_score, cells = grades[name, "blank"]
    assert max_score > 0
    assert score == 0, cells


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_typical_mistakes_get_partial_marks(grades, name):
    score, max_score, cells = grades[name, "mistaken"]
    assert 0 < score < max_score
    passing = {cell for cell, points in cells.items() if points > 0}
    assert passing == STILL_PASSING[name], cells


def test_hidden_tests_catch_what_the_visible_tests_let_through(grades):
    # the number-only backward and the delta that ignores its arguments pass their visible cells
    _, _, branches = grades["gradients_add_at_branches", "mistaken"]
    assert branches["task3_test"] > 0 and branches["task3_hidden"] == 0
    _, _, network = grades["two_layer_network", "mistaken"]
    assert network["task2_test"] > 0 and network["task2_hidden"] == 0


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_graded_notebook_shows_the_hidden_tests_and_why_a_test_failed(course, name):
    graded = read(course / "autograded" / "mistaken" / name / f"{name}.ipynb")
    text = "\n".join(c.source for c in graded.cells)
    assert "BEGIN HIDDEN TESTS" in text  # autograding puts the instructor's tests back
    errors = [o for c in graded.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and all(e.ename == "AssertionError" and e.evalue for e in errors)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_feedback_gives_scores_and_reasons_but_not_the_hidden_tests(course, name):
    source = read(course / "source" / name / f"{name}.ipynb")
    page = (course / "feedback" / "mistaken" / name / f"{name}.html").read_text()
    assert "Not yet" in page and "Score:" in page
    assert "BEGIN HIDDEN TESTS" not in page
    hidden = [line for line in regions_only(source, HIDDEN) if len(line) > 20]
    assert hidden and not [line for line in hidden if line in page]
