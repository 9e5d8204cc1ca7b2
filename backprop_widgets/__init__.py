"""backprop_widgets: watch gradients flow through a computation graph, in Jupyter."""

from . import exercises
from ._version import __version__ as __version__
from .audit import audit, audit_engine
from .engine import (
    GradCheck,
    NumericWarning,
    Step,
    Value,
    backward_steps,
    forward_derivatives,
    gradcheck,
    group,
    topological_order,
)
from .parse import ParseError, parse, to_formula, variables
from .widgets import BackwardStepper, Explorer, GraphView, PathView, configure, draw

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
    "PathView",
    "group",
    "configure",
    "TrainingDashboard",
    "exercises",
    "audit",
    "audit_engine",
]

# numpy (and matplotlib) come with these, so they are imported when first used: the scalar path
# (Value, parse, draw, the stepper, the Explorer, lessons 01-02) runs where numpy cannot be had.
_LAZY = {"Tensor": ".engine", "nn": ".nn", "TrainingDashboard": ".widgets"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name], __name__)
        return module if name == "nn" else getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
