"""In-process layout: no `dot` program needed, C-library warnings silenced, a clear message without Graphviz."""

import pathlib
import shutil
import subprocess
import sys

import graphviz
import pytest

from backprop_widgets.render import RenderError, SvgPicture, backend, layout, render_svg

needs_static = pytest.mark.skipif(backend() is None, reason="static pictures need pygraphviz or a dot program")


def draw(root):
    return SvgPicture(root, show_grad=None)


TESTS = str(pathlib.Path(__file__).parent)

NO_DOT_SCRIPT = """
import shutil, sys
sys.path.insert(0, {tests!r})
assert shutil.which("dot") is None, "a dot program is on PATH"
from render_graphs import make_ab_bc
from backprop_widgets.render import backend, SvgPicture
f, _ = make_ab_bc()
print(backend())
print(SvgPicture(f).svg)
"""


@needs_static
def test_draws_with_no_dot_program_on_path(tmp_path):
    """The picture appears after `pip install` alone, and nothing lands on stderr (fontconfig...)."""
    script = NO_DOT_SCRIPT.format(tests=TESTS)
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": str(tmp_path), "HOME": str(tmp_path)},
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("pygraphviz\n<svg")
    assert ">14</text>" in run.stdout and ">f</text>" in run.stdout
    assert run.stderr == ""


QUIET_SCRIPT = """
import os, sys, warnings
from backprop_widgets.render.layout import quiet_stderr
with quiet_stderr():
    os.write(2, b"from C\\n")
    print("from Python", file=sys.stderr)
    warnings.warn("a warning")
os.write(2, b"after\\n")
"""


def test_quiet_stderr_silences_file_descriptor_2_and_restores_it():
    run = subprocess.run([sys.executable, "-c", QUIET_SCRIPT], capture_output=True, text=True)
    assert run.returncode == 0
    assert run.stderr == "after\n"


@needs_static
def test_render_svg_in_process():
    svg = render_svg('digraph { a -> b [id="e1"] }')
    assert "<svg" in svg and 'id="e1"' in svg


@needs_static
def test_bad_dot_is_a_render_error():
    with pytest.raises(RenderError):
        render_svg("digraph { a -> ")


def test_fallback_uses_the_dot_program_through_the_graphviz_package(monkeypatch):
    calls = []

    def fake_pipe(self, format=None, encoding=None, quiet=False, **kwargs):
        calls.append((self.source.strip(), self.engine, format, quiet))
        return "<svg>drawn by a dot program</svg>"

    monkeypatch.setattr(layout, "_load_pygraphviz", lambda: None)
    monkeypatch.setattr(graphviz.Source, "pipe", fake_pipe)
    assert render_svg("digraph { a }") == "<svg>drawn by a dot program</svg>"
    assert calls == [("digraph { a }", "dot", "svg", True)]


def test_neither_pygraphviz_nor_dot_gives_a_clear_message(monkeypatch, tmp_path, ab_bc):
    from backprop_widgets.render import view

    monkeypatch.setattr(view, "_TEMPLATES", type(view._TEMPLATES)())  # no layout kept from earlier tests
    monkeypatch.setattr(layout, "_load_pygraphviz", lambda: None)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert backend() is None
    with pytest.raises(RenderError, match="pip install pygraphviz"):
        render_svg("digraph { a }")
    with pytest.raises(RenderError, match="pip install pygraphviz"):
        draw(ab_bc[0])


@pytest.mark.skipif(shutil.which("dot") is None, reason="no dot program installed (not needed)")
def test_fallback_with_a_real_dot_program(monkeypatch, ab_bc):
    from backprop_widgets.render import view

    monkeypatch.setattr(layout, "_load_pygraphviz", lambda: None)
    monkeypatch.setattr(view, "_TEMPLATES", type(view._TEMPLATES)())
    assert ">14</text>" in draw(ab_bc[0]).svg


@needs_static
def test_a_big_layout_runs_in_a_subprocess_and_fails_there_cleanly():
    svg = render_svg("digraph { a -> b }", isolate=True)
    assert svg.startswith("<?xml") and "</svg>" in svg
    with pytest.raises(RenderError, match="could not draw"):
        render_svg("digraph { a -> }", isolate=True)


@pytest.mark.skipif(layout._load_pygraphviz() is None, reason="pygraphviz is optional")
def test_backend_is_pygraphviz_here():
    assert backend() == "pygraphviz"
