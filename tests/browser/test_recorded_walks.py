"""Recorded walks in headless Chromium with no kernel and no network: a saved page, an animated SVG, an HTML export.

Every page is opened from a file:// URL; any other request is aborted and makes the test fail.
"""

from __future__ import annotations

import pytest

from backprop_widgets import BackwardStepper
from backprop_widgets.exercises.lesson01 import _sigmoid_tree
from backprop_widgets.render import backend

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(backend() is None, reason="needs pygraphviz or a dot program (the static extra)"),
]

CELLS_JS = (
    "root => Array.from(root.querySelectorAll('text[data-cell]')).map(t => [Number(t.dataset.cell), t.textContent])"
)


def shown_cells(player) -> list[str]:
    pairs = player.evaluate(CELLS_JS)
    return [text for _, text in sorted(pairs)]


def press(page, player, key: str) -> None:
    player.locator(".bpw-figure").focus()
    page.keyboard.press(key)


def test_a_saved_walk_steps_to_the_end_from_file_url_and_ends_with_the_live_gradients(tmp_path, offline_page):
    page = offline_page
    g = _sigmoid_tree(1.0)["g"]
    stepper = BackwardStepper(g)
    path = stepper.save_html(tmp_path / "walk.html")
    assert path.stat().st_size < 200_000
    start = list(stepper.view.cells)
    stepper.run()  # the live stepper's end
    page.goto(path.as_uri())
    player = page.locator(".bpw-player")
    assert player.get_attribute("data-position") == "0"
    assert shown_cells(player) == start
    live = player.locator("[aria-live=polite]")
    for k in range(1, stepper.total + 1):
        press(page, player, "ArrowRight")
        assert player.get_attribute("data-position") == str(k)
        assert live.text_content().startswith(f"Step {k} of {stepper.total}")
        assert player.locator(".bpw-position").text_content() == f"step {k} of {stepper.total}"
    assert shown_cells(player) == list(stepper.view.cells)  # every gradient as the live stepper ends
    ids = set(player.evaluate("r => Array.from(r.querySelectorAll('g[id]'), g => g.id)"))
    lit = set(player.locator("g.current").evaluate_all("gs => gs.map(g => g.id)"))
    assert lit and lit == set(stepper.view.current) & ids
    assert live.text_content() == stepper.walk.spoken()
    press(page, player, "ArrowRight")  # past the end: nothing moves
    assert player.get_attribute("data-position") == str(stepper.total)
    assert player.locator("button[data-go=next]").is_disabled()
    press(page, player, "Home")
    assert shown_cells(player) == start and player.locator("button[data-go=back]").is_disabled()
    player.locator("button[data-go=end]").click()
    assert shown_cells(player) == list(stepper.view.cells)
    player.locator("button[data-go=back]").click()
    assert player.get_attribute("data-position") == str(stepper.total - 1)
    assert page.outside == []  # type: ignore[attr-defined]


def test_the_animated_svg_plays_one_step_after_another(tmp_path, offline_page):
    page = offline_page
    stepper = BackwardStepper(_sigmoid_tree(1.0)["g"])
    path = stepper.save_svg(tmp_path / "walk.svg", animate=True, seconds=1)
    page.goto(path.as_uri())
    visible = "() => Array.from(document.querySelectorAll('g.bpw-frame')).filter(g => getComputedStyle(g).visibility === 'visible').map(g => g.dataset.step)"
    page.evaluate("() => document.documentElement.pauseAnimations()")
    for k in range(stepper.total + 1):
        page.evaluate(f"() => document.documentElement.setCurrentTime({k + 0.5})")
        assert page.evaluate(visible) == [str(k)]
    page.evaluate("() => document.documentElement.unpauseAnimations()")
    page.wait_for_timeout(1200)  # playing by itself: the clock moves the frames on
    assert page.evaluate("() => document.documentElement.getCurrentTime()") > stepper.total + 1.5
    assert page.outside == []  # type: ignore[attr-defined]
