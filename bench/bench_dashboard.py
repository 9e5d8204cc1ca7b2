"""Benchmark of the TrainingDashboard: ms per Play tick (training steps + every picture) and updates per second.

Run from the repository root:  python -m bench.bench_dashboard

Two moons (200 points, 150 for training), MLP 2-16-16-1 with tanh, BCE on
logits, Adam.  A tick is what the Play timer asks the kernel for: train
``steps_per_tick`` steps, then redraw the decision boundary (the model on a
60 x 60 grid, PNG), the loss curves (PNG), the status line, and the graph of
the selected point (forward pass again, backward walk again, SVG).  The time
the browser needs to show the pictures is not included.

1. Ticks by steps per tick: median and best ms per tick, and the updates per
   second the median allows.
2. Where a tick's time goes (median ms per part), early on and after 5,000
   steps (a long loss history), and the same pictures drawn without keeping
   their background (matplotlib draws the whole figure every time).
"""

from __future__ import annotations

import statistics
import time

from backprop_widgets.widgets.dashboard import TrainingDashboard

TICKS = 60


def median_and_best(times: list[float]) -> tuple[float, float]:
    return statistics.median(times) * 1000, min(times) * 1000


def time_ticks(steps_per_tick: int, ticks: int = TICKS) -> list[float]:
    dash = TrainingDashboard(data="moons", seed=0, steps_per_tick=steps_per_tick)
    dash.step(steps_per_tick)  # warm up: the first pictures lay out their backgrounds
    times = []
    for _ in range(ticks):
        start = time.perf_counter()
        dash.step(steps_per_tick)  # what a Play tick does when the kernel keeps up
        times.append(time.perf_counter() - start)
    return times


def ticks_table() -> None:
    print(f"Play ticks, moons 2-16-16-1, {TICKS} ticks each (training steps + both plots + status + point graph)")
    print(f"{'steps / tick':>12} {'median ms':>10} {'best ms':>8} {'updates / s':>12} {'steps / s':>10}")
    for steps in (1, 5, 20):
        median, best = median_and_best(time_ticks(steps))
        print(f"{steps:>12} {median:>10.1f} {best:>8.1f} {1000 / median:>12.1f} {steps * 1000 / median:>10.0f}")
    print()


def parts(dash: TrainingDashboard, steps: int, ticks: int, full_redraw: bool = False) -> dict[str, float]:
    """Median ms of each part of a tick."""
    timing: dict[str, list[float]] = {name: [] for name in ("train", "boundary", "loss", "status", "point graph")}
    actions = {
        "train": lambda: dash.training.step(steps),
        "boundary": lambda: dash._boundary.png(dash.training, dash.selected),
        "loss": lambda: dash._loss_plot.png(dash.training.history),
        "status": dash._show_status,
        "point graph": dash._update_point,
    }
    for _ in range(ticks):
        if full_redraw:  # forget the saved backgrounds: every picture drawn whole
            dash._boundary.picture._background = dash._loss_plot.picture._background = None
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            timing[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in timing.items()}


def parts_table() -> None:
    print("Where a tick's time goes (median ms, 5 steps per tick)")
    names = ("train", "boundary", "loss", "status", "point graph")
    print(f"{'case':<38}" + "".join(f"{name:>12}" for name in names) + f"{'total':>9}")
    dash = TrainingDashboard(data="moons", seed=0)
    rows = [("early (steps 0-300)", parts(dash, 5, TICKS))]
    rows.append(("same, whole figures drawn each time", parts(dash, 5, 20, full_redraw=True)))
    dash.training.step(5000 - dash.training.steps)
    rows.append(("after 5,000 steps", parts(dash, 5, TICKS)))
    for case, times in rows:
        print(f"{case:<38}" + "".join(f"{times[name]:>12.1f}" for name in names) + f"{sum(times.values()):>9.1f}")
    print()


def main() -> None:
    ticks_table()
    parts_table()


if __name__ == "__main__":
    main()
