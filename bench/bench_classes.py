"""Benchmark of ops written out and of a softmax classifier: Tensor beside numpy by hand and PyTorch eager, in one run.

Run from the repository root:  python -m bench.bench_classes

1. The 2-16-1 sigmoid step as a student writes it, one op at a time:
   ``((((X @ W1 + b1).sigmoid() @ W2 + b2).sigmoid() - Y) ** 2).mean()``, backward, SGD.
2. A softmax classifier step (CS231n's spiral: 300 points, three arms, 2-100-3 relu,
   cross-entropy, SGD), against CS231n's hand-written numpy step.
Each table's implementations compute the same losses (checked), and are timed in short
interleaved runs (100 of 30 steps each), best of each: a busy machine slows all alike, and
the more short runs, the likelier each implementation has some the machine left alone.

Run it more than once: a process can also land in a state of its C heap where the memory freed at the
end of each step goes back to the system and the 240 kB arrays of the classifier fault their pages in
again on every step.  Then the Tensor and PyTorch classifier steps take 1.5 to 3 times as long (the
numpy step, which holds fewer arrays at once, much less), in that run only.
"""

from __future__ import annotations

import os
import timeit
from collections.abc import Callable

import numpy as np

from backprop_widgets import Tensor
from backprop_widgets.nn import cross_entropy, make_moons, make_spiral

LR = 0.5


def _torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def sgd_steps(start: list, lr: float, loss_of_tensors: Callable, loss_of_torch: Callable) -> dict[str, Callable]:
    """One SGD step on the parameters ``start``, with Tensor and (if installed) with PyTorch eager, by name."""
    params = [Tensor(p) for p in start]

    def tensor_step() -> float:
        loss = loss_of_tensors(*params)
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return float(loss.data)

    steps: dict[str, Callable] = {"Tensor": tensor_step}
    torch = _torch()
    if torch is not None:
        weights = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in start]

        def torch_step() -> float:
            loss = loss_of_torch(*weights)
            loss.backward()
            with torch.no_grad():
                for p in weights:
                    p -= lr * p.grad
                    p.grad = None
            return loss.item()

        steps[f"PyTorch {torch.__version__} eager"] = torch_step
    return steps


# ---- 1. the sigmoid step written out ---------------------------------------------------------


def written_out(points: int = 100) -> dict[str, Callable[[], float]]:
    X, y = make_moons(points, noise=0.1, seed=0)
    Y = y.reshape(-1, 1).astype(np.float64)
    rng = np.random.default_rng(0)
    start = [rng.normal(size=(2, 16)) * 0.5, np.zeros(16), rng.normal(size=(16, 1)) * 0.5, np.zeros(1)]
    x, t = Tensor(X, constant=True), Tensor(Y, constant=True)
    torch = _torch()
    tx, tt = (torch.from_numpy(X), torch.from_numpy(Y)) if torch is not None else (None, None)
    steps = sgd_steps(
        start,
        LR,
        lambda W1, b1, W2, b2: ((((x @ W1 + b1).sigmoid() @ W2 + b2).sigmoid() - t) ** 2).mean(),
        lambda W1, b1, W2, b2: ((((tx @ W1 + b1).sigmoid() @ W2 + b2).sigmoid() - tt) ** 2).mean(),
    )
    W1, b1, W2, b2 = (p.copy() for p in start)

    def numpy_step() -> float:
        nonlocal W1, b1, W2, b2  # updated in place below
        h = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
        out = 1.0 / (1.0 + np.exp(-(h @ W2 + b2)))
        diff = out - Y
        loss = np.mean(diff**2)
        d_z2 = (2.0 / diff.size) * diff * out * (1.0 - out)
        d_h = d_z2 @ W2.T
        d_z1 = d_h * h * (1.0 - h)
        W2 -= LR * (h.T @ d_z2)
        b2 -= LR * d_z2.sum(axis=0)
        W1 -= LR * (X.T @ d_z1)
        b1 -= LR * d_z1.sum(axis=0)
        return float(loss)

    rows = {"Tensor, written out": steps.pop("Tensor"), "numpy by hand": numpy_step}
    return rows | steps


# ---- 2. a softmax classifier step --------------------------------------------------------------


def softmax_classifier(points: int = 300, hidden: int = 100, lr: float = 1.0) -> dict[str, Callable[[], float]]:
    X, y = make_spiral(points, classes=3, seed=0)
    rng = np.random.default_rng(0)
    start = [0.01 * rng.normal(size=(2, hidden)), np.zeros(hidden), 0.01 * rng.normal(size=(hidden, 3)), np.zeros(3)]
    x = Tensor(X, constant=True)
    torch = _torch()
    tx, ty = (torch.from_numpy(X), torch.from_numpy(y)) if torch is not None else (None, None)
    steps = sgd_steps(
        start,
        lr,
        lambda W1, b1, W2, b2: cross_entropy((x @ W1 + b1).relu() @ W2 + b2, y),
        lambda W1, b1, W2, b2: torch.nn.functional.cross_entropy((tx @ W1 + b1).relu() @ W2 + b2, ty),
    )
    W1, b1, W2, b2 = (p.copy() for p in start)
    n = len(y)
    rows_n = np.arange(n)

    def numpy_step() -> float:  # CS231n's "Putting it together: training a neural network"
        nonlocal W1, b1, W2, b2  # updated in place below
        hidden_layer = np.maximum(0, X @ W1 + b1)
        scores = hidden_layer @ W2 + b2
        exp_scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
        loss = -np.log(probs[rows_n, y]).mean()
        dscores = probs
        dscores[rows_n, y] -= 1
        dscores /= n
        dW2 = hidden_layer.T @ dscores
        db2 = dscores.sum(axis=0)
        dhidden = dscores @ W2.T
        dhidden[hidden_layer <= 0] = 0
        dW1 = X.T @ dhidden
        db1 = dhidden.sum(axis=0)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
        return float(loss)

    rows = {"Tensor + cross_entropy": steps.pop("Tensor"), "numpy by hand (CS231n)": numpy_step}
    return rows | steps


def table(title: str, rows: dict[str, Callable[[], float]], rounds: int = 100, number: int = 30) -> dict[str, float]:
    """Check the implementations agree on their first losses, time them, print the table; µs per step by name."""
    losses = {name: [step() for _ in range(3)] for name, step in rows.items()}
    reference = list(losses.values())[1]  # numpy by hand
    for name, values in losses.items():
        worst = max(abs(a - b) for a, b in zip(values, reference, strict=True))
        assert worst < 1e-10, f"{name} computes other losses than numpy by hand: {values} vs {reference}"
    times: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(rounds):
        for name, step in rows.items():
            times[name].append(timeit.timeit(step, number=number) / number * 1e6)
    best = {name: min(values) for name, values in times.items()}
    numpy_time = list(best.values())[1]
    print(title)
    print(f"{'implementation':<30} {'µs / step':>10} {'× numpy':>9}")
    for name, t in best.items():
        print(f"{name:<30} {t:>10.1f} {t / numpy_time:>9.2f}")
    if len(best) > 2:
        torch_time, ours = list(best.values())[2], list(best.values())[0]
        print(f"PyTorch eager takes {torch_time / ours:.2f}x the Tensor step's time")
    else:
        print("PyTorch: not installed")
    return best


def main() -> None:
    torch = _torch()
    threads = f"PyTorch on {torch.get_num_threads()} thread" if torch is not None else "PyTorch not installed"
    print(f"float64 in all three; {threads}; load average {os.getloadavg()[0]:.2f} at the start")
    table("The 2-16-1 sigmoid step written out (** 2, −, .mean()), 100 points, float64", written_out())
    print()
    table(
        "A softmax classifier step: spiral, 300 points, 2-100-3 relu, cross-entropy, SGD, float64", softmax_classifier()
    )
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
