"""DOT text -> SVG, laid out in this process by the Graphviz libraries that the pygraphviz wheel carries.

No ``dot`` program is needed.  Only where pygraphviz cannot be imported is a
``dot`` program on ``PATH`` used instead (through the ``graphviz`` package).
The C libraries print warnings (fontconfig's, Graphviz's) straight to file
descriptor 2, which a notebook would show under the cell; they are silenced
around every call into them.
"""

from __future__ import annotations

import io
import os
import shutil
import warnings
from contextlib import contextmanager, redirect_stderr
from typing import Iterator

import graphviz

__all__ = ["RenderError", "render_svg", "backend", "quiet_stderr"]

INSTALL_HINT = (
    "backprop_widgets draws graphs with the Graphviz libraries inside the pygraphviz wheel: "
    "run `pip install pygraphviz` (or install Graphviz so that a `dot` program is on PATH)."
)


class RenderError(RuntimeError):
    """A picture could not be drawn (no Graphviz found, or Graphviz failed)."""


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence everything written to standard error inside the block, by C code too.

    C libraries write to file descriptor 2 directly, past ``sys.stderr``; so
    descriptor 2 itself points at the null device until the block ends.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 at all: nothing can land in the output anyway
        saved = None
    if saved is not None:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    try:
        with redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


def _load_pygraphviz():
    """The pygraphviz module, or None where it cannot be imported."""
    try:
        with quiet_stderr():
            import pygraphviz
    except (ImportError, OSError):  # not installed, or its C libraries cannot be loaded
        return None
    return pygraphviz


def backend() -> str | None:
    """Which Graphviz draws the pictures: ``"pygraphviz"``, ``"dot program"`` or None.

    >>> backend() in ("pygraphviz", "dot program", None)
    True
    """
    if _load_pygraphviz() is not None:
        return "pygraphviz"
    return "dot program" if shutil.which("dot") else None


def render_svg(dot: str) -> str:
    """Lay out DOT text with Graphviz's ``dot`` engine and return the SVG text.

    >>> svg = render_svg('digraph { a -> b }')
    >>> svg.startswith('<?xml') and '</svg>' in svg
    True
    """
    pygraphviz = _load_pygraphviz()
    if pygraphviz is None:
        return _render_with_program(dot)
    try:
        with quiet_stderr():
            graph = pygraphviz.AGraph(string=dot)
            # With ``prog`` given, draw() lays out and renders in this process in
            # one go (layout() followed by draw() would lay out twice).
            svg = graph.draw(format="svg", prog="dot")
    except Exception as error:  # pygraphviz raises ValueError, DotError, ...
        raise RenderError(f"Graphviz could not draw this graph: {error}") from error
    return svg.decode("utf-8")


def _render_with_program(dot: str) -> str:
    """The fallback: run a ``dot`` program found on PATH."""
    try:
        return graphviz.Source(dot, engine="dot").pipe(format="svg", encoding="utf-8", quiet=True)
    except graphviz.ExecutableNotFound:
        raise RenderError("Cannot draw: " + INSTALL_HINT) from None
    except graphviz.CalledProcessError as error:
        raise RenderError(f"Graphviz could not draw this graph: {error}") from error

