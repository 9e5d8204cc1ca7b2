"""The offline JupyterLite site: lessons 01 and 02 run in the browser's own Python, with nothing but localhost.

Builds the site with ``scripts/build_site.py --offline`` (downloads are cached, see that
script), serves it from a thread on 127.0.0.1, and opens each lesson in headless Chromium with
every request to anywhere else aborted.  There is no numpy in that kernel: Run All must run
every cell without an error, exercises included, and print and show what the lesson's stored
outputs hold (as nbval checks them on the desktop).  Marked ``lite``: ``-m 'not lite'`` skips it.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from .graph_dom import current_ids, eventually, svg_texts, wait_until_laid_out
from .test_pictures_fit_in_lab import MEASURE_JS, READABLE_PX, ROUNDING_PX

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ["01_sigmoid_tree.ipynb", "02_gradients_add_at_branches.ipynb"]

pytestmark = [pytest.mark.browser, pytest.mark.lite, pytest.mark.slow]
SITES: dict[str, Path] = {}  # each served site's folder, by its address


def shot(page, name: str) -> None:
    """With BPW_SHOTS=dir set, a screenshot there."""
    if os.environ.get("BPW_SHOTS"):
        page.screenshot(path=str(Path(os.environ["BPW_SHOTS"]) / name))


# The page's side: is the lesson open and its kernel idle, run every cell, read the outputs.
HELPERS_JS = r"""
window.__lite = {
  started: {},  // every session this page started: its last path, by its id (watched from the app's start)
  panel(path) {
    const app = window.jupyterapp;
    if (!app || !app.shell) return null;
    for (const w of app.shell.widgets('main')) {
      if (w.context && w.context.path === path && !w.isDisposed) return w;
    }
    return null;
  },
  status(path) {
    const p = this.panel(path);
    const kernel = p && p.sessionContext.session && p.sessionContext.session.kernel;
    return kernel ? kernel.status : null;
  },
  runAll(path) {
    window.jupyterapp.shell.activateById(this.panel(path).id);
    this.ran = null;
    window.jupyterapp.commands.execute('notebook:run-all-cells')
      .then(ok => { window.__lite.ran = {ok}; }, err => { window.__lite.ran = {ok: false, error: String(err)}; });
  },
  running(path) {
    return [...this.panel(path).node.querySelectorAll('.jp-InputArea-prompt')]
      .filter(e => e.textContent.includes('*')).length;
  },
  done(path) {
    return !!this.ran && this.status(path) === 'idle' && this.running(path) === 0;
  },
  notebook(path) {
    return this.panel(path).context.model.toJSON();
  },
  dirty(path) {
    return this.panel(path).context.model.dirty;
  },
  stored(path) {  // the student's copy of a file, as JupyterLite keeps it in the browser (IndexedDB), or null
    return new Promise((resolve, reject) => {
      const open = indexedDB.open('JupyterLite Storage - /');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('files')) return resolve(null);
        const get = db.transaction('files').objectStore('files').get(path);
        get.onerror = () => reject(get.error);
        get.onsuccess = () => resolve(get.result ? get.result.content : null);
      };
    });
  },
  files() {
    return window.jupyterapp.serviceManager.contents.get('', {content: true}).then(l => l.content.map(f => f.path));
  },
  async execute(path, code) {  // run code in the lesson's kernel, outside its cells; what it printed and showed
    const future = this.panel(path).sessionContext.session.kernel.requestExecute({code, store_history: false});
    const out = [];
    future.onIOPub = msg => {
      const c = msg.content;
      if (c.data) out.push(c.data['text/plain']);
      else if (c.text !== undefined) out.push(c.text);
      else if (c.ename) out.push(`${c.ename}: ${c.evalue}`);
    };
    await future.done;
    return out.join('');
  },
};
const watchSessions = setInterval(() => {
  const app = window.jupyterapp;
  if (!app || !app.serviceManager) return;
  clearInterval(watchSessions);
  const sessions = app.serviceManager.sessions;
  sessions.runningChanged.connect(() => { for (const s of sessions.running()) window.__lite.started[s.id] = s.path; });
}, 20);
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
    }

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def lite_site(tmp_path_factory, chromium_executable):
    """The offline site, built into a temporary folder and served on 127.0.0.1."""
    site = tmp_path_factory.mktemp("lite") / "site"
    started = time.monotonic()
    build = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--offline", "--out", str(site)],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    if build.returncode != 0:
        pytest.fail("the offline site did not build:\n" + (build.stdout + build.stderr)[-4000:], pytrace=False)
    print(f"offline site built in {time.monotonic() - started:.0f} s")
    # The test reaches into the app (window.jupyterapp), as the JupyterLab tests do.
    config_path = site / "jupyter-lite.json"
    config = json.loads(config_path.read_text())
    config["jupyter-config-data"]["exposeAppInBrowser"] = "true"
    config_path.write_text(json.dumps(config))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    SITES[base] = site
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def offline_browser(lite_site, lab_session):
    """A fresh context of the session's headless Chromium, in which every request not to the site's own
    server is aborted (one Playwright per test session: a second one cannot start inside the first)."""
    browser = lab_session.context.browser
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.add_init_script(HELPERS_JS)
    outside: list[str] = []

    def only_localhost(route):
        if route.request.url.startswith(lite_site + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_localhost)
    context.outside = outside
    try:
        yield context
    finally:
        context.close()


def run_lesson(context, base: str, path: str, timeout: float = 240.0):
    """Open a lesson, run all its cells; the page, the notebook as saved, and the seconds it took."""
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    started = time.monotonic()
    page.goto(f"{base}/lab/index.html?path={path}")
    eventually(lambda: page.evaluate("p => window.__lite && window.__lite.status(p)", path),
               lambda s: s == "idle", timeout, f"{path}: the kernel started")  # fmt: skip
    page.evaluate("p => window.__lite.runAll(p)", path)
    eventually(lambda: page.evaluate("p => window.__lite.done(p)", path), bool, timeout, f"{path}: every cell ran")
    seconds = time.monotonic() - started
    notebook = page.evaluate("p => window.__lite.notebook(p)", path)
    return page, notebook, seconds, console


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def outputs_unlike_stored(notebook: dict, lesson: str) -> list[str]:
    """Cells whose printed text or shown value differs from the lesson's stored outputs (nbval's comparison)."""
    stored = json.loads((ROOT / "lessons" / lesson).read_text())["cells"]
    found = []
    for i, (ran, kept) in enumerate(zip(notebook["cells"], stored, strict=True)):
        if kept["cell_type"] != "code" or "nbval-ignore-output" in kept["metadata"].get("tags", []):
            continue
        for kind, read in (
            ("printed", lambda outs: "".join(_text(o["text"]) for o in outs if o.get("name") == "stdout")),
            ("showed", lambda outs: [_text(o["data"]["text/plain"]) for o in outs if "data" in o]),
        ):
            if read(ran.get("outputs", [])) != read(kept["outputs"]):
                found.append(f"cell {i} {kind} {read(ran.get('outputs', []))!r}, stored {read(kept['outputs'])!r}")
    return found


# Answers given in the lesson's kernel after Run All: a right and a wrong one for the exercises
# that judge functions and arrays, as a student would type them.
ANSWERS = {
    "01_sigmoid_tree.ipynb": [
        ("ex.mul_backward.check(lambda a, b, upstream: (upstream * b, upstream * a))", "✔ Right"),
        ("ex.div_backward.check(lambda a, b, upstream: (upstream / b, upstream * a / b**2))", "wrong sign"),
        ("ex.sigmoid_slope_at_0.check(0.25)", "✔ Right"),
    ],
    "02_gradients_add_at_branches.ipynb": [
        ("ex.all_gradients.check([0.8, -0.1, -0.9])", "✔ Right"),
        ("ex.all_gradients.check([0.8, -0.1, 0.9])", "your array has the wrong sign in 1 of 3 entries, at [2]"),
        ("ex.add_backward.check(lambda a, b, upstream: (upstream, upstream))", "✔ Right"),
        ("ex.add_backward.check(lambda a, b, upstream: (1.0, 1.0))", "missing the factor `upstream`"),
        ("import sys; 'numpy' in sys.modules", "False"),
    ],
}


def errors_in(notebook: dict) -> list[str]:
    found = []
    for i, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            text = json.dumps(output.get("data", {}))
            if output.get("output_type") == "error":
                found.append(f"cell {i}: {output['ename']}: {output['evalue']}")
            elif "Error displaying widget" in text:
                found.append(f"cell {i}: {text[:200]}")
    return found


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_offline_in_the_browser(offline_browser, lite_site, lesson):
    from playwright.sync_api import expect

    page, notebook, seconds, console = run_lesson(offline_browser, lite_site, lesson)
    print(f"{lesson}: all cells ran {seconds:.0f} s after opening the page")
    try:
        cells = notebook["cells"]
        unexecuted = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and c.get("execution_count") is None]
        assert not unexecuted, f"cells that never ran: {unexecuted}"
        assert not errors_in(notebook), errors_in(notebook)
        assert not outputs_unlike_stored(notebook, lesson), outputs_unlike_stored(notebook, lesson)
        for code, expected in ANSWERS[lesson]:
            answered = page.evaluate("([p, code]) => window.__lite.execute(p, code)", [lesson, code])
            assert expected in answered, (code, answered)
        panel = page.locator(".jp-NotebookPanel:visible").first
        assert wait_until_laid_out(panel, timeout=60) > 0  # the graph pictures are drawn

        # a Step click moves the highlight in the stepper's picture
        stepper = panel.locator(".bpw-stepper").first
        stepper.scroll_into_view_if_needed()
        picture = stepper.locator(".bpw-picture").first
        expect(picture.locator(".bpw-stage svg")).to_be_visible(timeout=30_000)
        reset = stepper.get_by_role("button", name="Reset")
        if reset.is_enabled():  # a stepper that starts at step 0 has nothing to reset
            reset.click()
        before = eventually(lambda: current_ids(picture), lambda ids: True, what="highlight read")
        texts_before = svg_texts(picture)
        stepper.get_by_role("button", name="Step").click()
        eventually(lambda: (current_ids(picture), svg_texts(picture)),
                   lambda now: now != (before, texts_before), 30, "the picture changed after Step")  # fmt: skip

        # a slider move repaints the Explorer's picture
        explorer = panel.locator(".bpw-explorer").first
        explorer.scroll_into_view_if_needed()
        explorer_picture = explorer.locator(".bpw-picture").first
        expect(explorer_picture.locator(".bpw-stage svg")).to_be_visible(timeout=30_000)
        texts = svg_texts(explorer_picture)
        handle = explorer.locator(".widget-slider .noUi-handle").first
        handle.focus()
        handle.press("ArrowRight")
        eventually(lambda: svg_texts(explorer_picture), lambda now: now != texts, 30,
                   "the Explorer's picture changed after a slider move")  # fmt: skip
    finally:
        page.close()
    assert not offline_browser.outside, f"requests beyond localhost (aborted): {offline_browser.outside[:5]}"


def test_lessons_that_need_numpy_say_so_first(lite_site):
    """Offline, every lesson but 01 and 02 opens with a note saying what it needs that is not here, and where to run it."""
    for lesson in sorted((ROOT / "lessons").glob("*.ipynb")):
        with urllib.request.urlopen(f"{lite_site}/files/{lesson.name}") as response:
            first = json.load(response)["cells"][0]
        note = first["cell_type"] == "markdown" and _text(first["source"]).startswith(
            "**You can read this lesson here, but not run it.**"
        )
        assert note == (lesson.name not in LESSONS), lesson.name


def _build_site_module():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rebuild_lesson(site: Path, lesson: str, change) -> None:
    """What a rebuild of the site does to one lesson: its shipped file changes, and so its marks in the plugin."""
    build_site = _build_site_module()
    path = site / "files" / lesson
    notebook = json.loads(path.read_text())
    change(notebook)
    del notebook["metadata"]["backprop_widgets"]
    text = json.dumps(notebook, sort_keys=True, ensure_ascii=False)
    mark = {"version": "rebuilt-" + str(len(text)), "sources": build_site.sources_hash(notebook["cells"])}
    notebook["metadata"]["backprop_widgets"] = mark
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False))
    plugin = site / "extensions" / build_site.LESSONS_EXTENSION / "static" / "remoteEntry.js"
    script = plugin.read_text()
    shipped = json.loads(re.search(r"const SHIPPED = (\{.*?\});", script)[1])
    shipped[lesson] = mark
    plugin.write_text(re.sub(r"const SHIPPED = \{.*?\};", lambda _: f"const SHIPPED = {json.dumps(shipped)};", script))


def open_lesson(page, base: str, path: str, timeout: float = 240.0) -> None:
    page.goto(f"{base}/lab/index.html?path={path}")
    eventually(lambda: page.evaluate("p => window.__lite && window.__lite.status(p)", path),
               lambda s: s == "idle", timeout, f"{path}: the kernel started")  # fmt: skip


def markdown_text(notebook: dict) -> str:
    return "\n".join(_text(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")


def test_a_lesson_opened_and_run_leaves_no_changed_copy_and_gets_rebuilt(lite_site, offline_browser):
    """Opening changes nothing (the Pyodide kernel's own kernelspec ships with the lesson); a copy saved after
    Run All holds nothing of the student's, so after a rebuild the returning student sees the new lesson."""
    lesson = LESSONS[0]
    page, notebook, _, _ = run_lesson(offline_browser, lite_site, lesson)
    try:
        shipped = json.loads((ROOT / "lessons" / lesson).read_text())
        page.goto(f"{lite_site}/lab/index.html?path={lesson}")  # opened again: not changed by the kernel
        open_lesson(page, lite_site, lesson)
        page.wait_for_timeout(2000)
        assert page.evaluate("p => window.__lite.dirty(p)", lesson) is False
        page.evaluate("p => window.__lite.runAll(p)", lesson)
        eventually(lambda: page.evaluate("p => window.__lite.done(p)", lesson), bool, 240, "every cell ran")
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        copy = eventually(lambda: page.evaluate("p => window.__lite.stored(p)", lesson), bool, 30, "the copy saved")
        assert copy["metadata"]["kernelspec"]["name"] == "python"
        assert [_text(c["source"]) for c in copy["cells"]] == [_text(c["source"]) for c in shipped["cells"]]
        # back the next day: the copy shows the browser's run, and its recorded walks still step before the kernel
        page.goto(f"{lite_site}/lab/index.html?path={lesson}")
        a_recorded_walk_steps(page, lesson, "a-run-copy-steps-before-the-kernel.png")

        site = SITES[lite_site]
        rebuild_lesson(site, lesson, lambda nb: nb["cells"][0].update(source="# The rebuilt lesson 01\n"))
        open_lesson(page, lite_site, lesson)
        eventually(lambda: markdown_text(page.evaluate("p => window.__lite.notebook(p)", lesson)),
                   lambda text: "The rebuilt lesson 01" in text, 60, "the rebuilt lesson shown")  # fmt: skip
        assert not [f for f in page.evaluate("() => window.__lite.files()") if "my copy" in f]
        shot(page, "rebuilt-lesson-replaces-an-unchanged-copy.png")
    finally:
        page.close()


def all_text(notebook: dict | None) -> str:
    return "\n".join(_text(c["source"]) for c in notebook["cells"]) if notebook else ""


def test_a_rebuilt_lesson_reaches_a_student_who_changed_it_with_their_copy_kept_aside(lite_site, offline_browser):
    from playwright.sync_api import expect

    lesson = LESSONS[1]
    page = offline_browser.new_page()
    try:
        open_lesson(page, lite_site, lesson)
        page.evaluate(
            "p => window.__lite.panel(p).content.model.cells.get(0).sharedModel.setSource('# My notes\\n')", lesson
        )
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        eventually(lambda: page.evaluate("p => window.__lite.stored(p)", lesson),
                   lambda copy: copy and "# My notes" in all_text(copy), 30, "the student's copy saved")  # fmt: skip

        rebuild_lesson(SITES[lite_site], lesson, lambda nb: nb["cells"][0].update(source="# The rebuilt lesson 02\n"))
        open_lesson(page, lite_site, lesson)
        expect(page.get_by_text(f"A newer version of {lesson} is here")).to_be_visible(timeout=60_000)
        assert "# My notes" in all_text(page.evaluate("p => window.__lite.notebook(p)", lesson))
        shot(page, "newer-lesson-notice.png")
        page.get_by_role("button", name="Reset to the new lesson (keeps my copy)").click()
        eventually(lambda: all_text(page.evaluate("p => window.__lite.panel(p) && window.__lite.notebook(p)", lesson)),
                   lambda text: "The rebuilt lesson 02" in text, 60, "the rebuilt lesson shown")  # fmt: skip
        aside = eventually(lambda: [f for f in page.evaluate("() => window.__lite.files()") if "my copy" in f],
                           bool, 30, "the student's copy kept aside")  # fmt: skip
        assert aside[0].startswith("02_gradients_add_at_branches (my copy "), aside
        assert "# My notes" in all_text(page.evaluate("p => window.__lite.stored(p)", aside[0]))
        shot(page, "reset-to-the-shipped-lesson.png")

        # a link to another lesson opens it alone: the last visit's tab is not restored, nor a kernel started for it
        open_lesson(page, lite_site, LESSONS[0])
        read = """() => [[...window.jupyterapp.shell.widgets('main')].filter(w => w.context).map(w => w.context.path),
                        [...window.jupyterapp.serviceManager.sessions.running()].map(s => s.path)]"""
        eventually(
            lambda: page.evaluate(read), lambda seen: seen == [[LESSONS[0]], [LESSONS[0]]], 60, "one tab, one kernel"
        )
        assert page.evaluate("() => Object.values(window.__lite.started)") == [LESSONS[0]]  # no other kernel started
    finally:
        page.close()


def test_saved_outputs_render_as_in_jupyterlab(lite_site, offline_browser):
    """A lesson's stored outputs, before anything runs: HTML without commas between its lines, and the
    table of contents lists the lesson's headings with no error in the console."""
    from playwright.sync_api import expect

    lesson = "03_two_layer_network.ipynb"
    page = offline_browser.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{lite_site}/lab/index.html?path={lesson}")
        read = "p => window.__lite && window.__lite.panel(p) && window.__lite.panel(p).node.querySelectorAll('.jp-OutputArea-output').length"
        eventually(lambda: page.evaluate(read, lesson), lambda n: n and n > 10, 120, "the stored outputs shown")
        texts = page.evaluate(
            "p => [...window.__lite.panel(p).node.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText)",
            lesson,
        )
        assert not [t for t in texts if re.search(r"(^|\n),", t)], "outputs with a line starting with a comma"
        page.locator('[data-id="table-of-contents"]').click()
        expect(page.locator(".jp-TableOfContents-content")).to_contain_text("A two-layer network", timeout=30_000)
        shot(page, "lesson-03-saved-outputs-and-contents.png")
        assert not [m for m in console if "is not a function" in m], console
    finally:
        page.close()


def test_lesson_01_starts_without_numpy(tmp_path):
    """The default site's kernel starts with the kit and none of the numeric stack, which the lock loads when a
    cell first imports numpy (and with numpy, matplotlib and pillow, which the kit's plots use)."""
    site = tmp_path / "site"
    build = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(site)],
                           capture_output=True, text=True, timeout=1200)  # fmt: skip
    assert build.returncode == 0, (build.stdout + build.stderr)[-4000:]
    build_site = _build_site_module()
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    preloaded = config["litePluginSettings"][build_site.KERNEL_PLUGIN]["loadPyodideOptions"]["packages"]
    lock = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    started = build_site.closure(lock, preloaded)
    assert "backprop-widgets" in started
    assert not started & {"numpy", "matplotlib", "pillow"}, sorted(started)
    assert {"matplotlib", "pillow"} <= build_site.closure(lock, ["numpy"])


def a_recorded_walk_steps(page, lesson: str, screenshot: str) -> tuple[float, str]:
    """The lesson's first recorded walk (drawn by lite_walks.js) shows, steps and steps back, all before its kernel
    is ready; when it showed (time.monotonic()) and the kernel's status then."""
    from playwright.sync_api import expect

    stepper = page.locator(".bpw-walk-preview.bpw-stepper.bpw-replaying").first
    picture = stepper.locator(".bpw-picture")
    expect(picture.locator("[data-replay-at] .bpw-stage svg")).to_be_visible(timeout=120_000)
    shown = time.monotonic()
    status = page.evaluate("p => window.__lite.status(p)", lesson)
    assert status != "idle", "the kernel was ready before the walk showed: nothing was tested"
    # it opens whole and readable in its cell, as the live picture does (issue 21's rule): laid out again for the
    # cell's width by the WebAssembly Graphviz where the layout recorded in Python would open in part
    [measured] = stepper.evaluate(MEASURE_JS)
    assert not measured["note"] and not measured["outside"], measured
    assert measured["smallest"] >= READABLE_PX - ROUNDING_PX, measured
    at = lambda: picture.locator("[data-replay-at]").get_attribute("data-replay-at")
    assert at() == "0"
    texts, lit = svg_texts(picture), current_ids(picture)
    stepper.get_by_role("button", name="Step").click()
    assert at() == "1"
    expect(stepper.locator(".bpw-position")).to_have_text(re.compile(r"step 1 of \d+"))
    assert (svg_texts(picture), current_ids(picture)) != (texts, lit), "the picture did not change on Step"
    assert page.evaluate("p => window.__lite.status(p)", lesson) != "idle"  # still before the kernel
    shot(page, screenshot)
    stepper.get_by_role("button", name="Back").click()
    assert at() == "0"
    return shown, status


def test_a_recorded_walk_steps_before_the_kernel_is_ready(lite_site, offline_browser):
    """Lesson 01's first stepper steps as the lesson opens, while the browser's Python is still starting: its
    picture is the one laid out in Python when the site was built, its walk the one recorded then."""

    from playwright.sync_api import expect

    lesson = LESSONS[0]
    # a new student's browser: the other tests' ran copies of lesson 01 (kept in the browser) show their own runs
    context = offline_browser.browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.add_init_script(HELPERS_JS)
    outside: list[str] = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lite_site + "/") else (
        outside.append(r.request.url), r.abort()))  # fmt: skip
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    try:
        started = time.monotonic()
        page.goto(f"{lite_site}/lab/index.html?path={lesson}")
        seconds, status = a_recorded_walk_steps(page, lesson, "lesson-01-walk-steps-before-the-kernel.png")
        print(
            f"{lesson}: the first recorded walk stepped {seconds - started:.1f} s after navigation (kernel: {status})"
        )
        # a plain picture, draw(g, show_local=True), is drawn before the kernel too, from its cell's recorded state
        drawn = page.locator(".jp-CodeCell", has_text="draw(g, show_local=True)").locator(
            ".bpw-walk-preview.bpw-picture"
        )
        expect(drawn.locator(".bpw-stage svg")).to_have_attribute("aria-label", re.compile(r"g = 25: 6 nodes"))
        assert page.evaluate("p => window.__lite.status(p)", lesson) != "idle"  # still before the kernel
        [measured] = drawn.locator("xpath=..").evaluate(MEASURE_JS)
        assert not measured["note"] and measured["smallest"] >= READABLE_PX - ROUNDING_PX, measured
        assert not console, console
    finally:
        context.close()
    assert not outside, f"requests beyond localhost (aborted): {outside[:5]}"


def test_a_notebook_from_elsewhere_runs_no_script_from_its_saved_walks(lite_site, offline_browser):
    """A notebook that is not one of the site's lessons (uploaded by a student, say) carrying walks whose saved HTML
    holds script: lite_walks.js reads walks from the site's own copy of a lesson only, so nothing of it is drawn."""
    notebook = json.loads((SITES[lite_site] / "files" / LESSONS[0]).read_text())
    walks = notebook["metadata"]["backprop_widgets_walks"]["models"]
    forged = [m for m in walks.values() if m["model_name"] in ("HTMLModel", "HTMLMathModel")]
    assert forged, "lesson 01's walks have no HTML widget to forge"
    for model in forged:
        model["state"]["value"] = '<img src="forged.png" onerror="window.__forged = true">'
    page = offline_browser.new_page()
    try:
        page.goto(f"{lite_site}/lab/index.html")
        eventually(lambda: page.evaluate("() => !!(window.jupyterapp && window.jupyterapp.serviceManager)"), bool, 120,
                   "JupyterLab started")  # fmt: skip
        page.evaluate(
            "nb => window.jupyterapp.serviceManager.contents.save('from_elsewhere.ipynb', "
            "{type: 'notebook', format: 'json', content: nb})",
            notebook,
        )
        open_lesson(page, lite_site, "from_elsewhere.ipynb")  # its kernel ready: the stand-ins came before it
        assert page.evaluate("() => window.__forged") is None
        assert page.locator(".bpw-walk-preview").count() == 0
    finally:
        page.close()
