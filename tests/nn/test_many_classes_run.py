"""A training run and a dashboard over three classes: cross-entropy, one score per class, argmax accuracy, regions."""

import numpy as np
import pytest

from backprop_widgets.nn import MLP, cross_entropy, make_spiral
from backprop_widgets.nn.run import TrainingRun, load_data


def spiral_run(**options):
    X, y = make_spiral(150, classes=3, seed=0)
    model = MLP([2, 32, 3], activation="relu", output_activation=None, rng=0)
    settings = {"loss": "cross_entropy", "optimizer": "adam", "lr": 0.02, "held_out": 0.2} | options
    return TrainingRun(model, data=(X, y), **settings)


def test_three_arms_of_a_hundred_points_each_within_the_unit_disc():
    X, y = make_spiral(300, classes=3, seed=1)
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]
    assert np.linalg.norm(X, axis=1).max() < 1.3
    assert np.array_equal(make_spiral(100)[0], make_spiral(100, classes=2)[0])  # two arms as before


def test_a_run_over_three_classes_starts_near_log_3_and_learns():
    run = spiral_run()
    assert run.classes == 3 and run.multiclass
    assert abs(run.history[0].train_loss - np.log(3)) < 0.1  # the loss at the start is about log C
    run.step(150)
    last = run.history[-1]
    assert last.train_loss < 0.7 and last.accuracy > 0.8
    scores = run.scores(run.X_train)
    assert scores.shape == (len(run.X_train), 3)
    assert last.accuracy == np.mean(scores.argmax(axis=1) == run.y_train)  # the accuracy is argmax's
    assert np.allclose(run.belief(run.X_train[:5]).sum(axis=1), 1.0)
    assert np.array_equal(run.predicted(run.X_train), scores.argmax(axis=1))
    assert float(run.point_loss(0).data) == pytest.approx(
        float(cross_entropy(run.model(run.X_train[:1]), run.y_train[:1]).data)
    )


def test_three_classes_need_cross_entropy_and_a_score_per_class():
    X, y = make_spiral(60, classes=3)
    with pytest.raises(ValueError, match="3 classes need loss='cross_entropy'"):
        TrainingRun(data=(X, y), loss="bce")
    with pytest.raises(ValueError, match="3 scores per point, one per class"):
        TrainingRun(MLP([2, 4, 1], output_activation=None), data=(X, y), loss="cross_entropy")
    with pytest.raises(ValueError, match="the classes 0, 1, 2"):
        load_data((X, y + 1), 0, 0)


def test_the_dashboard_shows_three_regions_and_the_points_guess():
    from backprop_widgets.widgets.dashboard import TrainingDashboard

    X, y = make_spiral(90, classes=3, seed=0)
    dash = TrainingDashboard(
        MLP([2, 16, 3], activation="relu", output_activation=None, rng=0),
        data=(X, y), loss="cross_entropy", optimizer="adam", lr=0.05, held_out=0.0,
    )  # fmt: skip
    before = dash.boundary_image.value
    dash.step(20)
    assert dash.boundary_image.value != before and dash.boundary_image.value[:4] == b"\x89PNG"
    assert "predicts class" in dash.point_info.value and "scores" in dash.point_info.value
    assert dash._boundary.classes == 3
