"""audit() of a student's engine in a real JupyterLab: the verdict, and the picture with the first wrong node marked.

With BPW_SHOTS=dir set, it saves a screenshot of the audit (ownengine-audit.png there).
"""

import os
import re
from pathlib import Path

import pytest

from .graph_dom import current_ids, wait_until_laid_out

STUDENT_CELL = """\
class Value:  # a student's engine whose rules overwrite (=) where they must add (+=)
    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = data, 0.0, set(_children), _op, label
        self._backward = lambda: None

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad = out.grad
            other.grad = out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, seen = [], set()
        def build(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)
        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
"""

AUDIT_CELL = """\
from backprop_widgets import audit
a, b, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(-2.0, label="f")
e = a * b; e.label = "e"
d = e + a; d.label = "d"
L = d * f; L.label = "L"
audit(L)
"""


@pytest.mark.browser
def test_audit_marks_the_first_wrong_node(lab):
    from playwright.sync_api import expect

    notebook = lab.run("audit.ipynb", [STUDENT_CELL, AUDIT_CELL])
    wait_until_laid_out(notebook.panel)
    view = notebook.panel.locator(".bpw-audit-view").first
    expect(view).to_contain_text("the node 'a' (data 2): expected grad 4, got", timeout=30_000)
    expect(view).to_contain_text("overwrites")
    picture = view.locator(".bpw-picture").first
    expect(picture.locator(".bpw-stage svg")).to_have_attribute("aria-label", re.compile("first wrong gradient"))
    lit = current_ids(picture)
    assert lit and all(i.startswith("n") for i in lit), lit  # a node is marked, no edge
    target = os.environ.get("BPW_SHOTS")
    if target:
        view.screenshot(path=str(Path(target) / "ownengine-audit.png"))
