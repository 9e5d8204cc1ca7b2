// The graph picture in the browser: layout by Graphviz (WebAssembly), then only numbers change.
//
// This module is the front-end model's code: the kernel sends it once per notebook page (and the
// WebAssembly Graphviz in a message after it), and every picture on the page (graph.js) draws with it.
//
//   dot      the picture's structure, laid out once (the same DOT text is never laid out twice)
//   slots    one [group id, width, inset] per number cell: where each number goes
//   cells    the text of every number cell (the kernel sends only the ones that change)
//   current  the ids of the highlighted node and edge
//   flow     a contribution travelling back along an edge, into its input's gradient cell
//   announce the last step in words, for screen readers
//   details  each tensor box's whole array: its tooltip, and what focusing it reads out
//
// The constants shared with the kernel (the placeholder, the text-width table, the message
// types, the version this front end is registered under) come from render/protocol.py:
// the kernel writes them in below when it sends this module.

const P = /*PROTOCOL*/ {}; // written in by the kernel (widgets/graph.py, _module)
const API = P.api;
/*STEPS*/ // walkMove, walkCells, WALK_KEYS: static/steps.js, written in by the kernel

function shared() {
  const registry = (globalThis.__backprop_widgets ??= {});
  if (!registry[API]) {
    let resolve;
    const ready = new Promise((r) => (resolve = r));
    registry[API] = { ready, resolve };
  }
  return registry[API];
}

const SVG_NS = "http://www.w3.org/2000/svg";
const PT = 4 / 3; // CSS pixels per point (Graphviz measures in points)
const FLOW_MS = 450; // how long a contribution travels along its edge
const SUM_MS = 500; // how long "7+2" shows before the sum, where a gradient adds up
const MAX_HEIGHT = 560; // px: a picture's stage is at most this tall, or 80% of the window if that is more
const READABLE_PX = 10; // no text is drawn smaller on screen when a picture opens
const TB_RANKSEP = 0.2; // inches between ranks when laid out top to bottom
const WRAP_RANKSEP = 0.15; // inches between ranks of a picture wrapped into rows (0.3 when not wrapped)
const WRAP_NODESEP = 0.1; // inches between boxes of a rank in such a picture (0.12 when not wrapped)
const MOVE_MS = 300; // how long the other nodes take to move to their places after a group (un)folds
const MOVE_MAX = 400; // nodes: a bigger picture changes at once
const LAYOUT_CACHE = 32;
const MANY_BOXES = 150; // no cell shows more readably: such a graph is laid out once, left to right

let graphviz = null; // the Layouts of this page (WebAssembly Graphviz)
let graphvizArrived = false; // a kernel has sent it (a picture with no kernel behind it can still use it)
const layouts = new Map(); // DOT text -> laid-out SVG text

const CSS = `
.bpw-graph { font-family: var(--jp-ui-font-family, Helvetica, Arial, sans-serif); font-size: 12px;
  color: #1a1a1a; max-width: 100%; }
.bpw-bar { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; margin: 2px 0 4px; }
.bpw-bar button { min-width: 30px; height: 26px; padding: 0 8px; border: 1px solid #8c8c8c;
  border-radius: 3px; background: #fff; color: #1a1a1a; cursor: pointer; font: inherit; }
.bpw-bar button:hover { background: #eef4fa; }
.bpw-bar button:focus-visible, .bpw-stage:focus-visible { outline: 2px solid #0072b2; outline-offset: 1px; }
.bpw-help { color: #4d4d4d; margin-left: 6px; }
.bpw-more { color: #a33b00; margin-left: 6px; }
.bpw-stage { position: relative; width: 100%; overflow: hidden; background: #fff;
  border: 1px solid #d9d9d9; border-radius: 3px; cursor: grab; touch-action: none; }
.bpw-stage.bpw-dragging { cursor: grabbing; }
.bpw-stage.bpw-sized { contain: strict; } /* sized in px: repainting its numbers lays out nothing around it */
.bpw-stage > svg, .bpw-cells > svg { display: block; width: 100%; height: 100%; margin: 0 auto; user-select: none; }
/* The number cells are painted on a canvas laid over the picture's svg (the same viewBox transform, worked
   out in paintCells): a changed number repaints a few rectangles of the canvas, with no text laid out and
   no shape of the picture repainted. The picture's svg paints on its own (isolation: a stacking context, so
   Chromium keeps its painting). The number travelling along an edge is drawn in a small svg over the canvas. */
.bpw-stage > svg { isolation: isolate; }
.bpw-stage-box { position: relative; }
/* over the stage's content box: the stage is 100% wide plus its 1px border (content-box sizing) */
.bpw-cells { position: absolute; left: 1px; top: 1px; width: 100%; height: calc(100% - 2px); overflow: hidden;
  pointer-events: none; contain: strict; }
.bpw-cells > canvas, .bpw-cells > svg { position: absolute; left: 0; right: 0; top: 0; }
.bpw-cells > canvas { width: 100%; height: 100%; }
.bpw-status { padding: 8px; color: #4d4d4d; }
.bpw-layout-error { padding: 8px; color: #a33b00; white-space: pre-wrap; }
.bpw-graph g.current path, .bpw-graph g.current polygon, .bpw-graph g.current ellipse {
  stroke: #d55e00; stroke-width: 2.5px; }
.bpw-graph g.edge.current polygon { fill: #d55e00; }
.bpw-graph g.node.current text { font-weight: bold; }
.bpw-graph g.bpw-off { visibility: hidden; } /* wholly out of view: a frame repaints what is in view */
.bpw-graph g.folded, .bpw-graph g.cluster > text { cursor: pointer; }
.bpw-graph g.folded:focus polygon, .bpw-graph g.cluster:focus polygon { stroke: #0072b2; stroke-width: 3px; }
.bpw-graph g.folded:focus, .bpw-graph g.cluster:focus { outline: none; }
.bpw-graph .bpw-token rect { fill: #d55e00; }
.bpw-graph .bpw-token text { fill: #fff; font-weight: bold; }
.bpw-message, .bpw-notes, .bpw-hint { margin: 3px 0; color: #333; }
.bpw-notes { color: #a33b00; }
.bpw-hint { color: #4d4d4d; font-size: 11px; }
.bpw-message button { margin-left: 6px; }
.bpw-sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.bpw-replay-note { margin: 3px 0; color: #1a1a1a; background: #f2f7fb; border-left: 3px solid #0072b2;
  padding: 3px 8px; }
.bpw-replaying .bpw-needs-kernel { opacity: 0.45; }
.bpw-replaying .jupyter-widgets-disconnected::before, .bpw-replaying.jupyter-widgets-disconnected::before {
  display: none; }
.bpw-replay-panel { text-align: center; margin: 2px 0; }
`;

function injectCss() {
  if (document.getElementById("bpw-graph-css")) return;
  const style = document.createElement("style");
  style.id = "bpw-graph-css";
  style.textContent = CSS;
  document.head.appendChild(style);
}

// Layout runs in a Web Worker: a big graph never freezes the page, and a layout that takes
// longer than LAYOUT_SECONDS is stopped (the kernel then shows fewer nodes). Where workers
// cannot be made, it runs on the page instead.
const LAYOUT_SECONDS = 12;

class Layouts {
  // source: a promise of the WebAssembly Graphviz's code (it comes in a message, not as a trait)
  constructor(source) {
    this.bundle = source.then((code) => URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
    this.queue = Promise.resolve();
    this.jobs = 0;
  }

  worker() {
    if (!this.ready) this.ready = this.bundle.then((bundle) => this.startWorker(bundle));
    return this.ready;
  }

  startWorker(bundle) {
    const code =
      `import { Graphviz } from ${JSON.stringify(bundle)};\n` +
      "const gv = await Graphviz.load();\n" +
      "self.onmessage = (e) => { let reply; try { reply = { svg: gv.dot(e.data) }; }\n" +
      "  catch (error) { reply = { error: String((error && error.message) || error) }; }\n" +
      "  self.postMessage(reply); };\n" +
      "self.postMessage({ ready: true });\n";
    const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    return new Promise((resolve, reject) => {
      const worker = new Worker(url, { type: "module" });
      worker.onmessage = (e) => (e.data && e.data.ready ? resolve(worker) : null);
      worker.onerror = (e) => reject(new Error(e.message || "the layout worker did not start"));
    });
  }

  async onPage(dot) {
    const bundle = await this.bundle;
    this.module ??= import(/* webpackIgnore: true */ bundle).then((m) => m.Graphviz.load());
    return (await this.module).dot(dot);
  }

  async inWorker(dot) {
    let worker;
    try {
      worker = await this.worker();
    } catch (error) {
      console.warn("backprop_widgets: laying out on the page (no Web Worker):", error);
      this.ready = Promise.reject(error);
      this.ready.catch(() => {});
      return this.onPage(dot);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.terminate();
        this.ready = null; // a fresh worker for the next picture
        reject(new Error(`laying it out took more than ${LAYOUT_SECONDS} s`));
      }, LAYOUT_SECONDS * 1000);
      worker.onmessage = (e) => {
        clearTimeout(timer);
        return e.data.error ? reject(new Error(e.data.error)) : resolve(e.data.svg);
      };
      worker.postMessage(dot);
    });
  }

  // One layout at a time; the same DOT text is laid out once.
  layout(dot) {
    const known = layouts.get(dot);
    if (known !== undefined) return Promise.resolve(known);
    const job = this.queue.then(() => layouts.get(dot) ?? this.inWorker(dot)).then((svg) => {
      layouts.set(dot, svg);
      if (layouts.size > LAYOUT_CACHE) layouts.delete(layouts.keys().next().value);
      return svg;
    });
    this.queue = job.catch(() => {});
    return job;
  }
}

// How wide a text is, in points, a little generous (the kernel's table: render/protocol.py).
function textWidth(text) {
  let ems = 0;
  for (const c of text) ems += P.em[c] ?? P.wide;
  return ems * P.fontSize;
}

// The same picture top to bottom, its ranks closer (an op circle sits right above its value box).
function downwards(dot) {
  return dot.replace("rankdir=LR", "rankdir=TB").replace(/ranksep=[0-9.]+/, `ranksep=${TB_RANKSEP}`);
}

// The same picture left to right, its columns closer: to be wrapped into rows, a narrower picture
// can cut into fewer or shorter rows (lesson 10's Lockstep halves fit at 1366 px so, and not without).
function closer(dot, ranksep = WRAP_RANKSEP) {
  return dot.replace(/ranksep=[0-9.]+/, `ranksep=${ranksep}`).replace(/nodesep=[0-9.]+/, `nodesep=${WRAP_NODESEP}`);
}

// A left-to-right picture too wide for its cell, wrapped into rows like a line of text: the
// laid-out SVG is cut at gaps between its columns (where no box or frame is), each later part
// is moved under the one before, and an edge that crosses a cut is drawn down and back to the
// row's start. Graphviz lays it out once; the wrap moves shapes only, so every id, cell and
// edge stays as the kernel knows it. Returns the SVG text, or null where no such cut exists.
const WRAP_GAP = 16; // points between rows
const WRAP_MARGIN = 12; // points left of a later row, where its incoming edges turn

function numbersOf(shape) {
  const attributes = { polygon: ["points"], polyline: ["points"], path: ["d"], ellipse: [], text: [] };
  if (shape.tagName === "ellipse") {
    const [cx, cy, rx, ry] = ["cx", "cy", "rx", "ry"].map((a) => Number(shape.getAttribute(a)));
    return [[cx - rx, cy - ry], [cx + rx, cy + ry]];
  }
  if (shape.tagName === "text") return [[Number(shape.getAttribute("x")), Number(shape.getAttribute("y"))]];
  const name = (attributes[shape.tagName] || [])[0];
  const values = name ? (shape.getAttribute(name).match(/-?[0-9.]+(?:e-?[0-9]+)?/g) || []).map(Number) : [];
  const points = [];
  for (let i = 0; i + 1 < values.length; i += 2) points.push([values[i], values[i + 1]]);
  return points;
}

function extentOf(group, shapes = "polygon, polyline, path, ellipse") {
  const box = emptyBox();
  for (const shape of group.querySelectorAll(shapes)) {
    for (const [x, y] of numbersOf(shape)) grow(box, { x0: x, x1: x, y0: y, y1: y });
  }
  return box;
}

// A Graphviz SVG text as inert elements (nothing drawn): its <svg> and its graph group.
function inertSvg(text) {
  const template = document.createElement("template");
  template.innerHTML = text;
  const svg = template.content.querySelector("svg");
  return { svg, graph: svg && svg.querySelector("g.graph") };
}

// Each edge with its path and where the path starts and ends.
function* edgesIn(graph) {
  for (const g of graph.querySelectorAll("g.edge")) {
    const path = g.querySelector("path");
    if (!path) continue;
    const points = numbersOf(path);
    yield { g, path, start: points[0], end: points.at(-1) };
  }
}

const emptyBox = () => ({ x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity });

function grow(box, b) {
  box.x0 = Math.min(box.x0, b.x0); box.x1 = Math.max(box.x1, b.x1);
  box.y0 = Math.min(box.y0, b.y0); box.y1 = Math.max(box.y1, b.y1);
}

// A view's start along one axis, kept so that the view stays over the picture (lo .. lo + whole).
function clamp(start, lo, size, whole) {
  return Math.min(Math.max(start, lo), lo + Math.max(0, whole - size));
}

// Whether box b lies wholly within view v (both in the picture's units).
function within(b, v) {
  return b.x >= v.x && b.y >= v.y && b.x + b.w <= v.x + v.w && b.y + b.h <= v.y + v.h;
}

function shiftChildren(group, dx, dy) {
  const inner = document.createElementNS(SVG_NS, "g");
  inner.setAttribute("transform", `translate(${dx.toFixed(2)},${dy.toFixed(2)})`);
  inner.append(...[...group.childNodes].filter((n) => n.nodeName !== "title"));
  group.append(inner);
}

// The cuts (rows - 1 of the gaps) that give the shortest picture with no row wider than `widest`
// points; among equal heights, the earliest. Few gaps and rows: every choice is tried.
function bestCuts(graph, gaps, rows, left, widest) {
  const items = [...graph.querySelectorAll("g.node, g.cluster")].map((g) => extentOf(g, "polygon, polyline, path, ellipse, text"))
    .filter((b) => b.x0 <= b.x1);
  const cost = (cuts) => {
    const boxes = Array.from({ length: rows }, emptyBox);
    for (const b of items) grow(boxes[cuts.filter((c) => (b.x0 + b.x1) / 2 > c).length], b);
    if (boxes.some((b) => b.x0 > b.x1)) return Infinity;
    const wide = Math.max(...boxes.map((b, r) => b.x1 - b.x0 + (r ? WRAP_MARGIN : 0)));
    return wide > widest ? 1e9 + wide : boxes.reduce((h, b) => h + b.y1 - b.y0, 0);
  };
  let best = null;
  let bestCost = Infinity;
  const pick = (from, cuts) => {
    if (cuts.length === rows - 1) {
      const c = cost(cuts);
      if (c < bestCost) [best, bestCost] = [[...cuts], c];
      return;
    }
    for (let i = from; i < gaps.length; i++) pick(i + 1, [...cuts, gaps[i]]);
  };
  let choices = 1; // how many ways to cut: tried all where they are few
  for (let k = 1; k < rows; k++) choices = (choices * (gaps.length - k + 1)) / k;
  if (choices <= 20000) pick(0, []);
  return bestCost < Infinity ? best : null;
}

function wrapped(text, rows, widest = Infinity) {
  const { svg, graph } = inertSvg(text);
  if (!graph || rows < 2) return null;
  const blocks = [...graph.querySelectorAll(":scope > g.node, :scope > g.cluster, g.cluster g.node")];
  const spans = blocks.map((g) => extentOf(g)).filter((b) => b.x0 <= b.x1).sort((a, b) => a.x0 - b.x0);
  if (!spans.length) return null;
  // the gaps between columns: candidate cuts
  const gaps = [];
  let reach = spans[0].x1;
  for (const span of spans) {
    if (span.x0 > reach + 4) gaps.push((reach + span.x0) / 2);
    reach = Math.max(reach, span.x1);
  }
  const left = spans[0].x0;
  const cuts = bestCuts(graph, gaps, rows, left, widest);
  if (!cuts) return null;
  const rowOf = (x) => cuts.filter((c) => x > c).length;
  const rowsBox = Array.from({ length: rows }, emptyBox);
  const nodes = [...graph.querySelectorAll("g.node, g.cluster")];
  const placed = new Map();
  for (const g of nodes) {
    const b = extentOf(g, "polygon, polyline, path, ellipse, text");
    const r = rowOf((b.x0 + b.x1) / 2);
    placed.set(g, r);
    grow(rowsBox[r], b);
  }
  if (rowsBox.some((b) => b.x0 > b.x1)) return null;
  // each row under the one before, its left edge a margin right of the first row's
  const shift = [{ dx: 0, dy: 0 }];
  for (let r = 1; r < rows; r++) {
    const above = rowsBox[r - 1].y1 + shift[r - 1].dy;
    shift.push({ dx: left + WRAP_MARGIN - rowsBox[r].x0, dy: above + WRAP_GAP - rowsBox[r].y0 });
  }
  for (const [g, r] of placed) if (r) shiftChildren(g, shift[r].dx, shift[r].dy);
  reach = -Infinity; // the rightmost turn of an edge between rows
  let low = -Infinity; // the lowest end of an edge between rows (its head may sit below its row's boxes)
  for (const { g, path, start: [tx1, ty1], end: [x2, y2] } of edgesIn(graph)) {
    const from = rowOf(tx1);
    // the head's row: where the arrow's tip is (its path ends an arrow's length short of the head, which
    // can be left of a cut in a narrow gap between columns)
    const arrow = g.querySelector("polygon");
    const to = rowOf(arrow ? Math.max(...numbersOf(arrow).map(([x]) => x)) : x2);
    if (from === to) {
      if (to) shiftChildren(g, shift[to].dx, shift[to].dy);
      continue;
    }
    // down the gap after the cut, back along the gap under the row, into the head from the left
    const cut = cuts[from] + shift[from].dx;
    const gapY = rowsBox[to - 1].y1 + shift[to - 1].dy + WRAP_GAP / 2;
    const [x1, y1] = [tx1 + shift[from].dx, ty1 + shift[from].dy];
    reach = Math.max(reach, cut);
    const ex = x2 + shift[to].dx;
    const ey = y2 + shift[to].dy;
    low = Math.max(low, ey + 4);
    const lx = left + WRAP_MARGIN / 2;
    const q = 4;
    const f = (n) => n.toFixed(2);
    path.setAttribute("d", `M${f(x1)},${f(y1)}L${f(cut - q)},${f(y1)}Q${f(cut)},${f(y1)} ${f(cut)},${f(y1 + q)}` +
      `L${f(cut)},${f(gapY - q)}Q${f(cut)},${f(gapY)} ${f(cut - q)},${f(gapY)}L${f(lx + q)},${f(gapY)}` +
      `Q${f(lx)},${f(gapY)} ${f(lx)},${f(gapY + q)}L${f(lx)},${f(ey - q)}Q${f(lx)},${f(ey)} ${f(lx + q)},${f(ey)}L${f(ex)},${f(ey)}`);
    for (const head of g.querySelectorAll("polygon")) {
      head.setAttribute("transform", `translate(${f(shift[to].dx)},${f(shift[to].dy)})`);
    }
    for (const label of g.querySelectorAll("text")) {
      const r = rowOf(Number(label.getAttribute("x")));
      if (r) label.setAttribute("transform", `translate(${f(shift[r].dx)},${f(shift[r].dy)})`);
    }
  }
  // the new bounds, in the viewBox's units (the graph group is translated by Graphviz)
  const [, , , h] = svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
  const x1 = Math.max(reach, ...rowsBox.map((b, r) => b.x1 + shift[r].dx));
  const y0 = rowsBox[0].y0;
  const y1 = Math.max(low, rowsBox[rows - 1].y1 + shift[rows - 1].dy);
  const tx = 4 - Math.min(left, 0);
  const ty = 4 - y0;
  graph.setAttribute("transform", `translate(${tx.toFixed(2)} ${ty.toFixed(2)})`);
  const W = x1 - Math.min(left, 0) + 8;
  const H = y1 - y0 + 8;
  const background = graph.querySelector(":scope > polygon");
  if (background) background.setAttribute("points", `${-tx},${-ty} ${W - tx},${-ty} ${W - tx},${H - ty} ${-tx},${H - ty}`);
  svg.setAttribute("viewBox", `0 0 ${W.toFixed(2)} ${H.toFixed(2)}`);
  svg.dataset.rows = String(rows);
  return h ? svg.outerHTML : null;
}

// An unfolded group too wide to read whole in the cell, folded in two like a line of text: its
// nodes right of a gap between its columns move under its left part, everything below the group
// moves down to make room, and edges whose ends moved apart are drawn again. Returns the SVG
// text, or null where the group fits or has no such gap.
function wrappedGroup(text, name, widest) {
  const { svg, graph } = inertSvg(text);
  const frame = graph && [...graph.querySelectorAll("g.cluster")].find(
    (g) => (g.querySelector("text") || {}).textContent === `▾ ${name}`);
  if (!frame) return null;
  const box = extentOf(frame);
  if (box.x1 - box.x0 <= widest) return null;
  const inside = (b) => b.x0 >= box.x0 - 1 && b.x1 <= box.x1 + 1 && b.y0 >= box.y0 - 1 && b.y1 <= box.y1 + 1;
  const nodes = [...graph.querySelectorAll("g.node")].map((g) => ({ g, b: extentOf(g, "polygon, polyline, path, ellipse, text") }));
  const members = nodes.filter((n) => inside(n.b));
  const spans = members.map((n) => n.b).sort((a, b) => a.x0 - b.x0);
  let best = null;
  let reach = spans.length ? spans[0].x1 : 0;
  for (const span of spans) {
    const gap = (reach + span.x0) / 2;
    const fits = gap - box.x0 <= widest && box.x1 - gap + WRAP_MARGIN <= widest;
    if (span.x0 > reach + 4 && fits && (!best || Math.abs(gap - (box.x0 + box.x1) / 2) < Math.abs(best - (box.x0 + box.x1) / 2))) best = gap;
    reach = Math.max(reach, span.x1);
  }
  if (best === null) return null;
  const cut = best;
  const rowHeight = box.y1 - box.y0;
  const moved = { dx: box.x0 + WRAP_MARGIN - cut, dy: rowHeight + WRAP_GAP };
  const down = { dx: 0, dy: rowHeight + WRAP_GAP };
  const shiftOf = new Map(); // node id -> its shift
  const none = { dx: 0, dy: 0 };
  for (const { g, b } of nodes) {
    const shift = inside(b) ? ((b.x0 + b.x1) / 2 > cut ? moved : none) : b.y0 >= box.y1 - 1 ? down : none;
    shiftOf.set(g, shift);
    if (shift !== none) shiftChildren(g, shift.dx, shift.dy);
  }
  for (const g of graph.querySelectorAll("g.cluster")) if (g !== frame && extentOf(g).y0 >= box.y1 - 1) shiftChildren(g, 0, down.dy);
  const f = (n) => n.toFixed(2);
  const distance = (b, [x, y]) => Math.hypot(Math.max(b.x0 - x, 0, x - b.x1), Math.max(b.y0 - y, 0, y - b.y1));
  const nearest = (points) => {
    let found = null;
    let least = 12; // points: an edge ends at its node's border (its arrow's tip)
    for (const n of nodes) {
      for (const p of points) {
        const d = distance(n.b, p);
        if (d < least) [found, least] = [n, d];
      }
    }
    return found;
  };
  for (const { g, path, start: [x1, y1], end: [x2, y2] } of edgesIn(graph)) {
    const tail = nearest([[x1, y1]]);
    const arrow = g.querySelector("polygon");
    const head = nearest(arrow ? numbersOf(arrow) : [[x2, y2]]);
    const a = tail ? shiftOf.get(tail.g) : (y1 >= box.y1 - 1 ? down : none);
    const b = head ? shiftOf.get(head.g) : (y2 >= box.y1 - 1 ? down : none);
    if (a === b) {
      if (a !== none) shiftChildren(g, a.dx, a.dy);
      continue;
    }
    const sx = x1 + a.dx, sy = y1 + a.dy, ex = x2 + b.dx, ey = y2 + b.dy;
    if (a === none && b === moved) { // within the group, across the fold: down the gap and back
      const gapY = box.y1 + WRAP_GAP / 2;
      const lx = box.x0 + WRAP_MARGIN / 2;
      path.setAttribute("d", `M${f(sx)},${f(sy)}L${f(cut)},${f(sy)}L${f(cut)},${f(gapY)}L${f(lx)},${f(gapY)}` +
        `L${f(lx)},${f(ey)}L${f(ex)},${f(ey)}`);
    } else {
      const bend = Math.max(30, Math.abs(ex - sx) / 3);
      path.setAttribute("d", `M${f(sx)},${f(sy)}C${f(sx + bend)},${f(sy)} ${f(ex - bend)},${f(ey)} ${f(ex)},${f(ey)}`);
    }
    for (const arrow of g.querySelectorAll("polygon")) arrow.setAttribute("transform", `translate(${f(b.dx)},${f(b.dy)})`);
    for (const label of g.querySelectorAll("text")) label.setAttribute("transform", `translate(${f(b.dx)},${f(b.dy)})`);
  }
  // the frame around both parts; the picture taller by a row
  const right = Math.max(cut, box.x1 + moved.dx) + 6;
  const bottom = box.y1 + down.dy;
  const r = 6;
  const shape = frame.querySelector("path, polygon");
  if (shape && shape.tagName === "path") {
    shape.setAttribute("d", `M${f(box.x0 + r)},${f(box.y0)}L${f(right - r)},${f(box.y0)}Q${f(right)},${f(box.y0)} ${f(right)},${f(box.y0 + r)}` +
      `L${f(right)},${f(bottom - r)}Q${f(right)},${f(bottom)} ${f(right - r)},${f(bottom)}L${f(box.x0 + r)},${f(bottom)}` +
      `Q${f(box.x0)},${f(bottom)} ${f(box.x0)},${f(bottom - r)}L${f(box.x0)},${f(box.y0 + r)}Q${f(box.x0)},${f(box.y0)} ${f(box.x0 + r)},${f(box.y0)}Z`);
  } else if (shape) {
    shape.setAttribute("points", `${f(box.x0)},${f(box.y0)} ${f(right)},${f(box.y0)} ${f(right)},${f(bottom)} ${f(box.x0)},${f(bottom)}`);
  }
  // what was below the group moved down a row: the picture is a row taller at its bottom
  const [vx, vy, vw, vh] = svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
  const height = vh + down.dy;
  const background = graph.querySelector(":scope > polygon");
  if (background) background.remove();
  svg.setAttribute("viewBox", `${vx} ${vy} ${vw} ${f(height)}`);
  return svg.outerHTML;
}

const boxesIn = (dot) => (dot.match(/ \[label=/g) || []).length;

// A laid-out picture's size in points and its smallest font size, read off Graphviz's SVG text.
function sizeOf(svg) {
  const box = /viewBox="([^"]*)"/.exec(svg);
  const [, , w, h] = box ? box[1].split(/[\s,]+/).map(Number) : [0, 0, 1, 1];
  let font = P.fontSize;
  for (const match of svg.matchAll(/font-size="([0-9.]+)"/g)) font = Math.min(font, Number(match[1]));
  return { w, h, font };
}

// The transform from a node's coordinates to the svg's (the viewBox's), a DOMMatrix: read off attributes
// only (no layout).
function matrixTo(node, svg) {
  let m = new DOMMatrix();
  for (; node && node !== svg; node = node.parentNode) {
    const list = node.transform ? node.transform.baseVal : { numberOfItems: 0 };
    for (let k = list.numberOfItems - 1; k >= 0; k--) m = DOMMatrix.fromMatrix(list.getItem(k).matrix).multiply(m);
  }
  return m;
}

const reducedMotion = () => globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches;

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function setAttribute(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

// ipywidgets' own controls around the picture (the stepper's Play, the Explorer's sliders)
// have no accessible names: the Play buttons show only an icon, and a slider's handle
// (role=slider) is not tied to its description label. Name them, within the kit's widgets only.
const PLAY_ICONS = { "fa-play": "Play or pause", "fa-pause": "Play or pause", "fa-stop": "Stop",
  "fa-retweet": "Repeat" };

const CONTROLS = ".widget-play, .widget-slider";
const mayHoldControls = (node) =>
  node.nodeType === Node.ELEMENT_NODE && !node.closest(".bpw-graph") &&
  (node.closest(CONTROLS) !== null || node.querySelector(CONTROLS) !== null);

function nameControls(host) {
  for (const button of host.querySelectorAll(".widget-play button:not([aria-label])")) {
    const icon = [...(button.querySelector("i")?.classList ?? [])].find((c) => c in PLAY_ICONS);
    if (icon) button.setAttribute("aria-label", PLAY_ICONS[icon]);
  }
  for (const handle of host.querySelectorAll(".widget-slider [role=slider]:not([aria-label])")) {
    const label = handle.closest(".widget-slider").querySelector(".widget-label");
    const name = label && label.textContent.trim();
    if (name) handle.setAttribute("aria-label", name);
  }
}

class Picture {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.cellText = []; // per slot: where its number is painted, and how (mount)
    this.shown = []; // the text each cell shows now
    this.groups = new Map(); // SVG group id -> <g>
    this.cellBoxes = new Map(); // SVG group id -> its number cells: {cells, reach, off, near} (layCells)
    this.dirty = new Set(); // boxes whose numbers are to be painted again
    this.lit = [];
    this.litIds = new Set(); // the lit boxes: their numbers are painted bold
    this.arrived = -1; // the cell a travelling number has just reached (painted bold, in orange)
    this.flowSeen = (model.get("flow") || {}).n;
    this.animation = null;
    this.disposed = false;

    el.textContent = "";
    this.root = element("div", { class: "bpw-graph" });
    const bar = element("div", { class: "bpw-bar", role: "toolbar", "aria-label": "Picture controls" });
    this.zoomOut = element("button", { type: "button", "aria-label": "Zoom out", title: "Zoom out (-)" }, "−");
    this.zoomIn = element("button", { type: "button", "aria-label": "Zoom in", title: "Zoom in (+)" }, "+");
    this.fitButton = element("button", { type: "button", title: "Show the whole graph (0)" }, "Fit");
    this.help = element("span", { class: "bpw-help" });
    this.moreNote = element("span", { class: "bpw-more", role: "status" });
    bar.append(this.zoomOut, this.zoomIn, this.fitButton, this.help, this.moreNote);
    this.stage = element("div", { class: "bpw-stage", tabindex: "0", role: "group" });
    // the number cells' layer over the stage (its border inside): no pointer events, hidden from
    // assistive technology as the picture's own texts are (an svg of role img). Its `drawn` property
    // records what the canvas shows, cell by cell (paintCell): the browser tests read the numbers there.
    this.cellsLayer = element("div", { class: "bpw-cells", "aria-hidden": "true" });
    this.canvas = document.createElement("canvas");
    this.ctx = this.canvas.getContext("2d");
    this.layerSize = null; // the layer's CSS size and device pixels per CSS pixel (sizeCanvas)
    this.fontLines = new Map(); // font -> its ascent and descent
    const stageBox = element("div", { class: "bpw-stage-box" });
    stageBox.append(this.stage, this.cellsLayer);
    this.messageLine = element("div", { class: "bpw-message" });
    this.notesLine = element("div", { class: "bpw-notes", role: "status" });
    this.hintLine = element("div", { class: "bpw-hint" });
    this.live = element("div", { class: "bpw-sr-only", "aria-live": "polite" });
    this.root.append(bar, stageBox, this.messageLine, this.notesLine, this.hintLine, this.live);
    el.appendChild(this.root);

    this.zoomIn.addEventListener("click", () => this.zoom(1.5));
    this.zoomOut.addEventListener("click", () => this.zoom(1 / 1.5));
    this.fitButton.addEventListener("click", () => this.fit());
    this.stage.addEventListener("keydown", (event) => this.onKey(event));
    this.stage.addEventListener("wheel", (event) => this.onWheel(event), { passive: false });
    this.stage.addEventListener("pointerdown", (event) => this.onPointerDown(event));

    this.scheduled = false;
    const later = () => this.schedule();
    this.onDot = () => this.relayout();
    model.on("change:dot", this.onDot);
    this.names = ["cells", "current", "flow", "announce", "notes", "message", "title", "hint", "stepping", "details"];
    for (const name of this.names) model.on(`change:${name}`, later);
    // the kernel kept the picture as it was (nothing to fold): no new layout comes to say so
    this.onFitted = () => {
      if (model.get("fitted") === "kept" && this.stage.dataset.fitting === "asked") this.stage.dataset.fitting = "kept";
    };
    model.on("change:fitted", this.onFitted);
    this.later = later;
    this.saved = new Map(); // DOT text -> how it was shown (direction, view, stage height): folding back restores it
    this.resize = new ResizeObserver(() => {
      if (!this.svg) return;
      // A new width (or a picture mounted before its cell had one) may want the other direction:
      // chosen again once it settles, unless the student has zoomed or panned since.
      if (this.mode === "start" && !this.moved && !this.replayer && Math.abs(this.stageWidth() - this.chosenWidth) > 2) {
        clearTimeout(this.resizeTimer);
        this.resizeTimer = setTimeout(() => this.rechoose(), 100);
        return;
      }
      this.sizeStage();
      if (this.hideFar()) this.paintCells(); // the stage's new size may show more of the picture
      this.keepCurrentInView(); // the stage's new size may hide the current step
    });
    this.resize.observe(this.stage);
    // the canvas's backing store: the layer's size in device pixels (a new pixel ratio, as when the
    // browser zooms, comes here too), and every number painted again
    this.layerResize = new ResizeObserver((entries) => this.sizeCanvas(entries[entries.length - 1]));
    try {
      this.layerResize.observe(this.cellsLayer, { box: "device-pixel-content-box" });
    } catch (error) {
      this.layerResize.observe(this.cellsLayer);
    }
    this.watchControls();
    this.relayout();
  }

  dispose() {
    this.disposed = true;
    this.model.off("change:dot", this.onDot);
    this.model.off("change:fitted", this.onFitted);
    for (const name of this.names) this.model.off(`change:${name}`, this.later);
    this.resize.disconnect();
    this.layerResize.disconnect();
    if (this.motion) cancelAnimationFrame(this.motion.frame);
    clearTimeout(this.resizeTimer);
    if (this.controls) this.controls.disconnect();
    clearTimeout(this.controlsTimer);
    this.cancelAnimation();
    this.replayer?.dispose();
  }

  watchControls(tries = 0) {
    // the widget around the picture: found once the picture is in the page
    const host = this.el.closest(".bpw-explorer") || this.el.closest(".bpw-stepper");
    if (!host) {
      if (!this.disposed && !this.el.isConnected && tries < 50) {
        this.controlsTimer = setTimeout(() => this.watchControls(tries + 1), 200);
      }
      return;
    }
    let pending = false;
    this.controls = new MutationObserver((records) => {
      // only new controls need names: not the picture's own repaints, nor the panel's new text
      if (pending || !records.some((r) => [...r.addedNodes].some(mayHoldControls))) return;
      pending = true;
      queueMicrotask(() => { pending = false; nameControls(host); });
    });
    this.controls.observe(host, { childList: true, subtree: true });
    nameControls(host);
  }

  // ---- layout: once per structure ------------------------------------------------

  // The picture is laid out left to right (the DOT text as sent) or, where that cannot be read
  // whole in the cell and top to bottom can, top to bottom. A graph that neither shows whole with
  // its text at READABLE_PX opens at its output end, with a note.
  async relayout() {
    const dot = this.model.get("dot");
    const before = this.svg ? this.snapshot() : null;
    this.svg = null; // the old picture stays on screen, unpainted, until the new one is laid out
    this.cellText = [];
    if (!before) {
      this.stage.replaceChildren(element("div", { class: "bpw-status", role: "status" }, this.status(dot)));
      this.clearCells();
      this.stage.style.height = "";
      this.stage.classList.remove("bpw-sized");
    }
    const toggled = this.toggled && performance.now() - this.toggled.at < 30000 ? this.toggled : null;
    this.toggled = null;
    let choice;
    try {
      // folding back: as it was; (un)folding: the same direction as before, laid out once
      const saved = this.saved.get(dot);
      const direction = saved ? saved.direction : toggled && before ? before.state.direction : null;
      choice = this.recordedLayout(dot); // no kernel: the layout kept in the saved state, as it was shown
      // No kernel but a Graphviz (JupyterLite's pictures before its Python is ready): the kept layout where it
      // opens whole here, else chosen as with a kernel (the kept left-to-right layout reused, not laid out again).
      if (choice && graphvizArrived && !direction && !this.opensWhole(choice)) {
        if (choice.direction === "LR" && !layouts.has(dot)) layouts.set(dot, choice.text);
        choice = null;
      }
      if (!choice && this.noKernel() && !graphvizArrived) return this.needsKernel();
      if (!choice) {
        choice = direction ? await this.laidOut(dot, direction) : await this.choose(dot);
        // an unfolded group too wide to read whole here: folded in two (as it was, when shown before)
        const group = saved ? saved.group : toggled && before ? toggled.name : null;
        let text = null;
        try {
          text = group && wrappedGroup(choice.text, group, this.widest(choice.size) - 16);
        } catch (error) {
          console.warn("backprop_widgets: the unfolded group is shown as laid out:", error);
        }
        if (text) choice = { ...choice, text, size: sizeOf(text), group };
      }
    } catch (error) {
      if (this.disposed || dot !== this.model.get("dot")) return;
      const reason = (error && error.message) || String(error);
      this.stage.style.height = "";
      this.stage.classList.remove("bpw-sized");
      this.clearCells();
      this.stage.replaceChildren(
        element("div", { class: "bpw-layout-error", role: "alert" },
          `Graphviz could not lay out this picture: ${reason}.\n` +
          "The numbers are still right: print the nodes' .data and .grad to see them."),
      );
      this.model.send({ type: P.messages.layout_failed, reason });
      return;
    }
    if (this.disposed || dot !== this.model.get("dot")) return;
    this.mount(choice);
    const saved = this.saved.get(dot);
    if (saved) this.restore(saved);
    else if (before && toggled) this.follow(toggled, before);
    else this.start();
    if (before) this.move(before);
    if (this.replayOrKeep(choice) || this.noKernel()) return; // no kernel: no second layout (no Graphviz)
    // the stage may have got its width while the layout ran (a cell not yet in the page has none)
    if (this.mode === "start" && !this.moved && Math.abs(this.stageWidth() - this.chosenWidth) > 2) this.rechoose();
  }

  // direction: "LR", "TB", or "W2:widest", "W3:widest", ... (left to right, wrapped into that many rows
  // no wider than `widest` points; "W3:widest:ranksep": laid out with its columns that close, by `closer`)
  async laidOut(dot, direction) {
    const [rows, widest, ranksep] = direction.startsWith("W") ? direction.slice(1).split(":").map(Number) : [];
    let text = await graphviz.layout(direction === "TB" ? downwards(dot) : ranksep ? closer(dot, ranksep) : dot);
    if (rows) text = wrapped(text, rows, widest) ?? text;
    return { dot, direction, text, size: sizeOf(text) };
  }

  // The widest picture, in points, that the stage shows with its smallest text at READABLE_PX.
  widest(size) {
    return Math.floor(this.stageWidth() / READABLE_PX * size.font);
  }

  stageWidth() {
    return this.stage.clientWidth || 600;
  }

  maxHeight() {
    return Math.max(MAX_HEIGHT, Math.round(0.8 * (globalThis.innerHeight || 0)));
  }

  // CSS px per point at which a laid-out picture shows whole in the stage (at most 1: Graphviz's own size).
  // (Larger only where its smallest text needs it: a 7 pt label is drawn at READABLE_PX.)
  fitScale(size) {
    const largest = Math.max(1, READABLE_PX / (PT * (size.font ?? this.font))); // `full` has no font: the shown one
    return Math.min(largest, this.stageWidth() / (size.w * PT), this.maxHeight() / (size.h * PT));
  }

  // Does a laid-out picture show whole in the stage with its smallest text at READABLE_PX?
  opensWhole({ size }) {
    return this.fitScale(size) >= READABLE_PX / (PT * size.font);
  }

  async choose(dot) {
    this.chosenWidth = this.stageWidth();
    const across = await this.laidOut(dot, "LR");
    const least = READABLE_PX / (PT * across.size.font);
    if (this.fitScale(across.size) >= least || !dot.includes("rankdir=LR")) return across;
    // Too big to read whole in any direction (its area at the least scale is over twice the stage's,
    // or it has more boxes than any cell shows readably): no second layout.
    const area = across.size.w * across.size.h * (PT * least) ** 2;
    if (area > 2 * this.stageWidth() * this.maxHeight() || boxesIn(dot) > MANY_BOXES) return across;
    const down = await this.laidOut(dot, "TB");
    if (this.fitScale(down.size) >= least) return down;
    // wrapped into as few rows as make it fit (a row no narrower than the cell allows), cut from the
    // picture as laid out or from it with its columns closer, whichever shows larger (each cuts otherwise)
    const tight = await graphviz.layout(closer(dot));
    const widest = this.widest(across.size) - 8; // points, at the readable scale
    const rows = (size) => Math.ceil((size.w * PT * least) / this.stageWidth());
    for (let n = Math.max(2, rows(sizeOf(tight))); n <= rows(across.size) + 1; n++) {
      let best = null;
      for (const [from, ranksep] of [[across.text, ""], [tight, `:${WRAP_RANKSEP}`]]) {
        const text = wrapped(from, n, widest);
        const size = text && sizeOf(text);
        if (size && this.fitScale(size) >= least && !(best && this.fitScale(best.size) >= this.fitScale(size))) {
          best = { dot, direction: `W${n}:${widest}${ranksep}`, text, size };
        }
      }
      if (best) return best;
    }
    return across;
  }

  async rechoose() {
    if (!this.svg || this.mode !== "start" || this.moved || this.stageWidth() === this.chosenWidth) return;
    const dot = this.model.get("dot");
    const choice = await this.choose(dot);
    if (this.disposed || dot !== this.model.get("dot") || this.mode !== "start" || this.moved) return;
    if (choice.direction !== this.direction) this.mount(choice);
    this.start();
  }

  status(dot) {
    const nodes = boxesIn(dot);
    return nodes > MANY_BOXES ? `Laying out ${nodes} boxes…` : "Laying out the graph…";
  }

  mount({ dot, text, direction, size, group }) {
    this.shownDot = dot;
    this.group = group ?? null; // the unfolded group folded in two, if any
    this.direction = direction;
    this.font = size.font;
    this.least = READABLE_PX / (PT * size.font); // CSS px per point below which some text is under READABLE_PX
    // The HTML parser reads Graphviz's SVG about 3x faster than DOMParser's XML parser plus
    // importNode (1,000 nodes, 1.9 MB: ~70 ms against ~200 ms); a <template> keeps it inert.
    const template = document.createElement("template");
    template.innerHTML = text;
    const svg = document.adoptNode(template.content.querySelector("svg"));
    for (const title of svg.querySelectorAll("title")) title.remove(); // tooltips would name internal ids
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("role", "img");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    svg.setAttribute("font-family", "Helvetica, Arial, sans-serif");
    const [x, y, w, h] = svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
    this.full = { x, y, w, h };
    this.view = { ...this.full };
    // never drawn larger than Graphviz's own size, unless its smallest text would be under READABLE_PX
    svg.style.maxWidth = `${Math.ceil(w * PT * Math.max(1, this.least))}px`;

    this.groups = new Map();
    for (const group of svg.querySelectorAll("g[id]")) this.groups.set(group.id, group);
    // Folded groups (one box) and unfolded ones (a dashed frame) open and close by click or Enter.
    for (const group of svg.querySelectorAll("g.folded, g.cluster")) {
      const folded = group.classList.contains("folded");
      const name = (group.querySelector("text") || {}).textContent || "group";
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "button");
      group.setAttribute("aria-label", `${name.replace(/^[▸▾]\s*/, "")}: ${folded ? "folded; press Enter to unfold" : "press Enter to fold"}`);
    }
    // A tensor's box tells its whole array on hover or focus: asked of the kernel the first time
    // (so that no slider move or training step sends arrays nobody looks at).
    for (const group of svg.querySelectorAll("g.array")) {
      group.setAttribute("tabindex", "0");
      const ask = () => this.model.send({ type: P.messages.details, id: group.id });
      group.addEventListener("pointerenter", ask, { once: true });
      group.addEventListener("focus", ask, { once: true });
    }
    // Number cells hold the placeholder until painted: the last ones of each group, in slot order. Each
    // becomes a cell painted on the canvas (layCells) where its <text> was, and the <text> goes.
    const slots = this.model.get("slots");
    const placeholders = new Map();
    this.cellText = slots.map(([gid, width, inset]) => {
      if (!placeholders.has(gid)) {
        const group = this.groups.get(gid);
        const texts = group ? [...group.querySelectorAll("text")].filter((t) => t.textContent === P.placeholder) : [];
        const wanted = slots.filter((slot) => slot[0] === gid).length;
        placeholders.set(gid, texts.slice(texts.length - wanted));
      }
      const text = placeholders.get(gid).shift();
      if (!text) return null;
      const inherited = (name, fallback) => text.closest(`[${name}]`)?.getAttribute(name) || fallback;
      const cell = {
        gid,
        x: Number(text.getAttribute("x")) - inset + width / 2, // its middle (the text is centred there)
        y: Number(text.getAttribute("y")), // its baseline
        m: matrixTo(text.parentNode, svg), // the text's coordinates -> the picture's (the viewBox's)
        room: width - 2 * inset, // a wider number is squeezed to this width
        size: Number(inherited("font-size", P.fontSize)),
        family: inherited("font-family", "Helvetica, Arial, sans-serif"),
        weight: inherited("font-weight", "normal"),
        fill: inherited("fill", "#000"),
      };
      text.remove();
      return cell;
    });
    this.layCells();
    this.shown = slots.map(() => null);
    this.drawn = slots.map((_, i) => ({ box: this.cellText[i]?.gid ?? null, text: "", drawn: false }));
    this.cellsLayer.drawn = this.drawn;
    this.boxes = null; // measured once it is shown (hideFar)
    this.detailsShown = null;
    this.lit = [];
    this.litIds = new Set();
    this.litKey = null;
    this.arrived = -1;
    this.svg = svg;
    this.stage.replaceChildren(svg);
    // the number travelling along an edge during a step is drawn in an svg of its own over the canvas
    const tokens = document.createElementNS(SVG_NS, "svg");
    for (const name of ["viewBox", "preserveAspectRatio"]) tokens.setAttribute(name, svg.getAttribute(name));
    tokens.setAttribute("font-family", "Helvetica, Arial, sans-serif");
    tokens.style.maxWidth = svg.style.maxWidth;
    this.cells = tokens;
    this.cellsLayer.replaceChildren(this.canvas, tokens);
    this.stage.classList.add("bpw-sized");
    this.moved = false;
    this.wholeRepaint = true; // the canvas still shows the earlier picture's numbers
    this.paint();
  }

  // No picture (laid out yet, or at all): no numbers, and no record of any.
  clearCells() {
    this.cellsLayer.replaceChildren();
    this.cellsLayer.drawn = [];
  }

  // Each box's number cells, for painting them box by box: which they are, the rectangle they can paint
  // (their reach, in the picture's coordinates: each cell's width and a line's height, a little more for
  // the ink), and the boxes whose reach meets it (painted again, inside it, when it is cleared).
  layCells() {
    this.cellBoxes = new Map();
    this.cellText.forEach((cell, i) => {
      if (!cell) return;
      let box = this.cellBoxes.get(cell.gid);
      if (!box) this.cellBoxes.set(cell.gid, (box = { gid: cell.gid, cells: [], reach: emptyBox(), off: false, near: [] }));
      box.cells.push(i);
      const pad = 0.2 * cell.size;
      const [x0, x1] = [cell.x - cell.room / 2 - pad, cell.x + cell.room / 2 + pad];
      const [y0, y1] = [cell.y - 1.1 * cell.size, cell.y + 0.4 * cell.size];
      for (const [x, y] of [[x0, y0], [x1, y0], [x0, y1], [x1, y1]]) {
        const p = cell.m.transformPoint({ x, y });
        grow(box.reach, { x0: p.x, x1: p.x, y0: p.y, y1: p.y });
      }
    });
    const boxes = [...this.cellBoxes.values()].sort((a, b) => a.reach.x0 - b.reach.x0);
    for (let i = 0; i < boxes.length; i++) {
      const a = boxes[i].reach;
      for (let j = i + 1; j < boxes.length && boxes[j].reach.x0 <= a.x1; j++) {
        const b = boxes[j].reach;
        if (b.y0 <= a.y1 && b.y1 >= a.y0) {
          boxes[i].near.push(boxes[j]);
          boxes[j].near.push(boxes[i]);
        }
      }
    }
    this.dirty = new Set();
  }

  // Where each node is on screen, and how the picture is shown: before a new structure replaces it.
  snapshot() {
    const stage = this.stage.getBoundingClientRect();
    const places = new Map();
    const nodes = this.svg.querySelectorAll("g.node");
    if (nodes.length <= MOVE_MAX) {
      for (const node of nodes) {
        const r = node.getBoundingClientRect();
        if (r.width) places.set(node.id, { x: r.left + r.width / 2 - stage.left, y: r.top + r.height / 2 - stage.top });
      }
    }
    const state = { direction: this.direction, group: this.group, mode: this.mode, view: { ...this.view },
      height: this.stage.style.height, width: this.chosenWidth };
    this.saved.delete(this.shownDot);
    this.saved.set(this.shownDot, state);
    if (this.saved.size > LAYOUT_CACHE) this.saved.delete(this.saved.keys().next().value);
    return { places, scale: this.pixelsPerUnit(), state };
  }

  restore(state) {
    this.mode = state.mode;
    this.chosenWidth = state.width;
    this.stage.style.height = state.height;
    this.view = { ...state.view };
    this.applyView();
  }

  // After a click unfolded (or folded) a group: the same scale as before (never below the readable
  // one), centred on that group, which is kept whole in view where it fits.
  follow(toggled, before) {
    this.mode = "folding";
    const unfolded = [...this.svg.querySelectorAll("g.cluster")].find(
      (g) => (g.querySelector("text") || {}).textContent === `▾ ${toggled.name}`);
    const folded = [...this.svg.querySelectorAll("g.folded")].find(
      (g) => (g.querySelector("text") || {}).textContent === `▸ ${toggled.name}`);
    const target = unfolded || folded;
    if (!target) return this.start();
    const box = this.boxOf(target);
    const width = this.stageWidth();
    const height = Math.min(this.maxHeight(), Math.max(parseFloat(before.state.height) || 0, box.h * this.least * PT + 24));
    let scale = Math.max(before.scale, this.least * PT); // px per unit
    scale = Math.max(this.least * PT, Math.min(scale, (width - 16) / box.w, (height - 16) / box.h));
    this.stage.style.height = `${Math.ceil(height)}px`;
    const w = width / scale;
    const h = height / scale;
    const x = box.w <= w ? clamp(box.x + box.w / 2 - w / 2, this.full.x, w, this.full.w) : box.x + box.w + 8 / scale - w;
    const y = box.h <= h ? clamp(box.y + box.h / 2 - h / 2, this.full.y, h, this.full.h) : box.y;
    this.view = { x, y, w, h };
    this.applyView();
  }

  // Nodes that were on screen before glide from their old places to their new ones; edges and
  // new nodes fade in. One short animation (none with reduced motion).
  move(before) {
    if (!before.places.size || reducedMotion() || !this.svg.animate) return;
    const stage = this.stage.getBoundingClientRect();
    const units = 1 / this.pixelsPerUnit();
    const nodes = this.svg.querySelectorAll("g.node");
    if (nodes.length > MOVE_MAX) return;
    const timing = { duration: MOVE_MS, easing: "ease-out" };
    const moves = new Map(); // box id -> {dx, dy} from where it was, or {fade: true}: its numbers move with it
    let animation = null;
    for (const node of nodes) {
      const old = before.places.get(node.id);
      if (!old) {
        animation = node.animate([{ opacity: 0 }, { opacity: 1 }], timing);
        moves.set(node.id, { fade: true });
        continue;
      }
      const r = node.getBoundingClientRect();
      const dx = (old.x - (r.left + r.width / 2 - stage.left)) * units;
      const dy = (old.y - (r.top + r.height / 2 - stage.top)) * units;
      if (Math.abs(dx) + Math.abs(dy) > 0.5) {
        const frames = [{ transform: `translate(${dx}px, ${dy}px)` }, { transform: "translate(0px, 0px)" }];
        animation = node.animate(frames, timing);
        moves.set(node.id, { dx, dy });
      }
    }
    for (const group of this.svg.querySelectorAll("g.edge, g.cluster")) {
      group.animate([{ opacity: 0 }, { opacity: 1 }], timing);
    }
    if (animation) this.moveCells(moves, animation);
  }

  // The numbers of the boxes that move (or fade in), painted frame by frame where the boxes are: each frame
  // reads how far their animation (one of theirs: all share its timing) has gone, eased.
  moveCells(moves, animation) {
    if (this.motion) cancelAnimationFrame(this.motion.frame);
    const motion = (this.motion = { moves, progress: 0, frame: 0 });
    const step = () => {
      if (this.motion !== motion) return;
      const progress = animation.effect?.getComputedTiming().progress;
      if (animation.playState === "finished" || progress === null || progress === undefined) {
        this.motion = null;
        this.wholeRepaint = true; // where they came to rest
      } else {
        motion.progress = progress;
        motion.frame = requestAnimationFrame(step);
      }
      this.paintCells();
    };
    this.paintCells();
    motion.frame = requestAnimationFrame(step);
  }

  // The output's box (ids follow the forward order, so the output's is the highest): where a walk starts.
  outputBox() {
    let last = null;
    for (const [id, group] of this.groups) {
      const match = /^n(\d+)$/.exec(id);
      if (match && (!last || Number(match[1]) > last.k)) last = { k: Number(match[1]), group };
    }
    return last && this.boxOf(last.group);
  }

  // A group's box in the picture's own coordinates (the viewBox's).
  boxOf(group) {
    const box = group.getBBox();
    const graph = this.svg.querySelector("g.graph");
    const shift = graph && graph.transform.baseVal.consolidate();
    return { x: box.x + (shift ? shift.matrix.e : 0), y: box.y + (shift ? shift.matrix.f : 0), w: box.width, h: box.height };
  }

  pixelsPerUnit() {
    return 1 / this.unitsPerPixel();
  }

  // ---- painting: only what changed -------------------------------------------------

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (!this.disposed) this.paint();
    });
  }

  paint() {
    const model = this.model;
    const title = model.get("title");
    const stepping = model.get("stepping");
    // Each patch repaints: write only what changed, so that a slider move costs the browser
    // no layout beyond the number cells (the page around a notebook is expensive to lay out).
    setAttribute(this.stage, "aria-label",
      title + (stepping ? ". Left and Right arrows step the backward pass; Home and End go to its ends." : ""));
    setText(this.help, "Ctrl + wheel or +/− zoom, drag pans" + (stepping ? "; click the picture, then ← → step" : ""));
    this.renderMessage(model.get("message"));
    setText(this.notesLine, model.get("notes"));
    setText(this.hintLine, model.get("hint"));
    const announce = model.get("announce");
    if (announce !== this.said) {
      this.live.textContent = announce;
      this.said = announce;
    }
    if (!this.svg) return;
    setAttribute(this.svg, "aria-label",
      this.direction === "TB" ? title.replace("inputs on the left", "inputs at the top")
        : this.direction.startsWith("W") ? `${title}, wrapped into ${parseInt(this.direction.slice(1))} rows` : title);

    const flow = model.get("flow") || {};
    const fresh = flow.n !== undefined && flow.n !== this.flowSeen;
    if (fresh || (this.animation && !fresh)) this.cancelAnimation();
    const cells = model.get("cells");
    const hold = fresh && !reducedMotion() ? flow.cell : -1;
    for (let i = 0; i < cells.length; i++) this.setText(i, i === hold ? flow.before : cells[i]);
    const current = model.get("current");
    if (current.join(" ") !== this.litKey) this.highlight(current); // keepInView measures: a forced layout
    const details = model.get("details");
    if (details !== this.detailsShown) this.showDetails(details);
    this.paintCells();
    if (fresh) {
      this.flowSeen = flow.n;
      if (hold >= 0) this.animate(flow);
    }
  }

  setText(i, value) {
    const cell = this.cellText[i];
    if (!cell || this.shown[i] === value) return;
    this.shown[i] = value;
    this.dirty.add(this.cellBoxes.get(cell.gid));
  }

  // ---- the number cells, painted on the canvas -------------------------------------------
  //
  // A changed number clears its box's reach on the canvas and paints that box's numbers again (the few boxes
  // whose reach meets it are painted again inside it): no text is laid out, and nothing else is repainted.
  // A new view, size or picture paints every number again; boxes hidden as out of view (hideFar) are not
  // painted. Each cell's record in `drawn` (the layer's property) is written as it is painted: its text,
  // its rectangle on the layer in CSS pixels, its font (as the canvas took it) and colour.

  // The canvas's backing store: the layer's size in device pixels (so its numbers are as sharp as the svg's).
  sizeCanvas(entry) {
    const box = entry.contentBoxSize?.[0];
    const w = box ? box.inlineSize : entry.contentRect.width;
    const h = box ? box.blockSize : entry.contentRect.height;
    const dpr = globalThis.devicePixelRatio || 1;
    // the exact device pixels where the browser says (not where it disagrees with the pixel ratio by more
    // than rounding: Chromium's emulated pixel ratios, as in headless screenshots at 2x)
    const device = entry.devicePixelContentBoxSize?.[0];
    const exact = device && Math.abs(device.inlineSize - w * dpr) <= 1 && Math.abs(device.blockSize - h * dpr) <= 1;
    const [pw, ph] = exact ? [device.inlineSize, device.blockSize] : [Math.round(w * dpr), Math.round(h * dpr)];
    if (this.canvas.width !== pw || this.canvas.height !== ph) {
      this.canvas.width = pw; // (a new size resets the context's state: its font too)
      this.canvas.height = ph;
      this.fontSet = null;
    }
    this.layerSize = { w, h, k: w ? pw / w : dpr };
    this.wholeRepaint = true;
    this.paintCells();
    if (this.ratioWatched !== dpr) { // a new pixel ratio, where no new device-pixel size tells of it
      this.ratioWatched = dpr;
      globalThis.matchMedia?.(`(resolution: ${dpr}dppx)`).addEventListener("change", () => {
        if (!this.disposed && this.layerSize) this.sizeCanvas({ contentRect: { width: this.layerSize.w, height: this.layerSize.h } });
      }, { once: true });
    }
  }

  // The picture's viewBox on the layer, as the svg shows it (width 100% up to its max-width, centred, the
  // viewBox fitted inside with xMidYMid meet): CSS pixels = s * (picture units) + (tx, ty).
  viewOnLayer() {
    const { w: W, h: H } = this.layerSize;
    const width = Math.min(W, parseFloat(this.svg.style.maxWidth) || Infinity);
    const { x, y, w, h } = this.view;
    const s = Math.min(width / w, H / h);
    return { s, tx: (W - width) / 2 + (width - w * s) / 2 - x * s, ty: (H - h * s) / 2 - y * s };
  }

  paintCells() {
    if (!this.svg || !this.layerSize || !this.layerSize.w) return;
    if (!this.wholeRepaint && !this.motion && !this.dirty.size) return;
    const ctx = this.ctx;
    const view = this.viewOnLayer();
    const k = this.layerSize.k;
    const base = [k * view.s, k * view.tx, k * view.ty]; // device pixels = base[0] * units + (base[1], base[2])
    ctx.textAlign = "center";
    ctx.globalAlpha = 1;
    if (this.wholeRepaint || this.motion) {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
      for (const box of this.cellBoxes.values()) this.paintBox(box, base);
    } else {
      const waiting = new Set(this.dirty); // (cleared and painted whole in its turn)
      for (const box of this.dirty) {
        waiting.delete(box);
        if (box.off) {
          this.paintBox(box, base);
          continue;
        }
        const r = box.reach;
        ctx.setTransform(base[0], 0, 0, base[0], base[1], base[2]);
        ctx.clearRect(r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
        this.paintBox(box, base);
        for (const other of box.near) {
          if (other.off || waiting.has(other)) continue;
          ctx.save();
          ctx.setTransform(base[0], 0, 0, base[0], base[1], base[2]);
          ctx.beginPath();
          ctx.rect(r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
          ctx.clip();
          this.paintBox(other, base);
          ctx.restore(); // (the font too)
          this.fontSet = null;
        }
      }
    }
    this.wholeRepaint = false;
    this.dirty.clear();
  }

  paintBox(box, base) {
    const move = this.motion?.moves.get(box.gid);
    const left = this.motion ? 1 - this.motion.progress : 0;
    for (const i of box.cells) this.paintCell(i, base, box.off, move, left);
  }

  paintCell(i, [scale, dx, dy], off, move, left) {
    const cell = this.cellText[i];
    const text = this.shown[i] ?? "";
    const record = this.drawn[i];
    record.text = text;
    record.drawn = false;
    if (off || !text) return;
    const ctx = this.ctx;
    const arrived = i === this.arrived;
    const bold = arrived || this.litIds.has(cell.gid);
    const font = `${bold ? "bold" : cell.weight} ${cell.size}px ${cell.family}`;
    if (this.fontSet !== font) {
      ctx.font = font;
      this.fontSet = font;
      this.fontTaken = ctx.font;
      if (!this.fontLines.has(font)) { // how far the font reaches above and below its baseline
        const { fontBoundingBoxAscent: ascent, fontBoundingBoxDescent: descent } = ctx.measureText("0");
        this.fontLines.set(font, { ascent, descent });
      }
    }
    ctx.fillStyle = arrived ? "#d55e00" : text === "?" ? "#6b6b6b" : cell.fill;
    if (move?.fade) ctx.globalAlpha = 1 - left;
    // squeezed to its cell's width where the kernel's width table says it is wider (as SVG's textLength did)
    const squeeze = textWidth(text) > cell.room ? cell.room / (ctx.measureText(text).width || cell.room) : 1;
    const m = cell.m;
    const ox = move && !move.fade ? move.dx * left : 0;
    const oy = move && !move.fade ? move.dy * left : 0;
    // device pixels = scale * (m * (x, y) + offset) + (dx, dy), then squeezed about the cell's middle
    const a = scale * m.a, b = scale * m.b, c = scale * m.c, d = scale * m.d;
    const e = scale * (m.e + ox) + dx + a * cell.x + c * cell.y;
    const f = scale * (m.f + oy) + dy + b * cell.x + d * cell.y;
    ctx.setTransform(a * squeeze, b * squeeze, c, d, e, f);
    ctx.fillText(text, 0, 0);
    if (move?.fade) ctx.globalAlpha = 1;
    // the rectangle it is painted in, on the layer in CSS pixels: its cell's width (the text is centred there,
    // no wider), from the font's top to its bottom
    const { ascent, descent } = this.fontLines.get(font);
    const k = this.layerSize.k;
    const half = cell.room / 2;
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const x of [-half, half]) {
      for (const y of [-ascent, descent]) {
        const px = (a * x + c * y + e) / k, py = (b * x + d * y + f) / k;
        x0 = Math.min(x0, px), x1 = Math.max(x1, px), y0 = Math.min(y0, py), y1 = Math.max(y1, py);
      }
    }
    record.drawn = true;
    record.left = x0;
    record.top = y0;
    record.width = x1 - x0;
    record.height = y1 - y0;
    record.px = (cell.size * Math.hypot(a, b)) / k; // its font size on screen
    record.size = cell.size;
    record.font = this.fontTaken;
    record.fill = ctx.fillStyle;
    record.squeezed = squeeze !== 1;
  }

  // A tensor's box: its whole array as a tooltip (<title>) and, focused, as its accessible name.
  showDetails(details) {
    this.detailsShown = details;
    for (const [gid, text] of Object.entries(details || {})) {
      const group = this.groups.get(gid);
      if (!group) continue;
      let title = group.querySelector(":scope > title");
      if (!title) {
        title = document.createElementNS(SVG_NS, "title");
        group.prepend(title);
      }
      setText(title, text);
      setAttribute(group, "aria-label", text.replace(/,?\n\s*/g, "; "));
    }
  }

  highlight(ids) {
    this.litKey = ids.join(" ");
    for (const group of this.lit) group.classList.remove("current");
    this.lit = ids.map((id) => this.groups.get(id)).filter(Boolean);
    for (const group of this.lit) group.classList.add("current");
    for (const id of [...this.litIds, ...ids]) if (this.cellBoxes.has(id)) this.dirty.add(this.cellBoxes.get(id));
    this.litIds = new Set(ids); // their numbers are painted bold
    this.keepCurrentInView();
  }

  keepCurrentInView() {
    const edge = this.lit.find((group) => group.classList.contains("edge"));
    if (edge || this.lit.length) this.keepInView(edge || this.lit[0]);
  }

  renderMessage(message) {
    if (message === this.messageShown) return;
    this.messageShown = message;
    this.messageLine.replaceChildren();
    if (!message) return;
    const more = element("button", { type: "button" }, "Show more");
    more.addEventListener("click", () => this.model.send({ type: P.messages.more }));
    this.messageLine.append(element("span", {}, message + "."), more);
  }

  // ---- the contribution travelling along its edge --------------------------------

  animate(flow) {
    const edge = this.groups.get(flow.edge);
    const path = edge && edge.querySelector("path");
    const cell = this.cellText[flow.cell];
    if (!path || !cell) return this.settle(flow);
    const token = document.createElementNS(SVG_NS, "g");
    token.setAttribute("class", "bpw-token");
    token.setAttribute("aria-hidden", "true");
    const label = document.createElementNS(SVG_NS, "text");
    label.setAttribute("text-anchor", "middle");
    label.setAttribute("y", "3.5");
    label.setAttribute("font-size", "9");
    label.textContent = flow.text;
    const box = document.createElementNS(SVG_NS, "rect");
    const width = Math.max(14, textWidth(flow.text) * 0.9 + 6);
    Object.entries({ x: -width / 2, y: -7, width, height: 14, rx: 3 }).forEach(([k, v]) => box.setAttribute(k, v));
    token.append(box, label);
    // over the number cells, as it travels (in their layer: the picture's svg is not repainted each frame)
    this.cells.setAttribute("viewBox", this.svg.getAttribute("viewBox"));
    const holder = this.cells.appendChild(document.createElementNS(SVG_NS, "g"));
    const m = matrixTo(edge.parentNode, this.svg);
    holder.setAttribute("transform", `matrix(${[m.a, m.b, m.c, m.d, m.e, m.f].join(" ")})`);
    holder.appendChild(token);
    const length = path.getTotalLength();
    const start = performance.now();
    const animation = { flow, token: holder, frame: 0, timer: 0 };
    const move = (now) => {
      const t = Math.min(1, (now - start) / FLOW_MS);
      // backward: from the operation back to its input; forward mode: from the input to the operation
      const point = path.getPointAtLength(length * (flow.forward ? t : 1 - t));
      token.setAttribute("transform", `translate(${point.x.toFixed(1)},${point.y.toFixed(1)})`);
      if (t < 1) {
        animation.frame = requestAnimationFrame(move);
      } else {
        holder.remove();
        this.arrive(animation);
      }
    };
    this.animation = animation;
    animation.frame = requestAnimationFrame(move);
  }

  arrive(animation) {
    const { flow } = animation;
    this.arrived = flow.cell; // painted bold, in orange, until it settles
    this.dirty.add(this.cellBoxes.get(this.cellText[flow.cell].gid));
    if (flow.before !== "?" && flow.before !== flow.after) {
      // a second contribution: show the sum being made, then its value
      this.setText(flow.cell, `${flow.before}+${flow.text}`);
      animation.timer = setTimeout(() => this.settle(flow), SUM_MS);
    } else {
      this.setText(flow.cell, this.model.get("cells")[flow.cell]);
      animation.timer = setTimeout(() => this.settle(flow), SUM_MS);
    }
    this.paintCells();
  }

  settle(flow) {
    const cell = this.cellText[flow.cell];
    if (cell && this.arrived === flow.cell) this.dirty.add(this.cellBoxes.get(cell.gid));
    this.arrived = -1;
    this.setText(flow.cell, this.model.get("cells")[flow.cell]);
    this.animation = null;
    this.paintCells();
  }

  cancelAnimation() {
    const animation = this.animation;
    if (!animation) return;
    cancelAnimationFrame(animation.frame);
    clearTimeout(animation.timer);
    animation.token.remove();
    this.settle(animation.flow);
  }

  // ---- fitting, zooming and panning ------------------------------------------------

  // CSS pixels per point that the stage is sized for: the whole graph ("fit"), or at the
  // start no smaller than the readable scale, so that every text stays at READABLE_PX or more.
  stageScale() {
    const fitScale = this.fitScale(this.full);
    return this.mode === "fit" ? fitScale : Math.max(fitScale, this.least);
  }

  sizeStage() {
    const natural = this.full.h * PT * this.stageScale();
    this.stage.style.height = `${Math.max(60, Math.min(this.maxHeight(), Math.ceil(natural) + 4))}px`;
  }

  // The first view: the whole graph when it is readable so; else its output end (where the
  // backward pass starts: the right, or the bottom when laid out top to bottom) at the
  // readable scale, with a note that there is more.
  start() {
    if (!this.svg) return;
    this.mode = "start";
    const over = this.fitScale(this.full) < this.least;
    this.stage.dataset.over = String(over); // too big to read whole here (the browser tests read it)
    this.stage.dataset.full = `${this.full.w} ${this.full.h}`;
    this.sizeStage();
    const scale = this.stageScale() * PT; // px per unit
    const w = Math.min(this.full.w, this.stageWidth() / scale);
    const h = Math.min(this.full.h, (this.stage.clientHeight || this.maxHeight()) / scale);
    const full = this.full;
    this.view = this.direction === "TB"
      ? { x: full.x + (full.w - w) / 2, y: full.y + full.h - h, w, h }
      : { x: full.x + full.w - w, y: full.y + (full.h - h) / 2, w, h };
    const end = over && this.outputBox(); // (no box where the page has not drawn the picture yet)
    if (end && end.w > 0 && !within(end, this.view)) { // a wrapped or tall layout: its output is elsewhere, so centre on it
      this.view.x = clamp(end.x + end.w / 2 - w / 2, full.x, w, full.w);
      this.view.y = clamp(end.y + end.h / 2 - h / 2, full.y, h, full.h);
    }
    if (!over) this.view = { ...full };
    this.applyView();
    this.keepCurrentInView();
    this.askToFit(over);
  }

  // Too big to open whole here with its text at READABLE_PX: the kernel is asked, once, to fold its groups or,
  // with none, to draw its arrays with fewer rows (GraphView.fit); `fitted` says what it did ("kept": nothing
  // to do). (The stage's data-fitting tells the tests.)
  askToFit(over) {
    const fitted = this.model.get("fitted");
    if (this.stage.dataset.fitting === "asked" && fitted) this.stage.dataset.fitting = fitted; // its answer, laid out
    if (!over || fitted || this.askedToFit || this.moved || this.replayer || this.noKernel()) return;
    if (!this.stage.clientWidth) return; // no width yet
    this.askedToFit = true;
    this.stage.dataset.fitting = "asked";
    this.model.send({ type: P.messages.fit });
  }

  fit() {
    if (!this.svg) return;
    this.mode = "fit";
    this.view = { ...this.full };
    this.sizeStage();
    this.applyView();
  }

  applyView() {
    const { x, y, w, h } = this.view;
    this.svg.setAttribute("viewBox", `${x} ${y} ${w} ${h}`);
    if (this.cells.firstChild) this.cells.setAttribute("viewBox", `${x} ${y} ${w} ${h}`); // a number travelling
    const full = this.full;
    const hidden = x > full.x + 1 || y > full.y + 1 || x + w < full.x + full.w - 1 || y + h < full.y + full.h - 1;
    const text = hidden ? "Part of the graph is out of view: drag it, or press Fit to see all of it." : "";
    if (this.moreNote.textContent !== text) this.moreNote.textContent = text;
    this.hideFar();
    this.wholeRepaint = true;
    this.paintCells();
  }

  // What the stage shows: the view, and more of the picture along one side where the stage's shape
  // is not the view's ("meet" centres it).
  seen() {
    const v = this.view;
    const units = this.unitsPerPixel();
    const w = Math.max(v.w, (this.stage.clientWidth || 0) * units);
    const h = Math.max(v.h, (this.stage.clientHeight || 0) * units);
    return { x: v.x - (w - v.w) / 2, y: v.y - (h - v.h) / 2, w, h };
  }

  // A picture shown in part hides the boxes and arrows wholly out of view (visibility: they keep their
  // place and size), and their numbers are not painted: a long graph's far shapes and numbers would cost
  // each frame that repaints the picture (a pan, a zoom) about half its time. Boxes that take the
  // focus (folded groups, arrays) stay shown: Tab still reaches them. Their boxes are measured once
  // per layout, in the picture's own coordinates. Returns whether any box was hidden or shown.
  hideFar() {
    if (!this.svg) return false;
    const full = this.full;
    const v = this.seen();
    const whole = v.x <= full.x + 1 && v.y <= full.y + 1 && v.x + v.w >= full.x + full.w - 1 && v.y + v.h >= full.y + full.h - 1;
    if (!this.boxes) {
      if (whole) return false; // nothing hidden yet, nothing to hide
      this.boxes = this.measureBoxes();
      if (!this.boxes) return false; // not shown yet
    }
    let changed = false;
    for (const box of this.boxes) {
      const off = !whole && (box.x1 < v.x || box.x0 > v.x + v.w || box.y1 < v.y || box.y0 > v.y + v.h);
      if (off !== box.off) {
        box.off = off;
        box.group.classList.toggle("bpw-off", off);
        const cells = this.cellBoxes.get(box.group.id);
        if (cells) cells.off = off;
        changed = true;
      }
    }
    if (changed) this.wholeRepaint = true;
    return changed;
  }

  measureBoxes() {
    const inverse = this.svg.getScreenCTM()?.inverse();
    if (!inverse || !this.stage.clientWidth) return null;
    const boxes = [];
    const extent = (box, g, back) => {
      const b = g.getBBox();
      if (!b.width && !b.height) return;
      const m = back.multiply(g.getScreenCTM());
      for (const [x, y] of [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]) {
        const [px, py] = [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
        grow(box, { x0: px, x1: px, y0: py, y1: py });
      }
    };
    for (const group of this.svg.querySelectorAll("g.node, g.edge")) {
      if (group.hasAttribute("tabindex")) continue;
      const box = { group, off: false, ...emptyBox() };
      extent(box, group, inverse);
      const cells = this.cellBoxes.get(group.id); // an edge's label may stand beside its path
      if (cells) grow(box, cells.reach); // (in the picture's coordinates)
      boxes.push(box);
    }
    return boxes;
  }

  unitsPerPixel() {
    const width = this.stage.clientWidth || 1;
    const height = this.stage.clientHeight || 1;
    return Math.max(this.view.w / width, this.view.h / height);
  }

  zoom(factor, at) {
    if (!this.svg) return;
    this.moved = true;
    const v = this.view;
    const cx = at ? at.x : v.x + v.w / 2;
    const cy = at ? at.y : v.y + v.h / 2;
    const w = Math.min(this.full.w * 1.5, Math.max(20, v.w / factor));
    const h = (w * v.h) / v.w;
    this.view = { x: cx - ((cx - v.x) * w) / v.w, y: cy - ((cy - v.y) * h) / v.h, w, h };
    this.applyView();
  }

  pointAt(event) {
    const rect = this.stage.getBoundingClientRect();
    const units = this.unitsPerPixel();
    const v = this.view;
    // "meet" centres the view in the stage
    const padX = (rect.width * units - v.w) / 2;
    const padY = (rect.height * units - v.h) / 2;
    return { x: v.x - padX + (event.clientX - rect.left) * units, y: v.y - padY + (event.clientY - rect.top) * units };
  }

  onWheel(event) {
    if (!(event.ctrlKey || event.metaKey)) return; // plain wheel scrolls the notebook
    event.preventDefault();
    this.zoom(Math.exp(-event.deltaY * 0.002), this.pointAt(event));
  }

  onPointerDown(event) {
    if (!this.svg || event.button !== 0) return;
    const start = { x: event.clientX, y: event.clientY, view: { ...this.view } };
    const units = this.unitsPerPixel();
    const hit = event.target.closest && event.target.closest("g.folded, g.cluster");
    this.stage.setPointerCapture(event.pointerId);
    this.stage.classList.add("bpw-dragging");
    const move = (e) => {
      this.moved = true;
      this.view = { ...start.view, x: start.view.x - (e.clientX - start.x) * units,
        y: start.view.y - (e.clientY - start.y) * units };
      this.applyView();
    };
    const up = (e) => {
      const still = Math.abs(e.clientX - start.x) + Math.abs(e.clientY - start.y) < 4;
      if (hit && still && e.type === "pointerup") this.toggle(hit); // a click
      this.stage.classList.remove("bpw-dragging");
      this.stage.removeEventListener("pointermove", move);
      this.stage.removeEventListener("pointerup", up);
      this.stage.removeEventListener("pointercancel", up);
    };
    this.stage.addEventListener("pointermove", move);
    this.stage.addEventListener("pointerup", up);
    this.stage.addEventListener("pointercancel", up);
  }

  keepInView(group) {
    if (this.view.w >= this.full.w && this.view.h >= this.full.h) return; // the whole graph shows
    // In the picture's own coordinates (the viewBox's), so that it works before the cell is on screen.
    let box;
    try {
      box = group.getBBox();
    } catch (error) {
      return; // not rendered (display: none)
    }
    if (!box.width && !box.height) return;
    const graph = this.svg.querySelector("g.graph");
    const shift = graph && graph.transform.baseVal.consolidate();
    const x = box.x + (shift ? shift.matrix.e : 0);
    const y = box.y + (shift ? shift.matrix.f : 0);
    const v = this.view;
    if (x >= v.x && x + box.width <= v.x + v.w && y >= v.y && y + box.height <= v.y + v.h) return;
    const cx = Math.min(Math.max(x + box.width / 2 - v.w / 2, this.full.x), this.full.x + this.full.w - v.w);
    const cy = Math.min(Math.max(y + box.height / 2 - v.h / 2, this.full.y), this.full.y + this.full.h - v.h);
    this.view = { ...v, x: cx, y: cy };
    this.applyView();
  }

  toggle(group) {
    const name = ((group.querySelector("text") || {}).textContent || "").replace(/^[▸▾]\s*/, "");
    this.toggled = { name, at: performance.now() };
    this.model.send({ type: P.messages.toggle, id: group.id });
  }

  onKey(event) {
    const key = event.key;
    const group = event.target.closest && event.target.closest("g.folded, g.cluster");
    if (group && (key === "Enter" || key === " ")) {
      this.toggle(group);
    } else if (key in WALK_KEYS) {
      if (!this.model.get("stepping")) return;
      if (this.replayer) this.replayer.go(WALK_KEYS[key]);
      else this.model.send({ type: P.messages.key, key });
    } else if (key === "+" || key === "=") {
      this.zoom(1.5);
    } else if (key === "-") {
      this.zoom(1 / 1.5);
    } else if (key === "0") {
      this.fit();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }
}

// ---- a recorded walk, stepped with no kernel ---------------------------------------
//
// A stepper records its whole walk into the picture's state (the "replay" trait: widgets/recorded.py,
// replay_state): per step the cells that change, the lit ids, the words, the panel's lines and the
// number that flows. Where no kernel stands behind the model (a notebook saved with its widget state,
// opened again: ipywidgets marks such a view "disconnected"), the page steps that record itself: it
// patches its own model as the kernel's patches would (so the picture paints as it always does), and
// drives the stepper's own Reset, Back, Step and Run to end buttons, its position label and panel.
// Controls that only Python can answer (class bpw-needs-kernel) are greyed out, with a sentence.

const DISCONNECTED = "jupyter-widgets-disconnected"; // ipywidgets' class on a view with no kernel behind it
const NEEDS_KERNEL = "bpw-needs-kernel";

Picture.prototype.noKernel = function () {
  return this.el.classList.contains(DISCONNECTED);
};

const KEEP_LAYOUT = 250000; // characters: a bigger laid-out picture is not kept in the saved widget state

// With no kernel, the picture as it was laid out while one ran (a Graphviz seldom comes without one): kept
// by this page ("laid_out", below) or, for a walk recorded in Python, laid out there.
Picture.prototype.recordedLayout = function (dot) {
  if (!this.noKernel()) return null;
  const kept = [this.model.get("laid_out"), this.model.get("replay")].find((k) => k && k.svg && k.dot === dot);
  return kept ? { dot, direction: kept.direction || "LR", text: kept.svg, size: sizeOf(kept.svg) } : null;
};

// After a layout: with no kernel, step the recorded walk; with one, keep the layout in the model (a local
// change: nothing is sent), so that a notebook saved with its widget state shows the picture with no kernel.
Picture.prototype.replayOrKeep = function (choice) {
  const replay = this.model.get("replay");
  if (this.noKernel()) {
    if (!replay || !replay.steps) return false;
    this.replayer?.dispose();
    this.replayer = new Replay(this, replay);
    return true;
  }
  const kept = this.model.get("laid_out");
  if (choice.text.length <= KEEP_LAYOUT && !(kept && kept.dot === choice.dot && kept.svg === choice.text)) {
    this.model.set("laid_out", { dot: choice.dot, direction: choice.direction, svg: choice.text });
    if (replay && replay.svg) {
      const { svg, dot, direction, ...walk } = replay; // Python's layout: this page's own is kept instead
      this.model.set("replay", walk);
    }
  }
  return false;
};

// A picture saved without its layout, and no kernel to lay it out: say so, rather than "Laying out…" forever.
Picture.prototype.needsKernel = function () {
  this.stage.style.height = "";
  this.clearCells();
  this.stage.replaceChildren(element("div", { class: "bpw-status", role: "status" },
    "This picture is laid out while Python runs: run the notebook to see it."));
};

class Replay {
  constructor(picture, walk) {
    this.picture = picture;
    this.model = picture.model;
    this.walk = walk;
    this.last = walk.steps.length - 1;
    this.flows = 0;
    this.at = this.whereNow();
    this.note = element("div", { class: "bpw-replay-note", role: "note" });
    picture.root.insertBefore(this.note, picture.messageLine);
    this.buttons = {};
    this.attach();
  }

  // The step the saved picture shows: the first whose cells and lit ids are the model's.
  whereNow() {
    const cells = this.model.get("cells");
    const lit = this.model.get("current").join(" ");
    for (let k = 0; k <= this.last; k++) {
      const shown = walkCells(this.walk, k);
      if (this.walk.steps[k].current.join(" ") === lit && Object.entries(shown).every(([i, t]) => cells[i] === t)) {
        return k;
      }
    }
    return 0;
  }

  // The stepper's own controls (ipywidgets' views around the picture, found by the classes the kernel gave
  // them); they may be drawn a little after the picture.
  attach(tries = 0) {
    const host = this.picture.el.closest(".bpw-stepper");
    if (!host || !host.querySelector(".bpw-go-next")) {
      if (tries < 50 && !this.picture.disposed) this.timer = setTimeout(() => this.attach(tries + 1), 200);
      else this.show(this.at, false);
      return;
    }
    const scope = this.picture.el.closest(".bpw-explorer") || host;
    this.scope = scope;
    scope.classList.add("bpw-replaying");
    this.onClick = (event) => {
      const name = event.currentTarget.dataset.bpwGo;
      event.stopPropagation();
      this.go(name);
    };
    for (const name of ["home", "back", "next", "end"]) {
      const button = host.querySelector(`.bpw-go-${name}`);
      if (!button) continue;
      button.dataset.bpwGo = name;
      button.addEventListener("click", this.onClick, true);
      this.buttons[name] = button;
    }
    this.label = host.querySelector(".bpw-position");
    this.panel = host.querySelector(".bpw-panel");
    const dead = [...scope.querySelectorAll(`.${NEEDS_KERNEL}`)].filter((c) => c.style.display !== "none");
    for (const control of dead) {
      control.inert = true; // neither clicked nor focused: nothing would answer
      for (const input of control.querySelectorAll("button, input, select")) input.disabled = true;
      if ("disabled" in control) control.disabled = true;
    }
    this.note.textContent =
      "A recorded walk: Step, Back, Reset, Run to end and the arrow keys step it without Python." +
      (dead.length ? " The greyed-out controls need Python running: run the notebook to use them." : "");
    this.show(this.at, false, true);
  }

  go(name) {
    const button = this.buttons[name];
    if (!name || (button && button.style.display === "none")) return; // a hidden control's key does nothing either
    this.show(walkMove(name, this.at, this.last), true);
  }

  // Step k, as the kernel would show it: the model patched (the picture paints it, the number flowing
  // along its edge when this is one step on), the position, the panel, which buttons can be pressed.
  show(k, speak, always = false) {
    if (k === this.at && !always) return;
    const step = this.walk.steps[k];
    const cells = this.model.get("cells").slice();
    for (const [i, text] of Object.entries(walkCells(this.walk, k))) cells[Number(i)] = text;
    const state = { cells, current: step.current };
    if (speak) state.announce = step.say;
    if (k === this.at + 1 && step.flow && speak) state.flow = { ...step.flow, n: `replay-${++this.flows}` };
    this.at = k;
    this.model.set(state); // the page's copy only: no kernel is there to tell
    this.picture.root.dataset.replayAt = String(k);
    if (this.label) this.label.textContent = step.position;
    if (this.panel) this.showPanel(step);
    const { home, back, next, end } = this.buttons;
    for (const button of [home, back]) if (button) button.disabled = k === 0;
    for (const button of [next, end]) if (button) button.disabled = k === this.last;
  }

  showPanel(step) {
    const [formula, numbers] = this.panel.querySelectorAll(".widget-htmlmath-content, .widget-html-content");
    if (formula) formula.replaceChildren(element("div", { class: "bpw-replay-panel" }, step.say));
    if (numbers) {
      numbers.replaceChildren(...step.panel.map((line) => element("div", { class: "bpw-replay-panel" }, line)));
    }
  }

  dispose() {
    clearTimeout(this.timer);
    for (const button of Object.values(this.buttons)) button.removeEventListener("click", this.onClick, true);
  }
}

function render({ model, el }) {
  const picture = new Picture(model, el);
  return () => picture.dispose();
}

// The WebAssembly Graphviz comes in a message (never in the saved widget state): the kernel
// sends it as this model opens; a page that missed it (a notebook reopened on a running
// kernel) asks for it.
const ASK_AFTER_MS = 1500;

function receiveGraphviz(model) {
  return new Promise((resolve) => {
    const listen = (message) => {
      if (!message || message.type !== P.messages.graphviz || typeof message.code !== "string") return;
      model.off("msg:custom", listen);
      clearTimeout(ask);
      graphvizArrived = true;
      resolve(message.code);
    };
    model.on("msg:custom", listen);
    const ask = setTimeout(() => model.send({ type: P.messages.need_graphviz }), ASK_AFTER_MS);
  });
}

export default {
  initialize({ model }) {
    const registry = shared();
    if (registry.loaded) return; // an earlier kernel of this page already loaded it
    registry.loaded = true;
    injectCss();
    graphviz = new Layouts(receiveGraphviz(model));
    registry.resolve({ render });
  },
};
