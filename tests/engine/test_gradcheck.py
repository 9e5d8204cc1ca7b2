"""gradcheck: it must say right when backprop is right, and wrong when a rule is wrong."""

import dataclasses
import math

from backprop_widgets import Value, gradcheck
from backprop_widgets.engine import SCALAR_OPS
from backprop_widgets.engine.gradcheck import verdict


def test_every_node_is_checked_and_values_are_restored():
    a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    f = (a + b) * (b + c)
    report = gradcheck(f)
    assert report.ok and len(report) == 6
    assert (a.data, b.data, c.data, f.data) == (-1.0, 3.0, 4.0, 14.0)
    assert (a.grad, b.grad, c.grad) == (7.0, 9.0, 2.0)
    assert "verdict" in repr(report)


def test_sigmoid_tree_from_the_first_article():
    x = Value(1.0, label="x")
    g = 1 / (1 + Value(math.e, label="e", constant=True) ** (-x))
    report = gradcheck(g, leaves_only=True)
    assert report.ok
    assert math.isclose(x.grad, 0.19661193324148185, rel_tol=1e-15)


def test_a_wrong_rule_is_caught(monkeypatch):
    wrong = dataclasses.replace(SCALAR_OPS["mul"], local=lambda a, b, out: (a, b))  # swapped
    monkeypatch.setitem(SCALAR_OPS, "mul", wrong)
    x, y = Value(2.0), Value(5.0)
    report = gradcheck(x * y)
    assert not report.ok
    assert {row.verdict for row in report if row.node in (x, y)} == {"wrong"}


def test_verdict_scale():
    assert verdict(0.0) == "right"
    assert verdict(1e-6) == "probably right"
    assert verdict(1e-3) == "doubtful"
    assert verdict(float("nan")) == "wrong"
