"""Graph -> DOT text: what each node and edge of a picture shows, built with the ``graphviz`` package.

Nothing here runs a layout engine; ``layout.py`` does that.  Every inner node
is drawn as two pieces, as in the source articles: a small op circle (the
operation) feeding a value box (``label | data 5 | grad 10``).  Inputs are value
boxes only, variables in blue and constants dashed in grey.  Node ids come from
``topological_order(root)`` (``n0, n1, ...``), so the same graph gives the same
DOT text in every process.

The ids that the SVG keeps, so that a picture can be patched without a new
layout (``n3``, ``n3-op``, ``n3-out``, ``e3-0``, ...), are made by ``protocol.py``.

A tensor's box shows its array as a grid, one number cell per entry, at the
picture's normal text size: a small array whole, a larger one as its shape and
its first rows and columns (``SMALL_ARRAY``, ``WINDOW``); the whole array is the
box's tooltip (``details``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import graphviz

from ..engine import format_number, group_of, topological_order
from ..engine.arrays import ndim
from ..engine.gates import gate_pattern, uses
from ..palette import PALETTE
from .protocol import FONT_SIZE, box_id, edge_id, folded_edge_id, frame_id, op_id, out_id, text_width

__all__ = [
    "PALETTE",
    "LIMIT",
    "KEEP",
    "to_dot",
    "value_text",
    "op_title",
]

# The colours of each kind of node: one palette for the whole kit (see palette.py).
CAPTION = "#666666"
FONT = "Helvetica,Arial,sans-serif"
# Captions, frame names and local gradients: one point smaller, never less, so that a picture
# drawn at 0.83 of its size (10 / (9 * 4/3) CSS px per point) still shows every text at 10 px.
SMALL_FONT_SIZE = FONT_SIZE - 1
BOLD = 1.12  # how much wider bold letters are drawn than regular ones (Liberation Sans, Arial, Helvetica)
ROUND_OP = 5  # an op's symbol up to this many characters sits in a circle; a longer one (Σ axis=1) in an ellipse

# Pictures of graphs above LIMIT nodes show only the KEEP nodes nearest the
# output, so that a layout never takes more than a few seconds.  Above MEDIUM
# nodes edges are drawn as straight lines: routing curved edges is the slow
# part of dot on big graphs (measured with WebAssembly Graphviz on a 300-node
# network: 1.26 s with curves, 0.15 s with lines).  Settings that bound network
# simplex (nslimit) are never used: they crash Graphviz on some graphs.
LIMIT = 1500
KEEP = 60
MEDIUM = 80
QUICK_LAYOUT = {"splines": "line"}

# Number cells have a fixed size, so that new values never need a new layout.
# (width, height) in points; text wider than a cell is squeezed to fit it.
SCALAR_CELL = (46, 18)
ARRAY_CELL = (118, 18)  # a one-line summary of an array: a folded box's output, a local gradient
ENTRY_CELL = (34, 14)  # one entry of an array: at least this wide, wider if its numbers need it
LOCAL_CELL = (40, 12)
CELL_PADDING = 2  # points between a cell's edge and its text
CAPTION_GAP = 3  # points of empty cell between a number's caption ("data", "grad") and the number
_GAP = f'<TD WIDTH="{CAPTION_GAP}" CELLPADDING="0"></TD>'
ENTRY_DIGITS = 3  # significant digits of an array's entries
WIDEST_ENTRY = "-1.23e+308"  # the widest entry a float can give: no entry is ever squeezed
NOT_KEPT_ENTRY = "–"  # an entry of a value PyTorch did not keep (the box's shape says "value not kept")
SMALL_ARRAY = 4  # arrays with at most this many rows and columns are drawn whole
WINDOW = (2, 3)  # of a larger array, the first rows and columns drawn (after its shape)


@dataclass(frozen=True)
class Slot:
    """One number cell of a picture: whose number it is and the cell's width.

    ``kind`` is ``"data"``, ``"grad"`` or ``"local"``; ``node`` is the node's id
    (its position in the topological order); ``index`` the input of an edge.
    ``inset`` is the distance from the cell's left edge to where Graphviz starts
    the text (the cell's padding).
    """

    kind: str
    node: int
    index: int = -1
    width: float = SCALAR_CELL[0]
    inset: float = CELL_PADDING
    array: bool = False
    entry: int = -1  # of an array drawn as a grid: which entry (in the flattened array) this cell shows


@dataclass
class Plan:
    """Which nodes a picture shows, their ids, and what each number cell holds."""

    root: Any
    order: list  # the whole graph in topological order; a node's id is its position
    shown: list  # the nodes drawn with their values, in topological order
    hidden: list  # nodes of a big graph drawn as grey stubs (inputs of shown nodes)
    show_grad: bool
    show_local: bool
    message: str | None = None
    index: dict = field(default_factory=dict)
    folded: frozenset = frozenset()  # the groups drawn as one box each
    boxes: dict = field(default_factory=dict)  # a folded group's box: its representative -> Box
    owner: dict = field(default_factory=dict)  # a node inside a folded group -> that group's representative
    grad_caption: str = "grad"  # what the gradient row is called (forward mode names its tangent: "∂·/∂b")
    # each op marked with the pattern its backward step makes, each fan-out with "adds";
    # "forward": what each does to a tangent (engine.gates), each fan-out with "copies"
    gates: bool | str = False
    fan_outs: frozenset = frozenset()  # with gates: the nodes used more than once
    windowed: bool = False  # every array drawn with at most WINDOW[0] rows (a picture too tall for its cell)

    def id_of(self, node: Any) -> int:
        """A node's id, its position in ``topological_order(root)``."""
        return self.index[node]


@dataclass(frozen=True)
class Drawing:
    """What ``build`` makes of a plan: the DOT graph, and what its SVG ids stand for.

    ``slots`` maps an SVG group id (``n3``, ``e3-0``) to its number cells, in
    order; ``clusters`` maps the SVG id of a folded group's box (``n7``) or of an
    unfolded group's dashed frame (``c0``) to that group's path.
    """

    graph: graphviz.Digraph
    slots: dict[str, list[Slot]]
    clusters: dict[str, tuple]
    details: dict[str, int] = field(default_factory=dict)  # SVG id of a tensor's box -> its node's id


@dataclass(frozen=True)
class Box:
    """A folded group drawn as one box: its name, the nodes it hides, its outputs and its inputs."""

    group: tuple
    members: tuple
    outputs: tuple  # members used outside the group (or the root), one row each
    inputs: tuple  # nodes outside the group that its members read


def plan(
    root: Any,
    *,
    show_grad: bool | str | None = True,
    show_local: bool = False,
    limit: int = LIMIT,
    keep: int = KEEP,
    folded: Any = None,
    gates: bool | str = False,
    windowed: bool = False,
) -> Plan:
    """Decide what a picture of ``root`` shows (all nodes, or the nearest ``keep`` of a big graph).

    ``show_grad=None`` shows gradients when some node has a non-zero one (after
    a backward pass); a str shows them under that name (forward mode's tangents, ``∂·/∂b``).  ``folded`` is a set of groups (see ``engine.group``) to
    draw as one box each; None folds a graph of more than ``FOLD_ABOVE`` nodes
    at the deepest level of its groups (its neurons, say) that leaves at most
    ``FOLD_ABOVE`` boxes, or else at its outermost level. ``windowed`` draws every array with at most
    ``WINDOW[0]`` rows (its whole value is still on hover/focus).
    """
    order = topological_order(root)
    caption, show_grad = (show_grad, True) if isinstance(show_grad, str) else ("grad", show_grad)
    if show_grad is None:
        show_grad = any(_nonzero(node.grad) for node in reversed(order))  # the root first
    index = {node: i for i, node in enumerate(order)}
    if folded is None:
        folded = default_folding(order)
    if folded:
        folded_plan = _folded_plan(root, order, index, frozenset(folded), show_grad, show_local)
        return replace(
            folded_plan, grad_caption=caption, gates=gates, fan_outs=_fan_outs(root, gates), windowed=windowed
        )
    message = None
    if len(order) <= limit:
        shown, hidden = order, []
    else:
        nearest = _nearest(root, keep)
        shown = sorted(nearest, key=index.__getitem__)
        hidden_set = {p for n in shown for p in n.parents if p not in nearest}
        hidden = sorted(hidden_set, key=index.__getitem__)
        message = f"this graph has {len(order):,} nodes; showing the {len(shown)} nodes nearest the output"
    return Plan(
        root, order, shown, hidden, show_grad, show_local, message, index,
        grad_caption=caption, gates=gates, fan_outs=_fan_outs(root, gates), windowed=windowed,
    )  # fmt: skip


def _fan_outs(root: Any, gates: bool | str) -> frozenset:
    """The nodes used more than once (where gradients add), when the picture marks the gate patterns."""
    return frozenset(node for node, count in uses(root).items() if count > 1) if gates else frozenset()


FOLD_ABOVE = 80


def groups_in(order: list) -> list[tuple]:
    """Every group (and every enclosing group) that the graph's nodes were made in, in order of appearance."""
    seen: dict = {}
    for node in order:
        path = group_of(node)
        for depth in range(1, len(path) + 1):
            seen.setdefault(path[:depth], None)
    return list(seen)


def default_folding(order: list) -> frozenset:
    """What a big graph starts with folded (nothing for a graph of at most ``FOLD_ABOVE`` nodes)."""
    if len(order) <= FOLD_ABOVE:
        return frozenset()
    paths = groups_in(order)
    if not paths:
        return frozenset()
    depths = sorted({len(p) for p in paths}, reverse=True)
    for depth in depths:
        folded = frozenset(p for p in paths if len(p) == depth)
        if _count_boxes(order, folded) <= FOLD_ABOVE:
            return folded
    return frozenset(p for p in paths if len(p) == depths[-1])


def _owner_path(node: Any, folded: frozenset) -> tuple | None:
    path = group_of(node)
    for depth in range(1, len(path) + 1):
        if path[:depth] in folded:
            return path[:depth]
    return None


def _count_boxes(order: list, folded: frozenset) -> int:
    return len({_owner_path(n, folded) or n for n in order})


def _folded_plan(root, order, index, folded, show_grad, show_local) -> Plan:
    """A plan where each folded group is one box, drawn at the place of its last member."""
    members: dict = {}
    for node in order:
        path = _owner_path(node, folded)
        if path is not None:
            members.setdefault(path, []).append(node)
    owner, boxes = {}, {}
    for path, nodes in members.items():
        inside = set(nodes)
        used_outside = {p for n in order if n not in inside for p in n.parents if p in inside}
        outputs = tuple(n for n in nodes if n in used_outside or n is root) or (nodes[-1],)
        inputs = tuple(dict.fromkeys(p for n in nodes for p in n.parents if p not in inside))
        representative = nodes[-1]
        boxes[representative] = Box(path, tuple(nodes), outputs, inputs)
        for n in nodes:
            owner[n] = representative
    shown = [n for n in order if n not in owner or n in boxes]
    picture = Plan(root, order, shown, [], show_grad, show_local, None, index)
    picture.folded, picture.boxes, picture.owner = folded, boxes, owner
    return picture


def _nonzero(grad: Any) -> bool:
    if type(grad) is float:  # the common case, checked quickly
        return grad != 0.0
    if not ndim(grad):
        return bool(grad != 0)
    import numpy  # a tensor's gradient: numpy is loaded already

    return bool(numpy.any(grad != 0))


def _nearest(root: Any, keep: int) -> set:
    """The ``keep`` nodes closest to ``root`` (breadth first over parents, in order)."""
    seen = {root}
    queue = [root]
    for node in queue:  # the list grows while we walk it: a breadth-first queue
        for parent in node.parents:
            if len(seen) >= keep:
                return seen
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return seen


# ---- the text of one cell -------------------------------------------------------


def is_array(x: Any) -> bool:
    """True for numpy arrays with at least one axis (a tensor's data), False for numbers."""
    return ndim(x) > 0


def value_text(x: Any, entries: int = 3) -> str:
    """A compact text for a number or an array: ``25``, ``0.1966``, ``3×2 [0.1, 0.5, 1, …]``.

    >>> value_text(25.0), value_text(0.19661193324148185)
    ('25', '0.1966')
    >>> import numpy
    >>> value_text(numpy.array([[0.1, 0.5], [1.0, 2.0], [3.0, 4.0]]))
    '3×2 [0.1, 0.5, 1, …]'
    """
    if getattr(x, "not_kept", False):  # a PyTorch node's value that PyTorch did not keep: its shape only
        return " ".join(filter(None, ["×".join(str(n) for n in x.shape), "(not kept)"]))
    if type(x) is float or not is_array(x):
        return format_number(float(x))
    import numpy

    flat = numpy.ravel(x)
    shown = ", ".join(format_number(float(v)) for v in flat[:entries])
    more = ", …" if flat.size > entries else ""
    return "×".join(str(n) for n in numpy.shape(x)) + f" [{shown}{more}]"


def summary_text(x: Any, room: float) -> str:
    """``value_text`` for a one-line cell ``room`` points wide: as many of the first entries as fit (at least
    one), so that a folded box's array is drawn at the normal text size, not squeezed.

    >>> import numpy
    >>> x = numpy.array([[0.02772, -0.06243, -0.04786], [1.0, 2.0, 3.0]])
    >>> summary_text(x, 200), summary_text(x, 114)
    ('2×3 [0.02772, -0.06243, -0.04786, …]', '2×3 [0.02772, …]')
    """
    if not is_array(x) or getattr(x, "not_kept", False):
        return value_text(x)
    for entries in (3, 2):
        text = value_text(x, entries)
        if text_width(text) <= room:
            return text
    return value_text(x, 1)


def grid_shape(shape: tuple) -> tuple[int, int]:
    """An array's rows and columns as a grid: a vector is one row, higher axes stack into rows.

    >>> grid_shape(()), grid_shape((3,)), grid_shape((3, 2)), grid_shape((2, 3, 4))
    ((1, 1), (1, 3), (3, 2), (6, 4))
    """
    if not shape:
        return 1, 1
    rows = 1
    for n in shape[:-1]:
        rows *= n
    return rows, shape[-1]


def window(shape: tuple, windowed: bool = False) -> tuple[int, int]:
    """How many rows and columns of an array's grid a box draws: all of a small one, ``WINDOW`` of a larger one.

    ``windowed`` (a picture too tall for its cell, ``GraphView.fit``): a small array's first ``WINDOW[0]`` rows.

    >>> window((2, 3)), window((16,)), window((16, 2)), window((5, 5)), window((4, 3), windowed=True)
    ((2, 3), (1, 3), (2, 2), (2, 3), (2, 3))
    """
    rows, cols = grid_shape(shape)
    if rows <= SMALL_ARRAY and cols <= SMALL_ARRAY:
        return (min(rows, WINDOW[0]) if windowed else rows), cols
    return min(rows, WINDOW[0]), min(cols, WINDOW[1])


def windowable(picture: Plan) -> bool:
    """Whether some array the picture draws has more rows than ``window(..., windowed=True)`` would draw."""
    if picture.windowed:
        return False
    for node in picture.shown:
        shape = tuple(getattr(getattr(node, "data", None), "shape", ()))
        if len(shape) >= 1 and window(shape)[0] > window(shape, windowed=True)[0]:
            return True
    return False


def entry_text(x: Any) -> str:
    """One entry of an array, as its cell shows it: ``0.197``, ``-3``, ``1.23e-05``."""
    return format_number(float(x), ENTRY_DIGITS)


def entry_indices(shape: tuple, windowed: bool = False) -> list[int]:
    """The entries (positions in the flattened array) that a box's grid shows, row by row."""
    cols = grid_shape(shape)[1]
    shown_rows, shown_cols = window(shape, windowed)
    return [r * cols + c for r in range(shown_rows) for c in range(shown_cols)]


def entry_width(arrays: list) -> float:
    """The width of an array's entry cells: room for its widest entry now (within bounds), never clipped."""
    import numpy

    widest = max(
        (text_width(entry_text(v)) for x in arrays if is_array(x) for v in numpy.ravel(x)[:64]),
        default=0.0,
    )
    room = min(max(widest, ENTRY_CELL[0] - 2 * CELL_PADDING), text_width(WIDEST_ENTRY))
    return float(math.ceil(room + 2 * CELL_PADDING))


_OWN_GRAD: Any = object()  # details_text's default: the node's own gradient


def details_text(node: Any, grad: Any = _OWN_GRAD) -> str:
    """A tensor's whole array (and its gradient), as its box's tooltip says it.

    >>> from backprop_widgets import Tensor
    >>> print(details_text(Tensor([[1.0, 2.0], [3.0, 4.5]], label="W")))
    W (2×2)
    data [[1, 2],
          [3, 4.5]]
    grad [[0, 0],
          [0, 0]]
    """
    import numpy

    if grad is _OWN_GRAD:
        grad = node.grad

    def whole(name: str, x: Any) -> str:
        if x is None:
            return f"{name} ?"
        text = numpy.array2string(
            numpy.asarray(x, dtype=float),
            separator=", ",
            threshold=400,
            prefix=f"{name} ",
            formatter={"float_kind": lambda v: format_number(float(v))},
        )
        return f"{name} {text}"

    shape = "×".join(str(n) for n in numpy.shape(node.data))
    lines = [f"{node.label or op_title(node) or 'array'} ({shape})", whole("data", node.data)]
    if not (node.constant and not node.parents):
        lines.append(whole("grad", grad))
    return "\n".join(lines)


def op_title(node: Any) -> str:
    """The symbol of a node's operation, e.g. ``×`` or ``^2``.

    >>> from backprop_widgets import Value
    >>> op_title(Value(3.0) ** 2)
    '^2'
    """
    rule = getattr(node, "ops", {}).get(node.op)
    return rule.title(node.params) if rule is not None else str(node.op)


def local_texts(node: Any) -> list[str]:
    """The local gradient of each of a node's inputs, as text (``?`` if it cannot be computed)."""
    try:
        grads = node.local_grads()
    except Exception:  # a picture must not fail because one rule cannot be evaluated here
        return ["?"] * len(node.parents)
    return [local_text(grad) for grad in grads]


def local_text(grad: Any) -> str:
    """One local gradient (a ``LocalGrad``) as text: its number, or its array of slopes, or,
    for a Jacobian that is never formed, how its product is made (``upstream @ bᵀ``)."""
    if grad.factor is None:
        return str(grad.rule)
    try:
        return value_text(grad.factor)
    except (TypeError, ValueError):
        return "…"


# ---- DOT ------------------------------------------------------------------------


def kind_of(node: Any) -> str:
    """``variable``, ``constant`` or ``result``: which colours a value box gets."""
    if node.parents:
        return "result"
    return "constant" if node.constant else "variable"


def to_dot(
    root: Any,
    *,
    show_grad: bool | None = None,
    show_local: bool = False,
    limit: int = LIMIT,
    keep: int = KEEP,
) -> str:
    """The DOT text of a picture of the graph that ends in ``root``.

    >>> from backprop_widgets import Value
    >>> x = Value(2.0, label="x")
    >>> print(to_dot(x * x, show_grad=False))  # doctest: +ELLIPSIS
    digraph backprop {
    ...
        n0 [label=<...<B>x</B>...2...> class="value variable" id=n0]
    ...
        n0 -> "n1-op" [id="e1-0"]
        n0 -> "n1-op" [id="e1-1"]
    }
    """
    picture = plan(root, show_grad=show_grad, show_local=show_local, limit=limit, keep=keep)
    return build(picture, texts_now(picture)).graph.source


def texts_now(picture: Plan) -> Callable[[Slot], str]:
    """A function giving each number cell its current text."""
    locals_of: dict[int, list[str]] = {}

    def text(slot: Slot) -> str:
        return html.escape(slot_text(slot, picture.order, None, locals_of))

    return text


def slot_text(slot: Slot, order: list, grads: Any, locals_of: dict) -> str:
    """The text of one number cell: a node's value or gradient (or one entry of it), or a local gradient.

    ``grads`` maps nodes to the gradients to show instead of ``node.grad`` (None:
    ``node.grad``; a node it leaves out shows ``?``); ``locals_of`` caches each
    node's local-gradient texts.  The widget and the static copy both call this.
    """
    node = order[slot.node]
    if slot.kind == "local":
        if slot.node not in locals_of:
            locals_of[slot.node] = local_texts(node)
        return locals_of[slot.node][slot.index]
    if slot.kind == "data":
        x = node.data
    else:
        x = node.grad if grads is None else grads.get(node)
        if x is None:
            return "?"
    if slot.entry >= 0:
        return _entry_of(x, numpy_size(node.data), slot.entry)
    return summary_text(x, slot.width - 2 * slot.inset) if slot.array else value_text(x)


def numpy_size(x: Any) -> int:
    """How many numbers an array (or a plain number) holds."""
    import numpy

    return int(numpy.size(x))


def _entry_of(x: Any, entries: int, entry: int) -> str:
    """The text of one entry's cell when the box shows ``x`` (an array of the node's shape, or one number for
    all its entries: a tangent of 0).  A forward-mode tangent with respect to a whole tensor holds, for each
    entry, one derivative per entry of that tensor: too many for a cell, so it reads ``⋯`` (hover for all)."""
    import numpy

    if getattr(x, "not_kept", False):  # a PyTorch node's value that PyTorch did not keep: no number to show
        return NOT_KEPT_ENTRY
    flat = numpy.ravel(x)
    if flat.size == 1:
        return entry_text(flat[0])
    if flat.size == entries:
        return entry_text(flat[entry])
    per_entry = flat.reshape(entries, -1)[entry]
    return entry_text(per_entry[0]) if per_entry.size == 1 else "⋯"


def build(picture: Plan, text: Callable[[Slot], str]) -> Drawing:
    """Build the DOT graph of ``picture``; ``text(slot)`` fills each number cell.

    Returns it with which number cells each SVG group holds, and which group
    each box and frame draws (see ``Drawing``); ``picture`` is left as it was.
    """
    edge_colour = PALETTE["edge"][0]
    dot = graphviz.Digraph(
        "backprop",
        graph_attr={
            "rankdir": "LR",
            "nodesep": "0.12",
            "ranksep": "0.3",
            "bgcolor": "white",
            "fontname": FONT,
            "fontsize": str(FONT_SIZE),
            "labelloc": "t",
            "label": picture.message or "",
        },
        node_attr={"shape": "plain", "fontname": FONT, "fontsize": str(FONT_SIZE)},
        edge_attr={
            "color": edge_colour,
            "arrowsize": "0.6",
            "fontname": FONT,
            "fontsize": str(SMALL_FONT_SIZE),
        },
    )
    if not picture.message:
        del dot.graph_attr["label"], dot.graph_attr["labelloc"]
    if len(picture.shown) > MEDIUM:
        dot.graph_attr.update(QUICK_LAYOUT)
    slots: dict[str, list[Slot]] = {}
    clusters: dict[str, tuple] = {}
    details: dict[str, int] = {}
    for node in picture.hidden:
        j = picture.id_of(node)
        border, _ = PALETTE["more"]
        name = html.escape(str(node.label or (op_title(node) if node.op else "")))
        dot.node(
            box_id(j),
            label=f"<{_table(border, '#ffffff', f'<TD>… {name}</TD>', dashed=True)}>",
            id=box_id(j),
            **{"class": "more"},
        )
    # Nodes go into the frame of the (unfolded) group they were made in; edges can go anywhere.
    placed: dict = {}  # group path -> functions that add a node to a graph
    rows: dict = {}  # group path -> {inputs: folded boxes reading exactly those}: drawn in order, side by side
    framed: set = set()  # groups with nodes of their own drawn (a group of folded boxes only gets no frame)
    first: dict = {}  # the graph's inputs that folded boxes read: kept on the left when a box unfolds
    edges = []
    for node in picture.shown:
        k = picture.id_of(node)
        box = picture.boxes.get(node)
        if box is not None:
            placed.setdefault(box.group[:-1], []).append(
                lambda target, k=k, box=box: _add_folded_box(target, picture, box, k, text, slots)
            )
            clusters[box_id(k)] = box.group
            seen: dict = {}
            for j, parent in enumerate(box.inputs):
                source = _display_id(picture, parent)
                if not parent.parents and not group_of(parent):
                    first[source] = None
                if source not in seen:
                    seen[source] = None
                    edges.append((source, box_id(k), {"id": folded_edge_id(k, j)}))
            rows.setdefault(box.group[:-1], {}).setdefault(tuple(seen), []).append(box_id(k))
            continue
        placed.setdefault(group_of(node), []).append(
            lambda target, node=node, k=k: _add_node(target, picture, node, k, text, slots, details)
        )
        framed.add(group_of(node))
        if node.parents:
            edges.append((op_id(k), box_id(k), {"id": out_id(k)}))
            # Tensor ops' local gradients are arrays or rules ("upstream @ Bᵀ"): wider cells.
            tensor = is_array(node.data) or any(is_array(p.data) for p in node.parents)
            local_width = ARRAY_CELL[0] if tensor else LOCAL_CELL[0]
            for i, parent in enumerate(node.parents):
                attrs = {"id": edge_id(k, i)}
                if picture.show_local:
                    slot = Slot("local", k, i, width=local_width, inset=0)
                    slots[edge_id(k, i)] = [slot]
                    attrs["label"] = "<" + _local_label(text(slot), local_width) + ">"
                edges.append((_display_id(picture, parent), op_id(k), attrs))
    _emit(dot, (), placed, _children(placed), clusters, rows, framed)
    if first:
        with dot.subgraph() as inputs:
            inputs.attr(rank="min")
            for name in first:
                inputs.node(name)
    for tail, head, attrs in edges:
        dot.edge(tail, head, **attrs)
    return Drawing(dot, slots, clusters, details)


def _display_id(picture: Plan, node: Any) -> str:
    """The SVG id of what shows ``node``: its own box, or the box of the folded group it is in."""
    return box_id(picture.id_of(picture.owner.get(node, node)))


def _children(placed: dict) -> dict:
    """Each group path -> the groups directly inside it that hold something to draw."""
    children: dict = {}
    for path in placed:
        for depth in range(1, len(path) + 1):
            children.setdefault(path[: depth - 1], {}).setdefault(path[:depth], None)
    return children


def _emit(target, path: tuple, placed: dict, children: dict, clusters: dict, rows: dict, framed: set) -> None:
    """Add the nodes of group ``path``, then a dashed frame for each group inside it (an unfolded group).

    Each frame's SVG id (``c0``, ``c1``, ...) goes into ``clusters`` with its group.  Folded boxes that
    read the same inputs (a layer's neurons) go in one rank, in their order; a group that holds only
    folded boxes gets no frame of its own, since Graphviz does not keep that order inside a frame.
    """
    for add in placed.get(path, []):
        add(target)
    for row in rows.get(path, {}).values():
        if len(row) > 1:
            with target.subgraph() as same:
                same.attr(rank="same")
                for before, after in zip(row, row[1:], strict=False):
                    same.edge(before, after, style="invis")
    for child in children.get(path, {}):
        if child not in framed:
            _emit(target, child, placed, children, clusters, rows, framed)
            continue
        number = len([key for key in clusters if key.startswith("c")])
        clusters[frame_id(number)] = child
        with target.subgraph(name=f"cluster_{number}") as frame:
            frame.attr(
                label=f"▾ {child[-1]}",
                id=frame_id(number),
                style="rounded,dashed",
                color=PALETTE["more"][0],
                fontcolor=CAPTION,
                fontname=FONT,
                fontsize=str(SMALL_FONT_SIZE),
                labeljust="l",
                **{"class": "group"},
            )
            _emit(frame, child, placed, children, clusters, rows, framed)


def _gate_marks(picture: Plan, node: Any) -> dict:
    """With ``gates``: the op circle's outside label, the pattern its backward (or forward) step makes (engine.gates)."""
    if not picture.gates:
        return {}
    return _gate_label(gate_pattern(node.op, forward=picture.gates == "forward"))


def _gate_label(word: str) -> dict:
    """A gate's word as an outside label, in small grey letters."""
    return {"xlabel": f'<<FONT POINT-SIZE="{SMALL_FONT_SIZE}" COLOR="{CAPTION}">{word}</FONT>>'}


def _add_node(target, picture: Plan, node: Any, k: int, text, slots: dict, details: dict) -> None:
    """A node's value box and, for a computed node, its op circle; the box's number cells go into ``slots``."""
    if is_array(node.data):
        _add_array_box(target, picture, node, k, text, slots)
        details[box_id(k)] = k
    else:
        _add_value_box(target, picture, node, k, text, slots)
    if node in picture.fan_outs:  # used more than once: its gradients add (going forward, its tangent is copied)
        # beside its box (an outside label, as an op's word): a node of its own took a column of the picture
        target.node(box_id(k), **_gate_label("fan-out: copies" if picture.gates == "forward" else "fan-out: adds"))
    if node.parents:
        border, fill = PALETTE["op"]
        target.node(
            op_id(k),
            label=f"<{html.escape(op_title(node))}>",
            width="0.3",
            **({"shape": "circle"} if len(op_title(node)) <= ROUND_OP else {"shape": "ellipse", "height": "0.3"}),
            margin="0.02",
            style="filled",
            color=border,
            fillcolor=fill,
            id=op_id(k),
            **{"class": "op"},
            **_gate_marks(picture, node),
        )


def _caption(picture: Plan, slot: Slot) -> str:
    """A number cell's caption: its kind, or for the gradient row the name the plan gives it (``∂·/∂b``)."""
    return html.escape(picture.grad_caption) if slot.kind == "grad" else slot.kind


def _caption_cells(picture: Plan, slot: Slot) -> str:
    """The caption in small grey letters, then ``CAPTION_GAP`` points of empty cell before its number.

    Without the gap a caption ended about 4.7 points before a number as wide as its cell, and at a
    picture's usual zoom read as one word with it ("grad-0.05188").  The gap is kept small: every box
    with captions is wider by it, and the folded 2-16-16-1 network must still open whole at 1366 × 768.
    """
    caption = f'<FONT POINT-SIZE="{SMALL_FONT_SIZE}" COLOR="{CAPTION}">{_caption(picture, slot)}</FONT>'
    return f"<TD>{caption}</TD>{_GAP}"


def _add_folded_box(target, picture: Plan, box: Box, k: int, text, slots: dict) -> None:
    """A folded group as one box: its name, and one row (value, gradient) per output (cells into ``slots``).

    A group with one output (a neuron) is one line: its name, then its output's numbers.
    """
    border, fill = PALETTE["result"]
    title = f"<B>{html.escape(f'▸ {box.group[-1]}')}</B>"
    rows, box_slots = [], []
    for output in box.outputs:
        j = picture.id_of(output)
        array = is_array(output.data)
        width, height = ARRAY_CELL if array else SCALAR_CELL
        own = [Slot("data", j, width=width, array=array)]
        if picture.show_grad:
            own.append(Slot("grad", j, width=width, array=array))
        # (a gap after the name too: lit, it is drawn bold, wider than Graphviz measured it, and ran into "data")
        cells = [f"<TD>{html.escape(str(output.label or ''))}</TD>", _GAP]
        for slot in own:
            size = f'FIXEDSIZE="TRUE" WIDTH="{slot.width}" HEIGHT="{height}"'
            cells += [_caption_cells(picture, slot), f'<TD {size} ALIGN="LEFT">{text(slot)}</TD>']
        rows.append(cells)
        box_slots += own
    if len(rows) == 1:  # one output (a neuron): name and numbers on one line, so that a column of them is short
        rows[0][:0] = [f'<TD ALIGN="LEFT" CELLPADDING="4">{title}</TD>', "<VR/>"]
    else:
        title += f"  ({len(box.members)} nodes)"
        rows.insert(0, [f'<TD COLSPAN="{len(rows[0])}" ALIGN="LEFT">{title}</TD>'])
    slots[box_id(k)] = box_slots
    table = (
        f'<TABLE BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="{CELL_PADDING}" COLOR="{border}" '
        f'BGCOLOR="{fill}">{"".join("<TR>" + "".join(row) + "</TR>" for row in rows)}</TABLE>'
    )
    target.node(box_id(k), label=f"<{table}>", id=box_id(k), **{"class": "value folded"})


def _add_value_box(dot: graphviz.Digraph, picture: Plan, node: Any, k: int, text, slots: dict) -> None:
    kind = kind_of(node)
    border, fill = PALETTE[kind]
    array = is_array(node.data)
    width, height = ARRAY_CELL if array else SCALAR_CELL
    cells = []
    if node.label is not None:
        cells.append(f'<TD HEIGHT="{height}"><B>{html.escape(str(node.label))}</B></TD>')
    own = [Slot("data", k, width=width, array=array)]
    if picture.show_grad and kind != "constant":  # a constant is just its number
        own.append(Slot("grad", k, width=width, array=array))
    for slot in own:
        if cells:
            cells.append("<VR/>")
        if kind != "constant":
            cells.append(_caption_cells(picture, slot))
        size = f'FIXEDSIZE="TRUE" WIDTH="{slot.width}" HEIGHT="{height}"'
        cells.append(f'<TD {size} ALIGN="LEFT">{text(slot)}</TD>')
    slots[box_id(k)] = own
    table = _table(border, fill, "".join(cells), dashed=kind == "constant")
    dot.node(box_id(k), label=f"<{table}>", id=box_id(k), **{"class": f"value {kind}"})


def _add_array_box(dot: graphviz.Digraph, picture: Plan, node: Any, k: int, text, slots: dict) -> None:
    """A tensor's box: its name and shape, then its value (and gradient) as grids of entries, one cell each.

    Every entry is drawn at the normal text size in a cell wide enough for it;
    an array larger than ``SMALL_ARRAY`` shows its first rows and columns, with
    ``…`` and ``⋮`` where the rest would be.
    """
    kind = kind_of(node)
    border, fill = PALETTE[kind]
    shape = tuple(getattr(node.data, "shape", ()))
    rows, cols = grid_shape(shape)
    shown_rows, shown_cols = window(shape, picture.windowed)
    entries = entry_indices(shape, picture.windowed)
    kinds = ["data"] + (["grad"] if picture.show_grad and kind != "constant" else [])
    width = entry_width([node.data] + ([node.grad] if "grad" in kinds else []))
    height = ENTRY_CELL[1]
    caption = f'<FONT POINT-SIZE="{SMALL_FONT_SIZE}" COLOR="{CAPTION}">'
    shape_text = "×".join(str(n) for n in shape) + (
        " (value not kept)" if getattr(node.data, "not_kept", False) else ""
    )
    # The name in bold, in a cell of its own wide enough for bold letters (Graphviz measures them as regular
    # ones, so a long bold name ran into its shape), then the shape in small grey letters.
    name = (
        f'<TD ALIGN="LEFT" WIDTH="{math.ceil(BOLD * text_width(str(node.label)) + text_width(" "))}">'
        f"<B>{html.escape(str(node.label))}</B></TD>"
        if node.label is not None
        else ""
    )
    table_rows = [
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>{name}'
        f'<TD ALIGN="LEFT">{caption}{shape_text}</FONT></TD></TR></TABLE></TD></TR>'
    ]
    own = []
    for slot_kind in kinds:
        cells = [Slot(slot_kind, k, width=width, array=True, entry=e) for e in entries]
        own += cells
        grid = []
        for r in range(shown_rows):
            row = cells[r * shown_cols : (r + 1) * shown_cols]
            tds = "".join(
                f'<TD FIXEDSIZE="TRUE" WIDTH="{width:g}" HEIGHT="{height}" ALIGN="LEFT">{text(slot)}</TD>'
                for slot in row
            )
            if cols > shown_cols:
                tds += f"<TD>{caption}…</FONT></TD>"
            grid.append(f"<TR>{tds or f'<TD>{caption}empty</FONT></TD>'}</TR>")
        if rows > shown_rows:
            grid.append(f'<TR><TD COLSPAN="{shown_cols + (cols > shown_cols)}">{caption}⋮</FONT></TD></TR>')
        label = f"<TD>{caption}{slot_kind}</FONT></TD>" if kind != "constant" else "<TD></TD>"
        table_rows.append(
            f'<TR>{label}<TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
            f"{''.join(grid)}</TABLE></TD></TR>"
        )
    slots[box_id(k)] = own
    style = ' STYLE="dashed"' if kind == "constant" else ""
    table = (
        f'<TABLE BORDER="1"{style} CELLBORDER="0" CELLSPACING="0" CELLPADDING="{CELL_PADDING}" '
        f'COLOR="{border}" BGCOLOR="{fill}">{"".join(table_rows)}</TABLE>'
    )
    dot.node(box_id(k), label=f"<{table}>", id=box_id(k), **{"class": f"value {kind} array"})


def _table(border: str, fill: str, cells: str, dashed: bool = False) -> str:
    style = ' STYLE="dashed"' if dashed else ""
    return (
        f'<TABLE BORDER="1"{style} CELLBORDER="0" CELLSPACING="0" CELLPADDING="{CELL_PADDING}" '
        f'COLOR="{border}" BGCOLOR="{fill}"><TR>{cells}</TR></TABLE>'
    )


def _local_label(text: str, width: float) -> str:
    height = LOCAL_CELL[1]
    return (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
        f'<TD><FONT POINT-SIZE="{SMALL_FONT_SIZE}" COLOR="{CAPTION}">local </FONT></TD>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{width}" HEIGHT="{height}" ALIGN="LEFT">{text}</TD>'
        "</TR></TABLE>"
    )
