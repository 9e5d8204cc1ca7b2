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
        stepper.goto(k)  # the live stepper's contribution on this step, on the edge it travels
        token = player.locator("g.current > g.bpw-token")
        assert token.count() == 1 and token.text_content() == stepper.view.flow["text"]
    assert stepper.walk.done
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
    assert player.locator("g.bpw-token").count() == 0
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


def _build_book():
    """scripts/build_book.py, imported by its path (scripts/ is not a package)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "build_book.py"
    spec = importlib.util.spec_from_file_location("build_book", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_html_export_of_a_notebook_saved_with_widget_state_steps_by_keys(tmp_path, offline_page, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    book = _build_book()
    monkeypatch.setenv("PYTHONPATH", str(book.ROOT))  # the kernel imports this checkout's kit
    code = (
        "from backprop_widgets import BackwardStepper, Value\n"
        "a, b = Value(2.0, label='a'), Value(-3.0, label='b')\n"
        "f = a * b + a; f.label = 'f'\n"
        "BackwardStepper(f, record=True)"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(notebook, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    assert "application/vnd.jupyter.widget-state+json" in notebook.metadata["widgets"]  # saved with its state
    html = book.page(book.static_outputs(notebook, keep_widget_state=True), title="export", links=[])
    path = tmp_path / "export.html"
    path.write_text(html, encoding="utf-8")
    page = offline_page
    page.goto(path.as_uri())
    player = page.locator(".bpw-player")
    assert player.count() == 1 and player.get_attribute("data-position") == "0"
    for k in range(1, 4):
        press(page, player, "ArrowRight")
        assert player.get_attribute("data-position") == str(k)
    assert "a's gradient is now -2" in player.locator("[aria-live=polite]").text_content()
    press(page, player, "Home")
    assert player.get_attribute("data-position") == "0"
    # nothing here needed a kernel; what the page fetched from outside (nbconvert's CDN scripts) was refused
    assert all(not url.startswith(("ws:", "wss:")) for url in page.outside)  # type: ignore[attr-defined]


def test_the_book_opens_and_its_walks_step(tmp_path, offline_page, monkeypatch):
    book = _build_book()
    monkeypatch.setenv("PYTHONPATH", str(book.ROOT))
    lesson = book.LESSONS / "01_sigmoid_tree.ipynb"
    pages = book.build(tmp_path / "book", repo="someone/course", lite="../lab/index.html", lessons=[lesson])
    index, first = pages[0], pages[1]
    page = offline_page
    page.goto(index.as_uri())
    page.get_by_role("link", name="The sigmoid", exact=False).first.click()
    page.wait_for_url("**/01_sigmoid_tree.html")
    bar = page.locator("nav.bpw-book-bar")
    assert bar.get_by_role("link", name="Run it live in your browser (JupyterLite)").get_attribute("href") == (
        "../lab/index.html?path=01_sigmoid_tree.ipynb"
    )
    assert "mybinder.org/v2/gh/someone/course/HEAD" in bar.get_by_role(
        "link", name="Run it live on Binder"
    ).get_attribute("href")
    players = page.locator(".bpw-player")
    assert players.count() >= 2  # lesson 01's backward walks, each recorded
    for n in range(players.count()):
        player = players.nth(n)
        player.scroll_into_view_if_needed()
        start = shown_cells(player)
        total = int(player.locator(".bpw-position").text_content().split(" of ")[1])
        player.locator("button[data-go=end]").click()
        assert player.get_attribute("data-position") == str(total)
        assert shown_cells(player) != start and "?" not in "".join(shown_cells(player)[-1:])
        press(page, player, "Home")
        assert shown_cells(player) == start
    assert first.stat().st_size < 400_000
    assert page.outside == []  # type: ignore[attr-defined]  # nothing asked of the network: no MathJax, no CDN


def test_a_book_page_shows_its_math_with_no_network(tmp_path, offline_page, monkeypatch):
    """The lessons' LaTeX is MathML in the page, drawn by the browser itself: fractions stack, nothing is fetched."""
    import nbformat

    book = _build_book()
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Math\n\n$$\\sigma(x) = \\frac{1}{1 + e^{-x}}$$\n\nwhere $x$ is `$HOME`.")
        ]
    )
    path = tmp_path / "math.html"
    path.write_text(book.page(notebook, title="math", links=[]), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "$$" not in text and "mathjax" not in text.lower() and "cdnjs" not in text
    page = offline_page
    page.goto(path.as_uri())
    block = page.locator("math[display=block]")
    assert block.count() == 1 and page.locator("math[display=inline]").count() == 1
    assert page.locator("code", has_text="$HOME").count() == 1  # code is left as it is
    fraction = page.locator("math[display=block] mfrac")
    numerator, denominator = (fraction.locator(":scope > *").nth(i).bounding_box() for i in (0, 1))
    assert numerator and denominator and numerator["y"] + numerator["height"] <= denominator["y"] + 1  # stacked
    assert fraction.bounding_box()["height"] > 1.6 * block.locator("mi").first.bounding_box()["height"]
    assert page.outside == []  # type: ignore[attr-defined]
