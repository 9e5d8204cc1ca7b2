"""Benchmark of stepping PyTorch's own backward graph: a 100k-parameter MLP (784-128-10, batch 64).

Run from the repository root:  python -m bench.bench_torch   (needs the torch extra)
Times, median of several runs: mirroring ``loss.grad_fn`` into kit nodes, recording every step,
building ``BackwardStepper(loss, model=net)`` (mirror, picture model, walk), ten Step clicks,
the whole walk to the end, and ``PathView`` on the first layer's weight, against
``torch.autograd.grad`` for the same gradients.
"""

from __future__ import annotations

import statistics
import time

from backprop_widgets import BackwardStepper, PathView
from backprop_widgets.engine import backward_steps
from backprop_widgets.engine.torch_graph import torch_graph


def model_and_loss():
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    x, labels = torch.randn(64, 784), torch.randint(0, 10, (64,))
    return net, torch.nn.functional.cross_entropy(net(x), labels)


def median_ms(action, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: skipped (pip install 'backprop_widgets[torch]')")
        return
    torch.set_num_threads(1)  # one core, as the kit's numpy uses: on a shared machine threads only contend
    net, loss = model_and_loss()
    parameters = list(net.parameters())
    print(f"MLP 784-128-10, batch 64: {sum(p.numel() for p in parameters):,} parameters")

    def ten_steps():
        stepper = BackwardStepper(loss, model=net)
        start = time.perf_counter()
        for _ in range(10):
            stepper.step()
        return time.perf_counter() - start

    rows = [
        ("mirror loss.grad_fn (torch_graph)", median_ms(lambda: torch_graph(loss, model=net))),
        ("record every step (backward_steps)", median_ms(lambda: list(backward_steps(torch_graph(loss))))),
        ("BackwardStepper(loss, model=net)", median_ms(lambda: BackwardStepper(loss, model=net))),
        ("10 Step clicks", statistics.median(ten_steps() for _ in range(5)) * 1000),
        ("BackwardStepper + Run to end", median_ms(lambda: BackwardStepper(loss, model=net).run())),
        ("PathView(loss, wrt=0.weight)", median_ms(lambda: PathView(loss, wrt=net[0].weight, model=net))),
        (
            "torch.autograd.grad (for scale)",
            median_ms(lambda: torch.autograd.grad(loss, parameters, retain_graph=True)),
        ),
    ]
    for name, ms in rows:
        print(f"{name:<38} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
