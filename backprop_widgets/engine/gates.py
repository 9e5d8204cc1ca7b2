"""The gate patterns of the backward pass, in CS231n's words: add distributes, multiply swaps, max routes,
a copy passes, and a fan-out adds; and what the same gates do to a tangent in forward mode.

Each op of either table (by its row's name) says which pattern its backward step makes,
as a short word for the picture and a sentence for the panel.  A fan-out is not an op
but a place in the graph: a node used more than once, whose gradient is the sum of what
each use sends back.

Forward mode (``forward=True``) runs the other way, and the patterns turn round with it:
an add adds its inputs' tangents (da + db) where backward it distributes one gradient, a
fan-out copies one tangent to every use where backward it adds the gradients, while
multiply still swaps (da·b + a·db), max still routes (the winner's tangent) and a copy
still passes (the tangent's entries moved as the entries are).

>>> from backprop_widgets import Value
>>> a, b = Value(2.0), Value(3.0)
>>> gate_pattern((a * b).op)
'swaps'
>>> uses(a * b + a)[a]
2
>>> gate_pattern("add"), gate_pattern("add", forward=True)
('distributes', 'adds')
"""

from __future__ import annotations

from typing import Any

from .graph import topological_order

__all__ = ["GATES", "FORWARD_GATES", "gate_pattern", "gate_sentence", "uses", "FAN_OUT", "FAN_OUT_FORWARD"]

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


# What the same gates do to a tangent in forward mode (ForwardStepper): op name -> (word, sentence).
_ADDS = "add adds the tangents: the output moves by da + db (backward, where one gradient comes in, it distributes)"
_SWAPS_FORWARD = "multiply swaps here too: da·b + a·db, each input's tangent times the other input"
_ROUTES_FORWARD = "max routes: the output moves with the tangent of the input that won, not with the others'"
_PASSES_FORWARD = "a copy passes: the tangent's entries are moved as the entries themselves are"
_SCALES_FORWARD = "scales: each moving input's tangent times this op's local slope (added up over the inputs)"
FORWARD_GATES: dict[str, tuple[str, str]] = {
    "add": ("adds", _ADDS),
    "sub": ("adds", "subtract adds the tangents with the second's sign flipped: da − db"),
    "sum": ("adds", "a sum adds up its summands' tangents (backward, it distributes)"),
    "mean": ("adds", "a mean averages its entries' tangents: their sum / n"),
    "mul": ("swaps", _SWAPS_FORWARD),
    "matmul": ("swaps", _SWAPS_FORWARD + ", as matrices: dA @ B + A @ dB"),
    "max": ("routes", _ROUTES_FORWARD + " (the average of the two at a tie)"),
    "min": (
        "routes",
        "min routes: the output moves with the smaller input's tangent (the average of the two at a tie)",
    ),
    "maximum": ("routes", _ROUTES_FORWARD + ", entry by entry (the average of the two at a tie)"),
    "minimum": ("routes", "min routes: the output moves with the smaller input's tangent, entry by entry"),
    "amax": ("routes", _ROUTES_FORWARD + " (the average of the tangents of entries tied at the max)"),
    "relu": ("routes", "relu = max(0, a) routes: the tangent passes where a > 0, stops elsewhere"),
    "leaky_relu": ("routes", "leaky relu routes: the tangent where a > 0, only a slope's share of it elsewhere"),
    "clip": ("routes", "clip routes: the tangent passes where a is inside [lo, hi], stops elsewhere"),
    "neg": ("passes", "a copy passes, with its sign flipped: −da"),
    "reshape": ("passes", _PASSES_FORWARD),
    "transpose": ("passes", _PASSES_FORWARD),
    "index": (
        "passes",
        _PASSES_FORWARD + " (picked twice: copied twice; only backward do the two add up)",
    ),
}
FAN_OUT_FORWARD = (
    "a fan-out copies: {name} is used {count} times, and each use gets the same tangent "
    "(nothing adds up going forward: backward, the gradients do)"
)


def gate_pattern(op: str | None, *, forward: bool = False) -> str:
    """The short word for the pattern an op's backward step makes: distributes, swaps, routes, passes or scales;
    with ``forward``, what it does to a tangent: adds, swaps, routes, passes or scales."""
    if op is None:
        return ""
    if forward:
        return FORWARD_GATES.get(op, ("scales", _SCALES_FORWARD))[0]
    return GATES.get(op, ("scales", _SCALES))[0]


def gate_sentence(op: str | None, *, forward: bool = False) -> str:
    """The pattern an op's backward step makes (or, with ``forward``, its forward step), as a sentence
    (CS231n's words where it has them)."""
    if op is None:
        return ""
    if forward:
        return FORWARD_GATES.get(op, ("scales", _SCALES_FORWARD))[1]
    return GATES.get(op, ("scales", _SCALES))[1]


def uses(root: Any) -> dict[Any, int]:
    """How many times each node of ``root``'s graph is used as an input (2 or more: a fan-out)."""
    counts: dict[Any, int] = {}
    for node in topological_order(root):
        for parent in node.parents:
            counts[parent] = counts.get(parent, 0) + 1
    return counts
