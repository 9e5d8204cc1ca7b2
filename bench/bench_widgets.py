"""Benchmark of the widgets' Python side: one step of the stepper and one slider move of the Explorer.

Run from the repository root:  python -m bench.bench_widgets
Graphs of about 10, 50 and 300 nodes; "redraw" is what a widget without a
kept layout would pay each time (``draw`` from scratch).  No node moves in the
patched pictures: positions come from the one layout made when the widget is built.
"""

from __future__ import annotations

import statistics
import time

from backprop_widgets import Explorer, Value, draw
from backprop_widgets.engine import topological_order
from backprop_widgets.render import view as view_module


def graph(n_nodes: int) -> Value:
    """A chain of tanh units over two inputs, about ``n_nodes`` nodes."""
    x, y = Value(0.5, label="x"), Value(-0.3, label="y")
    out = x
    while True:
        out = (out * y + x).tanh()
        if len(topological_order(out)) >= n_nodes:
            return out


def median_ms(action, repeats: int) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    print("Python-side time per action, median (ms)")
    print(f"{'nodes':>6} {'step':>8} {'slider move':>12} {'full redraw':>12} {'redraw/step':>12}")
    for n in (10, 50, 300):
        root = graph(n)
        size = len(topological_order(root))
        explorer = Explorer(root)
        stepper = explorer.stepper
        stepper.reset()
        total = stepper.total

        def one_step(i):
            if stepper.position == total:
                stepper.reset()
            stepper.step()

        step = median_ms(one_step, 200)
        slider = explorer.sliders["x"]
        move = median_ms(lambda i: setattr(slider, "value", 0.5 + 0.001 * (i % 100)), 100)

        def redraw(i):
            view_module._TEMPLATES.clear()  # no layout kept: what a naive widget pays
            draw(root).svg  # noqa: B018 (the property lays out and draws: what is timed)

        redraw = median_ms(redraw, 5)
        print(f"{size:>6} {step:>8.3f} {move:>12.3f} {redraw:>12.1f} {redraw / step:>11.0f}x")


if __name__ == "__main__":
    main()
