#!/usr/bin/env python3
"""Build the lessons as static HTML pages (the "book") in which every stepper steps with no kernel.

    python scripts/build_book.py                        # into build/book
    python scripts/build_book.py --out DIR --repo OWNER/REPO --lite ../lab/index.html

Each lesson is run once here with ``configure(record=True)`` (a cell put in front, then taken out
again), so every stepper's output carries its whole walk, laid out in Python (the ``static`` extra);
then nbconvert writes the page.  The widgets' own views are dropped from the pages: no kernel
answers them, so each shows its static SVG copy, and each recorded stepper its walk, stepped by
buttons and keys in the page.  Each page links to the same lesson "live": in the JupyterLite site
(``--lite``, relative: the Pages workflow puts the book in ``book/`` beside the site) and on
Binder (``--repo``).

Why nbconvert rather than Jupyter Book: the pages need only the lessons' own outputs (the recorded
walks are HTML and a small script), nbconvert is already installed with Jupyter, and a page is one
file with no theme, search index or build cache to ship.

The pages need no network: the lessons' LaTeX is written as MathML here (latex2mathml, the ``book``
extra), which browsers draw themselves, so nbconvert's MathJax (from a CDN) is left out, as is its
require.js (only an ipywidgets embed needs it, and the pages carry no widget state).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import html
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
DEFAULT_OUT = ROOT / "build" / "book"
RECORD_CELL = "from backprop_widgets import configure as _configure\n_configure(record=True)"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
BANNER_CSS = (
    ".bpw-book-bar { font-family: Helvetica, Arial, sans-serif; font-size: 15px; padding: 8px 16px;"
    " background: #f2f7fb; border-bottom: 1px solid #c8d8e6; }"
    " .bpw-book-bar a { margin-right: 14px; }"
)


def run_with_recording(notebook, cwd: Path, timeout: int = 600):
    """The notebook run from top to bottom with every stepper recording its walk (the extra cell taken out)."""
    import nbformat
    from nbclient import NotebookClient

    ran = copy.deepcopy(notebook)
    ran.cells.insert(0, nbformat.v4.new_code_cell(RECORD_CELL))
    NotebookClient(ran, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    del ran.cells[0]
    return ran


NEEDS_KERNEL = (
    '<p class="bpw-needs-kernel" style="color:#4d4d4d;font-style:italic">{name}: its controls need Python '
    "running, so this page shows only what it drew when the lesson ran. Run the lesson live (the links at the "
    "top) to use them.</p>"
)


def static_outputs(notebook, keep_widget_state: bool = False):
    """Drop the widgets' views (no kernel will answer them): their static copies and recorded walks show instead.

    A widget with controls and no recorded walk (an Explorer, a training dashboard) says in a sentence that
    its controls need a kernel; a plain picture (``GraphView``) is shown as it is.
    """
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data or WIDGET_VIEW not in data or len(data) == 1:
                continue
            del data[WIDGET_VIEW]
            name = str(data.get("text/plain", "")).splitlines()[0] if data.get("text/plain") else ""
            name = name if 0 < len(name) <= 60 else "This widget"  # a container's repr is no name
            if "text/html" not in data and not name.startswith("GraphView("):
                data["text/html"] = str(data.get("image/svg+xml", "")) + NEEDS_KERNEL.format(name=html.escape(name))
    if not keep_widget_state:
        notebook.metadata.pop("widgets", None)
    return notebook


# $$display$$ and $inline$ math as the lessons write it (an inline $ is not followed by a space, nor its
# closing $ preceded by one or followed by a digit, as in pandoc); code spans and fences are left alone.
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?!\d)", re.S)
# what nbconvert puts in a page for MathJax (its configuration and the CDN script), require.js and mermaid
# (a script that fetches it from a CDN where a page has a diagram: these have none)
_CDN_SCRIPTS = re.compile(
    r"<script[^>]*>(?:(?!</script>).)*?(?:MathJax|cdnjs)(?:(?!</script>).)*</script>\s*"
    r"|<script[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>\s*"
    r"|<!-- (?:Load mathjax|MathJax configuration|End of mathjax configuration) -->\s*",
    re.S | re.I,
)
_MATHML_NS = ' xmlns="http://www.w3.org/1998/Math/MathML"'  # an HTML page needs no namespace on <math>


def mathml(markdown: str) -> str:
    """Markdown with its LaTeX math written as MathML (a browser draws it with no script and no network).

    >>> mathml("where $x$ is `$HOME`")
    'where <math display="inline"><mrow><mi>x</mi></mrow></math> is `$HOME`'
    """
    from latex2mathml.converter import convert

    def one(match: re.Match) -> str:
        block = match[1] is not None
        tex = (match[1] if block else match[2]).strip()
        return convert(tex, display="block" if block else "inline").replace(_MATHML_NS, "", 1)

    return "".join(part if part.startswith("`") else _MATH.sub(one, part) for part in _CODE.split(markdown))


def page(notebook, *, title: str, links: list[tuple[str, str]]) -> str:
    """One lesson as an HTML page (nbconvert's lab template) with a bar of links on top; its math as MathML."""
    from nbconvert import HTMLExporter

    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = mathml(cell.source)
    exporter = HTMLExporter(template_name="lab", exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    body = _CDN_SCRIPTS.sub("", body)
    bar = " ".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>' for text, href in links)
    banner = f'<nav class="bpw-book-bar" aria-label="this lesson elsewhere">{bar}</nav>'
    body = body.replace("</head>", f"<style>{BANNER_CSS}</style>\n</head>", 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m[1] + "\n" + banner, body, count=1)


def shared_styles(text: str, out: Path) -> str:
    """The page with its big style blocks (nbconvert's theme, the same on every page) moved to files of their own,
    which the browser then loads once for the whole book."""

    def move(match: re.Match) -> str:
        css = match[1]
        if len(css) < 20_000:
            return match[0]
        name = f"style-{hashlib.sha256(css.encode()).hexdigest()[:10]}.css"
        if not (out / name).exists():
            (out / name).write_text(css, encoding="utf-8")
        return f'<link rel="stylesheet" href="{name}">'

    return re.sub(r"<style[^>]*>(.*?)</style>", move, text, flags=re.S)


def title_of(notebook, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def index_page(entries: list[tuple[str, str]], links: list[tuple[str, str]]) -> str:
    items = "\n".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for title, href in entries)
    bar = " ".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>' for text, href in links)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>backprop_widgets: the lessons</title>\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<style>{BANNER_CSS}'
        " body { margin: 0; } main { font-family: Helvetica, Arial, sans-serif; max-width: 760px; margin: 24px auto;"
        " padding: 0 16px; line-height: 1.5; }</style>\n</head>\n<body>\n"
        f'<nav class="bpw-book-bar" aria-label="the course elsewhere">{bar}</nav>\n<main>\n'
        "<h1>Backpropagation, step by step: the lessons</h1>\n"
        "<p>Read the lessons here, and step through every walk with its buttons or the arrow keys: "
        "no Python runs in these pages. To change the numbers, run a lesson live.</p>\n"
        f"<ul>\n{items}\n</ul>\n</main>\n</body>\n</html>\n"
    )


def build(out: Path, *, repo: str, lite: str, lessons: list[Path] | None = None) -> list[Path]:
    """Write the book into ``out``; returns the pages written (the index first)."""
    import nbformat

    out.mkdir(parents=True, exist_ok=True)
    binder = f"https://mybinder.org/v2/gh/{repo}/HEAD?urlpath=lab/tree/lessons"
    written, entries = [], []
    for path in lessons if lessons is not None else sorted(LESSONS.glob("[0-9]*.ipynb")):
        started = time.perf_counter()
        notebook = static_outputs(run_with_recording(nbformat.read(path, as_version=4), path.parent))
        title = title_of(notebook, path.stem)
        links = [
            ("All lessons", "index.html"),
            ("Run it live in your browser (JupyterLite)", f"{lite}?path={path.name}"),
            ("Run it live on Binder", f"{binder}/{path.name}"),
        ]
        target = out / f"{path.stem}.html"
        target.write_text(shared_styles(page(notebook, title=title, links=links), out), encoding="utf-8")
        entries.append((title, target.name))
        written.append(target)
        kb = target.stat().st_size / 1000
        print(f"{target.name}: {kb:.0f} KB ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    index = out / "index.html"
    index.write_text(
        index_page(entries, [("The course in your browser (JupyterLite)", lite), ("On Binder", binder)]),
        encoding="utf-8",
    )
    return [index, *written, *sorted(out.glob("style-*.css"))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the pages go (default build/book)")
    parser.add_argument("--repo", default="OWNER/REPO", help="the repository on GitHub, for the Binder links")
    parser.add_argument(
        "--lite", default="../lab/index.html", help="the JupyterLite site's lab page, relative to the book"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONPATH", str(ROOT))  # the kernel imports this checkout's kit
    pages = build(args.out, repo=args.repo, lite=args.lite)
    total = sum(p.stat().st_size for p in pages)
    print(json.dumps({"pages": len(pages), "bytes": total}), file=sys.stderr)


if __name__ == "__main__":
    main()
