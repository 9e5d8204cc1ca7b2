"""Benchmark of the pictures in a real JupyterLab, in headless Chromium: what a student waits for.

Run from the repository root:  python -m bench.bench_browser
Needs the test extras (JupyterLab, ipywidgets, Playwright) and a Chromium (see the README's
browser tests; BPW_CHROMIUM names another binary).  About two minutes.

  slider moves   Explorer graphs of about 10, 50 and 300 nodes, and the floor: a plain
                 ipywidgets FloatSlider whose observer sets a tiny widgets.HTML.  Each move
                 focuses the slider's handle and presses ArrowRight; the page times, with
                 performance.now(), from the key press (a capturing keydown listener) to the
                 first change drawn in the watched element ("DOM"), and to the frame that paints
                 it ("repaint": that moment's next requestAnimationFrame, then a setTimeout(0), so
                 past the frame's paint).  The first change drawn is the first changed text or
                 element in the element's DOM (a MutationObserver: the floor's HTML), or the first
                 clearRect or fillText on a canvas inside it (a picture's numbers are painted on a
                 canvas laid over its svg, in .bpw-stage-box; the page's CanvasRenderingContext2D
                 methods are wrapped to tell).  The page also counts the bytes of the WebSocket
                 frames it receives until the kernel is idle again (plus a short settle).  They
                 take turns, move by move, so the machine's noise hits all.
                 "draw()" is the picture alone at 300 nodes (a plain slider whose observer calls
                 update()), to tell the picture's cost from the Explorer's other widgets, shown
                 whole (its Fit button pressed): every cell in view, so that every changed cell
                 is painted in the frame measured.  (The 300-node Explorer opens at its output
                 end: the boxes out of view are hidden and their numbers are not painted.)
  1,000 nodes    a 1,000-node graph drawn in the browser: from its output appearing in the cell
                 to its laid-out svg in the DOM (WebAssembly Graphviz already loaded), and from
                 "run cell" to the svg.
  lesson 01 cold lessons/01_sigmoid_tree.ipynb in a fresh browser (empty cache): bytes the
                 kernel's WebSocket brings while it runs all, and HTTP bytes of the page load.
  lesson 03      lessons/03_two_layer_network.ipynb: from "run all" to its first picture, and
                 from that cell's execution to its picture.

Targets (issue 11): at 300 nodes within 1.5x the floor and at most 20 KiB per move; at 10 nodes
within 1.2x the floor; the 1,000-node layout in at most 2 s.  (Issue 21: at 300 nodes within 1.2x
the floor and at most 8 KiB per move.)

Options:  --moves N  measured moves per slider (default 18; more for a steadier median on a busy
machine);  --sliders-only  the slider moves alone (no 1,000-node graph, no lessons).
The load average is printed with the slider table: the ratio to the floor in the same run is what
compares across runs.  A picture shown in part (its layout took too long, or it is over the size
drawn whole) is said under the table, with how many boxes it draws.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
SIZES = (10, 50, 300)
MOVES = 18  # measured moves per slider
WARMUP = 2  # moves per slider not counted (first paints, JIT)
SETTLE_MS = 150  # after the kernel is idle again: late frames of the same move
BIG = 1000
KIB = 1024

# Page-side instruments, installed in every page before JupyterLab's own scripts.
BENCH_JS = r"""
window.__bench = {
  // Watch `selector` for the first change drawn in it after the next ArrowRight key press: a changed
  // text (or element) in its DOM, or a canvas inside it cleared or drawn on (the picture's numbers).
  arm(selector) {
    const target = document.querySelector(selector);
    if (!target) return false;
    const state = this.move = {t0: null, dom: null, frame: null, done: false};
    const onKey = (e) => { if (state.t0 === null && e.key === 'ArrowRight') state.t0 = performance.now(); };
    window.addEventListener('keydown', onKey, true);
    const seen = () => {
      if (state.t0 === null || state.dom !== null) return;
      state.dom = performance.now();
      state.cancel();
      // the frame that paints the change: its rAF, then past its paint
      requestAnimationFrame(() => setTimeout(() => { state.frame = performance.now(); state.done = true; }, 0));
    };
    const observer = new MutationObserver(seen);
    observer.observe(target, {subtree: true, childList: true, characterData: true});
    this.onCanvas = (canvas) => { if (target.contains(canvas)) seen(); };
    state.cancel = () => {
      observer.disconnect();
      window.removeEventListener('keydown', onKey, true);
      this.onCanvas = null;
    };
    return true;
  },
  onCanvas: null, // while armed: told of each canvas drawn on (the calls wrapped below)
  moved() { return !!(this.move && this.move.done); },
  result() { const m = this.move; return {dom: m.dom - m.t0, frame: m.frame - m.t0}; },
  cancel() { if (this.move) this.move.cancel(); },

  // Kernel messages of a notebook: when each cell's code started (execute_input).
  listen(path) {
    const p = window.__bpw.panel(path);
    const kernel = p.sessionContext.session.kernel;
    const inputs = this.inputs = [];
    kernel.iopubMessage.connect((_, msg) => {
      if (msg.header.msg_type === 'execute_input') inputs.push({code: msg.content.code, t: performance.now()});
    });
  },
  // Times (performance.now) of the first `host` element and the first `host` .bpw-stage svg in a notebook.
  watch(path, host) {
    const node = window.__bpw.panel(path).node;
    const w = this.watched = {start: performance.now(), host: null, svg: null, code: null};
    const look = () => {
      if (w.host === null && node.querySelector(host)) w.host = performance.now();
      const svg = node.querySelector(host + ' .bpw-stage svg');
      if (svg && w.svg === null) {
        w.svg = performance.now();
        observer.disconnect();
        const cell = svg.closest('.jp-Cell');
        const widget = window.__bpw.panel(path).content.widgets.find(c => c.node === cell);
        w.code = widget ? widget.model.sharedModel.getSource() : null;
      }
    };
    const observer = new MutationObserver(look);
    observer.observe(node, {subtree: true, childList: true});
    return w.start;
  },
  watchedTimes() {
    const w = this.watched;
    const input = (this.inputs || []).find(i => i.code === w.code);
    return {start: w.start, host: w.host, svg: w.svg, executed: input ? input.t : null};
  },
  runCell(path, index) {
    const p = window.__bpw.panel(path);
    window.jupyterapp.shell.activateById(p.id);
    p.content.activeCellIndex = index;
    window.__bpw.runs[path] = null;
    return window.jupyterapp.commands.execute('notebook:run-cell').then(
      ok => { window.__bpw.runs[path] = {ok: ok}; });
  },
  runAbove(path, index) {
    const p = window.__bpw.panel(path);
    window.jupyterapp.shell.activateById(p.id);
    p.content.activeCellIndex = index;
    window.__bpw.runs[path] = null;
    return window.jupyterapp.commands.execute('notebook:run-all-above').then(
      ok => { window.__bpw.runs[path] = {ok: ok}; });
  },
};
// A canvas's first clearRect or fillText after the key press is the first change drawn there.
for (const name of ['clearRect', 'fillText']) {
  const own = CanvasRenderingContext2D.prototype[name];
  CanvasRenderingContext2D.prototype[name] = function (...args) {
    if (window.__bench.onCanvas) window.__bench.onCanvas(this.canvas);
    return own.apply(this, args);
  };
}
"""

# Whether the picture in `box` shows its whole graph (its viewBox covers the stage's data-full size).
FITTED_JS = """box => {
  const stage = document.querySelector(box + ' .bpw-stage');
  const [w, h] = stage.dataset.full.split(' ').map(Number);
  const view = stage.querySelector('svg').getAttribute('viewBox').split(' ').map(Number);
  return view[2] >= w - 1 && view[3] >= h - 1;
}"""

SETUP_CELL = """\
import ipywidgets as widgets
from backprop_widgets import Explorer, Value, draw
from backprop_widgets.engine import topological_order


def graph(n_nodes):
    # A chain of tanh units over two inputs, about n_nodes nodes; y joins every tenth unit.
    # (bench_widgets' chain, where x and y feed every unit, is one Graphviz cannot lay out
    # in time at 300 nodes: the page would show its 60 nodes nearest the output instead.)
    x, y = Value(0.5, label="x"), Value(-0.3, label="y")
    out, unit = x, 0
    while True:
        out = (out * 0.9 + (y if unit % 10 == 0 else 0.1)).tanh()
        unit += 1
        if len(topological_order(out)) >= n_nodes:
            return out


def network(size):
    # bench_render's network: exactly `size` nodes, layers tanh(w * h + b), a skip every third layer
    x = Value(0.5, label="x")
    count, layer, history, h = 1, 0, [x], x
    while count < size:
        if size - count >= 5:
            w = Value(0.9 - 0.01 * (layer % 7), label=f"w{layer}")
            b = Value(0.1 * (layer % 3), label=f"b{layer}")
            h = (w * h + b).tanh()
            count += 5
            if layer % 3 == 2 and size - count >= 1:
                h = h + history[-2]
                count += 1
        else:
            h = h.tanh()
            count += 1
        history.append(h)
        layer += 1
    return h
"""

FLOOR_CELL = """\
floor_slider = widgets.FloatSlider(value=0.5, min=-5, max=5, step=0.01, description="x",
                                   continuous_update=True, readout_format=".3g")
floor_html = widgets.HTML("<b>x = 0.5</b>")
floor_slider.observe(lambda change: setattr(floor_html, "value", f"<b>x = {change['new']:.3g}</b>"), names="value")
floor = widgets.VBox([floor_slider, floor_html])
floor.add_class("bench-floor")
floor_html.add_class("bench-floor-html")
floor
"""

EXPLORER_CELL = """\
root = graph({size})
explorer_{size} = Explorer(root)
explorer_{size}.add_class("bench-e{size}")
print(len(topological_order(root)), "nodes")
explorer_{size}
"""

# The picture alone at 300 nodes: a plain slider whose observer recomputes and calls update(),
# to tell the picture's cost from that of the Explorer's other widgets (the stepper's panel).
PICTURE_CELL = """\
from backprop_widgets.engine import evaluate
picture_root = graph(300)
picture_x = next(node for node in topological_order(picture_root) if node.label == "x")
picture_root.backward()
picture = draw(picture_root)
picture_slider = widgets.FloatSlider(value=0.5, min=-5, max=5, step=0.01, description="x", continuous_update=True)


def picture_moved(change):
    picture_x.data = change["new"]
    evaluate(picture_root)
    picture_root.backward()
    picture.update()


picture_slider.observe(picture_moved, names="value")
picture_box = widgets.VBox([picture_slider, picture])
picture_box.add_class("bench-picture")
picture_box
"""

BIG_CELL = f"""\
big = network({BIG})
big.backward()
big_view = draw(big)
big_view.add_class("bench-big")
big_view
"""


class Frames:
    """Bytes of the WebSocket frames a page receives, by socket URL (and, if asked, what they carry)."""

    def __init__(self, keep: bool = False) -> None:
        self.log: list[tuple[str, int]] = []
        self.keep = keep
        self.payloads: list = []

    def attach(self, page) -> None:
        page.on("websocket", self._on_socket)

    def _on_socket(self, socket) -> None:
        url = socket.url

        def received(payload) -> None:
            self.log.append((url, _size(payload)))
            if self.keep:
                self.payloads.append(payload if "/api/kernels/" in url else None)

        socket.on("framereceived", received)

    def breakdown(self, mark: int = 0) -> dict[str, int]:
        """Kernel bytes since `mark` by what they carry (needs keep=True)."""
        parts: dict[str, int] = {}
        for payload in self.payloads[mark:]:
            if payload is None:
                continue
            for kind, size in _kinds(payload).items():
                parts[kind] = parts.get(kind, 0) + size
        return parts

    def mark(self) -> int:
        return len(self.log)

    def since(self, mark: int, kernel_only: bool = False) -> int:
        return sum(size for url, size in self.log[mark:] if not kernel_only or "/api/kernels/" in url)

    def largest(self, mark: int = 0) -> int:
        return max((size for _, size in self.log[mark:]), default=0)

    def count_over(self, threshold: int, mark: int = 0) -> int:
        return sum(1 for _, size in self.log[mark:] if size >= threshold)


def _size(payload) -> int:
    return len(payload.encode("utf-8")) if isinstance(payload, str) else len(payload)


def _kernel_message(payload) -> dict | None:
    """A kernel WebSocket frame as a message: JSON text, or the binary v1 protocol.

    v1: the number of offsets, the offsets, then channel, header, parent header,
    metadata, content and any buffers, each part ending where the next offset starts.
    """
    if isinstance(payload, str):
        return json.loads(payload)
    count = int.from_bytes(payload[:8], "little")
    offsets = [int.from_bytes(payload[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    parts = [payload[a:b] for a, b in zip(offsets, offsets[1:], strict=False)]
    if len(parts) < 5:
        return None
    return {"header": json.loads(parts[1]), "content": json.loads(parts[4])}


def _kinds(payload) -> dict[str, int]:
    """What one kernel frame carries, in bytes: the front end, the pictures, other widgets, outputs, other."""
    size = _size(payload)
    try:
        message = _kernel_message(payload)
    except (ValueError, UnicodeDecodeError):
        message = None
    if message is None:
        return {"other": size}
    kind = message["header"].get("msg_type", "")
    content = message.get("content") or {}
    data = content.get("data") or {}
    state = data.get("state") or {} if isinstance(data, dict) else {}
    if kind == "comm_open":
        if "graphviz" in state:  # before 0.2.1 the WebAssembly Graphviz was a trait of the front end
            return {"front end (code + WebAssembly Graphviz)": size}
        if str(state.get("_esm", "")).startswith("// The graph picture in the browser"):  # frontend.js
            return {"front end: code": size}
        if state.get("_model_name") == "AnyModel":
            return {"pictures: widget state": size}
        return {"other widgets: new models (controls, their layouts and styles)": size}
    if kind == "comm_msg":
        if "dot" in state:
            return {"pictures: DOT text": size}
        if data.get("method") == "custom":
            if (data.get("content") or {}).get("type") == "graphviz":
                return {"front end: WebAssembly Graphviz (a message, not saved)": size}
            return {"pictures: patches": size}
        return {"other widgets: updates": size}
    if kind in ("display_data", "execute_result"):
        svg = len(((content.get("data") or {}).get("image/svg+xml") or "").encode("utf-8"))
        return {"static SVG copies in outputs": svg, "other outputs": size - svg}
    if kind == "stream":
        return {"other outputs": size}
    return {"other": size}


class HttpBytes:
    """Bytes of every HTTP response a browser context receives (headers and encoded body)."""

    def __init__(self) -> None:
        self.total = 0
        self.requests = 0

    def attach(self, context) -> None:
        context.on("requestfinished", self._on_finished)

    def _on_finished(self, request) -> None:
        try:
            sizes = request.sizes()
        except Exception:  # the page went away
            return
        self.requests += 1
        self.total += max(0, sizes["responseBodySize"]) + max(0, sizes["responseHeadersSize"])


def new_context(browser, frames: Frames):
    from tests.browser.lab_harness import PAGE_HELPERS_JS

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(PAGE_HELPERS_JS)
    context.add_init_script(BENCH_JS)
    context.on("page", frames.attach)  # before the page loads: no socket is missed
    return context


def wait_idle(notebook, timeout: float = 60.0) -> None:
    notebook.page.wait_for_function(
        "path => window.__bpw.kernelStatus(path) === 'idle'",
        arg=notebook.path,
        timeout=timeout * 1000,
        polling=10,
    )


def wait_cells(notebook, timeout: float = 300.0) -> None:
    notebook._wait("cellsDone", timeout, "cells still running")
    notebook._wait("widgetsDone", 60, "widgets still loading")


# ---- 1 and 2: slider moves ---------------------------------------------------------


def slider_moves(lab, frames: Frames, moves: int = MOVES, big: bool = True) -> tuple[dict, dict | None]:
    """Median key-press-to-repaint times and bytes per move for the floor and each Explorer."""
    cells = [SETUP_CELL, FLOOR_CELL] + [EXPLORER_CELL.format(size=size) for size in SIZES] + [PICTURE_CELL, BIG_CELL]
    notebook = lab.open(lab.write_notebook("bench_sliders.ipynb", cells), new_tab=True)
    page = notebook.page
    progress("sliders: running the notebook")
    page.evaluate("path => window.__bench.listen(path)", notebook.path)
    page.evaluate("([path, i]) => window.__bench.runAbove(path, i)", [notebook.path, len(cells) - 1])
    wait_cells(notebook)
    result = notebook.result()
    if result.problems:
        raise RuntimeError(f"the benchmark notebook failed:\n{result}")

    nodes = {}
    for size in SIZES:
        text = notebook.panel.locator(f".jp-Cell:has(.bench-e{size}) .jp-OutputArea-output pre").first.inner_text()
        nodes[size] = int(text.split()[0])
        notebook.panel.locator(f".bench-e{size} .bpw-stage svg").first.wait_for(timeout=60_000)

    targets = {"floor": (".bench-floor", ".bench-floor-html")}
    for size in SIZES:
        targets[size] = (f".bench-e{size}", f".bench-e{size} .bpw-stage-box")
    targets["picture"] = (".bench-picture", ".bench-picture .bpw-stage-box")
    nodes["picture"] = nodes[300]
    for _, watched in targets.values():
        notebook.panel.locator(watched).first.wait_for(timeout=60_000)
    notebook.panel.locator(".bench-picture button:has-text('Fit')").first.click()  # shown whole
    whole = page.evaluate(FITTED_JS, ".bench-picture")
    if not whole:
        raise RuntimeError("the draw() picture is not shown whole after Fit")
    shown = {}  # pictures shown in part: what their note says, and how many boxes they draw
    for name, (box, _) in targets.items():
        message = notebook.panel.locator(f"{box} .bpw-message")
        note = message.first.inner_text().removesuffix("Show more").strip() if message.count() else ""
        if note:
            boxes = notebook.panel.locator(f"{box} .bpw-stage svg g.node").count()
            shown[name] = f"{boxes} boxes drawn: {note}"
    load_before = os.getloadavg()
    samples = {name: {"dom": [], "frame": [], "bytes": [], "kernel": []} for name in targets}
    for move in range(WARMUP + moves):
        progress(f"sliders: move {move + 1} of {WARMUP + moves}")
        for name, (box, watched) in targets.items():
            handle = notebook.panel.locator(f"{box} .noUi-handle").first
            handle.focus()
            wait_idle(notebook)
            page.wait_for_timeout(50)
            if not page.evaluate("s => window.__bench.arm(s)", watched):
                raise RuntimeError(f"nothing to watch at {watched}")
            mark = frames.mark()
            page.keyboard.press("ArrowRight")
            try:
                page.wait_for_function("() => window.__bench.moved()", timeout=30_000, polling="raf")
            except Exception:
                page.evaluate("() => window.__bench.cancel()")
                raise RuntimeError(f"{name}: no repaint within 30 s of a key press") from None
            times = page.evaluate("() => window.__bench.result()")
            wait_idle(notebook)
            page.wait_for_timeout(SETTLE_MS)
            wait_idle(notebook)
            if move >= WARMUP:
                samples[name]["dom"].append(times["dom"])
                samples[name]["frame"].append(times["frame"])
                samples[name]["bytes"].append(frames.since(mark))
                samples[name]["kernel"].append(frames.since(mark, kernel_only=True))

    load = (load_before, os.getloadavg())
    rows = {}
    for name, got in samples.items():
        rows[name] = {
            "shown": shown.get(name),
            "load": load,
            "moves": moves,
            "ratios": [f / floor for f, floor in zip(got["frame"], samples["floor"]["frame"], strict=True)],
            "nodes": nodes.get(name),
            "dom": statistics.median(got["dom"]),
            "frame": statistics.median(got["frame"]),
            "p90": sorted(got["frame"])[int(0.9 * (len(got["frame"]) - 1))],
            "bytes": statistics.median(got["kernel"]),
            "max_bytes": max(got["kernel"]),
            "all_ws": max(got["bytes"]),
        }

    big_row = None
    if big:
        progress(f"{BIG:,}-node graph")
        big_row = big_graph(notebook, len(cells) - 1)
    notebook.close()
    return rows, big_row


# ---- 4: a 1,000-node graph laid out in the browser -------------------------------------


def big_graph(notebook, index: int) -> dict:
    page = notebook.page
    page.evaluate("path => window.__bench.watch(path, '.bench-big')", notebook.path)
    page.evaluate("([path, i]) => window.__bench.runCell(path, i)", [notebook.path, index])
    page.wait_for_function("() => window.__bench.watched.svg !== null", timeout=120_000, polling=50)
    t = page.evaluate("() => window.__bench.watchedTimes()")
    wait_cells(notebook)
    return {
        "layout": (t["svg"] - t["host"]) / 1000,
        "run": (t["svg"] - t["start"]) / 1000,
        "executed": None if t["executed"] is None else (t["svg"] - t["executed"]) / 1000,
    }


# ---- 5: lesson 01 opened cold ------------------------------------------------------------


def lesson_01_cold(browser, server, workdir: Path) -> dict:
    from tests.browser.lab_harness import Lab, LabSession

    frames, http = Frames(keep=True), HttpBytes()
    context = new_context(browser, frames)  # a fresh profile: nothing cached
    http.attach(context)
    try:
        session = LabSession(server, context)
        lab = Lab(session, workdir)
        progress("lesson 01 cold")
        started = time.perf_counter()
        session.shared_tab()  # JupyterLab loads in a fresh tab: the page load
        page_http = http.total
        mark = frames.mark()
        notebook = lab.open(lab.add_notebook(LESSONS / "01_sigmoid_tree.ipynb"))  # in that tab
        notebook.run_all(timeout=300)
        result = notebook.result()
        wait_idle(notebook)
        notebook.page.wait_for_timeout(500)
        row = {
            "seconds": time.perf_counter() - started,
            "kernel_ws": frames.since(mark, kernel_only=True),
            "all_ws": frames.since(mark),
            "largest": frames.largest(mark),
            "big_frames": frames.count_over(500 * KIB, mark),
            "page_http": page_http,
            "lesson_http": http.total - page_http,
            "problems": len(result.problems),
            "parts": frames.breakdown(mark),
        }
        notebook.close()
        session.discard_shared_tab()
        return row
    finally:
        context.close()


# ---- 6: lesson 03's first picture ----------------------------------------------------------


def lesson_03_first_picture(lab) -> dict:
    progress("lesson 03")
    notebook = lab.open(lab.add_notebook(LESSONS / "03_two_layer_network.ipynb"), new_tab=True)
    page = notebook.page
    page.evaluate("path => window.__bench.listen(path)", notebook.path)
    page.evaluate("path => window.__bench.watch(path, '.bpw-graph-host')", notebook.path)
    page.evaluate("path => window.__bpw.runAll(path)", notebook.path)
    page.wait_for_function("() => window.__bench.watched.svg !== null", timeout=120_000, polling=50)
    t = page.evaluate("() => window.__bench.watchedTimes()")
    code = page.evaluate("() => window.__bench.watched.code") or ""
    notebook.close()  # its kernel too: the rest of the lesson does not matter here
    return {
        "from_run_all": (t["svg"] - t["start"]) / 1000,
        "from_cell": None if t["executed"] is None else (t["svg"] - t["executed"]) / 1000,
        "from_output": None if t["host"] is None else (t["svg"] - t["host"]) / 1000,
        "cell": code.strip().splitlines()[-1] if code.strip() else "?",
    }


# ---- the run and the table ------------------------------------------------------------


def run(moves: int = MOVES, sliders_only: bool = False) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.browser.lab_harness import CHROMIUM_FLAGS, JupyterLabServer, Lab, LabSession, find_chromium

    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("no Chromium found: install chromium, or set BPW_CHROMIUM")
    workdir = Path(tempfile.mkdtemp(prefix="bpw-bench-"))
    server = JupyterLabServer(workdir)
    server.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_FLAGS), headless=True)
            try:
                frames = Frames()
                context = new_context(browser, frames)
                lab = Lab(LabSession(server, context), workdir)
                sliders, big = slider_moves(lab, frames, moves, big=not sliders_only)
                lesson3 = None if sliders_only else lesson_03_first_picture(lab)
                context.close()
                lesson1 = None if sliders_only else lesson_01_cold(browser, server, workdir)
            finally:
                browser.close()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return {"sliders": sliders, "big": big, "lesson1": lesson1, "lesson3": lesson3}


def progress(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(found: dict) -> None:
    sliders, floor = found["sliders"], found["sliders"]["floor"]
    print("Slider moves in JupyterLab (Chromium): key press on the slider to repainted picture, medians")
    header = ("graph", "nodes", "DOM ms", "repaint ms", "p90 ms", "x floor", "KiB/move", "max KiB", "target")
    widths = (10, 6, 8, 11, 8, 8, 9, 8, 26)
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for name, row in sliders.items():
        ratio = row["frame"] / floor["frame"]
        if name == "floor":
            label, target = "floor", "(plain slider + HTML)"
        elif name == "picture":
            label, target = "draw()", "(plain slider + update(), whole)"
        else:
            label = "Explorer"
            if name == 300:
                ok = ratio <= 1.5 and row["bytes"] <= 20 * KIB
                target = f"<=1.5x, <=20 KiB: {verdict(ok)}"
            elif name == 10:
                target = f"<=1.2x: {verdict(ratio <= 1.2)}"
            else:
                target = ""
        print(
            f"{label:>10} {row['nodes'] or '':>6} {row['dom']:>8.1f} {row['frame']:>11.1f} {row['p90']:>8.1f} "
            f"{ratio:>7.2f}x {row['bytes'] / KIB:>9.2f} {row['max_bytes'] / KIB:>8.2f} {target:>26}"
        )
    print(
        f"({floor['moves']} moves each, taking turns; repaint = the frame after the first change drawn; KiB = the "
        "kernel WebSocket's frames received until the kernel is idle again; all WebSockets at most "
        f"{max(row['all_ws'] for row in sliders.values()) / KIB:.2f} KiB in a move)"
    )
    (b1, b5, _), (a1, a5, _) = floor["load"]
    print(f"load average (1 min, 5 min): {b1:.2f}, {b5:.2f} before the moves; {a1:.2f}, {a5:.2f} after")
    for name, row in sliders.items():
        if name != "floor":
            ratios = sorted(row["ratios"])
            quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
            print(
                f"  {name}: move by move x floor (that move's floor): median {statistics.median(ratios):.2f}, "
                f"quartiles {quartiles[0]:.2f}-{quartiles[2]:.2f}"
            )
    for name, note in ((n, r["shown"]) for n, r in sliders.items() if r["shown"]):
        print(f"  shown in part, {name}: {note}")

    if found["big"] is None:
        return
    big = found["big"]
    print()
    print(
        f"{BIG:,}-node graph drawn in the browser: output shown -> svg in the DOM {big['layout']:.2f} s "
        f"(target <= 2 s: {verdict(big['layout'] <= 2)}); run cell -> svg {big['run']:.2f} s"
    )

    lesson3 = found["lesson3"]
    print()
    cell = f" (cell ending {lesson3['cell']!r})"
    from_cell = "?" if lesson3["from_cell"] is None else f"{lesson3['from_cell']:.2f} s"
    print(
        f"Lesson 03, first picture: run all -> svg {lesson3['from_run_all']:.2f} s; "
        f"its cell's execution -> svg {from_cell}{cell}"
    )

    lesson1 = found["lesson1"]
    print()
    print(
        f"Lesson 01 opened cold (fresh browser profile, run all, {lesson1['seconds']:.0f} s): "
        f"kernel WebSocket {lesson1['kernel_ws'] / KIB:,.0f} KiB received "
        f"(all WebSockets {lesson1['all_ws'] / KIB:,.0f} KiB; largest frame {lesson1['largest'] / KIB:,.0f} KiB; "
        f"frames over 500 KiB: {lesson1['big_frames']}); "
        f"HTTP: JupyterLab page load {lesson1['page_http'] / KIB / KIB:,.1f} MiB, "
        f"then opening and running the lesson {lesson1['lesson_http'] / KIB:,.0f} KiB"
        + ("" if not lesson1["problems"] else f"; {lesson1['problems']} PROBLEM(S) in the lesson")
    )
    parts = sorted(lesson1["parts"].items(), key=lambda item: -item[1])
    print("  kernel WebSocket by content: " + "; ".join(f"{kind} {size / KIB:,.0f} KiB" for kind, size in parts))


def main() -> None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("skipped: playwright is not installed (pip install -e '.[test]')")
        return
    from tests.browser.lab_harness import browser_tests_skipped, find_chromium

    if browser_tests_skipped() or find_chromium() is None:
        print("skipped: no Chromium (install chromium, or set BPW_CHROMIUM), or BPW_SKIP_BROWSER is set")
        return
    # a SIGTERM (a timeout) still stops the server and its kernels (in their own process group)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench_browser: terminated"))
    parser = argparse.ArgumentParser(prog="python -m bench.bench_browser", description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=MOVES, help=f"measured moves per slider (default {MOVES})")
    parser.add_argument("--sliders-only", action="store_true", help="the slider moves alone")
    args = parser.parse_args()
    report(run(max(1, args.moves), args.sliders_only))


if __name__ == "__main__":
    sys.exit(main())
