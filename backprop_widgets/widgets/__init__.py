"""The widgets: ``BackwardStepper``, ``Explorer`` and ``TrainingDashboard``, composed from ipywidgets' standard controls."""

from .dashboard import TrainingDashboard
from .explorer import Explorer
from .options import configure
from .stepper import BackwardStepper
from .walk import BackwardWalk

__all__ = ["BackwardStepper", "Explorer", "BackwardWalk", "configure", "TrainingDashboard"]
