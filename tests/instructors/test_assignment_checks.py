"""The grader's judge without nbgrader or a kernel: each test cell, for several students, on right and wrong answers.

A "kernel" here is a namespace in this process: the hand-in's cells run in it (with its probes in place of
the tests, as when grading), the probes' printed reports go to the judge, and the judge runs the source's
tests on them. Fast enough to try several students per assignment.
"""

from __future__ import annotations

import contextlib
import io
import math
from pathlib import Path

import nbformat
import pytest

from backprop_widgets import configure
from backprop_widgets.grading import my_numbers, seed_for
from backprop_widgets.grading.judge import Plan, _kind, _meta, judge_notebook, plan_notebook
from backprop_widgets.grading.probe import find_reports, probe_source
from backprop_widgets.grading.scan import scan_cell
from backprop_widgets.widgets.options import defaults

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "assignments" / "source"
ASSIGNMENTS = ("sigmoid_tree", "gradients_add_at_branches", "two_layer_network")
STUDENTS = ("ada", "bo", "s1234567")

# answer cell -> wrong code, and the test cells it must fail (all others pass)
WRONG = {
    "sigmoid_tree": [
        (
            {"task1_answer": "def local_grad_g_d(x):\n    return -1 / (math.exp(-x) + 1)\n"},
            {"task1_hidden", "task2_hidden"},
        ),  # -1/d, carried on
        ({"task2_answer": "def sigmoid_slope(x):\n    return 0.25\n"}, {"task2_hidden"}),  # the slope at 0
        (
            {"task1_answer": "def local_grad_g_d(x):\n    return -1 / (math.exp(-X) + 1) ** 2\n"},
            {"task1_hidden", "task2_hidden"},
        ),  # right at the student's X only
        (
            {
                "task3_answer": "def sigmoid_backward(z, upstream):\n    s = 1 / (1 + math.exp(-z))\n"
                "    return upstream * s * (1 - s)\n"
            },
            {"task3_hidden"},
        ),  # numbers only
        (
            {"task3_answer": "def sigmoid_backward(z, upstream):\n    return upstream / 4\n"},
            {"task3_test", "task3_hidden"},
        ),
        (
            {"task1_answer": "local_grad_g_d = -1 / (math.exp(-X) + 1) ** 2\n"},
            {"task1_test", "task1_hidden", "task2_test", "task2_hidden"},
        ),  # a number, as the task was asked before: not a function
    ],
    "gradients_add_at_branches": [
        ({"task1_answer": "def local_grad_f_x(a, b, c):\n    return a + b\n"}, {"task1_hidden"}),  # df/dy
        ({"task2_answer": "def df_db(a, b, c):\n    return a + b\n"}, {"task2_hidden"}),  # one path
        (
            {
                "task3_answer": "def branch_backward(a, b, c, upstream):\n    return upstream * (b + c), upstream * (b + c), "
                "upstream * (a + b)\n"
            },
            {"task3_test", "task3_hidden"},
        ),
        (
            {"task3_answer": "def branch_backward(a, b, c, upstream):\n    raise ZeroDivisionError('oops')\n"},
            {"task3_test", "task3_hidden"},
        ),
    ],
    "two_layer_network": [
        ({"task1_answer": "def local_grad_y_z2(x, w1, w2):\n    return 0.25\n"}, {"task1_hidden"}),
        (
            {
                "task2_answer": "def output_delta(W1_, W2_, x_, t_):\n"
                "    y = sigmoid(W2 @ sigmoid(W1 @ x))\n    return (y - t) * y * (1 - y)\n"
            },
            {"task2_hidden", "task3_hidden"},
        ),  # ignores its arguments: right on the student's numbers only (and dC_dW2 builds on it)
        (
            {"task3_answer": "def dC_dW2(W1, W2, x, t):\n    return np.zeros((3, 2))\n"},
            {"task3_test", "task3_hidden"},
        ),
        (
            {
                "task3_answer": "def dC_dW2(W1, W2, x, t):\n"
                "    return np.outer(sigmoid(W2 @ sigmoid(W1 @ x)) - t, sigmoid(W1 @ x))\n"
            },
            {"task3_hidden"},
        ),  # ∇C where δ2 belongs
    ],
}


def notebook(name: str):
    return nbformat.read(SOURCE / name / f"{name}.ipynb", as_version=4)


@pytest.fixture(autouse=True)
def keep_widget_defaults():
    """The notebooks call configure(); put the widget defaults back for the tests that follow."""
    before = defaults()
    yield
    configure(reset=True)
    configure(**before)


def run_hand_in(source, student: str, answers: dict[str, str], seed: int = 7):
    """Grade a hand-in (the source with some answers replaced) as the grader would, with this process as kernel."""
    tests = plan_notebook(source, student, seed)
    kernel: dict = {"__name__": "__main__", "STUDENT_ID": student}
    reports = {}
    import __main__

    saved = dict(__main__.__dict__)
    try:
        for cell in source.cells:
            kind = _kind(cell)
            grade_id = _meta(cell).get("grade_id")
            if kind == "given" and not grade_id.startswith("practice"):
                code = cell.source
            elif kind == "answer":
                code = answers.get(grade_id, cell.source)
            elif kind == "test":
                test = tests[grade_id]
                code = probe_source(test.nonce, test.names, test.calls)
            else:
                continue
            __main__.__dict__.update(kernel)  # the probe reads the kernel's namespace from __main__
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                try:
                    exec(code, kernel)
                except Exception:
                    pass  # a student's cell that raises: later cells run on (nbgrader's allow_errors)
            if kind == "test":
                (reports[grade_id],) = find_reports(out.getvalue(), tests[grade_id].nonce)
    finally:
        __main__.__dict__.clear()
        __main__.__dict__.update(saved)
    verdicts = judge_notebook(source, Plan(student, student, seed, tests, []), reports)
    return verdicts


@pytest.mark.parametrize("name", ASSIGNMENTS)
@pytest.mark.parametrize("student", STUDENTS)
def test_each_students_solution_passes_every_test(name, student):
    verdicts = run_hand_in(notebook(name), student, {})
    assert all(v.passed for v in verdicts.values()), {g: v.text for g, v in verdicts.items() if not v.passed}
    assert not any("✘" in v.text for v in verdicts.values())


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_wrong_answers_fail_the_tests_they_should_with_a_reason(name):
    for answers, failing in WRONG[name]:
        verdicts = run_hand_in(notebook(name), "ada", answers)
        failed = {g for g, v in verdicts.items() if not v.passed}
        assert failed == failing, (answers, {g: v.text for g, v in verdicts.items()})
        for grade_id in failing:
            assert len(verdicts[grade_id].text) > 15


def test_a_function_that_returns_another_students_number_fails_the_hidden_tests():
    source = notebook("sigmoid_tree")
    # bo's answer worked out for bo's X, handed in as a function by ada
    bo = f"def local_grad_g_d(x):\n    return {-1 / (math.exp(-_x_of('bo')) + 1) ** 2!r}\n"
    verdicts = run_hand_in(source, "ada", {"task1_answer": bo})
    assert verdicts["task1_test"].passed and not verdicts["task1_hidden"].passed


def test_a_wrong_local_gradient_carried_into_the_chain_is_named_in_both_tasks():
    verdicts = run_hand_in(
        notebook("sigmoid_tree"), "ada", {"task1_answer": WRONG["sigmoid_tree"][0][0]["task1_answer"]}
    )
    assert "that is -1/d" in verdicts["task1_hidden"].text
    assert "that chains -1/d for ∂g/∂d" in verdicts["task2_hidden"].text, verdicts["task2_hidden"].text


@pytest.mark.parametrize(
    ("name", "answers", "grade_id"),
    [
        (
            "sigmoid_tree",
            {"task1_answer": "def local_grad_g_d(x):\n    return -1 / (math.exp(-X) + 1) ** 2\n"},
            "task1_hidden",
        ),
        (
            "sigmoid_tree",
            {"task2_answer": "def sigmoid_slope(x):\n    s = 1 / (1 + math.exp(-X))\n    return s * (1 - s)\n"},
            "task2_hidden",
        ),
        (
            "gradients_add_at_branches",
            {"task1_answer": "def local_grad_f_x(a, b, c):\n    return B + C\n"},
            "task1_hidden",
        ),
        (
            "gradients_add_at_branches",
            {"task2_answer": "def df_db(a, b, c):\n    return A + 2 * B + C\n"},
            "task2_hidden",
        ),
        (
            "two_layer_network",
            {
                "task1_answer": "def local_grad_y_z2(x, w1, w2):\n    y = 1 / (1 + np.exp(-W2_0 / (1 + np.exp(-W1_0 * X0))))\n    return float(y * (1 - y))\n"
            },
            "task1_hidden",
        ),
    ],
)
def test_a_function_right_at_the_students_numbers_only_is_told_so(name, answers, grade_id):
    verdicts = run_hand_in(notebook(name), "ada", answers)
    assert not verdicts[grade_id].passed
    assert "that is its value at your numbers, not at these inputs" in verdicts[grade_id].text, verdicts[grade_id].text


def _x_of(student: str) -> float:
    return round(float(my_numbers("sigmoid_tree", student).uniform(0.5, 3.0)), 2)


def test_numbers_depend_on_the_student_and_the_assignment_only():
    assert seed_for("sigmoid_tree", "ada") == seed_for("sigmoid_tree", " ADA ")
    assert len({seed_for(a, s) for a in ASSIGNMENTS for s in STUDENTS}) == len(ASSIGNMENTS) * len(STUDENTS)
    assert len({_x_of(s) for s in STUDENTS}) == len(STUDENTS)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_expected_value_or_test_code_reaches_the_kernel(name):
    source = notebook(name)
    tests = plan_notebook(source, "ada", 7)
    for test in tests.values():
        probe = probe_source(test.nonce, test.names, test.calls)
        assert "Exercise" not in probe and "BEGIN HIDDEN" not in probe and "assert" not in probe


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_instructors_solutions_pass_the_tripwire(name):
    for cell in notebook(name).cells:
        if _kind(cell) == "answer" or not _meta(cell):
            assert scan_cell(cell.source) == [], cell.source


def test_the_guide_lists_every_assignment_with_its_points():
    guide = (ROOT / "INSTRUCTORS.md").read_text()
    assert "(INSTRUCTORS.md)" in (ROOT / "README.md").read_text()
    for name in ASSIGNMENTS:
        points = sum(_meta(c).get("points", 0) for c in notebook(name).cells)
        row = next(line for line in guide.splitlines() if line.startswith(f"| `{name}` |"))
        assert row.rstrip(" |").endswith(f"| {points:g}"), row


def test_the_tripwire_sees_every_way_to_read_a_local_gradient_off_the_engine():
    for code, shortcut in [("_f.local_grads()[0]", "`.local_grads()`"), ("_f.vjp()(0, 1.0)", "`.vjp()`")]:
        assert scan_cell(f"answer = {code}\n") == [f"reads the answer off the engine ({shortcut})"]


def test_the_grader_sets_the_grading_seed_for_one_hand_in_only_and_leaves_no_global_changed():
    from backprop_widgets.grading import grading_seed, numbers

    cell = nbformat.v4.new_code_cell(
        "from backprop_widgets.grading import grading_seed, numbers\nSEEN += [grading_seed(), numbers._GRADING_SEED]",
        metadata={"nbgrader": {"locked": True}},
    )
    seen: list[int] = []
    before = numbers._GRADING_SEED
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("backprop_widgets.grading.judge._namespace", lambda student_id: {"SEEN": seen})
        plan_notebook(nbformat.v4.new_notebook(cells=[cell]), "ada", 12345)
    assert seen == [12345, before]  # the seed is the block's own, not a module's global swapped
    assert numbers._GRADING_SEED == before and grading_seed() == before
