"""The scalar path (lessons 01-02's Value, parse, draw, stepper, Explorer, exercises) runs where numpy cannot be imported.

A browser kernel built from the package registries alone has no numpy (no registry carries a
Pyodide build of it); numpy must come in only with Tensors, ``nn`` and the dashboard.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

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


def test_tensors_still_bring_numpy():
    result = subprocess.run(
        [sys.executable, "-c", "import sys, backprop_widgets as bw; assert 'numpy' not in sys.modules; "
         "bw.Tensor([1.0]); bw.nn.MLP; assert 'numpy' in sys.modules; print('ok')"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
