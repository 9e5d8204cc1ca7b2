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


def test_make_lab_installs_only_what_the_lessons_need_in_an_environment_of_its_own():
    makefile = (ROOT / "Makefile").read_text()
    lab = re.search(r"^lab: \$\((\w+)\)\n\t\$\((\w+)\)/jupyter lab ", makefile, re.M)
    assert lab, "make lab should run jupyter lab from an environment of its own"
    stamp, bin_dir = lab.groups()
    venv = re.search(rf"^{bin_dir}\s*:= \$\((\w+)\)/bin$", makefile, re.M)[1]
    assert re.search(rf"^{venv}\s*:= \.venv-lab$", makefile, re.M)
    recipe = re.search(rf"^\$\({stamp}\): pyproject.toml\n((?:\t.*\n)+)", makefile, re.M)[1]
    installed = re.findall(r'pip install --quiet -e "\.\[([\w,]+)\]"', recipe)
    assert [set(extras.split(",")) for extras in installed] == [STUDENT_EXTRAS], recipe


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
