"""Benchmark of the tensor engine: one training step of a 2-16-1 sigmoid network, three ways, and two moons.

Run from the repository root:  python -m bench.bench_train

1. One full-batch step (forward, mean squared error, backward, SGD update) on
   100 points, from the same starting weights, with ``Tensor``, with numpy by
   hand (the third article's formulas, batched), and with PyTorch on the CPU
   when it is installed (it is not a dependency).
2. The two-moons MLP 2-16-16-1 trained until it classifies every training
   point right: steps, seconds, accuracy.
"""

from __future__ import annotations

import time
import timeit

import numpy as np

from backprop_widgets import Tensor
from backprop_widgets.nn import (
    MLP,
    SGD,
    Adam,
    accuracy,
    as_input,
    binary_cross_entropy,
    hinge,
    make_moons,
    mse,
    train_step,
)

LR = 0.5


# ---- 1. one step, three ways ---------------------------------------------------------


def tensor_stepper(X, t):
    model = MLP([2, 16, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    optimizer = SGD(model.parameters(), lr=LR)
    x = as_input(X)  # the data become graph leaves once, as in a training loop (fit does the same)
    target = Tensor(t.reshape(-1, 1), label="t", constant=True)

    def step():
        return train_step(model, mse, x, target, optimizer)

    return step, model


def numpy_stepper(X, t, model):
    """The article's formulas, a batch of rows at a time: W_l is N_l x N_(l-1), so z_l = h_(l-1) W_lᵀ + b_l."""
    W1, W2 = model.layers[0].W.data.T.copy(), model.layers[1].W.data.T.copy()  # the article's convention
    b1, b2 = model.layers[0].b.data.copy(), model.layers[1].b.data.copy()
    t = t.reshape(-1, 1).astype(np.float64)
    n = t.size

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def step():
        nonlocal W1, W2, b1, b2  # updated in place below
        z1 = X @ W1.T + b1
        h1 = sigmoid(z1)
        z2 = h1 @ W2.T + b2
        y = sigmoid(z2)
        loss = np.mean((y - t) ** 2)
        delta = 2.0 * (y - t) / n  # ∇C at y
        signal2 = delta * y * (1.0 - y)  # δ ⊙ σ'(z2)
        grad_W2 = signal2.T @ h1  # (δ ⊙ σ'(z2)) ⊗ h1, summed over the batch
        grad_b2 = signal2.sum(axis=0)
        delta = signal2 @ W2  # W2ᵀ (δ ⊙ σ'(z2)), one row per point
        signal1 = delta * h1 * (1.0 - h1)  # δ ⊙ σ'(z1)
        grad_W1 = signal1.T @ X
        grad_b1 = signal1.sum(axis=0)
        W1 -= LR * grad_W1
        b1 -= LR * grad_b1
        W2 -= LR * grad_W2
        b2 -= LR * grad_b2
        return float(loss)

    return step


def torch_stepper(X, t, model):
    try:
        import torch
    except ImportError:
        return None, None
    torch.set_num_threads(1)
    first, second = model.layers
    net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Sigmoid(), torch.nn.Linear(16, 1), torch.nn.Sigmoid())
    net = net.double()
    with torch.no_grad():  # the same starting weights (torch keeps W as out x in, like the article)
        net[0].weight.copy_(torch.from_numpy(first.W.data.T))
        net[0].bias.copy_(torch.from_numpy(first.b.data))
        net[2].weight.copy_(torch.from_numpy(second.W.data.T))
        net[2].bias.copy_(torch.from_numpy(second.b.data))
    inputs = torch.from_numpy(X)
    targets = torch.from_numpy(t.reshape(-1, 1).astype(np.float64))
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(net(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step, torch.__version__


def time_per_step(step, number: int) -> float:
    """One run of ``number`` steps, in microseconds per step."""
    return timeit.timeit(step, number=number) / number * 1e6


def one_step_table(points: int, rounds: int, number: int) -> None:
    X, y = make_moons(points, noise=0.1, seed=0)
    t = y.astype(np.float64)
    tensor_step, model = tensor_stepper(X, t)
    numpy_step = numpy_stepper(X, t, model)  # copies the weights before any step
    torch_step, torch_version = torch_stepper(X, t, model)

    # The three compute the same thing: the same losses over the first steps.
    rows = [("Tensor (backprop_widgets)", tensor_step), ("numpy by hand (article)", numpy_step)]
    if torch_step is not None:
        rows.append((f"PyTorch {torch_version} eager CPU", torch_step))
    losses = {name: [step() for _ in range(3)] for name, step in rows}
    reference = losses[rows[1][0]]
    for name, values in losses.items():
        worst = max(abs(a - b) for a, b in zip(values, reference, strict=True))
        assert worst < 1e-12, f"{name} computes other losses than numpy by hand: {values} vs {reference}"

    times = {name: [] for name, _ in rows}
    for _ in range(rounds):  # short runs, interleaved, best of each: a busy machine slows all alike
        for name, step in rows:
            times[name].append(time_per_step(step, number))
    best = {name: min(values) for name, values in times.items()}
    numpy_time = best[rows[1][0]]
    print(f"One training step (forward, MSE, backward, SGD), 2-16-1 sigmoid net, {points:,} points, float64")
    print(f"{'implementation':<30} {'µs / step':>10} {'× numpy':>9}")
    for name, _ in rows:
        print(f"{name:<30} {best[name]:>10.1f} {best[name] / numpy_time:>9.2f}")
    if torch_step is None:
        print(f"{'PyTorch':<30} {'not installed':>10}")
    else:
        torch_time = best[rows[2][0]]
        print(
            f"Tensor is {torch_time / best[rows[0][0]]:.2f}× as fast as PyTorch eager (goal ≥ 1.5×), "
            f"{best[rows[0][0]] / numpy_time:.2f}× numpy's time (goal ≤ 2×)"
        )
    print(
        f"(same losses in all {len(rows)} to 1e-12 over 3 steps; best of {rounds} interleaved runs of {number} steps)"
    )
    print()


# ---- 2. two moons -------------------------------------------------------------------------


# (name, points, hidden activation, loss, optimiser, learning rate)
MOONS_SETUPS = [
    ("tanh, logits + BCE, Adam 0.05", 200, "tanh", "bce", Adam, 0.05),
    ("relu, hinge, SGD 0.1 (micrograd's demo)", 100, "relu", "hinge", SGD, 0.1),
]


def moons_run(points, activation, loss, optimizer, lr, seed, max_steps=5000) -> tuple[int, float, float]:
    """Train 2-16-16-1 (full batch) until every training point is on the right side; time it all."""
    X, y = make_moons(points, noise=0.1, seed=seed)
    start = time.perf_counter()
    model = MLP([2, 16, 16, 1], activation=activation, output_activation=None, rng=seed)
    opt = optimizer(model.parameters(), lr=lr)
    loss_fn = hinge if loss == "hinge" else (lambda scores, t: binary_cross_entropy(scores, t, logits=True))
    x = as_input(X)
    steps, acc = 0, 0.0
    while steps < max_steps:
        train_step(model, loss_fn, x, y, opt)
        steps += 1
        if steps % 10 == 0:
            acc = accuracy(model(x), y, threshold=0.0)
            if acc == 1.0:
                break
    return steps, time.perf_counter() - start, acc


def moons_table() -> None:
    print("Two moons (noise 0.1), MLP 2-16-16-1, full batch, until 100% training accuracy (checked every 10 steps)")
    print(f"{'setup':<42} {'points':>6} {'seed':>4} {'steps':>6} {'seconds':>8} {'accuracy':>9}")
    for name, points, activation, loss, optimizer, lr in MOONS_SETUPS:
        for seed in range(3):
            steps, seconds, acc = moons_run(points, activation, loss, optimizer, lr, seed)
            print(f"{name:<42} {points:>6} {seed:>4} {steps:>6} {seconds:>8.3f} {acc:>9.1%}")


def main() -> None:
    one_step_table(points=100, rounds=40, number=200)
    moons_table()


if __name__ == "__main__":
    main()
