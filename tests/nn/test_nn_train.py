"""Training: the loss goes down, the same seed gives the same run, and two moons are learnt."""

import numpy as np
import pytest

from backprop_widgets.nn import (
    MLP,
    SGD,
    Adam,
    Momentum,
    accuracy,
    binary_cross_entropy,
    fit,
    hinge,
    make_circles,
    make_moons,
    make_xor,
    mse,
    train_step,
)


def bce_logits(scores, target):
    return binary_cross_entropy(scores, target, logits=True)


@pytest.mark.parametrize(
    "optimizer, lr, loss_fn, output",
    [
        (SGD, 0.5, mse, "sigmoid"),
        (Momentum, 0.1, mse, "sigmoid"),
        (Adam, 0.02, bce_logits, None),
        (Adam, 0.02, hinge, None),
    ],
)
def test_training_lowers_the_loss(optimizer, lr, loss_fn, output):
    X, y = make_xor(100, seed=2)
    model = MLP([2, 8, 1], activation="tanh", output_activation=output)
    history = fit(model, loss_fn, X, y, optimizer(model.parameters(), lr=lr), steps=150)
    assert len(history) == 150
    assert history[-1] < 0.7 * history[0]


def test_train_step_returns_the_loss_before_the_update():
    X, y = make_moons(30)
    model = MLP([2, 4, 1])
    before = float(mse(model(X), y).data)
    assert train_step(model, mse, X, y, SGD(model.parameters(), lr=0.5)) == before
    assert float(mse(model(X), y).data) != before


def test_same_seed_same_run():
    def run(seed):
        X, y = make_circles(60, seed=seed)
        model = MLP([2, 6, 1], activation="relu", output_activation=None, rng=seed)
        history = fit(model, bce_logits, X, y, Adam(model.parameters(), lr=0.05), steps=30)
        return history, [p.data.copy() for p in model.parameters()]

    (h1, w1), (h2, w2), (h3, _) = run(1), run(1), run(2)
    assert h1 == h2
    for a, b in zip(w1, w2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert h1 != h3


def test_two_moons_are_learnt_to_every_point():
    """The classic demo: 2-16-16-1, full batch, Adam; the benchmark times it."""
    X, y = make_moons(200, noise=0.1, seed=0)
    model = MLP([2, 16, 16, 1], activation="tanh", output_activation=None, rng=0)
    history = fit(
        model,
        bce_logits,
        X,
        y,
        Adam(model.parameters(), lr=0.05),
        steps=1000,
        callback=lambda step, loss: accuracy(model(X), y, threshold=0.0) == 1.0,
    )
    assert accuracy(model(X), y, threshold=0.0) == 1.0
    assert len(history) < 1000


def test_fit_stops_when_the_callback_says_so():
    X, y = make_moons(20)
    model = MLP([2, 3, 1])
    seen = []
    history = fit(
        model,
        mse,
        X,
        y,
        SGD(model.parameters(), lr=0.1),
        steps=50,
        callback=lambda step, loss: seen.append((step, loss)) or step == 4,
    )
    assert len(history) == 5 and [s for s, _ in seen] == [0, 1, 2, 3, 4]
    assert [loss for _, loss in seen] == history


def test_accuracy():
    assert accuracy(np.array([[0.9], [0.2], [0.6]]), [1, 0, 0]) == pytest.approx(2 / 3)
    assert accuracy(np.array([2.0, -1.0]), [1, -1], threshold=0.0) == 1.0
    assert accuracy(np.array([-2.0, 1.0]), [1, 0], threshold=0.0) == 0.0
