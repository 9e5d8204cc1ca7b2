"""Two backward passes side by side, one Step button: the same network in the kit's ``Tensor`` and in PyTorch.

``Lockstep(kit_loss, torch_loss)`` shows two ``BackwardStepper``s, the kit's
engine on the left and PyTorch's own backward graph on the right, driven by one
row of buttons; after each step it says whether the two contributions agree
(their largest difference), so a student sees that ``loss.backward()`` does, step
for step, what their own engine does.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from ..engine import backward_steps
from ..engine.foreign import as_graph
from .stepper import BackwardStepper

__all__ = ["Lockstep"]

# The narrowest a half is drawn side by side: a stepper's picture of a small network opens whole in it with its
# text at 10 px (lesson 10's two-layer network, top to bottom, is 530 px wide). A laptop's notebook cell (about
# 940 px) holds one such half, a desktop's (about 1,500 px) two.
HALF_WIDTH = "560px"
OWN_CONTROLS = ("reset", "back", "step", "play", "speed", "run")  # each stepper's buttons: one row drives both


class Lockstep(widgets.VBox):
    """The kit's backward pass of ``kit_loss`` beside PyTorch's of ``torch_loss``, stepped together.

    Both graphs must take the same steps (the same ops, in the same order, with
    the same inputs requiring a gradient); ``model`` names the PyTorch side's
    parameters.  ``step()``, ``back()``, ``reset()`` and ``run()`` do what the
    buttons do; ``differences()`` gives, for every step, the largest difference
    between the two contributions.
    """

    children: tuple

    def __init__(self, kit_loss: Any, torch_loss: Any, *, model: Any = None) -> None:
        torch_root = as_graph(torch_loss, model=model)
        _share_names(kit_loss, torch_root)
        self.kit = BackwardStepper(kit_loss, hide=OWN_CONTROLS, record=False)
        self.torch = BackwardStepper(torch_root, hide=OWN_CONTROLS, record=False)
        for side in (self.kit, self.torch):
            side.view.fold_to_fit = False  # a folded group is one step: the two walks would no longer match
        if len(self.kit.walk) != len(self.torch.walk):
            kit_ops = [n.op for n in self.kit.walk.order if n.op]
            torch_ops = [n.op for n in self.torch.walk.order if n.op]
            raise ValueError(
                f"the two graphs take different steps ({len(self.kit.walk)} in the kit, {len(self.torch.walk)} in "
                f"PyTorch): the kit's ops {kit_ops} against PyTorch's {torch_ops}. Write both with the same ops."
            )
        self.reset_button = widgets.Button(description="Reset", icon="fast-backward")
        self.back_button = widgets.Button(description="Back", icon="step-backward")
        self.step_button = widgets.Button(description="Step", icon="step-forward", button_style="primary")
        self.run_button = widgets.Button(description="Run to end", icon="fast-forward")
        self.verdict = widgets.HTML()
        for button, action in (
            (self.reset_button, self.reset),
            (self.back_button, self.back),
            (self.step_button, self.step),
            (self.run_button, self.run),
        ):
            button.on_click(lambda _, act=action: act())
        bar = widgets.HBox([self.reset_button, self.back_button, self.step_button, self.run_button, self.verdict])
        # two equal halves with a gutter between them, whatever each picture's own width; in a cell too narrow
        # for two halves of HALF_WIDTH, one above the other (each picture then has the whole width to open in)
        half = {"flex": f"1 1 {HALF_WIDTH}", "min_width": "0"}
        sides = widgets.HBox(
            [
                widgets.VBox(
                    [widgets.HTML("<b>Your engine</b> (the kit's Tensor)"), self.kit],
                    layout=widgets.Layout(margin="0 16px 8px 0", **half),
                ),
                widgets.VBox(
                    [widgets.HTML("<b>PyTorch</b> (loss.grad_fn and its next_functions)"), self.torch],
                    layout=widgets.Layout(margin="0 0 8px 0", **half),
                ),
            ],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        super().__init__([bar, sides])
        self.add_class("bpw-lockstep")
        self._say()

    # ---- what the buttons do ---------------------------------------------------

    def _both(self, action: str) -> None:
        getattr(self.kit, action)()
        getattr(self.torch, action)()
        self._say()

    def step(self) -> None:
        self._both("step")

    def back(self) -> None:
        self._both("back")

    def reset(self) -> None:
        self._both("reset")

    def run(self) -> None:
        self._both("run")

    @property
    def position(self) -> int:
        return self.kit.walk.position

    # ---- do they agree ---------------------------------------------------------

    def differences(self) -> list[float]:
        """For every step, the largest difference between the kit's contribution and PyTorch's."""
        return [
            float(np.max(np.abs(np.asarray(a.contribution) - np.asarray(b.contribution))))
            for a, b in zip(self.kit.walk.steps, self.torch.walk.steps, strict=True)
        ]

    def _say(self) -> None:
        k, n = self.position, len(self.kit.walk)
        if k == 0:
            self.verdict.value = f"step 0 of {n}: both start with ∂loss/∂loss = 1"
            return
        a, b = self.kit.walk.current, self.torch.walk.current
        gap = self.differences()[k - 1]
        same = "the same contribution" if gap <= 1e-9 * (1 + float(np.max(np.abs(a.contribution)))) else "DIFFERENT"
        self.verdict.value = (
            f"step {k} of {n}: {a.node.op} in the kit, {b.node.op} in PyTorch: {same} (largest difference {gap:.2g})"
        )

    def __repr__(self) -> str:
        return f"Lockstep(step {self.position} of {len(self.kit.walk)})"


def _share_names(kit_root: Any, torch_root: Any) -> None:
    """Give PyTorch's unnamed leaves the names of the kit's tensors they meet step for step (W1, b1, ...)."""
    for a, b in zip(backward_steps(kit_root, constants=False), backward_steps(torch_root), strict=False):
        if not a.parent.parents and not b.parent.parents and a.parent.label and not b.parent.label:
            b.parent.label = a.parent.label
