#!/usr/bin/env python3
"""Build the lessons as a JupyterLite site: static files, with Python (Pyodide) running in each browser.

    python scripts/build_site.py              # into build/site: numpy and matplotlib come from
                                              # Pyodide's CDN when a lesson first imports numpy
    python scripts/build_site.py --offline    # only from the package registries (PyPI, npm):
                                              # lessons 01-02 complete, 03-06 say what they need
    python scripts/build_site.py --out DIR

Then serve the folder with any static web server, e.g. ``python -m http.server -d build/site``,
and open ``lab/index.html?path=01_sigmoid_tree.ipynb``.

How: the build runs in an environment of its own (the ``site`` extra of pyproject.toml, kept in
the download cache, so JupyterLite's extensions never land in the environment of ``make lab``).
The kernel's wheels (the kit, anywidget, ipywidgets, lark, graphviz, ...) are pure Python, taken
from PyPI for Python 3.14 in the browser, and written into a Pyodide lock file beside the site, so
the kernel loads them as it starts: no ``%pip install`` cell.  The Pyodide runtime of the offline
build is npm's ``pyodide`` package, whose lock lists many packages it does not contain: the lock
is trimmed to what the site ships.  The lessons carry the Pyodide kernel's kernelspec and a version
mark that scripts/lite_lessons.js (added to the site as a prebuilt extension) compares with a
student's saved copy.  The lessons are run first (in this Python, with nbclient) for their widget state,
in which each stepper's walk is recorded: scripts/lite_walks.js steps those walks as soon as a lesson
opens, while the browser's Python starts.  Downloads are cached in ``$BPW_SITE_CACHE`` (default
``~/.cache/backprop_widgets-site``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
DEFAULT_OUT = ROOT / "build" / "site"
CACHE = Path(os.environ.get("BPW_SITE_CACHE") or Path.home() / ".cache" / "backprop_widgets-site")

KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
# Packages with compiled code: on PyPI there are no builds of them for Pyodide, only on its CDN.
NEEDS_PYODIDE_CDN = {"numpy", "matplotlib"}
# What the kernel itself loads as it starts (it skips the ones the lock preloads).
KERNEL_PACKAGES = ["micropip", "piplite", "ipykernel", "comm", "pyodide-kernel", "jedi", "ipython"]
# The Pyodide kernel's own kernelspec and language_info (as jupyterlite-pyodide-kernel 0.8.6 reports
# them): a lesson that carries them is not changed by opening it, so it is not saved as a student's copy.
LITE_KERNELSPEC = {"display_name": "Python (Pyodide)", "language": "python", "name": "python"}
LITE_LANGUAGE_INFO = {
    "codemirror_mode": {"name": "python", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.8",
}
# The plugin that keeps the lessons fresh (scripts/lite_lessons.js), as a prebuilt extension.
LESSONS_EXTENSION = "backprop-widgets-lessons"
# The plugin that steps the lessons' recorded walks before the kernel is ready (scripts/lite_walks.js).
WALKS_EXTENSION = "backprop-widgets-walks"
STATE_MIME = "application/vnd.jupyter.widget-state+json"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WALKS_KEY = "backprop_widgets_walks"  # the site's lessons' widget state, read by lite_walks.js only
# The widgets lite_walks.js draws from their state (boxes, buttons, text, pictures); any other is a disabled stand-in.
DRAWN = {"VBoxModel", "HBoxModel", "BoxModel", "ButtonModel", "ToggleButtonModel", "LabelModel", "HTMLModel",
         "HTMLMathModel", "AnyModel"}  # fmt: skip
# What a lesson may need that the offline site does not have: how a lesson's code shows it needs it.
OFFLINE_MISSING = {
    "numpy": r"^\s*(import|from) numpy\b",
    "matplotlib": r"^\s*(import|from) matplotlib\b",
    "PyTorch": r"^\s*(import|from) torch\b",
    "hypothesis": r"\baudit_engine\(",  # audit_engine tests a student's class with hypothesis
}


def offline_note(missing: list[str]) -> str:
    """The first cell of a lesson that cannot run offline, read by students: why, and where it runs."""
    names = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
    return (
        "**You can read this lesson here, but not run it.** This copy of the course works without the "
        f"internet, and so without {names}, which this lesson needs: running it stops at the first cell "
        "that uses them. To run it, open the online copy of the course or Binder (ask your teacher for the "
        "link), or run it on your own computer with `make lab`. Lessons 01 and 02 run here completely."
    )


def missing_offline(sources: list[str]) -> list[str]:
    """What the offline site lacks of what these code cells use, in OFFLINE_MISSING's order."""
    return [name for name, used in OFFLINE_MISSING.items() if any(re.search(used, s, re.M) for s in sources)]


# What no copy of the site has, online either: PyTorch has no build for the Python that runs in the browser.
NOT_IN_THE_BROWSER = ("PyTorch",)


def browser_note(missing: list[str]) -> str:
    """The first cell of a lesson that needs what no browser has (the online site): why, and where it runs."""
    return (
        f"**You can read this lesson here, but not run it.** It needs {' and '.join(missing)}, which does not "
        "run inside a web browser, where this copy of the course runs its Python: running it stops at the first "
        "cell that uses it. To run it, open it on Binder (ask your teacher for the link), or run it on your own "
        "computer with `make lab`."
    )


def site_note(sources: list[str], offline: bool) -> dict | None:
    """The markdown cell put first in a lesson the site cannot run, or None."""
    missing = missing_offline(sources)
    if offline and missing:
        return {"cell_type": "markdown", "id": "bpw-offline-note", "metadata": {}, "source": offline_note(missing)}
    missing = [name for name in missing if name in NOT_IN_THE_BROWSER]
    if missing:
        return {"cell_type": "markdown", "id": "bpw-browser-note", "metadata": {}, "source": browser_note(missing)}
    return None


def normalize(name: str) -> str:
    """A package name as lock files and indexes spell it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def run(*args: object, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def read_pyproject() -> dict:
    text = (ROOT / "pyproject.toml").read_text()
    try:
        import tomllib
    except ImportError:  # Python 3.10: tomli, which the build's own environment has (the site extra)
        try:
            import tomli as tomllib
        except ImportError:  # 3.10 before that environment exists: it needs only the site extra's pins
            return {"project": {"optional-dependencies": {"site": toml_list(text, "site")}}}
    return tomllib.loads(text)


def toml_list(text: str, key: str) -> list[str]:
    """The strings of the one-per-line TOML array ``key = [...]`` (enough for pyproject's extras, no TOML library)."""
    found = re.search(rf"^{re.escape(key)} = \[\n(.*?)^\]", text, re.M | re.S)
    if found is None:
        raise SystemExit(f"pyproject.toml has no `{key} = [` list written one string a line")
    return re.findall(r'^\s*"([^"]+)"', found[1], re.M)


# --- the build's own environment -------------------------------------------------------------


def build_python() -> Path:
    """The Python of an environment with the ``site`` extra installed (made once, then reused)."""
    pins = read_pyproject()["project"]["optional-dependencies"]["site"]
    key = hashlib.sha256("\n".join(sorted(pins)).encode()).hexdigest()[:12]
    env = CACHE / f"env-{key}"
    python = env / "bin" / "python"
    if not (env / ".complete").exists():
        shutil.rmtree(env, ignore_errors=True)
        venv.create(env, with_pip=True)
        run(python, "-m", "pip", "install", "--quiet", *pins)
        (env / ".complete").touch()
    return python


# --- wheels for the kernel ------------------------------------------------------------------


def pyodide_npm(version: str) -> Path:
    """npm's ``pyodide`` package of this version, unpacked (the runtime and its full lock file)."""
    folder = CACHE / f"pyodide-{version}"
    if not (folder / "package" / "pyodide.mjs").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            run("npm", "pack", f"pyodide@{version}", "--silent", cwd=tmp, stdout=subprocess.DEVNULL)
            (tarball,) = Path(tmp).glob("pyodide-*.tgz")
            shutil.rmtree(folder, ignore_errors=True)
            with tarfile.open(tarball) as tar:
                tar.extractall(folder, filter="data") if sys.version_info >= (3, 12) else tar.extractall(folder)
    return folder / "package"


def download_wheels(specs: list[str], python_version: str, abi: str, dest: Path) -> list[Path]:
    """Pure-Python (or Pyodide) wheels from PyPI for these specs, without their dependencies.

    pip's own cache keeps them, so a second build downloads nothing.
    """
    dest.mkdir(parents=True, exist_ok=True)
    before = set(dest.glob("*.whl"))
    run(
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        f"--platform=pyemscripten_{abi}_wasm32", f"--python-version={python_version}", "--dest", dest, *specs,
    )  # fmt: skip
    return sorted(set(dest.glob("*.whl")) - before)


def kit_wheel(dest: Path) -> Path:
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", dest, ROOT)
    (wheel,) = dest.glob("backprop_widgets-*.whl")
    return wheel


def wheel_metadata(wheel: Path) -> tuple[str, str, list[str], list[str]]:
    """Name, version, importable top-level names and requirements of a wheel."""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta_path = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = zf.read(meta_path).decode()
    field = lambda key: [line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith(key + ":")]
    tops = set()
    for name in names:
        top = name.split("/", 1)[0]
        if top.endswith((".dist-info", ".data")):
            continue
        tops.add(top[:-3] if top.endswith(".py") else top)
    return field("Name")[0], field("Version")[0], sorted(t for t in tops if t.isidentifier()), field("Requires-Dist")


def runtime_requirements(requires: list[str]) -> list[str]:
    """The requirements that apply in Pyodide (no extras), as normalized names."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # the build environment has pip's copy
        from pip._vendor.packaging.requirements import Requirement

    env = {"python_version": "3.14", "sys_platform": "emscripten", "platform_system": "Emscripten", "extra": ""}
    names = []
    for line in requires:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(env):
            names.append(normalize(req.name))
    return names


def lock_entry(wheel: Path, file_name: str) -> dict:
    name, version, imports, requires = wheel_metadata(wheel)
    return {
        "name": normalize(name),
        "version": version,
        "file_name": file_name,
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": imports,
        "depends": runtime_requirements(requires),
        "unvendored_tests": False,
    }


def closure(lock: dict, names: list[str]) -> set[str]:
    """These packages and everything they depend on in the lock."""
    seen, todo = set(), [normalize(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen or name not in lock:
            continue
        seen.add(name)
        todo += [normalize(d) for d in lock[name]["depends"]]
    return seen


# --- the site -------------------------------------------------------------------------------


def joined(notebook: dict) -> dict:
    """The notebook with its multi-line strings joined, as Jupyter's server hands notebooks to JupyterLab.

    A file stores them as lists of lines; JupyterLite serves the file as it is, and its renderers take
    a list for a string: commas between the lines of saved HTML, "No Headings" and a TypeError in the
    table of contents.  JSON outputs (widgets) are data, not text, and stay as they are.
    """
    join = lambda value: "".join(value) if isinstance(value, list) else value
    for cell in notebook["cells"]:
        cell["source"] = join(cell["source"])
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = join(output["text"])
            data = output.get("data", {})
            for mime in data:
                if not (mime == "application/json" or mime.endswith("+json")):
                    data[mime] = join(data[mime])
    return notebook


def sources_hash(cells: list[dict]) -> str:
    """FNV-1a over UTF-16 code units of the cells' types and sources: the same in lite_lessons.js, which
    tells by it whether a student changed a saved lesson."""
    text = "\x01".join(c["cell_type"] + "\x00" + c["source"] for c in cells)
    h = 0x811C9DC5
    for (unit,) in struct.iter_unpack("<H", text.encode("utf-16-le")):
        h = ((h ^ unit) * 0x01000193) & 0xFFFFFFFF
    return f"{h:08x}"


# --- the lessons' widget state -----------------------------------------------------------------


def shows_widget(cell: dict) -> bool:
    return any(VIEW_MIME in output.get("data", {}) for output in cell.get("outputs", []))


def run_with_widget_state(dest: Path, timeout: int = 600) -> None:
    """Each lesson run in a fresh kernel of this Python, saved into ``dest`` with its widget state.

    The kit records each stepper's walk, laid out in Python, into that state (widgets/recorded.py): with it,
    lite_walks.js steps the walks as soon as a lesson opens.  Only the code cells up to the last one whose stored
    outputs show a widget are run (a lesson showing none is not run); a lesson that cannot run here is left out
    (the site then shows its stored outputs only).
    """
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError:
        print("no nbclient here: the site's lessons have no widget state (no walks before the kernel)")
        return
    dest.mkdir(parents=True, exist_ok=True)
    env_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    os.environ["PYTHONPATH"] = env_path  # the kernel imports the kit from this checkout
    for lesson in sorted(LESSONS.glob("*.ipynb")):
        notebook = nbformat.read(lesson, as_version=4)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        shown = [i for i, cell in enumerate(code) if shows_widget(cell)]
        if not shown:
            continue
        notebook.cells = code[: shown[-1] + 1]
        client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", store_widget_state=True,
                                resources={"metadata": {"path": str(LESSONS)}})  # fmt: skip
        try:
            client.execute()
        except Exception as error:  # noqa: BLE001 - any failure only leaves this lesson without its state
            print(f"{lesson.name}: not run for its widget state ({type(error).__name__})")
            continue
        nbformat.write(notebook, dest / lesson.name)


def refs(value) -> list[str]:
    """The ids of the widget models a saved state's value refers to ("IPY_MODEL_<id>"), at any depth."""
    if isinstance(value, str):
        return [value.removeprefix("IPY_MODEL_")] if value.startswith("IPY_MODEL_") else []
    if isinstance(value, list):
        return [r for item in value for r in refs(item)]
    if isinstance(value, dict):
        return [r for item in value.values() for r in refs(item)]
    return []


def has_walk(models: dict, model_id: str, depth: int = 0) -> bool:
    """Is this saved widget, or one inside it, a picture with a recorded walk laid out in Python?  (As lite_walks.js
    asks it.)"""
    model = models.get(model_id)
    if not model or depth > 20:
        return False
    replay = model["state"].get("replay") or {}
    if replay.get("svg") and replay.get("steps"):
        return True
    return any(has_walk(models, child, depth + 1) for child in refs(model["state"].get("children", [])))


def drawn(models: dict, model_id: str) -> bool:
    """Is this shown widget drawn before the kernel: one holding a recorded walk, or a picture of its own (``draw(g)``:
    lite_walks.js lays it out with the WebAssembly Graphviz)?  (As lite_walks.js asks it.)"""
    model = models.get(model_id)
    return has_walk(models, model_id) or bool(model and isinstance(model["state"].get("dot"), str))


def walks_state(models: dict, views: list[str]) -> dict:
    """Of a lesson's saved widget state, what lite_walks.js draws: the shown widgets that hold a recorded walk or are
    a picture, and every model they refer to (boxes, buttons, layouts, the front end), with the layout and style keys left at
    their defaults (null) dropped, as ipywidgets fills those in itself.  The other widgets' models, the pictures'
    own module (lite_walks.js draws them with the front end's) and what a stand-in does not show (an image's
    bytes, a slider's value) are left out."""
    todo = [view for view in views if drawn(models, view)]
    kept: dict[str, dict] = {}
    while todo:
        model_id = todo.pop()
        if model_id in kept or model_id not in models:
            continue
        model = {k: v for k, v in models[model_id].items() if k != "buffers"}  # binary: an image's bytes
        state = model["state"]
        if model["model_name"] == "LayoutModel" or model["model_name"].endswith("StyleModel"):
            state = {k: v for k, v in state.items() if v is not None}
        elif model["model_name"] not in DRAWN:  # a slider, an image...: drawn as a disabled stand-in, by its name
            state = {k: v for k, v in state.items() if k in ("description", "layout", "_dom_classes")}
        if "replay" in state or "dot" in state:
            state = {k: v for k, v in state.items() if k != "_esm"}
        kept[model_id] = {**model, "state": state}
        todo += refs(state)
    return kept


def with_widget_state(notebook: dict, ran: dict | None) -> dict:
    """The lesson with what lite_walks.js needs of the widget state of the same lesson run (``ran``: its first
    code cells, see ``run_with_widget_state``), in metadata[WALKS_KEY]: its stored outputs kept, the widget outputs
    pointing at the run's models.  Unchanged if the run's outputs are not the stored ones'."""
    state = ran and ran["metadata"].get("widgets", {}).get(STATE_MIME)
    code = lambda nb: [c for c in nb["cells"] if c["cell_type"] == "code"]  # the offline note is markdown
    if not state or len(code(ran)) > len(code(notebook)):
        return notebook
    views = []  # (the stored view, the run's model id, where it is: code cell, output but the printed text, source)
    shown = lambda cell: [o for o in cell.get("outputs", []) if o["output_type"] != "stream"]  # text comes in chunks
    for k, (cell, again) in enumerate(zip(code(notebook), code(ran), strict=False)):  # the run: the first cells only
        outputs, redone = shown(cell), shown(again)
        if [o["output_type"] for o in outputs] != [o["output_type"] for o in redone]:
            return notebook
        for n, (output, output_again) in enumerate(zip(outputs, redone, strict=True)):
            if VIEW_MIME in output.get("data", {}):
                if VIEW_MIME not in output_again.get("data", {}):
                    return notebook
                source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                views.append((output["data"][VIEW_MIME], output_again["data"][VIEW_MIME]["model_id"], [k, n, source]))
    walks = walks_state(state["state"], [model_id for _, model_id, _ in views])
    if not walks:
        return notebook
    for view, model_id, _ in views:
        view["model_id"] = model_id
    # Under a key of the kit's, not "widgets": JupyterLab's widget manager would load that state once the kernel
    # is ready, and the saved front-end model, with no kernel behind it, would then stand in for the live one.
    # The walks' places let a student's copy saved after a run in the browser (its outputs show that run's widgets)
    # find them too, cell by cell, where the cell's code is the one recorded.
    places = [[*place, model_id] for _, model_id, place in views if model_id in walks]
    notebook["metadata"][WALKS_KEY] = {"models": walks, "places": places}
    return notebook


def lesson_copies(dest: Path, offline: bool, runs: Path | None = None) -> dict[str, dict]:
    """The lessons as the site shows them, each marked with its version; what lite_lessons.js knows of them.

    A lesson that needs what the site lacks (offline: numpy and more; online too: PyTorch) says so first.  With ``runs`` (the lessons run by ``run_with_widget_state``),
    each lesson carries its widget state; its version mark is the lesson's own (a rebuild, whose run makes new
    widget ids, does not make it new to a returning student).
    """
    dest.mkdir(parents=True)
    shipped = {}
    for lesson in sorted(LESSONS.glob("*.ipynb")):
        notebook = joined(json.loads(lesson.read_text()))
        sources = [c["source"] for c in notebook["cells"] if c["cell_type"] == "code"]
        note = site_note(sources, offline)
        if note:
            notebook["cells"].insert(0, note)
        notebook["metadata"].update(kernelspec=LITE_KERNELSPEC, language_info=LITE_LANGUAGE_INFO)
        text = json.dumps(notebook, sort_keys=True, ensure_ascii=False)
        mark = {"version": hashlib.sha256(text.encode()).hexdigest()[:12], "sources": sources_hash(notebook["cells"])}
        notebook["metadata"]["backprop_widgets"] = mark
        shipped[lesson.name] = mark
        ran = runs / lesson.name if runs else None
        if ran and ran.exists():
            notebook = with_widget_state(notebook, json.loads(ran.read_text()))
        (dest / lesson.name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return shipped


def add_lessons_extension(out: Path, shipped: dict[str, dict]) -> None:
    """lite_lessons.js into the site as a prebuilt extension, with the shipped lessons' marks filled in;
    and lite_walks.js."""
    script = (ROOT / "scripts" / "lite_lessons.js").read_text()
    add_extension(out, LESSONS_EXTENSION, script.replace("/*SHIPPED*/ {}", json.dumps(shipped, sort_keys=True)))
    add_extension(out, WALKS_EXTENSION, (ROOT / "scripts" / "lite_walks.js").read_text())
    # the kit's WebAssembly Graphviz beside it: the pictures choose their layout for their cell before the kernel
    vendor = ROOT / "backprop_widgets" / "static" / "vendor"
    for name in ("graphviz.js", "graphviz.LICENSE"):
        shutil.copyfile(vendor / name, out / "extensions" / WALKS_EXTENSION / "static" / name)


def add_extension(out: Path, name: str, script: str) -> None:
    """A plain-JavaScript JupyterLab plugin into the site as a prebuilt extension (no Node.js build)."""
    folder = out / "extensions" / name
    (folder / "static").mkdir(parents=True)
    (folder / "static" / "remoteEntry.js").write_text(script)
    package = {"name": name, "version": "1.0.0", "jupyterlab": {"extension": True}}
    (folder / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    config_path = out / "jupyter-lite.json"
    config = json.loads(config_path.read_text())
    extensions = config["jupyter-config-data"].setdefault("federated_extensions", [])
    extensions.append({"name": name, "load": "static/remoteEntry.js", "extension": "./extension"})
    config_path.write_text(json.dumps(config, indent=2) + "\n")


def build(out: Path, offline: bool, runs: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build_in(Path(tmp), out, offline, runs)


def build_in(tmp: Path, out: Path, offline: bool, runs: Path | None = None) -> None:
    from jupyterlite_pyodide_kernel.constants import PYODIDE_CDN_URL, PYODIDE_PYTHON_VERSION, PYODIDE_VERSION

    project = read_pyproject()["project"]
    npm = pyodide_npm(PYODIDE_VERSION)
    stock = json.loads((npm / "pyodide-lock.json").read_text())
    abi = stock["info"]["abi_version"]

    # The kernel-side wheels: the widget libraries at the versions whose front ends this site
    # ships (the build environment's), the kit's other dependencies as pyproject allows them,
    # and the Pyodide kernel's own wheels as jupyterlite-pyodide-kernel carries them.
    from importlib.metadata import version

    pinned = {normalize(n): f"{n}=={version(n)}" for n in ("anywidget", "ipywidgets", "comm", "psygnal")}
    # Compiled dependencies (numpy, matplotlib, pillow...) exist for Pyodide only on its CDN.
    compiled = {n for n, e in stock["packages"].items() if not e["file_name"].endswith("-none-any.whl")}
    kit_deps, cdn_only = [], set(NEEDS_PYODIDE_CDN)
    for line in project["dependencies"]:
        name = normalize(re.split(r"[<>=!~ ;\[]", line, maxsplit=1)[0])
        if name in compiled or name in NEEDS_PYODIDE_CDN:
            cdn_only.add(name)
        elif name not in pinned:
            kit_deps.append(line)
    kernel_pypi = Path(sys.prefix) / "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"
    local = [w for w in kernel_pypi.glob("*.whl") if not w.name.startswith("widgetsnbextension-3")]

    packages = stock["packages"]
    local.append(kit_wheel(Path(tmp)))
    local += download_wheels([*pinned.values(), *kit_deps], PYODIDE_PYTHON_VERSION, abi, Path(tmp) / "wheels")
    entries = {}
    for wheel in local:
        entry = lock_entry(wheel, wheel.name)
        entries[entry["name"]] = entry
    # The kernel starts with the kit and no numeric stack (lessons 01 and 02 need none of it); it loads a
    # package of the lock when a cell first imports it.
    wanted = KERNEL_PACKAGES + ["backprop-widgets"]
    for entry in entries.values():
        entry["depends"] = [d for d in entry["depends"] if d not in cdn_only]
    if offline:
        # Only what the site ships: the kernel's pure-Python dependencies from the stock lock,
        # at the lock's versions, downloaded from PyPI.  numpy and matplotlib cannot be had.
        needed = closure({**packages, **entries}, wanted) - set(entries)
        missing = sorted(needed & compiled)
        if missing:
            raise SystemExit(f"the kernel needs compiled packages that PyPI has no Pyodide build of: {missing}")
        specs = [f"{packages[n]['name']}=={packages[n]['version']}" for n in sorted(needed)]
        for wheel in download_wheels(specs, PYODIDE_PYTHON_VERSION, abi, Path(tmp) / "wheels"):
            local.append(wheel)
            entry = lock_entry(wheel, wheel.name)
            entry["depends"] = packages[entry["name"]]["depends"]
            entry["imports"] = packages[entry["name"]]["imports"]
            entries[entry["name"]] = entry
        lock_packages = {}
    else:
        lock_packages = {
            name: {**entry, "file_name": f"{PYODIDE_CDN_URL}/{entry['file_name']}"} for name, entry in packages.items()
        }
        # The kit's dashboard and plots use matplotlib and pillow behind a lesson's `import numpy` (lessons 03
        # and 07 import only numpy): in this lock, numpy brings them.
        numpy = lock_packages["numpy"]
        numpy["depends"] = sorted({*numpy["depends"], *cdn_only} - {"numpy"})
    lock_packages.update(entries)
    for entry in lock_packages.values():  # a dependency the site leaves out is not asked for
        entry["depends"] = [d for d in entry["depends"] if normalize(d) in lock_packages]
    lock = {"info": stock["info"], "packages": dict(sorted(lock_packages.items()))}

    # The JupyterLite site: the lab app, the lessons, the extensions of the build environment
    # (the Pyodide kernel, the ipywidgets manager, anywidget).
    lite_dir = Path(tmp) / "lite"
    lite_dir.mkdir()
    contents = Path(tmp) / "lessons"
    shipped = lesson_copies(contents, offline, runs)
    if out.exists():
        shutil.rmtree(out)
    run(
        sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", lite_dir, "--contents", contents,
        "--output-dir", out, "--apps", "lab", "--no-sourcemaps",
        cwd=lite_dir,
    )  # fmt: skip
    add_lessons_extension(out, shipped)

    pyodide_dir = out / "static" / "pyodide"
    pyodide_dir.mkdir(parents=True, exist_ok=True)
    for wheel in local:
        shutil.copy2(wheel, pyodide_dir / wheel.name)
    (pyodide_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    if offline:
        for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide.js"):
            shutil.copy2(npm / name, pyodide_dir / name)
        pyodide_url = "./static/pyodide/pyodide.mjs"
    else:
        pyodide_url = f"{PYODIDE_CDN_URL}/pyodide.mjs"
    settings = {
        "pyodideUrl": pyodide_url,
        "disablePyPIFallback": offline,
        "loadPyodideOptions": {
            "lockFileURL": "./static/pyodide/pyodide-lock.json",
            "packages": sorted(set(wanted)),
        },
    }
    config_path = out / "jupyter-lite.json"
    config = json.loads(config_path.read_text())
    data = config.setdefault("jupyter-config-data", {})
    data.setdefault("litePluginSettings", {})[KERNEL_PLUGIN] = settings
    data["appName"] = "backprop_widgets"
    data["defaultKernelName"] = "python"
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"built {'offline ' if offline else ''}site in {out}: {size / 1e6:.1f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offline", action="store_true", help="only from PyPI and npm (lessons 01-02 complete)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT.relative_to(ROOT)})"
    )
    parser.add_argument("--runs", type=Path, help=argparse.SUPPRESS)  # the lessons run with their widget state
    args = parser.parse_args(argv)
    try:
        import jupyterlite_pyodide_kernel  # noqa: F401

        in_build_env = True
    except ImportError:
        in_build_env = False
    if not in_build_env:  # go on in the build's own environment
        python = build_python()
        command = [str(python), str(Path(__file__).resolve()), *(argv if argv is not None else sys.argv[1:])]
        if "--out" not in command:
            command += ["--out", str(DEFAULT_OUT)]
        with tempfile.TemporaryDirectory() as runs:  # run here, where the kit and its kernel are
            run_with_widget_state(Path(runs))
            raise SystemExit(subprocess.run([*command, "--runs", runs]).returncode)
    build(args.out.resolve(), args.offline, args.runs)


if __name__ == "__main__":
    main()
