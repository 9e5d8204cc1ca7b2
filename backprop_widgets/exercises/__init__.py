"""Exercises a student checks on the spot: ``check(answer)`` says right or wrong and why, without giving the answer away.

Each lesson has a module of exercises::

    from backprop_widgets.exercises import lesson01 as ex

    ex.sigmoid_slope_at_0                  # shows the question
    ex.sigmoid_slope_at_0.check(answer)    # ✔ or ✘, with the reason
    ex.sigmoid_slope_at_0.hint()
    ex.sigmoid_slope_at_0.solution()       # the worked solution and the answer
    ex.sigmoid_slope_at_0.assert_correct(answer)   # raises AssertionError when wrong (nbgrader)

Every answer is computed by the engine from the graph in the question, never typed in.
Only the engine and ``nn`` are used here (no drawing, no widgets).
"""

from . import lesson01, lesson02
from .answers import NotAnAnswer
from .backward import FunctionExercise, away_from_zero, uniform
from .exercise import ArrayExercise, BoolExercise, ChoiceExercise, Exercise, NumberExercise
from .verdict import Text, Verdict

__all__ = [
    "Exercise",
    "NumberExercise",
    "ArrayExercise",
    "BoolExercise",
    "ChoiceExercise",
    "FunctionExercise",
    "Verdict",
    "Text",
    "NotAnAnswer",
    "uniform",
    "away_from_zero",
    "LESSONS",
    "lesson01",
    "lesson02",
    "lesson03",
    "lesson04",
    "lesson05",
    "lesson06",
    "lesson07",
    "lesson08",
]

# Lessons 03-08 work with Tensors, which bring numpy: imported when first asked for, so
# lessons 01-02 run where numpy cannot be had.  LESSONS: every lesson's exercises, by module name.
_LATER = ("lesson03", "lesson04", "lesson05", "lesson06", "lesson07", "lesson08")


def __getattr__(name: str):
    import importlib

    if name in _LATER:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "LESSONS":
        return {n: importlib.import_module(f"{__name__}.{n}") for n in ("lesson01", "lesson02", *_LATER)}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
