"""The autograd engine: scalar ``Value`` nodes, the op table, the backward pass and gradient checks.

It knows nothing of drawing or widgets (those import it, never the reverse).
"""

from .gradcheck import GradCheck, GradCheckRow, gradcheck
from .graph import (
    ForwardStep,
    Node,
    Step,
    backward_steps,
    evaluate,
    forward_derivatives,
    forward_steps,
    topological_order,
)
from .groups import group, group_of
from .numerics import NumericWarning
from .ops import ATOM, POWER, PRODUCT, SCALAR_OPS, SIGNED, SUM, LocalGrad, Op, Slope, format_number
from .value import Value

__all__ = [
    "Value",
    "Node",
    "Op",
    "LocalGrad",
    "Slope",
    "SCALAR_OPS",
    "Step",
    "backward_steps",
    "ForwardStep",
    "forward_steps",
    "topological_order",
    "evaluate",
    "forward_derivatives",
    "gradcheck",
    "group",
    "group_of",
    "GradCheck",
    "GradCheckRow",
    "NumericWarning",
    "format_number",
    "SUM",
    "PRODUCT",
    "SIGNED",
    "POWER",
    "ATOM",
    "Tensor",
    "TENSOR_OPS",
    "TensorOp",
    "VJP",
    "sum_to_shape",
]

# Tensors bring numpy with them, so they are imported when first asked for: the scalar engine
# runs where numpy cannot be had (a browser kernel built from the package registries alone).
_TENSOR_NAMES = {
    "Tensor": "tensor",
    "TENSOR_OPS": "tensor_ops",
    "VJP": "tensor_ops",
    "TensorOp": "tensor_ops",
    "sum_to_shape": "tensor_ops",
}


def __getattr__(name: str):
    if name in _TENSOR_NAMES:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_TENSOR_NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
