"""A class through nbgrader, as INSTRUCTORS.md says: roster, release, zip_collect, autograde in the sandbox, feedback, export.

Students get numbers of their own (from the id they type); the tests run outside the kernel that ran the
hand-in (backprop_widgets.grading.judge); the hand-in runs in the bubblewrap sandbox. Honest hand-ins score
what they should, for several students; hostile ones score 0 with the reason, and leave the gradebook and the
feedback clean.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from . import engine_hand_ins

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "assignments"
ASSIGNMENTS = ("sigmoid_tree", "gradients_add_at_branches", "two_layer_network", "your_own_engine")

SOLUTION = re.compile(r"[ \t]*### BEGIN SOLUTION\n(.*?)[ \t]*### END SOLUTION\n?", re.S)
HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS\n(.*?)[ \t]*### END HIDDEN TESTS\n?", re.S)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

# The roster (INSTRUCTORS.md: "nbgrader db student import"): nbgrader's id is the id in the LMS's file names.
ROSTER = [
    {"id": "ada", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.edu", "lms_user_id": "1001"},
    {"id": "bo", "first_name": "Bo", "last_name": "Li", "email": "bo@example.edu", "lms_user_id": "1002"},
    {"id": "cy", "first_name": "Cy", "last_name": "Young", "email": "cy@example.edu", "lms_user_id": "1003"},
    {"id": "absent", "first_name": "Ab", "last_name": "Sent", "email": "absent@example.edu", "lms_user_id": "1004"},
    {"id": "eve", "first_name": "Eve", "last_name": "Mail", "email": "eve@example.edu", "lms_user_id": "1005"},
]
# What each honest student types as STUDENT_ID: their id, in other case, with spaces (one identity: the roster's id).
TYPED = {"ada": "ada", "bo": "Bo", "cy": " CY "}

# Typical mistakes: answer cell -> what the student wrote there (in terms of their own numbers).
MISTAKES = {
    "sigmoid_tree": {
        # right numbers; the backward forgets to multiply by the upstream gradient
        "task3_answer": "def sigmoid_backward(z, upstream):\n    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)\n",
    },
    "gradients_add_at_branches": {
        # df/db along one path only; a backward that is right but only works for numbers
        "task2_answer": "def df_db(a, b, c):\n    return b + c\n",
        "task3_answer": (
            "def branch_backward(a, b, c, upstream):\n"
            "    x, y = a + b, b + c\n"
            "    return float(upstream * y), float(upstream * (x + y)), float(upstream * x)\n"
        ),
    },
    "two_layer_network": {
        # a quarter of the error: passes the visible sign and bound, not the values
        "task2_answer": "def output_delta(W1_, W2_, x_, t_):\n    return (sigmoid(W2_ @ sigmoid(W1_ @ x_)) - t_) / 4\n",
    },
    "your_own_engine": engine_hand_ins.mistake(),  # exp's rule with x where e^x belongs
}
# The test cells each mistaken hand-in still passes; every other test cell must fail.
STILL_PASSING = {
    "sigmoid_tree": {"task1_test", "task1_hidden", "task2_test", "task2_hidden"},
    "gradients_add_at_branches": {"task1_test", "task1_hidden", "task2_test", "task3_test"},
    "two_layer_network": {"task1_test", "task1_hidden", "task2_test", "task3_test"},
    "your_own_engine": {f"task{k}_{kind}" for k in (1, 3, 4, 5, 6, 7) for kind in ("test", "hidden")},
}

# Hostile hand-ins of sigmoid_tree: wrong answers (functions returning 0.5, 0.5 and 0) plus an attack in the
# first answer cell. "_hidden" variants dodge the tripwire (scan.py), to show that the verdicts do not
# depend on it. What each must leave in the graded notebook: the reason it scored 0.
WRONG = {
    "task1_answer": "def local_grad_g_d(x):\n    return 0.5\n",
    "task2_answer": "def sigmoid_slope(x):\n    return 0.5\n",
    "task3_answer": "def sigmoid_backward(z, upstream):\n    return 0 * z\n",
}
HOSTILE = {
    "patch": (
        "import backprop_widgets.exercises as _E\n"
        "_E.Exercise.check = lambda self, answer, strict=False: _E.Verdict(True, 'ok')\n",
        "changes the kit",
    ),
    "patch_hidden": (
        "import backprop_widgets.exercises as _E\n"
        "type.__setattr__(_E.Exercise, 'check', lambda self, answer, strict=False: _E.Verdict(True, 'ok'))\n",
        "Not yet",
    ),
    "transformer": (
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n",
        "reaches into IPython",
    ),
    "transformer_hidden": (
        "import IPython as _I\n"
        "getattr(_I.get_ipython(), 'input_transformers' + '_post').append(lambda lines: ['pass\\n'])\n",
        "gave no report",
    ),
    "read_source": (
        "import io, glob\n"
        "for _p in glob.glob('../../../source/*/*.ipynb') + ['../../../source/sigmoid_tree/sigmoid_tree.ipynb']:\n"
        "    try:\n        print(io.open(_p).read())\n"
        "    except OSError as _e:\n        print('blocked:', type(_e).__name__)\n",
        "Not yet",
    ),
    "gradebook": (
        "import sqlite3\n"
        "_db = sqlite3.connect('../../../gradebook.db')\n"
        "_db.executescript('CREATE TRIGGER bpw AFTER UPDATE ON grade BEGIN UPDATE grade SET auto_score = 99 "
        "WHERE id = NEW.id AND auto_score IS NOT 99; END;')\n",
        "touches databases",
    ),
    "print_later": (
        "get_ipython().events.register('pre_run_cell', lambda info: print(info.raw_cell))\n",
        "reaches into IPython",
    ),
    "print_later_hidden": (
        "import IPython as _I\n"
        "getattr(getattr(_I.get_ipython(), 'ev' + 'ents'), 'reg' + 'ister')"
        "('pre_run_cell', lambda info: print(info.raw_cell))\n",
        "Not yet",
    ),
}


# Hand-ins with the right answers and an attack on the machine in the first answer cell (none trips the tripwire):
# each is contained by the sandbox and scores what its answers earn. What each printed must show.
SECRET = "bpw-secret-token-8c1f0e"  # in the grader's environment, as a hub's API token would be
CONTAINED = {
    "environ": (
        "import io as _io, glob as _glob\n"
        "for _p in _glob.glob('/proc/*/environ'):\n"
        "    try:\n        print(_p, _io.open(_p, 'rb').read())\n"
        "    except OSError as _e:\n        print(_p, type(_e).__name__)\n"
    ),
    "script": (
        "class _Shown:\n"
        "    def _repr_html_(self):\n"
        "        return ('<scr' + 'ipt>document.title = \"pw\" + \"ned\"</scr' + 'ipt><b>bold</b>'\n"
        "                '<img src=x one' + 'rror=\"ale' + 'rt(1)\"><img src=\"http://evil' + '.example/t.png\">')\n"
        "from IPython.display import display as _d, Javascript as _J\n"
        "_d(_Shown())\n_d(_J('ale' + 'rt(2)'))\n"
    ),
    "fork_bomb": (
        "import multiprocessing as _mp, time as _t\n_ps = []\n"
        "try:\n    for _ in range(300):\n"
        "        _p = _mp.Process(target=_t.sleep, args=(30,), daemon=True)\n        _p.start()\n        _ps.append(_p)\n"
        "except Exception as _e:\n    print('refused:', type(_e).__name__)\n"
        "print('processes started:', len(_ps))\n"
        "for _p in _ps:\n    _p.kill()\n"
    ),
    "memory_bomb": (
        "import multiprocessing as _mp, time as _t\n"
        "def _hold(mb):\n    _b = bytearray(mb * 2**20)\n    for _i in range(0, len(_b), 4096):\n        _b[_i] = 1\n"
        "    _t.sleep(5)\n"
        "_ps = [_mp.Process(target=_hold, args=(1000,), daemon=True) for _ in range(3)]\n"
        "for _p in _ps:\n    _p.start()\n    _t.sleep(1)\n"
        "for _p in _ps:\n    _p.join()\n"
        "print('children that held 1000 MB:', sum(_p.exitcode == 0 for _p in _ps))\n"
    ),
    "disk_bomb": (
        "import io as _io\n_written = 0\n"
        "try:\n    for _n in range(10):\n"
        "        with _io.open('big-%d' % _n, 'wb') as _f:\n"
        "            for _ in range(60):\n                _f.write(b'x' * 2**20)\n                _written += 1\n"
        "except OSError as _e:\n    print('refused:', type(_e).__name__)\n"
        "print('MB written:', _written)\n"
    ),
}
# Reports that would be forged: right answers but one task's function wrong and made to look right in the kernel
# (past the tripwire), by an input transformer that redefines it before each probe, or by a trace hook
# (sys.settrace) that puts the right one in the probe's view; or a function that asks the engine
# (`getattr(x, "gr" + "ad")`, past the tripwire). Every function is judged by what its own code returns in a fresh
# process: the forged task scores what its code earns. Student -> (answers, the forged task's test cells).
RIGHT_SLOPE = "def sigmoid_slope(x):\n    s = 1 / (1 + math.exp(-x))\n    return s * (1 - s)\n"
MINUS_ONE_OVER_D = "def local_grad_g_d(x):\n    return -1 / (math.exp(-x) + 1)\n"  # wrong: -1/d
FORGED = {
    "forge_transformer": (
        {
            "task1_answer": (
                "import IPython as _I\n"
                "def _forge(lines):\n"
                "    if any('_bpw_probe' in line for line in lines):\n"
                "        return ['def sigmoid_backward(z, upstream):\\n', '    s = 1 / (1 + np.exp(-z))\\n',\n"
                "                '    return upstream * s * (1 - s)\\n'] + lines\n"
                "    return lines\n"
                "getattr(_I.get_ipython(), 'input_transformers' + '_post').append(_forge)\n"
            ),
            "task3_answer": "def sigmoid_backward(z, upstream):\n    return 0 * z\n",
        },
        {"task3_test", "task3_hidden"},
    ),
    "engine_dodge": (
        {
            "task3_answer": (
                "def sigmoid_backward(z, upstream):\n"
                "    def one(zi):\n"
                "        v = Value(float(zi))\n"
                "        s = 1 / (1 + math.e ** (-v))\n"
                "        getattr(s, 'back' + 'ward')()\n"
                "        return getattr(v, 'gr' + 'ad')\n"
                "    return upstream * np.vectorize(one)(z)\n"
            ),
        },
        {"task3_test", "task3_hidden"},
    ),
    "forge_number_transformer": (
        {
            "task1_answer": (
                "import IPython as _I\n"
                "def _forge(lines):\n"
                "    if any('_bpw_probe' in line for line in lines):\n"
                "        return ['def local_grad_g_d(x):\\n', '    return -1 / (math.exp(-x) + 1) ** 2\\n'] + lines\n"
                "    return lines\n"
                "getattr(_I.get_ipython(), 'input_transformers' + '_post').append(_forge)\n" + MINUS_ONE_OVER_D
            ),
            "task2_answer": RIGHT_SLOPE,
        },
        {"task1_hidden"},
    ),
    "forge_number_settrace": (
        {
            "task1_answer": (
                "import IPython as _I\n"
                "def _right(x):\n    return -1 / (math.exp(-x) + 1) ** 2\n"
                "def _trace(frame, event, arg):\n"
                "    if frame.f_code.co_name == '_bpw_probe':\n"
                "        frame.f_globals['local_grad_g_d'] = _right\n"
                "getattr(_I.sys, 'set' + 'trace')(_trace)\n" + MINUS_ONE_OVER_D
            ),
            "task2_answer": RIGHT_SLOPE,
        },
        {"task1_hidden"},
    ),
    "engine_number": (
        {
            "task1_answer": (
                "def local_grad_g_d(x):\n    g = sigmoid_tree(x)\n    return getattr(g, 'local' + '_grads')()[1]\n"
            ),
            "task2_answer": RIGHT_SLOPE,
        },
        {"task1_test", "task1_hidden"},
    ),
}
# Hand-ins that are links, or bring links: name -> how the folder is made (see make_link_hand_ins).
LINKED = ("link_source", "link_gradebook", "link_other", "link_folder", "hard_link", "extras")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def test_cells(nb) -> dict[str, float]:
    """The autograded test cells of a notebook: grade id -> points."""
    return {
        nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c)["points"])
        for c in nb.cells
        if nbgrader_meta(c).get("grade") and c.cell_type == "code"
    }


test_cells.__test__ = False  # a helper, not a test


def environment(course: Path) -> dict:
    bin_dir = Path(sys.executable).parent  # nbgrader runs `alembic` from PATH
    return dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(course / ".jupyter-config"),
        JUPYTER_PATH=str(course / ".jupyter-prefix" / "share" / "jupyter"),
    )


def run_nbgrader(course: Path, *args: str, **env: str) -> str:
    """``nbgrader ARGS`` from inside the course folder, as INSTRUCTORS.md says, isolated from user config."""
    command = [sys.executable, "-m", "nbgrader", *args]
    done = subprocess.run(
        command, cwd=course, env=dict(environment(course), **env), capture_output=True, text=True, timeout=900
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{log[-4000:]}"
    return log


def require_sandbox() -> None:
    from backprop_widgets.grading.sandbox import bwrap_works

    works, why = bwrap_works()
    if works:
        return
    message = (
        f"the grading sandbox cannot run here: {why}. On Debian as root, .ci/install-bubblewrap installs it; "
        "set BPW_SKIP_SANDBOX=1 to skip these tests knowingly"
    )
    if os.environ.get("BPW_SKIP_SANDBOX", "").lower() in ("1", "true", "yes", "on"):
        pytest.skip(message)
    pytest.fail(message)


def hand_in(nb, typed: str | None, answers: dict[str, str] | None = None):
    """A copy of ``nb`` with STUDENT_ID typed and some answer cells replaced."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("STUDENT_ID") and typed is not None:
            cell.source = f"STUDENT_ID = {typed!r}"
        grade_id = nbgrader_meta(cell).get("grade_id")
        if answers and grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def submit(course: Path, student: str, name: str, nb) -> None:
    folder = course / "submitted" / student / name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")


def download(course: Path, name: str) -> Path:
    archive = course / "downloaded" / name / "archive"
    archive.mkdir(parents=True)
    return archive


def source_answer(nb, grade_id: str) -> str:
    """The source's answer cell as a student who got it right hands it in (the solution markers removed)."""
    cell = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)
    return SOLUTION.sub(lambda match: match.group(1), cell.source).rstrip("\n") + "\n"


def make_link_hand_ins(course: Path, source_nb) -> None:
    """Hand-ins whose notebook is a link (to the source, to gradebook.db, to ada's hand-in), a folder that is a
    link, a hard link to the source, and an honest notebook brought with links to the course's files."""
    submitted = course / "submitted"
    source = course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb"

    def folder(student: str) -> Path:
        path = submitted / student / "sigmoid_tree"
        path.mkdir(parents=True)
        return path

    (folder("link_source") / "sigmoid_tree.ipynb").symlink_to(source)
    (folder("link_gradebook") / "sigmoid_tree.ipynb").symlink_to(course / "gradebook.db")
    (folder("link_other") / "sigmoid_tree.ipynb").symlink_to(Path("../../ada/sigmoid_tree/sigmoid_tree.ipynb"))
    (submitted / "link_folder").mkdir()
    (submitted / "link_folder" / "sigmoid_tree").symlink_to(submitted / "ada" / "sigmoid_tree", True)
    os.link(source, folder("hard_link") / "sigmoid_tree.ipynb")
    extras = folder("extras")
    nbformat.write(hand_in(source_nb, "extras"), extras / "sigmoid_tree.ipynb")
    (extras / "gradebook.db").symlink_to(course / "gradebook.db")
    (extras / "solutions.ipynb").symlink_to(source)
    (extras / "timestamp.txt").symlink_to(course / "gradebook.db")
    (extras / "course").symlink_to(course, True)


def make_broken_hand_ins(course: Path, source_nb) -> None:
    """Honest answers in a notebook whose cells were copied, re-flagged or added; an answer too large to encode."""
    nb = hand_in(source_nb, "copied_cell")
    index = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == "task1_test")
    copy = nbformat.from_dict(json.loads(json.dumps(nb.cells[index])))  # a plain copy-paste: the same grade id,
    copy.id = f"{copy.id}-pasted"  # and a cell id of its own, as JupyterLab gives a pasted cell
    nb.cells.insert(index + 1, copy)
    submit(course, "copied_cell", "sigmoid_tree", nb)
    nb = hand_in(source_nb, "reflagged")
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade_id") == "task1_hidden":
            meta.update(solution=True, locked=False)  # hidden tests made an answer
        elif meta.get("grade_id") == "task2_test":
            meta.update(points=50)
        elif cell.cell_type == "code" and cell.source.startswith("STUDENT_ID"):
            cell.metadata["nbgrader"] = {
                "grade_id": "my_id",
                "locked": True,
                "grade": False,
                "solution": False,
                "schema_version": 3,
            }
    bonus = nbformat.v4.new_code_cell("print('bonus')")
    bonus.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "bonus",
        "locked": False,
        "points": 100,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    nb.cells.append(bonus)
    submit(course, "reflagged", "sigmoid_tree", nb)
    submit(
        course,
        "huge_answer",
        "sigmoid_tree",
        hand_in(source_nb, "huge_answer", {"task1_answer": "def local_grad_g_d(x):\n    return 10**400\n"}),
    )
    folder = course / "submitted" / "not_json" / "sigmoid_tree"
    folder.mkdir(parents=True)
    (folder / "sigmoid_tree.ipynb").write_bytes(b"\xff\xfe not a notebook")


def fingerprints(course: Path) -> dict[str, str]:
    """sha256 of the sources and of every submitted file that is a regular file (links are not followed)."""
    import hashlib

    found = {}
    for path in sorted([*(course / "source").rglob("*.ipynb"), *(course / "submitted").rglob("*")]):
        if path.is_file() and not path.is_symlink() and not any(p.is_symlink() for p in path.parents):
            found[str(path.relative_to(course))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def set_up(course: Path, assignments: tuple[str, ...], roster: list[dict]) -> None:
    """A course folder as INSTRUCTORS.md says: the sources, the config, the sandbox's kernel spec (here into the
    course's own Jupyter path), the roster imported."""
    for name in assignments:
        shutil.copytree(COURSE / "source" / name, course / "source" / name)
    shutil.copy(COURSE / "nbgrader_config.py", course)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "backprop_widgets.grading.sandbox",
            "install",
            "--prefix",
            str(course / ".jupyter-prefix"),
        ],
        check=True,
        env=environment(course),
        capture_output=True,
    )
    with open(course / "roster.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(roster[0]))
        writer.writeheader()
        writer.writerows(roster)
    run_nbgrader(course, "db", "student", "import", "roster.csv")


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course graded as INSTRUCTORS.md says, with honest, mistaken and hostile hand-ins."""
    require_sandbox()
    course = tmp_path_factory.mktemp("course")
    set_up(course, ASSIGNMENTS, ROSTER)
    run_nbgrader(course, "generate_assignment", "*")
    # The hand-ins: sigmoid_tree's honest ones come through zip_collect from Moodle (a folder per participant,
    # named by Moodle's participant number), gradients_add_at_branches' from Canvas (flat, by Canvas's user id).
    source = read(course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    number = {r["id"]: r["lms_user_id"] for r in ROSTER}
    with zipfile.ZipFile(download(course, "sigmoid_tree") / "moodle-download.zip", "w") as zipped:
        for student, typed in TYPED.items():
            full = next(f"{r['first_name']} {r['last_name']}" for r in ROSTER if r["id"] == student)
            folder = f"{full}_{number[student]}_assignsubmission_file_"
            zipped.writestr(f"{folder}/sigmoid_tree.ipynb", nbformat.writes(hand_in(source, typed)))
        # bo's folder also holds a file named to pass for ada's hand-in (the name is the student's choice)
        zipped.writestr(
            f"Bo Li_{number['bo']}_assignsubmission_file_/x_{number['ada']}_assignsubmission_file_sigmoid_tree.ipynb",
            nbformat.writes(hand_in(source, "bo", WRONG)),
        )
    course_log = {"zip_collect": run_nbgrader(course, "zip_collect", "sigmoid_tree", "--RosterCollector.layout=moodle")}
    branches = read(course / "source" / "gradients_add_at_branches" / "gradients_add_at_branches.ipynb")
    with zipfile.ZipFile(download(course, "gradients_add_at_branches") / "submissions.zip", "w") as zipped:
        for student, submission in (("ada", 90001), ("bo", 90002), ("cy", 90003), ("cy", 90004)):
            last_first = next(f"{r['last_name']}{r['first_name']}".lower() for r in ROSTER if r["id"] == student)
            name = f"{last_first}_{number[student]}_{submission}_gradients_add_at_branches.ipynb"
            zipped.writestr(name, nbformat.writes(hand_in(branches, TYPED[student])))
    course_log["zip_collect_canvas"] = run_nbgrader(
        course, "zip_collect", "gradients_add_at_branches", "--RosterCollector.layout=canvas"
    )
    for name in ASSIGNMENTS:
        source = read(course / "source" / name / f"{name}.ipynb")
        release = read(course / "release" / name / f"{name}.ipynb")
        if name == "two_layer_network":
            for student in ("ada", "bo"):
                submit(course, student, name, hand_in(source, TYPED[student]))
        submit(course, "mistaken", name, hand_in(source, "mistaken", MISTAKES[name]))
    engine_hand_ins.make_hand_ins(course)  # your_own_engine: solutions, blank, one engine per catalogue bug, forgeries
    source = read(course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    release = read(course / "release" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    submit(course, "blank", "sigmoid_tree", hand_in(release, "blank"))
    submit(course, "hub", "sigmoid_tree", hand_in(source, ""))  # on a JupyterHub the id may stay empty
    submit(course, "dan", "sigmoid_tree", hand_in(source, "ada"))  # ada's notebook, handed in by dan
    submit(course, "eve", "sigmoid_tree", hand_in(source, "eve@example.edu"))  # the e-mail, not the course's id
    for student, (attack, _) in HOSTILE.items():
        answers = dict(WRONG, task1_answer=attack + WRONG["task1_answer"])
        submit(course, student, "sigmoid_tree", hand_in(release, student, answers))
    for student, attack in CONTAINED.items():
        answers = {"task1_answer": attack + source_answer(source, "task1_answer")}
        if student == "script":  # and a Markdown cell of its own, with HTML that runs and loads
            nb = hand_in(source, student, answers)
            nb.cells.insert(
                1, nbformat.v4.new_markdown_cell('<img src=x onerror="alert(3)"> ![t](http://evil.example/m.png)')
            )
            submit(course, student, "sigmoid_tree", nb)
        else:
            submit(course, student, "sigmoid_tree", hand_in(source, student, answers))
    for student, (answers, _) in FORGED.items():
        answers = {
            **answers,
            "task1_answer": answers.get("task1_answer", "") or source_answer(source, "task1_answer"),
        }
        if student in ("forge_transformer",):  # the attack, then the right answer
            answers["task1_answer"] += source_answer(source, "task1_answer")
        submit(course, student, "sigmoid_tree", hand_in(source, student, answers))
    make_link_hand_ins(course, source)
    make_broken_hand_ins(course, source)
    course_log["before"] = fingerprints(course)
    started = time.perf_counter()
    course_log["autograde"] = run_nbgrader(course, "autograde", "*", BPW_TEST_SECRET=SECRET)
    course_log["seconds"] = time.perf_counter() - started
    course_log["after"] = fingerprints(course)
    course_log["generate_feedback"] = run_nbgrader(course, "generate_feedback", "*")
    course_log["export"] = run_nbgrader(course, "export")
    (course / "test-log.json").write_text(json.dumps(course_log))
    return course


@pytest.fixture(scope="module")
def logs(course) -> dict:
    return json.loads((course / "test-log.json").read_text())


def graded_students(course: Path, name: str) -> list[str]:
    return sorted(p.name for p in (course / "autograded").iterdir() if (p / name).is_dir())


@pytest.fixture(scope="module")
def grades(course) -> dict:
    """(assignment, student) -> (score, max score, {test cell: score})."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for name in ASSIGNMENTS:
            for student in graded_students(course, name):
                submission = gradebook.find_submission(name, student)
                notebook = gradebook.find_submission_notebook(name, name, student)
                cells = {grade.name: grade.score for grade in notebook.grades}
                found[name, student] = (submission.score, submission.max_score, cells)
    return found


def graded(course: Path, name: str, student: str):
    return read(course / "autograded" / student / name / f"{name}.ipynb")


def outputs_text(nb) -> str:
    """The notebook's outputs, one after another on lines of their own, except that a stream's pieces run on as a
    reader sees them (a busy kernel may send one print in two: "refused:", then " OSError")."""
    text, last = "", None
    for o in (o for c in nb.cells for o in c.get("outputs", [])):
        stream = o.get("output_type") == "stream"
        if last is not None and not (stream and last):
            text += "\n"
        text += o.get("text", "") + o.get("evalue", "") + "".join(o.get("data", {}).get("text/plain", ""))
        last = stream
    return text


def secret_lines(source_nb, patterns=(SOLUTION, HIDDEN)) -> list[str]:
    """Lines of the solutions and hidden tests (or of ``patterns``) that appear nowhere else in the source."""
    text = "\n".join(c.source for c in source_nb.cells)
    outside = text
    for pattern in patterns:
        outside = pattern.sub("", outside)
    lines = [
        line.strip()
        for cell in source_nb.cells
        for pattern in patterns
        for region in pattern.findall(cell.source)
        for line in region.splitlines()
    ]
    return [line for line in lines if len(line) > 12 and not line.startswith("#") and line not in outside]


# ---- the sources ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_source_has_solutions_hidden_tests_and_points(name):
    nb = read(COURSE / "source" / name / f"{name}.ipynb")
    solutions = [c for c in nb.cells if nbgrader_meta(c).get("solution")]
    assert len(solutions) >= 3 and all(SOLUTION.search(c.source) for c in solutions)
    tests = test_cells(nb)
    assert len(tests) >= 6 and all(points > 0 for points in tests.values())
    ids = [nbgrader_meta(c).get("grade_id") for c in nb.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), "grade ids must be unique"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_visible_tests_are_worth_little_and_hidden_tests_most(name):
    nb = read(COURSE / "source" / name / f"{name}.ipynb")
    visible = {
        c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"]
        for c in nb.cells
        if nbgrader_meta(c).get("grade") and not HIDDEN.search(c.source)
    }
    hidden = {
        c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"]
        for c in nb.cells
        if nbgrader_meta(c).get("grade") and HIDDEN.search(c.source)
    }
    assert set(visible.values()) == {1}, visible
    assert sum(hidden.values()) >= 2 * sum(visible.values()), (visible, hidden)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_first_code_cell_asks_for_the_student_id(name):
    nb = read(COURSE / "source" / name / f"{name}.ipynb")
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert not nbgrader_meta(first) and first.source.startswith('STUDENT_ID = ""')
    setup = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "setup")
    assert nbgrader_meta(setup).get("locked")
    assert f'my_numbers("{name}", STUDENT_ID)' in setup.source
    settings = [line for line in setup.source.splitlines() if line.startswith("configure(")]
    assert len(settings) == 1 and "assessment=True" in settings[0]
    from backprop_widgets.widgets.options import configure, defaults

    before = defaults()
    try:  # the line's effect: a quiz, gradients hidden (and no run to end, no gradient check)
        configure(reset=True)
        exec(settings[0], {"configure": configure})
        assert {k: defaults()[k] for k in ("assessment", "quiz", "hide_gradients")} == dict.fromkeys(
            ("assessment", "quiz", "hide_gradients"), True
        )
    finally:
        configure(reset=True)
        configure(**before)


# ---- the student version -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_student_version_has_no_solutions_and_no_hidden_tests(course, name):
    source = read(course / "source" / name / f"{name}.ipynb")
    release = read(course / "release" / name / f"{name}.ipynb")
    text = "\n".join(c.source for c in release.cells)
    for marker in MARKERS:
        assert marker not in text
    secret = secret_lines(source)
    assert len(secret) >= 10
    assert not [line for line in secret if line in text]
    assert test_cells(release) == test_cells(source)
    assert all(nbgrader_meta(c)["locked"] for c in release.cells if nbgrader_meta(c).get("grade"))


# ---- honest hand-ins -----------------------------------------------------------------------------------


def test_zip_collect_places_moodle_hand_ins_by_the_roster_not_by_file_names(course, logs):
    for student in TYPED:
        folder = course / "submitted" / student / "sigmoid_tree"
        assert sorted(p.name for p in folder.iterdir()) == ["sigmoid_tree.ipynb"], logs["zip_collect"]
    ada = read(course / "submitted" / "ada" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    assert "STUDENT_ID = 'ada'" in "\n".join(c.source for c in ada.cells)  # not bo's file named as ada's


def test_zip_collect_from_canvas_reports_a_duplicate_for_that_student_only(course, logs):
    log = logs["zip_collect_canvas"]
    assert "Student cy handed in gradients_add_at_branches.ipynb twice" in log, log
    for student in ("ada", "bo", "cy"):
        folder = course / "submitted" / student / "gradients_add_at_branches"
        assert sorted(p.name for p in folder.iterdir()) == ["gradients_add_at_branches.ipynb"], log


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_students_solution_gets_full_marks(grades, name):
    students = list(TYPED) if name == "sigmoid_tree" else ["ada", "bo"]
    max_points = sum(test_cells(read(COURSE / "source" / name / f"{name}.ipynb")).values())
    for student in students:
        score, max_score, cells = grades[name, student]
        assert max_score == max_points
        assert score == max_score, (student, cells)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_students_get_different_numbers(course, name):
    students = list(TYPED) if name == "sigmoid_tree" else ["ada", "bo"]
    printed = {}
    for student in students:
        setup = next(c for c in graded(course, name, student).cells if nbgrader_meta(c).get("grade_id") == "setup")
        printed[student] = outputs_text(nbformat.from_dict({"cells": [setup]}))
        assert "Your numbers" in printed[student], printed[student]
    assert len(set(printed.values())) == len(students), printed


def test_an_empty_id_on_a_hub_is_graded_as_the_hand_ins_id(grades):
    score, max_score, _ = grades["sigmoid_tree", "hub"]
    assert score == max_score


def test_the_untouched_student_version_gets_zero(grades):
    score, max_score, cells = grades["sigmoid_tree", "blank"]
    assert max_score > 0 and score == 0, cells


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_typical_mistakes_get_the_visible_points_and_fail_the_hidden_tests(grades, name):
    score, max_score, cells = grades[name, "mistaken"]
    assert 0 < score < max_score
    assert {cell for cell, points in cells.items() if points > 0} == STILL_PASSING[name], cells


def test_a_notebook_made_for_another_student_scores_zero_with_the_reason(course, grades):
    assert grades["sigmoid_tree", "dan"][0] == 0
    assert "someone else's" in outputs_text(graded(course, "sigmoid_tree", "dan"))


def test_an_e_mail_typed_instead_of_the_id_scores_zero_and_says_what_to_type(course, grades):
    assert grades["sigmoid_tree", "eve"][0] == 0
    assert "the student's e-mail, not the course's id 'eve'" in outputs_text(graded(course, "sigmoid_tree", "eve"))


def test_a_failed_test_says_why_without_its_code(course):
    nb = graded(course, "two_layer_network", "mistaken")
    hidden = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "task2_hidden")
    assert "BEGIN HIDDEN TESTS" in hidden.source  # the instructor sees the test
    (error,) = hidden.outputs
    assert error.output_type == "error" and error.evalue.startswith("✘ Not yet") and len(error.traceback) == 1


# ---- hostile hand-ins ----------------------------------------------------------------------------------


@pytest.mark.parametrize("student", HOSTILE)
def test_a_hostile_hand_in_scores_zero_with_a_reason(course, grades, student):
    score, max_score, cells = grades["sigmoid_tree", student]
    assert max_score > 0 and score == 0, cells
    assert HOSTILE[student][1] in outputs_text(graded(course, "sigmoid_tree", student))


def test_the_sandbox_kept_the_course_out_of_reach(course):
    printed = outputs_text(graded(course, "sigmoid_tree", "read_source"))
    assert "blocked: FileNotFoundError" in printed and "BEGIN SOLUTION" not in printed
    with sqlite3.connect(course / "gradebook.db") as db:
        assert not db.execute("SELECT COUNT(*) FROM grade WHERE auto_score = 99").fetchone()[0]
    assert not list((course / "autograded").glob("*/*/written-in-sandbox"))


@pytest.mark.parametrize("student", ["ada", "mistaken", *HOSTILE])
def test_feedback_and_graded_notebooks_show_no_solution_and_no_hidden_test(course, student):
    source = read(course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    page = (course / "feedback" / student / "sigmoid_tree" / "sigmoid_tree.html").read_text()
    assert "Score:" in page and "BEGIN HIDDEN TESTS" not in page
    hidden = secret_lines(source, (HIDDEN,))
    assert hidden and not [line for line in hidden if line in page]
    printed = outputs_text(graded(course, "sigmoid_tree", student))
    assert not [line for line in secret_lines(source) if line in printed]


def test_grades_csv_lists_every_student_on_the_roster(course):
    with open(course / "grades.csv") as grades_file:
        rows = list(csv.DictReader(grades_file))
    assert {row["student_id"] for row in rows if row["assignment"] == "sigmoid_tree"} >= {"absent", "ada", "patch"}
    absent = next(r for r in rows if r["student_id"] == "absent" and r["assignment"] == "sigmoid_tree")
    assert float(absent["score"]) == 0


def test_the_log_warns_only_about_real_problems(logs):
    warnings = [line for line in logs["autograde"].splitlines() if "| WARNING]" in line]
    assert not [w for w in warnings if "checksum" in w], warnings
    refused = {student for student, (_, reason) in HOSTILE.items() if "Not yet" not in reason}
    for student in refused | {"dan"}:
        assert [w for w in warnings if f"sigmoid_tree/{student} scored 0" in w], student


def test_autograding_takes_seconds_per_notebook(course, logs):
    notebooks = len(list((course / "autograded").glob("*/*/*.ipynb")))
    per_notebook = logs["seconds"] / notebooks
    print(f"autograde in the sandbox: {per_notebook:.1f} s per notebook ({notebooks} notebooks)")
    assert per_notebook < 60


# ---- a hostile class: links, the environment, script in outputs, bombs ---------------------------------


def feedback_page(course: Path, student: str) -> str:
    return (course / "feedback" / student / "sigmoid_tree" / "sigmoid_tree.html").read_text()


@pytest.mark.parametrize("student", LINKED[:-1])
def test_a_hand_in_that_is_a_link_scores_zero_and_says_why(course, grades, student):
    score, max_score, cells = grades["sigmoid_tree", student]
    assert max_score > 0 and score == 0, cells
    printed = outputs_text(graded(course, "sigmoid_tree", student))
    reason = "hard link" if student == "hard_link" else "symbolic link"
    assert "the hand-in was not read: " in printed and reason in printed, printed


def test_links_leave_the_sources_the_gradebook_and_other_hand_ins_untouched(course, logs, grades):
    assert logs["after"] == logs["before"]  # sources and every regular file handed in, byte for byte
    assert grades["sigmoid_tree", "ada"][0] == grades["sigmoid_tree", "ada"][1]
    with sqlite3.connect(course / "gradebook.db") as db:  # still a gradebook, not a notebook written over it
        assert db.execute("SELECT COUNT(*) FROM student").fetchone()[0] >= len(ROSTER)
    source = read(course / "source" / "sigmoid_tree" / "sigmoid_tree.ipynb")
    secret = secret_lines(source)
    for student in LINKED:
        folder = course / "feedback" / student / "sigmoid_tree"
        assert sorted(p.name for p in folder.iterdir()) == ["sigmoid_tree.html"], student
        page = feedback_page(course, student)
        assert not [line for line in secret if line in page], student
        assert "SQLite format" not in page
        graded_folder = course / "autograded" / student / "sigmoid_tree"
        assert {p.name for p in graded_folder.iterdir()} <= {"sigmoid_tree.ipynb", "timestamp.txt"}, student
        assert not [p for p in graded_folder.iterdir() if p.is_symlink()]


def test_an_honest_notebook_brought_with_links_scores_full_marks_without_them(course, grades, logs):
    score, max_score, _ = grades["sigmoid_tree", "extras"]
    assert score == max_score
    assert "ignored (never opened)" in logs["autograde"]


def test_the_sandbox_shows_nothing_of_the_graders_environment(course, grades):
    printed = outputs_text(graded(course, "sigmoid_tree", "environ"))
    assert "/proc/1/environ" in printed and "PATH=" in printed  # it did read the sandbox's own
    assert SECRET not in printed and SECRET not in feedback_page(course, "environ")
    assert grades["sigmoid_tree", "environ"][0] == grades["sigmoid_tree", "environ"][1]


class _Elements(__import__("html.parser").parser.HTMLParser):
    """Every element of a page, with its attributes, and the text of its scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


@pytest.mark.parametrize("student", ["script", "ada"])
def test_feedback_shows_student_html_without_script_handlers_or_external_loads(course, grades, student):
    page = _Elements()
    page.feed(feedback_page(course, student))
    handlers = [(t, a) for t, a in page.elements for name, value in a.items() if name.startswith("on")]
    assert not handlers
    assert not [s for s in page.scripts if "pwned" in s.replace('" + "', "") or "alert(" in s]
    loads = [a.get("src") or a.get("href") for _, a in page.elements if "evil.example" in str(a)]
    assert not loads
    nb = graded(course, "sigmoid_tree", student)
    kinds = {m for c in nb.cells for o in c.get("outputs", []) for m in o.get("data", {})}
    assert not kinds - {"text/plain", "text/html", "image/png", "image/jpeg", "image/gif"}, kinds
    assert "widgets" not in nb.metadata
    assert grades["sigmoid_tree", student][0] == grades["sigmoid_tree", student][1]
    if student == "script":
        assert "<b>bold</b>" in feedback_page(course, student)  # the harmless part is still shown


def printed_by(course: Path, student: str) -> str:
    return outputs_text(graded(course, "sigmoid_tree", student))


def test_a_fork_bomb_is_held_to_the_process_limit_and_scores_its_answers(course, grades):
    printed = printed_by(course, "fork_bomb")
    started = int(re.search(r"processes started: (\d+)", printed).group(1))
    assert started < 100, printed
    assert grades["sigmoid_tree", "fork_bomb"][0] == grades["sigmoid_tree", "fork_bomb"][1]


def test_three_children_of_1000_mb_do_not_all_fit_in_the_memory_limit(course, grades):
    printed = printed_by(course, "memory_bomb")
    held = re.search(r"children that held 1000 MB: (\d)", printed)
    from backprop_widgets.grading.sandbox import Cgroup

    group = Cgroup.make(2**30, 64)
    if group is None:
        pytest.skip("no cgroup here: memory is limited per process only (INSTRUCTORS.md)")
    group.close()
    assert held is None or int(held.group(1)) <= 2, printed  # None: the kernel itself was stopped
    score, max_score, _ = grades["sigmoid_tree", "memory_bomb"]
    assert score <= max_score


def test_writing_600_mb_stops_at_the_folders_size_and_nothing_comes_back(course, grades):
    printed = printed_by(course, "disk_bomb")
    written = int(re.search(r"MB written: (\d+)", printed).group(1))
    assert written <= 100 and "refused: OSError" in printed, printed
    assert not list((course / "autograded").glob("*/*/big-*")) and not list((course / "feedback").glob("*/*/big-*"))
    assert grades["sigmoid_tree", "disk_bomb"][0] == grades["sigmoid_tree", "disk_bomb"][1]


def test_every_hand_in_was_graded(course, logs):
    handed_in = {p.name for p in (course / "submitted").iterdir()}
    graded_ones = {p.name for p in (course / "autograded").iterdir()}
    assert handed_in == graded_ones, logs["autograde"][-3000:]


def test_sandbox_check_words_what_holds_here():
    require_sandbox()
    done = subprocess.run(
        [sys.executable, "-m", "backprop_widgets.grading.sandbox", "check", str(COURSE / "nbgrader_config.py")],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, BPW_TEST_SECRET=SECRET),
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert lines[f"read {COURSE / 'nbgrader_config.py'}"].startswith("blocked")
    assert "none with the grader's environment" in lines["read the environment of every process (/proc/*/environ)"]
    assert lines["network"].startswith("blocked")
    assert lines["write in /"].startswith("blocked")
    assert int(lines["write 1000 MB in its folder"].split()[0]) <= 100
    if "cgroup" in lines["limits"] and "no cgroup" not in lines["limits"]:
        assert int(lines["start 300 processes"].split()[0]) < 100
        assert int(lines["3 children of 120 MB each, under a limit of 300 MB"].split()[0]) <= 2
    print(done.stdout)


# ---- one bad notebook never stops the class ------------------------------------------------------------


@pytest.mark.parametrize(
    ("student", "note"),
    [
        ("copied_cell", "cell task1_test is in the notebook more than once (a copy): only the first one counts"),
        ("reflagged", "the settings of cell task1_hidden were changed in the notebook"),
    ],
)
def test_copied_and_reflagged_cells_are_graded_as_the_source_says_with_a_note(course, grades, logs, student, note):
    score, max_score, cells = grades["sigmoid_tree", student]
    assert max_score == 11 and score == max_score, cells  # no points for an added cell, none lost for a copy
    nb = graded(course, "sigmoid_tree", student)
    assert nb.cells[0].cell_type == "markdown" and "Grader's note" in nb.cells[0].source
    assert note in nb.cells[0].source
    assert f"sigmoid_tree/{student}: " in logs["autograde"] and note in logs["autograde"]
    if student == "reflagged":
        assert "marked as graded or read-only ('bonus')" in nb.cells[0].source
        assert "the settings of cell task2_test were changed" in nb.cells[0].source


def test_an_answer_too_large_to_encode_loses_only_its_own_points(course, grades):
    score, max_score, cells = grades["sigmoid_tree", "huge_answer"]
    assert cells["task1_test"] == 0 and cells["task1_hidden"] == 0, cells
    assert cells["task3_test"] > 0 and cells["task3_hidden"] > 0, cells
    assert "give a number, not a number too large for a float" in outputs_text(
        graded(course, "sigmoid_tree", "huge_answer")
    )
    print("10**400 answer:", score, "of", max_score, cells)


def test_a_file_that_is_not_a_notebook_scores_zero_with_the_reason(course, grades):
    assert grades["sigmoid_tree", "not_json"][0] == 0
    assert "cannot be read as a notebook" in outputs_text(graded(course, "sigmoid_tree", "not_json"))


# ---- reports that cannot be forged ---------------------------------------------------------------------


@pytest.mark.parametrize("student", FORGED)
def test_a_function_is_judged_by_what_its_code_returns_in_a_fresh_process(course, grades, student):
    score, max_score, cells = grades["sigmoid_tree", student]
    forged = FORGED[student][1]
    assert not [cell for cell in forged if cells[cell] > 0], cells  # was full marks: the forged answer, or the engine's
    assert not [cell for cell, points in cells.items() if cell not in forged and points == 0], cells  # the rest earned
    print(student, score, "of", max_score, cells)


# ---- your_own_engine: a student's Value class, judged from its code in a fresh sandbox --------------------


def engine_verdicts(course: Path, student: str) -> dict[str, str]:
    """Each test cell of a graded your_own_engine notebook -> what its output says."""
    nb = graded(course, "your_own_engine", student)
    return {
        nbgrader_meta(c)["grade_id"]: outputs_text(nbformat.from_dict({"cells": [c]}))
        for c in nb.cells
        if nbgrader_meta(c).get("grade")
    }


def test_the_engine_assignments_blank_version_scores_zero_and_says_what_to_write(course, grades):
    score, max_score, cells = grades["your_own_engine", "blank"]
    assert max_score == 21 and score == 0, cells
    said = engine_verdicts(course, "blank")
    assert all(text.startswith("✘ Not yet: ") for text in said.values()), said
    assert "its _backward raised NotImplementedError" in said["task1_hidden"], said
    assert "backward() raised NotImplementedError" in said["task5_hidden"], said


@pytest.mark.parametrize("bug", list(engine_hand_ins.EARNED))
def test_an_engine_with_one_catalogue_bug_scores_the_tasks_it_gets_right(course, grades, bug):
    score, max_score, cells = grades["your_own_engine", bug]
    earned = {g for g, points in cells.items() if points > 0}
    assert {engine_hand_ins.task_of(g) for g in earned} == engine_hand_ins.EARNED[bug], cells
    assert score == 3 * len(engine_hand_ins.EARNED[bug]) and max_score == 21
    said = engine_verdicts(course, bug)
    for grade_id, text in said.items():
        if grade_id not in earned:
            assert engine_hand_ins.SAYS[bug] in text, (grade_id, text)
            print(f"{bug} {grade_id}: {text.strip()}")


@pytest.mark.parametrize("student", ["forge_kernel", "forge_fresh", "borrowed"])
def test_a_forged_or_borrowed_engine_scores_nothing(course, grades, student):
    score, max_score, cells = grades["your_own_engine", student]
    assert max_score == 21 and score == 0, cells
    said = engine_verdicts(course, student)
    assert not [t for t in said.values() if "✔" in t], said
    if student == "borrowed":
        assert "`from micrograd.engine import Value` failed when run on its own" in said["task1_test"], said


def test_grading_an_engine_hand_in_takes_seconds(course):
    started = time.perf_counter()
    run_nbgrader(course, "autograde", "your_own_engine", "--student", "ada", "--force")
    seconds = time.perf_counter() - started
    print(f"autograde of one your_own_engine hand-in in the sandbox: {seconds:.1f} s")
    assert engine_verdicts(course, "ada")  # (the time is reported, not judged: machines differ)
