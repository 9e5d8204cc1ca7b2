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
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr

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


ISOLATED_TIMEOUT = 30  # seconds a layout in a subprocess may take


def render_svg(dot: str, *, isolate: bool = False) -> str:
    """Lay out DOT text with Graphviz's ``dot`` engine and return the SVG text.

    ``isolate=True`` lays out in a subprocess, so that a crash or a hang of
    Graphviz costs this picture, never the kernel.

    >>> svg = render_svg('digraph { a -> b }')  # doctest: +SKIP
    >>> svg.startswith('<?xml') and '</svg>' in svg  # doctest: +SKIP
    True
    """
    if isolate:
        return _render_in_subprocess(dot)
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


def _render_in_subprocess(dot: str) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-m", __name__],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=ISOLATED_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz took more than {ISOLATED_TIMEOUT} s to lay out this graph") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        raise RenderError(f"Graphviz could not draw this graph: {reason[0]}")
    return done.stdout.decode("utf-8")


def _render_with_program(dot: str) -> str:
    """The fallback: run a ``dot`` program found on PATH."""
    try:
        return graphviz.Source(dot, engine="dot").pipe(format="svg", encoding="utf-8", quiet=True)
    except graphviz.ExecutableNotFound:
        raise RenderError("Cannot draw: " + INSTALL_HINT) from None
    except graphviz.CalledProcessError as error:
        raise RenderError(f"Graphviz could not draw this graph: {error}") from error


if __name__ == "__main__":  # the subprocess of render_svg(..., isolate=True): DOT in, SVG out
    try:
        sys.stdout.write(render_svg(sys.stdin.read()))
    except RenderError as error:
        sys.exit(str(error))
