"""The sandbox where no cgroup can be had (``BPW_SANDBOX_CGROUP=off`` makes this machine such a place): limits per
process, and, when the grader is root, a user id of its own for each sandbox so that RLIMIT_NPROC (which Linux does
not apply to root) holds the process count. A class graded that way still scores as it should."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.instructors.test_nbgrader import (
    CONTAINED,
    COURSE,
    graded,
    hand_in,
    outputs_text,
    read,
    require_sandbox,
    run_nbgrader,
    set_up,
    source_answer,
    submit,
)

pytestmark = pytest.mark.slow
OFF = {"BPW_SANDBOX_CGROUP": "off"}


def check_lines(**env: str) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "backprop_widgets.grading.sandbox", "check", str(COURSE / "nbgrader_config.py")],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, **env),
    )
    assert done.returncode == 0, done.stderr
    print(done.stdout)
    return dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)


def test_check_says_which_limits_hold_without_a_cgroup():
    require_sandbox()
    lines = check_lines(**OFF)
    limits = lines["limits"]
    assert limits.startswith("no cgroup (BPW_SANDBOX_CGROUP=off): limits per process"), limits
    assert "per process (not for all together" in limits, limits
    started = int(lines["start 300 processes"].split()[0])
    if os.geteuid() == 0 and "processes NOT limited" in limits:  # no setpriv here: said plainly
        assert started == 300
    else:  # as root: a user id of its own, which RLIMIT_NPROC counts (it started all 300 as root)
        assert started < 100, lines["start 300 processes"]
        assert ("as a user id of its own" in limits) == (os.geteuid() == 0), limits
    assert lines["network"].startswith("blocked") and lines["write in /"].startswith("blocked")
    assert lines[f"read {COURSE / 'nbgrader_config.py'}"].startswith("blocked")
    assert int(lines["write 1000 MB in its folder"].split()[0]) <= 100


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    require_sandbox()
    course = tmp_path_factory.mktemp("fallback")
    roster = [
        {"id": s, "first_name": s.title(), "last_name": "X", "email": f"{s}@example.edu"} for s in ("ada", "bomb")
    ]
    set_up(course, ("sigmoid_tree",), roster)
    run_nbgrader(course, "generate_assignment", "sigmoid_tree")
    source = read(course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    submit(course, "ada", "sigmoid_tree", hand_in(source, "ada"))
    answers = {"task1_answer": CONTAINED["fork_bomb"] + source_answer(source, "task1_answer")}
    submit(course, "bomb", "sigmoid_tree", hand_in(source, "bomb", answers))
    run_nbgrader(course, "autograde", "sigmoid_tree", **OFF)
    return course


def test_a_class_graded_without_a_cgroup_scores_as_it_should_and_a_fork_bomb_is_held(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in ("ada", "bomb"):
            submission = gradebook.find_submission("sigmoid_tree", student)
            assert submission.score == submission.max_score == 11, student
    printed = outputs_text(graded(course, "sigmoid_tree", "bomb"))
    started = int(re.search(r"processes started: (\d+)", printed).group(1))
    print("fork bomb without a cgroup:", started, "processes started")
    if os.geteuid() == 0 and "processes NOT limited" in check_lines(**OFF)["limits"]:
        pytest.skip("no setpriv: the process count does not hold for root here (sandbox check says so)")
    assert started < 100, printed


def test_a_fresh_process_that_prints_without_end_is_stopped_and_only_its_end_is_read():
    from backprop_widgets.grading.sandbox import FILE_SIZE_LIMIT, run_fresh

    require_sandbox()
    flood = "import sys\nline = 'x' * 2**20 + '\\n'\nfor _ in range(1000): sys.stdout.write(line)\nprint('done')\n"
    last = run_fresh(flood, "", timeout=120)  # a gigabyte printed: stopped by the file size limit
    assert last != "done" and len(last) <= 2**20 + 1, len(last)
    assert run_fresh("print('a')\nprint('report')\n", "") == "report"
    assert FILE_SIZE_LIMIT <= 64 * 2**20
