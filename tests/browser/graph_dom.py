"""Read the graph picture (GraphView's front end) from the page: its texts, what is current, where it is.

The picture's DOM: the widget element `.bpw-picture` holds `.bpw-graph`, which holds the
toolbar `.bpw-bar`, the stage `.bpw-stage` (focusable) with the laid-out `svg` in it, and a
live region `.bpw-sr-only[aria-live]`. Number cells are SVG <text> elements in a second svg laid
over the stage (`.bpw-cells svg`, one `g.bpw-cellgroup` per box, its id as `data-box`); highlighted
groups have the class `current`.
"""

from __future__ import annotations

import time

# Texts the front end shows while (or instead of) laying the picture out.
NOT_LAID_OUT = ("Laying out", "has not arrived", "could not lay out", "Loading the graph picture")


def svg_texts(picture) -> list[str]:
    """Every <text> of the picture (its SVG's labels, then the number cells' layer), in document order;
    not the number travelling along its edge (a passing animation, hidden from screen readers)."""
    return picture.locator(".bpw-stage svg text, .bpw-cells svg text").evaluate_all(
        "texts => texts.filter(t => !t.closest('.bpw-token')).map(t => t.textContent)"
    )


def cell_texts(picture, boxes: str) -> list[dict]:
    """The number cells of the picture's boxes that match the CSS selector `boxes` (in its SVG), where
    they are drawn (the cells' layer): each as {box, text, squeezed} (squeezed: it carries a textLength)."""
    return picture.evaluate(
        """(picture, boxes) => {
          const ids = [...picture.querySelectorAll('.bpw-stage svg ' + boxes)].map(g => g.id);
          return [...picture.querySelectorAll('.bpw-cells svg g.bpw-cellgroup')]
            .filter(g => ids.includes(g.dataset.box))
            .flatMap(g => [...g.querySelectorAll('text')].map(t => ({box: g.dataset.box, text: t.textContent,
              squeezed: t.hasAttribute('textLength')})));
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
GEOMETRY_JS = """picture => {
  const box = e => { const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; };
  const output = picture.closest('.jp-OutputArea-output') || picture.parentElement;
  const stage = picture.querySelector('.bpw-stage');
  const svg = stage.querySelector('svg');
  return {
    output: box(output), stage: box(stage), svg: box(svg),
    graph: box(svg.querySelector('g.graph') || svg.firstElementChild),
    viewBox: svg.getAttribute('viewBox'),
    texts: [...svg.querySelectorAll('text'), ...picture.querySelectorAll('.bpw-cells svg text')]
      .map(t => ({text: t.textContent, ...box(t)})),
  };
}"""


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
