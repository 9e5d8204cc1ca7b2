"""Unfolding a neuron keeps the picture readable and the student's place; folding back restores it exactly.

Set BPW_SHOT_DIR to a folder to keep screenshots of the folded and the unfolded picture.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from .conftest import SIZES
from .graph_dom import eventually, wait_until_laid_out
from .test_pictures_fit_in_lab import MEASURE_JS, READABLE_PX

BIG = """\
from backprop_widgets import draw
from backprop_widgets.nn.scalar import MLP
y_big = MLP(2, [16, 16, 1], seed=0)([0.5, -1.0])
y_big.backward()
draw(y_big)
"""

# Every node's box on screen, relative to the stage, with the name of a folded box.
PLACES_JS = """picture => {
  const stage = picture.querySelector('.bpw-stage').getBoundingClientRect();
  return Object.fromEntries([...picture.querySelectorAll('.bpw-stage svg g.node')].map(g => {
    const r = g.getBoundingClientRect();
    const name = g.classList.contains('folded') ? g.querySelector('text').textContent : '';
    return [g.id, {x: r.left - stage.left, y: r.top - stage.top, w: r.width, h: r.height, name}];
  }));
}"""

STILL_JS = "picture => picture.getAnimations({subtree: true}).length === 0"


def _columns(places: dict) -> list[list[int]]:
    """The folded neurons' numbers in each column of the picture, top to bottom."""
    columns: dict[int, list] = {}
    for place in places.values():
        found = re.match(r"▸ neuron (\d+)", place["name"])
        if found:
            columns.setdefault(round((place["x"] + place["w"] / 2) / 40), []).append((place["y"], int(found.group(1))))
    return [[n for _, n in sorted(column)] for _, column in sorted(columns.items())]


def _shot(picture, name: str) -> None:
    folder = os.environ.get("BPW_SHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        picture.scroll_into_view_if_needed()
        picture.screenshot(path=str(Path(folder) / f"{name}.png"))


@pytest.mark.browser
@pytest.mark.parametrize("window", list(SIZES), indirect=True)
def test_unfolding_a_neuron_keeps_the_others_in_order_and_folding_back_restores_the_picture(lab, window):
    notebook = lab.run(f"stable-{window}.ipynb", [BIG])
    wait_until_laid_out(notebook.panel)
    picture = notebook.panel.locator(".bpw-picture").first
    picture.scroll_into_view_if_needed()
    eventually(lambda: picture.evaluate(STILL_JS), bool, what="the picture at rest")

    [opened] = notebook.panel.evaluate(MEASURE_JS)
    assert opened["smallest"] >= READABLE_PX, opened
    assert not opened["note"] and not opened["outside"], f"the folded network does not open whole: {opened}"
    before = picture.evaluate(PLACES_JS)
    columns = _columns(before)
    assert columns == [list(range(1, 17)), list(range(1, 17)), [1]], f"folded neurons out of order: {columns}"
    view = picture.locator(".bpw-stage svg").get_attribute("viewBox")
    _shot(picture, f"lesson03-folded-network-{window}")

    box = picture.locator(".bpw-stage svg g.folded", has_text="neuron 3").first
    start = time.perf_counter()
    box.click()
    frame = picture.locator(".bpw-stage svg g.cluster", has_text="neuron 3").first
    frame.wait_for(state="attached", timeout=30_000)
    drawn = time.perf_counter() - start
    eventually(lambda: picture.evaluate(STILL_JS), bool, what="the nodes at their new places")
    settled = time.perf_counter() - start
    print(f"[{window}] click on a folded neuron -> unfolded picture drawn {drawn:.2f} s, at rest {settled:.2f} s")

    [unfolded] = notebook.panel.evaluate(MEASURE_JS)
    assert unfolded["smallest"] >= READABLE_PX, unfolded
    stage = picture.locator(".bpw-stage").bounding_box()
    group = frame.bounding_box()
    right = group["x"] + group["width"]
    # the whole group in view, at a readable size (one too wide for the cell is folded in two)
    assert group["x"] >= stage["x"] - 1 and right <= stage["x"] + stage["width"] + 1, (
        f"the unfolded neuron is not in view across: {group} in {stage}"
    )
    assert group["y"] >= stage["y"] - 1 and group["y"] + group["height"] <= stage["y"] + stage["height"] + 1, (
        f"the unfolded neuron is not in view down: {group} in {stage}"
    )
    after = picture.evaluate(PLACES_JS)
    others = _columns(after)
    assert others[-2:] == [list(range(1, 17)), [1]] and others[0] == [n for n in range(1, 17) if n != 3], others
    _shot(picture, f"lesson03-unfolded-neuron-{window}")

    frame.focus()
    frame.press("Enter")
    eventually(lambda: picture.locator(".bpw-stage svg g.folded").count(), lambda n: n == 33, what="folded back")
    eventually(lambda: picture.evaluate(STILL_JS), bool, what="the nodes back at their places")
    assert picture.locator(".bpw-stage svg").get_attribute("viewBox") == view
    again = picture.evaluate(PLACES_JS)
    assert again.keys() == before.keys()
    moved = {
        k: (before[k], again[k])
        for k in before
        if any(abs(before[k][c] - again[k][c]) > 0.5 for c in ("x", "y", "w", "h"))
    }
    assert not moved, f"folding back did not restore the picture: {list(moved.items())[:3]}"
