"""The gate patterns of the backward pass, in CS231n's words: add distributes, multiply swaps, max routes,
a copy passes, and a fan-out adds.

Each op of either table (by its row's name) says which pattern its backward step makes,
as a short word for the picture and a sentence for the panel.  A fan-out is not an op
but a place in the graph: a node used more than once, whose gradient is the sum of what
each use sends back.

>>> from backprop_widgets import Value
>>> a, b = Value(2.0), Value(3.0)
>>> gate_pattern((a * b).op)
'swaps'
>>> uses(a * b + a)[a]
2
"""

from __future__ import annotations

from typing import Any

from .graph import topological_order

__all__ = ["GATES", "gate_pattern", "gate_sentence", "uses", "FAN_OUT"]

_DISTRIBUTES = "add distributes: each input gets the upstream gradient unchanged"
_SWAPS = "multiply swaps: each input gets the upstream gradient times the other input"
_ROUTES = "max routes: the whole upstream gradient goes to the input that won, none to the others"
_PASSES = "a copy passes: the upstream gradient goes back unchanged, only moved to where each entry came from"
_SCALES = "scales: the upstream gradient times this op's local slope"

# op name -> (short word for the picture, the sentence for the panel)
GATES: dict[str, tuple[str, str]] = {
    "add": ("distributes", _DISTRIBUTES),
    "sub": ("distributes", _DISTRIBUTES + " (the second with its sign flipped)"),
    "sum": ("distributes", "a sum distributes: every summand gets the upstream gradient of the sum it went into"),
    "mean": ("distributes", "a mean distributes: every entry gets an equal share, upstream / n"),
    "mul": ("swaps", _SWAPS),
    "matmul": ("swaps", _SWAPS + ", as matrices: upstream @ Bᵀ for A, Aᵀ @ upstream for B"),
    "max": ("routes", _ROUTES + " (half each at a tie)"),
    "min": ("routes", "min routes: the whole upstream gradient goes to the smaller input (half each at a tie)"),
    "maximum": ("routes", _ROUTES + ", entry by entry (half each at a tie)"),
    "minimum": ("routes", "min routes: the upstream gradient goes to the smaller input, entry by entry"),
    "amax": ("routes", _ROUTES + " (shared equally by entries tied at the max)"),
    "relu": ("routes", "relu = max(0, a) routes: the upstream gradient passes where a > 0, stops elsewhere"),
    "leaky_relu": ("routes", "leaky relu routes: upstream where a > 0, only a slope's share of it elsewhere"),
    "clip": ("routes", "clip routes: the upstream gradient passes where a was inside [lo, hi], stops elsewhere"),
    "neg": ("passes", "a copy passes, with its sign flipped: −upstream"),
    "reshape": ("passes", _PASSES),
    "transpose": ("passes", _PASSES),
    "index": ("passes", _PASSES + " (picked twice: the two add up)"),
}
FAN_OUT = "a fan-out adds: {name} is used {count} times, so its gradient is the sum of what each use sends back"


def gate_pattern(op: str | None) -> str:
    """The short word for the pattern an op's backward step makes: distributes, swaps, routes, passes or scales."""
    if op is None:
        return ""
    return GATES.get(op, ("scales", _SCALES))[0]


def gate_sentence(op: str | None) -> str:
    """The pattern an op's backward step makes, as a sentence (CS231n's words where it has them)."""
    if op is None:
        return ""
    return GATES.get(op, ("scales", _SCALES))[1]


def uses(root: Any) -> dict[Any, int]:
    """How many times each node of ``root``'s graph is used as an input (2 or more: a fan-out)."""
    counts: dict[Any, int] = {}
    for node in topological_order(root):
        for parent in node.parents:
            counts[parent] = counts.get(parent, 0) + 1
    return counts
