"""Notebook-wide defaults for what the widgets show, set in one line by an instructor.

>>> from backprop_widgets.widgets.options import configure, defaults
>>> configure(hide_gradients=True)
>>> defaults()["hide_gradients"]
True
>>> configure(reset=True)
>>> defaults()["hide_gradients"] is None  # each widget's own default
True

A graded notebook says ``configure(assessment=True)``: quiz mode, gradients
hidden, no "Run to end" or Play, and no gradient check in the Explorer.

>>> configure(assessment=True)
>>> {name: defaults()[name] for name in ("assessment", "quiz", "hide_gradients")}
{'assessment': True, 'quiz': True, 'hide_gradients': True}
>>> configure(quiz="yes")
Traceback (most recent call last):
    ...
TypeError: configure: quiz must be True or False (or None for the default), not 'yes'
>>> configure(reset=True)

A test, or a part of the kit that runs a notebook's cells (the grader), sets
them for one block instead and leaves nothing behind: ``with options(quiz=True):``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = [
    "configure",
    "configured",
    "options",
    "Options",
    "OPTIONS",
    "defaults",
    "resolve",
    "resolve_hide",
    "CONTROLS",
    "STEPPER_CONTROLS",
    "EXPLORER_CONTROLS",
    "DASHBOARD_CONTROLS",
    "ASSESSMENT_HIDES",
    "in_assessment",
]

# Every control a widget can leave out with ``hide=``, in one place: the widgets import these.
CONTROLS = {
    # the BackwardStepper's (also inside the Explorer and the TrainingDashboard)
    "reset": "the stepper's Reset button (back to step 0)",
    "back": "the stepper's Back button",
    "step": "the stepper's Step button",
    "play": "the stepper's Play button",
    "speed": "the stepper's seconds-per-step slider",
    "run": "the stepper's Run to end button",
    "position": "the stepper's 'step k of n' label",
    "panel": "the stepper's chain-rule panel",
    # the Explorer's
    "formula": "the Explorer's formula box",
    "sliders": "the Explorer's input sliders",
    "modes": "the Explorer's mode buttons (reverse, forward, gradient check)",
    # the TrainingDashboard's
    "training": "the dashboard's Train/Step/Reset buttons and steps-per-update slider",
    "learning_rate": "the dashboard's learning-rate slider",
    "batch_size": "the dashboard's batch-size menu",
    "point": "the dashboard's training-point slider",
}
STEPPER_CONTROLS = ("reset", "back", "step", "play", "speed", "run", "position", "panel")
EXPLORER_CONTROLS = STEPPER_CONTROLS + ("formula", "sliders", "modes")
DASHBOARD_CONTROLS = STEPPER_CONTROLS + ("training", "learning_rate", "batch_size", "point")
# what assessment mode leaves out of every stepper: nothing that walks the whole pass at once
ASSESSMENT_HIDES = ("run", "play", "speed")

_FACTORY: dict[str, Any] = {
    # True: a stepper starts at step 0, every gradient "?" until the walk reaches it; False: it starts
    # at the end with every gradient shown (Reset to step through); None: each widget's own default
    # (BackwardStepper: step 0; Explorer and TrainingDashboard: every gradient shown).
    "hide_gradients": None,
    "quiz": False,  # the stepper asks for each step's numbers before showing them
    "hide": (),  # names of controls to hide (see CONTROLS), e.g. ("run", "play", "formula")
    "assessment": False,  # a graded notebook: quiz, gradients hidden, no run to end, no gradient check
    # True: a stepper's output carries its whole walk, which steps with no kernel (an HTML export, the book),
    # and so does its widget state; None: a walk of at most recorded.REPLAY_STEPS steps is kept in the widget
    # state only (a notebook saved with it steps with no kernel); False: neither
    "record": None,
}


class Options:
    """The widgets' defaults, in one object: notebook-wide, or for one ``with`` block.

    ``configure()`` sets the notebook-wide defaults (an instructor's one line at
    the top of a notebook; they last until changed).  ``with options(...)``
    sets some for the widgets made inside the block only, and puts everything
    back as it ends, including what a ``configure()`` inside it changed, so a
    test or a part of the kit (the grader running a notebook's cells) leaves
    nothing behind.  ``configured()`` is what is in force here.

    >>> with options(quiz=True):
    ...     configured()["quiz"]
    True
    >>> configured()["quiz"]
    False
    """

    def __init__(self) -> None:
        self._notebook: dict[str, Any] = dict(_FACTORY)
        self._block: ContextVar[dict[str, Any] | None] = ContextVar("backprop_widgets_options", default=None)

    def _in_force(self) -> dict[str, Any]:
        block = self._block.get()
        return self._notebook if block is None else block

    def configure(self, *, reset: bool = False, **options: Any) -> None:
        """Set defaults for every widget made after this call, e.g.
        ``configure(hide_gradients=True, quiz=True, hide=("run",))``.

        Each option is checked at once: ``quiz``, ``hide_gradients`` and
        ``assessment`` are True or False (None: the default); ``hide`` names
        controls from ``CONTROLS``.  ``assessment=True`` also turns ``quiz`` and
        ``hide_gradients`` on unless the same call sets them; the widgets then
        hide "Run to end", Play and its speed, and the Explorer offers no gradient
        check.  ``reset=True`` goes back to the factory defaults first.  Inside a
        ``with options(...)`` block it changes the block's defaults only.
        """
        _apply(self._in_force(), reset, options, "configure")

    def configured(self) -> dict[str, Any]:
        """The options in force (a copy)."""
        return dict(self._in_force())

    @contextmanager
    def __call__(self, *, reset: bool = False, **options: Any) -> Iterator[dict[str, Any]]:
        """``with options(quiz=True):`` these defaults for the widgets made in the block, then the ones before."""
        block = dict(self._in_force())
        _apply(block, reset, options, "options")
        token = self._block.set(block)
        try:
            yield dict(block)
        finally:
            self._block.reset(token)


def _apply(target: dict[str, Any], reset: bool, options: dict[str, Any], where: str) -> None:
    unknown = set(options) - set(_FACTORY)
    if unknown:
        raise TypeError(f"{where}: unknown option(s) {sorted(unknown)}; known: {sorted(_FACTORY)}")
    checked: dict[str, Any] = {}
    for name, value in options.items():
        if name == "hide":
            checked[name] = () if value is None else _check_hide(value, tuple(CONTROLS), where)
        else:
            checked[name] = _check_flag(name, value, where)
    if checked.get("assessment"):
        for name in ("quiz", "hide_gradients"):
            if checked.get(name) is None:
                checked[name] = True
    if reset:
        target.clear()
        target.update(_FACTORY)
    for name, value in checked.items():
        target[name] = _FACTORY[name] if value is None and name != "hide_gradients" else value


OPTIONS = Options()  # the one home of the widgets' defaults
configure = OPTIONS.configure
configured = OPTIONS.configured
options = OPTIONS
defaults = configured  # the name the kit used first


def resolve(name: str, value, widget: str = "widget"):
    """An explicit argument wins; ``None`` means the notebook-wide default.  Checked as ``configure`` checks."""
    if name == "hide":  # kept for callers that want the plain list; widgets use resolve_hide
        return configured()["hide"] if value is None else _check_hide(value, tuple(CONTROLS), widget)
    value = _check_flag(name, value, widget)
    return configured()[name] if value is None else value


def resolve_hide(value, known: tuple, widget: str) -> tuple:
    """The controls a widget hides: the configured ones it has, then ``value``'s (added, not replacing),
    then, in assessment mode, ``ASSESSMENT_HIDES``.  ``value``'s names must be the widget's own."""
    explicit = () if value is None else _check_hide(value, known, widget)
    in_force = configured()
    assessment = ASSESSMENT_HIDES if in_force["assessment"] else ()
    names = [n for n in (*in_force["hide"], *explicit, *assessment) if n in known]
    return tuple(dict.fromkeys(names))


def in_assessment() -> bool:
    """Whether the notebook is in assessment mode (``configure(assessment=True)``)."""
    return bool(configured()["assessment"])


def _check_flag(name: str, value, where: str):
    if value is None or isinstance(value, bool):
        return value
    try:  # numpy's bool_ too, but not 1, "yes" or "False"
        import numpy

        if isinstance(value, numpy.bool_):
            return bool(value)
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    raise TypeError(f"{where}: {name} must be True or False (or None for the default), not {value!r}")


def _check_hide(value, known: tuple, where: str) -> tuple:
    if isinstance(value, str):
        value = (value,)
    try:
        names = tuple(value)
    except TypeError:
        raise TypeError(f"{where}: hide must be a control name or a tuple of them, not {value!r}") from None
    bad = [n for n in names if not isinstance(n, str) or n not in known]
    if bad:
        raise ValueError(f"{where}: hide: unknown control(s) {bad}; known: {', '.join(known)}")
    return tuple(dict.fromkeys(names))
