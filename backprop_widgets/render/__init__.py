"""Pictures of computation graphs: what each node and edge shows, as DOT text, and static SVG copies.

The live picture is the ``GraphView`` widget (``backprop_widgets.widgets.graph``),
which lays out this DOT text in the browser.  ``SvgPicture`` lays it out in
Python instead, for static copies; that needs pygraphviz (or a ``dot``
program) and is optional.  Nothing here imports ipywidgets.
"""

from .dot import KEEP, LIMIT, PALETTE, to_dot, value_text
from .layout import RenderError, backend, render_svg
from .view import SvgPicture

__all__ = [
    "SvgPicture",
    "to_dot",
    "render_svg",
    "value_text",
    "backend",
    "RenderError",
    "PALETTE",
    "LIMIT",
    "KEEP",
]
