"""Toy two-class datasets in the plane (moons, circles, xor, spiral), made with numpy alone and seeded.

Each function returns ``(X, y)``: X of shape (n, 2) (float64) and labels y of
shape (n,) with values 0 and 1 (int64).  The points come shuffled; the same
``seed`` always gives the same points.
"""

from __future__ import annotations

import numpy as np

__all__ = ["make_moons", "make_circles", "make_xor", "make_spiral", "DATASETS"]


def _finish(points: list[np.ndarray], noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stack the classes, add Gaussian noise of standard deviation ``noise``, shuffle."""
    X = np.concatenate(points)
    y = np.concatenate([np.full(len(p), label, dtype=np.int64) for label, p in enumerate(points)])
    X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(len(X))
    return X[order], y[order]


def _split(n: int) -> tuple[int, int]:
    if n < 2:
        raise ValueError(f"a two-class dataset needs at least 2 points, got n={n}")
    return n // 2, n - n // 2


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower one shifted right.

    >>> X, y = make_moons(6, noise=0.0)
    >>> X.shape, y.shape, sorted(set(y.tolist()))
    ((6, 2), (6,), [0, 1])
    """
    rng = np.random.default_rng(seed)
    n0, n1 = _split(n)
    a0, a1 = np.linspace(0.0, np.pi, n0), np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(a0), np.sin(a0)])
    lower = np.column_stack([1.0 - np.cos(a1), 0.5 - np.sin(a1)])
    return _finish([upper, lower], noise, rng)


def make_circles(
    n: int = 100, noise: float = 0.05, seed: int = 0, factor: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Two circles around the origin: class 0 of radius 1, class 1 of radius ``factor``.

    >>> X, y = make_circles(8, noise=0.0)
    >>> np.round(np.hypot(X[:, 0], X[:, 1]), 6)[y == 1].tolist()
    [0.5, 0.5, 0.5, 0.5]
    """
    rng = np.random.default_rng(seed)
    n0, n1 = _split(n)
    a0 = np.linspace(0.0, 2 * np.pi, n0, endpoint=False)
    a1 = np.linspace(0.0, 2 * np.pi, n1, endpoint=False)
    outer = np.column_stack([np.cos(a0), np.sin(a0)])
    inner = factor * np.column_stack([np.cos(a1), np.sin(a1)])
    return _finish([outer, inner], noise, rng)


def make_xor(n: int = 100, noise: float = 0.3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four clouds at the corners (±1, ±1): class 1 where the signs differ (x·y < 0), as in XOR.

    >>> X, y = make_xor(8, noise=0.0)
    >>> bool(np.all((X[:, 0] * X[:, 1] < 0) == (y == 1)))
    True
    """
    rng = np.random.default_rng(seed)
    n0, n1 = _split(n)
    same = np.array([[1.0, 1.0], [-1.0, -1.0]])
    differ = np.array([[1.0, -1.0], [-1.0, 1.0]])
    return _finish([same[np.arange(n0) % 2], differ[np.arange(n1) % 2]], noise, rng)


def make_spiral(
    n: int = 100, noise: float = 0.05, seed: int = 0, turns: float = 1.5, *, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Spiral arms winding ``turns`` times around the origin, one per class, evenly spaced (two: a half turn apart).

    ``classes=3`` gives CS231n's three-arm spiral, labels 0, 1, 2: no straight line
    parts one arm from the others, so a softmax classifier alone stays near 50%.

    >>> X, y = make_spiral(10, noise=0.0)
    >>> float(np.abs(X).max()) <= 1.0
    True
    >>> X, y = make_spiral(300, classes=3)
    >>> X.shape, np.bincount(y).tolist()
    ((300, 2), [100, 100, 100])
    """
    if classes < 2 or n < classes:
        raise ValueError(f"a spiral needs at least 2 classes and a point for each; got n={n}, classes={classes}")
    rng = np.random.default_rng(seed)
    counts = [n // 2, n - n // 2] if classes == 2 else [n // classes + (k < n % classes) for k in range(classes)]
    arms = []
    for arm, count in enumerate(counts):
        radius = np.linspace(0.1, 1.0, count)
        angle = 2 * np.pi * turns * radius + 2 * np.pi * arm / classes
        arms.append(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]))
    return _finish(arms, noise, rng)


# By name, for widgets that offer a choice.
DATASETS = {"moons": make_moons, "circles": make_circles, "xor": make_xor, "spiral": make_spiral}
