"""Groups mark the nodes that belong together; a gradient is the sum over its paths, which backprop never lists."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Value
from backprop_widgets.engine import group, group_of, topological_order
from backprop_widgets.engine.paths import count_paths, multiplications, paths
from backprop_widgets.nn.scalar import MLP, Neuron


def test_groups_nest_and_mark_inputs_and_results():
    with group("layer 1"):
        with group("neuron 2"):
            w = Value(0.5, label="w")
            h = (w * 3).tanh()
        b = Value(1.0)
    assert group_of(w) == group_of(h) == ("layer 1", "neuron 2")
    assert group_of(b) == ("layer 1",) and group_of(Value(1.0)) == ()
    with pytest.raises(TypeError, match="a name"):
        with group(""):
            pass


def test_a_group_closes_even_when_its_block_fails():
    with pytest.raises(ZeroDivisionError):
        with group("broken"):
            1 / 0  # noqa: B018 (the error is the test)
    assert group_of(Value(2.0)) == ()


def test_the_scalar_mlp_uses_the_lectures_names_and_tags_every_node():
    net = MLP(2, [4, 4, 1], seed=1)
    y = net([0.5, -1.0])
    assert repr(net) == "MLP(2-4-4-1)" and len(net.parameters()) == 12 + 20 + 5 and y.label == "y"
    inside = [n for n in topological_order(y) if not (n.label or "").startswith("x")]
    assert all(len(group_of(n)) == 2 for n in inside)  # every node but the data is in a layer and a neuron
    with pytest.raises(ValueError, match="activation"):
        Neuron(2, activation="softplus")


def test_the_2_16_16_1_network_has_about_980_nodes():
    y = MLP(2, [16, 16, 1])([0.5, -1.0])
    assert 975 <= len(topological_order(y)) <= 985


def test_a_weights_gradient_is_the_sum_of_its_paths_products():
    net = MLP(2, [4, 4, 1], seed=0)
    y = net([0.5, -1.0])
    y.backward()
    w = net.layers[0].neurons[0].w[0]
    found = paths(y, w)
    assert len(found) == count_paths(y, w) == 4  # one through each neuron of layer 2
    assert math.isclose(sum(p.product for p in found), w.grad, rel_tol=1e-12)
    for p in found:
        assert p.nodes[0] is w and p.nodes[-1] is y and math.isclose(math.prod(p.locals), p.product)


def test_backprop_multiplies_once_per_edge_where_listing_paths_multiplies_per_path():
    net = MLP(2, [16, 16, 1], seed=0)
    y = net([0.5, -1.0])
    x0 = next(n for n in topological_order(y) if n.label == "x0")
    cost = multiplications(y, x0)
    assert cost["paths"] == 16 * 16  # every neuron of layer 1, then every neuron of layer 2
    assert cost["by_backprop"] < cost["by_paths"] / 5


def test_counting_paths_without_listing_them():
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):  # y + y uses y twice: each level doubles the paths
        y = y + y
    assert count_paths(y, x) == 2**30
    assert len(paths(y, x, limit=100)) == 100


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_sum_over_paths_equals_the_gradient_on_random_graphs(seed):
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(3)]
    nodes = list(xs)
    for _ in range(rng.randint(1, 10)):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(rng.choice([a + b, a * b, a.tanh(), (a * b).sigmoid()]))
    root = nodes[-1]
    root.backward()
    order = topological_order(root)
    for x in xs:
        if x in order:
            total = sum(p.product for p in paths(root, x, limit=10_000))
            assert math.isclose(total, x.grad, rel_tol=1e-9, abs_tol=1e-12)
