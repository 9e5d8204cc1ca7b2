"""Graphs the render tests draw (a module, so that a subprocess can build them too)."""

from backprop_widgets import Value


def make_ab_bc():
    """E6: f = (a + b)(b + c) at a = -1, b = 3, c = 4, after backward()."""
    a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    x = a + b
    x.label = "x"
    y = b + c
    y.label = "y"
    f = x * y
    f.label = "f"
    f.backward()
    return f, (a, b, c, x, y)


def make_e3():
    """E3: g = (4x + 1)^2 at x = 1, after backward()."""
    x = Value(1.0, label="x")
    g = (4 * x + 1) ** 2
    g.label = "g"
    g.backward()
    return g, x
