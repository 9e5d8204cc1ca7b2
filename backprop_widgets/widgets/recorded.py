"""A stepper's walk, recorded once in Python, then stepped with no kernel: ``record``, ``replay_state``,
``player_html``, ``save_html``, ``save_svg`` and ``save_gif``.

``record(stepper)`` drives the stepper from step 0 to its end and keeps, per
step, the number cells whose text changed, the SVG ids lit, what the screen
reader is told and the panel's text (back where it was after).  Everything
else here is made from that one record and the picture laid out in Python
(``render.view.marked_svg``, the ``static`` extra):

- ``replay_state``: the record inside the widget's own state (``GraphView.replay``),
  so that a notebook saved with its widget state steps where no kernel answers:
  the picture's front end (``static/frontend.js``, its replay section) then
  patches its own model from the record, as the kernel's patches would.
- ``player_html``: the picture and its steps as one HTML fragment with its own
  script (``static/player.js``): buttons, the arrow keys, Home and End, a live
  region.  A recorded stepper's output carries it (``record=True``), so an HTML
  export of a notebook steps without a kernel; ``save_html`` writes it as a page.
- ``save_svg(..., animate=True)``: one SVG that shows the steps in turn (SMIL,
  no script), for slides.
- ``save_gif``: the same frames rasterised by resvg (the ``slides`` extra: a
  wheel with no system library and no program to call), joined by pillow.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from ..render import backend
from ..render.layout import RenderError, render_svg
from ..render.protocol import front_end_constants, text_width
from ..render.view import CURRENT_COLOUR, CURRENT_WIDTH, _fit, marked_svg
from .graph import STATIC_LIMIT, _module

__all__ = [
    "REPLAY_STEPS",
    "record",
    "replay_state",
    "player_html",
    "page_html",
    "save_html",
    "frames",
    "animated_svg",
    "save_svg",
    "save_gif",
]

REPLAY_NOTE = "A recorded walk: it steps in this page, without Python. Run the notebook to change its numbers."
# A walk of at most this many steps is recorded into its widget unless told otherwise (record=None): lesson 01's
# walks cost about 3 KB each in a notebook saved with its widget state; a longer walk is recorded with record=True.
REPLAY_STEPS = 40


def _panel_text(stepper) -> list[str]:
    """The panel's lines as plain text (the live panel's formula is LaTeX: the spoken line says it in words)."""
    text = stepper.explain()
    lines = [text.get("local_text") or "", text.get("numbers_text") or "", text.get("sum") or ""]
    if text.get("rule") and not text.get("local_text"):
        lines.append(text["rule"])
    return [line for line in lines if line]


def record(stepper) -> dict:
    """Every step of ``stepper``'s walk, as the picture and panel show it (the stepper ends where it was).

    ``{"title", "total", "start", "steps": [{"cells": {index: text}, "current": [ids], "say", "panel": [lines],
    "position", "flow"}]}``: step 0's ``cells`` are all of them, each later step's only those that changed;
    ``flow`` is the number the step carries along its edge, ``{"edge": id, "text": ...}`` (None: no edge drawn),
    with the cell it goes into and that cell's text before and after (the widget's front end animates them).
    Nothing of the walk there and back is sent to the page.
    """
    walk = stepper.walk
    was = walk.position
    steps: list[dict] = []
    last: list[str] = []
    with stepper.unsent():
        try:
            for position in range(len(walk) + 1):
                flows = stepper.view.flow.get("n")
                stepper.goto(position)
                view = stepper.view
                flow = view.flow if position and view.flow.get("n") != flows else None
                cells = list(view.cells)
                changed = {str(i): text for i, text in enumerate(cells) if i >= len(last) or last[i] != text}
                last = cells
                steps.append(
                    {
                        "cells": changed,
                        "current": list(view.current),
                        "say": walk.spoken(),
                        "panel": _panel_text(stepper),
                        "position": f"step {position} of {len(walk)}",
                        "flow": {key: flow[key] for key in FLOW_KEYS} if flow else None,
                    }
                )
        finally:
            stepper.goto(was)
    return {"title": stepper.view.title, "total": len(walk), "start": was, "steps": steps}


FLOW_KEYS = ("edge", "text", "cell", "before", "after", "forward")


def replay_state(stepper) -> dict:
    """The walk as the widget's front end steps it with no kernel: ``record``'s steps, and the picture laid out
    in Python where a Graphviz is at hand (else the page keeps the layout it makes while the kernel runs)."""
    walk = record(stepper)
    state = {"total": walk["total"], "steps": walk["steps"]}
    view = stepper.view
    if backend() is not None and view.drawn <= STATIC_LIMIT:
        try:
            svg = render_svg(view.dot)
            state.update(svg=svg[svg.index("<svg") :], direction="LR", dot=view.dot)
        except (RenderError, ValueError):
            pass  # the page lays it out while the kernel runs, and keeps that
    return state


def _cells_at(walk: dict, position: int) -> list[str]:
    cells: dict[str, str] = {}
    for step in walk["steps"][: position + 1]:
        cells.update(step["cells"])
    return [cells[str(i)] for i in range(len(cells))]


_PLAYER_CSS = """
.bpw-player { font-family: Helvetica, Arial, sans-serif; font-size: 14px; max-width: 900px; }
.bpw-player .bpw-figure { border: 1px solid #d9d9d9; border-radius: 3px; padding: 4px; outline-offset: 2px; }
.bpw-player .bpw-figure:focus { outline: 2px solid #0072b2; }
.bpw-player svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.bpw-player g.current path, .bpw-player g.current polygon, .bpw-player g.current ellipse {
  stroke: #d55e00; stroke-width: 2.5px; }
.bpw-player g.edge.current polygon { fill: #d55e00; }
.bpw-player g.node.current text { font-weight: bold; }
.bpw-player .bpw-bar { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; margin: 6px 0; }
.bpw-player button { font: inherit; padding: 3px 10px; }
.bpw-player .bpw-panel p { margin: 3px 0; text-align: center; }
.bpw-player .bpw-said { font-weight: bold; }
.bpw-player .bpw-note { color: #4d4d4d; font-size: 90%; margin: 4px 0; }
.bpw-sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
"""


def player_html(stepper, walk: dict | None = None) -> str:
    """The recorded walk as one HTML fragment that steps by itself (the picture laid out in Python)."""
    walk = walk if walk is not None else record(stepper)
    svg, rooms = marked_svg(stepper.view._model)
    data = dict(walk, rooms=[round(r, 2) for r in rooms])
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    script = _module("player.js", front_end_constants()).replace("</script", "<\\/script")
    title = html.escape(walk["title"])
    return (
        f"<style>{_PLAYER_CSS}</style>\n"
        f'<div class="bpw-player" role="group" aria-label="{title}, a recorded walk">\n'
        f'<div class="bpw-figure" tabindex="0" role="img" aria-label="{title}. '
        f'Right arrow: next step; Left: back; Home: start; End: the end.">\n{svg}</div>\n'
        '<div class="bpw-bar"><button data-go="home">Reset</button><button data-go="back">Back</button>'
        '<button data-go="next">Step</button><button data-go="end">Run to end</button>'
        '<span class="bpw-position"></span></div>\n'
        '<div class="bpw-panel"><p class="bpw-said"></p></div>\n'
        '<div class="bpw-sr-only" aria-live="polite"></div>\n'
        f'<p class="bpw-note">{REPLAY_NOTE}</p>\n'
        f'<script type="application/json" class="bpw-walk">{payload}</script>\n'
        f"</div>\n<script>{script}</script>\n"
    )


def page_html(stepper, walk: dict | None = None) -> str:
    """A whole HTML page around ``player_html``: no network, opens from ``file://``."""
    walk = walk if walk is not None else record(stepper)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(walk['title'])}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n</head>\n<body>\n'
        f"<main>\n{player_html(stepper, walk)}</main>\n</body>\n</html>\n"
    )


def save_html(stepper, path: str | Path) -> Path:
    """Write the stepper's walk as one self-contained page (see ``page_html``); returns the path."""
    path = Path(path)
    path.write_text(page_html(stepper), encoding="utf-8")
    return path


def frames(stepper, walk: dict | None = None) -> list[str]:
    """One static SVG per step of the walk (the picture as it shows that step)."""
    walk = walk if walk is not None else record(stepper)
    svg, rooms = marked_svg(stepper.view._model)
    return [
        _frame(svg, rooms, _cells_at(walk, position), step["current"], step.get("flow"))
        for position, step in enumerate(walk["steps"])
    ]


_CURVE = re.compile(r' d="M(-?[\d.]+),(-?[\d.]+)C(-?[\d.]+),(-?[\d.]+) (-?[\d.]+),(-?[\d.]+) (-?[\d.]+),(-?[\d.]+)')


def _token(body: str, text: str) -> str:
    """The number a step carries, as a label at the middle of its edge's first curve (as the live widget's token)."""
    curve = _CURVE.search(body)
    if curve is None:
        return ""
    x0, y0, x1, y1, x2, y2, x3, y3 = map(float, curve.groups())
    x, y = (x0 + 3 * x1 + 3 * x2 + x3) / 8, (y0 + 3 * y1 + 3 * y2 + y3) / 8  # the Bézier at t = 1/2
    width = text_width(text) + 8
    return (
        f'<g class="bpw-token"><rect x="{x - width / 2:.2f}" y="{y - 8:.2f}" width="{width:.2f}" height="14" '
        f'rx="3" fill="{CURRENT_COLOUR}"/><text text-anchor="middle" x="{x:.2f}" y="{y + 2.5:.2f}" fill="#ffffff" '
        f'font-weight="bold">{html.escape(text)}</text></g>'
    )


def _frame(svg: str, rooms: list[float], cells: list[str], current: list[str], flow: dict | None = None) -> str:
    """``svg`` (from ``marked_svg``) with these cell texts, these groups lit, and the step's number on its edge."""

    def text(match: re.Match) -> str:
        i = int(match[1])
        return f'data-cell="{i}"{_fit(html.escape(cells[i]), rooms[i])}</text>'

    svg = re.sub(r'data-cell="(\d+)"[^>]*>[^<]*</text>', text, svg)
    lit = set(current)

    def group(match: re.Match) -> str:
        gid, body = match[1], match[3]
        if gid not in lit:
            return match[0]
        body = re.sub(r'stroke="#[0-9a-f]{6}"', f'stroke="{CURRENT_COLOUR}" stroke-width="{CURRENT_WIDTH}"', body)
        if match[2].startswith("edge"):
            body = re.sub(r'fill="#[0-9a-f]{6}"', f'fill="{CURRENT_COLOUR}"', body)
        else:
            body = re.sub(r"<text (?![^>]*font-weight)", '<text font-weight="bold" ', body)
        if flow and gid == flow["edge"]:
            body += _token(body, flow["text"])
        return f'<g id="{gid}" class="{match[2]} current">{body}</g>'

    return re.sub(r'<g id="([^"]*)" class="([^"]*)">(.*?)</g>', group, svg, flags=re.S)


def _sized(head: str, width: int | None) -> str:
    """An ``<svg ...>`` tag drawn ``width`` pixels wide (its height in proportion); None keeps Graphviz's size."""
    size = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', head)
    if width is None or size is None:
        return head
    height = width * float(size[2]) / float(size[1])
    return head.replace(size[0], f'width="{width}" height="{height:.0f}"', 1)


def animated_svg(stepper, seconds: float = 1.5, walk: dict | None = None, width: int | None = None) -> str:
    """One SVG that shows the walk's steps in turn, ``seconds`` each, and starts over (SMIL: no script)."""
    shots = frames(stepper, walk)
    n = len(shots)
    head = re.match(r"<svg[^>]*>", shots[0])
    assert head is not None
    bodies = [shot[head.end() : shot.rindex("</svg>")] for shot in shots]
    parts = [_sized(head[0], width), "\n"]
    total = seconds * n
    for k, body in enumerate(bodies):
        values = ";".join("visible" if j == k else "hidden" for j in range(n))
        times = ";".join(f"{j / n:.4f}" for j in range(n))
        parts.append(
            f'<g class="bpw-frame" data-step="{k}" visibility="{"visible" if k == 0 else "hidden"}">'
            f'<animate attributeName="visibility" values="{values}" keyTimes="{times}" calcMode="discrete" '
            f'dur="{total:g}s" repeatCount="indefinite"/>{body}</g>\n'
        )
    parts.append("</svg>\n")
    return "".join(parts)


def save_svg(
    stepper, path: str | Path, *, animate: bool = False, seconds: float = 1.5, width: int | None = None
) -> Path:
    """Write the picture as SVG: as it is now, or (``animate=True``) every step in turn, ``seconds`` each.

    ``width``: how many pixels wide the animation is drawn (None: Graphviz's own size, in points).
    """
    path = Path(path)
    if animate:
        text = animated_svg(stepper, seconds, width=width)
    else:
        view = stepper.view
        text = view.svg
    path.write_text(text, encoding="utf-8")
    return path


def save_gif(stepper, path: str | Path, *, width: int = 800, seconds: float = 1.5) -> Path:
    """Write the walk as an animated GIF, one frame per step, ``width`` pixels wide (needs the ``slides`` extra)."""
    try:
        import resvg_py
    except ImportError:
        raise ImportError("save_gif needs resvg-py: `pip install backprop_widgets[slides]`") from None
    import io

    from PIL import Image

    images = []
    for shot in frames(stepper):
        png = resvg_py.svg_to_bytes(svg_string=shot, width=width, dpi=96.0, background="#ffffff")  # dpi 0 breaks "pt"
        images.append(Image.open(io.BytesIO(bytes(png))).convert("RGB"))
    path = Path(path)
    first, *rest = images
    first.save(path, save_all=True, append_images=rest, duration=int(seconds * 1000), loop=0, disposal=1)
    return path
