"""What a student sees: lessons/ holds only the lessons (nbval's settings live outside it, its markers are
cell tags), and `make lab` installs only what the lessons need (tests/browser/test_student_lab.py opens it)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))


STUDENT_EXTRAS = {"lab", "static"}
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"  # PyTorch's CPU builds (PyPI's Linux wheels are CUDA builds)


def _make_lab_recipe() -> tuple[str, str]:
    """The Makefile, and the recipe of the environment `make lab` runs JupyterLab from."""
    makefile = (ROOT / "Makefile").read_text()
    lab = re.search(r"^lab: \$\((\w+)\)\n\t\$\((\w+)\)/jupyter lab ", makefile, re.M)
    assert lab, "make lab should run jupyter lab from an environment of its own"
    stamp, bin_dir = lab.groups()
    venv = re.search(rf"^{bin_dir}\s*:= \$\((\w+)\)/bin$", makefile, re.M)[1]
    assert re.search(rf"^{venv}\s*:= \.venv-lab$", makefile, re.M)
    return makefile, re.search(rf"^\$\({stamp}\): pyproject.toml\n((?:\t.*\n)+)", makefile, re.M)[1]


def student_installs(root: Path) -> list[list[str]]:
    """What `make lab` hands each ``pip install`` for the student's environment (pip's own upgrade left out),
    with the repository at ``root``."""
    makefile, recipe = _make_lab_recipe()
    installs = []
    for line in recipe.splitlines():
        if "pip install" not in line or "--upgrade pip" in line:
            continue
        expanded: list[str] = []
        for word in line.split("pip install", 1)[1].split():
            variable = re.fullmatch(r"\$\((\w+)\)", word)
            if variable:
                expanded += re.search(rf"^{variable[1]}\s*:= (.*)$", makefile, re.M)[1].split()
            else:
                word = word.strip('"')
                expanded.append(f"{root}{word[1:]}" if word.startswith(".") else word)  # "." is the repository
        installs.append(expanded)
    return installs


def _pinned_torch(words: list[str]) -> list[str]:
    return [w for w in words if re.match(r"torch\b", w)]


def test_make_lab_installs_only_what_the_lessons_need_in_an_environment_of_its_own():
    _, recipe = _make_lab_recipe()
    installed = re.findall(r'pip install --quiet -e "\.\[([\w,]+)\]"', recipe)
    assert [set(extras.split(",")) for extras in installed] == [STUDENT_EXTRAS], recipe


def test_lesson_10s_pytorch_is_the_cpu_build_of_the_release_the_tests_pin_in_make_lab_and_on_binder():
    """Lesson 10 imports torch: `make lab` and Binder install it, the release whose numbers the lesson stores."""
    assert any("import torch" in "".join(c["source"]) for c in json.loads(LESSONS[-1].read_text())["cells"])
    pyproject = (ROOT / "pyproject.toml").read_text()
    tested = re.search(r'^\s*"(torch==[\d.]+)"', pyproject, re.M)[1]
    kit, torch = student_installs(ROOT)
    binder = [line.strip() for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()]
    # the kit first, then PyTorch alone from PyTorch's index (asked for nothing else)
    assert not _pinned_torch(kit) and TORCH_INDEX not in kit, kit
    assert _pinned_torch(torch) == [tested] and torch[-2:] == ["--index-url", TORCH_INDEX], torch
    assert _pinned_torch(binder) == [tested] and f"--extra-index-url {TORCH_INDEX}" in binder, binder


def test_the_lessons_folder_holds_only_lessons():
    assert LESSONS and {p.name for p in (ROOT / "lessons").iterdir() if not p.name.startswith(".")} == {
        p.name for p in LESSONS
    }


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.name for p in LESSONS])
def test_output_markers_are_cell_tags_not_code(lesson):
    cells = [c for c in json.loads(lesson.read_text())["cells"] if c["cell_type"] == "code"]
    assert not [c["source"][:1] for c in cells if "NBVAL" in "".join(c["source"])]
    tags = {tag for c in cells for tag in c["metadata"].get("tags", [])}
    assert tags <= {"nbval-ignore-output"}, tags


def _notebook(tags: list[str]) -> dict:
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "c1",
        "metadata": {"tags": tags},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": ["not what it prints\n"]}],
        "source": ["print(1 + 1)"],
    }
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return {"cells": [cell], "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.slow
def test_nbval_honours_the_ignore_output_tag(tmp_path):
    """The same wrong stored output fails nbval without the tag and passes with it."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # not this repository's settings
    results = {}
    for name, tags in (("tagged", ["nbval-ignore-output"]), ("plain", [])):
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps(_notebook(tags)))
        run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env"]
        done = subprocess.run([*run, str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        results[name] = done.returncode
    assert results == {"tagged": 0, "plain": 1}, results
