"""One picture model: tensor cells that fit their numbers, ids and widths from one place, highlights kept."""

import json
import re
from pathlib import Path

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Tensor, Value
from backprop_widgets.nn.scalar import MLP
from backprop_widgets.render import backend, protocol
from backprop_widgets.render.dot import SMALL_ARRAY, WINDOW, entry_text, window
from backprop_widgets.render.model import PictureModel
from backprop_widgets.render.view import SvgPicture
from backprop_widgets.widgets.graph import GraphView

STATIC = Path(protocol.__file__).resolve().parent.parent / "static"
needs_graphviz = pytest.mark.skipif(backend() is None, reason="static pictures need pygraphviz or a dot program")


def layer(w, x):
    W = Tensor(numpy.asarray(w, dtype=float), label="W")
    X = Tensor(numpy.asarray(x, dtype=float), label="x", constant=True)
    loss = (W @ X).tanh().sum()
    loss.label = "L"
    loss.backward()
    return W, loss


def cells_fit(model: PictureModel) -> list:
    """Every number cell of an array whose text is wider than its cell (by the width table): none, we hope."""
    return [
        (slot, text)
        for (_, slot), text in zip(model.slots, model.texts(), strict=True)
        if slot.entry >= 0 and protocol.text_width(text) > slot.width - 2 * slot.inset
    ]


def test_a_small_array_is_drawn_whole_one_cell_per_entry_at_the_normal_text_size():
    W, loss = layer([[0.5, -1.25, 2.0], [0.125, 3.5, -0.75]], [1.0, -2.0, 0.5])
    model = PictureModel(loss)
    w_cells = [(slot, text) for (_, slot), text in zip(model.slots, model.texts(), strict=True) if slot.node == 0]
    assert [text for slot, text in w_cells if slot.kind == "data"] == ["0.5", "-1.25", "2", "0.125", "3.5", "-0.75"]
    assert len([slot for slot, _ in w_cells if slot.kind == "grad"]) == 6
    box = re.search(r"\tn0 \[label=<(.*)> class", model.dot)[1]
    assert box.count('POINT-SIZE="') == 3  # only the captions (shape, data, grad) are small; entries are not
    assert not cells_fit(model)


def test_a_large_array_shows_its_shape_and_its_first_rows_and_columns():
    big = Tensor(numpy.arange(16 * 5, dtype=float).reshape(16, 5) / 7, label="H")
    loss = big.sum()
    loss.backward()
    model = PictureModel(loss)
    assert window((16, 5)) == WINDOW and window((SMALL_ARRAY, SMALL_ARRAY)) == (SMALL_ARRAY, SMALL_ARRAY)
    rows, cols = WINDOW
    data = [text for (_, slot), text in zip(model.slots, model.texts(), strict=True) if slot.kind == "data"][
        : rows * cols
    ]
    assert data == [entry_text(v) for v in (big.data[:rows, :cols]).ravel()]  # row by row: the top-left corner
    assert ">16×5</FONT>" in model.dot and "…" in model.dot and "⋮" in model.dot
    assert "data [[0, 0.1429" in model.details()["n0"]  # the whole array is the box's tooltip
    assert model.details()["n0"].count("\n") >= 16


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(-1e6, 1e6),
            st.floats(-1e-3, 1e-3),
            st.floats(-1e150, 1e150),
            st.sampled_from([0.0, -1e-5, 1.234e-5, -99999.0, -2.2e-311]),
        ),
        min_size=6,
        max_size=6,
    )
)
def test_no_entry_is_clipped_every_entry_fits_its_cell_by_the_width_table(numbers):
    _, loss = layer(numpy.reshape(numbers, (2, 3)), [1.0, -2.0, 0.5])
    assert not cells_fit(PictureModel(loss))


def test_ids_widths_and_the_placeholder_come_from_one_place():
    W, loss = layer([[0.5, -1.25, 2.0], [0.125, 3.5, -0.75]], [1.0, -2.0, 0.5])
    view = GraphView(loss)
    model = PictureModel(loss, show_grad=True)
    # the widget sends the model's slot list and texts
    assert view.slots == [[gid, slot.width, slot.inset] for gid, slot in model.slots]
    assert view.cells == model.texts()
    # a tensor's whole array goes to the page only once it asks (a hover): no move sends arrays nobody reads
    assert view.details == {}
    messages = []
    view.send = lambda content, buffers=None: messages.append(content)
    view._on_message(view, {"type": "details?", "id": "n0"}, [])
    assert view.details == {"n0": model.details()["n0"]} and messages[-1]["details"] == view.details
    view.ask_details("n0")  # asked twice: sent once
    assert len(messages) == 1
    assert view._plan.order[0] is W
    W.data = W.data * 2  # the values change: the asked box's whole array goes with the cells
    view.update()
    assert len(messages) == 2 and "[[1, -2.5, 4]," in messages[-1]["details"]["n0"]
    # the front end gets the protocol's constants written into its code, with this version
    constants = protocol.front_end_constants()
    code = view.front_end._esm
    written = json.loads(re.search(r"const P = /\*PROTOCOL\*/ (\{.*\});", code)[1])
    assert written == constants and constants["api"].endswith(protocol.VERSION)
    assert constants["em"] == protocol.EM and constants["placeholder"] == protocol.PLACEHOLDER
    picture_code = re.search(r"const P = /\*PROTOCOL\*/ (\{.*\});", view._esm)[1]
    assert json.loads(picture_code)["api"] == constants["api"]  # a new version is a new front end on the page
    # and holds no second copy of them: no width table, no bare placeholder, no bare message type
    for name in ("frontend.js", "graph.js"):
        source = (STATIC / name).read_text(encoding="utf-8")
        body = source.split("/*PROTOCOL*/", 1)[1].split("\n", 1)[1]
        assert '"@"' not in body and "0.34" not in body, name
        for message in protocol.MESSAGES.values():
            assert f'type: "{message}"' not in body and f'=== "{message}"' not in body, (name, message)


@needs_graphviz
def test_the_static_copy_keeps_every_highlight_of_the_widget():
    net = MLP(2, [2, 1], seed=0)
    y = net([0.5, -1.0])
    y.backward()
    w = net.layers[0].neurons[0].w[0]
    view = GraphView(y, folded=frozenset())
    order = view._plan.order
    product = next(n for n in order if w in n.parents)
    total = next(n for n in order if product in n.parents)
    edges = [(product, product.parents.index(w)), (total, total.parents.index(product))]
    view.highlight(node=w, edges=edges)
    wanted = {f"e{view.node_id(node)}-{i}" for node, i in edges}
    assert wanted <= set(view.current)
    copy = view.svg  # the static copy saved with the widget
    current = set(re.findall(r'<g id="([^"]*)" class="[^"]* current"', copy))
    assert current == {gid for gid in view.current if f'<g id="{gid}"' in copy}
    assert wanted <= current  # the edges too, not only the node
    # and SvgPicture on its own takes the same edges=
    static = SvgPicture(y, folded=frozenset()).highlight(node=w, edges=edges[:1])
    gid = f"e{view.node_id(product)}-{product.parents.index(w)}"
    assert re.search(rf'<g id="{gid}" class="[^"]* current"', static.svg), gid


@needs_graphviz
def test_a_tensor_box_in_the_static_copy_has_its_whole_array_as_a_tooltip():
    _, loss = layer([[0.5, -1.25, 2.0], [0.125, 3.5, -0.75]], [1.0, -2.0, 0.5])
    svg = SvgPicture(loss).svg
    title = re.search(r'<g id="n0" class="[^"]*">\n<title>([^<]*)</title>', svg)
    assert title and "data [[0.5, -1.25, 2]," in title[1]


def test_a_folded_path_lights_the_boxes_and_the_edges_between_them():
    net = MLP(2, [2, 2, 1], seed=0)
    y = net([0.5, -1.0])
    y.backward()
    model = PictureModel(y, folded=None)  # under 80 nodes: nothing folded by default
    assert not model.plan.folded
    folded = PictureModel(y, folded={("layer 1", "neuron 1"), ("layer 2", "neuron 1")})
    h11 = net.layers[0].neurons[0]
    order = folded.plan.order
    w = h11.w[0]
    product = next(n for n in order if w in n.parents)
    inside = folded.lit(node=w, edges=[(product, product.parents.index(w))])
    box = folded.shown_id(w)
    assert inside[0] == f"n{box}" and f"n{box}" in inside and not any(i.startswith("e") for i in inside)
    h = next(n for n in order if n.label == "h1.1")
    into = next(n for n in order if h in n.parents and folded.shown_id(n) != box)
    ids = folded.lit(edges=[(into, into.parents.index(h))])
    assert ids[0].startswith(f"f{folded.shown_id(into)}-") and ids[1] == f"n{folded.shown_id(into)}"
    assert ids[0] in folded.dot  # an edge the picture draws


def test_scalar_pictures_are_unchanged_by_the_model():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    f = a * b
    f.backward()
    model = PictureModel(f)
    assert [slot.entry for _, slot in model.slots] == [-1] * 6 and model.details() == {}


def test_an_empty_array_says_so_instead_of_an_empty_row():
    empty = Tensor(numpy.zeros((0,)), label="e")
    total = empty.sum()
    total.backward()
    model = PictureModel(total)
    assert [slot for _, slot in model.slots if slot.node == 0] == []
    assert model.dot.count(">empty</FONT>") == 2  # its value and its gradient; Graphviz needs a cell per row
