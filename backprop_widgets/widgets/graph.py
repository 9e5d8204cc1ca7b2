"""``GraphView`` and ``draw``: the picture of a computation graph, laid out and painted in the browser.

Python sends the DOT text of the picture once per graph structure; the front
end (``static/frontend.js``, sent once per kernel and shared by every picture,
its WebAssembly Graphviz in a message so that no saved notebook carries it;
each picture's own module is ``static/graph.js``) lays it out once per
structure, in a Web Worker, so nodes never move.  After that only the texts of
the number cells that changed, which node and edge are current, and what the
screen reader should say cross the wire.  What a picture shows is
``render.model.PictureModel``; the ids, the placeholder, the width table and
the message types are ``render.protocol``'s, written into the front end's code.

The widget's state is readable from Python (``cells``, ``current``,
``texts(node)``), so tests need no browser.  Where a Graphviz is available to
Python (pygraphviz, or a ``dot`` program) the output also carries a static SVG
copy, for GitHub, nbviewer and HTML exports where no widget can run.
"""

from __future__ import annotations

import html
import json
import math
import re
import sys
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anywidget
import traitlets
from ipywidgets import widget_serialization

from ..engine import Step
from ..engine.foreign import as_graph, mirror_of
from ..render import KEEP, LIMIT, backend
from ..render.dot import build, groups_in, value_text
from ..render.layout import RenderError
from ..render.model import PictureModel
from ..render.protocol import API, MESSAGES, front_end_constants
from ..render.view import SvgPicture

__all__ = ["GraphView", "draw", "with_static_copy", "STATIC_LIMIT"]

STATIC = Path(__file__).resolve().parent.parent / "static"

# Static SVG copies are made for pictures of at most this many nodes (a bigger
# layout would keep the cell waiting seconds for a picture the browser draws anyway).
STATIC_LIMIT = 150
STATIC_HINT = "No static copy is saved with this picture: `pip install pygraphviz` adds one."


def _in_browser_kernel() -> bool:
    """Python running in the browser (Pyodide, as in JupyterLite): no pygraphviz can be had there, so no hint."""
    return sys.platform == "emscripten"


def _graphviz_bundle() -> str:
    """The WebAssembly Graphviz (an ES module of about 815 KB), read from the package's static files."""
    return (STATIC / "vendor" / "graphviz.js").read_text(encoding="utf-8")


_CONSTANTS = re.compile(r"/\*PROTOCOL\*/ \{.*?\};")


def _module(name: str, constants: dict) -> str:
    """A front-end module's code with the kernel's constants written in (see ``render.protocol``), and, where it
    says ``/*STEPS*/``, ``static/steps.js`` (how a recorded walk steps: the page player's and the widget's)."""
    code = (STATIC / name).read_text(encoding="utf-8")
    code, found = _CONSTANTS.subn(lambda _: f"/*PROTOCOL*/ {json.dumps(constants, ensure_ascii=False)};", code, 1)
    if not found:
        raise RuntimeError(f"static/{name} has no /*PROTOCOL*/ line for the kernel's constants")
    return code.replace("/*STEPS*/", (STATIC / "steps.js").read_text(encoding="utf-8"), 1)


class _FrontEnd(anywidget.AnyWidget):
    """The front end's code, sent once per kernel and shared by every picture.

    Its WebAssembly Graphviz travels in a message, never as a trait: so it is
    not saved with the notebook's widget state.  (As text in the message's
    JSON, as the trait did: every kernel, JupyterLite's too, carries that.)
    """

    _esm = _module("frontend.js", front_end_constants())

    def __init__(self) -> None:
        super().__init__()
        self.on_msg(self._on_message)
        self.send_graphviz()

    def send_graphviz(self) -> None:
        """Send the WebAssembly Graphviz to the page (once as the model opens, and to a page that asks)."""
        self.send({"type": MESSAGES["graphviz"], "code": _graphviz_bundle()})

    def _on_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("type") == MESSAGES["need_graphviz"]:
            self.send_graphviz()


_front_end: _FrontEnd | None = None


def front_end() -> _FrontEnd:
    """The one front-end model of this kernel (made, and sent, the first time a picture needs it)."""
    global _front_end
    if _front_end is None or _front_end.comm is None:
        _front_end = _FrontEnd()
    return _front_end


class GraphView(anywidget.AnyWidget):
    """The picture of the graph that ends in ``root``: value boxes with label, value and gradient.

    After values or gradients change (a slider moved, ``backward()`` ran), call
    ``update()``; to mark the current step, ``highlight(node=..., edge=...)``.
    Neither lays the graph out again, so every node stays where it was, and each
    sends only the cells that changed.

    >>> from backprop_widgets import Value
    >>> from backprop_widgets.engine import evaluate
    >>> x = Value(1.0, label="x")
    >>> g = (4 * x + 1) ** 2
    >>> g.backward()
    >>> view = GraphView(g)
    >>> view
    GraphView(6 nodes)
    >>> view.texts(x)
    {'data': '1', 'grad': '40'}
    >>> x.data = -1.0; _ = evaluate(g); g.backward()
    >>> view.update().texts(x)
    {'data': '-1', 'grad': '-24'}
    """

    _esm = _module("graph.js", {"api": API, "messages": {"patch": MESSAGES["patch"]}})

    front_end = traitlets.Instance(_FrontEnd, allow_none=True).tag(sync=True, **widget_serialization)
    # the structure: laid out once in the browser
    dot = traitlets.Unicode().tag(sync=True)
    slots: traitlets.List[list] = traitlets.List().tag(sync=True)  # one [group id, width, inset] per number cell
    # what changes: sent as patches (see _push)
    cells: traitlets.List[str] = traitlets.List().tag(sync=True)  # the text of each number cell
    details = traitlets.Dict().tag(sync=True)  # the whole array of each tensor box the student has hovered
    current: traitlets.List[str] = traitlets.List().tag(sync=True)  # ids of the highlighted SVG groups
    flow = traitlets.Dict().tag(sync=True)  # the contribution travelling along an edge just now
    announce = traitlets.Unicode().tag(sync=True)  # what a screen reader says about the last step
    # words around the picture
    title = traitlets.Unicode().tag(sync=True)
    message = traitlets.Unicode().tag(sync=True)  # why a big graph is shown in part
    notes = traitlets.Unicode().tag(sync=True)  # warnings: values that are not finite, ...
    hint = traitlets.Unicode().tag(sync=True)
    stepping = traitlets.Bool(False).tag(sync=True)  # arrow keys step (a stepper listens)
    # a stepper's whole walk, recorded (widgets/recorded.py, replay_state): with no kernel the page steps it
    replay = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        root: Any,
        *,
        show_grad: bool | str | None = True,
        show_local: bool = False,
        limit: int = LIMIT,
        keep: int = KEEP,
        folded: Any = None,
        gates: bool | str = False,
    ) -> None:
        root = as_graph(root)  # a student's own engine (micrograd-style): its mirror, the kit's kind of node
        if not hasattr(root, "parents") or not hasattr(root, "data"):
            raise TypeError(f"draw() takes a Value or Tensor (the output of a formula), not {type(root).__name__}")
        self.root = root
        self._options = {
            "show_grad": show_grad,
            "show_local": show_local,
            "limit": limit,
            "keep": keep,
            "folded": folded,
            "gates": gates,
        }
        self._grads: Mapping | None = None
        self._lit: dict = {}
        self._batch = 0
        self._muted = 0
        self._pending: dict = {}
        self._key_handlers: list[Callable[[str], None]] = []
        self._refold_handlers: list[Callable[[], None]] = []
        self._flow_count = 0
        self._asked: set[str] = set()  # the tensor boxes whose whole array the page has asked for
        # the structure goes with the widget's first message, not in a second one
        super().__init__(front_end=front_end(), _dom_classes=("bpw-picture",), **self._plan_structure())
        self.on_msg(self._on_message)

    # ---- structure -------------------------------------------------------------------

    def _plan_structure(self) -> dict:
        """Plan the picture: its DOT text (the browser lays it out once) and every trait that goes with it."""
        self._model = PictureModel(self.root, **self._options)
        self._plan = self._model.plan
        self._clusters = self._model.drawing.clusters  # the SVG ids of boxes and frames a click can name -> groups
        self._slot_list = self._model.slots
        self._slot_index = {slot: i for i, (_, slot) in enumerate(self._slot_list)}
        return {
            "dot": self._model.dot,
            "slots": [[gid, slot.width, slot.inset] for gid, slot in self._slot_list],
            "cells": self._texts(),
            "details": self._details(),
            "current": [],
            "title": self._title(),
            "message": self._plan.message or "",
            "notes": self._notes(),
            "hint": "" if backend() or _in_browser_kernel() else STATIC_HINT,
        }

    def _structure(self) -> None:
        """A new structure (more nodes shown, ...): sent in one message."""
        state = self._plan_structure()
        with self.hold_sync():
            for name, value in state.items():
                setattr(self, name, value)

    def show_gates(self, on: bool | str = True) -> GraphView:
        """Mark (or stop marking) each op with the pattern its backward step makes and each fan-out with "adds";
        ``"forward"``: what each op does to a tangent, and each fan-out with "copies"."""
        if self._options["gates"] != on:
            self._options["gates"] = on
            self._options["folded"] = self.folded
            self._structure()
            self.highlight(**self._lit)
        return self

    @property
    def gates(self) -> bool | str:
        """Whether the picture marks the gate patterns (``"forward"``: forward mode's)."""
        return self._plan.gates

    def show_more(self) -> GraphView:
        """Show twice as many nodes of a graph that is shown in part (what "Show more" does)."""
        if self._plan.message:
            self._options["keep"] = min(2 * self._options["keep"], self._options["limit"])
            if self._options["keep"] >= self._options["limit"]:
                self._options["limit"] = len(self._plan.order)  # all of it
            self._structure()
            self.highlight(**self._lit)
        return self

    # ---- what the widgets call -----------------------------------------------------

    def update(self, grads: Mapping | None = None) -> GraphView:
        """Show the nodes' current values and gradients (no new layout).

        ``grads`` maps nodes to the gradients to show instead of ``node.grad``
        (say, the ones a backward walk has found so far, or forward-mode
        derivatives); a node it leaves out, or maps to None, shows ``?``.
        """
        self._grads = grads
        if self._asked:
            self._push(cells=self._texts(), notes=self._notes(), details=self._details())
        else:
            self._push(cells=self._texts(), notes=self._notes())
        return self

    def highlight(self, node: Any = None, edge: Any = None, edges: list | None = None) -> GraphView:
        """Mark one node (its box, op circle and arrow) and one edge (or several) as current; None clears.

        ``node`` is a node of the graph or its id (an int); ``edge`` is a backward
        ``Step`` or a pair ``(node, index of its input)``; ``edges`` a list of pairs.
        """
        self._lit = {"node": node, "edge": edge, "edges": edges}
        self._push(current=self._model.lit(node, ([edge] if edge is not None else []) + list(edges or [])))
        return self

    # ---- folding -----------------------------------------------------------------------

    @property
    def drawn(self) -> int:
        """How many boxes the picture draws (a folded group is one)."""
        return len(self._plan.shown)

    @property
    def folded(self) -> frozenset:
        """The groups drawn as one box each (see ``engine.group``)."""
        return self._plan.folded

    def groups(self) -> list[tuple]:
        """Every group of the graph, outermost first: what ``fold`` and ``unfold`` take."""
        return groups_in(self._plan.order)

    def fold(self, *groups: Any) -> GraphView:
        """Draw these groups (``"layer 1"`` or ``("layer 1", "neuron 3")``) as one box each."""
        return self._refold(self.folded | {self._path(g) for g in groups})

    def unfold(self, *groups: Any) -> GraphView:
        """Draw these groups node by node again, inside a dashed frame; ``unfold()`` unfolds all."""
        paths = {self._path(g) for g in groups} if groups else set(self.folded)
        return self._refold(self.folded - paths)

    def toggle(self, group: Any) -> GraphView:
        """Fold an unfolded group, or unfold a folded one (what a click on it does)."""
        path = self._path(group)
        return self.unfold(path) if path in self.folded else self.fold(path)

    def _path(self, group: Any) -> tuple:
        if isinstance(group, str) and group in self._clusters:  # an SVG id from the browser
            return self._clusters[group]
        path = (group,) if isinstance(group, str) else tuple(group)
        known = self.groups()
        if path not in known:
            matches = [p for p in known if p[-1] == path[-1] and len(path) == 1]
            if len(matches) != 1:
                raise ValueError(f"no group {group!r} in this graph; its groups are {known[:12]}")
            path = matches[0]
        return path

    def _refold(self, folded) -> GraphView:
        self._options["folded"] = frozenset(folded)
        self._structure()
        self.highlight(**self._lit)
        for handler in self._refold_handlers:
            handler()
        self.say(
            f"{len(self._plan.shown)} boxes drawn; folded: {', '.join(p[-1] for p in sorted(self.folded)) or 'none'}"
        )
        return self

    def send_flow(
        self,
        step: Step,
        before: str,
        after: str,
        *,
        edge: tuple | None = None,
        into: Any = None,
        text: str | None = None,
        forward: bool = False,
    ) -> GraphView:
        """Animate ``step``'s contribution travelling back along its edge into its input's gradient.

        Forward mode passes ``edge`` (node, input index), the node whose cell receives (``into``), the
        ``text`` that travels, and ``forward=True``: the token then runs from the input to the operation.
        """
        child, index = edge if edge is not None else (step.node, step.index)
        gid = f"e{self.node_id(child)}-{index}"
        slot = self._grad_slot(into if into is not None else step.parent)
        if slot is None:
            return self
        self._flow_count += 1
        self._push(
            flow={
                "n": self._flow_count,
                "edge": gid,
                "cell": slot,
                "text": text if text is not None else value_text(step.contribution),
                "before": before,
                "after": after,
                "forward": forward,
            }
        )
        return self

    def say(self, text: str) -> GraphView:
        """What the picture's live region reads out (the last step, in words)."""
        self._push(announce=text)
        return self

    @contextmanager
    def batch(self):
        """Send everything changed inside the block as one message."""
        self._batch += 1
        try:
            yield self
        finally:
            self._batch -= 1
            if not self._batch:
                self._flush()

    @contextmanager
    def unsent(self):
        """Send nothing of what changes inside the block: a recording walks the pass and comes back to where it was."""
        flow = self.flow
        self._muted += 1
        try:
            yield self
        finally:
            self._muted -= 1
            self._quietly("flow", flow)  # as the page has it (the walk ends where it began)

    def on_key(self, handler: Callable[[str], None]) -> None:
        """Call ``handler(key)`` when the student presses Left, Right, Home or End on the picture."""
        self._key_handlers.append(handler)
        self.stepping = True

    def on_refold(self, handler: Callable[[], None]) -> None:
        """Call ``handler()`` after a group is folded or unfolded (a stepper walks the new picture)."""
        self._refold_handlers.append(handler)

    def node_id(self, node: Any) -> int:
        """A node's id in this picture: its position in ``topological_order(root)``."""
        return self._model.node_id(node)

    # ---- what it shows (read from Python: tests need no browser) --------------------

    def texts(self, node: Any) -> dict:
        """What the value box of ``node`` shows now: ``{"data": "3", "grad": "?"}``.

        A tensor's box shows entries, one cell each: they are listed in brackets, ``"[1, 2, 3, 4]"``
        (an unknown gradient is ``"?"`` whatever its shape).
        """
        k = self.node_id(node)
        shown: dict[str, list[str]] = {}
        for i, (_gid, slot) in enumerate(self._slot_list):
            if slot.node == k and slot.kind in ("data", "grad"):
                shown.setdefault(slot.kind, []).append(self.cells[i])
        return {kind: _one_text(texts) for kind, texts in shown.items()}

    def local_texts(self, node: Any) -> list[str]:
        """The local gradients written on the edges into ``node`` (with ``show_local``)."""
        k = self.node_id(node)
        return [
            self.cells[i] for i, (gid, slot) in enumerate(self._slot_list) if slot.kind == "local" and slot.node == k
        ]

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
        """The DOT text of the picture, with the current numbers in its cells."""
        return build(self._plan, lambda slot: html.escape(self.cells[self._slot_index[slot]])).graph.source

    @property
    def svg(self) -> str:
        """A static SVG copy of the picture as it is now (needs pygraphviz or a ``dot`` program)."""
        picture = SvgPicture(self.root, **self._options)
        picture.update(grads=self._grads).highlight(**self._lit)
        return picture.svg

    def _static_svg(self) -> str | None:
        if backend() is None or len(self._plan.shown) > STATIC_LIMIT:
            return None
        try:
            return self.svg
        except RenderError:  # a static copy is a bonus: the widget draws anyway
            return None

    def _repr_mimebundle_(self, **kwargs):
        return with_static_copy(super()._repr_mimebundle_(**kwargs), self)

    def __repr__(self) -> str:
        picture = self._plan
        if picture.message:
            return f"GraphView({len(picture.shown)} of {len(picture.order):,} nodes)"
        return f"GraphView({len(picture.order)} nodes)"

    # ---- internals -------------------------------------------------------------------

    def _texts(self) -> list[str]:
        """The text of every number cell, from the nodes' values and the gradients to show."""
        return self._model.texts(self._grads)

    def ask_details(self, gid: str) -> GraphView:
        """Send the whole array of the tensor box ``gid`` (what the page asks when it is hovered), now and after."""
        if gid in self._model.drawing.details and gid not in self._asked:
            self._asked.add(gid)
            self._push(details=self._details())
        return self

    def _details(self) -> dict:
        """The whole arrays the page has asked for, as they are now."""
        if not self._asked:
            return {}
        return {gid: text for gid, text in self._model.details(self._grads).items() if gid in self._asked}

    def _grad_slot(self, node: Any) -> int | None:
        k = self.node_id(node)
        for i, (_gid, slot) in enumerate(self._slot_list):
            if slot.node == k and slot.kind == "grad":
                return i
        return None

    def _title(self) -> str:
        root = self.root
        name = root.label or "the output"
        shown = (
            f"{len(self._plan.shown)} of {len(self._plan.order)}" if self._plan.message else str(len(self._plan.order))
        )
        return f"Computation graph of {name} = {value_text(root.data)}: {shown} nodes, inputs on the left"

    def _notes(self) -> str:
        bad = [n for n in self._plan.shown if not _finite(n.data)]
        if not bad:
            return ""
        first = bad[0]
        name = first.label or (f"a {first.op} node" if first.op else "an input")
        row = first.ops.get(first.op) if first.op else None  # its op table row says why, in words
        inputs = dict(zip("ab", (value_text(p.data) for p in first.parents), strict=False))
        why = row.not_finite.format(**inputs) if row is not None and row.not_finite else ""
        why = why or "a value that is not finite upstream"
        return f"{len(bad)} value{'s' if len(bad) > 1 else ''} not finite (inf or nan), first at {name}: {why}."

    def _push(self, **changes) -> None:
        self._pending.update(changes)
        if not self._batch:
            self._flush()

    def _flush(self) -> None:
        """Send what changed as one patch: only the cells whose text changed.

        The traits are set without syncing them (the patch carries the change);
        the front end applies the patch to its copy of the same traits.
        """
        changes, self._pending = self._pending, {}
        if not changes:
            return
        message: dict = {"type": MESSAGES["patch"]}
        cells = changes.pop("cells", None)
        if cells is not None:
            old = self.cells
            diff = {str(i): text for i, text in enumerate(cells) if i >= len(old) or old[i] != text}
            if diff:
                message["cells"] = diff
                self._quietly("cells", cells)
        for name, value in changes.items():
            if getattr(self, name) != value or name == "flow":
                message[name] = value
                self._quietly(name, value)
        if len(message) > 1 and not self._muted:
            self.send(message)

    _unsynced: str | None = None  # the trait ``_quietly`` is setting

    def _quietly(self, name: str, value: Any) -> None:
        """Set a synced trait without sending it (the patch carries the change)."""
        self._unsynced = name
        try:
            setattr(self, name, value)
        finally:
            self._unsynced = None

    def _should_send_property(self, key: str, value: Any) -> bool:
        # ipywidgets' own check (a property lock) compares the whole value as JSON: 600 cells on every move
        if key == self._unsynced:
            if self._holding_sync:
                self._states_to_send.discard(key)
            return False
        return super()._should_send_property(key, value)

    def _on_message(self, _widget, content, _buffers) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == MESSAGES["key"]:
            for handler in self._key_handlers:
                handler(str(content.get("key")))
        elif kind == MESSAGES["more"]:
            self.show_more()
        elif kind == MESSAGES["toggle"]:
            try:
                self.toggle(str(content.get("id")))
            except ValueError:
                pass  # a stale click on a picture already redrawn
        elif kind == MESSAGES["details"]:
            self.ask_details(str(content.get("id")))
        elif kind == MESSAGES["layout_failed"]:
            self._fall_back(str(content.get("reason", "")))

    def _fall_back(self, reason: str) -> None:
        """The browser could not lay out the whole graph in time: show the nodes nearest the output."""
        shown, keep = len(self._plan.shown), self._options["keep"]
        if shown <= keep:
            return  # already small: the widget shows Graphviz's reason
        self._options["keep"] = keep
        self._options["limit"] = min(self._options["limit"], shown - 1)
        self._structure()
        self.message = (
            f"laying out all {shown:,} boxes in the browser failed ({reason}); "
            f"showing the {len(self._plan.shown)} nodes nearest the output"
        )
        self.highlight(**self._lit)


def with_static_copy(bundle: Any, view: GraphView) -> Any:
    """A widget's MIME bundle with a static SVG copy of ``view`` added, where one can be made."""
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    svg = view._static_svg() if data else None
    if svg is not None:
        data["image/svg+xml"] = svg
    return bundle


def _one_text(texts: list[str]) -> str:
    """What one value box's cells show, as one text: a number, ``?``, or an array's entries in brackets."""
    if len(texts) == 1 or set(texts) == {"?"}:
        return texts[0]
    return f"[{', '.join(texts)}]"


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):  # an array: finite if every entry is
        import numpy

        return bool(numpy.all(numpy.isfinite(x)))


def draw(
    root: Any,
    *,
    show_grad: bool | None = None,
    show_local: bool = False,
    highlight: Any = None,
    limit: int = LIMIT,
    keep: int = KEEP,
    folded: Any = None,
    model: Any = None,
) -> GraphView:
    """Draw the graph that ends in ``root``: each value box shows label, value and gradient.

    ``show_grad=None`` shows gradients once a backward pass has filled them in.
    ``show_local`` writes each edge's local gradient on it.  ``highlight`` marks
    a node, or a backward ``Step`` (its node and its edge).  A graph of more
    than ``limit`` nodes is shown in part: the ``keep`` nodes nearest the output,
    with a "Show more" button.  ``folded`` names groups (``engine.group``: a
    network's layers and neurons) to draw as one box each; by default a graph of
    more than 80 nodes starts folded.  Click a box, or a group's frame, to unfold
    or fold it (or call ``fold``, ``unfold``, ``toggle``).  A PyTorch tensor is
    drawn as PyTorch's backward graph; ``model=`` names its parameters and folds its layers.

    >>> from backprop_widgets import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> picture = draw(a * b)
    >>> picture.texts(picture.root)
    {'data': '-6'}
    """
    root = as_graph(root, model=model)
    view = GraphView(root, show_grad=show_grad, show_local=show_local, limit=limit, keep=keep, folded=folded)
    highlight = mirror_of(view.root, highlight)  # a student's own node: its mirror
    if highlight is not None:
        if isinstance(highlight, Step):
            view.highlight(node=highlight.node, edge=highlight)
        else:
            view.highlight(node=highlight)
    return view
