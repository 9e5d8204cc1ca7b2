"""The grader's intake and output cleaning without nbgrader: what is read from a hand-in folder, what is shown."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from backprop_widgets.grading.intake import MAX_BYTES, stage
from backprop_widgets.grading.sanitize import SanitizeOutputs, clean_html, clean_output

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "assignments" / "source"


@pytest.fixture
def course(tmp_path) -> Path:
    (tmp_path / "source" / "sigmoid_tree").mkdir(parents=True)
    (tmp_path / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb").write_bytes(
        (SOURCE / "sigmoid_tree" / "sigmoid_tree.ipynb").read_bytes()
    )
    (tmp_path / "submitted").mkdir()
    return tmp_path


def handed_in(course: Path, student: str) -> Path:
    folder = course / "submitted" / student / "sigmoid_tree"
    folder.mkdir(parents=True)
    return folder


def staged(course: Path, students: list[str]):
    return stage(course / "submitted", course / "source", students, ["sigmoid_tree"], course / "staged")


def test_only_regular_notebooks_are_read_and_links_are_never_followed(course):
    source = course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb"
    honest = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('STUDENT_ID = "ann"')])
    nbformat.write(honest, handed_in(course, "ann") / "sigmoid_tree.ipynb")
    (course / "submitted" / "ann" / "sigmoid_tree" / "notes.txt").symlink_to(source)
    (handed_in(course, "ben") / "sigmoid_tree.ipynb").symlink_to(source)
    os.link(source, handed_in(course, "cat") / "sigmoid_tree.ipynb")
    (course / "submitted" / "dov").mkdir()
    (course / "submitted" / "dov" / "sigmoid_tree").symlink_to(course / "submitted" / "ann" / "sigmoid_tree")
    (course / "submitted" / "eli").symlink_to(course / "submitted" / "ann")
    (handed_in(course, "fay") / "sigmoid_tree.ipynb").write_bytes(b"{" + b" " * (MAX_BYTES + 1))
    os.mkfifo(handed_in(course, "gus") / "sigmoid_tree.ipynb")
    (handed_in(course, "hal") / "sigmoid_tree.ipynb").write_text('{"not": "a notebook"}')
    result = staged(course, ["ann", "ben", "cat", "dov", "eli", "fay", "gus", "hal"])
    reasons = {student: reason for (student, _, _), reason in result.refusals.items()}
    assert "ann" not in reasons
    assert reasons["ben"] == "sigmoid_tree.ipynb is a symbolic link, not a file"
    assert reasons["cat"].startswith("sigmoid_tree.ipynb is a hard link")
    assert reasons["dov"] == "the folder sigmoid_tree/ is a symbolic link"
    assert reasons["eli"] == "the folder eli/ is a symbolic link"
    assert "over the limit of 20 MB" in reasons["fay"]
    assert reasons["gus"] == "sigmoid_tree.ipynb is not a regular file"
    assert reasons["hal"].startswith("sigmoid_tree.ipynb cannot be read as a notebook")
    assert result.ignored["ann", "sigmoid_tree"] == ["notes.txt"]
    copy = result.root / "ann" / "sigmoid_tree"
    assert sorted(p.name for p in copy.iterdir()) == ["sigmoid_tree.ipynb"]
    assert not (copy / "sigmoid_tree.ipynb").is_symlink()
    # a refused hand-in is graded as the source with its answers emptied: no solution in it
    blank = (result.root / "ben" / "sigmoid_tree" / "sigmoid_tree.ipynb").read_text()
    assert "BEGIN SOLUTION" not in blank and "BEGIN HIDDEN TESTS" in blank  # tests come back from the source
    assert source.read_bytes() == (SOURCE / "sigmoid_tree" / "sigmoid_tree.ipynb").read_bytes()


def test_clean_html_keeps_text_and_data_images_and_drops_what_runs_or_loads():
    html = (
        '<p onclick="x()">Hi <a href="javascript:alert(1)">a</a> <a href="https://example.org">b</a></p>'
        '<img src="data:image/png;base64,iVBORw0KGgo="><img src="//evil.example/x.png"><img srcset="http://e/x 1x">'
        '<svg><script>alert(1)</script></svg><iframe src="https://e"></iframe><style>body{}</style>'
        "<div style=\"background:url('http://e/x')\">s</div>"
    )
    cleaned = clean_html(html)
    for gone in ("onclick", "javascript:", "evil.example", "srcset", "<script", "<iframe", "<style", "url("):
        assert gone not in cleaned, (gone, cleaned)
    assert 'href="https://example.org"' in cleaned and "data:image/png;base64" in cleaned and "Hi" in cleaned


def test_clean_output_keeps_safe_kinds_and_says_what_it_dropped():
    output = {
        "output_type": "display_data",
        "data": {
            "application/javascript": "alert(1)",
            "application/vnd.jupyter.widget-view+json": {"model_id": "x"},
            "image/svg+xml": '<svg onload="alert(1)"><image href="http://e/x.png"/></svg>',
        },
        "metadata": {},
    }
    cleaned = clean_output(output)
    assert set(cleaned["data"]) == {"text/html", "text/plain"}
    assert cleaned["data"]["text/html"].startswith('<img alt="picture" src="data:image/svg+xml;base64,')
    assert "application/javascript" in cleaned["data"]["text/plain"]
    stream = {"output_type": "stream", "name": "stdout", "text": "<script>"}
    assert clean_output(stream) == stream  # shown as text


def test_the_preprocessor_drops_widget_state_and_cleans_the_students_own_cells():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell('<img src=x onerror="alert(1)"> ![t](http://evil.example/t.png)'),
            nbformat.v4.new_raw_cell("<script>alert(1)</script>", metadata={"format": "text/html"}),
        ],
        metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}},
    )
    nb, _ = SanitizeOutputs().preprocess(nb, {})
    assert "widgets" not in nb.metadata
    text = json.dumps([c.source for c in nb.cells])
    assert "onerror" not in text and "evil.example" not in text and "<script" not in text
    assert "format" not in nb.cells[1].metadata
