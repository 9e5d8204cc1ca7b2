"""The GraphView widget from Python: what crosses the wire, bad input, big graphs, static copies."""

import json

from backprop_widgets import Explorer, Value, draw
from backprop_widgets.widgets.graph import GraphView


def sent(view):
    """Record the messages a view sends to the browser."""
    messages = []
    view.send = lambda content, buffers=None: messages.append(content)
    return messages


def chain(n):
    x = Value(0.5, label="x")
    y = x
    for i in range(n):
        y = (y * 0.9 + x).tanh() if i % 2 else y * 1.01 + 0.1
    return y


def test_a_slider_move_on_a_300_node_graph_sends_only_changed_cells_under_20_kib():
    e = Explorer(chain(75))  # 75 links of about 4 nodes each
    view = e.stepper.view
    assert len(view.cells) >= 300
    messages = sent(view)
    e.set_value("x", 0.25)
    assert len(messages) == 1 and messages[0]["type"] == "patch"  # one message per move
    size = len(json.dumps(messages[0]).encode())
    assert size < 20 * 1024, size
    assert set(messages[0]["cells"]) and len(messages[0]["cells"]) <= len(view.cells)
    assert "dot" not in messages[0]  # the structure never crosses again


def test_a_slider_move_from_the_page_costs_it_two_messages_under_8_kib(monkeypatch):
    """What a key press on an Explorer's slider brings back to the page (bench_browser's latency rule):
    ipywidgets' echo of the slider's value and one patch, with the picture's cells and the panel's
    numbers. Every further message is another round of the page's widget processing."""
    e = Explorer(chain(75))
    assert len(e.stepper.view.cells) >= 300
    published = []

    def publish(comm, msg_type, data=None, metadata=None, buffers=None, **keys):
        published.append((comm.comm_id, msg_type, data))

    monkeypatch.setattr(type(e.comm), "publish_msg", publish)  # every widget's comm, as the kernel sends them
    slider = e.sliders["x"]
    for value in (0.51, 0.52, 0.53):  # the slider's own update message, as the page sends it
        published.clear()
        slider._handle_msg(
            {"content": {"data": {"method": "update", "state": {"value": value}, "buffer_paths": []}}, "buffers": []}
        )
        kinds = [(comm_id, data["method"]) for comm_id, _, data in published]
        assert kinds == [(slider.model_id, "echo_update"), (e.stepper.view.model_id, "custom")], kinds
        patch = published[1][2]["content"]
        assert patch["type"] == "patch" and patch["cells"]
        assert patch["state"] == {e.stepper.numbers.model_id: {"value": e.stepper.numbers.value}}
        size = sum(len(json.dumps(data).encode()) for _, _, data in published)
        assert size <= 8 * 1024, size


def test_a_step_sends_a_few_cells_the_highlight_the_flow_and_the_words():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    f = a * b + b
    from backprop_widgets import BackwardStepper

    s = BackwardStepper(f)
    messages = sent(s.view)
    s.step()
    (patch,) = messages
    assert len(patch["cells"]) == 1 and patch["flow"]["text"] == "1" and patch["current"]
    assert patch["announce"].startswith("Step 1 of ")
    assert set(patch["state"]) == {s.panel.model_id, s.numbers.model_id}  # the panel's words in the same message
    assert patch["state"][s.numbers.model_id] == {"value": s.numbers.value}
    assert len(json.dumps({name: value for name, value in patch.items() if name != "state"})) < 600
    assert s.view.cells[patch["flow"]["cell"]] == "1"  # the Python side holds the same state


def test_nothing_changed_sends_nothing():
    view = draw(Value(2.0, label="a") * 3)
    messages = sent(view)
    view.update()
    assert messages == []


def test_values_that_are_not_finite_are_named_in_the_widget():
    import warnings

    x = Value(0.0, label="x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # log(0) warns; the widget says it too
        view = draw(x.log() * 2)
    assert view.notes.startswith("2 values not finite") and "log of 0" in view.notes and "-inf" in view.cells
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        negative = draw((Value(-1.0, label="x")).log())
    assert "the log of -1: log is defined only for numbers above 0" in negative.notes and "nan" in negative.cells


def test_a_huge_graph_shows_the_nearest_nodes_and_show_more_doubles_them():
    h = Value(1.0, label="h")
    for _ in range(7500):
        h = h * 1.0001
    view = draw(h)
    assert view.message.startswith("this graph has 15,001 nodes; showing the 60")
    shown = view.dot.count('class="value')
    view.show_more()
    assert view.dot.count('class="value') > shown


def test_the_browser_failing_to_lay_out_falls_back_to_the_nearest_nodes():
    view = GraphView(chain(60))
    view._on_message(view, {"type": "layout-failed", "reason": "laying it out took more than 12 s"}, [])
    assert "took more than 12 s" in view.message and view.dot.count('class="value') <= 62


def test_draw_refuses_what_is_not_a_graph_with_a_clear_message():
    import pytest

    with pytest.raises(TypeError, match="takes a Value or Tensor"):
        draw(3.0)


def test_static_copy_in_the_bundle_only_where_graphviz_is_available(monkeypatch):
    from backprop_widgets.widgets import graph

    view = draw(Value(1.0, label="x") + 1)
    monkeypatch.setattr(graph, "backend", lambda: None)
    data = view._repr_mimebundle_()[0]
    assert "image/svg+xml" not in data and "application/vnd.jupyter.widget-view+json" in data
    assert GraphView(Value(1.0) * 2).hint == graph.STATIC_HINT  # the one line that says how
    monkeypatch.setattr(graph.sys, "platform", "emscripten")  # JupyterLite: pip cannot add pygraphviz there
    assert GraphView(Value(1.0) * 2).hint == ""


def test_the_front_end_is_shared_by_every_picture_and_its_graphviz_is_not_widget_state(monkeypatch):
    from backprop_widgets.widgets import graph

    sent = []
    monkeypatch.setattr(graph, "_front_end", None)  # a fresh kernel
    monkeypatch.setattr(graph._FrontEnd, "send", lambda self, content, buffers=None: sent.append((content, buffers)))
    first, second = draw(Value(1.0) * 2), draw(Value(3.0) + 1)
    assert first.front_end is second.front_end
    # the WebAssembly Graphviz goes once, in a message: never into saved widget state
    ((content, buffers),) = sent
    assert content["type"] == "graphviz" and len(content["code"]) > 500_000 and not buffers
    state = first.front_end.get_state()
    assert len(json.dumps(state)) < 100_000, sorted(state)  # its code only (about 70 KB), never the 800 KB Graphviz
    assert len(first._esm) < 5_000  # what each picture sends of code
    # a page that missed it (a notebook reopened on a running kernel) asks, and gets it again
    first.front_end._on_message(first.front_end, {"type": "graphviz?"}, [])
    assert len(sent) == 2 and sent[1][0] == content
