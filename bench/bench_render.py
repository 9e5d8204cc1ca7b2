"""Benchmark of the static SVG copies: one update of a laid-out ``SvgPicture`` against drawing from scratch.

(The live picture is the GraphView widget, laid out in the browser: ``bench_browser`` measures it.)

Run from the repository root:  python -m bench.bench_render

For graphs of 10, 100, 300 and 1,000 nodes it times (medians):
  values     view.update() + view.svg after the inputs changed (new values and gradients)
  highlight  view.highlight(node, edge) + view.svg (the next backward step)
  +local     values, for a view whose edges also show their local gradients
  redraw     SvgPicture(root).svg with no layout cached: DOT text, Graphviz layout, SVG
The speed-up is redraw / the slower of values and highlight.
Targets: an update takes at most 1 ms at 300 nodes and is at least 30 times faster than a redraw.
"""

from __future__ import annotations

import statistics
import time

from backprop_widgets import Value
from backprop_widgets.engine import backward_steps, evaluate, topological_order
from backprop_widgets.render import SvgPicture
from backprop_widgets.render import view as view_module

GraphView = draw = SvgPicture  # the static picture, timed as before it moved to the browser

SIZES = (10, 100, 300, 1000)


def network(size: int) -> tuple[Value, Value]:
    """A deep scalar network of exactly ``size`` nodes: its output and its input ``x``.

    Each layer is ``tanh(w * h + b)``, and every third layer adds a skip connection
    from two layers back, so some edges span several ranks as in real networks.
    """
    x = Value(0.5, label="x")
    count, layer = 1, 0
    history = [x]
    h = x
    while count < size:
        room = size - count
        if room >= 5:  # w, w * h, b, + b, tanh
            w = Value(0.9 - 0.01 * (layer % 7), label=f"w{layer}")
            b = Value(0.1 * (layer % 3), label=f"b{layer}")
            h = (w * h + b).tanh()
            count += 5
            if layer % 3 == 2 and size - count >= 1:
                h = h + history[-2]
                count += 1
        else:  # fill up with single nodes
            h = h.tanh()
            count += 1
        history.append(h)
        layer += 1
    return h, x


def median_time(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(size: int) -> dict:
    root, x = network(size)
    order = topological_order(root)
    assert len(order) == size, (len(order), size)
    root.backward()
    view = GraphView(root)
    with_local = GraphView(root, show_local=True)
    inputs = iter(range(10**9))

    def time_update(picture: GraphView) -> float:
        x.data = 0.5 + 0.001 * next(inputs)  # new values: the engine's work, not timed
        evaluate(root, order)
        root.backward()
        start = time.perf_counter()
        picture.update()
        _ = picture.svg
        return time.perf_counter() - start

    values = statistics.median(time_update(view) for _ in range(200))
    local = statistics.median(time_update(with_local) for _ in range(200))

    steps = list(backward_steps(root))
    step_at = iter(range(10**9))

    def next_highlight() -> None:
        step = steps[next(step_at) % len(steps)]
        view.highlight(node=step.node, edge=step)
        _ = view.svg

    highlight = median_time(next_highlight, 200)

    def redraw() -> None:
        view_module._TEMPLATES.clear()  # draw from scratch: no layout cached
        _ = draw(root).svg

    redraw_time = median_time(redraw, 5 if size <= 300 else 3)
    return {
        "size": size,
        "values": values,
        "highlight": highlight,
        "local": local,
        "redraw": redraw_time,
        "svg": len(view.svg),
    }


def main() -> None:
    print("GraphView: one update against a redraw from scratch (medians)")
    header = ("nodes", "values ms", "highlight ms", "+local ms", "redraw ms", "speed-up", "svg kB")
    widths = (6, 10, 13, 10, 10, 9, 7)
    print(" ".join(f"{name:>{width}}" for name, width in zip(header, widths, strict=True)))
    for size in SIZES:
        row = measure(size)
        slowest = max(row["values"], row["highlight"])
        print(
            f"{row['size']:>6} {row['values'] * 1e3:>10.3f} {row['highlight'] * 1e3:>13.3f} "
            f"{row['local'] * 1e3:>10.3f} {row['redraw'] * 1e3:>10.1f} {row['redraw'] / slowest:>8.0f}x {row['svg'] / 1e3:>7.0f}"
        )


if __name__ == "__main__":
    main()
