"""Formulas as a student types them: values and gradients computed by hand, and the graphs they build."""

import math

import pytest

from backprop_widgets import ParseError, Value, parse
from backprop_widgets.engine import topological_order
from backprop_widgets.parse import DEFAULT_VALUE, variables

LN2 = math.log(2.0)

# (formula, values, expected value, expected gradient of each variable), all worked out on paper.
TABLE = [
    # the first source article: sigma(x) written out, at x = 0 and x = 1
    ("1/(1+e^(-x))", {"x": 0.0}, 0.5, {"x": 0.25}),
    ("1/(1+e^(-x))", {"x": 1.0}, 0.7310585786300049, {"x": 0.19661193324148185}),
    # E3: (4x+1)^2 at x = 1 and at x = -1 (a negative base with a constant exponent)
    ("(4x+1)^2", {"x": 1.0}, 25.0, {"x": 40.0}),
    ("(4x+1)^2", {"x": -1.0}, 9.0, {"x": -24.0}),
    ("(4*x + 1)**2", {"x": 1.0}, 25.0, {"x": 40.0}),
    # E5 and E6: x*y, and (a+b)(b+c) where b is used twice and receives 7 + 2
    ("x*y", {"x": -2.0, "y": 3.0}, -6.0, {"x": 3.0, "y": -2.0}),
    ("(a+b)*(b+c)", {"a": -1.0, "b": 3.0, "c": 4.0}, 14.0, {"a": 7.0, "b": 9.0, "c": 2.0}),
    ("(a+b)(b+c)", {"a": -1.0, "b": 3.0, "c": 4.0}, 14.0, {"a": 7.0, "b": 9.0, "c": 2.0}),
    # E2: g(f(x)) with f = 7x + 3, g = u^2: 2(7x+3)*7
    ("(7x+3)^2", {"x": 1.0}, 100.0, {"x": 140.0}),
    # precedence and associativity
    ("2^3^2", {}, 512.0, {}),
    ("-x^2", {"x": 3.0}, -9.0, {"x": -6.0}),
    ("(-x)^2", {"x": 3.0}, 9.0, {"x": 6.0}),
    ("x-y-z", {"x": 10.0, "y": 3.0, "z": 2.0}, 5.0, {"x": 1.0, "y": -1.0, "z": -1.0}),
    ("x/y/z", {"x": 8.0, "y": 2.0, "z": 2.0}, 2.0, {"x": 0.25, "y": -1.0, "z": -1.0}),
    ("x + y*z", {"x": 1.0, "y": 2.0, "z": 3.0}, 7.0, {"x": 1.0, "y": 3.0, "z": 2.0}),
    ("2^-1", {}, 0.5, {}),
    ("x^-1", {"x": 2.0}, 0.5, {"x": -0.25}),
    ("x^(1/2)", {"x": 4.0}, 2.0, {"x": 0.25}),
    ("x - -y", {"x": 1.0, "y": 2.0}, 3.0, {"x": 1.0, "y": 1.0}),
    ("-(x)", {"x": 2.0}, -2.0, {"x": -1.0}),
    ("+x", {"x": 2.0}, 2.0, {"x": 1.0}),
    # implicit multiplication
    ("5x+3", {"x": 2.0}, 13.0, {"x": 5.0}),
    ("4(x+1)", {"x": 2.0}, 12.0, {"x": 4.0}),
    ("(x+1)2", {"x": 2.0}, 6.0, {"x": 2.0}),
    ("x*(y+1)", {"x": 2.0, "y": 3.0}, 8.0, {"x": 4.0, "y": 2.0}),
    ("a b", {"a": 2.0, "b": 5.0}, 10.0, {"a": 5.0, "b": 2.0}),
    ("2x^2", {"x": 3.0}, 18.0, {"x": 12.0}),
    ("-2x", {"x": 3.0}, -6.0, {"x": -2.0}),
    ("(x+1)(x-1)", {"x": 3.0}, 8.0, {"x": 6.0}),
    ("2^x y", {"x": 3.0, "y": 2.0}, 16.0, {"x": 16.0 * LN2, "y": 8.0}),
    ("2pi", {}, 2.0 * math.pi, {}),
    ("3 π", {}, 3.0 * math.pi, {}),
    ("2e", {}, 2.0 * math.e, {}),
    ("2e^x", {"x": 0.0}, 2.0, {"x": 2.0}),
    ("e(x+1)", {"x": 0.0}, math.e, {"x": math.e}),
    # numbers
    ("1e-3", {}, 0.001, {}),
    ("1e-3x", {"x": 2.0}, 0.002, {"x": 0.001}),
    ("2E3", {}, 2000.0, {}),
    (".5x", {"x": 4.0}, 2.0, {"x": 0.5}),
    ("1.5 + 2.", {}, 3.5, {}),
    ("0x", {"x": 7.0}, 0.0, {"x": 0.0}),
    # powers with a variable exponent: d(a^x)/dx = a^x ln a
    ("2^x", {"x": 3.0}, 8.0, {"x": 8.0 * LN2}),
    ("x^y", {"x": 2.0, "y": 3.0}, 8.0, {"x": 12.0, "y": 8.0 * LN2}),
    ("e^x", {"x": 1.0}, math.e, {"x": math.e}),
    # functions
    ("exp(x)", {"x": 0.0}, 1.0, {"x": 1.0}),
    ("ln(x)", {"x": 2.0}, LN2, {"x": 0.5}),
    ("log(x)", {"x": 2.0}, LN2, {"x": 0.5}),
    ("sqrt(x)", {"x": 4.0}, 2.0, {"x": 0.25}),
    ("tanh(x)", {"x": 0.0}, 0.0, {"x": 1.0}),
    ("sigmoid(x)", {"x": 0.0}, 0.5, {"x": 0.25}),
    ("relu(x)", {"x": -1.0}, 0.0, {"x": 0.0}),
    ("relu(x)", {"x": 2.0}, 2.0, {"x": 1.0}),
    ("leaky_relu(x)", {"x": -1.0}, -0.01, {"x": 0.01}),
    ("abs(x)", {"x": -3.0}, 3.0, {"x": -1.0}),
    ("sigmoid (2x)", {"x": 0.0}, 0.5, {"x": 0.5}),
    ("σ(x)", {"x": 0.0}, 0.5, {"x": 0.25}),
    ("sin(x)", {"x": 0.0}, 0.0, {"x": 1.0}),
    ("cos(x)", {"x": 0.0}, 1.0, {"x": -0.0}),
    ("|x|", {"x": -3.0}, 3.0, {"x": -1.0}),
    ("|x|", {"x": 0.0}, 0.0, {"x": 0.0}),  # abs'(0) = 0, as PyTorch
    # CS231n's max gate routes the gradient to the larger input; a tie splits it (as torch.maximum)
    ("max(x, y)", {"x": 2.0, "y": 5.0}, 5.0, {"x": 0.0, "y": 1.0}),
    ("max(x, y)", {"x": 3.0, "y": 3.0}, 3.0, {"x": 0.5, "y": 0.5}),
    ("min(x, y, z)", {"x": 2.0, "y": 5.0, "z": -1.0}, -1.0, {"x": 0.0, "y": 0.0, "z": 1.0}),
    ("2 max(x, 0)", {"x": 4.0}, 8.0, {"x": 2.0}),
    ("sqrt(x)sqrt(x)", {"x": 3.0}, 3.0, {"x": 1.0}),
    # E8: a two-layer scalar chain at w1 = w2 = x = 0: y = sigma(0) = 0.5, dy/dw2 = sigma'(0) h1 = 0.125
    ("sigmoid(w2 sigmoid(w1 x))", {"w1": 0.0, "w2": 0.0, "x": 0.0}, 0.5, {"w2": 0.125, "w1": 0.0, "x": 0.0}),
    # E11: an L1 loss, d|y - t|/dy = sign(y - t)
    ("abs(w x + b - t)", {"w": 2.0, "x": 3.0, "b": 1.0, "t": 10.0}, 3.0, {"w": -3.0, "x": -2.0, "b": -1.0, "t": 1.0}),
    # spaces anywhere, typographic operators
    ("  x   +   y  ", {"x": 1.0, "y": 2.0}, 3.0, {"x": 1.0, "y": 1.0}),
    ("3 − 2×x ÷ y", {"x": 3.0, "y": 2.0}, 0.0, {"x": -1.0, "y": 1.5}),
    ("x·y", {"x": 3.0, "y": 2.0}, 6.0, {"x": 2.0, "y": 3.0}),
    ("x\t*\ty", {"x": 3.0, "y": 2.0}, 6.0, {"x": 2.0, "y": 3.0}),
    ("x^2\n", {"x": 3.0}, 9.0, {"x": 6.0}),
    # multi-letter and Greek names are single variables
    ("ab + a", {"ab": 2.0, "a": 5.0}, 7.0, {"ab": 1.0, "a": 1.0}),
    ("w1*x1 + w2*x2", {"w1": 2.0, "x1": 3.0, "w2": 4.0, "x2": 5.0}, 26.0, {"w1": 3.0, "x1": 2.0, "w2": 5.0, "x2": 4.0}),
    ("η θ", {"η": 0.5, "θ": 4.0}, 2.0, {"η": 4.0, "θ": 0.5}),
]


@pytest.mark.parametrize("formula, values, value, grads", TABLE, ids=[row[0] for row in TABLE])
def test_value_and_gradients(formula, values, value, grads):
    root = parse(formula, **values)
    root.backward()
    # rel_tol=1e-15: the chain through the sigmoid tree gives 0.19661193324148188, the closed
    # form sigma(1)(1 - sigma(1)) 0.19661193324148185 -- the same number up to rounding.
    assert math.isclose(root.data, value, rel_tol=1e-15, abs_tol=1e-300)
    found = variables(root)
    assert list(found) == list(grads)
    for name, grad in grads.items():
        assert math.isclose(found[name].grad, grad, rel_tol=1e-15, abs_tol=1e-300), name


def shape(root):
    """The graph as nested tuples: (op, params, *inputs) for inner nodes, label or number for leaves."""
    order = topological_order(root)
    done = {}
    for node in order:
        if node.parents:
            done[node] = (node.op, dict(node.params), *(done[p] for p in node.parents))
        else:
            done[node] = node.label if node.label is not None else node.data
    return done[root]


def test_the_sigmoid_tree_of_the_first_article():
    root = parse("1/(1+e^(-x))", x=1.0)
    assert shape(root) == ("div", {}, 1.0, ("add", {}, 1.0, ("powv", {}, "e", ("neg", {}, "x"))))
    leaves = [n for n in topological_order(root) if not n.parents]
    assert [(n.label, n.constant) for n in leaves] == [(None, True), (None, True), ("e", True), ("x", False)]
    assert leaves[2].data == math.e
    assert len(topological_order(root)) == 8  # 4 leaves and c = e^b, b = -x, e = c + d, g = f / e


def test_the_sigmoid_tree_agrees_with_the_engine_built_by_hand():
    x = Value(1.0, label="x")
    by_hand = 1 / (1 + Value(math.e, label="e", constant=True) ** (-x))
    by_hand.backward()
    root = parse("1/(1+e^(-x))", x=1.0)
    root.backward()
    assert root.data == by_hand.data
    assert variables(root)["x"].grad == x.grad
    assert shape(root) == shape(by_hand)


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("(4x+1)^2", ("pow", {"n": 2.0}, ("add", {}, ("mul", {}, 4.0, "x"), 1.0))),
        ("x^-1", ("pow", {"n": -1.0}, "x")),
        ("x^(1/2)", ("pow", {"n": 0.5}, "x")),
        ("sqrt(x)", ("sqrt", {}, "x")),
        ("max(x, 2)", ("max", {}, "x", 2.0)),
        ("min(x, y, z)", ("min", {}, ("min", {}, "x", "y"), "z")),  # folded from the left
        ("σ(x)", ("sigmoid", {}, "x")),
        ("|x - y|", ("abs", {}, ("sub", {}, "x", "y"))),
        ("2|x|", ("mul", {}, 2.0, ("abs", {}, "x"))),
        ("|x||y|", ("mul", {}, ("abs", {}, "x"), ("abs", {}, "y"))),
        ("||x| - 1|", ("abs", {}, ("sub", {}, ("abs", {}, "x"), 1.0))),
        ("|x|^2", ("pow", {"n": 2.0}, ("abs", {}, "x"))),
        ("sin(x)cos(x)", ("mul", {}, ("sin", {}, "x"), ("cos", {}, "x"))),
        ("2^3^2", ("pow", {"n": 9.0}, 2.0)),  # the exponent 3^2 has no name in it: folded
        ("2^x", ("powv", {}, 2.0, "x")),
        ("x^y", ("powv", {}, "x", "y")),
        ("x^pi", ("powv", {}, "x", "pi")),  # e and pi are nodes the student typed
        ("-x", ("neg", {}, "x")),  # unary minus is neg, never -1*x
        ("-x^2", ("neg", {}, ("pow", {"n": 2.0}, "x"))),
        ("+x", "x"),  # unary plus adds no node
        ("5x+3", ("add", {}, ("mul", {}, 5.0, "x"), 3.0)),
        ("2x*(y+1)", ("mul", {}, ("mul", {}, 2.0, "x"), ("add", {}, "y", 1.0))),  # left to right
        ("2 pi(x+1)", ("mul", {}, ("mul", {}, 2.0, "pi"), ("add", {}, "x", 1.0))),  # a constant may multiply
        ("ln(x)", ("log", {}, "x")),
        ("sigmoid(x)", ("sigmoid", {}, "x")),
        ("leaky_relu(x)", ("leaky_relu", {"slope": 0.01}, "x")),
        ("abs(x)", ("abs", {}, "x")),
        ("3", 3.0),
        ("x", "x"),
    ],
)
def test_graph_shapes(formula, expected):
    assert shape(parse(formula)) == expected


def test_a_variable_is_one_shared_leaf():
    root = parse("(a+b)*(b+c)", a=-1, b=3, c=4)
    b_leaves = [n for n in topological_order(root) if n.label == "b"]
    assert len(b_leaves) == 1
    root.backward()
    assert b_leaves[0].grad == 9.0


def test_constants_are_one_shared_constant_leaf_per_name_and_numbers_are_not_shared():
    leaves = [n for n in topological_order(parse("e*e + pi + 1 + 1")) if not n.parents]
    assert [(n.label, n.data, n.constant) for n in leaves] == [
        ("e", math.e, True),
        ("pi", math.pi, True),
        (None, 1.0, True),
        (None, 1.0, True),
    ]


def test_variables_are_not_constant_and_numbers_are():
    leaves = {n.label: n for n in topological_order(parse("2x")) if not n.parents}
    assert leaves["x"].constant is False and leaves[None].constant is True


def test_a_variable_without_a_value_gets_the_default():
    assert DEFAULT_VALUE == 1.0
    root = parse("(4x+1)^2 + y")
    assert {name: leaf.data for name, leaf in variables(root).items()} == {"x": 1.0, "y": 1.0}
    assert root.data == 26.0


def test_values_for_names_not_in_the_formula_are_ignored():
    assert parse("x + 1", x=2, y=5, slider=7).data == 3.0


def test_integer_values_become_floats():
    leaf = variables(parse("x", x=2))["x"]
    assert leaf.data == 2.0 and isinstance(leaf.data, float)


@pytest.mark.parametrize("name", ["e", "pi", "π", "exp", "sigmoid"])
def test_constants_and_functions_cannot_be_given_values(name):
    with pytest.raises(ParseError, match=f"'{name}' is"):
        parse("x", **{name: 2.0})


def test_a_value_must_be_a_number():
    with pytest.raises(TypeError):
        parse("x", x="3")


def test_variables_come_in_order_of_first_appearance():
    assert list(variables(parse("z*y + x*z + w"))) == ["z", "y", "x", "w"]


def test_variables_of_a_graph_built_in_python():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    e = Value(math.e, label="e", constant=True)
    k = Value(5.0, label="k", constant=True)
    root = (a * b + e + k + 1) * a
    assert variables(root) == {"a": a, "b": b, "k": k}


def test_a_variable_before_a_parenthesis_is_never_a_silent_product():
    # f(x) may mean a function; the student says which: f*(x) multiplies
    for text, values in [("rate(x+1)", {"rate": 2.0, "x": 1.0}), ("y(x)", {}), ("a b(c)", {})]:
        with pytest.raises(ParseError, match=r"is not a function: did you mean .*\? write .*\*"):
            parse(text, **values)
    assert parse("rate*(x+1)", rate=2.0, x=1.0).data == 4.0
    assert parse("σ(0)").data == 0.5  # the sigmoid, as the pictures label it


def test_each_parse_builds_a_new_graph():
    first, second = parse("x^2", x=3), parse("x^2", x=3)
    assert variables(first)["x"] is not variables(second)["x"]


def test_the_parsed_graph_reevaluates_when_a_variable_changes():
    from backprop_widgets.engine import evaluate

    root = parse("(4x+1)^2", x=1)
    variables(root)["x"].data = -1.0
    assert evaluate(root) == 9.0


def test_numeric_trouble_is_a_warning_not_an_error():
    from backprop_widgets import NumericWarning

    with pytest.warns(NumericWarning):
        assert parse("1/x", x=0).data == math.inf
    with pytest.warns(NumericWarning):
        assert parse("log(0)").data == -math.inf
    with pytest.warns(NumericWarning):
        assert math.isnan(parse("(-8)^(1/3)").data)
