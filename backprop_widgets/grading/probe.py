"""What runs in the student's kernel when grading: a probe that reports answers, never a test.

Each test cell of a hand-in is replaced, while grading, by a probe: it looks up the
names the instructor's test reads and prints them as JSON on one line that starts
with a marker and a fresh nonce; for a name the test calls (a backward function),
it calls the student's function at the arguments the grader chose for this hand-in
and reports what came back (or which exception).  Only data leaves the kernel; the
grader decodes it with ``decode`` (no pickle, no ``eval``) and judges it itself.

>>> value = {"t": "tuple", "v": [{"t": "num", "v": 1.5}, {"t": "array", "shape": [2], "v": [0.0, 1.0]}]}
>>> decode(value)
(1.5, array([0., 1.]))
>>> encode(decode(value)) == value
True
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

import numpy as np

__all__ = ["MARKER", "FRESH", "probe_source", "encode", "decode", "find_reports", "Opaque", "StudentRaised"]

MARKER = "BPW-GRADER-REPORT"

# Runs in the student's kernel; self-contained (it imports what it needs) so that whatever the notebook
# defined cannot break it by accident.  A notebook that breaks it on purpose only loses its own report.
ENCODER = r"""
def enc(v, depth=0):
    import numbers as _numbers
    import numpy as _np
    if depth > 6:
        return {"t": "opaque", "cls": "deep"}
    if isinstance(v, (bool, _np.bool_)):
        return {"t": "bool", "v": bool(v)}
    if isinstance(v, _numbers.Real):
        try:
            return {"t": "num", "v": float(v)}
        except (OverflowError, ValueError, TypeError):
            return {"t": "opaque", "cls": "number too large for a float"}
    if isinstance(v, str):
        return {"t": "str", "v": v[:2000]}
    if v is None:
        return {"t": "none"}
    if isinstance(v, _np.ndarray):
        if v.dtype.kind in "biuf" and v.size <= 100000:
            return {"t": "array", "shape": list(v.shape), "v": [float(e) for e in v.ravel()]}
        return {"t": "opaque", "cls": "ndarray of " + str(v.dtype)}
    if isinstance(v, (list, tuple)) and len(v) <= 10000:
        return {"t": "tuple" if isinstance(v, tuple) else "list", "v": [enc(e, depth + 1) for e in v]}
    kind = type(v).__name__
    if kind in ("Value", "Tensor") and hasattr(v, "data"):
        return {"t": "node", "cls": kind, "v": enc(v.data, depth + 1)}
    if callable(v):
        return {"t": "function"}
    return {"t": "opaque", "cls": kind[:100]}
"""

PROBE = r"""
def dec(v):
    import numpy as _np
    if v["t"] == "array":
        return _np.array(v["v"], dtype=float).reshape(v["shape"])
    if v["t"] == "tuple":
        return tuple(dec(e) for e in v["v"])
    if v["t"] == "list":
        return [dec(e) for e in v["v"]]
    return v.get("v")

import json as _json
import sys as _sys
space = _sys.modules["__main__"].__dict__
report = {"values": {}, "calls": {}}
def safe(v):
    try:
        return enc(v)
    except Exception as error:
        return {"t": "opaque", "cls": "unreadable (%s)" % type(error).__name__[:100]}

for name in names:
    report["values"][name] = safe(space[name]) if name in space else {"t": "missing"}
for name, arglists in calls.items():
    results = []
    function = space.get(name)
    for args in arglists:
        if not callable(function):
            break
        try:
            results.append(safe(function(*[dec(a) for a in args])))
        except Exception as error:
            results.append({"t": "raised", "ename": type(error).__name__[:100], "evalue": str(error)[:500]})
    report["calls"][name] = results
_sys.stdout.write("\n%s %s %s\n" % (MARKER, nonce, _json.dumps(report)))
_sys.stdout.flush()
""".replace("MARKER", repr(MARKER))

KERNEL_CODE = "def _bpw_probe(nonce, names, calls):\n" + textwrap.indent(ENCODER + PROBE, "    ")


# A fresh process that learns a hand-in's functions from their code only, and calls them where the grader says.
# It reads one JSON object on stdin: "constants" (name -> encoded value: the numbers the read-only cells gave this
# student, computed by the grader), "code" (top-level statements: the read-only cells' functions, then the
# definitions in the student's cells) and "calls" ([label, function name, argument lists], ...); it prints one
# JSON line: label -> results.
FRESH = (
    ENCODER
    + PROBE.split("import json as _json")[0]
    + r"""
import json as _json, sys as _sys
_task = _json.loads(_sys.stdin.read())
_space = {"__name__": "__main__"}
exec("import math, numbers\nimport numpy as np", _space)
_space.update({name: dec(value) for name, value in _task["constants"].items()})
for _statement in _task["code"]:
    try:
        exec(compile(_statement, "<answer>", "exec"), _space)
    except BaseException:
        pass
_results = {}
for label, name, arglists in _task["calls"]:
    function, _results[label] = _space.get(name), []
    for args in arglists:
        if not callable(function):
            break
        try:
            _results[label].append(enc(function(*[dec(a) for a in args])))
        except BaseException as error:
            _results[label].append({"t": "raised", "ename": type(error).__name__[:100], "evalue": str(error)[:500]})
_sys.__stdout__.write("\n" + _json.dumps(_results) + "\n")
"""
)


def probe_source(nonce: str, names: list[str], calls: dict[str, list[list[dict]]]) -> str:
    """The code of a probe cell: report ``names``' values, and call each function in ``calls`` at its argument
    lists (each argument already ``encode``d)."""
    return (
        "# While grading, this test was replaced by a probe: it reports your answers; the tests run outside your notebook.\n"
        + KERNEL_CODE
        + f"\n_bpw_probe({nonce!r}, {names!r}, __import__('json').loads({json.dumps(json.dumps(calls))}))\n"
        + "del _bpw_probe\n"
    )


_space: dict = {}
exec(ENCODER, _space)  # the kernel's encoder, used here too so that both sides agree


def encode(value: Any) -> dict:
    """A value as the probe reports it (JSON-able)."""
    return _space["enc"](value)


class Opaque:
    """A reported answer the grader cannot rebuild (an object of some class): the tests see its kind only."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"<{self.kind}>"


def _opaque(kind: str) -> Opaque:
    """An ``Opaque`` whose class is named after the kind, so that a verdict says "not a dict", "not a number too large
    for a float" (the exercises name an answer's class)."""
    return type(kind[:100] or "object", (Opaque,), {})(kind)


class ReportedFunction:
    """What a student defined as a function, when the test reads it as a value."""

    def __call__(self, *args, **kwargs):
        raise TypeError("this function can only be called at the arguments the grader planned")

    def __repr__(self) -> str:
        return "<function>"


class StudentRaised(Exception):
    """The student's function raised this (its name and message as reported)."""


def _exception(ename: str, evalue: str) -> Exception:
    name = ename if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,99}", ename or "") else "Exception"
    return type(name, (StudentRaised,), {})(evalue)


def decode(value: dict) -> Any:
    """A reported value, rebuilt in the grader: numbers, arrays, strings, lists, engine nodes, or an ``Opaque``."""
    kind = value.get("t")
    if kind == "num":
        return float(value["v"])
    if kind == "bool":
        return bool(value["v"])
    if kind == "str":
        return str(value["v"])
    if kind == "none":
        return None
    if kind == "array":
        return np.array([float(v) for v in value["v"]], dtype=float).reshape([int(n) for n in value["shape"]])
    if kind == "list":
        return [decode(v) for v in value["v"]]
    if kind == "tuple":
        return tuple(decode(v) for v in value["v"])
    if kind == "node":
        from ..engine.tensor import Tensor
        from ..engine.value import Value

        data = decode(value["v"])
        if value.get("cls") == "Tensor" and isinstance(data, np.ndarray):
            return Tensor(data)
        if value.get("cls") == "Value" and isinstance(data, float):
            return Value(data)
        return _opaque(str(value.get("cls")))
    if kind == "function":
        return ReportedFunction()
    if kind == "raised":
        return _exception(str(value.get("ename")), str(value.get("evalue")))
    return _opaque(str(value.get("cls", "object")))


def find_reports(text: str, nonce: str) -> list[dict]:
    """Every report line with this nonce in a cell's printed output (exactly one is expected)."""
    found = []
    for line in text.splitlines():
        if line.startswith(f"{MARKER} {nonce} "):
            try:
                found.append(json.loads(line[len(MARKER) + len(nonce) + 2 :]))
            except ValueError:
                found.append({"malformed": True})
    return found
