"""What the kernel and the picture's front end agree on, written once: ids, the placeholder, text widths, messages.

``GraphView`` (the widget), ``SvgPicture`` (the static copy) and the front end
(``static/frontend.js``) all read these.  The front end gets them as one
dictionary, ``front_end_constants()``, with the kit's version in it: after an
upgrade a page loads the new front end instead of keeping the old one.

Ids of the SVG groups a picture keeps, so that it can be patched without a
new layout: ``n3`` (node 3's value box, or a folded group's box), ``n3-op``
(its op circle), ``n3-out`` (the arrow from the op circle to the box), ``e3-0``
(the edge from node 3's input 0), ``f3-0`` (an edge into a folded box) and
``c0`` (an unfolded group's dashed frame).

>>> node_ids(3), edge_id(3, 0)
(['n3', 'n3-op', 'n3-out'], 'e3-0')
>>> round(text_width("0.25"), 2)  # points, at the normal text size
22.6
"""

from __future__ import annotations

from .._version import __version__

__all__ = [
    "VERSION",
    "API",
    "PLACEHOLDER",
    "FONT_SIZE",
    "WIDE",
    "EM",
    "MESSAGES",
    "box_id",
    "op_id",
    "out_id",
    "node_ids",
    "edge_id",
    "folded_edge_id",
    "frame_id",
    "text_width",
    "front_end_constants",
]

VERSION = __version__
API = f"backprop_widgets/{VERSION}"  # the name under which a page keeps its front end

PLACEHOLDER = "@"  # what number cells hold while the layout is computed
FONT_SIZE = 10  # points: the picture's normal text size

# How wide characters are, in ems, a little generous (browsers may use a wider
# sans-serif than Helvetica); text estimated wider than its cell is squeezed.
WIDE = 0.64
EM = {c: 0.34 for c in " .,-:;|[]()ilj'"}
EM.update({"…": 1.0, "×": 0.64, "m": 0.9, "w": 0.8, "⋮": 0.34})

# The messages between the kernel and the front end, by their "type".
MESSAGES = {
    "patch": "patch",  # kernel -> page: the cells and traits that changed
    "graphviz": "graphviz",  # kernel -> page: the WebAssembly Graphviz's code
    "need_graphviz": "graphviz?",  # page -> kernel: send the WebAssembly Graphviz (a page that missed it)
    "key": "key",  # page -> kernel: an arrow key on the picture (a stepper steps)
    "more": "more",  # page -> kernel: "Show more" was pressed
    "toggle": "toggle",  # page -> kernel: a folded box or a frame was clicked
    "details": "details?",  # page -> kernel: a tensor's box is hovered or focused: send its whole array
    "layout_failed": "layout-failed",  # page -> kernel: Graphviz could not lay the picture out
    "fit": "fit?",  # page -> kernel: the picture cannot open whole here with its text at 10 px: fold it if it can be
}


def box_id(k: int) -> str:
    """The SVG id of node ``k``'s value box (or of the folded group's box it stands for)."""
    return f"n{k}"


def op_id(k: int) -> str:
    """The SVG id of node ``k``'s op circle."""
    return f"n{k}-op"


def out_id(k: int) -> str:
    """The SVG id of the arrow from node ``k``'s op circle to its value box."""
    return f"n{k}-out"


def node_ids(k: int) -> list[str]:
    """The SVG ids lit when node ``k`` is the current step: its box, its op circle and the arrow between."""
    return [box_id(k), op_id(k), out_id(k)]


def edge_id(k: int, i: int) -> str:
    """The SVG id of the edge from input ``i`` of node ``k`` into its op circle."""
    return f"e{k}-{i}"


def folded_edge_id(k: int, j: int) -> str:
    """The SVG id of the edge from input ``j`` of the folded box ``n{k}``."""
    return f"f{k}-{j}"


def frame_id(number: int) -> str:
    """The SVG id of an unfolded group's dashed frame."""
    return f"c{number}"


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """How wide ``text`` is drawn, in points, estimated from the width table (as the front end does)."""
    return size * sum(EM.get(c, WIDE) for c in text)


def front_end_constants() -> dict:
    """Everything above that the front end needs, as JSON: handed to it with its code."""
    return {
        "version": VERSION,
        "api": API,
        "placeholder": PLACEHOLDER,
        "fontSize": FONT_SIZE,
        "wide": WIDE,
        "em": dict(EM),
        "messages": dict(MESSAGES),
    }
