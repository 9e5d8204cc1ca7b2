import pytest

from backprop_widgets import Value
from backprop_widgets.widgets.options import configure


@pytest.fixture(autouse=True)
def factory_defaults():
    configure(reset=True)
    yield
    configure(reset=True)


@pytest.fixture
def abc():
    """E6: f = (a + b)(b + c) at a = -1, b = 3, c = 4, named as in the article."""
    a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    x = a + b
    y = b + c
    x.label, y.label = "x", "y"
    f = x * y
    f.label = "f"
    return a, b, c, x, y, f
