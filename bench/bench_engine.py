"""Benchmark of the scalar engine: forward + backward of a 2-16-16-1 MLP on 100 points.

Run from the repository root:  python -m bench.bench_engine
micrograd (pip install micrograd) is timed beside it when it is installed.
"""

from __future__ import annotations

import random
import statistics
import time

from backprop_widgets import Value


def mlp_loss(value_cls, params, points, labels, act):
    """Mean squared error of a 2-16-16-1 relu MLP written with scalar values."""
    (w1, b1), (w2, b2), (w3, b3) = params
    total = value_cls(0.0)
    for (x0, x1), t in zip(points, labels, strict=True):
        h1 = [act(w[0] * x0 + w[1] * x1 + b) for w, b in zip(w1, b1, strict=True)]
        h2 = [act(sum((wi * hi for wi, hi in zip(w, h1, strict=True)), b)) for w, b in zip(w2, b2, strict=True)]
        y = sum((wi * hi for wi, hi in zip(w3[0], h2, strict=True)), b3[0])
        total = total + (y - t) * (y - t)
    return total * (1.0 / len(points))


def make_params(value_cls, seed=0):
    rng = random.Random(seed)

    def layer(n_in, n_out):
        w = [[value_cls(rng.uniform(-1, 1)) for _ in range(n_in)] for _ in range(n_out)]
        b = [value_cls(0.0) for _ in range(n_out)]
        return w, b

    return [layer(2, 16), layer(16, 16), layer(16, 1)]


def time_engine(value_cls, act, repeats=5):
    rng = random.Random(1)
    points = [(rng.uniform(-2, 2), rng.uniform(-2, 2)) for _ in range(100)]
    labels = [1.0 if x0 * x1 > 0 else -1.0 for x0, x1 in points]
    params = make_params(value_cls)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        loss = mlp_loss(value_cls, params, points, labels, act)
        loss.backward()
        times.append(time.perf_counter() - start)
    return statistics.median(times), loss.data


def main() -> None:
    rows = [("backprop_widgets", *time_engine(Value, lambda v: v.relu()))]
    try:
        from micrograd.engine import Value as MicrogradValue
    except ImportError:
        rows.append(("micrograd", None, None))
    else:
        rows.append(("micrograd", *time_engine(MicrogradValue, lambda v: v.relu())))
    print("forward + backward, 2-16-16-1 relu MLP, 100 points (median of 5)")
    print(f"{'engine':<18} {'time':>10} {'loss':>12}")
    for name, seconds, loss in rows:
        if seconds is None:
            print(f"{name:<18} {'not installed':>10}")
        else:
            print(f"{name:<18} {seconds * 1000:>8.0f} ms {loss:>12.6f}")


if __name__ == "__main__":
    main()
