"""Gradient checking: backpropagation's answers against central finite differences.

``central_difference`` is the kit's one finite-difference routine: ``gradcheck``
uses it for every node, and the exercises use it to check the engine before a
student is judged by it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

from .arrays import ndim, shape
from .graph import Node, backward_steps, evaluate, topological_order
from .ops import format_number

__all__ = ["gradcheck", "GradCheck", "GradCheckRow", "central_difference", "verdict"]

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


def relative_error(analytic: Any, numeric: Any) -> float:
    """``|a − n| / max(|a|, |n|, 1e-6)``; 0 when both agree exactly, nan if either is nan.

    For arrays, the worst entry's.

    >>> f"{relative_error(2.0, 2.0000002):.1e}", relative_error(0.0, 1e-12) < 1e-5
    ('1.0e-07', True)
    """
    if ndim(analytic) or ndim(numeric):
        import numpy as np

        return float(np.max(_relative_errors(analytic, numeric), initial=0.0))
    if analytic == numeric:
        return 0.0
    if analytic != analytic or numeric != numeric:
        return float("nan")
    scale = max(abs(analytic), abs(numeric), ZERO_SCALE)
    return abs(analytic - numeric) / scale


def _relative_errors(analytic: Any, numeric: Any) -> Any:
    """``relative_error`` entry by entry (nan where either is nan, which ``np.max`` then reports)."""
    import numpy as np

    a, n = np.broadcast_arrays(np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float))
    with np.errstate(invalid="ignore"):
        errors = np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), ZERO_SCALE)
    return np.where(a == n, 0.0, errors)


def central_difference(root: Node, node: Node, *, h: float = 1e-5, order: list[Node] | None = None) -> Any:
    """d root / d node by a central difference, (f(v + h) − f(v − h)) / 2h, entry by entry.

    ``node`` is nudged by ±h (an inner node is held at its nudged value, as if
    it were an input) and everything is recomputed; every check starts from the
    graph's true values, and all values are put back afterwards.  ``root`` must
    have a single entry.  Returns a float for a ``Value``, an array of
    ``node``'s shape for a ``Tensor``.

    >>> from backprop_widgets import Value
    >>> x = Value(3.0)
    >>> y = x * x
    >>> round(central_difference(y, x), 6)
    6.0
    """
    order = order if order is not None else topological_order(root)
    true_values = [(n, n.data) for n in order]
    original = node.data
    is_array = ndim(original) > 0
    grad: Any  # an array of node's shape, or [0.0] for a number
    if is_array:
        import numpy as np

        grad = np.zeros(np.shape(original))
        indices = list(np.ndindex(grad.shape))
    else:  # a number: no numpy needed
        grad, indices = [0.0], [0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for index in indices:
                ends = []
                for step in (h, -h):
                    for n, value in true_values:  # start from the true values
                        n.data = value
                    if is_array:
                        nudged = original.copy()
                        nudged[index] += step
                        node.data = nudged
                    else:
                        node.data = original + step
                    ends.append(_single_number(evaluate(root, order, hold=node)))
                grad[index] = (ends[0] - ends[1]) / (2 * h)
    finally:
        for n, value in true_values:
            n.data = value
    return grad if is_array else float(grad[0])


def _single_number(x: Any) -> float:
    if not ndim(x):
        return float(x)
    import numpy as np

    if np.size(x) != 1:
        raise ValueError(f"a gradient check needs a scalar output; this one has shape {shape(x)}: call .sum() first")
    return float(np.reshape(x, ()))


@dataclass(frozen=True)
class GradCheckRow:
    """One node's analytic gradient beside its numerical estimate (arrays for a ``Tensor``)."""

    node: Any
    analytic: Any
    numeric: Any
    rel_error: float  # for arrays, the worst entry's
    verdict: str

    @property
    def name(self) -> str:
        if ndim(self.node.data):
            return self.node.label or self.node.op or "tensor"
        return self.node.label or self.node.op or format_number(self.node.data)

    @property
    def worst_entry(self) -> tuple:
        """Where the analytic and numerical gradients differ most (``()`` for a scalar)."""
        if not ndim(self.analytic):
            return ()
        import numpy as np

        errors = np.nan_to_num(_relative_errors(self.analytic, self.numeric), nan=np.inf)
        return tuple(int(i) for i in np.unravel_index(np.argmax(errors), errors.shape))


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
        """One line per node; for a tensor, the entry where the two differ most, e.g. ``W1[1, 0]``."""
        lines = [f"{'node':>10} {'backprop':>12} {'numerical':>12} {'rel. error':>10}  verdict"]
        for row in self.rows:
            name, analytic, numeric = row.name, row.analytic, row.numeric
            if ndim(analytic):
                index = row.worst_entry
                name = f"{name}[{', '.join(map(str, index))}]"
                analytic, numeric = float(analytic[index]), float(numeric[index])
            lines.append(
                f"{name:>10} {format_number(analytic, 8):>12} "
                f"{format_number(numeric, 8):>12} {row.rel_error:>10.1e}  {row.verdict}"
            )
        return "\n".join(lines)


def gradcheck(root: Node, *, leaves_only: bool = False, h: float = 1e-5) -> GradCheck:
    """Check every gradient of ``root`` against a central difference.

    Runs ``root``'s backward pass, then for each node (each entry of a tensor)
    compares ``central_difference`` with the gradient from backpropagation.
    Each check starts from the graph's true values, so an inner node is checked
    where it really is; values and gradients are as before afterwards.

    >>> from backprop_widgets import Value
    >>> x = Value(1.0, label="x")
    >>> report = gradcheck(((4 * x + 1) ** 2))
    >>> report.ok, [row.verdict for row in report if row.name == "x"]
    (True, ['right'])
    >>> [row.verdict for row in report if row.name == "mul"]  # the 4x node: dg/d(4x) = 10
    ['right']
    """
    order = topological_order(root)
    for _ in backward_steps(root, record=False):
        pass
    nodes = [n for n in order if not n.parents] if leaves_only else order
    rows = []
    for node in nodes:
        numeric = central_difference(root, node, h=h, order=order)
        error = relative_error(node.grad, numeric)
        rows.append(GradCheckRow(node, node.grad, numeric, error, verdict(error)))
    return GradCheck(rows)
