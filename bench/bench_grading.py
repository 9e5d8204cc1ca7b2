"""Grading a class of generated hand-ins: ``nbgrader autograde`` one at a time, then ``grade --jobs N``, same run.

Run from the repository root (needs bubblewrap and the grading extra; about half an hour for 200 on 2 cores)::

    python -m bench.bench_grading --students 200 --jobs 2

A course of ``sigmoid_tree`` in a temporary folder, as INSTRUCTORS.md sets it up; each student hands in the solution
written with their own numbers, a third of them with the backward that forgets ``upstream`` and a third with the
local gradient -1/d (carried on into the slope). Both gradings must give the same grades (checked). Prints the
seconds, the load average around each, the class table and the limits the sandbox ran under (``sandbox check``).
Not part of ``python -m bench`` (it takes too long).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.instructors.test_nbgrader import MISTAKES, environment, hand_in, read, run_nbgrader, set_up, submit

ASSIGNMENT = "sigmoid_tree"
MINUS_ONE_OVER_D = {"task1_answer": "def local_grad_g_d(x):\n    return -1 / (math.exp(-x) + 1)\n"}


def scores(course: Path, students: list[str]) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s: gradebook.find_submission(ASSIGNMENT, s).score for s in students}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_grading")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args(argv)
    students = [f"s{n:07d}" for n in range(1, options.students + 1)]
    with tempfile.TemporaryDirectory(prefix="bpw-bench-grading-") as folder:
        course = Path(folder)
        roster = [{"id": s, "first_name": "A", "last_name": s, "email": f"{s}@example.edu"} for s in students]
        set_up(course, (ASSIGNMENT,), roster)
        run_nbgrader(course, "generate_assignment", ASSIGNMENT)
        source = read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        for index, student in enumerate(students):
            answers = (None, MISTAKES[ASSIGNMENT], MINUS_ONE_OVER_D)[index % 3]
            submit(course, student, ASSIGNMENT, hand_in(source, student, answers))
        runs = {}
        load = {}
        started = time.perf_counter()
        load["serial"] = os.getloadavg()[0]
        serial_run = subprocess.run(  # no time limit (run_nbgrader's 900 s is for the tests' small classes)
            [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT],
            cwd=course,
            env=environment(course),
            capture_output=True,
            text=True,
        )
        assert serial_run.returncode == 0, serial_run.stderr[-3000:]
        runs["serial"] = time.perf_counter() - started
        print(f"serial: {runs['serial']:.0f} s", flush=True)
        serial = scores(course, students)
        load["serial"] = (load["serial"], os.getloadavg()[0])
        started = time.perf_counter()
        before = os.getloadavg()[0]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "backprop_widgets.grading.grade",
                ASSIGNMENT,
                "--jobs",
                str(options.jobs),
                "--force",
            ],
            cwd=course,
            env=environment(course),
            stdout=subprocess.PIPE,  # the progress bar (stderr) shows as it goes
            text=True,
        )
        runs[f"--jobs {options.jobs}"] = time.perf_counter() - started
        load[f"--jobs {options.jobs}"] = (before, os.getloadavg()[0])
        assert done.returncode == 0, done.stdout[-3000:]
        assert scores(course, students) == serial, "parallel grading gave other grades than serial grading"
        checked = subprocess.run(
            [sys.executable, "-m", "backprop_widgets.grading.sandbox", "check"], capture_output=True, text=True
        )
    print(f"{options.students} hand-ins of {ASSIGNMENT} on {os.cpu_count()} cores (the same grades both ways)")
    print("| grading | seconds | per hand-in | load average before → after |\n|---|---|---|---|")
    for name, seconds in runs.items():
        print(
            f"| {name} | {seconds:.0f} | {seconds / options.students:.2f} | {load[name][0]:.1f} → {load[name][1]:.1f} |"
        )
    print()
    print(done.stdout)
    print(next((line for line in checked.stdout.splitlines() if line.startswith("limits:")), checked.stderr))


if __name__ == "__main__":
    main()
