"""PyTorch is optional: without it the kit imports, never imports torch, and a torch object gets a sentence saying how."""

from __future__ import annotations

import subprocess

from .without import run_without


def run_without_torch(code: str) -> subprocess.CompletedProcess:
    return run_without(("torch",), code)


def test_the_blocker_blocks():
    result = run_without_torch("import torch")
    assert result.returncode != 0 and "cannot be imported here" in result.stderr


def test_the_kit_works_without_torch_and_says_how_to_get_it():
    result = run_without_torch(
        """
        import sys
        from backprop_widgets import BackwardStepper, Tensor, Value, draw, nn
        from backprop_widgets.engine.torch_graph import TorchGraphError

        x = Value(2.0, label="x")
        BackwardStepper(x * x + 1).run()
        draw((Tensor([1.0, 2.0], label="w") ** 2).sum())

        class FakeTensor:  # what a torch tensor looks like from outside: its type's module is torch's
            data, grad = 1.0, None
        FakeTensor.__module__ = "torch"
        try:
            draw(FakeTensor())
        except TorchGraphError as error:
            print("said:", error)
        assert "torch" not in sys.modules, "something imported torch"
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert "said: this is a PyTorch object, and PyTorch is not installed here" in result.stdout
    assert "pip install 'backprop_widgets[torch]'" in result.stdout
    assert result.stdout.strip().endswith("ok")
