"""TrainingDashboard driven in Python: click, tick, select, and read the history, the pictures and the graph."""

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Tensor, configure
from backprop_widgets.engine import topological_order
from backprop_widgets.engine.tensor_ops import sigmoid
from backprop_widgets.nn import MLP, make_moons
from backprop_widgets.widgets.dashboard import Record, TrainingDashboard, TrainingRun, load_data

PNG = b"\x89PNG\r\n\x1a\n"
POINTS = 80  # small datasets keep every test quick


@pytest.fixture
def dash():
    return TrainingDashboard(points=POINTS, seed=0)


def test_it_starts_at_step_0_with_every_view_drawn(dash):
    assert dash.history == [dash.history[0]] and dash.history[0].step == 0
    assert isinstance(dash.history[0], Record)
    assert repr(dash) == f"TrainingDashboard(step 0, train loss {dash.history[0].train_loss:.3g})"
    for image in (dash.boundary_image, dash.loss_image):
        assert bytes(image.value).startswith(PNG) and len(bytes(image.value)) > 5000
    assert dash.status.value.startswith("step 0 · train loss ")
    assert "held-out loss" in dash.status.value and "train accuracy" in dash.status.value
    assert dash.stepper.view.dot.startswith("digraph") and "?" not in dash.stepper.view.cells
    assert len(dash.training.X_train) == 60 and len(dash.training.X_held) == 20


def test_step_button_trains_and_lowers_the_loss(dash):
    first = dash.history[0]
    picture, boundary = bytes(dash.loss_image.value), bytes(dash.boundary_image.value)
    for _ in range(40):
        dash.step_button.click()
    assert [r.step for r in dash.history] == list(range(41))
    assert dash.history[-1].train_loss < 0.5 * first.train_loss
    assert dash.history[-1].accuracy > first.accuracy
    assert bytes(dash.loss_image.value) != picture and bytes(dash.boundary_image.value) != boundary
    assert dash.status.value.startswith("step 40 · ")
    assert repr(dash).startswith("TrainingDashboard(step 40, train loss ")


def test_reset_goes_back_to_step_0_and_repeats_the_run(dash):
    dash.step(15)
    run = list(dash.history)
    dash.reset_button.click()
    assert dash.history == run[:1]
    assert dash.status.value.startswith("step 0 · ")
    dash.step(15)
    assert dash.history == run  # the same weights, the same optimiser state: the same run


def test_the_learning_rate_slider_sets_the_optimisers_rate(dash):
    dash.lr_slider.value = 0.001
    assert dash.training.optimizer.lr == pytest.approx(0.001)
    dash.reset()  # a new optimiser keeps the chosen rate
    assert dash.training.optimizer.lr == pytest.approx(0.001)
    slow = TrainingDashboard(points=POINTS, seed=0, lr=0.001)
    dash.step(5)
    slow.step(5)
    assert dash.history == slow.history


def test_the_batch_size_menu_draws_mini_batches(dash):
    labels = [label for label, _ in dash.batch_menu.options]
    assert labels[0] == "1" and labels[-1] == "all 60"
    assert dash.training.batch_size == 60
    full = TrainingRun(points=POINTS, seed=0)
    full.step(5)
    dash.batch_menu.value = 8
    assert dash.training.batch_size == 8
    dash.step(5)
    assert dash.history != full.history  # other steps...
    again = TrainingRun(points=POINTS, seed=0, batch_size=8)
    again.step(5)
    assert dash.history == again.history  # ...and the same ones for the same seed


def test_selecting_a_point_changes_its_graph_and_the_circle(dash):
    cells, boundary = list(dash.stepper.view.cells), bytes(dash.boundary_image.value)
    dash.select(5)
    assert dash.selected == dash.point_slider.value == 5
    assert dash.stepper.view.cells != cells
    assert bytes(dash.boundary_image.value) != boundary
    x1, x2 = dash.training.X_train[5]
    assert f"x = ({x1:.3g}, {x2:.3g})" in dash.point_info.value
    dash.point_slider.value = 6  # the slider does the same
    assert dash.selected == 6
    with pytest.raises(IndexError, match="choose 0 to 59"):
        dash.select(60)


def test_a_play_tick_trains_steps_per_tick_steps(dash):
    dash.play.value += 1
    assert dash.training.steps == 1
    dash.speed_slider.value = 3
    dash.play.interval = 10_000  # so the next tick cannot look late
    dash.play.value += 1
    assert dash.training.steps == 4
    dash.play.value = 0  # the Play's stop button: no training
    assert dash.training.steps == 4


def test_a_tick_waiting_in_the_queue_trains_but_skips_the_pictures(dash):
    dash.play.interval = 10_000  # a tick within 2 s of the last one counts as queued
    dash.start()
    assert dash.play.playing
    dash.play.value += 1
    drawn = bytes(dash.boundary_image.value)
    dash.play.value += 1  # right after the first: it waited in the queue
    assert dash.training.steps == 2 and dash.status.value.startswith("step 2 · ")
    assert bytes(dash.boundary_image.value) == drawn
    dash.pause()  # pausing draws the last step
    assert not dash.play.playing
    assert bytes(dash.boundary_image.value) != drawn


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    runs = []
    for seed in (3, 3, 4):
        dash = TrainingDashboard(points=POINTS, seed=seed, batch_size=16)
        dash.step(10)
        runs.append(dash.history)
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_the_point_graph_is_the_layer_level_picture_with_the_loss():
    """A two-layer sigmoid net: matmul, add, sigmoid and loss nodes with their shapes, for one point."""
    model = MLP([2, 4, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    dash = TrainingDashboard(model, points=POINTS, loss="mse", seed=0)
    order = topological_order(dash._point_loss)
    assert [n.op for n in order if n.op] == ["matmul", "add", "sigmoid", "matmul", "add", "sigmoid", "mse"]
    shapes = {n.label: n.data.shape for n in order if n.label}
    assert shapes == {
        "x": (1, 2),
        "W1": (2, 4),
        "b1": (4,),
        "z1": (1, 4),
        "h1": (1, 4),
        "W2": (4, 1),
        "b2": (1,),
        "z2": (1, 1),
        "y": (1, 1),
        "t": (1, 1),
        "L": (),
    }
    assert dash.training.threshold == 0.5
    view = dash.stepper.view
    assert ">1×4</FONT>" in view.dot and "<B>z1</B>" in view.dot  # a layer's output: its shape, then its entries


def test_the_deltas_are_the_gradients_at_each_layer_output(dash):
    dash.step(3)
    names = {n.label: n for n in topological_order(dash._point_loss) if n.label}
    # bce on a logit: the output delta is the famous σ(z) − t, for one point
    t = dash.training.y_train[dash.selected]
    expected = sigmoid(names["z3"].data) - t
    assert names["z3"].grad == pytest.approx(expected)
    text = dash.deltas.value
    assert "δ<sub>3</sub>" in text and "δ<sub>2</sub>" in text and "δ<sub>1</sub>" in text
    assert f"{expected.item():.3g}" in text
    assert text.index("δ<sub>3</sub>") < text.index("δ<sub>1</sub>")  # passed back from the loss
    # a label is one formula: it never wraps as "δ3 = ∂L/" above "∂z3"
    labels = re.findall(r"<td([^>]*)>δ<sub>", text)
    assert len(labels) == 3 and all("white-space:nowrap" in attributes for attributes in labels), labels


def test_the_deltas_follow_the_backward_stepper(dash):
    assert dash.stepper.position == dash.stepper.total  # it starts with every gradient shown
    dash.stepper.reset()
    assert dash.deltas.value.count("not reached yet") == 3
    dash.stepper.step()  # L -> z3 (its first input)
    assert dash.deltas.value.count("not reached yet") == 2
    dash.stepper.run()
    assert "not reached yet" not in dash.deltas.value


def test_the_point_graph_follows_training(dash):
    dash.stepper.goto(4)
    dash.step(10)
    assert dash.stepper.position == 4  # the walk keeps its place
    i = dash.selected
    fresh = dash.training.point_loss(i)
    assert float(dash._point_loss.data) == pytest.approx(float(fresh.data))
    assert "loss L = " + f"{float(fresh.data):.3g}" in dash.point_info.value


def test_without_held_out_points():
    dash = TrainingDashboard(points=40, held_out=0.0, seed=0)
    dash.step(2)
    assert math.isnan(dash.history[-1].held_out_loss)
    assert "held-out" not in dash.status.value
    assert bytes(dash.loss_image.value).startswith(PNG)


def test_data_as_arrays_with_minus_one_plus_one_labels():
    X, y = make_moons(40, seed=1)
    dash = TrainingDashboard(data=(X, 2 * y - 1), loss="hinge", optimizer="sgd", lr=0.1, seed=0)
    assert set(dash.training.y_train.tolist()) == {0, 1}
    dash.step(5)
    assert dash.history[-1].train_loss < dash.history[0].train_loss


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"data": "banana"}, r"unknown dataset 'banana'; choose one of \['circles', 'moons', 'spiral', 'xor'\]"),
        ({"loss": "cross"}, r"unknown loss 'cross'; choose one of \['bce', 'hinge', 'l1', 'mse'\]"),
        ({"optimizer": "rmsprop"}, r"unknown optimizer 'rmsprop'; choose one of \['adam', 'momentum', 'sgd'\]"),
        ({"data": (np.zeros((5, 3)), np.zeros(5))}, r"X must have shape \(n, 2\).*got shape \(5, 3\)"),
        ({"data": (np.zeros((5, 2)), np.zeros(4))}, r"y must hold one label per point, shape \(5,\)"),
        ({"data": (np.zeros((3, 2)), [0, 1, 2])}, r"labels must be 0 and 1 \(or -1 and 1\); got \[0, 1, 2\]"),
        ({"data": 42}, r"data must be a dataset name"),
        ({"held_out": 1.0}, r"held_out is the share of points"),
        ({"lr": 0}, r"learning rate must be positive"),
        ({"batch_size": 0}, r"batch_size must be a whole number"),
        ({"model": MLP([3, 4, 1])}, r"the model cannot take points of shape \(n, 2\)"),
        ({"model": MLP([2, 4, 2])}, r"the model must give one number per point"),
    ],
)
def test_errors_say_what_to_do(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainingDashboard(**{"points": 40, **kwargs})


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), held_out=st.floats(0.0, 0.6), points=st.integers(6, 60))
def test_the_split_uses_every_point_once(seed, held_out, points):
    run = TrainingRun(points=points, held_out=held_out, seed=seed)
    X, y = load_data("moons", points, seed)
    together = np.vstack([run.X_train, run.X_held])
    assert len(run.X_held) == round(held_out * points)
    assert sorted(map(tuple, together)) == sorted(map(tuple, X))
    assert sorted(np.concatenate([run.y_train, run.y_held]).tolist()) == sorted(y.tolist())
    again = TrainingRun(points=points, held_out=held_out, seed=seed)
    assert np.array_equal(again.X_train, run.X_train)


def test_scores_and_belief_of_any_points():
    run = TrainingRun(points=20, seed=0)
    scores = run.scores([[0.0, 0.0], [1.0, 0.5]])
    assert scores.shape == (2,)
    assert np.allclose(run.belief([[0.0, 0.0]]), sigmoid(run.scores([[0.0, 0.0]])))
    assert isinstance(run.point_loss(0), Tensor)


def test_a_diverging_run_says_what_to_do():
    model = MLP([2, 16, 1], activation="relu", output_activation=None, rng=0)
    dash = TrainingDashboard(model, points=40, loss="mse", optimizer="sgd", lr=10.0, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow: the point of this test
        dash.step(30)
    assert not math.isfinite(dash.history[-1].train_loss)
    assert "Lower the learning rate and press Reset" in dash.status.value
    assert bytes(dash.loss_image.value).startswith(PNG)
    assert bytes(dash.boundary_image.value).startswith(PNG)


def test_notebook_wide_options_reach_the_point_graph():
    configure(quiz=True, hide=("back",))
    try:
        dash = TrainingDashboard(points=40, seed=0)
    finally:
        configure(reset=True)
    assert dash.stepper.quiz and dash.stepper.position == 0  # the student answers step by step
    assert dash.stepper.back_button.layout.display == "none"
    assert dash.stepper.speed.layout.display == "none"  # the dashboard's own Play is the one that trains
