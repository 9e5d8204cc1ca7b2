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

# The gate patterns (issue 24): a fan-out, add, multiply and relu, and the cross-entropy opened into its pieces.
from backprop_widgets import BackwardStepper, Tensor  # noqa: E402
from backprop_widgets.nn import cross_entropy  # noqa: E402

a, b = Value(2.0, label="a"), Value(3.0, label="b")
g = (a * b + a).relu()
g.label = "g"
stepper = BackwardStepper(g, gates=True)
stepper.run()
Path(__file__).with_name("gate_patterns.svg").write_text(stepper.view.svg)

z = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], label="z")
stepper = BackwardStepper(cross_entropy(z, [0, 1], fused=False), gates=True)
stepper.run()
Path(__file__).with_name("cross_entropy_opened.svg").write_text(stepper.view.svg)
