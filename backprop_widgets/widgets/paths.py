"""``PathView``: the paths behind one gradient, each with its product, and what backprop saves by reuse."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..engine import format_number, topological_order
from ..engine.arrays import ndim
from ..engine.foreign import as_graph, mirror_of
from ..engine.paths import count_paths, multiplications, paths
from .graph import GraphView
from .walk import node_names

__all__ = ["PathView"]

ROWS = 12  # paths listed in the table; the rest are counted


class PathView(widgets.VBox):
    """Pick an input (a weight): every path from it to the output, each with the product of its local
    gradients, their sum beside the gradient ``backward()`` finds, and how many multiplications listing
    the paths would cost against the backward pass, which reuses each upstream gradient.

    ``PathView(y)`` offers the graph's labelled inputs; ``wrt=`` picks one; ``path`` (a number) lights
    one path in the picture.
    """

    def __init__(self, root, wrt=None, *, folded=None, model=None) -> None:
        root = as_graph(root, model=model)  # a student's own engine: its mirror (wrt may be the student's node)
        wrt = mirror_of(root, wrt)
        self.root = root
        order = topological_order(root)
        if any(ndim(n.data) for n in order):
            raise TypeError(
                "PathView follows the paths of a scalar graph (Value, your own engine), whose local gradients "
                "multiply as numbers; a graph of tensors (the kit's Tensor, a PyTorch loss) passes VJPs along its "
                "edges instead: step it with BackwardStepper."
            )
        root.backward()
        self.names = node_names(order)
        self.inputs = {self.names[n]: n for n in order if not n.parents and not n.constant}
        if not self.inputs:
            raise ValueError("this graph has no inputs to follow (every leaf is a constant)")
        start = wrt if wrt is not None else next(iter(self.inputs.values()))
        if start not in order:
            raise ValueError(f"{start!r} is not a node of this graph")
        self.view = GraphView(root, folded=folded if folded is not None else frozenset())
        self.choice = widgets.Dropdown(options=list(self.inputs), value=self.names[start], description="paths from")
        self.which = widgets.IntSlider(value=1, min=1, max=1, description="path", continuous_update=True)
        self.table = widgets.HTML()
        self.table.add_class("bpw-paths")
        self.choice.observe(lambda _: self._show(), names="value")
        self.which.observe(lambda _: self._light(), names="value")
        super().__init__([widgets.HBox([self.choice, self.which]), self.view, self.table])
        self.add_class("bpw-path-view")
        self._show()

    @property
    def start(self):
        return self.inputs[self.choice.value]

    def _show(self) -> None:
        start = self.start
        self.paths = paths(self.root, start, limit=ROWS * 20)
        self.count = count_paths(self.root, start)
        self.cost = multiplications(self.root, start)
        self.which.max = max(1, len(self.paths))
        self.which.value = 1
        total = sum(p.product for p in self.paths)
        rows = "".join(
            f"<tr><td>{i}</td><td>{html.escape(self._route(p))}</td>"
            f"<td>{html.escape(' × '.join(format_number(f) for f in p.locals))}</td>"
            f"<td>{html.escape(format_number(p.product, 6))}</td></tr>"
            for i, p in enumerate(self.paths[:ROWS], start=1)
        )
        more = len(self.paths) - ROWS
        listed = "" if len(self.paths) == self.count else f" (the first {len(self.paths)} listed)"
        out, name = self.names[self.root], self.choice.value
        self.table.value = (
            '<table class="bpw-path-table"><tr><th>#</th><th>path</th><th>local gradients</th><th>product</th></tr>'
            f"{rows}{f'<tr><td></td><td>… and {more} more</td><td></td><td></td></tr>' if more > 0 else ''}</table>"
            f"<div><b>{self.count} paths</b> from {html.escape(name)} to {html.escape(out)}{listed}; "
            f"the sum of their products is <b>{html.escape(format_number(total, 6))}</b>, and backward() gives "
            f"∂{html.escape(out)}/∂{html.escape(name)} = <b>{html.escape(format_number(start.grad, 6))}</b>.</div>"
            f"<div>Multiplying along every path from scratch: {self.cost['by_paths']} multiplications. "
            f"The backward pass: {self.cost['by_backprop']} (one per edge, each upstream gradient computed once "
            "and reused by every path through it).</div>"
        )
        self._light()

    def _route(self, path) -> str:
        """A path by its named nodes (the unnamed products and partial sums in between are left out)."""
        named = [n for n in path.nodes if n.label or n is path.nodes[0] or n is path.nodes[-1]]
        return " → ".join(self.names[n] for n in named)

    def _light(self) -> None:
        """Light the chosen path in the picture."""
        if not self.paths:
            return
        path = self.paths[self.which.value - 1]
        edges = []
        for parent, node in zip(path.nodes, path.nodes[1:], strict=False):
            edges += [(node, i) for i, p in enumerate(node.parents) if p is parent]
        self.view.highlight(node=path.nodes[0], edges=edges)

    def __repr__(self) -> str:
        return f"PathView({self.choice.value}: {self.count} paths)"
