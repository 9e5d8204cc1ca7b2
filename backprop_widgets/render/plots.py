"""Matplotlib pictures of a training run, as PNG bytes: the decision boundary with the data, and the loss curves.

Drawn off screen (no widget, no display); ``TrainingDashboard`` shows the bytes in ``Image`` widgets.
Colours come from the graph pictures' palette (Okabe-Ito), so a class looks the same everywhere.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from ..engine import format_number
from ..palette import OKABE_ITO, PALETTE

if TYPE_CHECKING:
    from ..nn.run import Record, TrainingRun

__all__ = ["BoundaryPlot", "LossPlot"]

CLASS_COLOURS = (PALETTE["op"][0], PALETTE["variable"][0], OKABE_ITO["bluish_green"])  # orange, blue, green
CLASS_MARKERS = ("o", "s", "^")  # and a shape each, so colour is never the only cue
# A region of many classes is tinted with its class's colour, paler where the model is less sure.
CLASS_TINTS = np.array([[0.949, 0.812, 0.498], [0.498, 0.722, 0.847], [0.6, 0.85, 0.75]])
TRAIN_COLOUR, HELD_OUT_COLOUR = PALETTE["variable"][0], PALETTE["current"][0]  # blue, vermillion
# The background: light orange where the model says class 0, white on the boundary, light blue for class 1.
BELIEF_COLOURS = LinearSegmentedColormap.from_list("belief", ["#f2cf7f", "#ffffff", "#7fb8d8"])

GRID = 60  # the boundary picture evaluates the model on GRID x GRID points
FIGURE_SIZE = (4.2, 3.6)  # inches, at DPI dots per inch: 378 x 324 pixels
DPI = 90


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
        self.image = ax.imshow(
            np.full((GRID, GRID), 0.5),
            extent=(x0, x1, y0, y1),
            origin="lower",
            cmap=BELIEF_COLOURS,
            vmin=0.0,
            vmax=1.0,
            interpolation="bilinear",
            aspect="auto",
        )
        self.classes = getattr(training, "classes", 2)
        if self.classes > 2:  # the regions in colours (an RGB picture) instead of a belief in one colour map
            self.image.set_data(np.ones((GRID, GRID, 3)))
        self.points = []
        for label in range(self.classes):
            colour, marker = CLASS_COLOURS[label], CLASS_MARKERS[label]
            train = training.X_train[training.y_train == label]
            held = training.X_held[training.y_held == label]
            self.points += ax.plot(
                train[:, 0], train[:, 1], ls="none", marker=marker, ms=4.5, mfc=colour, mec="#333333", mew=0.5
            )
            self.points += ax.plot(
                held[:, 0], held[:, 1], ls="none", marker=marker, ms=5, mfc="none", mec=colour, mew=1.4
            )
        (self.ring,) = ax.plot([], [], ls="none", marker="o", ms=15, mfc="none", mec="black", mew=2)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        self.title = ax.set_title("decision boundary", fontsize=10)
        handles = [
            *(
                Line2D(
                    [], [], ls="none", marker=CLASS_MARKERS[k], mfc=CLASS_COLOURS[k], mec="#333333", label=f"class {k}"
                )
                for k in range(self.classes)
            ),
            Line2D([], [], ls="none", marker="o", mfc="none", mec="#666666", mew=1.4, label="held out"),
            Line2D([], [], color="black", lw=1.5, label="boundary"),
        ]
        self.figure.legend(
            handles=handles,
            loc="lower center",
            ncols=4,
            frameon=False,
            fontsize=8,
            handletextpad=0.3,
            columnspacing=0.9,
            borderaxespad=0.2,
        )

    def png(self, training: TrainingRun, selected: int) -> bytes:
        if self.classes > 2:
            probabilities = training.belief(self.grid)
            # each class's tint, mixed by how sure the model is; white where it cannot tell
            tint = probabilities @ CLASS_TINTS[: self.classes]
            sure = ((probabilities.max(axis=1) - 1 / self.classes) * self.classes / (self.classes - 1))[:, None]
            self.image.set_data((sure * tint + (1 - sure)).reshape(GRID, GRID, 3))
            belief = probabilities.argmax(axis=1).reshape(GRID, GRID).astype(float)  # the regions' borders
            levels = [k + 0.5 for k in range(self.classes - 1)]
        else:
            belief = training.belief(self.grid).reshape(GRID, GRID)
            self.image.set_data(belief)
            levels = [0.5]
        dynamic: list[Artist] = [self.image]
        contour = None
        finite = belief[np.isfinite(belief)]
        crossed = [level for level in levels if finite.size and finite.min() < level < finite.max()]
        if crossed:  # else the boundary is off the picture
            contour = self.axes.contour(self.xs, self.ys, belief, levels=crossed, colors="black", linewidths=1.5)
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
