"""A class through nbgrader, as INSTRUCTORS.md says: roster, release, zip_collect, autograde in the sandbox, feedback, export.

Students get numbers of their own (from the id they type); the tests run outside the kernel that ran the
hand-in (backprop_widgets.grading.judge); the hand-in runs in the bubblewrap sandbox. Honest hand-ins score
what they should, for several students; hostile ones score 0 with the reason, and leave the gradebook and the
feedback clean.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
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

# The roster (INSTRUCTORS.md: "nbgrader db student import"): nbgrader's id is the id in the LMS's file names.
ROSTER = [
    {"id": "ada", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.edu"},
    {"id": "bo", "first_name": "Bo", "last_name": "Li", "email": "bo@example.edu"},
    {"id": "cy", "first_name": "Cy", "last_name": "Young", "email": "cy@example.edu"},
    {"id": "absent", "first_name": "Ab", "last_name": "Sent", "email": "absent@example.edu"},
]
# What each honest student types as STUDENT_ID: their id, their e-mail, their id in other case with spaces.
TYPED = {"ada": "ada", "bo": "bo@example.edu", "cy": " CY "}
# The regexp INSTRUCTORS.md gives for Moodle's "Download all submissions" (matched against the whole path).
MOODLE_REGEXP = r".*/[^/]*_(?P<student_id>[^_/]+)_assignsubmission_file_(?P<file_id>[^/]+\.ipynb)"

# Typical mistakes: answer cell -> what the student wrote there (in terms of their own numbers).
MISTAKES = {
    "sigmoid_tree": {
        # right numbers; the backward forgets to multiply by the upstream gradient
        "task3_answer": "def sigmoid_backward(z, upstream):\n    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)\n",
    },
    "gradients_add_at_branches": {
        # df/db along one path only; a backward that is right but only works for numbers
        "task2_answer": "df_db = B + C\n",
        "task3_answer": (
            "def branch_backward(a, b, c, upstream):\n"
            "    x, y = a + b, b + c\n"
            "    return float(upstream * y), float(upstream * (x + y)), float(upstream * x)\n"
        ),
    },
    "two_layer_network": {
        # a quarter of the error: passes the visible sign and bound, not the values
        "task2_answer": "def output_delta(W1_, W2_, x_, t_):\n    return (sigmoid(W2_ @ sigmoid(W1_ @ x_)) - t_) / 4\n",
    },
}
# The test cells each mistaken hand-in still passes; every other test cell must fail.
STILL_PASSING = {
    "sigmoid_tree": {"task1_test", "task1_hidden", "task2_test", "task2_hidden"},
    "gradients_add_at_branches": {"task1_test", "task1_hidden", "task2_test", "task3_test"},
    "two_layer_network": {"task1_test", "task1_hidden", "task2_test", "task3_test"},
}

# Hostile hand-ins of sigmoid_tree: wrong answers (0.5, 0.5, a function returning 0) plus an attack in the
# first answer cell. "_hidden" variants dodge the tripwire (scan.py), to show that the verdicts do not
# depend on it. What each must leave in the graded notebook: the reason it scored 0.
WRONG = {
    "task1_answer": "local_grad_g_d = 0.5\n",
    "task2_answer": "slope_at_X = 0.5\n",
    "task3_answer": "def sigmoid_backward(z, upstream):\n    return 0 * z\n",
}
HOSTILE = {
    "patch": (
        "import backprop_widgets.exercises as _E\n"
        "_E.Exercise.check = lambda self, answer, strict=False: _E.Verdict(True, 'ok')\n",
        "changes the kit",
    ),
    "patch_hidden": (
        "import backprop_widgets.exercises as _E\n"
        "type.__setattr__(_E.Exercise, 'check', lambda self, answer, strict=False: _E.Verdict(True, 'ok'))\n",
        "Not yet",
    ),
    "transformer": (
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n",
        "reaches into IPython",
    ),
    "transformer_hidden": (
        "import IPython as _I\n"
        "getattr(_I.get_ipython(), 'input_transformers' + '_post').append(lambda lines: ['pass\\n'])\n",
        "gave no report",
    ),
    "read_source": (
        "import io, glob\n"
        "for _p in glob.glob('../../../source/*/*.ipynb') + ['../../../source/sigmoid_tree/sigmoid_tree.ipynb']:\n"
        "    try:\n        print(io.open(_p).read())\n"
        "    except OSError as _e:\n        print('blocked:', type(_e).__name__)\n",
        "Not yet",
    ),
    "gradebook": (
        "import sqlite3\n"
        "_db = sqlite3.connect('../../../gradebook.db')\n"
        "_db.executescript('CREATE TRIGGER bpw AFTER UPDATE ON grade BEGIN UPDATE grade SET auto_score = 99 "
        "WHERE id = NEW.id AND auto_score IS NOT 99; END;')\n",
        "touches databases",
    ),
    "print_later": (
        "get_ipython().events.register('pre_run_cell', lambda info: print(info.raw_cell))\n",
        "reaches into IPython",
    ),
    "print_later_hidden": (
        "import IPython as _I\n"
        "getattr(getattr(_I.get_ipython(), 'ev' + 'ents'), 'reg' + 'ister')"
        "('pre_run_cell', lambda info: print(info.raw_cell))\n",
        "Not yet",
    ),
}


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def test_cells(nb) -> dict[str, float]:
    """The autograded test cells of a notebook: grade id -> points."""
    return {
        nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c)["points"])
        for c in nb.cells
        if nbgrader_meta(c).get("grade") and c.cell_type == "code"
    }


test_cells.__test__ = False  # a helper, not a test


def environment(course: Path) -> dict:
    bin_dir = Path(sys.executable).parent  # nbgrader runs `alembic` from PATH
    return dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(course / ".jupyter-config"),
        JUPYTER_PATH=str(course / ".jupyter-prefix" / "share" / "jupyter"),
    )


def run_nbgrader(course: Path, *args: str, **env: str) -> str:
    """``nbgrader ARGS`` from inside the course folder, as INSTRUCTORS.md says, isolated from user config."""
    command = [sys.executable, "-m", "nbgrader", *args]
    done = subprocess.run(
        command, cwd=course, env=dict(environment(course), **env), capture_output=True, text=True, timeout=900
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{log[-4000:]}"
    return log


def require_sandbox() -> None:
    from backprop_widgets.grading.sandbox import bwrap_works

    works, why = bwrap_works()
    if works:
        return
    message = (
        f"the grading sandbox cannot run here: {why}. On Debian as root, .ci/install-bubblewrap installs it; "
        "set BPW_SKIP_SANDBOX=1 to skip these tests knowingly"
    )
    if os.environ.get("BPW_SKIP_SANDBOX", "").lower() in ("1", "true", "yes", "on"):
        pytest.skip(message)
    pytest.fail(message)


def hand_in(nb, typed: str | None, answers: dict[str, str] | None = None):
    """A copy of ``nb`` with STUDENT_ID typed and some answer cells replaced."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("STUDENT_ID") and typed is not None:
            cell.source = f"STUDENT_ID = {typed!r}"
        grade_id = nbgrader_meta(cell).get("grade_id")
        if answers and grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def submit(course: Path, student: str, name: str, nb) -> None:
    folder = course / "submitted" / student / name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course graded as INSTRUCTORS.md says, with honest, mistaken and hostile hand-ins."""
    require_sandbox()
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(COURSE / "source", course / "source")
    shutil.copy(COURSE / "nbgrader_config.py", course)
    # Setting up: the sandbox's kernel spec (here into the course's own Jupyter path).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "backprop_widgets.grading.sandbox",
            "install",
            "--prefix",
            str(course / ".jupyter-prefix"),
        ],
        check=True,
        env=environment(course),
        capture_output=True,
    )
    # The roster.
    with open(course / "roster.csv", "w", newline="") as roster:
        writer = csv.DictWriter(roster, fieldnames=list(ROSTER[0]))
        writer.writeheader()
        writer.writerows(ROSTER)
    run_nbgrader(course, "db", "student", "import", "roster.csv")
    run_nbgrader(course, "generate_assignment", "*")
    # The hand-ins: sigmoid_tree's honest ones come through zip_collect, as from Moodle.
    archive = course / "downloaded" / "sigmoid_tree" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "moodle-download.zip", "w") as zipped:
        for student, typed in TYPED.items():
            source = read(course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb")
            full = next(f"{r['first_name']} {r['last_name']}" for r in ROSTER if r["id"] == student)
            zipped.writestr(
                f"{full}_{student}_assignsubmission_file_sigmoid_tree.ipynb", nbformat.writes(hand_in(source, typed))
            )
    course_log = {
        "zip_collect": run_nbgrader(
            course, "zip_collect", "sigmoid_tree", f"--FileNameCollectorPlugin.named_regexp={MOODLE_REGEXP}"
        )
    }
    for name in ASSIGNMENTS:
        source = read(course / "source" / name / f"{name}.ipynb")
        release = read(course / "release" / name / f"{name}.ipynb")
        if name != "sigmoid_tree":
            for student in ("ada", "bo"):
                submit(course, student, name, hand_in(source, TYPED[student]))
        submit(course, "mistaken", name, hand_in(source, "mistaken", MISTAKES[name]))
    source = read(course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    release = read(course / "release" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    submit(course, "blank", "sigmoid_tree", hand_in(release, "blank"))
    submit(course, "hub", "sigmoid_tree", hand_in(source, ""))  # on a JupyterHub the id may stay empty
    submit(course, "dan", "sigmoid_tree", hand_in(source, "ada"))  # ada's notebook, handed in by dan
    for student, (attack, _) in HOSTILE.items():
        answers = dict(WRONG, task1_answer=attack + WRONG["task1_answer"])
        submit(course, student, "sigmoid_tree", hand_in(release, student, answers))
    started = time.perf_counter()
    course_log["autograde"] = run_nbgrader(course, "autograde", "*")
    course_log["seconds"] = time.perf_counter() - started
    course_log["generate_feedback"] = run_nbgrader(course, "generate_feedback", "*")
    course_log["export"] = run_nbgrader(course, "export")
    (course / "test-log.json").write_text(json.dumps(course_log))
    return course


@pytest.fixture(scope="module")
def logs(course) -> dict:
    return json.loads((course / "test-log.json").read_text())


def graded_students(course: Path, name: str) -> list[str]:
    return sorted(p.name for p in (course / "autograded").iterdir() if (p / name).is_dir())


@pytest.fixture(scope="module")
def grades(course) -> dict:
    """(assignment, student) -> (score, max score, {test cell: score})."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for name in ASSIGNMENTS:
            for student in graded_students(course, name):
                submission = gradebook.find_submission(name, student)
                notebook = gradebook.find_submission_notebook(name, name, student)
                cells = {grade.name: grade.score for grade in notebook.grades}
                found[name, student] = (submission.score, submission.max_score, cells)
    return found


def graded(course: Path, name: str, student: str):
    return read(course / "autograded" / student / name / f"{name}.ipynb")


def outputs_text(nb) -> str:
    return "\n".join(
        o.get("text", "") + o.get("evalue", "") + "".join(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        for o in c.get("outputs", [])
    )


def secret_lines(source_nb, patterns=(SOLUTION, HIDDEN)) -> list[str]:
    """Lines of the solutions and hidden tests (or of ``patterns``) that appear nowhere else in the source."""
    text = "\n".join(c.source for c in source_nb.cells)
    outside = text
    for pattern in patterns:
        outside = pattern.sub("", outside)
    lines = [
        line.strip()
        for cell in source_nb.cells
        for pattern in patterns
        for region in pattern.findall(cell.source)
        for line in region.splitlines()
    ]
    return [line for line in lines if len(line) > 12 and not line.startswith("#") and line not in outside]


# ---- the sources ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_source_has_solutions_hidden_tests_and_points(name):
    nb = read(COURSE / "source" / name / f"{name}.ipynb")
    solutions = [c for c in nb.cells if nbgrader_meta(c).get("solution")]
    assert len(solutions) >= 3 and all(SOLUTION.search(c.source) for c in solutions)
    tests = test_cells(nb)
    assert len(tests) >= 6 and all(points > 0 for points in tests.values())
    ids = [nbgrader_meta(c).get("grade_id") for c in nb.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), "grade ids must be unique"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_visible_tests_are_worth_little_and_hidden_tests_most(name):
    nb = read(COURSE / "source" / name / f"{name}.ipynb")
    visible = {
        c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"]
        for c in nb.cells
        if nbgrader_meta(c).get("grade") and not HIDDEN.search(c.source)
    }
    hidden = {
        c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"]
        for c in nb.cells
        if nbgrader_meta(c).get("grade") and HIDDEN.search(c.source)
    }
    assert set(visible.values()) == {1}, visible
    assert sum(hidden.values()) >= 2 * sum(visible.values()), (visible, hidden)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_first_code_cell_asks_for_the_student_id(name):
    nb = read(COURSE / "source" / name / f"{name}.ipynb")
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert not nbgrader_meta(first) and first.source.startswith('STUDENT_ID = ""')
    setup = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "setup")
    assert nbgrader_meta(setup).get("locked")
    assert f'my_numbers("{name}", STUDENT_ID)' in setup.source
    settings = [line for line in setup.source.splitlines() if line.startswith("configure(")]
    assert len(settings) == 1 and "assessment=True" in settings[0]
    from backprop_widgets.widgets.options import configure, defaults

    before = defaults()
    try:  # the line's effect: a quiz, gradients hidden (and no run to end, no gradient check)
        configure(reset=True)
        exec(settings[0], {"configure": configure})
        assert {k: defaults()[k] for k in ("assessment", "quiz", "hide_gradients")} == dict.fromkeys(
            ("assessment", "quiz", "hide_gradients"), True
        )
    finally:
        configure(reset=True)
        configure(**before)


# ---- the student version -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_student_version_has_no_solutions_and_no_hidden_tests(course, name):
    source = read(course / "source" / name / f"{name}.ipynb")
    release = read(course / "release" / name / f"{name}.ipynb")
    text = "\n".join(c.source for c in release.cells)
    for marker in MARKERS:
        assert marker not in text
    secret = secret_lines(source)
    assert len(secret) >= 10
    assert not [line for line in secret if line in text]
    assert test_cells(release) == test_cells(source)
    assert all(nbgrader_meta(c)["locked"] for c in release.cells if nbgrader_meta(c).get("grade"))


# ---- honest hand-ins -----------------------------------------------------------------------------------


def test_zip_collect_with_the_documented_regexp_collects_every_file(course, logs):
    for student in TYPED:
        assert (course / "submitted" / student / "sigmoid_tree" / "sigmoid_tree.ipynb").is_file(), logs["zip_collect"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_students_solution_gets_full_marks(grades, name):
    students = list(TYPED) if name == "sigmoid_tree" else ["ada", "bo"]
    max_points = sum(test_cells(read(COURSE / "source" / name / f"{name}.ipynb")).values())
    for student in students:
        score, max_score, cells = grades[name, student]
        assert max_score == max_points
        assert score == max_score, (student, cells)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_students_get_different_numbers(course, name):
    students = list(TYPED) if name == "sigmoid_tree" else ["ada", "bo"]
    printed = {}
    for student in students:
        setup = next(c for c in graded(course, name, student).cells if nbgrader_meta(c).get("grade_id") == "setup")
        printed[student] = outputs_text(nbformat.from_dict({"cells": [setup]}))
        assert "Your numbers" in printed[student], printed[student]
    assert len(set(printed.values())) == len(students), printed


def test_an_empty_id_on_a_hub_is_graded_as_the_hand_ins_id(grades):
    score, max_score, _ = grades["sigmoid_tree", "hub"]
    assert score == max_score


def test_the_untouched_student_version_gets_zero(grades):
    score, max_score, cells = grades["sigmoid_tree", "blank"]
    assert max_score > 0 and score == 0, cells


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_typical_mistakes_get_the_visible_points_and_fail_the_hidden_tests(grades, name):
    score, max_score, cells = grades[name, "mistaken"]
    assert 0 < score < max_score
    assert {cell for cell, points in cells.items() if points > 0} == STILL_PASSING[name], cells


def test_a_notebook_made_for_another_student_scores_zero_with_the_reason(course, grades):
    assert grades["sigmoid_tree", "dan"][0] == 0
    assert "someone else's" in outputs_text(graded(course, "sigmoid_tree", "dan"))


def test_a_failed_test_says_why_without_its_code(course):
    nb = graded(course, "two_layer_network", "mistaken")
    hidden = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "task2_hidden")
    assert "BEGIN HIDDEN TESTS" in hidden.source  # the instructor sees the test
    (error,) = hidden.outputs
    assert error.output_type == "error" and error.evalue.startswith("✘ Not yet") and len(error.traceback) == 1


# ---- hostile hand-ins ----------------------------------------------------------------------------------


@pytest.mark.parametrize("student", HOSTILE)
def test_a_hostile_hand_in_scores_zero_with_a_reason(course, grades, student):
    score, max_score, cells = grades["sigmoid_tree", student]
    assert max_score > 0 and score == 0, cells
    assert HOSTILE[student][1] in outputs_text(graded(course, "sigmoid_tree", student))


def test_the_sandbox_kept_the_course_out_of_reach(course):
    printed = outputs_text(graded(course, "sigmoid_tree", "read_source"))
    assert "blocked: FileNotFoundError" in printed and "BEGIN SOLUTION" not in printed
    with sqlite3.connect(course / "gradebook.db") as db:
        assert not db.execute("SELECT COUNT(*) FROM grade WHERE auto_score = 99").fetchone()[0]
    assert not list((course / "autograded").glob("*/*/written-in-sandbox"))


@pytest.mark.parametrize("student", ["ada", "mistaken", *HOSTILE])
def test_feedback_and_graded_notebooks_show_no_solution_and_no_hidden_test(course, student):
    source = read(course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    page = (course / "feedback" / student / "sigmoid_tree" / "sigmoid_tree.html").read_text()
    assert "Score:" in page and "BEGIN HIDDEN TESTS" not in page
    hidden = secret_lines(source, (HIDDEN,))
    assert hidden and not [line for line in hidden if line in page]
    printed = outputs_text(graded(course, "sigmoid_tree", student))
    assert not [line for line in secret_lines(source) if line in printed]


def test_grades_csv_lists_every_student_on_the_roster(course):
    with open(course / "grades.csv") as grades_file:
        rows = list(csv.DictReader(grades_file))
    assert {row["student_id"] for row in rows if row["assignment"] == "sigmoid_tree"} >= {"absent", "ada", "patch"}
    absent = next(r for r in rows if r["student_id"] == "absent" and r["assignment"] == "sigmoid_tree")
    assert float(absent["score"]) == 0


def test_the_log_warns_only_about_real_problems(logs):
    warnings = [line for line in logs["autograde"].splitlines() if "| WARNING]" in line]
    assert not [w for w in warnings if "checksum" in w], warnings
    refused = {student for student, (_, reason) in HOSTILE.items() if "Not yet" not in reason}
    for student in refused | {"dan"}:
        assert [w for w in warnings if f"sigmoid_tree/{student} scored 0" in w], student


def test_autograding_takes_seconds_per_notebook(course, logs):
    notebooks = len(list((course / "autograded").glob("*/*/*.ipynb")))
    per_notebook = logs["seconds"] / notebooks
    print(f"autograde in the sandbox: {per_notebook:.1f} s per notebook ({notebooks} notebooks)")
    assert per_notebook < 60
