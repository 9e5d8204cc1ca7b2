"""A stepper's recorded walk (widgets/recorded.py): the record, the page, the animated SVG and the GIF, in Python."""

import html
import json
import re

import pytest

from backprop_widgets import BackwardStepper, configure
from backprop_widgets.exercises.lesson01 import _sigmoid_tree
from backprop_widgets.render import backend
from backprop_widgets.widgets.stepper import ForwardStepper

needs_graphviz = pytest.mark.skipif(backend() is None, reason="needs pygraphviz or a dot program (the static extra)")


def mime(widget) -> dict:
    bundle = widget._repr_mimebundle_()
    return bundle[0] if isinstance(bundle, tuple) else bundle


def replayed(walk: dict, position: int) -> list[str]:
    cells: dict[str, str] = {}
    for step in walk["steps"][: position + 1]:
        cells.update(step["cells"])
    return [cells[str(i)] for i in range(len(cells))]


@pytest.mark.parametrize("forward", [False, True])
def test_the_record_replays_every_step_as_the_live_stepper_shows_it(abc, forward):
    a, b, c, x, y, f = abc
    s = ForwardStepper(f, b) if forward else BackwardStepper(f)
    s.goto(2)
    walk = s.record()
    assert s.position == 2 and walk["start"] == 2  # back where it was
    assert len(walk["steps"]) == s.total + 1 and walk["total"] == s.total
    assert len(walk["steps"][0]["cells"]) == len(s.view.cells)  # step 0: every cell
    for position, step in enumerate(walk["steps"]):
        s.goto(position)
        assert replayed(walk, position) == list(s.view.cells)
        assert step["current"] == list(s.view.current)
        assert step["say"] == s.walk.spoken() and step["position"] == s.position_label.value
        assert step["panel"] and all("\\" not in line for line in step["panel"])  # plain text, no LaTeX
        if position:  # the number the step carries, on an edge it lights
            assert step["flow"]["edge"] in step["current"] and step["flow"]["text"] == s.view.flow["text"]
        else:
            assert step["flow"] is None
        if position:  # the number the step carries, on an edge it lights
            assert step["flow"]["edge"] in step["current"] and step["flow"]["text"] == s.view.flow["text"]
        else:
            assert step["flow"] is None
    assert 0 < sum(len(step["cells"]) for step in walk["steps"][1:]) < s.total * len(s.view.cells)  # only changes


def test_a_quiz_is_not_recorded(abc):
    f = abc[-1]
    with pytest.raises(ValueError, match="cannot be a quiz"):
        BackwardStepper(f, quiz=True, record=True)
    configure(record=True)
    assert BackwardStepper(f).recorded and not BackwardStepper(f, quiz=True).recorded
    assert not BackwardStepper(f, record=False).recorded


@needs_graphviz
def test_a_recorded_stepper_carries_its_walk_for_pages_without_a_kernel(abc):
    f = abc[-1]
    data = mime(BackwardStepper(f, record=True))
    assert "bpw-player" in data["text/html"] and "application/vnd.jupyter.widget-view+json" in data
    assert "text/html" not in mime(BackwardStepper(f))


@needs_graphviz
def test_the_page_holds_the_picture_the_walk_and_its_script_and_nothing_from_outside(tmp_path):
    g = _sigmoid_tree(1.0)["g"]
    s = BackwardStepper(g)
    page = s.save_html(tmp_path / "walk.html").read_text(encoding="utf-8")
    assert len(page.encode()) < 200_000
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)  # no CDN, nothing fetched
    payload = re.search(r'<script type="application/json" class="bpw-walk">(.*?)</script>', page, re.S)
    walk = json.loads(payload[1])
    assert walk["steps"] == s.record()["steps"] and len(walk["rooms"]) == len(s.view.cells)
    cells = re.findall(r'data-cell="(\d+)"', page)
    assert sorted(map(int, cells)) == list(range(len(s.view.cells)))
    assert 'aria-live="polite"' in page and "bpw-sr-only" in page


@needs_graphviz
def test_the_animated_svg_has_one_frame_per_step_lit_as_the_walk(tmp_path):
    g = _sigmoid_tree(1.0)["g"]
    s = BackwardStepper(g)
    svg = s.save_svg(tmp_path / "walk.svg", animate=True, seconds=2).read_text(encoding="utf-8")
    frames = re.findall(r'<g class="bpw-frame" data-step="(\d+)"', svg)
    assert frames == [str(k) for k in range(s.total + 1)]
    assert svg.count('dur="10s"') == s.total + 1  # 5 frames of 2 s
    last = svg[svg.rindex('data-step="4"') :]
    s.run()
    for gid in s.view.current:  # the last frame lights what the live stepper lights at the end
        if f'<g id="{gid}"' in last:
            assert f'<g id="{gid}" class="' in last and re.search(rf'<g id="{gid}" class="[^"]* current"', last)
    assert ">0.1966</text>" in last and ">0.1966</text>" not in svg[: svg.index('data-step="1"')]
    assert svg.count('class="bpw-token"') == s.total  # each step's number on its edge (none at the start)
    wide = s.save_svg(tmp_path / "wide.svg", animate=True, width=600).read_text(encoding="utf-8")
    assert re.match(r'<svg [^>]*width="600" height="\d+"', wide) and 'viewBox="0.00 0.00' in wide


@needs_graphviz
def test_the_gif_has_one_frame_per_step_at_the_width_asked(tmp_path):
    pytest.importorskip("resvg_py")
    from PIL import Image

    s = BackwardStepper(_sigmoid_tree(1.0)["g"])
    path = s.save_gif(tmp_path / "walk.gif", width=640, seconds=0.5)
    with Image.open(path) as gif:
        assert gif.n_frames == s.total + 1 and gif.size[0] == 640
        shots = []
        for k in range(gif.n_frames):
            gif.seek(k)
            shots.append(gif.convert("RGB").tobytes())
            assert gif.info["duration"] == 500
    assert len(set(shots)) == len(shots)  # every step looks different


@needs_graphviz
def test_a_folded_walk_is_recorded_and_saved_as_the_picture_folds_it(tmp_path):
    from backprop_widgets.nn.scalar import MLP

    net = MLP(2, [2, 1], seed=0)
    y = net([0.5, -1.0])
    y.backward()
    s = BackwardStepper(y)
    s.view.fold("layer 1")
    walk = s.record()
    assert len(walk["steps"]) == s.total + 1
    assert any("folded, in one step" in step["say"] for step in walk["steps"])
    page = s.save_html(tmp_path / "folded.html").read_text(encoding="utf-8")
    assert page.count('class="node value folded') >= 1  # the picture saved is the folded one
    s.run()
    assert replayed(walk, s.total) == list(s.view.cells)


# ---- the walk inside the widget's own state (GraphView.replay), stepped by the page with no kernel ----


def sent(widget, monkeypatch) -> list:
    """Every custom message ``widget`` sends from now on (its patches)."""
    messages: list = []
    monkeypatch.setattr(widget, "send", lambda content, buffers=None: messages.append(content))
    return messages


def test_a_short_walk_is_in_the_widget_state_unless_told_not(abc):
    f = abc[-1]
    s = BackwardStepper(f)
    replay = s.view.replay
    assert replay["total"] == s.total and len(replay["steps"]) == s.total + 1
    assert replay["steps"] == s.record()["steps"]  # the one record
    assert all(set(step["flow"]) >= {"edge", "cell", "before", "after", "text"} for step in replay["steps"][1:])
    assert not BackwardStepper(f, record=False).view.replay
    assert not BackwardStepper(f, quiz=True).view.replay  # a quiz would show its answers
    configure(record=False)
    assert not BackwardStepper(f).view.replay


@needs_graphviz
def test_the_replay_carries_the_picture_laid_out_in_python_for_its_structure(abc):
    s = BackwardStepper(abc[-1])
    replay = s.view.replay
    assert replay["dot"] == s.view.dot and replay["svg"].startswith("<svg") and replay["direction"] == "LR"
    ids = set(re.findall(r'<g id="([^"]*)"', html.unescape(replay["svg"])))
    assert set(replay["steps"][1]["current"]) <= ids


def test_a_long_walk_is_recorded_only_when_asked(monkeypatch):
    from backprop_widgets.widgets import recorded

    monkeypatch.setattr(recorded, "REPLAY_STEPS", 3)
    g = _sigmoid_tree(1.0)["g"]
    assert BackwardStepper(g).total > 3 and not BackwardStepper(g).view.replay
    assert BackwardStepper(g, record=True).view.replay["total"] == BackwardStepper(g).total


def test_recording_sends_nothing_and_leaves_the_stepper_where_it_was(abc, monkeypatch):
    s = BackwardStepper(abc[-1])
    s.goto(2)
    before = (list(s.view.cells), list(s.view.current), dict(s.view.flow), s.position_label.value, s.play.value)
    messages = sent(s.view, monkeypatch)
    states: list = []
    monkeypatch.setattr(s.play, "send_state", lambda key=None: states.append(key))
    s._record_replay()
    assert messages == [] and s.view.replay["steps"]
    assert (list(s.view.cells), list(s.view.current), dict(s.view.flow), s.position_label.value, s.play.value) == before
    assert all(not keys or set(keys) == {"value"} for keys in states) and len(states) <= 1  # held: one at most
    s.step()
    assert messages and messages[-1]["flow"]["n"] == s.view.flow["n"]  # the next step's number flows as before


def test_new_numbers_drop_the_recording_and_a_refold_records_again(monkeypatch):
    from backprop_widgets import Explorer
    from backprop_widgets.nn.scalar import MLP

    explorer = Explorer("g = (4*x + 1)^2", x=1)
    stepper = explorer.stepper
    assert stepper.view.replay
    explorer.set_value("x", 1.0)  # the same numbers: still the walk recorded
    assert stepper.view.replay
    explorer.set_value("x", 2.0)
    assert stepper.view.replay == {}  # recorded at x = 1: not this walk any more

    net = MLP(2, [2, 1], seed=0)
    y = net([0.5, -1.0])
    s = BackwardStepper(y, record=True)
    s.view.fold("layer 1")
    assert s.view.replay["total"] == s.total  # the folded walk, one step for the layer
    assert any("folded, in one step" in step["say"] for step in s.view.replay["steps"])
