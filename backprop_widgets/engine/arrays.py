"""``ndim`` and ``shape`` that answer for a plain number without importing numpy.

Scalar graphs (``Value``, formulas, their pictures, the stepper, the Explorer)
run where numpy cannot be had, such as a browser kernel built from the package
registries alone; numpy is imported only once an array turns up.  Anything
with ``ndim``/``shape`` (a numpy array or scalar, a ``Tensor``) answers for
itself; lists and tuples are asked of numpy, as ``numpy.ndim`` would.

``numpy`` here stands in for the module in code that handles arrays and numbers
alike: it imports numpy the first time one of its functions is used.  Asked for
a type (``numpy.ndarray``, ``numpy.bool_``...) before numpy is loaded, it gives
a type nothing is an instance of: without numpy loaded, no value can be a numpy one.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["ndim", "shape", "numpy"]


def ndim(x: Any) -> int:
    """The number of axes: 0 for a number, as ``numpy.ndim``.

    >>> ndim(2.5), ndim([[1.0, 2.0]])
    (0, 2)
    """
    if isinstance(x, (list, tuple)):
        import numpy

        return int(numpy.ndim(x))
    return int(getattr(x, "ndim", 0))


def shape(x: Any) -> tuple:
    """The shape: ``()`` for a number, as ``numpy.shape``.

    >>> shape(2.5), shape([[1.0, 2.0]])
    ((), (1, 2))
    """
    if isinstance(x, (list, tuple)):
        import numpy

        return tuple(numpy.shape(x))
    return tuple(getattr(x, "shape", ()))


class _NotLoaded:
    """Stands for a numpy type while numpy is not loaded (so no value is of it)."""


_TYPES = {"ndarray", "bool_", "number", "integer", "floating", "generic", "complexfloating"}


class _LazyNumpy:
    """numpy, imported on first use (see the module's docstring).

    >>> isinstance(2.5, numpy.ndarray), numpy.zeros(2).tolist()
    (False, [0.0, 0.0])
    """

    def __getattr__(self, name: str) -> Any:
        if name in _TYPES and "numpy" not in sys.modules:
            return _NotLoaded
        import numpy as real

        return getattr(real, name)


numpy = _LazyNumpy()
