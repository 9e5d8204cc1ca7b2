"""The widgets: the graph picture (``GraphView``, ``draw``), ``BackwardStepper``, ``Explorer`` and ``TrainingDashboard``."""

from .dashboard import TrainingDashboard
from .explorer import Explorer
from .graph import GraphView, draw
from .options import configure
from .stepper import BackwardStepper
from .walk import BackwardWalk

__all__ = ["GraphView", "draw", "BackwardStepper", "Explorer", "BackwardWalk", "configure", "TrainingDashboard"]
