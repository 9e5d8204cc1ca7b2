"""Formulas as a student types them, ``(4x+1)^2`` or ``1/(1+e^(-x))``, turned into graphs of ``Value``s.

Nothing typed is ever run as code.  A small regular expression cuts the text into
numbers, names, operators, parentheses, commas and bars (anything else is refused);
a few checks over those tokens give the errors a student can act on (unbalanced
parentheses or bars, unknown functions, a wrong number of arguments, reserved
words, a name before '(' that would silently multiply); an LALR parser generated
by Lark from the grammar below puts the tokens into a tree; and that tree is
turned into ``Value`` nodes by a walk that knows only the operators, the constants
``e`` and ``pi`` and the functions in ``FUNCTIONS``.
"""

from __future__ import annotations

import difflib
import functools
import keyword
import math
import operator
import re
from collections.abc import Callable, Iterator
from typing import cast

from lark import Lark, Token, Tree, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from .engine import ATOM, POWER, SCALAR_OPS, SIGNED, Op, Value, topological_order

__all__ = [
    "parse",
    "ParseError",
    "to_formula",
    "to_latex",
    "variables",
    "FUNCTIONS",
    "CONSTANTS",
    "DEFAULT_VALUE",
    "MAX_LENGTH",
    "MAX_NESTING",
]

DEFAULT_VALUE = 1.0  # a variable not given a value; not 0.0, where log(x), 1/x and sqrt(x) break
MAX_LENGTH = 10_000  # characters
MAX_NESTING = 200  # parentheses, powers and signs inside each other

CONSTANTS: dict[str, float] = {"e": math.e, "pi": math.pi, "π": math.pi}


def _function(row: Op) -> Callable[..., Value]:
    """What a call of ``row``'s name makes: its node (max(a, b, c) is max(max(a, b), c))."""
    if row.arity == 2:
        return lambda *args: functools.reduce(lambda a, b: Value._apply(row.name, a, b), args)
    return lambda a: Value._apply(row.name, a, **row.call_params)


# The functions a formula may call, each named in its op table row (``calls``).
FUNCTIONS: dict[str, Callable[..., Value]] = {name: _function(row) for row in SCALAR_OPS.values() for name in row.calls}
SEVERAL_ARGUMENTS = tuple(name for row in SCALAR_OPS.values() if row.arity == 2 for name in row.calls)  # two or more


class ParseError(ValueError):
    """A formula that can't be read, with where: ``column`` (1-based) in ``text``.

    ``str()`` gives the message, then the formula with carets under the problem.
    """

    def __init__(self, message: str, text: str = "", column: int | None = None, width: int = 1) -> None:
        self.message = message
        self.text = text
        self.column = column
        self.width = max(1, width)
        super().__init__(message)

    def __str__(self) -> str:
        if self.column is None:
            return self.message
        shown, caret = _excerpt(self.text, self.column, self.width)
        return f"{self.message} (column {self.column})\n    {shown}\n    {caret}"


def _excerpt(text: str, column: int, width: int, room: int = 72) -> tuple[str, str]:
    """The formula (or the part of a long one around ``column``) and a caret line under it."""
    line = "".join(" " if ch < " " or ch in "\x85\u2028\u2029" else ch for ch in text)
    start = 0
    if len(line) > room:
        start = max(0, min(column - 1 - room // 2, len(line) - room))
    shown = line[start : start + room]
    offset = column - 1 - start
    width = min(width, max(1, len(shown) - offset))
    if start > 0:
        shown, offset = "…" + shown, offset + 1
    if start + room < len(line):
        shown += "…"
    return shown, " " * offset + "^" * width


# ---- tokens -------------------------------------------------------------------

_LETTER = "A-Za-z_\u0391-\u03a9\u03b1-\u03c9"  # ASCII and Greek letters (θ, η, λ, π...)
_TOKEN = re.compile(
    rf"""
    (?P<NUMBER> (?:[0-9]+\.?[0-9]*|\.[0-9]+) (?:[eE][+-]?[0-9]+)? )  # 3, 0.5, .5, 1e-3
  | (?P<NAME>   [{_LETTER}][{_LETTER}0-9]* )                          # x, w1, pi, sigmoid
  | (?P<OP>     \*\*|[-+*/^()−×·⋅÷,|] )
  | (?P<SPACE>  [ \t\u00a0]+ )
  | (?P<OTHER>  . )
    """,
    re.VERBOSE | re.DOTALL,
)

# What the grammar calls each operator (the typographic ones a student may paste included).
_OPERATORS = {
    "+": "_PLUS",
    "-": "_MINUS",
    "−": "_MINUS",
    "*": "_TIMES",
    "×": "_TIMES",
    "·": "_TIMES",
    "⋅": "_TIMES",
    "/": "_DIVIDE",
    "÷": "_DIVIDE",
    "^": "_POWER",
    "**": "_POWER",
    "(": "_LPAR",
    ")": "_RPAR",
    ",": "_COMMA",
    "|": "_BAR",  # _LBAR or _RBAR once _check has paired them
}
_BINARY = ("_PLUS", "_MINUS", "_TIMES", "_DIVIDE", "_POWER")
_ENDS_OPERAND = ("NUMBER", "NAME", "_RPAR", "_RBAR")
_STARTS_OPERAND = ("NUMBER", "NAME", "FUNCTION", "_LPAR", "_LBAR")

# Characters that are not part of a formula, and what to say about them.
_CHARACTER_HINTS = (
    ("\n\r\v\f\x85\u2028\u2029", "a line break: a formula is one line"),
    ("=<>!", "a formula has no =, <, > or !: type only the expression, e.g. x^2 rather than y = x^2"),
    ("[]{}", "{char!r}: use round brackets ( ) to group"),
    ("'\"`", "quotes have no place in a formula"),
    (".", "'.' belongs in a number, like 0.5"),
    ("²³¹⁰⁴⁵⁶⁷⁸⁹", "write powers with ^, like x^2"),
)


def _tokens(text: str) -> list[Token]:
    """Cut ``text`` into tokens; refuse any character a formula doesn't use."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = str(match.lastgroup)  # every alternative of _TOKEN is a named group
        value, start, end = match.group(), match.start(), match.end()
        if kind == "SPACE":
            continue
        if kind == "OTHER":
            raise ParseError(_character_hint(value), text, start + 1)
        if kind == "OP":
            kind = _OPERATORS[value]
        tokens.append(Token(kind, value, start, 1, start + 1, 1, end + 1, end))
    return tokens


def _character_hint(char: str) -> str:
    for chars, hint in _CHARACTER_HINTS:
        if char in chars:
            return hint.format(char=char)
    if char.isalpha():
        return f"{char!r}: names are made of the letters a-z, A-Z, Greek letters, digits and _"
    return f"{char!r} is not part of a formula: the operators are + - * / and ^ (or **)"


# ---- checks a student can act on, before parsing ----------------------------------


def _check(tokens: list[Token], text: str, given: dict) -> None:
    """Turn function names into FUNCTION tokens and bars into _LBAR or _RBAR, and refuse what
    the grammar would report badly: unbalanced parentheses or bars, unknown functions, a
    wrong number of arguments, stray commas, reserved words, too deep."""
    opened: list[Token] = []  # the '(' and '|' not yet closed
    calls: list[Token | None] = []  # per open '(' or '|': the function it calls, if any
    commas = [0]  # per open '(' or '|': the commas directly inside it
    pending = [0]  # per open parenthesis: signs and '^' whose right side is still being read
    nesting = 0  # len(opened) + sum(pending)
    previous: Token | None = None
    for index, token in enumerate(tokens):
        if token.type == "NAME":
            _check_name(tokens, index, text, given)
        elif token.type == "NUMBER":
            if previous is not None and previous.type == "NUMBER":
                joined = f"{previous}{token}"
                meant = f"{previous}*{token}" + (f" or {joined}" if _TOKEN.fullmatch(joined) else "")
                assert token.end_pos is not None and previous.start_pos is not None  # _tokens placed every token
                width = token.end_pos - previous.start_pos
                raise ParseError(f"two numbers side by side: write {meant}", text, previous.column, width)
            if not math.isfinite(float(token)):
                raise ParseError(f"the number {token} is too large", text, token.column, len(token))
        elif token.type == "_BAR":
            # |x|: a bar closes the innermost open bar when an operand ends right before it, else opens one
            after_operand = previous is not None and previous.type in _ENDS_OPERAND
            token.type = "_RBAR" if after_operand and opened and opened[-1].type == "_LBAR" else "_LBAR"
        elif token.type == "_COMMA":
            if not calls or calls[-1] is None:
                raise ParseError(
                    "',' separates a function's arguments, as in max(a, b); decimals are written with a point (0.5)",
                    text, token.column,
                )  # fmt: skip
            commas[-1] += 1

        after_operand = previous is not None and previous.type in _ENDS_OPERAND
        if token.type in ("_PLUS", "_MINUS") and not after_operand or token.type == "_POWER":
            pending[-1] += 1
            nesting += 1
        elif token.type in _BINARY or token.type == "_COMMA" or (after_operand and token.type in _STARTS_OPERAND):
            nesting -= pending[-1]  # a product, sum or next argument ends the signs and powers before it
            pending[-1] = 0
        if token.type in ("_LPAR", "_LBAR"):
            opened.append(token)
            calls.append(
                previous if token.type == "_LPAR" and previous is not None and previous.type == "FUNCTION" else None
            )
            commas.append(0)
            pending.append(0)
            nesting += 1
        elif token.type in ("_RPAR", "_RBAR"):
            if token.type == "_RPAR" and (not opened or opened[-1].type == "_LBAR"):
                if opened:
                    where = opened[-1].column
                    raise ParseError(f"the '|' at column {where} is never closed before this ')'", text, where)
                raise ParseError(f"this ')' at column {token.column} has no matching '('", text, token.column)
            opened.pop()
            _check_arguments(calls.pop(), commas.pop(), text)
            nesting -= 1 + pending.pop()
        if nesting > MAX_NESTING:
            raise ParseError(
                f"the formula is nested too deeply (more than {MAX_NESTING} parentheses, powers "
                "and signs inside each other)",
                text, token.column,
            )  # fmt: skip
        previous = token
    if opened:
        where = opened[-1].column
        others = f" (and {len(opened) - 1} more before it)" if len(opened) > 1 else ""
        raise ParseError(f"the '{opened[-1]}' at column {where} is never closed{others}", text, where)


def _check_arguments(function: Token | None, commas: int, text: str) -> None:
    if function is None:
        return
    name = str(function)
    if name in SEVERAL_ARGUMENTS and commas == 0:
        raise ParseError(f"{name} takes two or more arguments, as in {name}(a, b)", text, function.column, len(name))
    if name not in SEVERAL_ARGUMENTS and commas > 0:
        raise ParseError(f"{name} takes one argument; this call has {commas + 1}", text, function.column, len(name))


def _check_name(tokens: list[Token], index: int, text: str, given: dict) -> None:
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    name, column, width = str(token), token.column, len(token)
    called = following is not None and following.type == "_LPAR"
    if name in FUNCTIONS:
        if not called:
            raise ParseError(f"'{name}' is a function: write {name}(...) with parentheses", text, column, width)
        token.type = "FUNCTION"
    elif name.startswith("_"):
        raise ParseError(f"names can't start with '_': '{name}'", text, column, width)
    elif keyword.iskeyword(name):
        raise ParseError(f"'{name}' is a reserved word and can't be a name in a formula", text, column, width)
    elif called and name not in CONSTANTS:
        # f(x) must never quietly become f·x: say which reading is which.
        close = difflib.get_close_matches(name.lower(), FUNCTIONS, n=1) if len(name) > 1 else []
        argument = _parenthesised(tokens, index + 1, text)
        if close:
            hint = f" — did you mean '{close[0]}'?"
        elif len(name) > 1 and name not in given:
            hint = f" (the functions are {', '.join(sorted(FUNCTIONS))}; to multiply, write {name}*{argument})"
        else:
            raise ParseError(
                f"'{name}' is not a function: did you mean {name}·{argument}? write {name}*{argument}",
                text, column, width,
            )  # fmt: skip
        raise ParseError(f"unknown function '{name}'{hint}", text, column, width)


def _parenthesised(tokens: list[Token], start: int, text: str, room: int = 24) -> str:
    """The text from the '(' at ``tokens[start]`` to its ')', or ``(...)`` if it is long or never closed."""
    depth = 0
    for token in tokens[start:]:
        depth += {"_LPAR": 1, "_RPAR": -1}.get(token.type, 0)
        if depth == 0:
            inner = text[tokens[start].start_pos : token.end_pos]
            return inner if len(inner) <= room else "(...)"
    return "(...)"


# ---- the grammar ------------------------------------------------------------------------

# Why Lark and not Python's own tokenize + ast: tokenize reads `0x`, `2j` and `1_000` as
# Python literals (and differently in 3.10 and 3.12), and ast.parse raises RecursionError
# on a sum of a few thousand terms in 3.11 and 3.12.  Lark's LALR parser uses no
# recursion, and this grammar is the whole language, so nothing else can be written.
#
# Lowest precedence first.  A '?' rule with one child is replaced by that child.
# `product power` is implicit multiplication (5x, 4(x+1), (a+b)(b+c), 2pi): it takes
# a power, never a signed term, so `a -b` stays a subtraction.  The exponent of `^`
# is a signed term, so 2^3^2 is 2^(3^2) and x^-1 works; and -x^2 is -(x^2).
_GRAMMAR = r"""
?sum: product
    | sum _PLUS product        -> add
    | sum _MINUS product       -> sub
?product: signed
    | product _TIMES signed    -> mul
    | product _DIVIDE signed   -> div
    | product power            -> mul
?signed: power
    | _MINUS signed            -> neg
    | _PLUS signed             -> pos
?power: atom
    | atom _POWER signed       -> pow
?atom: NUMBER
    | NAME
    | FUNCTION _LPAR sum (_COMMA sum)* _RPAR -> call
    | _LPAR sum _RPAR
    | _LBAR sum _RBAR          -> abs
%declare NUMBER NAME FUNCTION _PLUS _MINUS _TIMES _DIVIDE _POWER _LPAR _RPAR _COMMA _LBAR _RBAR
"""


class _Checked(Lexer):
    """Hands the parser the tokens that ``_tokens`` cut and ``_check`` checked."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, tokens: list[Token]) -> Iterator[Token]:  # type: ignore[override]
        return iter(tokens)


_PARSER = Lark(_GRAMMAR, start="sum", parser="lalr", lexer=_Checked)


def _syntax_error(error: UnexpectedInput, tokens: list[Token], text: str) -> ParseError:
    """Say what is missing where the parser stopped, in a student's words."""
    token = error.token if isinstance(error, UnexpectedToken) else None
    if not isinstance(token, Token) or token.type == "$END":
        if not tokens:
            return ParseError("the formula is empty", text, 1)
        last = tokens[-1]
        return ParseError(f"the formula ends too early: something is missing after '{last}'", text, last.column)
    index = next(i for i, t in enumerate(tokens) if t.start_pos == token.start_pos)
    before = tokens[index - 1] if index > 0 else None
    here = f"'{token}'"
    if token.type == "_RPAR" and before is not None and before.type == "_LPAR":
        return ParseError("empty parentheses: put something between ( and )", text, before.column, 2)
    if token.type == "_RPAR":
        return ParseError(f"something is missing between '{before}' and ')'", text, token.column)
    if before is not None and before.type in _BINARY:
        return ParseError(f"{here} can't follow '{before}': something is missing between them", text, token.column)
    if before is None or before.type == "_LPAR":
        return ParseError(f"{here} needs something before it", text, token.column, len(token))
    return ParseError(f"unexpected {here}", text, token.column, len(token))


# ---- from the tree to Values --------------------------------------------------------------

_ARITHMETIC = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}


def _build(tree: Tree | Token, leaves: dict[str, Value]) -> Value:
    """Make the Value nodes of a parse tree, children first and without recursion.

    Each subtree gives ``(value, numeric)``; ``numeric`` says that no name occurs
    in it, which is what makes an exponent a constant of the ``pow`` op.
    """
    done: dict[int, tuple[Value, bool]] = {}

    def operand(child: Tree | Token) -> tuple[Value, bool]:
        if isinstance(child, Tree):
            return done.pop(id(child))
        if child.type == "NUMBER":
            return Value(float(child), constant=True), True
        return leaves[str(child)], False

    if isinstance(tree, Token):
        return operand(tree)[0]
    for subtree in tree.iter_subtrees():
        rule, children = subtree.data, subtree.children
        if rule == "call":
            arguments = [operand(child) for child in children[1:]]
            result = FUNCTIONS[str(children[0])](*[a for a, _ in arguments]), all(n for _, n in arguments)
        elif rule == "abs":
            (argument, numeric) = operand(children[0])
            result = abs(argument), numeric
        elif rule == "neg":
            (argument, numeric) = operand(children[0])
            result = -argument, numeric
        elif rule == "pos":
            result = operand(children[0])  # +x is x itself: no node
        elif rule == "pow":
            (base, base_numeric), (exponent, exponent_numeric) = operand(children[0]), operand(children[1])
            if exponent_numeric:  # a constant exponent: Value ** float, so a negative base just works
                result = base**exponent.data, base_numeric
            else:
                result = base**exponent, base_numeric and exponent_numeric
        else:
            (left, left_numeric), (right, right_numeric) = operand(children[0]), operand(children[1])
            result = _ARITHMETIC[rule](left, right), left_numeric and right_numeric
        done[id(subtree)] = result
    return done[id(tree)][0]


# ---- the public functions -------------------------------------------------------------------


def parse(text: str, **values: float) -> Value:
    """Read a formula and build its computation graph; return the output node.

    What a formula may contain:

    - numbers (``3``, ``0.5``, ``1e-3``; scientific notation wins, so ``2e-3`` is
      0.002 while ``2e`` and ``2e^x`` are 2·e and 2·e^x);
    - variables: a letter (ASCII or Greek) or ``_`` followed by letters, digits or
      ``_``, not starting with ``_``.  Each name is ONE leaf node labelled with its
      name, however often it is used.  ``ab`` is one variable; ``a b`` is a·b;
    - the constants ``e`` and ``pi`` (or ``π``): one constant leaf per name used;
    - ``+ - * /``, powers with ``^`` or ``**`` (right associative: ``2^3^2`` is 512),
      unary minus binding looser than power (``-x^2`` is -(x²)), and ``× · ÷ −``;
    - implicit multiplication: ``5x``, ``4(x+1)``, ``(a+b)(b+c)``, ``2pi``, ``x y``,
      ``e(x+1)``.  A variable directly before ``(`` is an error, never a silent
      product: ``f(x)`` may mean a function, so write ``f*(x)`` to multiply;
    - ``|x|`` for abs(x) (``|a||b|`` is |a|·|b|);
    - the functions in ``FUNCTIONS``: exp, log and ln (both natural), sqrt, sin,
      cos, tanh, sigmoid (or σ), relu, leaky_relu (slope 0.01), abs, each with
      one argument; max and min with two or more (``max(a, b, c)``).

    Every number is its own constant leaf and ``-x`` is the ``neg`` op.  The only
    folding: an exponent in which no name occurs (``x^2``, ``x^-1``, ``x^(1/2)``)
    becomes the constant of the ``pow`` op (``x ** 0.5``), so that a negative base
    works; any other exponent (``2^x``, ``e^(-x)``) makes a ``powv`` node.

    ``values`` gives variables their values; a variable not given is
    ``DEFAULT_VALUE`` (1.0).  Values for names the formula doesn't use are
    ignored (an Explorer may pass all its sliders); the constants can't be given.

    Raises ``ParseError`` (a ``ValueError``) with the column of the problem for
    anything else, and for formulas longer than ``MAX_LENGTH`` characters or nested
    more than ``MAX_NESTING`` deep.  Nothing in ``text`` is ever executed.

    >>> g = parse("(4x+1)^2", x=1)
    >>> g.backward()
    >>> g.data, variables(g)["x"].grad
    (25.0, 40.0)
    >>> parse("sigmod(x)")
    Traceback (most recent call last):
    ...
    backprop_widgets.parse.ParseError: unknown function 'sigmod' — did you mean 'sigmoid'? (column 1)
        sigmod(x)
        ^^^^^^
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes the formula as a str, not {type(text).__name__}")
    for name in values:
        if name in CONSTANTS or name in FUNCTIONS:
            what = f"the constant {CONSTANTS[name]!r}" if name in CONSTANTS else "a function"
            raise ParseError(f"'{name}' is {what} in a formula and can't be given a value")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the formula is {len(text):,} characters long; the limit is {MAX_LENGTH:,}")
    text = text.rstrip()  # a trailing newline from a text box is harmless (columns don't move)
    tokens = _tokens(text)
    _check(tokens, text, values)
    leaves: dict[str, Value] = {}
    for token in tokens:
        name = str(token)
        if token.type == "NAME" and name not in leaves:
            if name in CONSTANTS:
                leaves[name] = Value(CONSTANTS[name], label=name, constant=True)
            else:
                leaves[name] = Value(values.get(name, DEFAULT_VALUE), label=name)
    try:
        tree = _PARSER.parse(tokens)
    except UnexpectedInput as error:
        raise _syntax_error(error, tokens, text) from None
    return _build(tree, leaves)


def variables(root: Value) -> dict[str, Value]:
    """The named input leaves of a graph, by name, in order of first appearance.

    These are the variables of a parsed formula (the constants ``e`` and ``pi``
    are left out); for a graph built in Python, every labelled leaf.  Where two
    leaves share a label, the first is given.

    >>> g = parse("(a+b)*(b+c)", a=-1, b=3, c=4)
    >>> g.backward()
    >>> {name: leaf.grad for name, leaf in variables(g).items()}
    {'a': 7.0, 'b': 9.0, 'c': 2.0}
    """
    found: dict[str, Value] = {}
    for node in _values(root):
        if node.parents or node.label is None or node.label in found:
            continue
        if node.constant and CONSTANTS.get(node.label) == node.data:
            continue
        found[node.label] = node
    return found


def _values(root: Value) -> list[Value]:
    """``topological_order(root)``, typed: a graph of Values holds only Values."""
    return cast("list[Value]", topological_order(root))


# ---- printing a graph as a formula ------------------------------------------------

# How a formula writes each op (its operator or the name it is called by, and how tightly it holds) is
# in its row of the op table: ``infix``, ``calls``, ``binds``.


def _number_text(x: float) -> str:
    if not math.isfinite(x):
        raise ValueError(f"a formula can't contain the number {x!r}")
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _leaf_text(node: Value) -> str:
    label = node.label
    if label is None:
        return _number_text(node.data)
    if label in CONSTANTS:
        if node.constant and node.data == CONSTANTS[label]:
            return label
        raise ValueError(f"the leaf labelled {label!r} is not the constant {label}, which a formula would read")
    if not re.fullmatch(f"[{_LETTER}][{_LETTER}0-9]*", label) or label.startswith("_") or label in FUNCTIONS:
        raise ValueError(f"the leaf labelled {label!r} has no name a formula can use")
    if keyword.iskeyword(label):
        raise ValueError(f"the leaf labelled {label!r} has no name a formula can use")
    return label


def _precedence(node: Value) -> int:
    if node.op is None:
        return SIGNED if node.label is None and node.data < 0 else ATOM
    return node.ops[node.op].binds


def _pieces(node: Value) -> list[str | Value]:
    """One node's formula as strings and child nodes, with the parentheses it needs."""

    def operand(child: Value, loosest: int) -> list[str | Value]:
        return [child] if _precedence(child) >= loosest else ["(", child, ")"]

    op, parents = node.op, node.parents
    if op is None:
        return [_leaf_text(node)]
    row = node.ops[op]
    if op == "neg":
        return ["-", *operand(parents[0], SIGNED)]
    if op == "pow":
        return [*operand(parents[0], ATOM), "^", _number_text(node.params["n"])]
    if op == "powv":  # a power groups from the right: a^-b, a^(b^c)
        return [*operand(parents[0], ATOM), "^", *operand(parents[1], SIGNED)]
    if row.infix is not None:  # left associative: the right operand must hold tighter
        level = row.binds
        return [*operand(parents[0], level), row.infix[0], *operand(parents[1], level + 1)]
    if row.calls and node.params == row.call_params:
        arguments: list[str | Value] = [piece for p in parents for piece in (", ", p)][1:]
        return [f"{row.calls[0]}(", *arguments, ")"]
    raise ValueError(f"a formula has no way to write the op {op!r} with {node.params or 'these inputs'}")


def _written(root: Value, pieces: dict[Value, list[str | Value]]) -> str:
    """The text of ``root``: its pieces, each child replaced by its own, without recursion."""
    out: list[str] = []
    stack: list[str | Value] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        else:
            stack.extend(reversed(pieces[item]))
    return "".join(out)


def to_formula(root: Value) -> str:
    """The formula of a graph, which ``parse`` reads back into the same computation.

    Labelled leaves are written by name, other leaves as numbers, and a node used
    twice is written out twice (a formula has no other way to share).  To rebuild
    the values, pass the named leaves: ``parse(f, **{n: v.data for n, v in
    variables(root).items()})``.  Raises ``ValueError`` for what a formula can't
    say (an op with no syntax, inf, a label that isn't a name) or for a formula
    longer than ``MAX_LENGTH``.

    >>> x = Value(1.0, label="x")
    >>> to_formula(1 / (1 + Value(math.e, label="e", constant=True) ** -x))
    '1 / (1 + e^-x)'
    >>> to_formula(-(4 * x + 1) ** 2)
    '-(4 * x + 1)^2'
    """
    order = _values(root)
    pieces = {node: _pieces(node) for node in order}
    length: dict[Value, int] = {}
    for node in order:  # inputs first, so every child's length is known
        length[node] = sum(length[p] if isinstance(p, Value) else len(p) for p in pieces[node])
    if length[root] > MAX_LENGTH:
        raise ValueError(
            f"the formula would be {length[root]:,} characters long (more than {MAX_LENGTH:,}): "
            "nodes used more than once are written out each time"
        )
    return _written(root, pieces)


# ---- printing a graph as LaTeX ------------------------------------------------------

_LATEX_CONSTANTS = {"e": "e", "pi": r"\pi"}
_SLOT = "\x00{}\x00"  # where an input goes in a row's template, until it is written


def _latex_pieces(node: Value) -> list[str | Value]:
    """One node's LaTeX as strings and child nodes: the row's ``latex`` template, parentheses by ``binds``."""
    if node.op is None:
        text = _leaf_text(node)
        return [_LATEX_CONSTANTS.get(text, text) if node.label in CONSTANTS else text]
    row = node.ops[node.op]
    if not row.latex:
        raise ValueError(f"the op {node.op!r} has no LaTeX in its row")
    params = {k: _number_text(v) for k, v in node.params.items()}
    parts = row.latex.format(*(_SLOT.format(i) for i in range(len(node.parents))), **params).split("\x00")
    pieces: list[str | Value] = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            pieces.append(part)
            continue
        index = int(part)
        child = node.parents[index]
        before, after = parts[i - 1].rstrip()[-1:], parts[i + 1].lstrip()[:1]
        grouped = before in ("{", "(", "|", ",") and after in ("}", ")", "|", ",")
        # a power groups from the right (its base must hold tighter); an infix op from the left
        loosest = row.binds + 1 if (index == 1) != (row.binds == POWER) else row.binds
        if grouped or _precedence(child) >= loosest:
            pieces.append(child)
        else:
            pieces.extend([r"\left(", child, r"\right)"])
    return pieces


def to_latex(root: Value) -> str:
    r"""The formula of a graph as LaTeX, written from each op's row (its ``latex`` and ``binds``).

    >>> x = Value(1.0, label="x")
    >>> to_latex(1 / (1 + Value(math.e, label="e", constant=True) ** -x))
    '\\frac{1}{1 + e^{-x}}'
    >>> to_latex((4 * x + 1) ** 2)
    '\\left(4 \\cdot x + 1\\right)^{2}'
    """
    order = _values(root)
    pieces = {node: _latex_pieces(node) for node in order}
    return _written(root, pieces)
