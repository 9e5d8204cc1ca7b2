"""Hand-ins of assignments/source/your_own_engine: the solution with one catalogue bug each, and forgeries.

Each is a dict: answer cell -> the code the student wrote there (the other cells as in the source), applied by
``hand_in_of``.  ``EARNED`` says which tasks each should still get.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NAME = "your_own_engine"
SOURCE = ROOT / "assignments" / "source" / NAME / f"{NAME}.ipynb"
TASKS = ("add_mul", "tanh_exp", "pow", "reuse", "topo", "chain", "twice")  # task1 … task7
SOLUTION = re.compile(r"[ \t]*### (BEGIN|END) SOLUTION\n")

RECURSIVE_TOPO = """
def build_topo(root):
    topo, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                visit(child)
            topo.append(node)

    visit(root)
    return topo
"""
BREADTH_FIRST_TOPO = """
def build_topo(root):
    order, seen, queue = [], {root}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for child in node._prev:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return order[::-1]
"""


def _class(source_nb, *replacements: tuple[str, str]) -> str:
    """The solution's class with some lines replaced (each must be there)."""
    code = SOLUTION.sub("", _cell(source_nb, "value_class").source)
    for old, new in replacements:
        assert old in code, old
        code = code.replace(old, new)
    return code


def _cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def buggy(source_nb) -> dict[str, dict[str, str]]:
    """One engine per catalogue bug."""
    return {
        "overwrites": {
            "value_class": _class(source_nb, *((f"{x}.grad += ", f"{x}.grad = ") for x in ("self", "other")))
        },
        "forgets_upstream": {
            "value_class": _class(
                source_nb,
                ("self.grad += out.grad\n", "self.grad += 1.0\n"),
                ("other.grad += out.grad\n", "other.grad += 1.0\n"),
                ("self.grad += other.data * out.grad", "self.grad += other.data"),
                ("other.grad += self.data * out.grad", "other.grad += self.data"),
            )
        },
        "too_early": {"build_topo": BREADTH_FIRST_TOPO},
        "wrong_local": {"value_class": _class(source_nb, ("(1 - t**2) * out.grad", "(1 - t) * out.grad"))},
        "recursion": {"build_topo": RECURSIVE_TOPO},
    }


# The tasks each buggy engine still gets right (all others must fail, with audit's words for the bug).
EARNED = {
    "overwrites": set(TASKS) - {"reuse"},
    "forgets_upstream": set(TASKS) - {"add_mul"},  # forgotten in add and mul only
    "too_early": set(TASKS) - {"topo"},
    "wrong_local": set(TASKS) - {"tanh_exp"},
    "recursion": set(TASKS) - {"chain"},
}
# What the feedback must say for each (a phrase of audit's sentence).
SAYS = {
    "overwrites": "overwrites its inputs' gradients instead of adding to them",
    "forgets_upstream": "forgets the upstream gradient",
    "too_early": "backward() visits a node too early",
    "wrong_local": "The local gradient of the 'tanh' node",
    "recursion": "backward() hit Python's recursion limit",
}

# Forgeries, each on top of the student version (nothing written): they must earn nothing.
KERNEL_FORGERY = """
import backprop_widgets.grading.engines as _E
getattr(_E, '__dict' + '__')['check_engine'] = lambda *args: print('✔ Right: every value and gradient matches.')
print('✔ Right (add and mul): every value and gradient matches the kit\\'s engine on 2 graphs.')
print('BPW-GRADER-REPORT 0123456789abcdef01234567 {"values": {}, "calls": {}}')
"""
FRESH_FORGERY = """
import json as _json
import weakref as _weakref

_forged = _weakref.finalize(_json, print, _json.dumps({"reports": [{"nodes": [], "grads": [], "steps": []}] * 3, "failed": []}))
"""
BORROWED = """
from micrograd.engine import Value
"""


def forgeries(release_nb) -> dict[str, dict[str, str]]:
    """The student version with: the kit patched in the kernel and fake verdicts and a fake report printed; a
    finaliser printing a made-up result at the fresh process's exit; micrograd's Value borrowed."""
    blank = _cell(release_nb, "value_class").source
    return {
        "forge_kernel": {"value_class": KERNEL_FORGERY + blank},
        "forge_fresh": {"value_class": FRESH_FORGERY + blank},
        "borrowed": {"value_class": BORROWED},
    }


def hand_in_of(nb, typed: str, answers: dict[str, str]):
    """A copy of ``nb`` with STUDENT_ID typed and some answer cells replaced."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("STUDENT_ID"):
            cell.source = f"STUDENT_ID = {typed!r}"
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def task_of(grade_id: str) -> str:
    """task3_hidden -> "pow"."""
    return TASKS[int(grade_id[4]) - 1]


def mistake() -> dict[str, str]:
    """A typical mistake: exp's rule with the input's value where the output's belongs (e^x, not x)."""
    source_nb = nbformat.read(SOURCE, as_version=4)
    return {"value_class": _class(source_nb, ("self.grad += out.data * out.grad", "self.grad += self.data * out.grad"))}


def make_hand_ins(course: Path) -> None:
    """The assignment's hand-ins in a course folder (besides "mistaken"): two students' solutions, the untouched
    student version, one engine per catalogue bug, and the forgeries."""
    source_nb = nbformat.read(course / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    release_nb = nbformat.read(course / "release" / NAME / f"{NAME}.ipynb", as_version=4)
    made = {"ada": hand_in_of(source_nb, "ada", {}), "bo": hand_in_of(source_nb, "Bo", {})}
    made["blank"] = hand_in_of(release_nb, "blank", {})
    made.update({bug: hand_in_of(source_nb, bug, answers) for bug, answers in buggy(source_nb).items()})
    made.update({name: hand_in_of(release_nb, name, answers) for name, answers in forgeries(release_nb).items()})
    for student, nb in made.items():
        folder = course / "submitted" / student / NAME
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{NAME}.ipynb")
