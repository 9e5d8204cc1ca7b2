"""A folded network's picture: neurons one line each, in their natural order, and text that stays readable."""

import re

import pytest

from backprop_widgets.nn.scalar import MLP
from backprop_widgets.render import backend
from backprop_widgets.render.dot import SMALL_FONT_SIZE, build, plan
from backprop_widgets.render.layout import render_svg
from backprop_widgets.render.protocol import FONT_SIZE, PLACEHOLDER


def folded_network(unfold=()):
    y = MLP(2, [16, 16, 1], seed=0)([0.5, -1.0])
    y.backward()
    picture = plan(y)
    if unfold:
        picture = plan(y, folded=picture.folded - set(unfold))
    return build(picture, lambda slot: PLACEHOLDER).graph.source


def test_a_layer_of_folded_neurons_is_one_rank_in_their_order_without_a_frame():
    dot = folded_network()
    rows = re.findall(r"\{\s*rank=same\s*((?:n\d+ -> n\d+ \[style=invis\]\s*)+)\}", dot)
    assert len(rows) == 2  # layers 1 and 2 (layer 3 has one neuron)
    names = dict(re.findall(r"\t(n\d+) \[label=<.*?▸ (neuron \d+)", dot))
    for row in rows:
        chain = re.findall(r"(n\d+) -> (n\d+)", row)
        assert [names[a] for a, _ in chain] == [f"neuron {k}" for k in range(1, 16)]
        assert all(a == b for (_, a), (b, _) in zip(chain, chain[1:], strict=False))  # one chain, 1 -> 2 -> ... -> 16
    assert "cluster_" not in dot  # a layer of folded boxes only gets no frame (Graphviz would reorder it)
    assert "cluster_" in folded_network(unfold=[("layer 1", "neuron 3")])  # an unfolded neuron does


def test_a_folded_neuron_is_one_line_and_no_text_is_smaller_than_the_small_font():
    dot = folded_network()
    box = re.search(r"▸ neuron 3.*?</TABLE>", dot).group(0)
    assert box.count("<TR>") == 0 and "data" in box and "grad" in box  # the opening <TR> is before the name
    sizes = {int(s) for s in re.findall(r'POINT-SIZE="(\d+)"', dot)} | {
        int(s) for s in re.findall(r"fontsize=(\d+)", dot)
    }
    assert min(sizes) == SMALL_FONT_SIZE and SMALL_FONT_SIZE * 4 / 3 * 0.83 >= 9.9 and FONT_SIZE > SMALL_FONT_SIZE


@pytest.mark.skipif(backend() is None, reason="laying out needs pygraphviz or a dot program")
def test_laid_out_the_neurons_read_1_to_16_top_to_bottom_in_each_layer():
    svg = render_svg(folded_network(), isolate=True)
    columns: dict[int, list] = {}
    for x, y, k in re.findall(r'<text[^>]* x="(-?[\d.]+)" y="(-?[\d.]+)"[^>]*>▸ neuron (\d+)</text>', svg):
        columns.setdefault(round(float(x) / 40), []).append((float(y), int(k)))
    orders = [[k for _, k in sorted(column)] for _, column in sorted(columns.items())]
    assert orders == [list(range(1, 17)), list(range(1, 17)), [1]], orders


@pytest.mark.skipif(backend() is None, reason="laying out needs pygraphviz or a dot program")
def test_with_a_neuron_unfolded_the_inputs_stay_on_the_left():
    svg = render_svg(folded_network(unfold=[("layer 1", "neuron 3")]), isolate=True)
    xs = {name: float(x) for x, name in re.findall(r'<text[^>]* x="(-?[\d.]+)"[^>]*>(x0|x1|w1\.3\.\d)</text>', svg)}
    assert {"x0", "x1", "w1.3.0", "w1.3.1"} <= xs.keys(), xs
    assert max(xs["x0"], xs["x1"]) < min(xs["w1.3.0"], xs["w1.3.1"]), xs
