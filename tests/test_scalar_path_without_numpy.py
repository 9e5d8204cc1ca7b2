"""The scalar path (lessons 01-02's Value, parse, draw, stepper, Explorer, exercises) runs where numpy cannot be imported.

A browser kernel built from the package registries alone has no numpy (no registry carries a
Pyodide build of it); numpy must come in only with Tensors, ``nn`` and the dashboard.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Runs first in the child: any import of numpy or matplotlib raises ImportError, as in such a kernel.
BLOCK = """
import sys

class NoNumpy:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("numpy", "matplotlib"):
            raise ImportError(f"{name} cannot be imported here")
        return None

sys.meta_path.insert(0, NoNumpy())
"""


def run_without_numpy(code: str) -> subprocess.CompletedProcess:
    source = BLOCK + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", source], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_blocker_blocks():
    result = run_without_numpy("import numpy")
    assert result.returncode != 0 and "cannot be imported here" in result.stderr


def test_lessons_01_and_02_run_without_numpy():
    result = run_without_numpy(
        """
        import sys
        import backprop_widgets
        from backprop_widgets import (BackwardStepper, Explorer, Value, backward_steps, draw,
                                      forward_derivatives, gradcheck, parse, to_formula)
        from backprop_widgets.engine import SCALAR_OPS
        from backprop_widgets.exercises import lesson01, lesson02

        x = Value(1.0, label="x")
        g = (4 * x + 1) ** 2
        g.backward()
        assert (g.data, x.grad) == (25.0, 40.0)
        assert len(SCALAR_OPS) > 5 and to_formula(g)
        assert gradcheck(g).ok
        assert forward_derivatives(g, wrt=x)[g] == 40.0

        picture = draw(g)
        assert picture.dot

        stepper = BackwardStepper(g)
        before = list(stepper.view.current)
        stepper.goto(1)
        assert stepper.walk.position == 1 and list(stepper.view.current) != before

        explorer = Explorer("(4*x + 1)^2", x=1)
        cells = list(explorer.stepper.view.cells)
        explorer.sliders["x"].value = 2.0
        assert explorer.root.data == 81.0 and list(explorer.stepper.view.cells) != cells
        f = parse("(a+b)(b+c)", a=1, b=2, c=3)
        f.backward()

        assert bool(lesson01.chain_rule_at_2.check(lesson01.chain_rule_at_2.correct_answer()))
        assert not bool(lesson02.df_db_elsewhere.check(12345.0))

        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("numpy", "matplotlib"))
        assert not loaded, loaded
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


# Every exercise of lessons 01 and 02 shown, answered right and answered wrong, with its hint and solution:
# run where numpy cannot be imported, and here (where it can) to see that both judge alike.
EXERCISES = r"""
import json, sys
from backprop_widgets import Value
from backprop_widgets.exercises import lesson01, lesson02

RIGHT = {
    "sigmoid_slope_at_0": 0.25,
    "local_gradient_of_div": -0.25,
    "chain_rule_at_2": 72,
    "mul_backward": lambda a, b, upstream: (upstream * b, upstream * a),
    "div_backward": lambda a, b, upstream: (upstream / b, -upstream * a / b**2),
    "df_db_elsewhere": Value(5.0),
    "forward_passes_for_3_inputs": 3,
    "contribution_from_y_to_b": -0.5,
    "all_gradients": [2.1 - 1.3, (0.4 - 1.3) + (2.1 - 1.3), 0.4 - 1.3],
    "add_backward": lambda a, b, upstream: (upstream, upstream),
}
WRONG = {
    "sigmoid_slope_at_0": 0.5,
    "local_gradient_of_div": 0.25,
    "chain_rule_at_2": 18.0,
    "mul_backward": lambda a, b, upstream: (upstream * a, upstream * b),
    "div_backward": lambda a, b, upstream: (upstream / b, upstream * a / b**2),
    "df_db_elsewhere": 4.0,
    "forward_passes_for_3_inputs": 1,
    "contribution_from_y_to_b": 1.0,
    "all_gradients": [0.8, -0.1, 0.9],
    "add_backward": lambda a, b, upstream: (1.0, upstream),
}
ALSO_WRONG = [  # (exercise, answer): the kinds of mistake FunctionExercise and ArrayExercise name
    ("mul_backward", lambda a, b, upstream: (b, a)),
    ("mul_backward", lambda a, b, upstream: (2 * upstream * b, upstream * a)),
    ("mul_backward", lambda a, b, upstream: (upstream * b if a > 0 else 0.0, [upstream * a])),
    ("div_backward", lambda a, b, upstream: (upstream / b, None)),
    ("div_backward", lambda a, b, upstream: upstream / b),
    ("add_backward", lambda a, b, upstream: (upstream, "1")),
    ("all_gradients", [[0.8], [-0.1], [-0.9]]),
    ("all_gradients", [-0.1, 0.8, -0.9]),
    ("all_gradients", [1.6, -0.2, -1.8]),
    ("all_gradients", [0.8, 0.0, -0.9]),
    ("all_gradients", [[1, 2], [3]]),
    ("all_gradients", ["a", 1, 2]),
]
exercises = {ex.name: ex for module in (lesson01, lesson02) for ex in module.EXERCISES}
found = {}
for name, ex in exercises.items():
    found[name] = {
        "shown": ex._repr_markdown_(),
        "right": ex.check(RIGHT[name]).text,
        "wrong": ex.check(WRONG[name]).text,
        "placeholder": ex.check(None).text,
        "hint": str(ex.hint()),
        "solution": str(ex.solution()),
    }
    if hasattr(ex, "test_points"):
        found[name]["points"] = [[list(p.inputs), p.upstream, list(p.expected)] for p in ex.test_points()]
found["also wrong"] = [exercises[name].check(answer).text for name, answer in ALSO_WRONG]
print(json.dumps(found, indent=1, ensure_ascii=False))
"""


def test_lessons_01_and_02_exercises_judge_without_numpy_as_with_it():
    result = run_without_numpy(EXERCISES + "\nassert 'numpy' not in sys.modules\n")
    assert result.returncode == 0, result.stderr[-3000:]
    without = json.loads(result.stdout)
    for name, seen in without.items():
        if name == "also wrong":
            assert all(text.startswith("✘") for text in seen), seen
            continue
        assert seen["right"].startswith("✔ Right"), (name, seen["right"])
        assert seen["wrong"].startswith("✘ Not yet"), (name, seen["wrong"])
        assert seen["placeholder"].startswith("○ No answer yet"), (name, seen["placeholder"])
    assert "(note: you gave a Value; I used its .data." in without["df_db_elsewhere"]["right"]
    assert "your two gradients are swapped" in without["mul_backward"]["wrong"]
    assert "the gradient for b has the wrong sign. (The gradient for a is right.)" in without["div_backward"]["wrong"]
    assert "your array has the wrong sign in 1 of 3 entries, at [2]" in without["all_gradients"]["wrong"]
    assert "Answer with an array of shape (3,)" in without["all_gradients"]["shown"]
    assert without["all_gradients"]["solution"].endswith("Answer: [ 0.8, -0.1, -0.9]")

    with_numpy = subprocess.run(
        [sys.executable, "-c", "import numpy\n" + EXERCISES], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert with_numpy.returncode == 0, with_numpy.stderr[-3000:]
    assert without == json.loads(with_numpy.stdout)


# Runs every code cell of a lesson as Jupyter would, and compares what it prints and shows with the
# outputs stored in the notebook (those nbval checks), cell by cell.
RUN_NOTEBOOK = r"""
import ast, contextlib, io, json, sys
from IPython.core.formatters import DisplayFormatter

SHOWN = ("text/plain", "text/markdown", "text/html")
formatter = DisplayFormatter()
problems = []
for path in sys.argv[1:]:
    namespace = {"__name__": "__main__"}
    for i, cell in enumerate(json.load(open(path))["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(tree, f"{path}[{i}]", "exec"), namespace)
            value = eval(compile(ast.Expression(last.value), f"{path}[{i}]", "eval"), namespace) if last else None
        if "nbval-ignore-output" in cell["metadata"].get("tags", []):
            continue
        stored = cell.get("outputs", [])
        wanted = "".join("".join(o["text"]) for o in stored if o.get("name") == "stdout")
        if printed.getvalue() != wanted:
            problems.append(f"{path}[{i}] printed {printed.getvalue()!r}, not {wanted!r}")
        results = [o["data"] for o in stored if o["output_type"] == "execute_result"]
        shown = {k: v for k, v in formatter.format(value)[0].items() if k in SHOWN} if value is not None else {}
        stored_shown = {k: "".join(v) for k, v in (results[0] if results else {}).items() if k in SHOWN}
        if shown != stored_shown:
            problems.append(f"{path}[{i}] showed {shown!r}, not {stored_shown!r}")
assert not problems, "\n".join(problems)
assert "numpy" not in sys.modules
print("ok")
"""


@pytest.mark.parametrize("lesson", ["01_sigmoid_tree.ipynb", "02_gradients_add_at_branches.ipynb"])
def test_lesson_runs_to_its_stored_outputs_without_numpy(lesson):
    source = BLOCK + "\nsys.argv[1:] = [" + repr(str(ROOT / "lessons" / lesson)) + "]\n" + RUN_NOTEBOOK
    result = subprocess.run(
        [sys.executable, "-c", source], cwd=ROOT / "lessons", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_tensors_still_bring_numpy():
    result = subprocess.run(
        [sys.executable, "-c", "import sys, backprop_widgets as bw; assert 'numpy' not in sys.modules; "
         "bw.Tensor([1.0]); bw.nn.MLP; assert 'numpy' in sys.modules; print('ok')"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
