"""Pictures of computation graphs: DOT text, an in-process Graphviz layout, and a view patched in place.

``draw(root)`` is what a lesson calls; ``GraphView`` is what the widgets keep
and refresh with ``update()`` and ``highlight()``.  Nothing here imports
ipywidgets, and no ``dot`` program is needed (pygraphviz carries Graphviz).
"""

from .dot import KEEP, LIMIT, PALETTE, to_dot, value_text
from .layout import RenderError, backend, render_svg
from .view import GraphView, draw

__all__ = [
    "draw",
    "GraphView",
    "to_dot",
    "render_svg",
    "value_text",
    "backend",
    "RenderError",
    "PALETTE",
    "LIMIT",
    "KEEP",
]
