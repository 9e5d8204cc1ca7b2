"""``TrainingDashboard``: train a small network live; watch its loss, its decision boundary, one point's backward pass.

Only the wiring of controls lives here: the run itself is ``nn.run.TrainingRun`` and its
pictures are ``render.plots``.
"""

from __future__ import annotations

import html
import math
import time
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..engine import evaluate, format_number
from ..nn.layers import layer_number
from ..nn.run import Record, TrainingRun, load_data
from ..palette import OKABE_ITO
from ..render.plots import BoundaryPlot, LossPlot
from .options import DASHBOARD_CONTROLS, STEPPER_CONTROLS, resolve, resolve_hide
from .stepper import BackwardStepper

# TrainingRun, Record and load_data live in nn.run; named here too, where they were first imported from.
__all__ = ["TrainingDashboard", "TrainingRun", "Record", "load_data"]

PLAY_TICKS = 10**9  # the Play widget's maximum: in practice, until paused


class TrainingDashboard(widgets.VBox):
    """Train a network on points in the plane and watch it learn, all views linked.

    ``Play`` trains ``steps_per_tick`` steps every ``interval`` ms (a timer in
    the browser, so the kernel stays free between updates), ``Train 1 step``
    trains one step, ``Reset training`` goes back to the starting weights (the same seed gives
    the same run).  The learning-rate slider and the batch-size menu act on
    the next step.  Above the controls: the decision boundary with the data,
    and the loss on the training and held-out points.  Below: one training
    point (chosen with the slider, circled in the boundary picture) going
    through the network, as a graph whose backward pass can be stepped, and
    each layer's delta δ = ∂L/∂z for that point.  (So after an update the
    weights' ``grad`` hold that point's gradients, the ones the graph shows.)

    ``model`` defaults to an ``MLP([2, 16, 16, 1])`` with tanh; ``data``,
    ``loss``, ``optimizer``, ``lr``, ``batch_size``, ``held_out``, ``seed`` and
    ``points`` are as for ``TrainingRun``.  ``step()``, ``reset()``,
    ``select(i)``, ``start()`` and ``pause()`` do what the controls do
    (``play`` is the Play widget itself).

    ``quiz``, ``hide_gradients`` and ``hide`` are as for ``BackwardStepper`` and
    act on the point's backward pass (``None``: the notebook-wide default, see
    ``configure``): unset or False, it starts at the end with every gradient
    shown; ``hide_gradients=True`` or a quiz starts at step 0.  ``hide`` also
    knows the dashboard's own ``"training"`` (Train, Train 1 step, Reset training and steps per
    update), ``"learning_rate"``, ``"batch_size"`` and ``"point"``.

    >>> dash = TrainingDashboard(seed=0)
    >>> dash.step(20)
    >>> dash
    TrainingDashboard(step 20, train loss 0.2...)
    """

    def __init__(
        self,
        model: Any = None,
        data: Any = "moons",
        *,
        loss: str = "bce",
        optimizer: str = "adam",
        lr: float = 0.05,
        batch_size: int | None = None,
        held_out: float = 0.25,
        seed: int = 0,
        points: int = 200,
        steps_per_tick: int = 1,
        interval: int = 100,
        quiz: bool | None = None,
        hide_gradients: bool | None = None,
        hide=None,
    ) -> None:
        quiz = resolve("quiz", quiz, "TrainingDashboard")  # checked before any training
        hide_gradients = resolve("hide_gradients", hide_gradients, "TrainingDashboard")
        self.hidden = set(resolve_hide(hide, DASHBOARD_CONTROLS, "TrainingDashboard"))
        self.training = TrainingRun(
            model,
            data,
            loss=loss,
            optimizer=optimizer,
            lr=lr,
            batch_size=batch_size,
            held_out=held_out,
            seed=seed,
            points=points,
        )
        n_train = len(self.training.X_train)
        self._boundary = BoundaryPlot(self.training)
        self._loss_plot = LossPlot(self.training.loss_name, held_out=len(self.training.X_held) > 0)
        self._finished_tick = -math.inf  # when the last Play tick was done (see _on_tick)

        self.boundary_image = widgets.Image(format="png")
        self.loss_image = widgets.Image(format="png")
        self.play = widgets.Play(
            value=0,
            min=0,
            max=PLAY_TICKS,
            step=1,
            interval=interval,
            show_repeat=False,
            description="Train",
            tooltip="train / pause",
        )
        self.step_button = widgets.Button(
            description="Train 1 step", icon="step-forward", tooltip="one training step", button_style="primary"
        )
        self.reset_button = widgets.Button(
            description="Reset training", icon="fast-backward", tooltip="back to the starting weights (step 0)"
        )
        exponent = math.log10(lr)
        self.lr_slider = widgets.FloatLogSlider(
            value=lr,
            base=10,
            min=min(-4, math.floor(exponent)),
            max=max(0, math.ceil(exponent)),
            step=0.1,
            description="learning rate",
            readout_format=".2g",
            style={"description_width": "initial"},
        )
        self.batch_menu = widgets.Dropdown(
            options=_batch_options(n_train, self.training.batch_size),
            value=self.training.batch_size,
            description="batch size",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="180px"),
        )
        self.speed_slider = widgets.IntSlider(
            value=steps_per_tick,
            min=1,
            max=max(50, steps_per_tick),
            description="steps / update",
            style={"description_width": "initial"},
        )
        self.status = widgets.HTML()
        self.status.add_class("bpw-status")

        self.point_slider = widgets.IntSlider(
            value=0, min=0, max=n_train - 1, description="training point", style={"description_width": "initial"}
        )
        self.point_info = widgets.HTML()
        self._point_loss = self.training.point_loss(0)
        hide = tuple(self.hidden & set(STEPPER_CONTROLS)) + ("play", "speed")  # the dashboard's Play trains
        # unset, every gradient is shown (the stepper at the end, Reset to step through); a quiz starts at step 0
        self.stepper = BackwardStepper(self._point_loss, quiz=quiz, hide_gradients=bool(hide_gradients), hide=hide)
        # two rows of buttons on one screen: the backward pass's say what they walk
        self.stepper.step_button.description = "Backprop step"
        self.stepper.reset_button.description = "Backprop start"
        self.deltas = widgets.HTML()

        self.play.observe(self._on_tick, names="value")
        self.play.observe(self._on_playing, names="playing")
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.lr_slider.observe(self._on_lr, names="value")
        self.batch_menu.observe(self._on_batch_size, names="value")
        self.point_slider.observe(lambda change: self._show_point(change["new"]), names="value")
        self.stepper.play.observe(lambda _: self._show_deltas(), names="value")  # it follows every move

        own = {
            "training": (self.play, self.step_button, self.reset_button, self.speed_slider),
            "learning_rate": (self.lr_slider,),
            "batch_size": (self.batch_menu,),
            "point": (self.point_slider,),
        }
        for name in self.hidden & set(own):
            for control in own[name]:
                control.layout.display = "none"
        controls = widgets.HBox(
            [self.play, self.step_button, self.reset_button, self.lr_slider, self.batch_menu, self.speed_slider],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        heading = widgets.HTML(
            "<b>One training point through the network</b>: its loss L, and the backward pass "
            "that gives every weight its share of the gradient."
        )
        super().__init__(
            [
                widgets.HBox([self.boundary_image, self.loss_image], layout=widgets.Layout(flex_flow="row wrap")),
                controls,
                self.status,
                heading,
                widgets.HBox([self.point_slider, self.point_info], layout=widgets.Layout(align_items="center")),
                self.stepper,
                self.deltas,
            ]
        )
        self.add_class("bpw-dashboard")
        self.refresh()

    # ---- public actions -----------------------------------------------------------

    @property
    def model(self) -> Any:
        """The network being trained."""
        return self.training.model

    @property
    def history(self) -> list[Record]:
        """One ``Record(step, train_loss, held_out_loss, accuracy)`` per step, from step 0."""
        return self.training.history

    @property
    def selected(self) -> int:
        """The index of the training point whose graph is shown."""
        return self.point_slider.value

    def step(self, n: int = 1) -> None:
        """Train ``n`` steps, then refresh every view."""
        self.training.step(n)
        self.refresh()

    def reset(self) -> None:
        """Back to the starting weights and step 0 (the learning rate and batch size stay as set)."""
        self.training.reset()
        self.refresh()

    def select(self, i: int) -> None:
        """Show training point ``i``: circled in the boundary picture, its graph below."""
        if not 0 <= i < len(self.training.X_train):
            raise IndexError(
                f"there are {len(self.training.X_train)} training points: choose 0 to "
                f"{len(self.training.X_train) - 1}, not {i}"
            )
        self.point_slider.value = i  # its observer shows the point

    def start(self) -> None:
        """Press Play: the browser's timer then trains a little every ``interval`` ms, until ``pause()``."""
        self.play.playing = True

    def pause(self) -> None:
        self.play.playing = False

    def refresh(self) -> None:
        """Draw every view again from the model as it is now."""
        self._draw_plots()
        self._show_status()
        self._update_point()

    # ---- internals -------------------------------------------------------------------

    def _draw_plots(self) -> None:
        self.boundary_image.value = self._boundary.png(self.training, self.selected)
        self.loss_image.value = self._loss_plot.png(self.training.history)

    def _on_tick(self, change) -> None:
        """A tick of the Play timer: train, and redraw unless the kernel is behind the timer.

        The browser sends a tick every ``interval`` ms whether or not the last
        one is done.  A tick that arrives right after the previous one finished
        was waiting in the queue: it trains but skips the pictures, so a slow
        machine draws less often instead of falling ever further behind.
        """
        if change["new"] <= change["old"]:  # the Play's stop button, or a reset of its counter
            return
        started = time.perf_counter()
        behind = started - self._finished_tick < 0.2 * self.play.interval / 1000
        self.training.step(self.speed_slider.value)
        self._show_status()
        if not behind:
            self._draw_plots()
            self._update_point()
        self._finished_tick = time.perf_counter()

    def _on_playing(self, change) -> None:
        if not change["new"]:  # paused: make sure the pictures show the last step
            self.refresh()

    def _on_lr(self, change) -> None:
        self.training.lr = change["new"]

    def _on_batch_size(self, change) -> None:
        self.training.batch_size = change["new"]

    def _show_status(self) -> None:
        last = self.training.history[-1]
        parts = [f"step {last.step}", f"train loss {format_number(last.train_loss, 3)}"]
        parts.append(f"train accuracy {last.accuracy:.0%}")
        if len(self.training.X_held):
            parts.insert(2, f"held-out loss {format_number(last.held_out_loss, 3)}")
            parts.append(f"held-out accuracy {self.training.held_out_accuracy():.0%}")
        text = html.escape(" · ".join(parts))
        if not math.isfinite(last.train_loss):
            text += (
                f'<br><span style="color:{OKABE_ITO["vermillion"]}">The loss is no longer a number: the steps were too big. '
                "Lower the learning rate and press Reset.</span>"
            )
        self.status.value = text

    def _show_point(self, i: int) -> None:
        """A new point was chosen: its own graph (same shape, so the same layout), and the boundary's circle."""
        position = self.stepper.position
        self._point_loss = self.training.point_loss(i)
        self.stepper.rebuild(self._point_loss)
        self.stepper.goto(position)
        self.boundary_image.value = self._boundary.png(self.training, i)
        self._show_point_info()
        self._show_deltas()

    def _update_point(self) -> None:
        """The weights changed: recompute the point's forward pass and walk it again, at the same position."""
        evaluate(self._point_loss)
        self.stepper.rebuild()
        self._show_point_info()
        self._show_deltas()

    def _show_point_info(self) -> None:
        training, i = self.training, self.selected
        x1, x2 = training.X_train[i]
        label = int(training.y_train[i])
        score = float(training.scores(training.X_train[i : i + 1])[0])
        right = (score > training.threshold) == (label == 1)
        self.point_info.value = (
            f"x = ({format_number(x1, 3)}, {format_number(x2, 3)}), class {label} · "
            f"model output {format_number(score, 3)} "
            f"({'right' if right else 'wrong'} side of {format_number(training.threshold)}) · "
            f"loss L = {format_number(float(self._point_loss.data), 3)}"
        )

    def _show_deltas(self) -> None:
        """Each layer's delta δ = ∂L/∂z, the error signal the backward pass hands to that layer."""
        walk = self.stepper.walk
        numbered = ((layer_number(node.label), node) for node in walk.order)
        layers = sorted(((number, node) for number, node in numbered if number is not None), reverse=True)
        if not layers:
            self.deltas.value = ""
            return
        rows = []
        for number, node in layers:
            state = walk.grad_state(node)
            shape = "×".join(str(n) for n in node.data.shape)
            if state.value is None:
                values = '<span style="color:#666">not reached yet: press Backprop step</span>'
            else:
                values = html.escape(", ".join(format_number(float(v), 3) for v in np.ravel(state.value)))
            rows.append(
                # a formula never breaks inside: "δ3 = ∂L/" above "∂z3" reads as two things
                f"<tr><td style='white-space:nowrap'>δ<sub>{number}</sub> = ∂L/∂z<sub>{number}</sub></td>"
                f"<td style='color:#666'>({shape})</td><td><code>{values}</code></td></tr>"
            )
        self.deltas.value = (
            "<div>Each layer's <b>delta</b>, the gradient of L with respect to the layer's output z, "
            "passed back from the loss:</div><table>" + "".join(rows) + "</table>"
        )

    def __repr__(self) -> str:
        loss = format_number(self.history[-1].train_loss, 3)
        return f"TrainingDashboard(step {self.training.steps}, train loss {loss})"


def _batch_options(n_train: int, chosen: int) -> list[tuple[str, int]]:
    """Powers of two below the number of training points, the chosen size, and all of them.

    >>> _batch_options(20, 20)
    [('1', 1), ('2', 2), ('4', 4), ('8', 8), ('16', 16), ('all 20', 20)]
    """
    sizes = {2**k for k in range(n_train.bit_length()) if 2**k < n_train} | {chosen}
    return [(f"all {n}" if n == n_train else str(n), n) for n in sorted(sizes)]
