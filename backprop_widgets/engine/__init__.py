"""The autograd engine: scalar ``Value`` nodes, the op table, the backward pass and gradient checks.

It knows nothing of drawing or widgets (those import it, never the reverse).
"""

from .graph import Node, Step, backward_steps, evaluate, forward_derivatives, topological_order
from .gradcheck import GradCheck, GradCheckRow, gradcheck
from .numerics import NumericWarning
from .ops import SCALAR_OPS, Op, format_number
from .value import Value
from .tensor import Tensor
from .tensor_ops import TENSOR_OPS, VJP, TensorOp, sum_to_shape

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
    "Tensor",
    "TENSOR_OPS",
    "TensorOp",
    "VJP",
    "sum_to_shape",
]
