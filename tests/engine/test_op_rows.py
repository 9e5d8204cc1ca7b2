"""Each op is one row: its words agree with its numbers (kinks and ties included), and the parser,
the printer and the pictures' notes read the row."""

import math
import re
import string

import numpy as np
import pytest

from backprop_widgets import Value, parse, to_formula
from backprop_widgets.engine import SCALAR_OPS, TENSOR_OPS
from backprop_widgets.parse import FUNCTIONS, SEVERAL_ARGUMENTS

# Each scalar row at ordinary points and at its kinks, ties and edges: (inputs, constants).
POINTS = {
    "add": [((2.0, -3.0), {})],
    "sub": [((2.0, -3.0), {})],
    "mul": [((2.0, -3.0), {}), ((0.0, 5.0), {})],
    "div": [((2.0, -4.0), {}), ((1.0, 0.0), {}), ((0.0, 0.0), {})],
    "neg": [((2.0,), {})],
    "pow": [((a,), {"n": n}) for a in (0.0, 2.0, -1.5) for n in (2.0, 1.0, 0.0, 0.5, -1.0)],
    "powv": [((a, b), {}) for a in (0.0, 2.0, -1.0) for b in (3.0, 0.0, -1.0, 0.5)],
    "exp": [((1.5,), {})],
    "log": [((2.0,), {}), ((0.0,), {}), ((-1.0,), {})],
    "tanh": [((0.5,), {})],
    "sigmoid": [((0.0,), {}), ((-2.0,), {})],
    "relu": [((a,), {}) for a in (1.0, 0.0, -1.0)],
    "leaky_relu": [((a,), {"slope": 0.01}) for a in (1.0, 0.0, -1.0)],
    "abs": [((a,), {}) for a in (2.0, 0.0, -2.0)],
    "max": [((a, b), {}) for a, b in ((3.0, 1.0), (1.0, 3.0), (2.0, 2.0))],
    "min": [((a, b), {}) for a, b in ((3.0, 1.0), (1.0, 3.0), (2.0, 2.0))],
    "sin": [((0.5,), {})],
    "cos": [((0.5,), {})],
    "sqrt": [((4.0,), {}), ((0.0,), {}), ((-1.0,), {})],
}
NUMBER_AND_NOTE = re.compile(r"^(?P<value>[-0-9.]+|-inf)\s+\((?:a tie: )?(?P<case>[^,)]*)(?:, as PyTorch)?\)$")


def as_python(words: str) -> str:
    """A row's words (filled with the letters a, b, n...) as a Python expression."""
    text = words.replace("−", "-").replace("·", "*").replace("²", "**2").replace("½", "0.5").replace("^", "**")
    text = re.sub(r"tanh\*\*2\((\w+)\)", r"tanh(\1)**2", text)
    text = re.sub(r"√(\w+)", r"sqrt(\1)", text)
    text = re.sub(r"ln (\w+)", r"log(\1)", text)
    return text.replace("σ", "sigmoid")


def evaluate(expression: str, names: dict) -> float:
    space = {
        "exp": np.exp, "log": np.log, "tanh": np.tanh, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
        "sign": np.sign, "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "inf": np.inf, "e": np.e,
    }  # fmt: skip
    with np.errstate(all="ignore"):
        return float(eval(expression, space, {k: np.float64(v) for k, v in names.items()}))  # our own table's words


@pytest.mark.filterwarnings("ignore")  # the points include log(0), 1/0 and the like on purpose
@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
def test_every_rows_words_give_its_numbers_at_its_kinks_and_ties(name):
    row = SCALAR_OPS[name]
    assert name in POINTS, f"give the {name!r} row its points (kinks and ties included) in POINTS"
    assert len(row.said) == row.arity, "words for every input"
    for inputs, params in POINTS[name]:
        with np.errstate(all="ignore"):
            out = row.forward(*inputs, **params)
            numbers = row.local(*inputs, out=out, **params)
        names = dict(zip("ab", inputs, strict=False), out=out, **params)
        if "n" in params:
            names["n1"] = params["n"] - 1
        for index, number in enumerate(numbers):
            words = row.words(index, inputs, out, params).format(**{k: k for k in names})
            case = NUMBER_AND_NOTE.match(as_python(words))
            if case:  # a number for the case at hand, and the case it names holds
                said = evaluate(case["value"], names)
                assert evaluate(case["case"].replace(" = ", " == "), names), (name, inputs, words)
            else:
                said = evaluate(as_python(words), names)
            where = f"{name}{inputs} {params}, input {index}: {words!r} = {said}, the row gives {number}"
            assert said == number or math.isnan(said) and math.isnan(number) or math.isclose(said, number), where


def test_a_tie_of_max_says_the_half_it_gives():
    from backprop_widgets.widgets.walk import BackwardWalk

    a, b = Value(2.0, label="a"), Value(2.0, label="b")
    m = a.max(b)
    m.label = "m"
    walk = BackwardWalk(m)
    walk.step()
    assert walk.local_said() == "∂m/∂a = ½ (a tie: a = b) = 0.5"
    c = Value(3.0, label="c")
    walk = BackwardWalk(c.max(b))
    walk.step()
    assert walk.local_said() == "∂f/∂c = 1 if c > b else 0 = 1"


def test_the_parser_calls_what_the_rows_name():
    assert set(FUNCTIONS) == {call for row in SCALAR_OPS.values() for call in row.calls}
    assert set(SEVERAL_ARGUMENTS) == {"max", "min"}
    for row in SCALAR_OPS.values():
        for call in row.calls:
            args = ", ".join(["x", "y"][: row.arity])
            f = parse(f"{call}({args}) * 2", x=0.7, y=0.3)
            assert f.parents[0].op == row.name and f.parents[0].params == row.call_params
            assert parse(to_formula(f), x=0.7, y=0.3).data == f.data  # printed back by the row's first name


@pytest.mark.parametrize(
    ("formula", "printed", "named"),
    [
        ("(a + b) * c", "(a + b) * c", "(a + b)·c"),
        ("a - (b - c)", "a - (b - c)", "a − (b − c)"),
        ("a / (b * c)", "a / (b * c)", "a/(b·c)"),
        ("a ^ (b + c)", "a^(b + c)", "a^(b + c)"),
    ],
)
def test_the_printer_and_the_steppers_names_put_parentheses_where_the_rows_binding_says(formula, printed, named):
    from backprop_widgets.engine import topological_order
    from backprop_widgets.widgets.walk import node_names

    f = parse(formula, a=2, b=3, c=4)
    assert to_formula(f) == printed
    order = topological_order(f.exp())  # f, an unlabelled inner node, is named by what it computes
    assert node_names(order)[f] == f"({named})"


@pytest.mark.filterwarnings("ignore")
def test_the_notes_of_a_picture_say_the_rows_words():
    from backprop_widgets import draw

    x = Value(-1.0, label="x")
    assert "the log of -1: log is defined only for numbers above 0" in draw(x.log()).notes
    assert "a division by 0" in draw(x / 0).notes
    assert SCALAR_OPS["log"].not_finite == TENSOR_OPS["log"].not_finite  # one sentence, in each table's row


@pytest.mark.parametrize("row", [*SCALAR_OPS.values(), *TENSOR_OPS.values()], ids=lambda row: row.name)
def test_every_row_says_how_latex_writes_it(row):
    slots = [str(i) for i in range(row.arity)]
    named = {field for _, field, _, _ in string.Formatter().parse(row.latex) if field}
    assert row.latex and set(slots) <= named  # every input has its place in the template


@pytest.mark.parametrize(
    ("formula", "latex"),
    [
        ("1/(1+e^(-x))", r"\frac{1}{1 + e^{-x}}"),  # E1's sigmoid: a fraction's parts are groups already
        ("(4x+1)^2", r"\left(4 \cdot x + 1\right)^{2}"),
        ("(a+b)(b+c)", r"\left(a + b\right) \cdot \left(b + c\right)"),
        ("a - (b - c)", r"a - \left(b - c\right)"),  # left associative: the right operand holds tighter
        ("(a - b) - c", r"a - b - c"),
        ("(a^b)^c", r"\left(a^{b}\right)^{c}"),  # a power groups from the right
        ("-x^2", r"-x^{2}"),
        ("(-x)^2", r"\left(-x\right)^{2}"),
        ("sqrt(a + b) * max(a, b + c)", r"\sqrt{a + b} \cdot \max(a, b + c)"),
        ("pi * tanh(x)", r"\pi \cdot \tanh(x)"),
    ],
)
def test_to_latex_writes_each_op_from_its_row_with_parentheses_where_its_binding_says(formula, latex):
    from backprop_widgets.parse import to_latex

    assert to_latex(parse(formula, a=2, b=3, c=4, x=0.5)) == latex


def test_to_latex_reads_the_rows_template(monkeypatch):
    from dataclasses import replace

    from backprop_widgets.parse import to_latex

    f = parse("a * b", a=2, b=3)
    monkeypatch.setitem(SCALAR_OPS, "mul", replace(SCALAR_OPS["mul"], latex=r"{0} \times {1}"))
    assert to_latex(f) == r"a \times b"
