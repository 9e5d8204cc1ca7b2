"""Make the README's picture of (a+b)(b+c) with the kit itself:  python docs/make_pictures.py"""

from pathlib import Path

from backprop_widgets import Value, draw

a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
x, y = a + b, b + c
x.label, y.label = "x", "y"
f = x * y
f.label = "f"
f.backward()
Path(__file__).with_name("ab_bc.svg").write_text(draw(f, show_local=True).svg)
