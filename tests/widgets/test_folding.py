"""Big graphs fold into neurons and layers: boxes, frames, clicks, and stepping a folded graph."""

import pytest

from backprop_widgets import BackwardStepper, PathView, draw
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
