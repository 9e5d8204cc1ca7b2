"""The longest and deepest formulas the parser takes are read correctly and quickly; longer or deeper
ones are refused.  (The timings are measured by bench/bench_parse.py; the bound here is generous.)"""

import time

import pytest

from backprop_widgets import ParseError, parse
from backprop_widgets.parse import MAX_LENGTH, MAX_NESTING, variables

GENEROUS = 5.0  # seconds: catches a blow-up, not a busy machine; the aim, reported by the benchmark, is 100 ms


def timed_parse(text, **values):
    start = time.perf_counter()
    root = parse(text, **values)
    elapsed = time.perf_counter() - start
    assert elapsed < GENEROUS, f"{elapsed:.3f} s"
    return root


def test_a_sum_of_the_longest_length_is_read():
    text = "+".join(["x"] * (MAX_LENGTH // 2)) + " "  # 5,000 terms, 10,000 characters
    assert len(text) == MAX_LENGTH
    root = timed_parse(text, x=1.0)
    root.backward()
    assert root.data == 5000.0 == variables(root)["x"].grad


def test_a_long_neuron_is_read():
    terms = [f"w{i}*x{i}" for i in range(800)]
    text = " + ".join(terms)
    assert len(text) <= MAX_LENGTH
    values = {f"w{i}": 2.0 for i in range(800)} | {f"x{i}": 0.5 for i in range(800)}
    root = timed_parse(text, **values)
    root.backward()
    assert root.data == 800.0
    found = variables(root)
    assert len(found) == 1600 and list(found)[:3] == ["w0", "x0", "w1"]
    assert found["w799"].grad == 0.5 and found["x0"].grad == 2.0


def test_exactly_the_limit_is_read_and_one_more_character_is_refused():
    text = "1" * 300 + " " * (MAX_LENGTH - 300)
    assert timed_parse(text).data == float("1" * 300)
    with pytest.raises(ParseError, match="limit"):
        parse(text + "1")


def test_the_deepest_formula_is_read():
    text = "(" * MAX_NESTING + "x" + ")" * MAX_NESTING
    assert timed_parse(text, x=3.0).data == 3.0
    text = "-" * MAX_NESTING + "x"
    assert timed_parse(text, x=3.0).data == 3.0  # an even number of minus signs
    text = "sigmoid(" * (MAX_NESTING // 2) + "x" + ")" * (MAX_NESTING // 2)
    root = timed_parse(text, x=0.0)
    root.backward()
    assert 0.5 < root.data < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "(" * (MAX_LENGTH // 2 - 1) + "x" + ")" * (MAX_LENGTH // 2 - 1),
        "-" * (MAX_LENGTH - 1) + "x",
        "^".join(["x"] * (MAX_LENGTH // 2)),
        "+".join(["x"] * (MAX_LENGTH // 2 - 1)) + "+$",
        "+".join(["x"] * (MAX_LENGTH // 2 - 1)) + "*",
        "sigmod(" + "x+" * (MAX_LENGTH // 2 - 5) + "x)",
        "x" * (MAX_LENGTH - 2) + "(x",
        "1" * MAX_LENGTH,
    ],
    ids=["parentheses", "signs", "powers", "bad character last", "operator last", "unknown function",
         "unclosed", "huge number"],
)  # fmt: skip
def test_refusing_the_worst_inputs_is_quick(text):
    start = time.perf_counter()
    with pytest.raises(ParseError):
        parse(text)
    assert time.perf_counter() - start < GENEROUS
