"""Notebook-wide defaults for what the widgets show, set in one line by an instructor.

>>> from backprop_widgets.widgets.options import configure, defaults
>>> configure(hide_gradients=True)
>>> defaults()["hide_gradients"]
True
>>> configure(reset=True)
>>> defaults()["hide_gradients"]
False
"""

from __future__ import annotations

__all__ = ["configure", "defaults", "resolve"]

_FACTORY = {
    "hide_gradients": False,  # gradients appear only when the student asks
    "quiz": False,  # the stepper asks for each step's numbers before showing them
    "hide": (),  # names of controls to hide, e.g. ("run", "play", "formula")
}
_current = dict(_FACTORY)


def configure(*, reset: bool = False, **options) -> None:
    """Set defaults for every widget made after this call, e.g.
    ``configure(hide_gradients=True, quiz=True, hide=("run",))``."""
    if reset:
        _current.clear()
        _current.update(_FACTORY)
    unknown = set(options) - set(_FACTORY)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)}; known: {sorted(_FACTORY)}")
    if "hide" in options:
        options["hide"] = (options["hide"],) if isinstance(options["hide"], str) else tuple(options["hide"])
    _current.update(options)


def defaults() -> dict:
    """The options in force."""
    return dict(_current)


def resolve(name: str, value):
    """An explicit argument wins; ``None`` means the notebook-wide default."""
    if value is None:
        return _current[name]
    if name == "hide" and isinstance(value, str):
        return (value,)
    return value
