"""``TrainingDashboard``: train a small network live; watch its loss, its decision boundary, one point's backward pass."""

from __future__ import annotations

import html
import io
import math
import re
import time
from typing import Any, NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from ..engine import Tensor, evaluate, format_number
from ..engine.tensor_ops import sigmoid
from ..nn import DATASETS, LOSSES, MLP, OPTIMIZERS, accuracy, as_input, binary_cross_entropy, train_step
from .options import DASHBOARD_CONTROLS, STEPPER_CONTROLS, resolve, resolve_hide
from .stepper import BackwardStepper

__all__ = ["TrainingDashboard", "TrainingRun", "Record"]

# Okabe-Ito colours (safe for colour-blind readers), as in the graph pictures.
CLASS_COLOURS = ("#e69f00", "#0072b2")  # class 0 orange, class 1 blue
CLASS_MARKERS = ("o", "s")  # and a shape each, so colour is never the only cue
TRAIN_COLOUR, HELD_OUT_COLOUR = "#0072b2", "#d55e00"
# The background: light orange where the model says class 0, white on the boundary, light blue for class 1.
BELIEF_COLOURS = LinearSegmentedColormap.from_list("belief", ["#f2cf7f", "#ffffff", "#7fb8d8"])

GRID = 60  # the boundary picture evaluates the model on GRID x GRID points
FIGURE_SIZE = (4.2, 3.6)  # inches, at DPI dots per inch: 378 x 324 pixels
DPI = 90
PLAY_TICKS = 10**9  # the Play widget's maximum: in practice, until paused


class Record(NamedTuple):
    """One row of the history: the losses and accuracy after ``step`` updates."""

    step: int
    train_loss: float
    held_out_loss: float  # nan when there is no held-out set
    accuracy: float  # on the training points


def _choose(kind: str, name: Any, table: dict) -> str:
    if not isinstance(name, str) or name not in table:
        raise ValueError(f"unknown {kind} {name!r}; choose one of {sorted(table)}")
    return name


def load_data(data: Any, points: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points and 0/1 labels from a dataset name (see ``nn.DATASETS``) or an ``(X, y)`` pair, checked.

    >>> X, y = load_data("xor", 8, seed=0)
    >>> X.shape, y.tolist().count(1)
    ((8, 2), 4)
    >>> load_data(([[0, 0], [1, 1]], [-1, 1]), 0, 0)[1].tolist()  # labels -1/1 become 0/1
    [0, 1]
    """
    if isinstance(data, str):
        return DATASETS[_choose("dataset", data, DATASETS)](points, seed=seed)
    try:
        X, y = data
    except (TypeError, ValueError):
        raise ValueError(
            f"data must be a dataset name ({sorted(DATASETS)}) or a pair (X, y), not {type(data).__name__}"
        ) from None
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), one row (x₁, x₂) per point; got shape {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"y must hold one label per point, shape ({len(X)},); got shape {y.shape}")
    labels = set(np.unique(y).tolist())
    if not (labels <= {0, 1} or labels <= {-1, 1}):
        raise ValueError(f"labels must be 0 and 1 (or -1 and 1); got {sorted(labels)}")
    return X, (y > 0).astype(np.int64)


def bce_on_logits(scores: Tensor, target: Any) -> Tensor:
    """Binary cross-entropy for a model that gives raw scores (logits): exact for any score."""
    return binary_cross_entropy(scores, target, logits=True)


def default_model(loss: str, seed: int) -> MLP:
    """The network a dashboard trains if given none: 2-16-16-1 with tanh, raw scores out (sigmoid for mse and l1)."""
    output = "sigmoid" if loss in ("mse", "l1") else None
    return MLP([2, 16, 16, 1], activation="tanh", output_activation=output, rng=seed)


class TrainingRun:
    """What a dashboard trains, without any widget: the data split, model, loss, optimiser and history.

    ``data`` is a name from ``nn.DATASETS`` (``points`` points, made with
    ``seed``) or an ``(X, y)`` pair.  A share ``held_out`` of the points is set
    aside (chosen with ``seed``) to measure how well the model does on points
    it never trained on.  ``batch_size=None`` trains on all training points at
    each step; a smaller batch is drawn at random (with ``seed``) each step.

    The model's output is read as a probability when it ends in a sigmoid
    (``output_activation="sigmoid"``), else as a raw score; ``"bce"`` then uses
    ``logits=True`` and points with score > 0 are class 1 (for ``"hinge"`` too).

    >>> run = TrainingRun(data="moons", seed=0)
    >>> run.history[0].step, round(run.history[0].train_loss, 3)
    (0, 0.929)
    >>> run.step(100)
    >>> run.steps, run.history[-1].accuracy > 0.8
    (100, True)
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
    ) -> None:
        self.loss_name = _choose("loss", loss, LOSSES)
        self.optimizer_name = _choose("optimizer", optimizer, OPTIMIZERS)
        if not 0.0 <= held_out < 1.0:
            raise ValueError(f"held_out is the share of points set aside, from 0 up to (not including) 1; "
                             f"got {held_out}")
        self.seed = seed
        X, y = load_data(data, points, seed)
        order = np.random.default_rng(seed).permutation(len(X))
        n_held = int(round(held_out * len(X)))
        if len(X) - n_held < 2:
            raise ValueError(f"{len(X)} points leave {len(X) - n_held} to train on; "
                             "give more points or a smaller held_out")
        self.X_train, self.y_train = X[order[n_held:]], y[order[n_held:]]
        self.X_held, self.y_held = X[order[:n_held]], y[order[:n_held]]
        self._x_train, self._x_held = as_input(self.X_train), as_input(self.X_held)  # made once, reused

        self.model = default_model(self.loss_name, seed) if model is None else model
        self.params = list(self.model.parameters())
        self._initial = [p.data.copy() for p in self.params]  # what reset() goes back to
        probability = getattr(self.model, "output_activation", None) == "sigmoid"
        self.loss_fn = bce_on_logits if self.loss_name == "bce" and not probability else LOSSES[self.loss_name]
        self.scores_are_probabilities = probability or self.loss_name in ("mse", "l1")
        self.threshold = 0.5 if self.scores_are_probabilities else 0.0
        self._check_model()

        if lr <= 0:
            raise ValueError(f"the learning rate must be positive, got {lr}")
        self._lr = float(lr)
        self.batch_size = batch_size
        self.reset()

    # ---- training ------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the starting weights, a fresh optimiser and step 0 (the same run repeats)."""
        for param, start in zip(self.params, self._initial):
            param.data = start.copy()
            param.grad = param.zero()
        self.optimizer = OPTIMIZERS[self.optimizer_name](self.params, lr=self._lr)
        self._rng = np.random.default_rng(self.seed)  # the mini-batches repeat too
        self.history: list[Record] = [self._measure(0)]

    def step(self, n: int = 1) -> None:
        """``n`` training steps, each recorded in ``history``."""
        for _ in range(n):
            if self.batch_size >= len(self.X_train):
                x, t = self._x_train, self.y_train
            else:
                rows = self._rng.choice(len(self.X_train), size=self.batch_size, replace=False)
                x, t = self.X_train[rows], self.y_train[rows]
            train_step(self.model, self.loss_fn, x, t, self.optimizer)
            self.history.append(self._measure(self.steps + 1))

    @property
    def steps(self) -> int:
        """How many updates the weights have had."""
        return self.history[-1].step

    @property
    def lr(self) -> float:
        """The learning rate; setting it changes the optimiser's from the next step on."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        if value <= 0:
            raise ValueError(f"the learning rate must be positive, got {value}")
        self._lr = self.optimizer.lr = float(value)

    @property
    def batch_size(self) -> int:
        """Training points per step (all of them: full-batch descent)."""
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        if value is None:
            value = len(self.X_train)
        if int(value) != value or value < 1:
            raise ValueError(f"batch_size must be a whole number of points, at least 1 (or None for all); got {value}")
        self._batch_size = min(int(value), len(self.X_train))

    # ---- what the model says ---------------------------------------------------------

    def scores(self, X: Any) -> np.ndarray:
        """The model's output for each row of X, as a flat array."""
        return self.model(as_input(np.asarray(X, dtype=np.float64))).data.reshape(-1)

    def belief(self, X: Any) -> np.ndarray:
        """How strongly the model says class 1 for each point, from 0 to 1, with 0.5 on the boundary."""
        scores = self.scores(X)
        return np.clip(scores, 0.0, 1.0) if self.scores_are_probabilities else sigmoid(scores)

    def held_out_accuracy(self) -> float:
        """The share of held-out points classified right (nan without held-out points)."""
        if not len(self.X_held):
            return math.nan
        return accuracy(self.model(self._x_held), self.y_held, self.threshold)

    def point_loss(self, i: int) -> Tensor:
        """The graph of the loss on training point ``i`` alone: x of shape (1, 2) through the model, labelled ``L``."""
        x = Tensor(self.X_train[i : i + 1], label="x", constant=True)
        loss = self.loss_fn(self.model(x), self.y_train[i : i + 1])
        loss.label = "L"
        return loss

    # ---- internals -------------------------------------------------------------------

    def _measure(self, step: int) -> Record:
        scores = self.model(self._x_train)
        train_loss = float(self.loss_fn(scores, self.y_train).data)
        train_accuracy = accuracy(scores, self.y_train, self.threshold)
        held_loss = math.nan
        if len(self.X_held):
            held_loss = float(self.loss_fn(self.model(self._x_held), self.y_held).data)
        return Record(step, train_loss, held_loss, train_accuracy)

    def _check_model(self) -> None:
        try:
            out = self.model(as_input(self.X_train[:2]))
        except ValueError as error:
            raise ValueError(f"the model cannot take points of shape (n, 2): {error}") from None
        if not isinstance(out, Tensor) or out.data.size != 2:
            shape = getattr(getattr(out, "data", out), "shape", type(out).__name__)
            raise ValueError(f"the model must give one number per point: for 2 points it gave {shape}")

    def __repr__(self) -> str:
        return f"TrainingRun(step {self.steps}, train loss {format_number(self.history[-1].train_loss, 3)})"


# ---- pictures ---------------------------------------------------------------------------


class _Picture:
    """An off-screen matplotlib figure turned into PNG bytes, quickly.

    The artists that change at every update are drawn over a saved background
    (axes, ticks, labels, legend), which is drawn again only when the axes'
    limits change: matplotlib's "blitting", without a screen.  It makes an
    update several times faster than drawing the whole figure.
    """

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self._background = None
        self._limits: Any = None

    def png(self, dynamic: list, limits: Any = None) -> bytes:
        for artist in dynamic:
            artist.set_animated(True)  # left out of the background
        if self._background is None or limits != self._limits:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._limits = limits
        else:
            self.canvas.restore_region(self._background)
        for artist in dynamic:
            self.figure.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="png", compress_level=1)  # fast; about 60 kB
        return out.getvalue()


class BoundaryPlot:
    """The plane coloured by the model's belief, the decision boundary, the data, and the selected point."""

    def __init__(self, training: TrainingRun) -> None:
        self.figure = Figure(figsize=FIGURE_SIZE, dpi=DPI, facecolor="white")
        self.picture = _Picture(self.figure)
        ax = self.axes = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.15, right=0.97, top=0.91, bottom=0.22)
        everything = np.vstack([training.X_train, training.X_held])
        low, high = everything.min(axis=0), everything.max(axis=0)
        pad = 0.1 * (high - low) + 1e-9
        (x0, y0), (x1, y1) = low - pad, high + pad
        self.xs, self.ys = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
        xx, yy = np.meshgrid(self.xs, self.ys)
        self.grid = np.column_stack([xx.ravel(), yy.ravel()])
        self.image = ax.imshow(np.full((GRID, GRID), 0.5), extent=(x0, x1, y0, y1), origin="lower",
                               cmap=BELIEF_COLOURS, vmin=0.0, vmax=1.0, interpolation="bilinear", aspect="auto")
        self.points = []
        for label in (0, 1):
            colour, marker = CLASS_COLOURS[label], CLASS_MARKERS[label]
            train = training.X_train[training.y_train == label]
            held = training.X_held[training.y_held == label]
            self.points += ax.plot(train[:, 0], train[:, 1], ls="none", marker=marker, ms=4.5,
                                   mfc=colour, mec="#333333", mew=0.5)
            self.points += ax.plot(held[:, 0], held[:, 1], ls="none", marker=marker, ms=5,
                                   mfc="none", mec=colour, mew=1.4)
        (self.ring,) = ax.plot([], [], ls="none", marker="o", ms=15, mfc="none", mec="black", mew=2)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        self.title = ax.set_title("decision boundary", fontsize=10)
        handles = [
            Line2D([], [], ls="none", marker=CLASS_MARKERS[0], mfc=CLASS_COLOURS[0], mec="#333333", label="class 0"),
            Line2D([], [], ls="none", marker=CLASS_MARKERS[1], mfc=CLASS_COLOURS[1], mec="#333333", label="class 1"),
            Line2D([], [], ls="none", marker="o", mfc="none", mec="#666666", mew=1.4, label="held out"),
            Line2D([], [], color="black", lw=1.5, label="boundary"),
        ]
        self.figure.legend(handles=handles, loc="lower center", ncols=4, frameon=False, fontsize=8,
                           handletextpad=0.3, columnspacing=0.9, borderaxespad=0.2)

    def png(self, training: TrainingRun, selected: int) -> bytes:
        belief = training.belief(self.grid).reshape(GRID, GRID)
        self.image.set_data(belief)
        dynamic = [self.image]
        contour = None
        finite = belief[np.isfinite(belief)]
        if finite.size and finite.min() < 0.5 < finite.max():  # else the boundary is off the picture
            contour = self.axes.contour(self.xs, self.ys, belief, levels=[0.5], colors="black", linewidths=1.5)
            dynamic.append(contour)
        self.ring.set_data(training.X_train[selected : selected + 1, 0], training.X_train[selected : selected + 1, 1])
        text = f"train accuracy {training.history[-1].accuracy:.0%}"
        if len(training.X_held):
            text += f" · held out {training.held_out_accuracy():.0%}"
        self.title.set_text(text)
        dynamic += self.points + [self.ring, self.title, *self.axes.spines.values()]
        try:
            return self.picture.png(dynamic)
        finally:
            if contour is not None:
                contour.remove()


class LossPlot:
    """Training and held-out loss against the step."""

    def __init__(self, loss_name: str, held_out: bool = True) -> None:
        self.held_out = held_out
        self.figure = Figure(figsize=FIGURE_SIZE, dpi=DPI, facecolor="white")
        self.picture = _Picture(self.figure)
        ax = self.axes = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.17, right=0.97, top=0.91, bottom=0.22)
        (self.train_line,) = ax.plot([], [], color=TRAIN_COLOUR, lw=1.8, label="train")
        (self.held_line,) = ax.plot([], [], color=HELD_OUT_COLOUR, lw=1.8, ls="--", label="held out")
        ax.set_xlabel("training step")
        ax.set_ylabel(f"loss ({loss_name})")
        ax.grid(alpha=0.3)
        self.title = ax.set_title("loss", fontsize=10)
        lines = [self.train_line, self.held_line] if held_out else [self.train_line]
        self.figure.legend(handles=lines, loc="lower center", ncols=2, frameon=False, fontsize=8, borderaxespad=0.2)

    def png(self, history: list[Record]) -> bytes:
        table = np.array([(r.step, r.train_loss, r.held_out_loss) for r in history], dtype=np.float64)
        steps, train, held = table.T
        self.train_line.set_data(steps, train)
        self.held_line.set_data(steps, held)
        # Limits that change seldom: the picture's background is redrawn only then.
        right = 50
        while right < steps[-1]:
            right *= 2
        # The top: above every loss so far, but at most 5 times the first one, so a run that
        # diverges shoots off the picture instead of squashing the rest of it flat.
        finite = table[:, 1:][np.isfinite(table[:, 1:])]
        top = float(finite.max()) * 1.1 if finite.size and finite.max() > 0 else 1.0
        start = table[0, 1:][np.isfinite(table[0, 1:])]
        if start.size and start.max() > 0:
            top = min(top, 5.0 * float(start.max()))
        limits = (right, top)
        if limits != (self.axes.get_xlim()[1], self.axes.get_ylim()[1]):
            self.axes.set_xlim(0, right)
            self.axes.set_ylim(0, top)
        last = history[-1]
        text = f"step {last.step} · train {format_number(last.train_loss, 3)}"
        dynamic = [self.train_line, self.title]
        if self.held_out:
            text += f" · held out {format_number(last.held_out_loss, 3)}"
            dynamic.insert(1, self.held_line)
        self.title.set_text(text)
        return self.picture.png(dynamic, limits)


# ---- the widget ----------------------------------------------------------------------------


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
        self.training = TrainingRun(model, data, loss=loss, optimizer=optimizer, lr=lr, batch_size=batch_size,
                                    held_out=held_out, seed=seed, points=points)
        n_train = len(self.training.X_train)
        self._boundary = BoundaryPlot(self.training)
        self._loss_plot = LossPlot(self.training.loss_name, held_out=len(self.training.X_held) > 0)
        self._finished_tick = -math.inf  # when the last Play tick was done (see _on_tick)

        self.boundary_image = widgets.Image(format="png")
        self.loss_image = widgets.Image(format="png")
        self.play = widgets.Play(value=0, min=0, max=PLAY_TICKS, step=1, interval=interval,
                                 show_repeat=False, description="Train", tooltip="train / pause")
        self.step_button = widgets.Button(description="Train 1 step", icon="step-forward", tooltip="one training step",
                                          button_style="primary")
        self.reset_button = widgets.Button(description="Reset training", icon="fast-backward",
                                           tooltip="back to the starting weights (step 0)")
        exponent = math.log10(lr)
        self.lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=min(-4, math.floor(exponent)),
                                                max=max(0, math.ceil(exponent)), step=0.1,
                                                description="learning rate", readout_format=".2g",
                                                style={"description_width": "initial"})
        self.batch_menu = widgets.Dropdown(options=_batch_options(n_train, self.training.batch_size),
                                           value=self.training.batch_size, description="batch size",
                                           style={"description_width": "initial"},
                                           layout=widgets.Layout(width="180px"))
        self.speed_slider = widgets.IntSlider(value=steps_per_tick, min=1, max=max(50, steps_per_tick),
                                              description="steps / update", style={"description_width": "initial"})
        self.status = widgets.HTML()
        self.status.add_class("bpw-status")

        self.point_slider = widgets.IntSlider(value=0, min=0, max=n_train - 1, description="training point",
                                              style={"description_width": "initial"})
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

        own = {"training": (self.play, self.step_button, self.reset_button, self.speed_slider),
               "learning_rate": (self.lr_slider,), "batch_size": (self.batch_menu,), "point": (self.point_slider,)}
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
        super().__init__([
            widgets.HBox([self.boundary_image, self.loss_image], layout=widgets.Layout(flex_flow="row wrap")),
            controls,
            self.status,
            heading,
            widgets.HBox([self.point_slider, self.point_info], layout=widgets.Layout(align_items="center")),
            self.stepper,
            self.deltas,
        ])
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
            raise IndexError(f"there are {len(self.training.X_train)} training points: choose 0 to "
                             f"{len(self.training.X_train) - 1}, not {i}")
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
            text += ('<br><span style="color:#d55e00">The loss is no longer a number: the steps were too big. '
                     "Lower the learning rate and press Reset.</span>")
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
        layers = sorted(
            ((int(node.label[1:]), node) for node in walk.order if node.label and re.fullmatch(r"z\d+", node.label)),
            reverse=True,
        )
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
            rows.append(f"<tr><td>δ<sub>{number}</sub> = ∂L/∂z<sub>{number}</sub></td>"
                        f"<td style='color:#666'>({shape})</td><td><code>{values}</code></td></tr>")
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
