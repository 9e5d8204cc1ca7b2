"""DOT text: the golden (a+b)(b+c) picture, byte-identical in every process, what each node shows."""

import pathlib
import re
import subprocess
import sys

import numpy
from hypothesis import given
from hypothesis import strategies as st

from backprop_widgets import Value
from backprop_widgets.engine import Node, format_number
from backprop_widgets.render import to_dot, value_text
from backprop_widgets.render.dot import LIMIT, PALETTE, build, local_texts, op_title, plan, texts_now

GOLDEN = pathlib.Path(__file__).with_name("golden_ab_bc.dot")


def test_golden_dot_for_ab_bc(ab_bc):
    f, _ = ab_bc
    assert to_dot(f, show_local=True) == GOLDEN.read_text()


def test_golden_says_what_the_lesson_says():
    text = GOLDEN.read_text()
    # f's value box: f | data 14 | grad 1
    assert re.search(r"n5 \[label=<.*<B>f</B>.*data.*>14</TD>.*grad.*>1</TD>", text)
    # b is used twice: gradients add at the branch, 7 + 2 = 9
    assert re.search(r"n1 \[label=<.*<B>b</B>.*>3</TD>.*>9</TD>", text)
    # local gradients of the product: df/dx = y = 7, df/dy = x = 2
    assert re.search(r'n2 -> "n5-op" \[label=<.*>7</TD>.*id="e5-0"\]', text)
    assert re.search(r'n4 -> "n5-op" \[label=<.*>2</TD>.*id="e5-1"\]', text)


SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from render_graphs import make_ab_bc
from backprop_widgets.render import to_dot
f, _ = make_ab_bc()
sys.stdout.write(to_dot(f, show_local=True))
"""


def test_same_dot_in_two_processes(ab_bc):
    script = SCRIPT.format(tests=str(pathlib.Path(__file__).parent))
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] == to_dot(ab_bc[0], show_local=True)


def test_ids_follow_the_topological_order(ab_bc):
    text = to_dot(ab_bc[0])
    names = re.findall(r"^\t(n\d+) \[", text, flags=re.M)
    assert names == ["n0", "n1", "n2", "n3", "n4", "n5"]
    assert "0x" not in text  # never a memory address


def test_build_returns_the_cells_of_each_svg_id_and_leaves_the_plan_alone(ab_bc):
    f, _ = ab_bc
    picture = plan(f, show_local=True)
    before = vars(picture).copy()
    drawing = build(picture, texts_now(picture))
    assert vars(picture) == before
    assert drawing.graph.source == to_dot(f, show_local=True)
    assert [(s.kind, s.node) for s in drawing.slots["n5"]] == [("data", 5), ("grad", 5)]
    assert [(s.kind, s.node, s.index) for s in drawing.slots["e5-1"]] == [("local", 5, 1)]
    assert drawing.clusters == {}  # no groups: no boxes, no frames
    again = build(picture, texts_now(picture))  # the same plan, the same drawing
    assert (again.graph.source, again.slots, again.clusters) == (drawing.graph.source, drawing.slots, drawing.clusters)


def test_op_nodes_and_value_nodes_look_different(e3):
    g, _ = e3
    text = to_dot(g)
    assert "class=op" in text and "shape=circle" in text
    assert 'class="value variable"' in text and PALETTE["variable"][0] in text
    assert 'class="value constant"' in text and 'STYLE="dashed"' in text
    assert 'class="value result"' in text and PALETTE["result"][0] in text
    assert re.search(r'"n\d+-op" \[label=<\^2>', text)  # pow shows its exponent


def test_constants_show_just_their_number(e3):
    g, _ = e3
    constants = [line for line in to_dot(g).splitlines() if 'class="value constant"' in line]
    assert len(constants) == 2
    for line in constants:
        assert ">grad<" not in line and ">data<" not in line


def test_gradients_only_when_asked():
    x = Value(2.0, label="x")
    y = x * x
    assert ">grad<" not in to_dot(y)  # no backward pass yet
    assert ">grad<" not in to_dot(y, show_grad=False)
    assert ">grad<" in to_dot(y, show_grad=True)
    y.backward()
    assert ">grad<" in to_dot(y)  # after backward()
    assert ">grad<" not in to_dot(y, show_grad=False)


def test_labels_are_escaped_and_may_be_none():
    x = Value(1.0, label='<b>&"x"')
    y = x + Value(2.0)  # no label anywhere else
    text = to_dot(y)
    assert "&lt;b&gt;&amp;&quot;x&quot;" in text
    assert "<b>&" not in text


def test_edges_go_from_value_box_to_op_circle_with_input_index():
    x = Value(3.0, label="x")
    text = to_dot(x * x)  # x used twice: two edges, told apart by the input index
    assert 'n0 -> "n1-op" [id="e1-0"]' in text
    assert 'n0 -> "n1-op" [id="e1-1"]' in text
    assert '"n1-op" -> n1 [id="n1-out"]' in text


def test_big_graph_dot_keeps_only_the_nearest_nodes():
    h = Value(1.0, label="h")
    for _ in range(LIMIT):
        h = h * 1.001
    text = to_dot(h)
    assert f"this graph has {2 * LIMIT + 1:,} nodes" in text
    assert len(re.findall(r'class="value', text)) == 60
    assert "class=more" in text


# ---- numbers and arrays ------------------------------------------------------------


def test_value_text_numbers():
    assert value_text(25.0) == "25"
    assert value_text(0.19661193324148185) == "0.1966"
    assert value_text(-0.0) == "0"
    assert value_text(float("nan")) == "nan"
    assert value_text(numpy.float64(0.5)) == "0.5"
    assert value_text(numpy.array(2.5)) == "2.5"  # a 0-d array is a number


def test_value_text_arrays_show_shape_and_a_few_entries():
    assert value_text(numpy.array([1.0, 2.0])) == "2 [1, 2]"
    assert value_text(numpy.zeros((3, 2))) == "3×2 [0, 0, 0, …]"
    assert value_text(numpy.arange(4.0).reshape(2, 2), entries=2) == "2×2 [0, 1, …]"


class ArrayNode(Node):
    """A stand-in for an array node: the Node fields, numpy data."""

    __slots__ = ()

    def __init__(self, data, label=None, parents=(), op=None):
        self.data = numpy.asarray(data, dtype=float)
        self.grad = numpy.zeros_like(self.data)
        self.op = op
        self.parents = parents
        self.params = {}
        self.label = label
        self.constant = False


def test_array_nodes_show_shape_and_entries():
    w = ArrayNode([[0.1, 0.5], [1.0, 2.0], [3.0, 4.0]], label="W")
    out = ArrayNode([1.0, 2.0], parents=(w,), op="matmul")
    text = to_dot(out, show_grad=True)
    assert "<B>W</B></TD>" in text and ">3×2</FONT>" in text  # its name and shape
    for entry in ("0.1", "0.5", "1", "2", "3", "4"):  # every entry of a small array, one cell each
        assert f'ALIGN="LEFT">{entry}</TD>' in text
    assert text.count('ALIGN="LEFT">0</TD>') == 6 + 2  # the gradient cells: zeros of the same shapes
    assert "<matmul>" in text  # an op missing from the op table shows its name


def test_a_long_bold_name_gets_room_before_its_shape():
    # Graphviz measures bold letters as regular ones: the name's cell is made wide enough for bold ones
    from backprop_widgets.render.protocol import text_width

    text = to_dot(ArrayNode([[1.0, 2.0, 3.0]], label="counts_sum"), show_grad=True)
    (width,) = re.findall(r'WIDTH="(\d+)"><B>counts_sum</B>', text)
    assert int(width) >= 1.1 * text_width("counts_sum") + text_width(" ")


def test_a_long_op_symbol_sits_in_an_ellipse_a_short_one_in_a_circle():
    x = ArrayNode([1.0, 2.0], label="x")
    assert "shape=ellipse" in to_dot(ArrayNode([3.0], parents=(x,), op="sum over axis 1"))
    assert "shape=circle" in to_dot(ArrayNode([3.0], parents=(x,), op="exp"))


def test_real_tensor_graph():
    from backprop_widgets import Tensor

    w = Tensor([[1.0, 2.0], [3.0, 4.0]], label="W")
    x = Tensor([1.0, -1.0], label="x")
    loss = (w @ x).sigmoid().sum()
    loss.backward()
    text = to_dot(loss, show_local=True)
    assert ">2×2</FONT>" in text and "<B>W</B>" in text
    assert "upstream" in text  # a vector-Jacobian product shows its rule
    assert op_title(loss) == "Σ"


def test_local_texts_of_scalar_ops(ab_bc):
    f, (a, b, c, x, y) = ab_bc
    assert local_texts(f) == ["7", "2"]
    assert local_texts(x) == ["1", "1"]


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_view_number_format_is_format_number(x):
    from backprop_widgets.render.view import _number

    assert _number(x) == format_number(x)


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=8), st.integers(0, 3))
def test_dot_is_a_function_of_the_graph(numbers, seed):
    """Building the same graph twice gives the same DOT text (nothing depends on object identity)."""

    def build():
        nodes = [Value(v, label=f"v{i}") for i, v in enumerate(numbers)]
        total = nodes[0]
        for i, node in enumerate(nodes[1:]):
            total = total * node if (i + seed) % 2 else total + node.tanh()
        return total

    first, second = build(), build()
    first.backward()
    second.backward()
    assert to_dot(first, show_local=True) == to_dot(second, show_local=True)
