"""Big graphs fold into neurons and layers: boxes, frames, clicks, and stepping a folded graph."""

import numpy as np
import pytest

from backprop_widgets import BackwardStepper, PathView, Tensor, Value, draw
from backprop_widgets.nn.scalar import MLP


def net_and_output(sizes, seed=0):
    net = MLP(2, sizes, seed=seed)
    y = net([0.5, -1.0])
    y.backward()
    return net, y


def test_a_big_network_starts_folded_into_its_neurons():
    _, y = net_and_output([16, 16, 1])
    view = draw(y)
    assert len(view.folded) == 33 and all(len(g) == 2 for g in view.folded)  # every neuron folded
    assert view.dot.count('class="value folded"') == 33
    assert len(view._plan.shown) == 35  # 33 neuron boxes and the two inputs, for 980 nodes
    assert view.texts(y) == {"data": format(y.data, ".4g"), "grad": "1"}  # the output row of its box


def test_a_small_graph_is_not_folded_and_a_fold_can_be_asked_for():
    _, y = net_and_output([2, 1])
    view = draw(y)
    assert not view.folded and view.dot.count("cluster_") >= 3  # unfolded groups get dashed frames
    view.fold("layer 1")
    assert view.folded == {("layer 1",)} and view.dot.count('class="value folded"') == 1
    with pytest.raises(ValueError, match="no group"):
        view.fold("layer 9")


def test_a_click_on_a_box_unfolds_it_and_a_click_on_its_frame_folds_it_back():
    _, y = net_and_output([4, 4, 1])
    view = draw(y)
    box = next(key for key, path in view._clusters.items() if path == ("layer 2", "neuron 3"))
    sent = []
    view.send = lambda content, buffers=None: sent.append(content)
    view._on_message(view, {"type": "toggle", "id": box}, [])
    assert ("layer 2", "neuron 3") not in view.folded
    frame = next(key for key, path in view._clusters.items() if path == ("layer 2", "neuron 3"))
    assert frame.startswith("c")  # now a dashed frame
    view._on_message(view, {"type": "toggle", "id": frame}, [])
    assert ("layer 2", "neuron 3") in view.folded


def test_stepping_a_folded_graph_takes_one_neuron_at_a_time_and_agrees_with_backward():
    net, y = net_and_output([4, 4, 1])
    s = BackwardStepper(y)
    assert s.total == 9  # nine folded neurons (the data x0, x1 get no steps)
    s.step()
    text = s.walk.explain()
    assert text["local_text"].startswith("inside layer 3 › neuron 1:")
    assert text["numbers_text"].count("∂y/∂h2.") == 4  # what leaves the output neuron: one edge per input
    s.run()
    assert all(abs(s.walk.grads()[p] - p.grad) < 1e-12 for p in net.parameters())


def test_unfolding_while_stepping_keeps_the_place():
    _, y = net_and_output([4, 4, 1])
    s = BackwardStepper(y)
    s.step()
    s.step()
    done = s.walk.edges_done
    s.view.unfold(("layer 2", "neuron 4"))
    assert s.walk.edges_done >= done and s.total > 9
    s.view.unfold()
    assert s.total == len(s.walk.edges) and s.walk.edges_done >= done


def test_the_path_view_adds_up_the_paths_to_the_gradient():
    net, y = net_and_output([4, 4, 1])
    w = net.layers[0].neurons[0].w[0]
    view = PathView(y, w)
    assert view.count == 4 and "4 paths" in view.table.value
    assert f"{w.grad:.6g}" in view.table.value
    assert "w1.1.0 → z1.1 → h1.1 → z2.1 → h2.1 → z3.1 → y" in view.table.value
    view.which.value = 2
    assert any(i.startswith("e") for i in view.view.current)  # the chosen path is lit
    view.choice.value = "b2.3"
    assert view.count == 1


def test_a_tensor_layer_built_under_group_folds_and_steps_as_one():
    import numpy as np

    from backprop_widgets import Tensor
    from backprop_widgets.engine import group, group_of

    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=3), label="x")
    with group("layer 1"):
        W, b = Tensor(rng.normal(size=(4, 3)), label="W1"), Tensor(np.zeros(4), label="b1")
        h = (W @ x + b).tanh()
    loss = (h**2).sum()
    assert group_of(h) == group_of(W) == ("layer 1",) and group_of(loss) == group_of(x) == ()
    stepper = BackwardStepper(loss)
    view = stepper.view
    view.fold("layer 1")
    assert view.folded == {("layer 1",)} and view.dot.count('class="value folded"') == 1
    stepper.run()
    assert stepper.total == 3  # Σ -> h², h² -> h, and the five steps inside the layer's box taken as one
    np.testing.assert_allclose(stepper.walk.grads()[x], (loss.backward(), x.grad)[1])


def test_group_marks_nothing_once_its_block_is_left_even_after_an_error():
    from backprop_widgets import Value
    from backprop_widgets.engine import group, group_of

    with pytest.raises(RuntimeError), group("layer 1"):
        raise RuntimeError
    assert group_of(Value(1.0)) == ()


def test_the_path_view_offers_every_input_layer_by_layer_the_network_inputs_first():
    net, y = net_and_output([4, 4, 1])
    view = PathView(y, net.layers[0].neurons[0].w[0])
    options = list(view.choice.options)
    assert options[:5] == ["x0", "x1", "b1.1", "w1.1.0", "w1.1.1"]
    assert len(options) == 2 + 4 * 3 + 4 * 5 + 5  # the inputs, then every weight and bias
    assert options.index("w2.4.3") < options.index("b3.1")  # layer 2 before layer 3
    view.choice.value = "x0"  # what exercise paths_from_x0 asks about
    x0 = view.start
    assert view.count == 16 and "16 paths" in view.table.value
    assert sum(p.product for p in view.paths) == pytest.approx(x0.grad)


def test_the_path_view_says_why_a_single_path_costs_no_more_than_backprop():
    net, y = net_and_output([4, 4, 1])
    view = PathView(y, net.layers[2].neurons[0].w[0])
    assert view.count == 1 and view.cost["by_paths"] <= view.cost["by_backprop"]
    assert "With a single path from w3.1.0 to y there is nothing to reuse" in view.table.value
    assert "∂y/∂y = 1 at the start" in view.table.value
    view.choice.value = "w1.1.0"  # 4 paths sharing their end: reuse pays
    assert view.cost["by_paths"] > view.cost["by_backprop"]
    assert "share their edges near y" in view.table.value and "nothing to reuse" not in view.table.value


def test_the_path_view_opens_folded_and_lights_the_boxes_a_path_goes_through():
    net, y = net_and_output([4, 4, 1])
    view = PathView(y, net.layers[0].neurons[0].w[0])
    assert view.view.folded and view.view.drawn == 2 + 4 + 4 + 1  # whole and readable: one box per neuron
    lit = view.view.current
    boxes = {i for i in lit if i.startswith("n") and "-" not in i}
    assert len(boxes) == 3, lit  # neuron 1.1, a neuron of layer 2, the output neuron
    assert sum(i.startswith("f") for i in lit) == 2, lit  # the edges between them
    unfolded = PathView(y, net.layers[0].neurons[0].w[0], folded=frozenset())
    assert not unfolded.view.folded and any(i.startswith("e") for i in unfolded.view.current)


def test_a_picture_too_big_for_its_cell_folds_its_outermost_groups_once_when_the_page_asks():
    _, y = net_and_output([2, 1])
    view = draw(y)
    unfolded = view.dot
    view._on_message(view, {"type": "fit?"}, [])  # the page: too big to open whole here at 10 px
    assert view.fitted == "folded" and view.folded == {("layer 1",), ("layer 2",)}
    assert view.dot.count('class="value folded"') == 2 and "cluster_" not in view.dot
    view.unfold("layer 1")
    view.fit()  # asked again (a second picture of the same view): once is all
    assert view.folded == {("layer 2",)} and view.dot != unfolded


def test_nothing_is_folded_to_fit_where_the_code_or_the_student_chose_or_there_are_no_groups():
    _, y = net_and_output([2, 1])
    chosen = draw(y, folded=set())  # the code asked for every node
    assert chosen.fit().fitted == "kept" and not chosen.folded
    clicked = draw(y)
    clicked.unfold("layer 1")  # nothing folded, but chosen
    assert clicked.fit().fitted == "kept" and not clicked.folded
    a = Value(2.0, label="a")
    plain = draw((a * a + 1).tanh())  # no groups
    assert plain.fit().fitted == "kept"


def test_a_picture_too_big_for_its_cell_with_nothing_to_fold_draws_its_arrays_with_two_rows_once():
    x = Tensor(np.arange(12.0).reshape(4, 3), label="x")
    s = BackwardStepper(((x * x).sum()), gates=True)
    s.step()
    assert s.view.dot.count("⋮") == 0  # a 4×3 array: every row
    total, lit, cells = s.total, s.view.current, len(s.view.slots)
    s.view.fit()
    assert s.view.fitted == "windowed" and not s.view.folded
    assert s.view.dot.count("⋮") == 4  # x and x·x, data and grad: 2 rows of 4 and ⋮
    assert s.total == total and s.view.current == lit  # the same steps, the same place
    assert len(s.view.slots) == cells - 4 * 6  # 6 of 12 entries in each grid (the whole array is on hover)
    s.view.fit()  # asked again: once is all
    assert s.view.fitted == "windowed"
    small = draw((Tensor([[1.0, 2.0], [3.0, 4.0]], label="w") * 2).sum())  # 2 rows: nothing to window
    assert small.fit().fitted == "kept"


def test_a_stepper_folded_to_fit_steps_each_layer_as_one_and_keeps_its_place():
    net, y = net_and_output([3, 1])
    s = BackwardStepper(y)
    s.step()
    s.step()
    s.view.fit()
    assert s.view.fitted == "folded" and s.total == 2  # one step per folded layer
    s.run()
    assert all(abs(s.walk.grads()[p] - p.grad) < 1e-12 for p in net.parameters())
