"""Gradient checking: backpropagation's answers against central finite differences."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

from .graph import Node, backward_steps, evaluate, topological_order
from .ops import format_number

__all__ = ["gradcheck", "GradCheck", "GradCheckRow", "verdict"]

# The usual scale for relative errors of a central difference in double precision.
VERDICTS = (
    (1e-7, "right"),  # as close as finite differences can tell
    (1e-4, "probably right"),  # fine near a kink (relu, abs) or in a deep graph
    (1e-2, "doubtful"),  # look closer
    (math.inf, "wrong"),  # the analytic gradient is not this function's
)


def verdict(rel_error: float) -> str:
    """Name a relative error on the usual scale.

    >>> verdict(3e-10), verdict(2e-5), verdict(0.5)
    ('right', 'probably right', 'wrong')
    """
    if math.isnan(rel_error):
        return "wrong"
    for bound, word in VERDICTS:
        if rel_error <= bound:
            return word
    return "wrong"


# Below this size a gradient counts as zero: a finite difference of a flat
# function is rounding noise of about 1e-11, which is not a relative error of 1.
ZERO_SCALE = 1e-6


def relative_error(analytic: float, numeric: float) -> float:
    """``|a − n| / max(|a|, |n|, 1e-6)``; 0 when both agree exactly, nan if either is nan.

    >>> f"{relative_error(2.0, 2.0000002):.1e}", relative_error(0.0, 1e-12) < 1e-5
    ('1.0e-07', True)
    """
    if analytic == numeric:
        return 0.0
    if analytic != analytic or numeric != numeric:
        return float("nan")
    scale = max(abs(analytic), abs(numeric), ZERO_SCALE)
    return abs(analytic - numeric) / scale


@dataclass(frozen=True)
class GradCheckRow:
    """One node's analytic gradient beside its numerical estimate."""

    node: Any
    analytic: float
    numeric: float
    rel_error: float
    verdict: str

    @property
    def name(self) -> str:
        return self.node.label or self.node.op or format_number(self.node.data)


class GradCheck:
    """The result of ``gradcheck``: one row per node, and ``ok`` when none is doubtful or wrong."""

    def __init__(self, rows: list[GradCheckRow]) -> None:
        self.rows = rows

    @property
    def ok(self) -> bool:
        return all(row.verdict in ("right", "probably right") for row in self.rows)

    @property
    def max_rel_error(self) -> float:
        return max((row.rel_error for row in self.rows), default=0.0)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        lines = [f"{'node':>10} {'backprop':>12} {'numerical':>12} {'rel. error':>10}  verdict"]
        for row in self.rows:
            lines.append(
                f"{row.name:>10} {format_number(row.analytic, 8):>12} "
                f"{format_number(row.numeric, 8):>12} {row.rel_error:>10.1e}  {row.verdict}"
            )
        return "\n".join(lines)


def gradcheck(root: Node, *, leaves_only: bool = False, h: float = 1e-5) -> GradCheck:
    """Check every gradient of ``root`` against a central difference.

    Runs ``root``'s backward pass, then for each node nudges its value by ±h,
    re-evaluates everything downstream (an inner node is held at the nudged
    value, as if it were an input), and compares (f(v+h) − f(v−h)) / 2h with the
    gradient from backpropagation.  Values and gradients are restored afterwards.

    >>> from backprop_widgets import Value
    >>> x = Value(1.0, label="x")
    >>> report = gradcheck(((4 * x + 1) ** 2))
    >>> report.ok, [row.verdict for row in report if row.name == "x"]
    (True, ['right'])
    """
    order = topological_order(root)
    for _ in backward_steps(root):
        pass
    nodes = [n for n in order if not n.parents] if leaves_only else order
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for node in nodes:
            original = node.data
            node.data = original + h
            plus = evaluate(root, order, hold=node)
            node.data = original - h
            minus = evaluate(root, order, hold=node)
            node.data = original
            numeric = (plus - minus) / (2 * h)
            error = relative_error(node.grad, numeric)
            rows.append(GradCheckRow(node, node.grad, numeric, error, verdict(error)))
        evaluate(root, order)
    return GradCheck(rows)
