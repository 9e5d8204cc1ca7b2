"""Property tests: random expression trees, backprop against finite differences."""

import math
import warnings

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_widgets import Value, gradcheck
from backprop_widgets.engine import topological_order

from .strategies import op_trees

UNARY = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "abs", "square", "leaky_relu", "inverse"]
BINARY = ["+", "-", "*", "/", "powv"]
KINKS = {"relu", "abs", "leaky_relu"}


def trees():
    return op_trees(UNARY, BINARY, max_leaves=8)


def build(tree, xs):
    if isinstance(tree, int):
        return xs[tree]
    op, *args = tree
    vals = [build(a, xs) for a in args]
    if op == "neg":
        return -vals[0]
    if op == "square":
        return vals[0] ** 2
    if op == "inverse":
        return vals[0] ** -1
    if op in ("exp", "log", "tanh", "sigmoid", "relu", "leaky_relu"):
        return getattr(vals[0], op)()
    if op == "abs":
        return abs(vals[0])
    a, b = vals
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "powv": abs(a) ** b}[op]


def well_conditioned(root):
    for node in topological_order(root):
        if not math.isfinite(node.data) or abs(node.data) > 1e4:
            return False
        if node.op in KINKS and abs(node.parents[0].data) < 1e-3:
            return False
        if (
            node.op in ("log", "div", "powv", "pow")
            and abs(node.parents[0].data if node.op != "div" else node.parents[1].data) < 1e-2
        ):
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(trees(), st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_random_trees_match_finite_differences(tree, values):
    xs = [Value(v, label=name) for v, name in zip(values, "abc", strict=False)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = build(tree, xs)
    assume(not isinstance(tree, int) and well_conditioned(root))
    report = gradcheck(root, leaves_only=True)
    for row in report:
        assert math.isclose(row.analytic, row.numeric, rel_tol=1e-4, abs_tol=1e-6), report
