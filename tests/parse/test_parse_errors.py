"""Errors a student can act on: what is wrong, at which column, with a caret under it."""

import pytest

from backprop_widgets import ParseError, parse
from backprop_widgets.parse import MAX_LENGTH, MAX_NESTING

# (formula, the column of the problem, words the message must contain)
ERRORS = [
    ("", 1, "empty"),
    ("   ", 1, "empty"),
    ("x +", 3, "ends too early: something is missing after '+'"),
    ("x^", 2, "missing after '^'"),
    ("2*x -", 5, "missing after '-'"),
    ("x +* y", 4, "'*' can't follow '+'"),
    ("x ** * y", 6, "'*' can't follow '**'"),
    ("x / / y", 5, "'/' can't follow '/'"),
    ("*x", 1, "'*' needs something before it"),
    ("(/x)", 2, "'/' needs something before it"),
    ("^2", 1, "'^' needs something before it"),
    ("()", 1, "empty parentheses"),
    ("exp()", 4, "empty parentheses"),
    ("(x+)", 4, "missing between '+' and ')'"),
    ("(x", 1, "the '(' at column 1 is never closed"),
    ("(a+b)*(b+c", 7, "the '(' at column 7 is never closed"),
    ("((x+1)*(2", 8, "the '(' at column 8 is never closed (and 1 more before it)"),
    ("sigmoid(x", 8, "the '(' at column 8 is never closed"),
    ("x)", 2, "this ')' at column 2 has no matching '('"),
    ("(a+b))*(b+c)", 6, "this ')' at column 6 has no matching '('"),
    ("a+b)(b+c", 4, "this ')' at column 4 has no matching '('"),
    ("sigmod(x)", 1, "unknown function 'sigmod' — did you mean 'sigmoid'?"),
    ("1 + sigmiod(x)", 5, "did you mean 'sigmoid'?"),
    ("tanhh(x)", 1, "did you mean 'tanh'?"),
    ("Exp(x)", 1, "unknown function 'Exp' — did you mean 'exp'?"),
    ("sqr(x)", 1, "did you mean 'sqrt'?"),
    ("foo(x)", 1, "unknown function 'foo' (the functions are abs, cos, exp,"),
    ("rate(x+1)", 1, "to multiply, write rate*(x+1)"),
    ("x(y+1)", 1, "'x' is not a function: did you mean x·(y+1)? write x*(y+1)"),
    ("2x(y+1)", 2, "write x*(y+1)"),
    ("f(x)", 1, "'f' is not a function"),
    ("1 + g(a very long argument indeed)", 5, "write g*(...)"),
    ("max(x)", 1, "max takes two or more arguments, as in max(a, b)"),
    ("min(x,)", 7, "missing between ',' and ')'"),
    ("sin(x, y)", 1, "sin takes one argument; this call has 2"),
    ("σ(x, y, z)", 1, "σ takes one argument; this call has 3"),
    ("max(x, y, )", 11, "missing between ',' and ')'"),
    ("x, y", 2, "',' separates a function's arguments"),
    ("(x, y)", 3, "',' separates a function's arguments"),
    ("max((x, y))", 7, "',' separates a function's arguments"),
    ("|x", 1, "the '|' at column 1 is never closed"),
    ("(|x)|", 2, "the '|' at column 2 is never closed before this ')'"),
    ("||", 2, "the '|' at column 2 is never closed (and 1 more before it)"),
    ("|x|| + 1", 4, "the '|' at column 4 is never closed"),
    ("|x| + |", 7, "the '|' at column 7 is never closed"),
    ("σ + 1", 1, "'σ' is a function: write σ(...)"),
    ("exp x", 1, "'exp' is a function: write exp(...)"),
    ("2 sigmoid", 3, "'sigmoid' is a function"),
    ("2 3", 1, "two numbers side by side: write 2*3 or 23"),
    ("x + 1.5 2", 5, "two numbers side by side"),
    ("1..2", 1, "two numbers side by side"),
    ("1e999", 1, "the number 1e999 is too large"),
    ("x if y else z", 3, "'if' is a reserved word"),
    ("lambda + 1", 1, "'lambda' is a reserved word"),
    ("_x + 1", 1, "names can't start with '_'"),
    ("x.real", 2, "'.' belongs in a number"),
    ("y = x^2", 3, "a formula has no ="),
    ("x == 1", 3, "a formula has no ="),
    ("x[0]", 2, "use round brackets"),
    ("'s'", 1, "quotes"),
    ('x + "1"', 5, "quotes"),
    ("x\ny", 2, "a formula is one line"),
    ("x²", 2, "write powers with ^"),
    ("x @ y", 3, "'@' is not part of a formula"),
    ("x $ y", 3, "the operators are + - * / and ^"),
    ("café", 4, "names are made of the letters"),
]


@pytest.mark.parametrize("formula, column, words", ERRORS, ids=[repr(e[0]) for e in ERRORS])
def test_message_and_column(formula, column, words):
    with pytest.raises(ParseError) as caught:
        parse(formula)
    error = caught.value
    assert words in error.message
    assert error.column == column
    assert error.text == formula.rstrip()
    assert f"(column {column})" in str(error)


def test_a_parse_error_is_a_value_error():
    assert issubclass(ParseError, ValueError)
    with pytest.raises(ValueError):
        parse("x +")


def caret_position(error):
    """The column the caret line points at, read off the message as a student sees it."""
    _, shown, caret = str(error).split("\n")
    assert shown.startswith("    ") and caret.startswith("    ")
    return shown[4:], caret[4:]


def test_the_caret_is_under_the_problem():
    with pytest.raises(ParseError) as caught:
        parse("1 + sigmod(x)")
    shown, caret = caret_position(caught.value)
    assert shown == "1 + sigmod(x)"
    assert caret == "    ^^^^^^"  # under the whole name


@pytest.mark.parametrize(
    "formula, column",
    [("(x + 1", 1), ("x + 1)", 6), ("x +* y", 4), ("a\tb $", 5)],
)
def test_the_caret_line_lines_up_with_the_formula(formula, column):
    with pytest.raises(ParseError) as caught:
        parse(formula)
    shown, caret = caret_position(caught.value)
    assert len(shown) == len(formula)  # a tab is shown as one space, so the caret lines up
    assert caret.index("^") == column - 1


def test_a_long_formula_is_shown_around_the_problem():
    formula = "+".join(["x"] * 2000) + "+$+" + "+".join(["y"] * 2000)
    with pytest.raises(ParseError) as caught:
        parse(formula)
    error = caught.value
    assert error.column == 4001
    shown, caret = caret_position(error)
    assert shown.startswith("…") and shown.endswith("…") and len(shown) < 80
    assert shown[caret.index("^")] == "$"


def test_a_formula_that_is_too_long_is_refused_before_it_is_read():
    with pytest.raises(ParseError, match=f"10,001 characters long; the limit is {MAX_LENGTH:,}"):
        parse("x" * (MAX_LENGTH + 1))


@pytest.mark.parametrize(
    "formula",
    [
        "(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1),
        "-" * (MAX_NESTING + 1) + "x",
        "^".join(["x"] * (MAX_NESTING + 2)),
        "exp(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1),
        "(-" * 101 + "x" + ")" * 101,
    ],
    ids=["parentheses", "signs", "powers", "functions", "mixed"],
)
def test_too_deep_nesting_is_refused_with_a_clear_message(formula):
    with pytest.raises(ParseError, match="nested too deeply"):
        parse(formula)


@pytest.mark.parametrize(
    "formula",
    [
        "(" * MAX_NESTING + "x" + ")" * MAX_NESTING,
        "-" * MAX_NESTING + "x",
        "^".join(["x"] * (MAX_NESTING + 1)),
        "-x^" * (MAX_NESTING // 2) + "x",
        # long but shallow: a sum or product ends the signs and powers before it
        " + ".join(["-x^2"] * 1000),
        "-x " * 1000,
    ],
    ids=["parentheses", "signs", "powers", "mixed", "sum of signed powers", "implicit products"],
)
def test_nesting_up_to_the_limit_is_fine(formula):
    parse(formula)


def test_the_limit_counts_what_is_open_at_once():
    # 300 pairs of parentheses one after the other are not nested
    assert parse("(x)" * 300, x=1).data == 1.0
