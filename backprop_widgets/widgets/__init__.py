"""The widgets: the graph picture (``GraphView``, ``draw``), ``BackwardStepper``, ``Explorer`` and ``TrainingDashboard``."""

from .explorer import Explorer
from .graph import GraphView, draw
from .options import configure
from .paths import PathView
from .stepper import BackwardStepper
from .walk import BackwardWalk

__all__ = [
    "GraphView",
    "draw",
    "BackwardStepper",
    "Explorer",
    "PathView",
    "BackwardWalk",
    "configure",
    "TrainingDashboard",
    "Lockstep",
]

# The dashboard needs numpy and matplotlib, Lockstep numpy: imported when first asked for.
_LAZY = {"TrainingDashboard": ".dashboard", "Lockstep": ".lockstep"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
