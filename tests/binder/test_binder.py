"""The binder/ folder: repo2docker reads it as meant, and a fresh environment made from it alone runs lesson 01."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from packaging.specifiers import SpecifierSet

try:  # tomllib is 3.11+; on 3.10 its backport tomli, if installed
    import tomllib
except ModuleNotFoundError:
    try:
        import tomli as tomllib
    except ModuleNotFoundError:
        tomllib = None

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
LESSON_01 = "lessons/01_*.ipynb"

# What a copy of the repository for building leaves out (local environments, caches, build output).
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-lab",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".hypothesis",
    ".pytest_cache",
    ".ipynb_checkpoints",
    "results",
)


def read_pyproject() -> dict:
    """pyproject.toml as a dict (the checks that need it are skipped on a Python 3.10 without tomli)."""
    if tomllib is None:
        pytest.skip("reading pyproject.toml on Python 3.10 needs tomli")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pinned_python() -> str:
    """The Python version binder/runtime.txt pins, e.g. '3.11'."""
    text = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", text)
    assert match, f"binder/runtime.txt should read python-3.X (a minor version), not {text!r}"
    return match.group(1)


def requirement_lines() -> list[str]:
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


# ---- the files themselves (fast) -------------------------------------------------------------------


def test_runtime_pins_a_python_the_package_supports():
    pyproject = read_pyproject()
    assert pinned_python() in SpecifierSet(pyproject["project"]["requires-python"])


def test_requirements_install_this_repository_with_jupyterlab():
    lines = requirement_lines()
    local = [line for line in lines if re.fullmatch(r"(-e\s+)?\.(\[[\w,]+\])?", line)]
    assert local, f"binder/requirements.txt must install the repository itself ('.' or '.[lab]'), has {lines}"
    extras = re.findall(r"\[([\w,]+)\]", local[0])
    pyproject = read_pyproject()
    installed = list(lines)
    for extra in extras[0].split(",") if extras else []:
        installed += pyproject["project"]["optional-dependencies"][extra]
    assert any(re.match(r"jupyterlab\b", req) for req in installed), "the binder needs JupyterLab"


# ---- repo2docker, without Docker ------------------------------------------------------------------------


def repo2docker() -> str:
    found = Path(sys.executable).with_name("jupyter-repo2docker")
    if found.exists():
        return str(found)
    on_path = shutil.which("jupyter-repo2docker")
    if on_path is None:
        pytest.fail("jupyter-repo2docker is not installed: pip install -e '.[test]'")
    return on_path


@pytest.mark.slow
def test_repo2docker_plans_the_pinned_python_and_installs_the_requirements_from_the_repository():
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock")  # proves no Docker daemon is needed
    run = subprocess.run(
        [repo2docker(), "--no-build", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    log = run.stdout + run.stderr
    assert run.returncode == 0, log
    version = pinned_python()
    assert f"python={version}" in log
    dockerfile = run.stdout
    # the lock file of the pinned Python's conda environment, its name escaped ('.' is -2e, '-' is -2d)
    lock = "environment-2epy-2d" + version.replace(".", "-2e") + "-2d"
    assert lock in dockerfile, "the conda environment of the pinned Python"
    install = 'pip install --no-cache-dir -r "binder/requirements.txt"'
    assert install in dockerfile
    # the install runs in the repository's folder after the whole repository was copied in, so "." is the repo
    workdir = dockerfile.index("WORKDIR ${REPO_DIR}")
    copy_all = re.search(r"COPY --chown=\S+ src/ \$\{REPO_DIR\}/", dockerfile)
    assert copy_all and workdir < copy_all.start() < dockerfile.index(install)
    assert "pip install --no-cache-dir .\n" not in dockerfile  # binder/ decides, not pyproject.toml


# ---- a fresh environment made from binder/requirements.txt alone ------------------------------------------------


def base_python() -> str:
    """The pinned Python if this machine has it, else the one running the tests."""
    return shutil.which(f"python{pinned_python()}") or sys.executable


def clean_env(venv: Path, home: Path) -> dict:
    """An environment that sees only ``venv``: no PYTHONPATH, no user Jupyter kernels or config."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        JUPYTER_PREFER_ENV_PATH="1",
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        # An index pip cannot reach (PyTorch's, where only the package registries are reachable) is tried once
        # per package, not five times: it then takes what the other indexes hold, at once.
        PIP_RETRIES="0",
    )
    return env


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """A copy of the repository and a new virtual environment with ``pip install -r binder/requirements.txt``
    run from the copy's root (as repo2docker runs it), and nothing else."""
    base = tmp_path_factory.mktemp("binder")
    repo, venv = base / "repo", base / "venv"
    shutil.copytree(ROOT, repo, ignore=NOT_COPIED)
    subprocess.run([base_python(), "-m", "venv", str(venv)], check=True, timeout=300)
    env = clean_env(venv, base)
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return {"repo": repo, "venv": venv, "env": env, "base": base}


def execute(notebook: Path, binder_env: dict) -> nbformat.NotebookNode:
    """Run every cell of ``notebook`` in the binder environment's own Jupyter; return the executed notebook."""
    out_dir = binder_env["base"] / "executed"
    run = subprocess.run(
        [
            str(binder_env["venv"] / "bin" / "jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=600",
            "--ExecutePreprocessor.kernel_name=python3",
            "--output-dir",
            str(out_dir),
            str(notebook),
        ],
        env=binder_env["env"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert run.returncode == 0, f"{notebook.name} failed in the binder environment:\n{run.stderr[-5000:]}"
    executed = nbformat.read(out_dir / notebook.name, as_version=4)
    errors = [o for cell in executed.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, json.dumps(errors, indent=1)[:5000]
    return executed


STAND_IN = [
    "import sys, backprop_widgets\nprint(sys.executable)\nprint(backprop_widgets.__file__)",
    "import importlib.util\n"
    "import anywidget, graphviz, ipywidgets, matplotlib, numpy\n"
    "# Binder installs no pygraphviz: the pictures are laid out in the browser\n"
    "assert importlib.util.find_spec('pygraphviz') is None\n"
    "from backprop_widgets import Value, draw\n"
    "assert draw(Value(2.0) * 3).cells\n"
    "x = Value(1.0, label='x')\n"
    "g = (4 * x + 1) ** 2\n"
    "g.backward()\n"
    "assert (g.data, x.grad) == (25.0, 40.0)\n"
    "g",
    "from backprop_widgets.exercises import lesson01 as ex\nex.sigmoid_slope_at_0.assert_correct(0.25)",
]


@pytest.mark.slow
def test_a_stand_in_notebook_runs_in_the_binder_environment(binder_env, tmp_path):
    """Until lesson 01 exists, this shows the environment works: the kit imports from the installed copy."""
    notebook = tmp_path / "stand_in.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in STAND_IN])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebook)
    executed = execute(notebook, binder_env)
    python, package = executed.cells[0].outputs[0]["text"].split()
    assert python.startswith(str(binder_env["venv"])), "the kernel must be the binder environment's Python"
    # the notebook runs in its own folder, so the kit can only come from what the requirements installed
    assert package.startswith((str(binder_env["venv"]), str(binder_env["repo"])))
    assert "Value(data=25" in executed.cells[1].outputs[0]["data"]["text/plain"]


@pytest.mark.slow
def test_lesson_10_runs_with_pytorchs_cpu_build_in_the_binder_environment(binder_env):
    """Lesson 10 steps PyTorch's own graph: Binder installs PyTorch, its CPU build, and the lesson runs."""
    run = subprocess.run(
        [str(binder_env["venv"] / "bin" / "python"), "-c", "import torch; print(torch.__version__)"],
        env=binder_env["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and run.stdout.strip().endswith("+cpu"), run.stdout + run.stderr
    [lesson] = sorted(binder_env["repo"].glob("lessons/10_*.ipynb"))
    execute(lesson, binder_env)


@pytest.mark.slow
def test_lesson_01_runs_in_the_binder_environment(request):
    lessons = sorted(ROOT.glob(LESSON_01))
    if not lessons:  # said before the environment is built, so the message comes at once
        pytest.fail(
            f"no {LESSON_01} in the repository: the binder test runs lesson 01 in an environment made from "
            "binder/requirements.txt alone, so the lesson must exist (lessons/01_sigmoid_tree.ipynb)"
        )
    binder_env = request.getfixturevalue("binder_env")
    execute(binder_env["repo"] / lessons[0].relative_to(ROOT), binder_env)
