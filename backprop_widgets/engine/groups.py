"""Groups: which nodes belong together (a layer, a neuron), so that a picture can fold them.

``with group("layer 1"):`` marks every node made inside the block, inputs and
results alike; groups nest (``("layer 1", "neuron 3")``).  The engine only
remembers the marks; folding is the pictures' business.

>>> from backprop_widgets import Value
>>> with group("neuron"):
...     w = Value(0.5, label="w")
...     y = (w * 2).tanh()
>>> group_of(y), group_of(w), group_of(Value(1.0))
(('neuron',), ('neuron',), ())
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from weakref import WeakKeyDictionary

__all__ = ["group", "group_of", "tag"]

# The groups open now, outermost first: set only inside a ``with group(...)`` block and put back as it
# ends (a context variable, so a block in one thread or task never marks another's nodes).
_open: ContextVar[tuple[str, ...]] = ContextVar("open_groups", default=())
_marks: WeakKeyDictionary = WeakKeyDictionary()  # node -> the groups it was made in


@contextmanager
def group(name: str) -> Iterator[None]:
    """Mark the nodes made inside the block as members of group ``name`` (nested in any group already open).

    Values and Tensors alike: a layer of Tensors made inside ``with group("layer 1"):`` folds as one box.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"group() takes a name (a non-empty str), not {name!r}")
    token = _open.set((*_open.get(), name))
    try:
        yield
    finally:
        _open.reset(token)


def tag(node: Any) -> None:
    """Called by the engine for every new node: remember the groups open now."""
    groups = _open.get()
    if groups:
        _marks[node] = groups


def group_of(node: Any) -> tuple:
    """The groups ``node`` was made in, outermost first (``()`` for none)."""
    return _marks.get(node, ())
