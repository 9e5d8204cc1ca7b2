"""A training run without any widget: the data split, model, loss, optimiser and the history of losses.

What ``TrainingDashboard`` trains; usable on its own in a script or a test.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ..engine import Tensor, format_number
from ..engine.tensor_ops import sigmoid, softmax
from .data import DATASETS
from .layers import MLP, as_input
from .losses import LOSSES, binary_cross_entropy
from .optim import OPTIMIZERS
from .train import accuracy, train_step

__all__ = ["TrainingRun", "Record", "load_data", "default_model", "bce_on_logits"]


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
    if len(labels) > 2 and labels == set(range(len(labels))):  # classes 0, 1, 2, ...: for cross-entropy
        return X, y.astype(np.int64)
    if not (labels <= {0, 1} or labels <= {-1, 1}):
        raise ValueError(f"labels must be 0 and 1 (or -1 and 1), or the classes 0, 1, 2, ...; got {sorted(labels)}")
    return X, (y > 0).astype(np.int64)


def bce_on_logits(scores: Tensor, target: Any) -> Tensor:
    """Binary cross-entropy for a model that gives raw scores (logits): exact for any score."""
    return binary_cross_entropy(scores, target, logits=True)


def default_model(loss: str, seed: int, classes: int = 2) -> MLP:
    """The network a dashboard trains if given none: 2-16-16-1 with tanh, raw scores out (sigmoid for mse and l1);
    for cross-entropy one score per class, 2-16-16-C."""
    output = "sigmoid" if loss in ("mse", "l1") else None
    outputs = classes if loss == "cross_entropy" else 1
    return MLP([2, 16, 16, outputs], activation="tanh", output_activation=output, rng=seed)


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
            raise ValueError(
                f"held_out is the share of points set aside, from 0 up to (not including) 1; got {held_out}"
            )
        self.seed = seed
        X, y = load_data(data, points, seed)
        order = np.random.default_rng(seed).permutation(len(X))
        n_held = int(round(held_out * len(X)))
        if len(X) - n_held < 2:
            raise ValueError(
                f"{len(X)} points leave {len(X) - n_held} to train on; give more points or a smaller held_out"
            )
        self.X_train, self.y_train = X[order[n_held:]], y[order[n_held:]]
        self.X_held, self.y_held = X[order[:n_held]], y[order[:n_held]]
        self._x_train, self._x_held = as_input(self.X_train), as_input(self.X_held)  # made once, reused

        # cross-entropy: one score per class, the class with the highest score is the model's answer
        self.classes = int(y.max()) + 1 if self.loss_name == "cross_entropy" else 2
        if self.loss_name != "cross_entropy" and y.max() > 1:
            raise ValueError(f"{int(y.max()) + 1} classes need loss='cross_entropy'; {loss!r} tells two apart")
        self.model = default_model(self.loss_name, seed, self.classes) if model is None else model
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
        for param, start in zip(self.params, self._initial, strict=True):
            param.data = start.copy()
            param.grad = param.zero()
        self.optimizer = OPTIMIZERS[self.optimizer_name](self.params, lr=self._lr)
        self._rng = np.random.default_rng(self.seed)  # the mini-batches repeat too
        self.history: list[Record] = [self._measure(0)]

    def step(self, n: int = 1) -> None:
        """``n`` training steps, each recorded in ``history``."""
        for _ in range(n):
            x: Tensor | np.ndarray  # the whole training set (made into a Tensor once), or a batch of its rows
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

    @property
    def multiclass(self) -> bool:
        """Whether the model gives one score per class (cross-entropy) rather than one score per point."""
        return self.loss_name == "cross_entropy"

    def scores(self, X: Any) -> np.ndarray:
        """The model's output for each row of X, as a flat array (with cross-entropy: a row of class scores each)."""
        out = self.model(as_input(np.asarray(X, dtype=np.float64))).data
        return out.reshape(len(out), -1) if self.multiclass else out.reshape(-1)

    def belief(self, X: Any) -> np.ndarray:
        """How strongly the model says class 1 for each point, from 0 to 1, with 0.5 on the boundary
        (with cross-entropy: each class's probability, softmax of the scores, one row per point)."""
        scores = self.scores(X)
        if self.multiclass:
            return softmax(scores, axis=1)
        return np.clip(scores, 0.0, 1.0) if self.scores_are_probabilities else sigmoid(scores)

    def predicted(self, X: Any) -> np.ndarray:
        """The class the model gives each row of X."""
        scores = self.scores(X)
        return scores.argmax(axis=1) if self.multiclass else (scores > self.threshold).astype(np.int64)

    def held_out_accuracy(self) -> float:
        """The share of held-out points classified right (nan without held-out points)."""
        if not len(self.X_held):
            return math.nan
        return self._accuracy(self.model(self._x_held), self.y_held)

    def _accuracy(self, scores: Tensor, y: np.ndarray) -> float:
        if self.multiclass:
            return float(np.mean(scores.data.argmax(axis=1) == y))
        return accuracy(scores, y, self.threshold)

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
        train_accuracy = self._accuracy(scores, self.y_train)
        held_loss = math.nan
        if len(self.X_held):
            held_loss = float(self.loss_fn(self.model(self._x_held), self.y_held).data)
        return Record(step, train_loss, held_loss, train_accuracy)

    def _check_model(self) -> None:
        try:
            out = self.model(as_input(self.X_train[:2]))
        except ValueError as error:
            raise ValueError(f"the model cannot take points of shape (n, 2): {error}") from None
        outputs = self.classes if self.multiclass else 1
        if not isinstance(out, Tensor) or out.data.size != 2 * outputs:
            shape = getattr(getattr(out, "data", out), "shape", type(out).__name__)
            what = f"{outputs} scores per point, one per class" if self.multiclass else "one number per point"
            raise ValueError(f"the model must give {what}: for 2 points it gave {shape}")

    def __repr__(self) -> str:
        return f"TrainingRun(step {self.steps}, train loss {format_number(self.history[-1].train_loss, 3)})"
