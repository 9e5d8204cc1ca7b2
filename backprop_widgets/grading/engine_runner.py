"""Runs a student's own ``Value`` class on graphs the grader describes, and reports numbers only.

Standard library only, and nothing else of the kit: this file is also the program of the fresh sandboxed
process in which the grader runs a hand-in's class (``engines.StudentClass``), where only Python's standard
library can be imported.  The same code runs the class in the student's kernel (a visible check) and the
instructor's class in the grader, so all three see the same numbers.

A graph is a list of steps, each making one node: ``["leaf", value, name]``, ``["+", i, j]``, ``["*", i, j]``,
``["tanh", i]``, ``["exp", i]``, ``["**", i, k]`` (``i``, ``j``: earlier steps).  ``run_graph`` builds it with
the class, then, by ``mode``:

- ``"rules"``: the student's ``_backward`` functions called by this runner, output first in a topological
  order of its own (so only the rules are tried, not the student's ``backward()``);
- ``"backward"``: the student's ``backward()``; with ``zero_grad``, then the student's ``zero_grad(root)``
  and ``backward()`` again.

``inject`` names ops (``"+"``, ``"*"``, ...) whose ``_backward`` is replaced by the right rule before the run,
so that a check tries one thing at a time (the order of ``backward()`` with every rule right, say).  The report
is JSON: every node of the graph the class built (inputs first: data, op, inputs), each step's node, every
node's gradient after the run, what each ``_backward`` adds at three settings of the gradients (enough to replay
it), the order ``backward()`` called them in, and the error raised, if any.
"""

import json
import numbers
import sys

CHILDREN = ("_prev", "_children", "parents", "children")
MAX_NODES = 20000
SETTINGS = ((0.0, 1.0), (1.0, 1.0), (0.0, 2.0))  # (every input's grad, out.grad) for the readings


def number(x):
    """A JSON-able float, or None when ``x`` is not a real number."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return None


def error_of(error):
    return [type(error).__name__[:100], str(error)[:300]]


def inputs_of(obj):
    for name in CHILDREN:
        if hasattr(obj, name):
            found = {}
            for child in list(getattr(obj, name) or ()):
                found.setdefault(id(child), child)
            return list(found.values())
    raise LookupError("a node has no _prev: keep each node's inputs in self._prev")


def graph_order(root):
    """Every node, inputs first, found with a loop (no recursion); at most MAX_NODES."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        obj, expanded = stack.pop()
        if expanded:
            order.append(obj)
            continue
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if len(seen) > MAX_NODES:
            raise LookupError(f"the graph has more than {MAX_NODES} nodes")
        stack.append((obj, True))
        stack.extend((child, False) for child in inputs_of(obj))
    return order


def right_rule(op, out, ins, k):
    """The right _backward of a node made by ``op`` from ``ins`` (an input used twice is in ``ins`` twice)."""

    def rule():
        if op == "+":
            for x in ins:
                x.grad += out.grad
        elif op == "*":
            ins[0].grad += ins[1].data * out.grad
            ins[1].grad += ins[0].data * out.grad
        elif op == "tanh":
            ins[0].grad += (1 - out.data**2) * out.grad
        elif op == "exp":
            ins[0].grad += out.data * out.grad
        elif op == "**":
            ins[0].grad += k * ins[0].data ** (k - 1) * out.grad

    return rule


def build(cls, steps):
    made = []
    for step in steps:
        op = step[0]
        if op == "leaf":
            node = cls(step[1])
            try:
                node.label = step[2]
            except AttributeError:
                pass
        elif op == "+":
            node = made[step[1]] + made[step[2]]
        elif op == "*":
            node = made[step[1]] * made[step[2]]
        elif op == "tanh":
            node = made[step[1]].tanh()
        elif op == "exp":
            node = made[step[1]].exp()
        elif op == "**":
            node = made[step[1]] ** step[2]
        else:
            raise ValueError(f"unknown step {op!r}")
        made.append(node)
    return made


def readings(obj, ins):
    """What the node's _backward leaves in each input's grad at each of SETTINGS (all restored after)."""
    saved = [(x, x.grad) for x in [obj, *ins]]
    found = []
    try:
        for start, upstream in SETTINGS:
            obj.grad = upstream
            for x in ins:
                x.grad = start
            obj._backward()
            found.append([number(x.grad) for x in ins])
        return found
    except Exception as error:
        return error_of(error)
    finally:
        for x, grad in reversed(saved):
            try:
                x.grad = grad
            except Exception:
                pass


def run_graph(cls, space, steps, mode="rules", inject=(), zero_grad=False):
    """Build ``steps`` with ``cls``, run it as ``mode`` says, and report the numbers (a dict, JSON-able)."""
    report = {"error": None, "where": None}
    try:
        made = build(cls, steps)
        root = made[-1]
        order = graph_order(root)
    except RecursionError as error:
        report.update(error=error_of(error), where="build")
        return report
    except Exception as error:
        report.update(error=error_of(error), where="build")
        return report
    index = {id(obj): n for n, obj in enumerate(order)}
    inputs = [inputs_of(obj) for obj in order]
    report["nodes"] = [
        [
            number(getattr(obj, "data", None)),
            str(getattr(obj, "_op", getattr(obj, "op", "")) or "")[:20],
            [index[id(c)] for c in ins],
        ]
        for obj, ins in zip(order, inputs, strict=True)
    ]
    report["steps"] = [index.get(id(obj), -1) for obj in made]
    originals = {}
    for step, obj in zip(steps, made, strict=True):
        if step[0] in inject and step[0] != "leaf":
            originals[id(obj)] = (obj, getattr(obj, "_backward", None))
            ins = [made[i] for i in step[1:3] if isinstance(i, int)] if step[0] in ("+", "*") else [made[step[1]]]
            obj._backward = right_rule(step[0], obj, ins, step[2] if step[0] == "**" else None)
    try:
        report["readings"] = {
            str(n): readings(obj, ins) for n, (obj, ins) in enumerate(zip(order, inputs, strict=True)) if ins
        }
        calls = []
        logged = []
        for n, obj in enumerate(order):
            original = getattr(obj, "_backward", None)
            if callable(original):

                def log(n=n, original=original):
                    calls.append(n)
                    return original()

                logged.append((obj, original))
                obj._backward = log
        try:
            for obj in order:
                obj.grad = 0.0
            if mode == "rules":
                root.grad = 1.0
                for obj in reversed(order):
                    obj._backward()
            else:
                root.backward()
                report["seed"] = number(root.grad)
                if zero_grad:
                    function = space.get("zero_grad")
                    if not callable(function):
                        raise NameError("there is no function zero_grad(root)")
                    report["where"] = "zero_grad"
                    function(root)
                    report["where"] = None
                    report["zeroed"] = [number(obj.grad) for obj in order]
                    root.backward()
        except Exception as error:
            report["error"] = error_of(error)
            report["where"] = report["where"] or ("backward" if mode != "rules" else "rules")
        finally:
            for obj, original in logged:
                obj._backward = original
        report["calls"] = calls
        report["grads"] = [number(obj.grad) for obj in order]
    finally:
        for obj, original in originals.values():
            try:
                obj._backward = original
            except Exception:
                pass
    return report


def run_experiments(cls, space, experiments):
    """Every experiment (a dict: steps, mode, inject, zero_grad) run on the class: a list of reports."""
    return [
        run_graph(cls, space, e["steps"], e.get("mode", "rules"), tuple(e.get("inject", ())), e.get("zero_grad"))
        for e in experiments
    ]


def main():
    """The fresh process: read the task (the hand-in's definitions, the class's name, the experiments) on stdin,
    run the definitions (each statement on its own; one that fails is noted), print one JSON line."""
    task = json.loads(sys.stdin.read())
    space = {"__name__": "__main__"}
    exec("import math, random", space)
    failed = []
    for statement in task["code"]:
        try:
            exec(compile(statement, "<answer>", "exec"), space)
        except BaseException as error:
            failed.append([statement.splitlines()[0][:120] if statement else "", *error_of(error)])
    cls = space.get(task["name"])
    if not isinstance(cls, type):
        result = {"missing": True, "failed": failed}
    else:
        sys.setrecursionlimit(1000)
        result = {"reports": run_experiments(cls, space, task["experiments"]), "failed": failed}
    sys.__stdout__.write("\n" + json.dumps(result) + "\n")
    sys.__stdout__.flush()


if __name__ == "__main__":
    main()
