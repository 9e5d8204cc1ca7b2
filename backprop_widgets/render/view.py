"""A static SVG copy of a picture, laid out by Graphviz in Python: ``SvgPicture``.

The live picture is the ``GraphView`` widget, laid out in the browser; this is
its copy for places where no widget runs (GitHub's notebook view, nbviewer,
HTML exports) and for pictures in the docs.  It needs pygraphviz or a ``dot``
program.  A graph of more than ``MEDIUM`` nodes is laid out in a subprocess,
so that a crash of Graphviz costs a picture, never the kernel.

The layout is computed once per graph structure, from DOT text whose number
cells hold a placeholder (the cells have a fixed size, so their text never
moves anything).  The SVG that Graphviz returns is cut into a template: static
text, and slots for each number, each colour that a highlight changes and each
group's class.  ``update()`` and ``highlight()`` refill slots and join the
pieces; node positions are identical before and after.
"""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .dot import (
    FONT,
    KEEP,
    LIMIT,
    MEDIUM,
    NOT_KEPT_ENTRY,
    PALETTE,
    Slot,
    build,
    entry_text,
    local_text,
    summary_text,
    texts_now,
    value_text,
)
from .layout import RenderError, render_svg
from .model import PictureModel
from .protocol import FONT_SIZE, PLACEHOLDER, WIDE, text_width

__all__ = ["SvgPicture", "marked_svg"]

CURRENT_COLOUR = PALETTE["current"][0]
CURRENT_WIDTH = "2.5"

# What the template drops from Graphviz's SVG: tooltips naming internal ids,
# comments, and attributes that every text repeats (the font moves to <svg>).
_TITLE = re.compile(r"<title>[^<]*</title>\n")
_COMMENT = re.compile(r"<!--.*?-->\n", re.S)
_REPEATED = (' xml:space="preserve"', f' font-family="{FONT}"', f' font-size="{FONT_SIZE}.00"')

# SVG groups of nodes and edges as Graphviz writes them (they never nest here).
_GROUP = re.compile(r'<g id="([^"]*)" class="([^"]*)">\n(.*?)</g>\n', re.S)
_STROKE = re.compile(r'(?:fill="(#[0-9a-f]{6})" )?stroke="(#[0-9a-f]{6})"')
_SLOT_TEXT = re.compile(
    r'(<text [^>]*?)text-anchor="start" x="(-?[0-9.]+)"([^>]*)>' + re.escape(PLACEHOLDER) + "</text>"
)


def _number(x: float) -> str:
    """``format_number(x)`` for a float, inlined: ``update()`` calls it for every cell."""
    text = f"{x:.4g}"
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class _Template:
    """The SVG of one laid-out structure, cut into pieces (shared by all views of it)."""

    pieces: tuple  # static SVG text, with '' where a slot goes
    texts: tuple  # (piece index, Slot) for every number cell
    styles: dict  # group id -> tuple of (piece index, normal text, highlighted text)
    titles: tuple  # (piece index, group id) for every tensor box's tooltip


_TEMPLATES: OrderedDict[str, _Template] = OrderedDict()
_TEMPLATE_CACHE_SIZE = 16


def _template(picture: PictureModel) -> _Template:
    """Lay out ``picture`` (or reuse the layout of an identical structure) and cut its SVG."""
    key = picture.dot
    template = _TEMPLATES.get(key)
    if template is None:
        svg = render_svg(key, isolate=len(picture.plan.shown) > MEDIUM)
        template = _cut(svg, picture.drawing.slots, set(picture.drawing.details))
        _TEMPLATES[key] = template
        while len(_TEMPLATES) > _TEMPLATE_CACHE_SIZE:
            _TEMPLATES.popitem(last=False)
    else:
        _TEMPLATES.move_to_end(key)
    return template


def _cut(svg: str, slots: dict, titled: set | None = None) -> _Template:
    """Cut Graphviz's SVG into static pieces and slots (see ``_Template``)."""
    svg = svg[svg.index("<svg") :]  # an XML prolog has no place inside HTML
    svg = _COMMENT.sub("", _TITLE.sub("", svg))
    for attribute in _REPEATED:
        svg = svg.replace(attribute, "")
    root_attributes = f'class="backprop-graph" font-family="{FONT}" font-size="{FONT_SIZE}"'
    svg = svg.replace("<svg ", f"<svg {root_attributes} ", 1)
    cutter = _Cutter()
    texts: list[tuple[int, Slot]] = []
    styles: dict[str, tuple] = {}
    titles: list[tuple[int, str]] = []
    at = 0
    for group in _GROUP.finditer(svg):
        gid, css, body = html.unescape(group[1]), group[2], group[3]
        cutter.add(svg[at : group.start()] + f'<g id="{gid}" class="')
        group_styles = [(cutter.slot(css), css, css + " current")]
        cutter.add('">\n')
        if titled and gid in titled:  # a tensor's box: its whole array as a tooltip
            titles.append((cutter.slot(), gid))
        # The number cells are the group's last texts, the ones holding the placeholder.
        wanted = slots.get(gid, [])
        found = list(_SLOT_TEXT.finditer(body))[::-1][: len(wanted)][::-1]
        if len(found) < len(wanted):
            raise RenderError(f"the SVG of {gid} has {len(found)} number cells, not {len(wanted)}")
        marks = [(m, slot) for m, slot in zip(found, wanted, strict=True)]
        marks += [(m, None) for m in _STROKE.finditer(body)]
        marks.sort(key=lambda mark: mark[0].start())
        inside = 0
        for match, slot in marks:
            cutter.add(body[inside : match.start()])
            if slot is not None:  # a number: centred in its cell, text in a slot
                centre = float(match[2]) - slot.inset + slot.width / 2
                cutter.add(f'{match[1]}text-anchor="middle" x="{centre:.2f}"{match[3]}')
                texts.append((cutter.slot(), slot))
                cutter.add("</text>")
            else:  # a line colour that the highlight changes
                fill, stroke = match[1], match[2]
                current = f'stroke="{CURRENT_COLOUR}" stroke-width="{CURRENT_WIDTH}"'
                if fill is not None:
                    current = f'fill="{CURRENT_COLOUR if fill == stroke else fill}" {current}'
                group_styles.append((cutter.slot(match[0]), match[0], current))
            inside = match.end()
        cutter.add(body[inside:] + "</g>\n")
        styles[gid] = tuple(group_styles)
        at = group.end()
    cutter.add(svg[at:])
    return _Template(cutter.done(), tuple(texts), styles, tuple(titles))


class _Cutter:
    """Collects a template: static text (merged into as few pieces as possible) and slots."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self._static: list[str] = []

    def add(self, text: str) -> None:
        self._static.append(text)

    def slot(self, text: str = "") -> int:
        """Start a slot holding ``text``; returns its index in the pieces."""
        self.pieces.append("".join(self._static))
        self._static = []
        self.pieces.append(text)
        return len(self.pieces) - 1

    def done(self) -> tuple:
        self.pieces.append("".join(self._static))
        return tuple(self.pieces)


_FITTED: dict[tuple[str, float], str] = {}


def _fit(text: str, room: float) -> str:
    """The rest of a ``<text`` tag and its text, squeezed if it is wider than ``room``."""
    if len(text) * WIDE * FONT_SIZE <= room:  # short texts always fit
        return ">" + text
    fitted = _FITTED.get((text, room))
    if fitted is None:
        if text_width(text) <= room:
            fitted = ">" + text
        else:
            fitted = f' textLength="{room:.2f}" lengthAdjust="spacingAndGlyphs">{text}'
        if len(_FITTED) > 50_000:  # a memo, not a leak
            _FITTED.clear()
        _FITTED[(text, room)] = fitted
    return fitted


class SvgPicture:
    """A static SVG of the graph that ends in ``root``, laid out once and patched after.

    After values or gradients change (a slider moved, ``backward()`` ran), call
    ``update()``; to mark the current step, ``highlight(node=..., edge=...)``.
    Neither runs the layout again, so every node stays where it was.  ``svg``
    is the current picture, ``source`` its DOT text.

    >>> from backprop_widgets import Value
    >>> from backprop_widgets.engine import evaluate
    >>> x = Value(1.0, label="x")
    >>> g = (4 * x + 1) ** 2
    >>> g.backward()
    >>> view = SvgPicture(g)               # doctest: +SKIP
    >>> '>40</text>' in view.svg           # x.grad   # doctest: +SKIP
    True

    (Skipped as doctests: they need pygraphviz; ``tests/render`` runs them where it is.)
    """

    def __init__(
        self,
        root: Any,
        *,
        show_grad: bool | None = True,
        show_local: bool = False,
        limit: int = LIMIT,
        keep: int = KEEP,
        folded=None,
        gates: bool | str = False,
        windowed: bool = False,
    ) -> None:
        self.root = root
        self._model = PictureModel(
            root,
            show_grad=show_grad,
            show_local=show_local,
            limit=limit,
            keep=keep,
            folded=folded,
            gates=gates,
            windowed=windowed,
        )
        self._plan = self._model.plan
        template = _template(self._model)
        self._pieces = list(template.pieces)
        self._styles = template.styles
        self._titles = template.titles
        order = self._plan.order
        self._numbers = []  # (piece index, node, attribute name, room, is an array, entry or -1)
        locals_of: dict[int, list] = {}  # node id -> [(piece index, input index, room)]
        for index, slot in template.texts:
            room = slot.width - 2 * slot.inset
            if slot.kind == "local":
                locals_of.setdefault(slot.node, []).append((index, slot.index, room))
            else:
                self._numbers.append((index, order[slot.node], slot.kind, room, slot.array, slot.entry))
        self._locals = [(order[k], cells) for k, cells in locals_of.items()]
        self._last: list = [None] * len(self._numbers)
        self._lit: list[str] = []
        self._svg: str | None = None
        self.update()

    # ---- what the widgets call ---------------------------------------------

    def update(self, grads: Mapping | None = None) -> SvgPicture:
        """Show the nodes' current values and gradients (no new layout).

        ``grads`` maps nodes to the gradients to show instead of ``node.grad``
        (say, the ones a backward walk has found so far, or forward-mode
        derivatives); a node it leaves out, or maps to None, shows ``?``.
        """
        pieces = self._pieces
        last = self._last  # the float each cell shows, so unchanged numbers are not formatted again
        flat: dict = {}  # (node, kind) -> the array's entries, flattened once per update
        for n, (index, node, kind, room, array, entry) in enumerate(self._numbers):
            if kind == "data":
                x = node.data
            elif grads is None:
                x = node.grad
            else:
                x = grads.get(node)
                if x is None:
                    pieces[index], last[n] = ">?", None
                    continue
            if entry >= 0:
                if getattr(x, "not_kept", False):  # a value PyTorch did not keep: no number to show
                    pieces[index], last[n] = _fit(NOT_KEPT_ENTRY, room), None
                    continue
                if (node, kind) not in flat:
                    import numpy

                    flat[node, kind] = numpy.ravel(x)
                pieces[index], last[n] = _fit(entry_text(flat[node, kind][entry]), room), None
            elif array or type(x) is not float:
                pieces[index], last[n] = (
                    _fit(html.escape(summary_text(x, room) if array else value_text(x)), room),
                    None,
                )
            elif x != last[n]:
                pieces[index], last[n] = _fit(_number(x), room), x
        for node, cells in self._locals:
            try:
                local_grads = node.local_grads()
            except Exception:  # a picture must not fail because one rule cannot be evaluated
                local_grads = (None,) * len(node.parents)
            for index, i, room in cells:
                grad = local_grads[i]
                if type(grad) is float:
                    pieces[index] = _fit(_number(grad), room)
                else:
                    pieces[index] = _fit(html.escape(local_text(grad) if grad is not None else "?"), room)
        if self._titles:
            details = self._model.details(grads)
            for index, gid in self._titles:
                pieces[index] = f"<title>{html.escape(details[gid])}</title>\n"
        self._svg = None
        return self

    def highlight(self, node: Any = None, edge: Any = None, edges: list | None = None) -> SvgPicture:
        """Mark one node (both its pieces) and one edge (or several) as the current step; None clears.

        ``node`` is a node of the graph or its id (an int); ``edge`` is a backward
        ``Step`` or a pair ``(node, index of its input)``; ``edges`` a list of them.
        """
        for gid in self._lit:
            for index, normal, _ in self._styles[gid]:
                self._pieces[index] = normal
        lit = self._model.lit(node, ([edge] if edge is not None else []) + list(edges or []))
        self._lit = [gid for gid in lit if gid in self._styles]
        for gid in self._lit:
            for index, _, current in self._styles[gid]:
                self._pieces[index] = current
        self._svg = None
        return self

    def node_id(self, node: Any) -> int:
        """A node's id in this picture: its position in ``topological_order(root)``."""
        return self._model.node_id(node)

    # ---- what it shows -------------------------------------------------------

    @property
    def svg(self) -> str:
        """The current picture as SVG text."""
        if self._svg is None:
            self._svg = "".join(self._pieces)
        return self._svg

    @property
    def show_grad(self) -> bool:
        """Whether value boxes have a gradient cell."""
        return self._plan.show_grad

    @property
    def show_local(self) -> bool:
        """Whether edges carry their local gradients."""
        return self._plan.show_local

    @property
    def source(self) -> str:
        """The DOT text of the picture, with the current values."""
        return build(self._plan, texts_now(self._plan)).graph.source

    @property
    def message(self) -> str | None:
        """Why a big graph is shown only in part (None when every node is shown)."""
        return self._plan.message

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"image/svg+xml": self.svg, "text/plain": repr(self)}

    def __repr__(self) -> str:
        picture = self._plan
        if picture.message:
            return f"SvgPicture({len(picture.shown)} of {len(picture.order):,} nodes)"
        return f"SvgPicture({len(picture.order)} nodes)"


def marked_svg(model: PictureModel) -> tuple[str, list[float]]:
    """The laid-out SVG of ``model`` for a page that patches it itself, and each number cell's room.

    Every number cell is a ``<text data-cell="i">`` (``i``: its index in ``model.slots``, as in
    ``model.texts()``) holding its current text; no group is highlighted and no tooltip is kept.
    The rooms (points) are what a cell's text may fill before it is squeezed (see ``_fit``).
    """
    template = _template(model)
    index = {slot: i for i, (_, slot) in enumerate(model.slots)}
    texts = model.texts()
    pieces = list(template.pieces)
    for at, _, _ in (style for styles in template.styles.values() for style in styles):
        pieces[at] = template.pieces[at]  # the normal look (already so in the template)
    for at, _ in template.titles:
        pieces[at] = ""
    rooms = [0.0] * len(model.slots)
    for at, slot in template.texts:
        i = index[slot]
        rooms[i] = slot.width - 2 * slot.inset
        pieces[at] = f' data-cell="{i}"' + _fit(html.escape(texts[i]), rooms[i])
    return "".join(pieces), rooms
