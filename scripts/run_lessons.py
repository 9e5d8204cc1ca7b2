#!/usr/bin/env python3
"""Re-run the lessons in place, so that their stored outputs come from a real run (as nbval compares them).

    .venv/bin/python scripts/run_lessons.py            # every lesson in lessons/
    .venv/bin/python scripts/run_lessons.py 01 04      # the lessons whose names start with 01 or 04

Each lesson runs top to bottom in a fresh kernel of this Python, in lessons/ (as a student's
JupyterLab runs it), importing the kit from this checkout. Cell ids, tags (``nbval-ignore-output``)
and metadata are kept; widget state is not stored (the widgets draw themselves when run).
A lesson whose cell raises is left as it was, and the script says which cell and why.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError
from nbconvert.preprocessors import ExecutePreprocessor

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"


def chosen(prefixes: list[str]) -> list[Path]:
    """The lessons to run: all, or those whose file names start with one of ``prefixes``."""
    every = sorted(LESSONS.glob("*.ipynb"))
    picked = [p for p in every if not prefixes or p.name.startswith(tuple(prefixes))]
    missing = [prefix for prefix in prefixes if not any(p.name.startswith(prefix) for p in every)]
    if missing:
        raise SystemExit(f"no lesson starts with {', '.join(missing)}; the lessons are {[p.name for p in every]}")
    return picked


def run(path: Path, timeout: int) -> None:
    """Execute one lesson in a fresh kernel and write it back in place."""
    notebook = nbformat.read(path, as_version=4)
    executor = ExecutePreprocessor(timeout=timeout, kernel_name="python3", store_widget_state=False)
    executor.preprocess(notebook, {"metadata": {"path": str(LESSONS)}})
    nbformat.write(notebook, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="the start of a lesson's file name, e.g. 01 (default: every lesson)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may take (default 600)")
    options = parser.parse_args()
    # The kernel imports the kit from this checkout, whatever is installed.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    failed = []
    for path in chosen(options.lessons):
        start = time.monotonic()
        try:
            run(path, options.timeout)
        except CellExecutionError as error:
            failed.append(path.name)
            print(f"{path.name}: a cell raised, the lesson is left as it was:\n{error}", file=sys.stderr)
            continue
        print(f"{path.name}: ran in {time.monotonic() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
