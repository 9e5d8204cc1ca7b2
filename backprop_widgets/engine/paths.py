"""The paths behind a gradient: why ∂out/∂w is a sum over paths, and why backprop never lists them.

A node's gradient is the sum, over every path from it to the output, of the
product of the local gradients along the path (the chain rule, with branches
adding up).  The number of paths grows exponentially with depth; the backward
pass instead multiplies once per edge, reusing each node's upstream gradient.

On a graph of tensors (the kit's ``Tensor``, a PyTorch loss) a local gradient
is a Jacobian that is never formed, so a path has no product of numbers: its
share of the gradient is the upstream gradient 1 at the output, passed back
along the path's edges only, each edge's VJP applied in turn (as the backward
pass does, but along one route).  The shares of all paths add up to the
gradient, since every VJP is linear.

>>> from backprop_widgets import Value
>>> a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
>>> f = (a + b) * (b + c)
>>> [round(p.product, 6) for p in paths(f, b)], count_paths(f, b)
([7.0, 2.0], 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .graph import topological_order

__all__ = ["Path", "paths", "count_paths", "multiplications"]


@dataclass(frozen=True)
class Path:
    """One path from a node to the output: its edges (node, the input index it came in by) and the product."""

    nodes: tuple  # from the start node to the output
    locals: tuple  # the local gradient of each edge along it (a number, or a tensor op's VJP)
    product: Any  # the product of those numbers; for tensors, the VJPs applied from the output back to the start


def _consumers(root: Any) -> tuple[list, dict]:
    order = topological_order(root)
    users: dict = {node: [] for node in order}
    for node in order:
        for index, parent in enumerate(node.parents):
            users[parent].append((node, index))
    return order, users


def paths(root: Any, start: Any, limit: int = 200) -> list[Path]:
    """Every path from ``start`` to ``root`` (at most ``limit`` of them), with the product of its local gradients."""
    order, users = _consumers(root)
    if start not in users:
        raise ValueError("that node is not part of this graph")
    local = {node: node.local_grads() for node in order if node.parents}
    found: list[Path] = []

    def walk(node, trail, factors):
        if len(found) >= limit:
            return
        if node is root:
            found.append(Path(tuple(trail), tuple(factors), _along(root, start, factors)))
            return
        for user, index in users[node]:
            walk(user, [*trail, user], [*factors, local[user][index]])

    walk(start, [start], [])
    return found


def _along(root: Any, start: Any, factors: list) -> Any:
    """A path's share of ∂root/∂start: its local gradients multiplied (numbers), or its VJPs applied to the
    output's gradient 1 from the output back to the start (tensors: what backprop does along this path alone)."""
    if all(isinstance(factor, float) for factor in factors):  # a scalar graph: the product, start to output
        product = start.one() if hasattr(start, "one") else 1.0
        for factor in factors:
            product = product * factor
        return product
    upstream = root.one()
    for factor in reversed(factors):
        upstream = factor * upstream  # the VJP of this edge, applied to what came back along the path
    return upstream


def count_paths(root: Any, start: Any) -> int:
    """How many paths lead from ``start`` to ``root`` (counted without listing them)."""
    order, _ = _consumers(root)
    count = {node: 0 for node in order}
    count[start] = 1
    for node in order:
        for parent in node.parents:
            count[node] += count[parent] if node is not start else 0
    return count[root]


def multiplications(root: Any, start: Any) -> dict:
    """The multiplications of local gradients that ∂root/∂start costs, listing every path against backprop.

    ``by_paths``: each path's product from scratch (a path of k edges, k − 1
    multiplications, plus one addition per extra path); ``by_backprop``: one
    multiplication per edge between ``start`` and ``root`` (upstream × local),
    each node's upstream gradient computed once and reused.  ``vjps_by_paths``
    counts, for a tensor graph, the VJPs that applying every path from the output
    takes (one per edge of each path: there is no product to skip); the backward
    pass applies one VJP per edge, as ``by_backprop`` counts.
    """
    order, users = _consumers(root)
    between = _between(order, start, root)
    edges = sum(1 for node in between for parent in node.parents if parent in between)
    total_paths = count_paths(root, start)
    length = _total_path_length(order, start, root)
    return {"paths": total_paths, "by_paths": length - total_paths, "vjps_by_paths": length, "by_backprop": edges}


def _between(order: list, start: Any, root: Any) -> set:
    """The nodes on some path from ``start`` to ``root``."""
    reaches = {start}
    for node in order:
        if any(p in reaches for p in node.parents):
            reaches.add(node)
    leads = {root}
    for node in reversed(order):
        if node in leads:
            leads.update(node.parents)
    return reaches & leads


def _total_path_length(order: list, start: Any, root: Any) -> int:
    """The number of edges summed over all paths from ``start`` to ``root`` (counted, not listed)."""
    count = {node: 0 for node in order}  # paths from start to node
    length = {node: 0 for node in order}  # their total number of edges
    count[start] = 1
    for node in order:
        if node is start:
            continue
        for parent in node.parents:
            count[node] += count[parent]
            length[node] += length[parent] + count[parent]
    return length[root]
