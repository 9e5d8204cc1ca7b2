"""assignments/source/your_own_engine through the grader's judge, without nbgrader: the student's Value class is
judged from its code in a fresh sandboxed process (standard library only), task by task.

The judge is called as ``JudgeAnswers`` calls it: the source's tests planned on the instructor's class, then run
with the hand-in's class standing in as a ``StudentClass`` (its cells' definitions, run in the sandbox).
"""

from __future__ import annotations

import re
import time

import nbformat
import pytest

from backprop_widgets.grading.engines import StudentClass, check_engine, examples
from backprop_widgets.grading.judge import Plan, fresh_code, judge_notebook, plan_notebook

from .engine_hand_ins import EARNED, SAYS, SOURCE, buggy, forgeries, hand_in_of, task_of

pytestmark = pytest.mark.slow
SOLUTION = re.compile(r"([ \t]*)### BEGIN SOLUTION\n.*?[ \t]*### END SOLUTION\n?", re.S)
HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS\n.*?[ \t]*### END HIDDEN TESTS\n?", re.S)


def source():
    return nbformat.read(SOURCE, as_version=4)


def release():
    """The student version, as nbgrader's generate_assignment makes it."""
    nb = source()
    for cell in nb.cells:
        cell.source = SOLUTION.sub(
            lambda m: f"{m[1]}# YOUR CODE HERE\n{m[1]}raise NotImplementedError()\n", cell.source
        )
        cell.source = HIDDEN.sub("", cell.source)
    return nb


def require_sandbox():
    from backprop_widgets.grading.sandbox import bwrap_works

    works, why = bwrap_works()
    if not works:
        pytest.skip(why)


def grade(nb, student: str = "ada", seed: int = 1234) -> dict:
    """grade id -> Verdict, as JudgeAnswers gives them (every test's report is there; the class from its code)."""
    require_sandbox()
    src = source()
    tests = plan_notebook(src, student, seed)
    judged = StudentClass("Value", fresh_code(src, nb))
    reports = {g: {"values": {}, "calls": {}, "classes": {n: judged for n in t.classes}} for g, t in tests.items()}
    return judge_notebook(src, Plan(student, student, seed, tests, []), reports)


def points(verdicts: dict) -> int:
    return sum(1 if g.endswith("_test") else 2 for g, v in verdicts.items() if v.passed)


def test_every_test_reads_the_class_and_the_solution_gets_every_point():
    started = time.perf_counter()
    verdicts = grade(source())
    seconds = time.perf_counter() - started
    assert len(verdicts) == 14 and all(v.passed for v in verdicts.values()), verdicts
    assert points(verdicts) == 21
    assert all(v.text.startswith("✔ Right (") for v in verdicts.values())
    print(f"judging the solution's class in the sandbox: {seconds:.1f} s for 14 tests")


def test_students_and_hand_ins_get_numbers_of_their_own():
    ada, bo = examples("add_mul", (1.3, -0.7)), examples("add_mul", (-1.1, 0.6))
    assert ada[0][0] != bo[0][0] and "a = 1.3, b = -0.7" in ada[0][0]
    from backprop_widgets.grading.numbers import grading_with

    with grading_with(1):
        first = examples("add_mul")
    with grading_with(2):
        second = examples("add_mul")
    assert first != second and len(first) == 4


def test_the_student_version_scores_zero_and_each_test_says_what_to_write():
    verdicts = grade(release())
    assert not any(v.passed for v in verdicts.values()), verdicts
    said = {g: v.text for g, v in verdicts.items()}
    assert "its _backward raised NotImplementedError" in said["task1_test"], said
    assert "backward() raised NotImplementedError" in said["task5_test"], said
    assert (
        "zero_grad(L) raised NotImplementedError" in said["task7_test"] or "NotImplementedError" in said["task7_test"]
    )
    for text in said.values():
        assert text.startswith("✘ Not yet: ") and " In: " in text, text


@pytest.mark.parametrize("bug", list(EARNED))
def test_a_buggy_engine_earns_the_tasks_it_gets_right_and_says_its_bug(bug):
    nb = hand_in_of(source(), "ada", buggy(source())[bug])
    started = time.perf_counter()
    verdicts = grade(nb)
    seconds = time.perf_counter() - started
    passed = {task_of(g) for g, v in verdicts.items() if v.passed}
    failed = {task_of(g) for g, v in verdicts.items() if not v.passed}
    assert passed == EARNED[bug] and not passed & failed, {g: v.text for g, v in verdicts.items()}
    for verdict in verdicts.values():
        if not verdict.passed:
            assert SAYS[bug] in verdict.text, verdict.text
    print(f"{bug}: {points(verdicts)} of 21 points, {seconds:.1f} s")
    for grade_id, verdict in verdicts.items():
        if not verdict.passed:
            print(f"  {grade_id}: {verdict.text}")


@pytest.mark.parametrize("name", ["forge_kernel", "forge_fresh", "borrowed"])
def test_a_forged_or_borrowed_engine_earns_nothing(name):
    nb = hand_in_of(release(), "ada", forgeries(release())[name])
    verdicts = grade(nb)
    assert not any(v.passed for v in verdicts.values()), {g: v.text for g, v in verdicts.items()}
    said = " ".join(v.text for v in verdicts.values())
    if name == "borrowed":
        assert "your code `from micrograd.engine import Value` failed when run on its own: ModuleNotFoundError" in said
    print(name, verdicts["task1_test"].text)


def test_a_class_that_never_finishes_is_stopped_and_the_rest_is_not_waited_for(monkeypatch):
    monkeypatch.setattr("backprop_widgets.grading.engines.BUDGET_SECONDS", 3.0)
    nb = hand_in_of(
        release(),
        "ada",
        {"value_class": "class Value:\n    while True:\n        pass\n"},
    )
    started = time.perf_counter()
    verdicts = grade(nb)
    assert time.perf_counter() - started < 30
    assert not any(v.passed for v in verdicts.values())
    assert "over its time limit" in verdicts["task1_test"].text
    assert "used up its time" in verdicts["task7_hidden"].text


def test_in_the_notebook_the_check_runs_the_class_itself():
    from tests.audit.engines import make_engine

    check_engine(make_engine(), "reuse", 1.5, -0.5)
    with pytest.raises(AssertionError, match="overwrites its inputs' gradients"):
        check_engine(make_engine("overwrites"), "reuse", 1.5, -0.5)
