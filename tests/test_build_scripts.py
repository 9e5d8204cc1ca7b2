"""scripts/build_site.py and scripts/build_book.py: the parts that need neither a browser nor a download."""

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_build_reads_its_pins_on_python_3_10_without_tomli(monkeypatch):
    tomllib = pytest.importorskip("tomllib")  # the reference reading (Python 3.11+)
    site = load("build_site")
    pins = tomllib.loads((site.ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["site"]
    assert site.read_pyproject()["project"]["optional-dependencies"]["site"] == pins
    monkeypatch.setitem(sys.modules, "tomllib", None)  # as on 3.10, where neither can be imported
    monkeypatch.setitem(sys.modules, "tomli", None)
    assert site.read_pyproject()["project"]["optional-dependencies"]["site"] == pins
    assert any(pin.startswith("tomli") and "python_version < '3.11'" in pin for pin in pins)  # then in its env


def test_the_book_drops_widget_views_only_where_a_copy_shows_instead():
    book = load("build_book")
    view = {"model_id": "x", "version_major": 2, "version_minor": 0}
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data",
                        data={"application/vnd.jupyter.widget-view+json": view, "text/html": "<p>walk</p>"},
                    ),
                    nbformat.v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json": view}),
                    nbformat.v4.new_output(
                        "display_data",
                        data={
                            "application/vnd.jupyter.widget-view+json": view,
                            "text/plain": "Explorer('x^2', x=1)",
                            "image/svg+xml": "<svg>x</svg>",
                        },
                    ),
                    nbformat.v4.new_output(
                        "display_data",
                        data={"application/vnd.jupyter.widget-view+json": view, "text/plain": "GraphView(3 nodes)"},
                    ),
                ],
            )
        ],
        metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {}}},
    )
    book.static_outputs(notebook)
    first, second, explorer, picture = notebook.cells[0].outputs
    assert list(first.data) == ["text/html"] and "application/vnd.jupyter.widget-view+json" in second.data
    html = explorer.data["text/html"]  # its picture, then why its sliders are not here
    assert html.startswith("<svg>x</svg>") and "Explorer(&#x27;x^2&#x27;, x=1): its controls need Python" in html
    assert "text/html" not in picture.data  # a plain picture needs no sentence
    assert "widgets" not in notebook.metadata


def test_the_offline_note_speaks_to_students_and_only_where_numpy_is_needed(tmp_path):
    import json

    site = load("build_site")
    site.lesson_copies(tmp_path / "lessons", offline=True)
    copies = tmp_path / "lessons"
    noted = {
        path.name
        for path in copies.glob("*.ipynb")
        if json.loads(path.read_text())["cells"][0].get("id") == "bpw-offline-note"
    }
    assert {"01_sigmoid_tree.ipynb", "02_gradients_add_at_branches.ipynb"}.isdisjoint(noted)
    assert {"03_two_layer_network.ipynb", "06_pitfalls.ipynb", "09_your_own_engine.ipynb"} <= noted
    note = json.loads((copies / "10_into_pytorch.ipynb").read_text())["cells"][0]["source"]
    assert "without numpy and PyTorch, which this lesson needs" in note
    assert note.startswith("**You can read this lesson here")
    assert not any(word in note for word in ("build_site", "--offline", "Pyodide"))  # no build talk
    assert site.missing_offline(["x = audit_engine(Value)"]) == ["hypothesis"]


def test_online_only_the_pytorch_lesson_says_it_cannot_run_in_the_browser(tmp_path):
    import json

    site = load("build_site")
    site.lesson_copies(tmp_path / "lessons", offline=False)
    firsts = {path.name: json.loads(path.read_text())["cells"][0] for path in (tmp_path / "lessons").glob("*.ipynb")}
    noted = {name for name, cell in firsts.items() if cell.get("id") == "bpw-browser-note"}
    assert noted == {"10_into_pytorch.ipynb"}
    note = firsts["10_into_pytorch.ipynb"]["source"]
    assert note.startswith("**You can read this lesson here, but not run it.** It needs PyTorch")
    assert "Binder" in note and "make lab" in note
    assert not any(cell.get("id") == "bpw-offline-note" for cell in firsts.values())


def test_the_sites_lessons_carry_the_browser_kernels_spec_joined_text_and_their_marks(tmp_path):
    """Opening a lesson in JupyterLite changes nothing; its text renders as one string; the plugin can tell
    a student's unchanged copy by the hash of its sources."""
    import json

    site = load("build_site")
    shipped = site.lesson_copies(tmp_path / "lessons", offline=False)
    lesson = json.loads((tmp_path / "lessons" / "03_two_layer_network.ipynb").read_text())
    assert lesson["metadata"]["kernelspec"] == site.LITE_KERNELSPEC
    assert lesson["metadata"]["language_info"] == site.LITE_LANGUAGE_INFO
    assert lesson["metadata"]["backprop_widgets"] == shipped["03_two_layer_network.ipynb"]
    assert shipped["03_two_layer_network.ipynb"]["sources"] == site.sources_hash(lesson["cells"])
    outputs = [o for c in lesson["cells"] for o in c.get("outputs", [])]
    assert all(isinstance(c["source"], str) for c in lesson["cells"])
    assert all(isinstance(o["text"], str) for o in outputs if "text" in o)
    assert all(isinstance(o["data"]["text/html"], str) for o in outputs if "text/html" in o.get("data", {}))
    widgets = [o["data"] for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets and all(isinstance(d["application/vnd.jupyter.widget-view+json"], dict) for d in widgets)
    # the same hash as lite_lessons.js gives (node: sourcesHash of these cells, one source a list of lines)
    cells = [{"cell_type": "markdown", "source": "é𝑥"}, {"cell_type": "code", "source": "a\nb"}]
    assert site.sources_hash(cells) == "420db10e"
    changed = json.loads(json.dumps(lesson["cells"]))
    changed[5]["source"] += " "
    assert site.sources_hash(changed) != site.sources_hash(lesson["cells"])


def test_the_sites_lessons_take_the_walks_of_a_run_keeping_their_outputs_and_marks(tmp_path):
    """What lite_walks.js draws of a run's widget state goes under the kit's key (not "widgets", which JupyterLab's
    manager would load): the shown widgets holding a walk and what they refer to, nothing else; the widget outputs
    point at the run's models, the rest of the stored outputs and the version mark stay; a run of the lesson's first
    cells is enough; a run whose outputs are not the stored ones' gives no state."""
    import copy
    import json

    site = load("build_site")
    view = "application/vnd.jupyter.widget-view+json"
    stored = {
        "metadata": {},
        "cells": [
            {"cell_type": "markdown", "source": "# A lesson", "metadata": {}},
            {"cell_type": "code", "source": "s = Stepper()\nprint('a'); print('b')\ns", "metadata": {}, "outputs": [
                {"output_type": "stream", "name": "stdout", "text": "a\nb\n"},
                {"output_type": "execute_result", "data": {"text/plain": "Stepper()", view: {"model_id": "old"}}},
            ]},
            {"cell_type": "code", "source": "g = GraphView()\ng", "metadata": {}, "outputs": [
                {"output_type": "execute_result", "data": {"text/plain": "GraphView()", view: {"model_id": "old2"}}},
            ]},
            {"cell_type": "code", "source": "print('not run')", "metadata": {}, "outputs": []},
        ],
    }  # fmt: skip
    assert [site.shows_widget(c) for c in stored["cells"]] == [False, True, True, False]
    ran = copy.deepcopy(stored)
    ran["cells"][1]["outputs"][:1] = [{"output_type": "stream", "name": "stdout", "text": t} for t in ("a\n", "b\n")]
    ran["cells"][1]["outputs"][2]["data"][view]["model_id"] = "new"
    ran["cells"][2]["outputs"][0]["data"][view]["model_id"] = "new2"
    del ran["cells"][3]  # the cells after the last widget are not run
    layout = {"model_name": "LayoutModel", "state": {"display": "none", "width": None}}
    walk = {"svg": "<svg/>", "steps": [{"cells": {}}]}
    front = {"model_name": "AnyModel", "state": {"_esm": "export default {}"}}
    picture = {"model_name": "AnyModel", "state": {"replay": walk, "_esm": "graph", "front_end": "IPY_MODEL_f"}}
    box = {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_p", "IPY_MODEL_s"], "layout": "IPY_MODEL_l"}}
    image = {"model_name": "ImageModel", "state": {"description": "x", "value": {}, "_dom_classes": ["a"]},
              "buffers": [{"path": ["value"], "data": "iVBOR", "encoding": "base64"}]}  # fmt: skip
    other = {"model_name": "AnyModel", "state": {"dot": "digraph {}", "_esm": "graph", "front_end": "IPY_MODEL_f"}}
    models = {
        "l": layout,
        "f": front,
        "p": picture,
        "s": image,
        "new": box,
        "new2": other,
        "unused": copy.deepcopy(layout),
    }
    ran["metadata"]["widgets"] = {site.STATE_MIME: {"state": models}}

    shown = site.with_widget_state(copy.deepcopy(stored), copy.deepcopy(ran))
    assert "widgets" not in shown["metadata"]
    assert shown["metadata"][site.WALKS_KEY]["models"] == {
        "new": box, "p": {"model_name": "AnyModel", "state": {"replay": walk, "front_end": "IPY_MODEL_f"}},
        "f": front, "l": {"model_name": "LayoutModel", "state": {"display": "none"}},
        "s": {"model_name": "ImageModel", "state": {"description": "x", "_dom_classes": ["a"]}},
        "new2": {"model_name": "AnyModel", "state": {"dot": "digraph {}", "front_end": "IPY_MODEL_f"}},  # draw(g)
    }  # fmt: skip
    # where a copy run in the browser finds the walk: code cell 0, its widget output 0 (printed text not counted)
    assert shown["metadata"][site.WALKS_KEY]["places"] == [
        [0, 0, stored["cells"][1]["source"], "new"], [1, 0, stored["cells"][2]["source"], "new2"]]  # fmt: skip
    assert shown["cells"][1]["outputs"][0] == stored["cells"][1]["outputs"][0]  # the stored text, unsplit
    assert shown["cells"][1]["outputs"][1]["data"][view] == {"model_id": "new"}
    assert shown["cells"][3] == stored["cells"][3]

    noted = copy.deepcopy(stored)  # offline, a lesson that needs numpy opens with a note the run did not have
    noted["cells"].insert(0, {"cell_type": "markdown", "source": "You can read this lesson here", "metadata": {}})
    assert site.WALKS_KEY in site.with_widget_state(noted, copy.deepcopy(ran))["metadata"]

    unlike = copy.deepcopy(ran)
    unlike["cells"][1]["outputs"].pop()
    assert site.with_widget_state(copy.deepcopy(stored), unlike) == stored
    no_walk = copy.deepcopy(ran)
    no_walk["metadata"]["widgets"][site.STATE_MIME]["state"]["p"]["state"]["replay"] = None
    del no_walk["metadata"]["widgets"][site.STATE_MIME]["state"]["new2"]["state"]["dot"]  # nor a picture of its own
    assert site.with_widget_state(copy.deepcopy(stored), no_walk) == stored

    (tmp_path / "runs").mkdir()
    name = "01_sigmoid_tree.ipynb"
    lesson = json.loads((site.LESSONS / name).read_text())
    first = next(
        o["data"][view]["model_id"] for c in lesson["cells"] for o in c.get("outputs", []) if view in o.get("data", {})
    )
    models[first] = models.pop("new")  # the run showed the lesson's first widget: a stepper
    (tmp_path / "runs" / name).write_text(json.dumps({**lesson, "metadata": {**lesson["metadata"], **ran["metadata"]}}))
    marks = site.lesson_copies(tmp_path / "plain", offline=False)
    with_runs = site.lesson_copies(tmp_path / "walks", offline=False, runs=tmp_path / "runs")
    assert with_runs == marks  # a rebuild's new widget ids do not make a lesson new to a returning student
    assert site.WALKS_KEY in json.loads((tmp_path / "walks" / name).read_text())["metadata"]


def test_the_site_carries_the_walks_plugin_and_the_kits_webassembly_graphviz_beside_it(tmp_path):
    """lite_walks.js fetches graphviz.js beside itself and hands it to the front end in the kernel's own message."""
    import json
    import re

    from backprop_widgets.render.protocol import MESSAGES

    site = load("build_site")
    (tmp_path / "jupyter-lite.json").write_text(json.dumps({"jupyter-config-data": {}}))
    site.add_lessons_extension(tmp_path, {})
    static = tmp_path / "extensions" / site.WALKS_EXTENSION / "static"
    vendor = site.ROOT / "backprop_widgets" / "static" / "vendor" / "graphviz.js"
    assert (static / "graphviz.js").read_bytes() == vendor.read_bytes()
    assert (static / "graphviz.LICENSE").exists()
    script = (static / "remoteEntry.js").read_text()
    assert "new URL('graphviz.js', document.currentScript.src)" in script
    assert re.search(r"const GRAPHVIZ = '([^']+)'", script)[1] == MESSAGES["graphviz"]
    names = [e["name"] for e in json.loads((tmp_path / "jupyter-lite.json").read_text())["jupyter-config-data"][
        "federated_extensions"]]  # fmt: skip
    assert names == [site.LESSONS_EXTENSION, site.WALKS_EXTENSION]
