"""A tripwire: what in a hand-in's own cells has no business in an answer.

The verdicts do not depend on it (the tests run outside the student's kernel, see
``judge``); it tells the instructor that a notebook tried to change the grading, or
read an answer off the engine, and the grader scores such a notebook 0 with the
reason.  It reads the code (``ast``); it never runs it.

>>> scan_cell("import backprop_widgets.exercises as _E\\n_E.Exercise.check = lambda self, a, strict=False: True")
['changes the kit or a module it imported (`_E.Exercise.check = ...`)']
>>> scan_cell("get_ipython().input_transformers_post.append(lambda lines: ['pass'])")
['changes how later cells run (`.input_transformers_post`)', 'reaches into IPython (`get_ipython`)']
>>> scan_cell("g = sigmoid_tree(2.0); g.backward(); slope = g.parents[0].grad")
['reads the answer off the engine (`.grad`)', 'reads the answer off the engine (`.backward()`)']
>>> scan_cell("def f(z, upstream):\\n    s = 1 / (1 + np.exp(-z))\\n    return upstream * s * (1 - s)")
[]
"""

from __future__ import annotations

import ast
from collections.abc import Collection

__all__ = ["scan_cell", "engine_words"]

# Names whose use in an answer means reaching past the task: into IPython, the interpreter, files, processes.
FORBIDDEN_NAMES = {
    "get_ipython": "reaches into IPython",
    "__builtins__": "changes Python's built-ins",
    "builtins": "changes Python's built-ins",
    "__import__": "imports by name",
    "importlib": "imports by name",
    "exec": "runs code from text",
    "eval": "runs code from text",
    "compile": "runs code from text",
    "open": "opens files",
    "setattr": "changes objects by name",
    "delattr": "changes objects by name",
    "globals": "changes the notebook's namespace",
    "vars": "changes the notebook's namespace",
    "ctypes": "reaches into memory",
    "gc": "reaches into the interpreter",
    "inspect": "reads code",
    "subprocess": "runs programs",
    "os": "uses the operating system",
    "sys": "reaches into the interpreter",
    "socket": "uses the network",
    "shutil": "touches files",
    "pathlib": "touches files",
    "sqlite3": "touches databases",
    "signal": "handles signals",
    "atexit": "runs code at exit",
    "threading": "runs code in threads",
}
FORBIDDEN_ATTRIBUTES = {
    "input_transformers_post": "changes how later cells run",
    "input_transformers_cleanup": "changes how later cells run",
    "ast_transformers": "changes how later cells run",
    "events": "hooks into cell execution",
    "register": "hooks into cell execution",
    "settrace": "traces the interpreter",
    "setprofile": "traces the interpreter",
    "__code__": "rewrites functions",
    "__globals__": "reaches into modules",
    "__subclasses__": "reaches into classes",
    "__class__": "reaches into classes",
    "__dict__": "reaches into objects",
    "__bases__": "reaches into classes",
    "modules": "reaches into loaded modules",
}
ENGINE_SHORTCUTS = {
    "backward": "`.backward()`",
    "local_grads": "`.local_grads()`",
    "vjp": "`.vjp()`",
    "grad": "`.grad`",
    "solution": "`.solution()`",
    "correct_answer": "`.correct_answer()`",
}


def _python(source: str) -> str:
    """A cell's code with IPython's magics and shell escapes turned into calls the scan sees."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            indent = line[: len(line) - len(stripped)]
            lines.append(f"{indent}get_ipython()  # {stripped}")
        else:
            lines.append(line)
    return "\n".join(lines)


def engine_words(source: str) -> set[str]:
    """The engine's words (``grad``, ``backward`` …) a cell uses or defines: in an assignment whose own solution
    has them (a student's own engine), they are the task, not a shortcut.

    >>> sorted(engine_words("class V:\\n    def backward(self):\\n        self.grad = 1.0"))
    ['backward', 'grad']
    """
    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return set()
    used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    used |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return used & set(ENGINE_SHORTCUTS)


def scan_cell(source: str, allowed: Collection[str] = ()) -> list[str]:
    """What a cell a student wrote does that an answer should not, one phrase each (empty when nothing);
    ``allowed``: engine words (``engine_words``) the assignment's own solution uses."""
    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return []  # a cell that does not parse does nothing when it runs either
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imported.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    found: list[str] = []

    def note(text: str) -> None:
        if text not in found:
            found.append(text)

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            note(f"{FORBIDDEN_NAMES[node.id]} (`{node.id}`)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for module in modules:
                top = module.split(".")[0]
                if top in FORBIDDEN_NAMES:
                    note(f"{FORBIDDEN_NAMES[top]} (`import {module}`)")
        elif isinstance(node, ast.Attribute):
            if node.attr in FORBIDDEN_ATTRIBUTES:
                note(f"{FORBIDDEN_ATTRIBUTES[node.attr]} (`.{node.attr}`)")
            if node.attr in ENGINE_SHORTCUTS and node.attr not in allowed:
                note(f"reads the answer off the engine ({ENGINE_SHORTCUTS[node.attr]})")
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                root: ast.expr = node
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and (root.id in imported or root.id[:1].isupper() or root.id in _GIVEN):
                    note(f"changes the kit or a module it imported (`{ast.unparse(node)} = ...`)")
    return found


# Names the assignments' locked cells import or define; an answer never assigns to their attributes.
_GIVEN = {"np", "math", "numbers", "configure", "sigmoid_tree", "branch_graph", "chain", "sigmoid"}
