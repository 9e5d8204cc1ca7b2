"""A student's own ``Value`` class, graded: one check per task, run where the student's notebook cannot reach.

``check_engine(Value, task, ...)`` builds a few graphs with the class (``engine_runner``), compares every node's
value and gradient with the kit's engine, and prints ``✔ Right …`` or raises ``AssertionError("✘ Not yet: …")``
with ``audit``'s sentence for the first wrong node.  In the student's notebook it runs the class right there
(a check to learn from).  When a hand-in is graded, the test is run by the grader (``judge``) with the class
standing in as a ``StudentClass``: the hand-in's *code* (its cells' definitions), run in a fresh sandboxed
process that has Python's standard library only (no kit, no numpy, no torch, no micrograd), on graphs drawn
afresh for this hand-in.  Only numbers come back (JSON); the grader computes the right ones with its own
engine, so nothing the notebook did to its kernel, and nothing the class prints, changes a score.  The
sentence is ``audit``'s, run on a replica of the student's graph: its numbers, and ``_backward`` functions
that replay what the student's own added at three settings of the gradients.

The tasks (``TASKS``), each tried on its own: the rules of add and mul, of tanh and exp, of pow (the runner
calls the ``_backward`` functions in a right order itself, the other ops' rules made right); a value used
twice (``+=``); the topological order of ``backward()`` (every rule made right); a 5,000-node chain (no
recursion); a second ``backward()`` after ``zero_grad``.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..audit.graph import audit, close
from ..engine.ops import format_number
from ..engine.value import Value
from . import engine_runner
from .numbers import grading_seed

__all__ = ["check_engine", "StudentClass", "TASKS", "Task", "RUNNER"]

RUNNER = Path(engine_runner.__file__).read_text()  # the fresh process's whole program
BUDGET_SECONDS = 60.0  # all the fresh processes of one hand-in's class together
BATCH_SECONDS = 30.0  # the first run, with every task's graphs
CHAIN = 5_000
ALL = ("+", "*", "tanh", "exp", "**")


@dataclass(frozen=True)
class Task:
    title: str
    templates: tuple  # expression trees over leaves "a", "b", "c", "d"; equal subtrees are one node
    mode: str = "rules"  # "rules": the runner calls the _backward functions; "backward": the student's backward()
    inject: tuple = ()  # ops whose rule is made right, so that the task tries one thing
    zero_grad: bool = False
    chain: bool = False


AB = ("*", "a", "b")
TASKS: dict[str, Task] = {
    "add_mul": Task("add and mul", (("*", ("+", AB, "c"), "d"), ("*", ("+", "a", "b"), ("*", "c", "d")))),
    "tanh_exp": Task(
        "tanh and exp", (("*", ("tanh", AB), "c"), ("*", ("exp", ("+", "a", "b")), "c")), inject=("+", "*")
    ),
    "pow": Task(
        "pow",
        (("*", ("**2", "a"), "b"), ("*", ("**3", ("+", "a", "b")), "c"), ("*", ("**-1", "a"), "b")),
        inject=("+", "*"),
    ),
    "reuse": Task(
        "a value used twice",
        (("+", "a", "a"), ("*", "a", "a"), ("+", ("+", AB, ("*", "a", "c")), ("+", "a", "c"))),
    ),
    "topo": Task(
        "the order of backward()",
        (("*", AB, ("*", ("*", AB, "c"), "c")), ("+", ("*", ("+", "a", "b"), "c"), ("+", "a", "b"))),
        mode="backward",
        inject=ALL,
    ),
    "chain": Task(f"a {CHAIN:,}-node chain", (), mode="backward", inject=ALL, chain=True),
    "twice": Task("a second backward()", (("*", ("+", AB, "a"), "c"),), mode="backward", inject=ALL, zero_grad=True),
}


# ---- the graphs --------------------------------------------------------------------------------------------


def _text(tree: Any) -> str:
    """An expression as Python writes it: ``(a * b + c) * d``, ``a * b + (a + c)``."""
    if isinstance(tree, str):
        return tree
    op, *args = tree
    binding = {"+": 1, "*": 2}

    def part(arg: Any, right: bool) -> str:
        inner = _text(arg)
        mine, theirs = binding.get(op, 3), binding.get(arg[0], 3) if isinstance(arg, tuple) else 3
        return f"({inner})" if theirs < mine or (right and theirs == mine) else inner

    if op in ("tanh", "exp"):
        return f"{part(args[0], False)}.{op}()"
    if op.startswith("**"):
        return f"{part(args[0], False)}{op}"
    return f"{part(args[0], False)} {op} {part(args[1], True)}"


def _steps(tree: Any, values: dict[str, float]) -> list[list]:
    """The runner's steps for a tree; equal subtrees (and a leaf named twice) are one node."""
    steps: list[list] = []
    made: dict[Any, int] = {}

    def visit(node: Any) -> int:
        if node not in made:
            if isinstance(node, str):
                steps.append(["leaf", values[node], node])
            else:
                op, *args = node
                inputs = [visit(a) for a in args]
                steps.append(["**", inputs[0], int(op[2:])] if op.startswith("**") else [op, *inputs])
            made[node] = len(steps) - 1
        return made[node]

    visit(tree)
    return steps


def _shared(tree: Any) -> list:
    """The subexpressions (not leaves) a tree has more than once: one node each in its graph."""
    seen: list = []
    found: list = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            if node in seen and node not in found:
                found.append(node)
            seen.append(node)
            stack.extend(node[1:])
    return found


def _chain_steps(a: float) -> list[list]:
    steps: list[list] = [["leaf", a, "a"], ["leaf", 1.0, "one"], ["*", 0, 1]]
    steps += [["*", k, 1] for k in range(2, CHAIN)]
    return steps


def _leaves(rng: np.random.Generator) -> dict[str, float]:
    return {name: round(float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.0)), 1) for name in "abcd"}


def examples(task: str, numbers: tuple = ()) -> list[tuple[str, list]]:
    """(text, steps) of each graph the task tries: at the student's numbers (once), or at numbers drawn from the
    grading seed (twice), which is fresh for every hand-in while grading."""
    spec = TASKS[task]
    if numbers:
        seeds = [[zlib.crc32(task.encode()), *(int(round(abs(float(n)) * 1000)) for n in numbers)]]
    else:
        seeds = [[zlib.crc32(task.encode()), grading_seed(), k] for k in ((1,) if spec.chain else (1, 2))]
    found = []
    for seed in seeds:
        values = _leaves(np.random.default_rng(seed))
        if numbers:
            values.update(zip("ab", (float(n) for n in numbers), strict=False))
        if spec.chain:
            found.append(
                (f"a * one * one * … ({CHAIN:,} nodes) with a = {values['a']:g}, one = 1", _chain_steps(values["a"]))
            )
        for tree in spec.templates:
            text = _text(tree)
            used = ", ".join(f"{k} = {v:g}" for k, v in values.items() if k in text)
            shared = "".join(f", {_text(s)} made once and used twice" for s in _shared(tree))
            found.append((f"{text} with {used}{shared}", _steps(tree, values)))
    return found


def expected(steps: list[list]) -> list[tuple[float, float]]:
    """(value, gradient) of every step's node by the kit's engine."""
    made: list = []
    for step in steps:
        op = step[0]
        if op == "leaf":
            made.append(Value(step[1], label=step[2]))
        elif op == "+":
            made.append(made[step[1]] + made[step[2]])
        elif op == "*":
            made.append(made[step[1]] * made[step[2]])
        elif op == "**":
            made.append(made[step[1]] ** step[2])
        else:
            made.append(getattr(made[step[1]], op)())
    made[-1].backward()
    return [(node.data, node.grad) for node in made]


# ---- running the class -------------------------------------------------------------------------------------


class StudentClass:
    """A hand-in's class known by its code only (the definitions of the student's cells), run in fresh sandboxed
    processes with Python's standard library only; all of them together get ``BUDGET_SECONDS``.

    The first ``run`` also runs the graphs the other checks are likely to ask for (``likely``), in the same
    process, and keeps every report: one sandbox for the whole notebook instead of one per test.  Should that
    batch not finish in ``BATCH_SECONDS``, each check is run on its own instead, in the time left.
    """

    def __init__(self, name: str, code: list[str]) -> None:
        self.name, self.code, self.left = name, list(code), BUDGET_SECONDS
        self.reports: dict[str, dict] = {}  # an experiment (as JSON) -> its report
        self.failed: list = []  # the definitions that failed to run, as the fresh process said
        self.batch = True  # the likely graphs are asked for once

    def __repr__(self) -> str:
        return f"<your class {self.name}, run on its own>"

    def run(self, experiments: list[dict], likely: list[dict] | None = None) -> dict:
        keys = [json.dumps(e, sort_keys=True) for e in experiments]
        wanted = {k: e for k, e in zip(keys, experiments, strict=True) if k not in self.reports}
        if wanted:
            batch = dict(wanted)
            if self.batch:
                batch.update({json.dumps(e, sort_keys=True): e for e in likely or ()})
                batch = {k: e for k, e in batch.items() if k not in self.reports}
                self.batch = False
            found = self._fresh(list(batch.values()), BATCH_SECONDS if len(batch) > len(wanted) else self.left)
            if found.get("stopped") and len(batch) > len(wanted) and self.left > 0:
                batch = wanted  # too slow all together: this check on its own, in the time left
                found = self._fresh(list(batch.values()), self.left)
            reports = found.get("reports")
            if found.get("missing"):
                self.reports.update(dict.fromkeys([*keys, *batch], found))  # no class: the same for every check
            if not isinstance(reports, list) or len(reports) != len(batch):
                return found
            self.reports.update(zip(batch, reports, strict=True))
            self.failed = found.get("failed") or []
        if any(self.reports[k].get("missing") for k in keys):
            return self.reports[keys[0]]
        return {"reports": [self.reports[k] for k in keys], "failed": self.failed}

    def _fresh(self, experiments: list[dict], seconds: float) -> dict:
        from .sandbox import run_fresh

        if self.left <= 0:
            return {"stopped": "your class used up its time (60 s for all the checks) before this one"}
        task = json.dumps({"name": self.name, "code": self.code, "experiments": experiments})
        started = time.monotonic()
        try:
            found = json.loads(run_fresh(RUNNER, task, timeout=min(seconds, self.left), packages=False))
        except Exception as error:
            why = "over its time limit" if "Timeout" in type(error).__name__ else "it stopped before it answered"
            found = {"stopped": f"your class could not be run on its own: {why}"}
        finally:
            self.left -= time.monotonic() - started
        return found if isinstance(found, dict) else {"stopped": "your class gave no answer"}


def _run_here(cls: type, experiments: list[dict]) -> dict:
    """The class run in this process (the student's kernel, or the grader on the instructor's class)."""
    space: dict = next((f.__globals__ for f in vars(cls).values() if hasattr(f, "__globals__")), {})
    return json.loads(json.dumps({"reports": engine_runner.run_experiments(cls, space, experiments), "failed": []}))


# ---- judging what came back --------------------------------------------------------------------------------


def _close(a: Any, b: float) -> bool:
    return isinstance(a, (int, float)) and not isinstance(a, bool) and close(float(a), b)


def _num(x: Any) -> str:
    return "nothing" if x is None else format_number(float(x), 6)


def _first_wrong(report: dict, steps: list, right: list) -> tuple[int, str] | None:
    """The first step (output first) whose node's value or gradient is not the engine's, and what it got."""
    nodes, grads, where = report["nodes"], report["grads"], report["steps"]
    for s in reversed(range(len(steps))):
        n = where[s]
        if not isinstance(n, int) or not 0 <= n < len(nodes):
            return s, "is not in the graph the class built"
        data, grad = right[s]
        if not _close(nodes[n][0], data):
            return s, f"has value {_num(nodes[n][0])}, the engine's is {_num(data)}"
        if not _close(grads[n], grad):
            return s, f"expected grad {_num(grad)}, got {_num(grads[n])}"
    return None


def _name(steps: list, s: int) -> str:
    step = steps[s]
    return f"the node '{step[2]}'" if step[0] == "leaf" else f"the '{step[0]}{step[2] if step[0] == '**' else ''}' node"


class _Replayed:
    """A node of the student's graph, rebuilt from the report: its value, op and inputs, and a ``_backward`` that
    does to each input's grad what the student's did at the three settings read (old·α + out.grad·β + γ)."""

    def __init__(self, data: float, op: str, label: str | None) -> None:
        self.data, self._op, self.label, self.grad = data, op, label, 0.0
        self._prev: tuple = ()
        self._rule: Any = ()

    def _backward(self) -> None:
        if isinstance(self._rule, BaseException):
            raise self._rule
        for child, (alpha, beta, gamma) in zip(self._prev, self._rule, strict=True):
            child.grad = alpha * child.grad + beta * self.grad + gamma


class _ReplayedRoot(_Replayed):
    """The output, whose ``backward()`` calls the ``_backward`` functions in the order the student's did."""

    replay: tuple = ((), [], 1.0, None)

    def backward(self) -> None:
        nodes, calls, seed, error = self.replay
        if error is not None:
            raise error
        self.grad = seed
        for n in calls:
            nodes[n]._backward()


def _raised(ename: str, evalue: str) -> BaseException:
    if ename == "RecursionError":
        return RecursionError(evalue)
    from .probe import StudentRaised

    name = ename if ename.isidentifier() else "Exception"
    return type(name, (StudentRaised,), {})(evalue)


def _replica(report: dict, steps: list, mode: str) -> _Replayed:
    nodes = report["nodes"]
    labels = {report["steps"][s]: step[2] for s, step in enumerate(steps) if step[0] == "leaf"}
    made: list[_Replayed] = []
    for n, (data, op, _) in enumerate(nodes):
        kind = _ReplayedRoot if n == len(nodes) - 1 and mode == "backward" else _Replayed
        made.append(kind(float(data), str(op), labels.get(n)))
    for n, (_, _, inputs) in enumerate(nodes):
        node = made[n]
        node._prev = tuple(made[int(i)] for i in inputs)
        found = report["readings"].get(str(n)) if inputs else None
        if found is None:
            continue
        if isinstance(found[0], str):
            node._rule = _raised(*found)
            continue
        rule = []
        for k in range(len(inputs)):
            r1, r2, r3 = (float(setting[k]) for setting in found)
            rule.append((r2 - r1, r3 - r1, 2 * r1 - r3))
        node._rule = rule
    root = made[-1]
    if isinstance(root, _ReplayedRoot):
        error = report.get("error")
        root.replay = (
            made,
            [int(c) for c in report["calls"]],
            float(report.get("seed") or 1.0),
            _raised(*error) if error else None,
        )
    for node, grad in zip(made, report["grads"], strict=True):
        node.grad = float(grad) if grad is not None else 0.0
    return root


def _cause(report: dict, steps: list, right: list, mode: str, wrong: tuple[int, str]) -> str:
    """audit's sentence on a replica of the graph, or (where the replica cannot say) the plain numbers."""
    try:
        found = audit(_replica(report, steps, mode))
        if not found.ok:
            return found.cause.removeprefix("✘ ")
    except Exception:  # noqa: S110 - a report the replica cannot rebuild: the plain numbers below
        pass
    return f"{_name(steps, wrong[0])} {wrong[1]}."


def _twice_cause(report: dict, steps: list, right: list, wrong: tuple[int, str]) -> str:
    zeroed = report.get("zeroed")
    if zeroed is not None and any(g != 0 for g in zeroed):
        left = next(n for n, g in enumerate(zeroed) if g != 0)
        return (
            f"zero_grad(L) left a node with grad {_num(zeroed[left])}: it must set the .grad of every node of the "
            "graph (every node build_topo(L) gives) to 0."
        )
    return (
        f"after backward(), zero_grad(L) and backward() again, {_name(steps, wrong[0])} {wrong[1]} (one backward pass "
        "gives the expected number): the second backward() must visit every node again, as the first did."
    )


def judge(task: str, examples_: list[tuple[str, list]], result: dict) -> str | None:
    """The sentence for the first graph the class gets wrong, or None when it gets them all right."""
    spec = TASKS[task]
    notes = ""
    failed = [f for f in result.get("failed") or [] if str(f[1]).endswith(("ImportError", "ModuleNotFoundError"))]
    if failed:
        first = failed[0]
        notes = (
            f" (Also: your code `{first[0]}` failed when run on its own: {first[1]}: {first[2]}. Your class is graded "
            "in a fresh Python with the standard library only: math, not numpy or the kit.)"
        )
    if result.get("stopped"):
        return f"✘ Not yet: {result['stopped']}."
    if result.get("missing"):
        return (
            f"✘ Not yet: your notebook defines no class with this name (the grader runs its definitions only).{notes}"
        )
    reports = result.get("reports")
    if not isinstance(reports, list) or len(reports) != len(examples_):
        return "✘ Not yet: your class gave no readable answer."
    for (text, steps), report in zip(examples_, reports, strict=True):
        try:
            sentence = _judge_one(spec, steps, report)
        except Exception as error:  # a report that is not what the runner writes
            sentence = f"the grader could not read what your class gave ({type(error).__name__})."
        if sentence:
            sentence = sentence.strip().removesuffix(":")  # "raised NotImplementedError: " with no message
            return f"✘ Not yet: {sentence.removesuffix('.')}. In: {text}.{notes}"
    return None


def _judge_one(spec: Task, steps: list, report: dict) -> str | None:
    error, where = report.get("error"), report.get("where")
    nodes = len(report.get("nodes") or ())
    if nodes > engine_runner.MAX_NODES or len(report.get("calls") or ()) > 10 * nodes + 10:
        raise ValueError("more nodes or calls than the runner reports")  # made up: not worth replaying
    if error and where == "build":
        return f"building it with your class raised {error[0]}: {error[1]}".rstrip(": ") + "."
    if error and where == "zero_grad":
        return f"zero_grad(L) raised {error[0]}: {error[1]}".rstrip(": ") + "."
    if error and spec.zero_grad:
        return f"backward() raised {error[0]}: {error[1]}".rstrip(": ") + "."
    right = expected(steps)
    wrong = _first_wrong(report, steps, right)
    if wrong is None and not error:
        return None
    wrong = wrong or (len(steps) - 1, "was not reached")
    if spec.zero_grad:
        return _twice_cause(report, steps, right, wrong)
    return _cause(report, steps, right, spec.mode, wrong)


def _experiment(spec: Task, steps: list) -> dict:
    return {"steps": steps, "mode": spec.mode, "inject": list(spec.inject), "zero_grad": spec.zero_grad}


def check_engine(cls: Any, task: str, *numbers: float) -> None:
    """Check one task of a student's Value class: print ``✔ Right …``, or raise ``AssertionError`` with the reason.

    ``numbers``: the student's own (a visible check); without them, numbers drawn from the grading seed.
    """
    if task not in TASKS:
        raise ValueError(f"no task {task!r}; the tasks are {', '.join(TASKS)}")
    spec = TASKS[task]
    tried = examples(task, numbers)
    experiments = [_experiment(spec, steps) for _, steps in tried]
    if isinstance(cls, StudentClass):
        likely = [_experiment(TASKS[t], steps) for t in TASKS for n in {numbers, ()} for _, steps in examples(t, n)]
        result = cls.run(experiments, likely)
    elif isinstance(cls, type):
        result = _run_here(cls, experiments)
    else:
        raise AssertionError(f"✘ Not yet: Value should be your class, not {type(cls).__name__}.")
    sentence = judge(task, tried, result)
    if sentence:
        raise AssertionError(sentence)
    print(f"✔ Right ({spec.title}): every value and gradient matches the kit's engine on {_graphs(len(tried))}.")


def _graphs(count: int) -> str:
    return "1 graph" if count == 1 else f"{count} graphs"
