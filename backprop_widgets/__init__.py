"""backprop_widgets: watch gradients flow through a computation graph, in Jupyter."""

from .engine import (
    GradCheck,
    NumericWarning,
    Step,
    Tensor,
    Value,
    backward_steps,
    forward_derivatives,
    gradcheck,
    topological_order,
)
from . import nn
from .parse import ParseError, parse, to_formula, variables
from . import exercises
from .widgets import BackwardStepper, Explorer, GraphView, TrainingDashboard, configure, draw

__version__ = "0.1.0"

__all__ = [
    "Value",
    "Step",
    "backward_steps",
    "forward_derivatives",
    "topological_order",
    "gradcheck",
    "GradCheck",
    "NumericWarning",
    "Tensor",
    "nn",
    "parse",
    "ParseError",
    "draw",
    "GraphView",
    "variables",
    "to_formula",
    "BackwardStepper",
    "Explorer",
    "configure",
    "TrainingDashboard",
    "exercises",
]
