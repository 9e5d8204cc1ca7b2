"""The graph picture's front end in a real JupyterLab: stepping by keyboard, repainting, fitting, axe-core."""

import re
from pathlib import Path

import pytest

from .graph_dom import (
    DRAWN_CELLS_JS,
    current_ids,
    eventually,
    geometry,
    inside,
    painted_as_recorded,
    svg_texts,
    wait_until_laid_out,
)

LESSONS = Path(__file__).resolve().parents[2] / "lessons"

# f = (a + b) * (b + c) = 2 * 7: six backward steps; b's gradient adds up to 7 + 2 = 9.
STEPPER_CELL = """\
from backprop_widgets import BackwardStepper, Value
a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
x = a + b; x.label = "x"
y = b + c; y.label = "y"
f = x * y; f.label = "f"
stepper = BackwardStepper(f)
stepper
"""

EXPLORER_CELL = """\
from backprop_widgets import Explorer
explorer = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)
explorer
"""


def _stepper_page(lab, name):
    notebook = lab.run(name, [STEPPER_CELL])
    wait_until_laid_out(notebook.panel)
    return notebook


@pytest.mark.browser
def test_a_stepper_steps_by_button_and_by_keyboard(lab):
    from playwright.sync_api import expect

    notebook = _stepper_page(lab, "stepper_keys.ipynb")
    stepper = notebook.panel.locator(".bpw-stepper").first
    picture = stepper.locator(".bpw-picture")
    stage = picture.locator(".bpw-stage")
    live = picture.locator(".bpw-sr-only[aria-live=polite]")
    position = stepper.get_by_text(re.compile(r"^step \d+ of 6$"))

    expect(position).to_have_text("step 0 of 6")
    start = svg_texts(picture)
    assert start.count("?") == 5, start  # every gradient but f's own is unknown
    start_current = current_ids(picture)
    assert start_current and not any(i.startswith("e") for i in start_current), start_current
    expect(live).to_have_text(re.compile(r"^Start: the gradient of f"))

    # by button
    stepper.get_by_role("button", name="Step").click()
    expect(position).to_have_text("step 1 of 6", timeout=30_000)
    expect(live).to_have_text(re.compile(r"^Step 1 of 6: ∂f/∂x = .* = 1 × 7 = 7; x's gradient is now 7"))
    one = eventually(lambda: svg_texts(picture), lambda t: t.count("?") == 4, what="x's gradient filled in")
    one_current = eventually(lambda: current_ids(picture), lambda ids: ids != start_current, what="the highlight moved")
    assert any(i.startswith("e") for i in one_current), f"no current edge at step 1: {one_current}"

    # by keyboard, on the focused picture
    stage.focus()
    stage.press("ArrowRight")
    expect(position).to_have_text("step 2 of 6", timeout=30_000)
    expect(live).to_have_text(re.compile(r"^Step 2 of 6: ∂f/∂y = .*y's gradient is now 2"))
    two = eventually(lambda: svg_texts(picture), lambda t: t.count("?") == 3, what="y's gradient filled in")
    assert current_ids(picture) != one_current
    assert stage.evaluate("e => document.activeElement === e"), "stepping took the focus off the picture"

    stage.press("ArrowLeft")
    expect(position).to_have_text("step 1 of 6", timeout=30_000)
    expect(live).to_have_text(re.compile(r"^Step 1 of 6: "))
    assert eventually(lambda: svg_texts(picture), lambda t: t == one, what=f"back to step 1 numbers {one}")
    assert eventually(lambda: current_ids(picture), lambda ids: ids == one_current, what="step 1's highlight")

    stage.press("End")
    expect(position).to_have_text("step 6 of 6", timeout=30_000)
    expect(live).to_have_text(re.compile(r"^Step 6 of 6: .*c's gradient is now 2"))
    end = eventually(lambda: svg_texts(picture), lambda t: "?" not in t, what="every gradient known")
    assert "9" in end, end  # b's gradient: 7 + 2
    assert two != end

    stage.press("Home")
    expect(position).to_have_text("step 0 of 6", timeout=30_000)
    expect(live).to_have_text(re.compile(r"^Start: "))
    assert eventually(lambda: svg_texts(picture), lambda t: t == start, what="back to the start's numbers")
    assert eventually(lambda: current_ids(picture), lambda ids: ids == start_current, what="the start's highlight")


@pytest.mark.browser
def test_a_slider_move_repaints_the_picture_in_place(lab):
    from playwright.sync_api import expect

    notebook = lab.run("explorer_slider.ipynb", [EXPLORER_CELL])
    wait_until_laid_out(notebook.panel)
    explorer = notebook.panel.locator(".bpw-explorer").first
    picture = explorer.locator(".bpw-picture")
    before = svg_texts(picture)
    assert "9" in before and "9.01" not in before, before  # df/db = (b+c) + (a+b) = 7 + 2
    picture.locator(".bpw-stage svg").evaluate("svg => { svg.__bpwMark = true; }")

    # one step of a's slider by keyboard: a = -1 + 0.01
    handle = explorer.locator(".widget-slider").filter(has_text="a").locator(".noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    expect(explorer.locator(".widget-slider").filter(has_text="a").locator(".widget-readout").first).to_have_text(
        re.compile(r"^[-−]0\.990?$"), timeout=30_000
    )
    after = eventually(lambda: svg_texts(picture), lambda t: "9.01" in t, what="df/db repainted as 9.01")
    assert "2.01" in after, after  # df/dc = a + b
    # patched in place: the same SVG element, not a new layout
    assert picture.locator(".bpw-stage svg").evaluate("svg => svg.__bpwMark === true")


# The number cells as painted against the picture: each drawn cell (the layer's record) lies inside its box on
# screen; which boxes' cells are painted bold; how many number texts are left in the picture's own svg.
CELLS_JS = (
    "picture => { const drawnCells = "
    + DRAWN_CELLS_JS
    + """;
  const svg = picture.querySelector('.bpw-stage svg');
  const within = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  const cells = drawnCells(picture);
  const drawn = cells.filter(c => c.drawn);
  const outside = drawn.filter(c => !within(c, svg.querySelector('#' + CSS.escape(c.box)).getBoundingClientRect()))
    .map(c => c.box + ': ' + c.text);
  return {groups: new Set(cells.map(c => c.box)).size, texts: cells.length, drawn: drawn.length, outside,
          px: Math.max(...drawn.map(c => c.px)),
          lit: [...new Set(drawn.filter(c => /bold|[6-9]00/.test(c.font)).map(c => c.box))].sort(),
          numbersInPicture: [...svg.querySelectorAll('text')].filter(t => /^[-0-9.?]+$/.test(t.textContent)).length};
}"""
)

# The canvas's alpha channel kept; then, if its size is the same, how many pixels differ from it now (by more
# than 8 of 255).
KEEP_CANVAS_JS = """picture => {
  const canvas = picture.querySelector('.bpw-cells canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  picture.__bpwKept = {size: canvas.width + 'x' + canvas.height, alpha: data.filter((_, i) => i % 4 === 3)};
}"""
CANVAS_CHANGE_JS = """picture => {
  const canvas = picture.querySelector('.bpw-cells canvas'), kept = picture.__bpwKept;
  if (kept.size !== canvas.width + 'x' + canvas.height) return {size: 'changed'};
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let differ = 0;
  for (let i = 0; i < kept.alpha.length; i++) if (Math.abs(data[4 * i + 3] - kept.alpha[i]) > 8) differ++;
  return {size: 'same', differ};
}"""

# Counts the changes (texts, added or removed elements) made to the picture's own svg from now on.
WATCH_JS = """picture => {
  const seen = picture.__bpwSeen = {picture: 0};
  new MutationObserver(records => { seen.picture += records.length; })
    .observe(picture.querySelector('.bpw-stage svg'), {subtree: true, childList: true, characterData: true});
}"""


@pytest.mark.browser
def test_number_cells_are_painted_in_their_boxes_on_a_layer_of_their_own(lab):
    # A changed number repaints a few rectangles of the canvas over the picture, not the picture's svg
    # (Chromium repaints a whole svg when one of its texts changes): every number cell is painted, inside its
    # box, at every zoom, and bold with its box when lit; the canvas's pixels are what the record says.
    from playwright.sync_api import expect

    notebook = lab.run("cells_layer.ipynb", [EXPLORER_CELL, STEPPER_CELL])
    wait_until_laid_out(notebook.panel)
    explorer = notebook.panel.locator(".bpw-explorer").first
    picture = explorer.locator(".bpw-picture")
    cells = picture.evaluate(CELLS_JS)
    # six values with data and grad, two constants... every number is painted, none left in the picture's svg
    assert cells["groups"] >= 6 and cells["drawn"] == cells["texts"] >= 12 and cells["numbersInPicture"] == 0, cells
    assert not cells["outside"], cells
    painted_as_recorded(picture)

    picture.evaluate(WATCH_JS)
    handle = explorer.locator(".widget-slider").filter(has_text="a").locator(".noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    eventually(lambda: svg_texts(picture), lambda t: "9.01" in t, what="df/db repainted as 9.01")
    assert picture.evaluate("picture => picture.__bpwSeen") == {"picture": 0}  # the picture's own svg untouched
    assert not picture.evaluate(CELLS_JS)["outside"]
    painted_as_recorded(picture)  # the old numbers cleared, the new ones painted where recorded
    # what the move painted, box by box, is what painting every number again gives (Fit: the same view)
    picture.evaluate(KEEP_CANVAS_JS)
    stage = picture.locator(".bpw-stage")
    stage.focus()
    stage.press("0")
    assert picture.evaluate(CANVAS_CHANGE_JS) == {"size": "same", "differ": 0}

    stage.press("+")
    stage.press("+")
    expect(picture.locator(".bpw-more")).to_contain_text("out of view")
    # zoomed in: every number painted is still inside its box (those out of view are cut, not moved)
    zoomed = picture.evaluate(CELLS_JS)
    assert not zoomed["outside"] and zoomed["px"] > cells["px"] * 2, (zoomed, cells)  # painted again, larger
    painted_as_recorded(picture)
    stage.press("0")
    fitted = picture.evaluate(CELLS_JS)
    assert not fitted["outside"] and fitted["px"] < zoomed["px"], (fitted, zoomed)
    painted_as_recorded(picture)

    # a stepper's lit boxes: their cells lit too (painted bold), and only theirs
    stepper = notebook.panel.locator(".bpw-stepper").nth(1)  # the Explorer holds a stepper of its own
    picture = stepper.locator(".bpw-picture")
    stepper.get_by_role("button", name=re.compile("Step")).first.click()
    lit = eventually(
        lambda: picture.evaluate(CELLS_JS)["lit"], lambda ids: len(ids) > 0, what="a lit box with number cells"
    )
    assert set(lit) <= set(current_ids(picture)), (lit, current_ids(picture))
    painted_as_recorded(picture)


@pytest.mark.browser
def test_lesson_03_pictures_fit_the_cell_and_fit_restores_the_view(lab):
    notebook = lab.open(lab.add_notebook(LESSONS / "03_two_layer_network.ipynb"))
    result = notebook.run_all(timeout=300)
    assert not result.problems, result
    count = wait_until_laid_out(notebook.panel)
    assert count >= 4, f"lesson 03 draws four graph pictures (two draw(), two steppers), found {count}"

    pictures = notebook.panel.locator(".bpw-picture")
    outputs = {}
    for i in range(count):
        picture = pictures.nth(i)
        picture.scroll_into_view_if_needed()
        where = geometry(picture)
        assert where["svg"]["width"] > 100, f"picture {i} is drawn {where['svg']['width']:.0f} px wide"
        assert where["svg"]["right"] <= where["output"]["right"] + 1.5, (
            f"picture {i} runs past its output area: {where['svg']} vs {where['output']}"
        )
        more = picture.locator(".bpw-more").inner_text()
        if not inside(where["graph"], where["stage"]):  # a wide graph starts readable, at its output end
            assert "out of view" in more, f"picture {i} is cut off by its stage and does not say so"
        labels = {t["text"]: t for t in where["texts"]}
        outputs[i] = labels.get("y") or labels.get("L")
        assert outputs[i] is not None, f"picture {i} has no output node y or L: {sorted(labels)}"
        lit = picture.locator(".bpw-stage g.current")
        if lit.count():  # a stepper (or a path): what is current is kept in view
            boxes = [b for b in (lit.nth(k).bounding_box() for k in range(lit.count())) if b]
            seen = [
                {"left": b["x"], "right": b["x"] + b["width"], "top": b["y"], "bottom": b["y"] + b["height"],
                 "width": b["width"], "height": b["height"]}
                for b in boxes
            ]  # fmt: skip
            assert any(inside(focus, where["stage"], slack=2) for focus in seen), (
                f"picture {i}: nothing current {seen[:3]} is inside the visible stage {where['stage']}"
            )
        else:  # a drawing: it starts at the output, where the backward pass starts
            assert inside(outputs[i], where["stage"], slack=0), (
                f"picture {i}: the output node {outputs[i]} is outside the visible stage {where['stage']}"
            )

    # Fit shows the whole of every picture; zoom in on the first, then Fit brings the whole graph back
    for i in range(count):
        pictures.nth(i).get_by_role("button", name="Fit").click()
        where = geometry(pictures.nth(i))
        assert inside(where["graph"], where["stage"]), f"picture {i} after Fit: {where['graph']} vs {where['stage']}"
        assert pictures.nth(i).locator(".bpw-more").inner_text() == ""
    picture = pictures.first
    picture.scroll_into_view_if_needed()
    whole = geometry(picture)
    picture.get_by_role("button", name="Zoom in").click()
    picture.get_by_role("button", name="Zoom in").click()
    zoomed = geometry(picture)
    assert zoomed["viewBox"] != whole["viewBox"]
    assert zoomed["graph"]["width"] > 1.5 * whole["graph"]["width"], (zoomed["graph"], whole["graph"])
    assert not inside(zoomed["graph"], zoomed["stage"]), "zoomed in twice, the graph should overflow"
    picture.get_by_role("button", name="Fit").click()
    fitted = geometry(picture)
    assert fitted["viewBox"] == whole["viewBox"]
    assert inside(fitted["graph"], fitted["stage"])
    assert abs(fitted["graph"]["width"] - whole["graph"]["width"]) < 1.0


def _axe_violations(page, selectors):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"include": [[s] for s in selectors]})
    return results.response["violations"]


@pytest.mark.browser
def test_axe_finds_no_serious_problem_in_what_the_kit_draws(lab):
    notebook = lab.run(
        "axe.ipynb", [EXPLORER_CELL, STEPPER_CELL, "from backprop_widgets import draw\ndraw(f, show_local=True)"]
    )
    wait_until_laid_out(notebook.panel)
    stepper = notebook.panel.locator(".bpw-stepper").nth(1)
    stepper.get_by_role("button", name="Step").click()  # mid-step: a current edge, a panel with a formula
    stepper.get_by_text("step 1 of 6", exact=True).wait_for(timeout=30_000)

    violations = _axe_violations(notebook.page, [".bpw-picture", ".bpw-stepper", ".bpw-explorer"])
    print("axe-core:", [(v["id"], v["impact"], len(v["nodes"])) for v in violations] or "no violations")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -- " + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, "axe-core found:\n" + "\n".join(serious)


@pytest.mark.browser
def test_the_explorer_works_in_notebook_7(notebook7):
    from playwright.sync_api import expect

    notebook = notebook7.open(notebook7.write_notebook("explorer_nb7.ipynb", [EXPLORER_CELL]))
    assert "/notebooks/" in notebook.page.url  # Notebook 7's own page, not JupyterLab
    result = notebook.run_all()
    assert not result.problems and not result.unexecuted, result
    wait_until_laid_out(notebook.panel)
    stepper = notebook.panel.locator(".bpw-stepper").first
    picture = stepper.locator(".bpw-picture")
    expect(picture.locator(".bpw-stage svg")).to_be_visible()
    assert picture.locator(".bpw-stage svg").evaluate("e => e.getBoundingClientRect().width") > 100
    position = stepper.get_by_text(re.compile(r"^step \d+ of 6$"))
    expect(position).to_have_text("step 6 of 6")
    assert "9" in svg_texts(picture)

    stepper.get_by_role("button", name="Reset").click()
    expect(position).to_have_text("step 0 of 6", timeout=30_000)
    eventually(lambda: svg_texts(picture), lambda t: t.count("?") == 5, what="gradients unknown at the start")
    stepper.get_by_role("button", name="Step").click()
    expect(position).to_have_text("step 1 of 6", timeout=30_000)
    eventually(lambda: svg_texts(picture), lambda t: t.count("?") == 4, what="x's gradient after one step")
    assert any(i.startswith("e") for i in current_ids(picture))


# A chain of tanh units too long to show whole (bench_browser's graph): y joins every tenth unit.
LONG_CHAIN_CELL = """\
from backprop_widgets import Value, draw
x, y = Value(0.5, label="x"), Value(-0.3, label="y")
out = x
for unit in range(30):
    out = (out * 0.9 + (y if unit % 10 == 0 else 0.1)).tanh()
view = draw(out)
view
"""

# What a picture shown in part hides (class bpw-off, visibility: hidden), and whether any of it is in view.
HIDDEN_JS = (
    "stage => { const drawnCells = "
    + DRAWN_CELLS_JS
    + """;
  const s = stage.getBoundingClientRect();
  const meets = (r) => r.right > s.left && r.left < s.right && r.bottom > s.top && r.top < s.bottom;
  const groups = [...stage.querySelectorAll('svg g.node, svg g.edge')];
  const off = groups.filter(g => g.classList.contains('bpw-off'));
  // a box's number cells (painted on the layer over the stage) are hidden and shown with their box
  const cells = drawnCells(stage.closest('.bpw-graph')).filter(c => c.text);
  const apart = cells.filter(c => !c.drawn !==
    stage.querySelector('svg #' + CSS.escape(c.box)).classList.contains('bpw-off'));
  return {groups: groups.length, off: off.length, offInView: off.filter(g => meets(g.getBoundingClientRect())).length,
          shownInView: groups.filter(g => !g.classList.contains('bpw-off') && meets(g.getBoundingClientRect())).length,
          cellsOff: cells.filter(c => !c.drawn).length, cellsApart: apart.length};
}"""
)


@pytest.mark.browser
def test_a_picture_shown_in_part_hides_only_what_is_out_of_view(lab):
    notebook = lab.run("long_chain.ipynb", [LONG_CHAIN_CELL])
    wait_until_laid_out(notebook.panel)
    picture = notebook.panel.locator(".bpw-picture").first
    stage = picture.locator(".bpw-stage")
    assert "Part of the graph is out of view" in picture.inner_text()
    seen = stage.evaluate(HIDDEN_JS)
    assert seen["off"] > seen["groups"] // 2, seen  # most of a long chain is out of view, and hidden
    assert seen["offInView"] == 0 and seen["shownInView"] > 0, seen
    assert seen["cellsOff"] > 0 and seen["cellsApart"] == 0, seen  # their number cells with them

    picture.get_by_role("button", name="Fit").click()  # the whole picture: nothing hidden
    seen = stage.evaluate(HIDDEN_JS)
    assert seen["off"] == 0 and seen["shownInView"] == seen["groups"], seen
    assert seen["cellsOff"] == 0, seen

    stage.focus()
    for _ in range(4):
        stage.press("+")  # zoomed in again: what left the view is hidden, nothing in it
    seen = stage.evaluate(HIDDEN_JS)
    assert seen["off"] > 0 and seen["offInView"] == 0, seen


# Where the output's box is on screen, and the stage's rectangle (ids follow the forward order: the output's is highest).
OUTPUT_BOX_JS = """stage => {
  const boxes = [...stage.querySelectorAll('svg g.node[id]')].filter(g => /^n\\d+$/.test(g.id));
  const output = boxes.reduce((a, b) => (Number(b.id.slice(1)) > Number(a.id.slice(1)) ? b : a));
  const r = output.getBoundingClientRect(), s = stage.getBoundingClientRect();
  return {box: {left: r.left, right: r.right, top: r.top, bottom: r.bottom},
          stage: {left: s.left, right: s.right, top: s.top, bottom: s.bottom}};
}"""


@pytest.mark.browser
def test_a_long_chain_shown_in_part_opens_on_its_output(lab):
    # The first view starts where the walk starts, wherever the layout put the output (a wrapped layout: its last row)
    notebook = lab.run("longer_chain.ipynb", [LONG_CHAIN_CELL.replace("range(30)", "range(60)")])
    wait_until_laid_out(notebook.panel)
    picture = notebook.panel.locator(".bpw-picture").first
    assert "Part of the graph is out of view" in picture.inner_text()
    seen = picture.locator(".bpw-stage").evaluate(OUTPUT_BOX_JS)
    assert inside(seen["box"], seen["stage"]), seen
