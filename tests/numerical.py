"""The tests' own central differences, kept apart from the engine's ``central_difference``.

The engine's op tables are checked against these, so they must not share code with what
they check: this is the one independent copy (the package itself uses
``backprop_widgets.engine.gradcheck.central_difference`` everywhere).
"""

import numpy as np


def difference_quotient(f, x, h):
    """The slope of f at x by a central difference: (f(x + h) − f(x − h)) / 2h."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_grad(f, x, h=1e-6):
    """d f(x) / d x, entry by entry, for an array x that f reads (each entry nudged in place, then put back)."""
    grad = np.zeros(x.shape)
    for j in np.ndindex(x.shape):
        saved = x[j]

        def at(value, j=j):
            x[j] = value
            return f(x)

        try:
            grad[j] = difference_quotient(at, saved, h)
        finally:
            x[j] = saved
    return grad
