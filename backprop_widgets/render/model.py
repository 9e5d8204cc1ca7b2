"""One picture, described in Python: ``PictureModel``, which the widget sends and the static copy fills.

A picture is its DOT text (laid out once, number cells holding the
placeholder), its slot list (which number goes in which cell, and how wide
the cell is), the texts of those cells now, the SVG ids lit as the current
step, and each tensor box's whole array (its tooltip).  ``GraphView`` sends
these to the browser; ``SvgPicture`` writes the same ones into Graphviz's SVG.
The ids and the width table come from ``protocol.py``.

>>> from backprop_widgets import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> f = a * b
>>> f.backward()
>>> model = PictureModel(f)
>>> model.texts()
['2', '-3', '-3', '2', '-6', '1']
>>> model.lit(node=f, edges=[(f, 1)])
['n2', 'n2-op', 'n2-out', 'e2-1']
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from .dot import KEEP, LIMIT, Slot, build, details_text, plan, slot_text
from .protocol import PLACEHOLDER, box_id, edge_id, folded_edge_id, node_ids

__all__ = ["PictureModel"]


class PictureModel:
    """What a picture of the graph that ends in ``root`` shows: see the module's docstring."""

    def __init__(
        self,
        root: Any,
        *,
        show_grad: bool | None = True,
        show_local: bool = False,
        limit: int = LIMIT,
        keep: int = KEEP,
        folded: Any = None,
        gates: bool | str = False,
        windowed: bool = False,
    ) -> None:
        self.root = root
        self.plan = plan(
            root,
            show_grad=show_grad,
            show_local=show_local,
            limit=limit,
            keep=keep,
            folded=folded,
            gates=gates,
            windowed=windowed,
        )
        self.drawing = build(self.plan, lambda slot: PLACEHOLDER)
        # one (SVG group id, Slot) per number cell, in the order the cells appear in the SVG
        self.slots: list[tuple[str, Slot]] = [
            (gid, slot) for gid, slots in self.drawing.slots.items() for slot in slots
        ]

    @property
    def dot(self) -> str:
        """The DOT text to lay out: every number cell holds the placeholder."""
        return self.drawing.graph.source

    def texts(self, grads: Mapping | None = None) -> list[str]:
        """The text of every number cell now (``grads``: gradients to show instead of ``node.grad``)."""
        locals_of: dict[int, list[str]] = {}
        order = self.plan.order
        return [slot_text(slot, order, grads, locals_of) for _, slot in self.slots]

    def details(self, grads: Mapping | None = None) -> dict[str, str]:
        """Each tensor box's whole array, by its SVG id: what hovering over it, or focusing it, shows."""
        order = self.plan.order
        return {
            gid: details_text(order[k], order[k].grad if grads is None else grads.get(order[k]))
            for gid, k in self.drawing.details.items()
        }

    def node_id(self, node: Any) -> int:
        """A node's id: its position in ``topological_order(root)`` (an int is taken as an id)."""
        if isinstance(node, numbers.Integral):  # numpy's integers too
            return int(node)
        try:
            return self.plan.id_of(node)
        except KeyError:
            raise ValueError(f"{node!r} is not a node of this graph") from None

    def shown_id(self, node: Any) -> int:
        """The id of the box that shows ``node``: its own, or its folded group's."""
        k = self.node_id(node)
        inside = self.plan.owner.get(self.plan.order[k]) if self.plan.owner else None
        return self.plan.id_of(inside) if inside is not None else k

    def lit(self, node: Any = None, edges: Any = ()) -> list[str]:
        """The SVG ids to light: ``node`` (its box, op circle and arrow) and each edge (a ``Step`` or a pair).

        An edge into a folded group is drawn as the edge into the group's box, and
        an edge inside one is not drawn at all: the box is lit instead.
        """
        ids = node_ids(self.shown_id(node)) if node is not None else []
        for each in edges:
            child, i = each if isinstance(each, tuple) else (each.node, each.index)
            k, shown = self.node_id(child), self.shown_id(child)
            if shown == k:
                ids.append(edge_id(k, i))
                continue
            box = self.plan.boxes[self.plan.order[shown]]
            source = self.shown_id(self.plan.order[k].parents[i])
            if source != shown:  # from outside the group: the first drawn edge from that box into this one
                j = next(j for j, p in enumerate(box.inputs) if self.shown_id(p) == source)
                ids.append(folded_edge_id(shown, j))
            ids.append(box_id(shown))
        return list(dict.fromkeys(ids))
