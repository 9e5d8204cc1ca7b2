"""The autograd engine: scalar ``Value`` nodes, the op table, the backward pass and gradient checks.

It knows nothing of drawing or widgets (those import it, never the reverse).
"""

from .graph import Node, Step, backward_steps, evaluate, forward_derivatives, topological_order
from .gradcheck import GradCheck, GradCheckRow, gradcheck
from .numerics import NumericWarning
from .ops import SCALAR_OPS, Op, format_number
from .value import Value

__all__ = [
    "Value",
    "Node",
    "Op",
    "SCALAR_OPS",
    "Step",
    "backward_steps",
    "topological_order",
    "evaluate",
    "forward_derivatives",
    "gradcheck",
    "GradCheck",
    "GradCheckRow",
    "NumericWarning",
    "format_number",
]
