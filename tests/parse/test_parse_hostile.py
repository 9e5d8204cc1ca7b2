"""Formulas that would run code if they were evaluated: all refused, and nothing runs."""

import ast
import builtins
import contextlib
import inspect
import sys

import pytest

import backprop_widgets
from backprop_widgets import ParseError, parse

PARSE_MODULE = sys.modules["backprop_widgets.parse"]

HOSTILE = [
    "__import__('os').system('touch marker')",
    "__import__",
    "__import__(os)",
    "().__class__",
    "().__class__.__base__.__subclasses__()",
    "x.real",
    "x.__class__",
    "[x]",
    "x[0]",
    "{x}",
    "{'a': 1}",
    "lambda: 1",
    "lambda x: x",
    "'s'",
    '"s"',
    "b'x'",
    'f"{x}"',
    "x == 1",
    "x = 1",
    "x := 1",
    "x < y",
    "x is y",
    "x in y",
    "not x",
    "x and y",
    "x or y",
    'exec("1")',
    "exec(x)",
    "eval(x)",
    "compile(x)",
    "open(x)",
    'open("marker", "w")',
    "globals()",
    "getattr(x)",
    "print(x)",
    "breakpoint()",
    "exp(x, y)",
    "sigmoid(x)(y)(z)(w, v)",
    "(x for x in y)",
    "[x for x in y]",
    "x if y else z",
    "x @ y",
    "x; y",
    "x;import os",
    "x\nimport os",
    "x\r\nimport os",
    "x \\\n + y",
    "import os",
    "from os import system",
    "del x",
    "yield x",
    "await x",
    "async",
    "True",
    "None",
    "x # comment",
    "x, y",
    "*x",
    "**x",
    "x ** * y",
    "...",
    "\x00",
    "x\x00",
    "1_000",
    "_",
    "__builtins__",
    "x % y",
    "x // y",
    "~x",
    "x & y",
    "x | y",
    "x << 1",
    "`x`",
    "$(touch marker)",
]


@pytest.fixture
def nothing_runs(tmp_path, monkeypatch):
    """A guard to parse inside: every way to run code explodes; afterwards no file
    was made and no module imported."""
    monkeypatch.chdir(tmp_path)

    def explode(*args, **kwargs):
        raise AssertionError("the parser tried to run code")

    @contextlib.contextmanager
    def guard():
        modules = set(sys.modules)
        names = ("eval", "exec", "compile", "__import__", "open", "breakpoint")
        saved = {name: vars(builtins)[name] for name in names}
        try:
            vars(builtins).update(dict.fromkeys(names, explode))
            yield
        finally:
            vars(builtins).update(saved)
        assert set(sys.modules) == modules

    yield guard
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("formula", HOSTILE)
def test_hostile_input_is_refused_and_nothing_runs(formula, nothing_runs):
    with pytest.raises(ParseError), nothing_runs():
        parse(formula)


@pytest.mark.parametrize("name", ["__class__", "__import__", "_private", "__builtins__"])
def test_dunder_and_underscore_names_are_refused(name, nothing_runs):
    with pytest.raises(ParseError, match="can't start with '_'"), nothing_runs():
        parse(f"{name} + 1")


def test_legal_formulas_run_no_code_either(nothing_runs):
    with nothing_runs():
        assert parse("1/(1+e^(-x))", x=0).data == 0.5
        assert parse("sigmoid(x) + exp(x) + log(x) + sqrt(x) + abs(x) + relu(x) + tanh(x)", x=1).data > 0


def test_values_with_odd_names_are_ignored(nothing_runs):
    with nothing_runs():
        assert parse("x", x=2, **{"__class__": 1, "os.system": 2}).data == 2.0


def test_the_guard_would_notice_code_running(nothing_runs):
    with pytest.raises(AssertionError, match="tried to run code"), nothing_runs():
        eval("1")


def test_the_parser_module_calls_nothing_that_runs_code():
    tree = ast.parse(inspect.getsource(PARSE_MODULE))
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not names & {"eval", "exec", "compile", "__import__", "getattr", "open", "breakpoint"}
    assert not attributes & {"eval", "exec", "literal_eval", "import_module", "__import__", "system"}


def test_the_parser_imports_only_the_engine_from_the_package():
    tree = ast.parse(inspect.getsource(PARSE_MODULE))
    relative = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level}
    assert relative == {"engine"}
    absolute = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])
    }
    assert absolute <= {
        "__future__",
        "collections",
        "difflib",
        "functools",
        "keyword",
        "math",
        "operator",
        "re",
        "typing",
        "lark",
    }
    assert "ipywidgets" not in absolute and "graphviz" not in absolute


def test_the_package_exports_parse():
    assert backprop_widgets.parse is PARSE_MODULE.parse
    assert backprop_widgets.ParseError is PARSE_MODULE.ParseError
