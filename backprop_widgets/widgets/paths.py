"""``PathView``: the paths behind one gradient, each with its product (or, for tensors, its share), and what
backprop saves by reuse."""

from __future__ import annotations

import html
import re

import ipywidgets as widgets

from ..engine import format_number, group_of, topological_order
from ..engine.arrays import ndim
from ..engine.foreign import as_graph, mirror_of
from ..engine.paths import count_paths, multiplications, paths
from ..render import value_text
from .graph import GraphView
from .walk import node_names

__all__ = ["PathView"]

ROWS = 12  # paths listed in the table; the rest are counted


class PathView(widgets.VBox):
    """Pick an input (a weight): every path from it to the output, each with the product of its local
    gradients, their sum beside the gradient ``backward()`` finds, and how many multiplications listing
    the paths would cost against the backward pass, which reuses each upstream gradient.

    ``PathView(y)`` offers every input of the graph (its variables, and its constants that have a
    name, such as a network's inputs x0, x1), layer by layer; ``wrt=`` picks one; ``path`` (a number)
    lights one path in the picture.

    A graph of tensors (the kit's ``Tensor``, a PyTorch loss with ``model=`` to name its parameters)
    has no numbers to multiply along a path: each edge's local gradient is a VJP.  A path's share
    of the gradient is then the output's gradient 1 passed back along that path alone, each VJP
    applied in turn (for a PyTorch loss, PyTorch's own ``grad_fn`` calls); the shares add up to
    the gradient, and the costs are counted in VJPs applied.
    """

    def __init__(self, root, wrt=None, *, folded=None, model=None) -> None:
        root = as_graph(root, model=model)  # a student's own engine: its mirror (wrt may be the student's node)
        wrt = mirror_of(root, wrt)
        self.root = root
        order = topological_order(root)
        self.tensors = any(ndim(n.data) for n in order)  # local gradients are VJPs, not numbers
        root.backward()
        self.names = node_names(order)
        # a tensor graph's backward pass gives constants (data, targets) no gradient to sum to
        starts = [n for n in inputs_by_layer(order, self.names) if not (self.tensors and n.constant)]
        self.inputs = {self.names[n]: n for n in starts}
        if not any(not n.constant for n in self.inputs.values()):
            raise ValueError("this graph has no inputs to follow (every leaf is a constant)")
        start = wrt if wrt is not None else next(n for n in self.inputs.values() if not n.constant)
        if start not in order:
            raise ValueError(f"{start!r} is not a node of this graph")
        # Folded as any big graph is (a network by neuron), so that the picture opens whole and readable;
        # a path through folded neurons lights their boxes and the edges between them.
        self.view = GraphView(root, folded=folded)
        self.view.add_class("bpw-path-picture")
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
        more = len(self.paths) - ROWS
        listed = "" if len(self.paths) == self.count else f" (the first {len(self.paths)} listed)"
        out, name = self.names[self.root], self.choice.value
        if self.tensors:
            head, sums, cost = self._tensor_texts(total, start)
        else:
            head = "<th>local gradients</th><th>product</th>"
            sums = (
                f"the sum of their products is <b>{html.escape(format_number(total, 6))}</b>, and backward() gives "
                f"∂{html.escape(out)}/∂{html.escape(name)} = <b>{html.escape(format_number(start.grad, 6))}</b>."
            )
            cost = (
                f"Multiplying along every path from scratch: {self.cost['by_paths']} multiplications. "
                f"The backward pass: {self.cost['by_backprop']} (one per edge, each upstream gradient computed once "
                "and reused by every path through it)."
            )
        rows = "".join(
            f"<tr><td>{i}</td><td>{html.escape(self._route(p))}</td>"
            f"<td>{html.escape(self._locals(p))}</td>"
            f"<td>{html.escape(value_text(p.product) if self.tensors else format_number(p.product, 6))}</td></tr>"
            for i, p in enumerate(self.paths[:ROWS], start=1)
        )
        self.table.value = (
            f'<table class="bpw-path-table"><tr><th>#</th><th>path</th>{head}</tr>'
            f"{rows}{f'<tr><td></td><td>… and {more} more</td><td></td><td></td></tr>' if more > 0 else ''}</table>"
            f"<div><b>{self.count} path{'' if self.count == 1 else 's'}</b> from {html.escape(name)} to {html.escape(out)}{listed}; {sums}</div>"
            f"<div>{cost}</div>"
            f"<div>{html.escape(cost_sentence(self.count, self.cost, name, out, tensors=self.tensors))}</div>"
        )
        self._light()

    def _tensor_texts(self, total, start) -> tuple[str, str, str]:
        """A tensor graph's table head, sum line and cost line: shares of the gradient, VJPs applied."""
        out, name = html.escape(self.names[self.root]), html.escape(self.choice.value)
        gap = float(abs(total - start.grad).max()) if len(self.paths) == self.count else None
        agree = "" if gap is None else f" (they differ by at most {gap:.1e})"
        head = "<th>VJPs along it (input to output)</th><th>its share of the gradient</th>"
        sums = (
            f"the sum of their shares is <b>{html.escape(value_text(total))}</b>, and backward() gives "
            f"∂{out}/∂{name} = <b>{html.escape(value_text(start.grad))}</b>{agree}. A share is the output's "
            "gradient passed back along that path alone, each edge's VJP applied in turn, from the output back."
        )
        cost = (
            f"Passing the gradient back along every path from scratch: {self.cost['vjps_by_paths']} VJPs applied. "
            f"The backward pass: {self.cost['by_backprop']} (one per edge, each upstream gradient computed once "
            "and reused by every path through it)."
        )
        return head, sums, cost

    def _locals(self, path) -> str:
        """The local gradients along a path: numbers multiplied, or a tensor graph's VJPs by their rules."""
        if not self.tensors:
            return " × ".join(format_number(f) for f in path.locals)
        return " ; ".join(f.rule for f in path.locals)

    def _route(self, path) -> str:
        """A path by its named nodes (the unnamed products and partial sums in between are left out; a tensor
        graph, short, names each of its unnamed nodes by its op's symbol instead)."""
        if self.tensors:
            ends = (path.nodes[0], path.nodes[-1])
            return " → ".join(self.names[n] if n.label or n in ends else n.ops[n.op].symbol.strip() for n in path.nodes)
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
        return f"PathView({self.choice.value}: {self.count} path{'' if self.count == 1 else 's'})"


def _natural(text: str) -> tuple:
    """A sort key that puts ``layer 2`` before ``layer 10`` and ``w1.2`` before ``w1.10``."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


def inputs_by_layer(order: list, names: dict) -> list:
    """Every input a path can start from, in layer order: the graph's own inputs first (a network's x0, x1),
    then each layer's weights and biases; an unnamed constant (a number in a formula) is left out.

    >>> from backprop_widgets.nn.scalar import MLP
    >>> y = MLP(2, [2, 1], seed=0)([0.5, -1.0])
    >>> order = topological_order(y)
    >>> [node_names(order)[n] for n in inputs_by_layer(order, node_names(order))]
    ['x0', 'x1', 'b1.1', 'w1.1.0', 'w1.1.1', 'b1.2', 'w1.2.0', 'w1.2.1', 'b2.1', 'w2.1.0', 'w2.1.1']
    """
    leaves = [n for n in order if not n.parents and (not n.constant or n.label)]
    return sorted(leaves, key=lambda n: (tuple(_natural(g) for g in group_of(n)), _natural(names[n])))


def cost_sentence(count: int, cost: dict, name: str, out: str, *, tensors: bool = False) -> str:
    """Why listing the paths costs what it costs, against the backward pass, in one sentence.

    >>> cost_sentence(1, {"by_paths": 5, "by_backprop": 6}, "w3.1.0", "y")
    'With a single path from w3.1.0 to y there is nothing to reuse: listing it costs no more than the backward pass (5 against 6; the backward pass also multiplies by ∂y/∂y = 1 at the start).'
    >>> cost_sentence(3, {"vjps_by_paths": 9, "by_backprop": 5}, "W", "L", tensors=True)
    'The 3 paths share their edges near L: the backward pass applies the VJP of each shared edge once, passing the gradient back along every path applies it once per path (9 VJPs against 5).'
    """
    if tensors:  # no product to skip: a path of k edges is k VJPs, and so is the backward pass along it
        by_paths, by_backprop = cost["vjps_by_paths"], cost["by_backprop"]
        if by_paths <= by_backprop:  # every edge on one path only (the total is never below the edges)
            return (
                f"With a single path from {name} to {out} there is nothing to reuse: passing the gradient back "
                f"along it costs what the backward pass costs ({by_paths} VJPs against {by_backprop})."
                if count == 1
                else f"These {count} paths share no edge, so there is nothing to reuse: passing the gradient back "
                f"along each costs what the backward pass costs ({by_paths} VJPs against {by_backprop}); reuse "
                f"pays where many paths share their end near {out}."
            )
        return (
            f"The {count} paths share their edges near {out}: the backward pass applies the VJP of each shared "
            f"edge once, passing the gradient back along every path applies it once per path ({by_paths} VJPs "
            f"against {by_backprop})."
        )
    by_paths, by_backprop = cost["by_paths"], cost["by_backprop"]
    if count == 1:
        return (
            f"With a single path from {name} to {out} there is nothing to reuse: listing it costs no more than "
            f"the backward pass ({by_paths} against {by_backprop}; the backward pass also multiplies by "
            f"∂{out}/∂{out} = 1 at the start)."
        )
    if by_paths <= by_backprop:
        return (
            f"These {count} paths share few edges, so listing them costs no more than the backward pass "
            f"({by_paths} against {by_backprop}); reuse pays where many paths share their end near {out}, "
            "as from a network's first layer."
        )
    return (
        f"The {count} paths share their edges near {out}: the backward pass multiplies along each shared "
        f"edge once, listing the paths once per path ({by_paths} against {by_backprop})."
    )
