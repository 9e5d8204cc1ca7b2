"""Grading a class: ``nbgrader autograde`` over the hand-ins in parallel, with a progress bar, then a table.

Run it from the course folder (``assignments/``)::

    python -m backprop_widgets.grading.grade sigmoid_tree --jobs 2      # autograde every hand-in
    python -m backprop_widgets.grading.grade sigmoid_tree --table       # only the table, from what is graded

The hand-ins (the folders in ``submitted/``) are split into ``--jobs`` groups, and each group is graded by an
``nbgrader autograde`` of its own (each hand-in in its own sandbox, as always); a hand-in whose grading failed
(for example when the gradebook was busy) is graded again on its own at the end.  ``--force`` grades again
hand-ins graded before.  The table says, for each test cell, how many got its points, and the commonest
reasons a test gave for failing: which step of the chain rule the class gets wrong.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

__all__ = ["grade", "table", "main"]

DONE = re.compile(r"(\S+)/(\S+) judged outside the kernel")
FAILED = re.compile(r"There was an error processing assignment '([^']+)' for student '([^']+)'")


class Progress:
    """A one-line progress bar on stderr: ``[#####.....] 57/200 graded, 12 s``."""

    def __init__(self, total: int, stream=sys.stderr) -> None:
        self.total, self.done, self.stream, self.started = total, 0, stream, time.monotonic()
        self.lock = threading.Lock()

    def step(self) -> None:
        with self.lock:
            self.done += 1
            width = 30
            filled = width * self.done // max(self.total, 1)
            elapsed = time.monotonic() - self.started
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} graded, {elapsed:.0f} s"
            )
            self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _nbgrader(assignment: str, students: list[str], force: bool, progress: Progress, log: list[str]) -> set[str]:
    """One ``nbgrader autograde`` for these students; the ones it failed."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(students))
    command = [
        sys.executable,
        "-m",
        "nbgrader",
        "autograde",
        assignment,
        f"--SafeAutograde.student_file={listing.name}",
    ]
    if force:
        command.append("--force")
    failed: set[str] = set()
    try:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert child.stdout is not None
        for line in child.stdout:
            log.append(line)
            if DONE.search(line):
                progress.step()
            elif found := FAILED.search(line):
                failed.add(found.group(2))
        child.wait()
    finally:
        os.unlink(listing.name)
    return failed


def hand_ins(course: Path, assignment: str) -> list[str]:
    """The students with a folder for this assignment in ``submitted/`` (names only: nothing there is opened)."""
    submitted = course / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(n for n in os.listdir(submitted) if os.path.lexists(submitted / n / assignment))


def grade(course: Path, assignment: str, jobs: int = 1, force: bool = False) -> tuple[list[str], float]:
    """Autograde every hand-in of ``assignment`` in ``jobs`` nbgrader processes; (students it failed, seconds)."""
    students = hand_ins(course, assignment)
    progress = Progress(len(students))
    groups = [students[i::jobs] for i in range(jobs) if students[i::jobs]]
    log: list[str] = []
    failed: set[str] = set()
    started = time.monotonic()
    threads = [
        threading.Thread(target=lambda g=group: failed.update(_nbgrader(assignment, g, force, progress, log)))
        for group in groups
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    still = set()
    for student in sorted(failed):  # again, alone (a busy gradebook, or a real problem, then in the log)
        still |= _nbgrader(assignment, [student], True, progress, log)
    progress.close()
    for line in log:
        if ("| WARNING]" in line or "| ERROR]" in line) and "Removing existing assignment" not in line:
            sys.stderr.write(line)  # (with --force, nbgrader warns for every hand-in graded before)
    return sorted(still), time.monotonic() - started


def table(course: Path, assignment: str, top: int = 3) -> str:
    """For each test cell: how many hand-ins got its points, and the commonest reasons it failed (Markdown)."""
    from nbgrader.api import Gradebook

    rows = []
    students = hand_ins(course, assignment)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for notebook in gradebook.find_assignment(assignment).notebooks:
            scores: dict[str, list[float]] = collections.defaultdict(list)
            reasons: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
            for student in students:
                try:
                    graded = gradebook.find_submission_notebook(notebook.name, assignment, student)
                except Exception:  # not graded (yet)
                    continue
                for grade_ in graded.grades:
                    scores[grade_.name].append(grade_.score)
                path = course / "autograded" / student / assignment / f"{notebook.name}.ipynb"
                if path.is_file() and not path.is_symlink():
                    for cell in nbformat.read(path, as_version=4).cells:
                        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                        for output in cell.get("outputs", []):
                            if output.get("output_type") == "error" and grade_id:
                                reasons[grade_id][_reason(output.get("evalue", ""))] += 1
            for cell in notebook.grade_cells:
                full = sum(1 for score in scores[cell.name] if score >= cell.max_score)
                common = "; ".join(f"{n}× {r}" for r, n in reasons[cell.name].most_common(top))
                rows.append(f"| {cell.name} | {cell.max_score:g} | {full}/{len(scores[cell.name])} | {common} |")
    head = "| test | points | got the points | commonest reasons it failed |\n|---|---|---|---|\n"
    return head + "\n".join(rows)


def _reason(text: str) -> str:
    """A verdict without the student's own numbers: what kind of mistake it names."""
    text = re.sub(r"-?\d+\.\d+(e-?\d+)?", "…", text.strip().splitlines()[0] if text.strip() else "")
    return text[:160]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backprop_widgets.grading.grade",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("assignment")
    parser.add_argument("--jobs", type=int, default=1, help="nbgrader processes at once (default 1)")
    parser.add_argument("--force", action="store_true", help="grade again hand-ins graded before")
    parser.add_argument("--table", action="store_true", help="only print the table of what is graded")
    options = parser.parse_args(argv)
    course = Path.cwd()
    if not options.table:
        failed, seconds = grade(course, options.assignment, max(1, options.jobs), options.force)
        print(f"graded {len(hand_ins(course, options.assignment))} hand-ins in {seconds:.0f} s", file=sys.stderr)
        if failed:
            print(f"not graded (see the log above): {', '.join(failed)}", file=sys.stderr)
    print(table(course, options.assignment))
    return 0


if __name__ == "__main__":
    sys.exit(main())
