"""Each graded cell of the assignments, run here without nbgrader: a right answer passes, a wrong one or one of the wrong kind fails with a reason."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import nbformat
import numpy as np
import pytest

from backprop_widgets import Value, configure
from backprop_widgets.widgets.options import defaults

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "assignments" / "source"
HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS\n?", re.S)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ---- right answers, worked out here from the formulas -------------------------------------------------

D_AT_2 = 1 + math.exp(-2.0)  # d = c + 1 at x = 2
A, B, C = 1.5, -2.0, 4.0  # the branch graph's graded point: x = a + b = -0.5, y = b + c = 2
H1 = sigmoid(1.1 * -0.5)  # the chain's graded point: x = -0.5, w1 = 1.1, w2 = 0.7
Y = sigmoid(0.7 * H1)


def sigmoid_backward(z, upstream):
    return upstream * sigmoid(z) * (1 - sigmoid(z))


def sigmoid_backward_for_numbers_only(z, upstream):
    s = 1 / (1 + math.exp(-z))
    return upstream * s * (1 - s)


def branch_backward(a, b, c, upstream):
    return upstream * (b + c), upstream * ((a + b) + (b + c)), upstream * (a + b)


def branch_backward_one_path(a, b, c, upstream):
    return upstream * (b + c), upstream * (b + c), upstream * (a + b)


def branch_backward_for_numbers_only(a, b, c, upstream):
    return tuple(float(g) for g in branch_backward(a, b, c, upstream))


def output_delta(W1, W2, x, t):
    y = sigmoid(W2 @ sigmoid(W1 @ x))
    return (y - t) * y * (1 - y)


@dataclass
class Case:
    """One graded cell: the name it reads, a right answer, and wrong ones sorted by which tests catch them.

    Answers are functions of the notebook's namespace (so one can use its arrays).
    """

    assignment: str
    cell: str
    name: str
    right: Callable[[dict], Any]
    visible_catches: dict[str, Callable[[dict], Any]] = field(default_factory=dict)
    hidden_catches: dict[str, Callable[[dict], Any]] = field(default_factory=dict)


def const(value):
    return lambda ns: value


CASES = [
    Case("sigmoid_tree", "task1_test", "local_grad_g_d", const(-1 / D_AT_2**2),
         visible_catches={"positive": const(1 / D_AT_2**2), "text": const("-0.1"), "list": const([-0.1]),
                          "a Value": const(Value(-0.1)), "None": const(None)},
         hidden_catches={"-1/d": const(-1 / D_AT_2), "another negative number": const(-0.1)}),
    Case("sigmoid_tree", "task2_test", "slope_at_2", const(sigmoid(2.0) * (1 - sigmoid(2.0))),
         visible_catches={"sigma(2) itself": const(sigmoid(2.0)), "negative": const(-0.1),
                          "an array": const(np.array([0.1, 0.2])), "text": const("0.1")},
         hidden_catches={"the slope at 0": const(0.25), "the slope at 1": const(sigmoid(1.0) * (1 - sigmoid(1.0)))}),
    Case("sigmoid_tree", "task3_test", "sigmoid_backward", const(sigmoid_backward),
         visible_catches={"no upstream": const(lambda z, upstream: sigmoid(z) * (1 - sigmoid(z))),
                          "a number": const(0.25), "two gradients": const(lambda z, upstream: (upstream, upstream))}),
    Case("sigmoid_tree", "task3_hidden", "sigmoid_backward", const(sigmoid_backward),
         hidden_catches={"numbers only": const(sigmoid_backward_for_numbers_only),
                         "no upstream": const(lambda z, upstream: sigmoid(z) * (1 - sigmoid(z)))}),
    Case("gradients_add_at_branches", "task1_test", "local_grad_f_x", const(B + C),
         visible_catches={"text": const("2"), "a tuple": const((2.0,))},
         hidden_catches={"df/dy": const(A + B), "f": const((A + B) * (B + C))}),
    Case("gradients_add_at_branches", "task2_test", "df_db", const((A + B) + (B + C)),
         visible_catches={"a list": const([1.5]), "None": const(None)},
         hidden_catches={"through x only": const(B + C), "through y only": const(A + B)}),
    Case("gradients_add_at_branches", "task3_test", "branch_backward", const(branch_backward),
         visible_catches={"one path": const(branch_backward_one_path), "a number": const(1.5),
                          "two gradients": const(lambda a, b, c, upstream: (upstream, upstream))}),
    Case("gradients_add_at_branches", "task3_hidden", "branch_backward", const(branch_backward),
         hidden_catches={"numbers only": const(branch_backward_for_numbers_only),
                         "one path": const(branch_backward_one_path)}),
    Case("two_layer_network", "task1_test", "local_grad_y_z2", const(Y * (1 - Y)),
         visible_catches={"y itself": const(Y), "text": const("0.2"), "an array": const(np.array([Y * (1 - Y)]))},
         hidden_catches={"the first layer's slope": const(H1 * (1 - H1))}),
    Case("two_layer_network", "task2_test", "output_delta", const(output_delta),
         visible_catches={
             "without sigma'": const(lambda W1, W2, x, t: sigmoid(W2 @ sigmoid(W1 @ x)) - t),
             "t - y": const(lambda W1, W2, x, t: -output_delta(W1, W2, x, t)),
             "a list": const(lambda W1, W2, x, t: output_delta(W1, W2, x, t).tolist()),
             "a column": const(lambda W1, W2, x, t: output_delta(W1, W2, x, t).reshape(-1, 1)),
         }),
    Case("two_layer_network", "task2_hidden", "output_delta", const(output_delta),
         hidden_catches={
             "ignores its arguments": lambda ns: lambda *_: output_delta(ns["W1"], ns["W2"], ns["x"], ns["t"]),
             "a quarter of the error": const(lambda W1, W2, x, t: (sigmoid(W2 @ sigmoid(W1 @ x)) - t) / 4),
         }),
    Case("two_layer_network", "task3_test", "dC_dW2",
         lambda ns: np.outer(output_delta(ns["W1"], ns["W2"], ns["x"], ns["t"]), sigmoid(ns["W1"] @ ns["x"])),
         visible_catches={
             "transposed": lambda ns: np.outer(sigmoid(ns["W1"] @ ns["x"]),
                                               output_delta(ns["W1"], ns["W2"], ns["x"], ns["t"])),
             "a list": const([[0.0] * 3] * 2),
             "a vector": const(np.zeros(6)),
         },
         hidden_catches={
             "gradient of C instead of delta": lambda ns: np.outer(
                 sigmoid(ns["W2"] @ sigmoid(ns["W1"] @ ns["x"])) - ns["t"], sigmoid(ns["W1"] @ ns["x"])),
             "zeros": const(np.zeros((2, 3))),
         }),
]


def case_id(case: Case) -> str:
    return f"{case.assignment}.{case.cell}"


# ---- running the notebook's cells -------------------------------------------------------------------------


def notebook(name: str):
    return nbformat.read(SOURCE / name / f"{name}.ipynb", as_version=4)


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


@pytest.fixture(autouse=True)
def keep_widget_defaults():
    """The notebooks call configure(); put the widget defaults back for the tests that follow."""
    before = defaults()
    yield
    configure(reset=True)
    configure(**before)


@pytest.fixture(scope="module")
def namespaces() -> dict[str, dict]:
    """Each notebook's namespace after its read-only code cells (set-up and graphs; no answers, tests or widgets)."""
    saved = defaults()
    found = {}
    for name in {case.assignment for case in CASES}:
        namespace: dict = {}
        for cell in notebook(name).cells:
            if cell.cell_type == "code" and meta(cell).get("locked") and not meta(cell).get("grade"):
                exec(cell.source, namespace)
        found[name] = namespace
    configure(reset=True)
    configure(**saved)
    return found


def test_cell(case: Case, *, hidden: bool) -> str:
    cell = next(c for c in notebook(case.assignment).cells if meta(c).get("grade_id") == case.cell)
    assert meta(cell)["grade"] and meta(cell)["points"] > 0
    return cell.source if hidden else HIDDEN.sub("", cell.source)


test_cell.__test__ = False  # a helper, not a test


def run(case: Case, namespaces: dict, answer: Callable[[dict], Any], *, hidden: bool) -> None:
    namespace = dict(namespaces[case.assignment])
    namespace[case.name] = answer(namespace)
    exec(test_cell(case, hidden=hidden), namespace)


# ---- the checks ------------------------------------------------------------------------------------------


def test_every_graded_cell_has_a_case():
    graded = {(name.name, meta(c)["grade_id"]) for name in SOURCE.iterdir()
              for c in notebook(name.name).cells if meta(c).get("grade")}
    assert graded == {(case.assignment, case.cell) for case in CASES}


def test_every_answer_is_checked_against_a_wrong_answer_and_a_wrong_kind():
    for answer in {(case.assignment, case.name) for case in CASES}:
        cases = [case for case in CASES if (case.assignment, case.name) == answer]
        wrong = [w for case in cases for w in (*case.visible_catches, *case.hidden_catches)]
        assert len(wrong) >= 2, answer
        assert any(case.visible_catches for case in cases), answer


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_right_answer_passes_every_test_hidden_or_not(case, namespaces, capsys):
    run(case, namespaces, case.right, hidden=True)
    printed = capsys.readouterr()
    assert "✘" not in printed.out and not printed.err  # nbgrader gives no points for a cell writing to stderr


@pytest.mark.parametrize("case", [c for c in CASES if c.visible_catches], ids=case_id)
def test_the_visible_tests_refuse_wrong_answers_and_wrong_kinds_with_a_reason(case, namespaces):
    for what, wrong in case.visible_catches.items():
        with pytest.raises(AssertionError) as refused:
            run(case, namespaces, wrong, hidden=False)
        assert len(str(refused.value)) > 15, what


@pytest.mark.parametrize("case", [c for c in CASES if c.hidden_catches], ids=case_id)
def test_the_hidden_tests_catch_what_the_visible_tests_let_through(case, namespaces):
    for what, wrong in case.hidden_catches.items():
        run(case, namespaces, wrong, hidden=False)  # the student's own run passes...
        with pytest.raises(AssertionError) as refused:  # ...grading does not
            run(case, namespaces, wrong, hidden=True)
        assert str(refused.value).startswith("✘ Not yet"), what


def test_hidden_feedback_names_the_mistake_without_the_answer(namespaces):
    case = next(c for c in CASES if c.cell == "task2_test" and c.assignment == "gradients_add_at_branches")
    with pytest.raises(AssertionError) as refused:
        run(case, namespaces, const(B + C), hidden=True)
    assert "gradients add at branches" in str(refused.value)
    assert "1.5" not in str(refused.value)


@pytest.mark.parametrize("name", sorted(p.name for p in SOURCE.iterdir()))
def test_the_first_code_cell_sets_every_widget_in_the_notebook(name):
    first = next(c for c in notebook(name).cells if c.cell_type == "code")
    exec(first.source, {})
    assert defaults() == {"hide_gradients": True, "quiz": True, "hide": ("run", "play")}
    from backprop_widgets import BackwardStepper

    stepper = BackwardStepper(Value(2.0, label="a") * Value(3.0, label="b"))
    assert stepper.quiz and stepper.hide_gradients
    assert stepper.run_button.layout.display == "none" and stepper.play.layout.display == "none"


def test_the_guide_is_linked_from_the_readme_and_lists_every_assignment():
    guide = (ROOT / "INSTRUCTORS.md").read_text()
    assert "(INSTRUCTORS.md)" in (ROOT / "README.md").read_text()
    for folder in SOURCE.iterdir():
        points = sum(meta(c).get("points", 0) for c in notebook(folder.name).cells)
        row = next(line for line in guide.splitlines() if line.startswith(f"| `{folder.name}` |"))
        assert row.rstrip(" |").endswith(f"| {points:g}"), row
    assert "configure(hide_gradients=True, quiz=True" in guide
