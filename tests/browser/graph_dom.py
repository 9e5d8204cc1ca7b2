"""Read the graph picture (GraphView's front end) from the page: its texts, what is current, where it is.

The picture's DOM: the widget element `.bpw-picture` holds `.bpw-graph`, which holds the
toolbar `.bpw-bar`, the stage `.bpw-stage` (focusable) with the laid-out `svg` in it, and a
live region `.bpw-sr-only[aria-live]`. Number cells are painted on a canvas in a layer laid over the
stage (`.bpw-cells`); the front end records what it painted, cell by cell, in the layer's `drawn`
property (see DRAWN_CELLS_JS; test_graph_view_in_lab checks the canvas's pixels against it).
Highlighted groups have the class `current`.
"""

from __future__ import annotations

import time

# Texts the front end shows while (or instead of) laying the picture out.
NOT_LAID_OUT = ("Laying out", "has not arrived", "could not lay out", "Loading the graph picture")


# The number cells as the front end painted them (the layer's record, one entry per cell in slot order): each
# {box, text, drawn, ...}; a drawn one (painted on the canvas: its box is not hidden as out of view) also has
# the rectangle it is painted in on screen (its cell's width, the font's height; client coordinates: left, top,
# right, bottom, width, height), its font size on screen (px) and in the picture (size), the font and colour it
# was painted in, and whether it was squeezed.
DRAWN_CELLS_JS = """picture => {
  const layer = picture.querySelector('.bpw-cells');
  if (!layer || !layer.drawn) return [];
  const r = layer.getBoundingClientRect();
  return layer.drawn.filter(c => c.box !== null).map(c => !c.drawn ? {...c} : {...c, left: r.left + c.left,
    top: r.top + c.top, right: r.left + c.left + c.width, bottom: r.top + c.top + c.height});
}"""


def drawn_cells(picture) -> list[dict]:
    """The picture's number cells as painted (DRAWN_CELLS_JS)."""
    return picture.evaluate(DRAWN_CELLS_JS)


# The canvas's pixels against the record of what was painted on it: every drawn cell with a text (wholly on the
# canvas) has ink inside its rectangle, and no ink lies outside every drawn cell's rectangle (give or take 2 device
# pixels of a glyph's overhang), so the record cannot say other than what the canvas shows.
PIXELS_JS = """picture => {
  const layer = picture.querySelector('.bpw-cells'), canvas = layer.querySelector('canvas');
  const kx = canvas.width / layer.clientWidth, ky = canvas.height / layer.clientHeight;
  const {width: W, height: H} = canvas;
  const ink = canvas.getContext('2d').getImageData(0, 0, W, H).data;
  const mask = new Uint8Array(W * H);
  const cells = layer.drawn.filter(c => c.drawn && c.text.trim());
  const blank = [];
  for (const c of cells) {
    const [x0, x1] = [Math.floor(c.left * kx), Math.ceil((c.left + c.width) * kx)];
    const [y0, y1] = [Math.floor(c.top * ky), Math.ceil((c.top + c.height) * ky)];
    let inked = 0;
    for (let y = Math.max(0, y0 - 2); y < Math.min(H, y1 + 2); y++) {
      for (let x = Math.max(0, x0 - 2); x < Math.min(W, x1 + 2); x++) {
        mask[y * W + x] = 1;
        if (x >= x0 && x < x1 && y >= y0 && y < y1 && ink[4 * (y * W + x) + 3]) inked++;
      }
    }
    const seen = x0 >= 0 && x1 <= W && y0 >= 0 && y1 <= H; // (a cell of a box partly out of view may be cut off)
    if (!inked && seen) blank.push(c.box + ': ' + c.text);
  }
  let stray = 0, inkedPixels = 0;
  for (let i = 0; i < W * H; i++) {
    if (ink[4 * i + 3]) { inkedPixels++; if (!mask[i]) stray++; }
  }
  return {cells: cells.length, blank, stray, inkedPixels, ratio: [kx, ky], devicePixelRatio};
}"""


def painted_as_recorded(picture) -> dict:
    """Check the canvas's pixels against the picture's record of its number cells (PIXELS_JS); return the counts."""
    pixels = picture.evaluate(PIXELS_JS)
    assert pixels["cells"] and not pixels["blank"] and pixels["stray"] == 0 and pixels["inkedPixels"], pixels
    return pixels


def svg_texts(picture) -> list[str]:
    """Every text of the picture: its SVG's <text>s in document order (not the number travelling along
    an edge, a passing animation hidden from screen readers), then the number cells in slot order
    (those of boxes hidden as out of view too, as the SVG's hidden texts are)."""
    texts = picture.locator(".bpw-stage svg").evaluate_all(
        "svgs => svgs.flatMap(s => [...s.querySelectorAll('text')]).filter(t => !t.closest('.bpw-token'))"
        ".map(t => t.textContent)"
    )
    return texts + [cell["text"] for cell in drawn_cells(picture)]


def cell_texts(picture, boxes: str) -> list[dict]:
    """The number cells of the picture's boxes that match the CSS selector `boxes` (in its SVG), as painted:
    each as {box, text, squeezed} (squeezed: narrowed to its cell's width)."""
    return picture.evaluate(
        "(picture, boxes) => { const drawnCells = "
        + DRAWN_CELLS_JS
        + """;
          const ids = [...picture.querySelectorAll('.bpw-stage svg ' + boxes)].map(g => g.id);
          return drawnCells(picture).filter(c => ids.includes(c.box))
            .map(c => ({box: c.box, text: c.text, squeezed: !!c.squeezed}));
        }""",
        boxes,
    )


def current_ids(picture) -> list[str]:
    """The ids of the picture's highlighted groups (`g.current`)."""
    return picture.locator(".bpw-stage svg").evaluate(
        "svg => [...svg.querySelectorAll('g.current')].map(g => g.id).sort()"
    )


def eventually(read, check, timeout: float = 15.0, what: str = "condition"):
    """Call read() until check(value) holds; return the value, or fail with the last one seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if check(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still not true after {timeout:.0f} s; last seen {value!r}")
        time.sleep(0.1)


def wait_until_laid_out(panel, timeout: float = 30.0) -> int:
    """Wait until every `.bpw-picture` in `panel` shows its SVG and no "laying out" text; return how many."""
    js = """(root, bad) => {
      const pictures = [...root.querySelectorAll('.bpw-picture')];
      const missing = pictures.filter(p => !p.querySelector('.bpw-stage svg'))
        .map(p => p.textContent.trim().slice(0, 200));
      const words = pictures.map(p => p.textContent)
        .filter(t => bad.some(b => t.includes(b))).map(t => t.trim().slice(0, 200));
      return {count: pictures.length, missing, words};
    }"""
    state = eventually(
        lambda: panel.evaluate(js, list(NOT_LAID_OUT)),
        lambda s: s["count"] > 0 and not s["missing"] and not s["words"],
        timeout,
        "every graph picture laid out",
    )
    return state["count"]


# Where a picture is on screen: its output area, its stage, the drawn graph (the SVG's
# top group, Graphviz's "graph0") and every text, each as a client rectangle.
GEOMETRY_JS = (
    "picture => { const drawnCells = "
    + DRAWN_CELLS_JS
    + """;
  const box = e => { const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; };
  const output = picture.closest('.jp-OutputArea-output') || picture.parentElement;
  const stage = picture.querySelector('.bpw-stage');
  const svg = stage.querySelector('svg');
  const cells = drawnCells(picture).filter(c => c.drawn)
    .map(({text, left, right, top, bottom, width, height}) => ({text, left, right, top, bottom, width, height}));
  return {
    output: box(output), stage: box(stage), svg: box(svg),
    graph: box(svg.querySelector('g.graph') || svg.firstElementChild),
    viewBox: svg.getAttribute('viewBox'),
    texts: [...[...svg.querySelectorAll('text')].map(t => ({text: t.textContent, ...box(t)})), ...cells],
  };
}"""
)


def geometry(picture) -> dict:
    return picture.evaluate(GEOMETRY_JS)


def inside(inner: dict, outer: dict, slack: float = 1.5) -> bool:
    """Whether rectangle `inner` lies within `outer` (give or take `slack` px)."""
    return (
        inner["left"] >= outer["left"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["top"] >= outer["top"] - slack
        and inner["bottom"] <= outer["bottom"] + slack
    )
