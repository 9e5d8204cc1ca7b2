"""Exercises for lesson 4: gradient descent, w ← w − η · dL/dw, and what the learning rate does (E10).

Every answer comes from running the engine and its optimisers.
"""

from __future__ import annotations

from ..engine import Value, format_number
from ..nn import SGD, Momentum
from .exercise import ChoiceExercise, NumberExercise, declare

START, TARGET, RATE = 0.5, 2.5, 0.15


def _loss(w: Value) -> Value:
    """L(w) = (w − 2.5)²."""
    return (w - TARGET) ** 2


def _descend(optimizer_class, steps: int, **options) -> float:
    """w after ``steps`` steps of ``optimizer_class`` on L(w) = (w − 2.5)², from w = 0.5."""
    w = Value(START, label="w")
    optimizer = optimizer_class([w], **options)
    for _ in range(steps):
        _loss(w).backward()
        optimizer.step()
    return w.data


def _gradient_at_start() -> float:
    w = Value(START, label="w")
    _loss(w).backward()
    return w.grad


one_sgd_step = NumberExercise(
    "The loss L(w) = (w − 2.5)², the weight w = 0.5 and the learning rate η = 0.15. "
    "Take one step of gradient descent: what is the new w?",
    answer=lambda: _descend(SGD, 1, lr=RATE),
    mistakes=lambda: [
        (START + RATE * _gradient_at_start(), "that step went uphill: gradient descent SUBTRACTS η · dL/dw"),
        (_gradient_at_start(), "that is the gradient dL/dw; the new w is w − η · dL/dw"),
        (-RATE * _gradient_at_start(), "that is the change in w; add it to the old w"),
    ],
    hint="dL/dw = 2(w − 2.5). The update is w ← w − η · dL/dw.",
    solution_text=lambda: (
        f"dL/dw = 2(w − 2.5) = {format_number(_gradient_at_start())} at w = 0.5. "
        "The new w = w − η · dL/dw: the gradient is negative, so w moves up, towards the minimum at 2.5."
    ),
)

# ---- the learning rate on L(w) = 2w² -----------------------------------------------------

CHOICES = (0.05, 0.2, 0.35, 0.6)


def _trajectory(lr: float, steps: int = 30) -> list[float]:
    """w at every step of gradient descent on L(w) = 2w² from w = 1."""
    w = Value(1.0, label="w")
    optimizer = SGD([w], lr=lr)
    path = [w.data]
    for _ in range(steps):
        (2 * w**2).backward()
        optimizer.step()
        path.append(w.data)
    return path


def _diverges(lr: float) -> bool:
    path = _trajectory(lr)
    return abs(path[-1]) > abs(path[0])


def _diverging_choice() -> float:
    diverging = [lr for lr in CHOICES if _diverges(lr)]
    if len(diverging) != 1:
        raise RuntimeError(f"expected exactly one diverging learning rate among {CHOICES}")
    return diverging[0]


def _why_not(lr: float) -> str:
    path = _trajectory(lr)
    if any(a * b < 0 for a, b in zip(path, path[1:], strict=False)):
        return "with that rate w jumps across the minimum at every step, but |w| still shrinks: it zig-zags in"
    return "with that rate w creeps towards the minimum from one side: it converges"


diverging_learning_rate = ChoiceExercise(
    "Gradient descent on L(w) = 2w², starting at w = 1. Which of the learning rates "
    "0.05, 0.2, 0.35, 0.6 makes it diverge (|w| grows without bound)?",
    choices=CHOICES,
    answer=_diverging_choice,
    why_not=_why_not,
    hint="dL/dw = 4w, so one step turns w into w − η·4w = (1 − 4η)·w. When does |1 − 4η| exceed 1?",
    solution_text="Each step multiplies w by (1 − 4η). The steps shrink w when |1 − 4η| < 1, that is for "
    "0 < η < 0.5; for η between 0.25 and 0.5 the factor is negative, so w zig-zags across the minimum while "
    "shrinking. Above 0.5 each step overshoots by more than it corrects, and |w| grows.",
)


def _one_step_rate() -> float:
    """The η with w − η · dL/dw = 0: the engine's gradient at w = 1 gives it."""
    w = Value(1.0, label="w")
    (2 * w**2).backward()
    return w.data / w.grad


one_step_learning_rate = NumberExercise(
    "Still L(w) = 2w². Which learning rate η takes gradient descent from any starting w straight to the "
    "minimum in a single step?",
    answer=_one_step_rate,
    mistakes=lambda: [
        (2 * _one_step_rate(), "with that rate w lands on −w: it bounces between two points forever"),
    ],
    hint="After one step w becomes (1 − 4η)·w. Which η makes that factor 0?",
    solution_text="One step gives w − η·4w = (1 − 4η)·w. It is 0 for every w exactly when 1 − 4η = 0: the "
    "learning rate is 1 / L''(w), one over the curvature. (Newton's method uses this idea.)",
)

MOMENTUM = {"lr": 0.1, "beta": 0.9}

momentum_two_steps = NumberExercise(
    "Back to L(w) = (w − 2.5)² from w = 0.5. Take two steps of gradient descent with momentum, "
    "η = 0.1 and β = 0.9 (v ← β·v + dL/dw, then w ← w − η·v, starting from v = 0). What is w after the two steps?",
    answer=lambda: _descend(Momentum, 2, **MOMENTUM),
    mistakes=lambda: [
        (
            _descend(SGD, 2, lr=MOMENTUM["lr"]),
            "that is two steps of plain gradient descent: with momentum the "
            "second step also carries β times the first step's velocity",
        ),
        (_descend(Momentum, 1, **MOMENTUM), "that is w after ONE step"),
    ],
    hint="Step 1: v = dL/dw at w = 0.5, then w ← w − η·v. Step 2: the gradient at the NEW w, "
    "v ← 0.9·v + that gradient, w ← w − η·v.",
    solution_text=lambda: (
        f"Step 1: dL/dw = {format_number(_gradient_at_start())}, v = that gradient, "
        f"w = {format_number(_descend(Momentum, 1, **MOMENTUM), 10)}. "
        "Step 2: the gradient at the new w, v = 0.9·v + gradient, w ← w − 0.1·v."
    ),
)

EXERCISES = declare(globals())
__all__ = [exercise.name for exercise in EXERCISES] + ["EXERCISES"]
