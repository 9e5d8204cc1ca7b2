"""`make lab`'s JupyterLab, a student's environment (.venv-lab), shows the lessons and no grading or test tools.

The environment is the one `make lab` made (``.venv-lab``), or ``$BPW_LAB_PYTHON``; without either the
test makes one as `make lab` does (its pip install, read from the Makefile, into a new virtual environment).
The same page of the test environment (every extra) shows nbgrader's menu, which proves the checks can fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ..test_student_view import student_installs
from .lab_harness import WIDGETS_EXTENSION, JupyterLabServer, Lab, LabSession

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "lessons" / "01_sigmoid_tree.ipynb"
GRADING_WORDS = ("nbgrader", "validate", "create assignment")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def student_python(tmp_path_factory) -> str:
    named = os.environ.get("BPW_LAB_PYTHON")
    if named:
        return named
    if (ROOT / ".venv-lab" / ".installed").exists():
        return str(ROOT / ".venv-lab" / "bin" / "python")
    venv = tmp_path_factory.mktemp("student") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / "bin" / "python")
    # PIP_RETRIES: an index pip cannot reach (PyTorch's, where only the package registries are) is tried once.
    env = dict(os.environ, PIP_RETRIES="0")
    for install in student_installs(ROOT):
        subprocess.run([python, "-m", "pip", "install", *install], check=True, timeout=1200, env=env)
    return python


@pytest.fixture(scope="module")
def student_server(student_python, chromium_executable):
    workdir = Path(tempfile.mkdtemp(prefix="bpw-student-"))
    server = JupyterLabServer(workdir, python=student_python)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def what_the_page_offers(lab: Lab) -> dict[str, list[str]]:
    """The menus, the notebook's toolbar and the side panels' tabs, once lesson 01 is open."""
    notebook = lab.open(lab.add_notebook(LESSON), new_tab=True)
    page = notebook.page
    page.wait_for_selector("#jp-MainMenu .lm-MenuBar-itemLabel")
    return {
        "menus": page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts(),
        "toolbar": notebook.panel.locator(".jp-Toolbar").first.inner_text().split("\n"),
        "tabs": page.locator(".lm-TabBar-tab").evaluate_all(
            "tabs => tabs.map(t => (t.getAttribute('title') || t.innerText).split('\\n')[0])"
        ),
    }


def grading_tools(offered: dict[str, list[str]]) -> list[str]:
    return [item for items in offered.values() for item in items if any(w in item.lower() for w in GRADING_WORDS)]


def test_the_student_lab_shows_no_grading_or_test_tools(student_server, lab_session, browser_artifact_dir):
    extensions = student_server.lab_extensions()
    assert WIDGETS_EXTENSION in extensions and "anywidget" in extensions
    assert not [e for e in extensions if "nbgrader" in e or "notebook" in e], extensions
    student = Lab(LabSession(student_server, lab_session.context), browser_artifact_dir)
    try:
        offered = what_the_page_offers(student)
        assert "Kernel" in offered["menus"] and "Code" in offered["toolbar"], offered
        assert grading_tools(offered) == [], offered
        student.notebooks[0].page.screenshot(path=str(browser_artifact_dir / "student-lab.png"))
    finally:
        student.close_all()


def test_the_test_environment_does_show_them(jupyter_server, lab):
    if not [e for e in jupyter_server.lab_extensions() if "nbgrader" in e]:
        pytest.skip("the test environment has no nbgrader (pip install -e '.[grading]')")
    try:
        offered = what_the_page_offers(lab)
    finally:
        lab.close_all()
    assert {"Nbgrader", "Validate"} <= set(grading_tools(offered)), offered
