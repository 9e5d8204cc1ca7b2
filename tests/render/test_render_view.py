"""SvgPicture, the static copy: every label and value in the SVG, positions that stay put, highlights, big graphs."""

import ast
import pathlib
import re

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Value, backward_steps, forward_derivatives
from backprop_widgets.engine import Step, evaluate, topological_order
from backprop_widgets.render import SvgPicture, backend, value_text
from backprop_widgets.render import view as view_module
from backprop_widgets.render.dot import KEEP, PALETTE

pytestmark = pytest.mark.skipif(backend() is None, reason="static pictures need pygraphviz or a dot program")
GraphView = SvgPicture  # these tests were written for the picture before it moved to the browser


def draw(root, *, highlight=None, **options):
    """A static picture, highlighted as ``draw()`` highlights the widget."""
    picture = SvgPicture(root, show_grad=options.pop("show_grad", None), **options)
    if isinstance(highlight, Step):
        picture.highlight(node=highlight.node, edge=highlight)
    elif highlight is not None:
        picture.highlight(node=highlight)
    return picture


CURRENT = PALETTE["current"][0]
GEOMETRY = re.compile(r'(?<![-\w])(points|d|cx|cy|rx|ry|x|y|width|height|viewBox|transform)="([^"]*)"')


def geometry(svg: str) -> list:
    """Every coordinate in the picture, in document order (texts and colours left out)."""
    return GEOMETRY.findall(svg)


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def group(svg: str, gid: str) -> str:
    match = re.search(rf'<g id="{re.escape(gid)}" class="([^"]*)">(.*?)</g>', svg, re.S)
    assert match, f"no group {gid}"
    return match[0]


def layout_forbidden(monkeypatch):
    def no_layout(dot):
        raise AssertionError("the layout ran again")

    monkeypatch.setattr(view_module, "render_svg", no_layout)


# ---- what the SVG shows -------------------------------------------------------------


def test_svg_has_every_label_and_value(ab_bc):
    f, _ = ab_bc
    svg = draw(f).svg
    shown = texts(svg)
    for node in topological_order(f):
        assert node.label in shown
        assert value_text(node.data) in shown
        assert value_text(node.grad) in shown
    assert shown.count("data") == 6 and shown.count("grad") == 6
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")


def test_svg_of_e3_has_constants_ops_and_gradients(e3):
    g, x = e3
    svg = draw(g).svg
    shown = texts(svg)
    assert {"x", "g", "4", "1", "25", "40", "×", "+", "^2"} <= set(shown)
    assert 'class="node value constant"' in svg and "stroke-dasharray" in svg


@settings(max_examples=10, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=5), st.sampled_from(["add", "mul", "sub"]))
def test_every_node_is_in_the_svg(numbers, op):
    leaves = [Value(v, label=f"in{i}") for i, v in enumerate(numbers)]
    root = leaves[0]
    for leaf in leaves[1:]:
        root = Value._apply(op, root, leaf).tanh()
    root.backward()
    view = GraphView(root)
    shown = texts(view.svg)
    for k, node in enumerate(topological_order(root)):
        assert f'<g id="n{k}" ' in view.svg
        assert value_text(node.data) in shown and value_text(node.grad) in shown


def test_numbers_are_centred_inside_their_box(ab_bc):
    svg = draw(ab_bc[0]).svg
    box = group(svg, "n5")
    xs = [float(v) for v in re.findall(r'points="([-0-9.]+),', box)]
    frame = re.findall(r'points="([^"]*)"', box)[-1]
    left = min(float(p.split(",")[0]) for p in frame.split())
    right = max(float(p.split(",")[0]) for p in frame.split())
    numbers = re.findall(r'text-anchor="middle" x="([-0-9.]+)"[^>]*>(14|1)</text>', box)
    assert [text for _, text in numbers] == ["14", "1"]
    for x, _ in numbers:
        assert left < float(x) < right
    assert xs  # the box has polygons


def test_long_numbers_are_squeezed_into_their_cell():
    x = Value(1.2345678e100, label="x")
    y = x * 2
    y.backward()
    svg = draw(y).svg
    assert re.search(r'textLength="[0-9.]+" lengthAdjust="spacingAndGlyphs">1.235e\+100<', svg)
    assert not re.search(r'textLength="[0-9.]+" lengthAdjust="spacingAndGlyphs">2<', svg)


def test_local_gradients_on_edges(ab_bc):
    f, (a, b, c, x, y) = ab_bc
    view = GraphView(f, show_local=True)
    assert ">7</text>" in group(view.svg, "e5-0") and ">2</text>" in group(view.svg, "e5-1")
    c.data = 10.0  # y = 13: df/dx = y changes
    evaluate(f)
    assert ">13</text>" in group(view.update().svg, "e5-0")


# ---- update and highlight keep every position ---------------------------------------------


def test_positions_unchanged_after_update(ab_bc, monkeypatch):
    f, (a, b, c, x, y) = ab_bc
    view = GraphView(f, show_local=True)
    before = view.svg
    layout_forbidden(monkeypatch)
    a.data, b.data, c.data = -123456.789, 0.000123, 98765.4321
    evaluate(f)
    f.backward()
    after = view.update().svg
    assert after != before
    assert value_text(f.data) in texts(after)
    assert geometry(after) == geometry(before)
    view.highlight(node=x, edge=(f, 1))
    assert geometry(view.svg) == geometry(before)


def test_values_shown_are_the_new_ones(e3, monkeypatch):
    g, x = e3
    view = GraphView(g)
    layout_forbidden(monkeypatch)
    x.data = -1.0
    evaluate(g)
    g.backward()
    shown = texts(view.update().svg)
    assert "9" in shown and "-24" in shown  # E3 at x = -1
    assert "25" not in shown and "40" not in shown


def test_same_structure_reuses_the_layout(monkeypatch):
    def build(x0):
        x = Value(x0, label="x")
        out = (x * 3.0 + 1.0).tanh()
        out.backward()
        return out

    GraphView(build(0.5))
    layout_forbidden(monkeypatch)
    second = GraphView(build(-2.0))  # new nodes, new values, same structure: no layout
    assert value_text(-2.0) in texts(second.svg)


def test_highlight_marks_node_pieces_and_edge(ab_bc):
    f, (a, b, c, x, y) = ab_bc
    view = GraphView(f)
    assert "current" not in view.svg and CURRENT not in view.svg
    view.highlight(node=x, edge=(f, 0))
    for gid in ("n2", "n2-op", "n2-out", "e5-0"):
        lit = group(view.svg, gid)
        assert " current" in lit and CURRENT in lit and 'stroke-width="2.5"' in lit
    for gid in ("n0", "n4", "e5-1", "n5"):
        assert CURRENT not in group(view.svg, gid)
    view.highlight(node=a)  # a leaf: just its box; the last highlight is cleared
    assert CURRENT in group(view.svg, "n0") and CURRENT not in group(view.svg, "n2")
    view.highlight()
    assert "current" not in view.svg and CURRENT not in view.svg


def test_highlight_takes_steps_ids_and_pairs(ab_bc):
    f, (a, b, c, x, y) = ab_bc
    steps = list(backward_steps(f))
    view = GraphView(f)
    view.highlight(node=steps[0].node, edge=steps[0])
    assert CURRENT in group(view.svg, "e5-0")
    view.highlight(node=4)
    assert CURRENT in group(view.svg, "n4") and CURRENT not in group(view.svg, "e5-0")
    picture = draw(f, highlight=steps[-1])  # the last step: y's second input, c
    assert CURRENT in group(picture.svg, "n4") and CURRENT in group(picture.svg, "e4-1")
    with pytest.raises(ValueError, match="not a node of this graph"):
        view.highlight(node=Value(1.0))


def test_update_with_given_gradients(ab_bc):
    f, (a, b, c, x, y) = ab_bc
    view = GraphView(f)
    known = {f: 1.0, x: 7.0}  # halfway through a backward walk
    shown = texts(view.update(grads=known).svg)
    assert shown.count("?") == 4  # a, b, c, y not known yet
    derivatives = forward_derivatives(f, wrt=b)  # forward mode: d/db of every node
    view.update(grads=derivatives)
    assert re.search(r">grad</text>\n<text[^>]*>9</text>", group(view.svg, "n5"))  # df/db = 9
    assert re.search(r">grad</text>\n<text[^>]*>1</text>", group(view.svg, "n1"))  # db/db = 1
    assert "?" not in texts(view.svg)


# ---- displays, arrays, big graphs --------------------------------------------------------


def test_jupyter_display_hooks(ab_bc):
    view = draw(ab_bc[0])
    assert view._repr_svg_() == view.svg
    bundle = view._repr_mimebundle_()
    assert bundle["image/svg+xml"] == view.svg and bundle["text/plain"] == "SvgPicture(6 nodes)"
    assert repr(view) == "SvgPicture(6 nodes)"
    assert view.source.startswith("digraph backprop {")
    assert view.show_grad and not view.show_local and view.message is None


def test_array_nodes_update_in_place(monkeypatch):
    from backprop_widgets import Tensor

    w = Tensor([[1.0, 2.0], [3.0, 4.0]], label="W")
    x = Tensor([1.0, -1.0], label="x")
    loss = (w @ x).sigmoid().sum()
    loss.backward()
    view = GraphView(loss, show_local=True)
    assert ["1", "2", "3", "4"] == texts(group(view.svg, "n0"))[3:7]  # W: name, shape, "data", then its entries
    before = view.svg
    layout_forbidden(monkeypatch)
    w.data = numpy.array([[5.0, 6.0], [7.0, 8.0]])
    evaluate(loss)
    loss.backward()
    assert ["5", "6", "7", "8"] == texts(group(view.update().svg, "n0"))[3:7]
    assert geometry(view.svg) == geometry(before)


def test_big_graph_shows_the_nodes_nearest_the_output(monkeypatch):
    h = Value(1.0, label="h")
    for _ in range(5000):
        h = h * 1.001
    laid_out = []
    real = view_module.render_svg
    monkeypatch.setattr(view_module, "render_svg", lambda dot, **kw: laid_out.append(dot) or real(dot, **kw))
    view = draw(h)
    assert view.message == f"this graph has 10,001 nodes; showing the {KEEP} nodes nearest the output"
    assert repr(view) == f"SvgPicture({KEEP} of 10,001 nodes)"
    assert view.message in view.svg
    (dot,) = laid_out  # the layout ran once, on the small picture only
    assert len(re.findall(r'class="value', dot)) == KEEP
    assert f'id="n{10_000}"' in view.svg  # ids are still positions in the whole graph
    view.highlight(node=h)
    assert CURRENT in group(view.svg, "n10000")


def test_render_never_imports_ipywidgets():
    package = pathlib.Path(view_module.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "ipywidgets" for name in names), path.name
            assert not any("widgets" in name for name in names), path.name


def test_every_update_shows_the_current_numbers(e3):
    g, x = e3
    view = GraphView(g)
    for value in (2.0, 1.0, 2.0, float("nan"), 1.0, -0.0):
        x.data = value
        evaluate(g)
        g.backward()
        shown = texts(view.update().svg)
        assert [value_text(n.data) in shown for n in topological_order(g)] == [True] * 6
        assert value_text(x.grad) in shown
    view.update(grads={})  # nothing known: every gradient is "?"
    assert texts(view.svg).count("?") == 4  # the constants have no gradient cell
    assert "?" not in texts(view.update().svg)
