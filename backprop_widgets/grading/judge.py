"""nbgrader preprocessors that judge a hand-in's answers outside the kernel that ran its code.

``nbgrader autograde`` normally runs the instructor's tests in the same kernel as the
student's cells, so a cell can rewrite the checker, transform later cells, or print
them.  With these preprocessors (see ``assignments/nbgrader_config.py``):

1. ``SealTests`` (before ``Execute``) reads the instructor's *source* notebook, runs
   its given cells, solutions and tests here, in the grader, with the numbers of the
   student id it verified, and records which answers each test reads and at which
   arguments it calls a student's function (drawn fresh for this hand-in).  Then it
   replaces every test cell of the hand-in by a probe (``probe.probe_source``) that
   only reports those answers.  No test code and no expected value reaches the kernel.
2. ``Execute`` runs the hand-in (in the sandboxed kernel, ``sandbox``).
3. ``JudgeAnswers`` (after ``Execute``) runs each test again here, on the reported
   answers (a reported function replays what it returned), puts the test's own code
   back in the cell, and writes the verdict as the cell's output: the printed
   ``✔ Right: …`` when it passes, ``AssertionError: ✘ Not yet: …`` when it fails.
   nbgrader's ``SaveAutoGrades`` scores those outputs as usual.

A notebook scores 0 on every test, with the reason as each test's output (and a
warning in nbgrader's log), when it was handed in by someone other than the
student id it says; when the tripwire (``scan``) finds code that reaches past the
task; or when a probe did not report exactly once (a notebook changed how its
later cells run).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from . import numbers as _numbers
from .engines import StudentClass
from .probe import FRESH, ReportedFunction, decode, encode, find_reports, probe_source
from .scan import engine_words, scan_cell

__all__ = [
    "NormalizeCells",
    "SealTests",
    "JudgeAnswers",
    "Execute",
    "OverwriteCells",
    "GraderSetupError",
    "plan_notebook",
    "judge_notebook",
]

KEY = "backprop_widgets.grading"
INTAKE_KEY = "backprop_widgets.grading.intake"  # set by intake.SafeAutograde
ID_NAME = "STUDENT_ID"


class GraderSetupError(RuntimeError):
    """The instructor's source does not pass its own tests (for this student's numbers): fix the source."""


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _kind(cell) -> str:
    """given (locked code the grader runs), answer (the instructor's solution), test (points), or other."""
    meta = _meta(cell)
    if cell.get("cell_type") != "code":
        return "other"
    if meta.get("grade") and not meta.get("solution"):
        return "test"
    if meta.get("solution"):
        return "answer"
    if meta.get("locked"):
        return "given"
    return "other"


def _defined(source: str) -> set[str]:
    """Top-level names a cell binds."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        targets: list = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For)):
            targets = [node.target]
        for target in targets:
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _read(source: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}


class Recorder:
    """Stands for the instructor's function while planning: calls it and records the arguments."""

    def __init__(self, function) -> None:
        self.function = function
        self.calls: list[list] = []  # the encoded arguments of each call

    def __call__(self, *args):
        self.calls.append([encode(a) for a in args])
        return self.function(*args)


class Diverged(Exception):
    """A test called a student's function differently from the plan (the test is not deterministic)."""


class Replayer:
    """Stands for a student's function while judging: returns what it returned in the kernel at the planned calls."""

    def __init__(self, planned: list, results: list) -> None:
        self.planned, self.results, self.count = planned, results, 0

    def __call__(self, *args):
        index, self.count = self.count, self.count + 1
        if index >= len(self.planned) or [encode(a) for a in args] != self.planned[index]:
            raise Diverged("the test called the function at arguments the grader did not plan")
        if index >= len(self.results):
            raise Diverged("the function's result for this call is missing from the report")
        result = decode(self.results[index])
        if isinstance(result, BaseException):
            raise result
        return result


@dataclass
class TestPlan:
    grade_id: str
    source: str  # the instructor's test, as in the source notebook
    names: list[str]  # answers the test reads
    calls: dict[str, list]  # function name -> planned argument lists (encoded)
    classes: list[str] = field(default_factory=list)  # classes the test reads: judged from code (engines)
    nonce: str = field(default_factory=lambda: secrets.token_hex(12))


@dataclass
class Plan:
    student: str  # the student id nbgrader grades (the folder's name)
    verified_id: str  # the id the numbers are drawn from
    grading_seed: int
    tests: dict[str, TestPlan]
    refusals: list[str]  # reasons the notebook scores 0


@contextlib.contextmanager
def _quiet_widgets():
    """The given cells call configure(): inside this block it changes the block's widget defaults only."""
    try:
        from ..widgets.options import options
    except Exception:  # pragma: no cover - the widgets are optional for grading
        yield
        return
    with options():
        yield


def _namespace(student_id: str) -> dict:
    return {"__name__": "__grader__", ID_NAME: student_id}


def _exec(source: str, namespace: dict) -> str:
    """Run trusted code (the instructor's), returning what it printed (stdout and stderr)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        exec(compile(source, "<test>", "exec"), namespace)
    return out.getvalue()


def plan_notebook(source_nb, student_id: str, grading_seed: int) -> dict[str, TestPlan]:
    """Run the source (given cells, solutions, tests) for this student; record what each test reads and calls."""
    answer_names: set[str] = set()
    for cell in source_nb.cells:
        if _kind(cell) == "answer":
            answer_names |= _defined(cell.source)
    plans: dict[str, TestPlan] = {}
    namespace = _namespace(student_id)
    with _numbers.grading_with(grading_seed), _quiet_widgets():
        for cell in source_nb.cells:
            kind = _kind(cell)
            if kind in ("given", "answer"):
                _exec(cell.source, namespace)
            elif kind == "test":
                grade_id = _meta(cell)["grade_id"]
                names = sorted(_read(cell.source) & answer_names)
                saved = {n: namespace[n] for n in names if n in namespace}
                recorders = {n: Recorder(f) for n, f in saved.items() if callable(f) and not isinstance(f, type)}
                namespace.update(recorders)
                try:
                    _exec(cell.source, namespace)
                except Exception as error:
                    raise GraderSetupError(
                        f"the solution in the source fails its own test {grade_id} for student id "
                        f"{student_id!r}: {type(error).__name__}: {error}"
                    ) from error
                finally:
                    namespace.update(saved)
                classes = [n for n, f in saved.items() if isinstance(f, type)]
                plans[grade_id] = TestPlan(
                    grade_id, cell.source, names, {n: r.calls for n, r in recorders.items()}, classes
                )
    return plans


DEFINITIONS = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Import,
    ast.ImportFrom,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
)
PLAIN = ("num", "bool", "str", "none", "array")


def _plain(encoded: dict) -> bool:
    if encoded.get("t") in ("list", "tuple"):
        return all(_plain(e) for e in encoded["v"])
    return encoded.get("t") in PLAIN


def fresh_code(source_nb, nb) -> list[str]:
    """What a fresh process runs to learn a hand-in's functions: the read-only cells' functions (the instructor's),
    then the top-level definitions and assignments of the student's cells; no other statement (no print, no hook)."""
    code = []
    for cell in source_nb.cells:
        if _kind(cell) == "given":
            code += [ast.unparse(n) for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)]
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or _meta(cell).get("locked") or _kind(cell) == "test":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        code += [ast.unparse(n) for n in tree.body if isinstance(n, DEFINITIONS)]
    return code


def fresh_calls(source_nb, nb, plan: Plan) -> dict[str, dict[str, list]]:
    """Each test's planned calls of the student's functions, made in a fresh sandboxed process without the kit.

    That process runs only the hand-in's definitions (``fresh_code``) on the numbers the grader computed for this
    student, never the notebook's other code, and the kernel that ran the notebook plays no part: whatever the
    notebook did to its own kernel (trace hooks, input transformers) cannot change what a function returns here,
    and without the kit a function cannot get its answer from the engine.
    """
    from .sandbox import run_fresh

    wanted: list[tuple[str, str, list]] = [
        (f"{g}/{n}", n, args) for g, test in plan.tests.items() for n, args in test.calls.items()
    ]
    if not wanted:
        return {}
    namespace = _namespace(plan.verified_id)
    with _numbers.grading_with(plan.grading_seed), _quiet_widgets():
        for cell in source_nb.cells:
            if _kind(cell) == "given":
                _exec(cell.source, namespace)
    constants = {}
    for name, value in namespace.items():
        if not name.startswith("__") and not callable(value):
            encoded = encode(value)
            if _plain(encoded):
                constants[name] = encoded
    task = json.dumps({"constants": constants, "code": fresh_code(source_nb, nb), "calls": wanted})
    try:
        results = json.loads(run_fresh(FRESH, task, timeout=60))
        if not isinstance(results, dict):
            raise ValueError("no results")
    except Exception as error:
        why = "over its time limit" if "Timeout" in type(error).__name__ else "it stopped before it answered"
        failed = {"t": "raised", "ename": "NotGraded", "evalue": f"your functions could not be run on their own: {why}"}
        results = {label: [failed] * len(args) for label, _, args in wanted}
    found: dict[str, dict[str, list]] = {}
    for label, name, _ in wanted:
        grade_id = label[: -len(name) - 1]
        calls = results.get(label)
        found.setdefault(grade_id, {})[name] = calls if isinstance(calls, list) else []
    return found


@dataclass
class Verdict:
    passed: bool
    text: str  # printed output when passed; the reason when not
    ename: str = "AssertionError"


def judge_notebook(source_nb, plan: Plan, reports: dict[str, dict | str]) -> dict[str, Verdict]:
    """Run each test on its reported answers (``reports[grade_id]``: the report, or why there is none)."""
    verdicts: dict[str, Verdict] = {}
    namespace = _namespace(plan.verified_id)
    with _numbers.grading_with(plan.grading_seed), _quiet_widgets():
        for cell in source_nb.cells:
            kind = _kind(cell)
            if kind == "given":
                _exec(cell.source, namespace)
            elif kind == "test":
                test = plan.tests[_meta(cell)["grade_id"]]
                verdicts[test.grade_id] = _judge_test(test, reports.get(test.grade_id), namespace)
    return verdicts


def _judge_test(test: TestPlan, report: dict | str | None, namespace: dict) -> Verdict:
    if not isinstance(report, dict):
        return Verdict(False, f"✘ Not graded: {report or 'no report from this cell'}.")
    values, calls = report.get("values", {}), report.get("calls", {})
    for name in test.names:
        reported = values.get(name, {"t": "missing"})
        if reported.get("t") == "missing":
            namespace.pop(name, None)
        elif name in test.calls and reported.get("t") == "function":
            namespace[name] = Replayer(test.calls[name], list(calls.get(name, [])))
        else:
            namespace[name] = decode(reported)
    namespace.update(report.get("classes", {}))  # a class: its code, run in a fresh sandbox (engines.StudentClass)
    try:
        printed = _exec(test.source, namespace)
    except Diverged as problem:
        return Verdict(
            False,
            f"✘ Not graded: the grader could not replay this test ({problem}); "
            "ask your instructor to grade it by hand.",
            "GraderError",
        )
    except Exception as error:  # the verdict, as nbgrader would have seen it
        return Verdict(False, str(error) or type(error).__name__, type(error).__name__)
    finally:
        for name in test.names:  # a function stands in only for its own test
            if isinstance(namespace.get(name), (Replayer, ReportedFunction, StudentClass)):
                namespace.pop(name)
    return Verdict(True, printed)


# ---- reading a hand-in ------------------------------------------------------------------------------------


def typed_id(nb) -> tuple[int | None, str | None]:
    """(cell index, the id typed in ``STUDENT_ID = "..."``) of the first unlocked cell assigning it."""
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or _meta(cell).get("locked"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == ID_NAME for t in node.targets):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    return index, node.value.value
                return index, None
    return None, None


def other_names(db_url: str | None, student: str) -> dict[str, str]:
    """The roster's other names for a student (normalised e-mail and LMS id -> what they are), which are not ids."""
    names: dict[str, str] = {}
    if db_url:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(db_url) as gradebook:
            try:
                record = gradebook.find_student(student)
            except MissingEntry:
                return names
            for value, what in ((record.email, "e-mail"), (record.lms_user_id, "LMS id")):
                if value:
                    names[_numbers.normalize_id(value)] = what
    return names


def _source_notebook(config, resources) -> Any:
    from nbgrader.coursedir import CourseDirectory

    info = resources["nbgrader"]
    coursedir = CourseDirectory(config=config)
    folder = coursedir.format_path(coursedir.source_directory, ".", info["assignment"])
    return nbformat.read(os.path.join(folder, info["notebook"] + ".ipynb"), as_version=4)


class SealTests(Preprocessor):
    """Before the hand-in runs: verify its student id, plan the tests here, put probes in their place."""

    enabled = Bool(True)

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
        info = resources["nbgrader"]
        student = info["student"]
        refusals: list[str] = []
        refused = resources.get(INTAKE_KEY, {}).get("refused")
        if refused:  # the hand-in was not read (intake.stage): this is the assignment's notebook, answers empty
            refusals.append(f"the hand-in was not read: {refused}")
        index, typed = typed_id(nb)
        folder_id = _numbers.normalize_id(student)
        if index is None or typed is None:
            refusals.append(f'the notebook has no line `{ID_NAME} = "..."` with the student id typed in quotes')
            verified = folder_id
        elif not typed.strip():
            verified = folder_id  # on a JupyterHub the hub's user name, which is nbgrader's student id
            nb.cells[
                index
            ].source = f'{ID_NAME} = "{student}"  # left empty: the grader used the id it was handed in as'
        elif _numbers.normalize_id(typed) == folder_id:
            verified = folder_id
        elif _numbers.normalize_id(typed) in (names := other_names(info.get("db_url"), student)):
            verified = folder_id
            refusals.append(
                f"the notebook says {ID_NAME} = {typed!r}, the student's {names[_numbers.normalize_id(typed)]}, not "
                f"the course's id {student!r}: its numbers were drawn from another name (type {student!r} and run "
                "the notebook again)"
            )
        else:
            verified = folder_id
            refusals.append(
                f"the notebook says {ID_NAME} = {typed!r} but was handed in as {student!r}, so its numbers are "
                "someone else's"
            )
        source_nb = _source_notebook(self.config, resources)
        allowed = set().union(*(engine_words(c.source) for c in source_nb.cells if _kind(c) == "answer"))
        for cell in nb.cells:
            if cell.get("cell_type") == "code" and not _meta(cell).get("locked"):
                for finding in scan_cell(cell.source, allowed):
                    refusals.append(f"a cell the student wrote {finding}")
        seed = secrets.randbits(48)
        tests = plan_notebook(source_nb, verified, seed)
        for cell in nb.cells:
            grade_id = _meta(cell).get("grade_id")
            if _kind(cell) == "test" and grade_id in tests:
                plan = tests[grade_id]
                cell.source = probe_source(plan.nonce, plan.names, {})  # functions: called in a fresh process
        resources[KEY] = Plan(student, verified, seed, tests, list(dict.fromkeys(refusals)))
        return nb, resources


NOTES = "backprop_widgets_grading_notes"  # notebook metadata: what NormalizeCells changed, for JudgeAnswers to say
FLAGS = ("grade", "solution", "locked", "task", "points", "grade_id")


class NormalizeCells(Preprocessor):
    """Before nbgrader's own checks: give a hand-in's cells back the grading settings of the instructor's source.

    A student may copy a test cell (the same grade id twice), change a cell's settings (a hidden test made an
    answer, an id cell locked, a test unlocked), or add a cell that claims points.  nbgrader stops the whole
    class at the first of these (a copied cell: "nbgrader update ."), or fails that notebook with a traceback.
    Here the first cell with each of the source's grade ids gets the source's settings (and cell type) back;
    copies and cells the source does not have become ordinary cells.  What was changed is said once, in the
    log and at the top of the graded notebook (``JudgeAnswers``); the rest of the notebook is graded as usual.
    """

    enabled = Bool(True)

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
        source = {
            _meta(c)["grade_id"]: c for c in _source_notebook(self.config, resources).cells if _meta(c).get("grade_id")
        }
        nb.metadata.pop(NOTES, None)  # only the grader writes these
        notes: list[str] = []
        seen: set[str] = set()
        for index, cell in enumerate(nb.cells):
            meta = cell.get("metadata", {}).get("nbgrader")
            if meta is None:
                continue
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if not isinstance(grade_id, str) or grade_id not in source:
                del cell.metadata["nbgrader"]
                if isinstance(meta, dict) and any(meta.get(f) for f in ("grade", "solution", "locked", "task")):
                    notes.append(
                        f"a cell the student added was marked as graded or read-only ({grade_id!r}): graded as an ordinary cell"
                    )
                continue
            if grade_id in seen:
                del cell.metadata["nbgrader"]
                notes.append(f"cell {grade_id} is in the notebook more than once (a copy): only the first one counts")
                continue
            seen.add(grade_id)
            original = source[grade_id]
            wanted = {f: _meta(original).get(f) for f in FLAGS if f in _meta(original)}
            if {f: meta.get(f) for f in wanted} != wanted or cell.cell_type != original.cell_type:
                notes.append(
                    f"the settings of cell {grade_id} were changed in the notebook: the instructor's were put back"
                )
                restored = dict(meta, **wanted)
                for flag in set(FLAGS) - set(wanted):
                    restored.pop(flag, None)
                if cell.cell_type != original.cell_type:
                    make = nbformat.v4.new_code_cell if original.cell_type == "code" else nbformat.v4.new_markdown_cell
                    cell = nb.cells[index] = make(cell.source, metadata=dict(cell.metadata))
                cell.metadata["nbgrader"] = restored
        if notes:
            nb.metadata[NOTES] = list(dict.fromkeys(notes))
        return nb, resources


def _note_cell(notes: list[str]):
    text = "**Grader's note** (the rest of the notebook was graded as usual):\n\n" + "\n".join(f"- {n}." for n in notes)
    return nbformat.v4.new_markdown_cell(text)


STOPPED = ("DeadKernelError", "CellTimeoutError", "KernelStopped")


class JudgeAnswers(Preprocessor):
    """After the hand-in ran: judge each test here on what its probe reported, and write the verdict."""

    enabled = Bool(True)

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
        plan: Plan = resources[KEY]
        info = resources["nbgrader"]
        reports: dict[str, dict | str] = {}
        refusals = list(plan.refusals)
        for cell in nb.cells:
            grade_id = _meta(cell).get("grade_id")
            if grade_id not in plan.tests or _kind(cell) != "test":
                continue
            test = plan.tests[grade_id]
            printed = "".join(
                o.get("text", "")
                for o in cell.get("outputs", [])
                if o.get("output_type") == "stream" and o.get("name") == "stdout"
            )
            stopped = [
                o for o in cell.get("outputs", []) if o.get("output_type") == "error" and o.get("ename") in STOPPED
            ]
            found = find_reports(printed, test.nonce)
            if stopped:
                reports[grade_id] = (
                    "the notebook stopped before this test could read the answers "
                    f"({stopped[0].get('ename')}: over its time or memory limit, or it ended its kernel)"
                )
            elif len(found) == 1 and "malformed" not in found[0]:
                reports[grade_id] = found[0]
            else:
                what = "no report" if not found else "a forged or garbled report"
                refusals.append(
                    f"the grader's probe in {grade_id} gave {what}: the notebook changed how its later cells run"
                )
        refusals = list(dict.fromkeys(refusals))
        notes = [str(n) for n in nb.metadata.pop(NOTES, [])]
        if notes:
            self.log.warning("%s/%s: %s", info["assignment"], plan.student, "; ".join(notes))
        source_nb = _source_notebook(self.config, resources)
        if refusals:
            reason = "✘ Scored 0: " + "; ".join(refusals) + "."
            verdicts = {g: Verdict(False, reason, "NotGraded") for g in plan.tests}
            self.log.warning("%s/%s scored 0: %s", info["assignment"], plan.student, "; ".join(refusals))
        else:
            for grade_id, calls in fresh_calls(source_nb, nb, plan).items():
                if isinstance(reports.get(grade_id), dict):
                    reports[grade_id] = dict(reports[grade_id], calls=calls)  # type: ignore[arg-type]
            classes: dict[str, StudentClass] = {}  # one per class, shared by its tests (and their time limit)
            for grade_id, test in plan.tests.items():
                if test.classes and isinstance(reports.get(grade_id), dict):
                    for name in test.classes:
                        classes.setdefault(name, StudentClass(name, fresh_code(source_nb, nb)))
                    wanted = {name: classes[name] for name in test.classes}
                    reports[grade_id] = dict(reports[grade_id], classes=wanted)  # type: ignore[arg-type]
            verdicts = judge_notebook(source_nb, plan, reports)
        for cell in nb.cells:
            grade_id = _meta(cell).get("grade_id")
            if grade_id in plan.tests and _kind(cell) == "test":
                cell.source = plan.tests[grade_id].source
                cell.outputs = [_output(verdicts[grade_id])]
        if notes:
            nb.cells.insert(0, _note_cell(notes))
        self.log.info(
            "%s/%s judged outside the kernel: numbers of student id %r, grading seed %d",
            info["assignment"],
            plan.student,
            plan.verified_id,
            plan.grading_seed,
        )
        return nb, resources


def _output(verdict: Verdict):
    if verdict.passed:
        return nbformat.v4.new_output("stream", name="stdout", text=verdict.text or "✔ passed\n")
    return _error_output(verdict.ename, verdict.text)


def _error_output(ename: str, evalue: str):
    """An error output as a notebook shows it: ``ename: evalue``."""
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


@functools.cache
def _execute_class():
    from nbclient.exceptions import DeadKernelError
    from nbgrader.preprocessors import Execute as NbgraderExecute

    class Execute(NbgraderExecute):
        """nbgrader's Execute, except that a kernel that dies (limits, ``os._exit``) fails the cells left, not the run."""

        def preprocess(self, nb, resources=None, km=None):
            self._stopped = None
            # The kernel starts in an empty folder of its own, never in the hand-in's folder under autograded/
            # (in the sandbox it then works in a tmpfs of its own): nothing it writes comes back.
            scratch = tempfile.mkdtemp(prefix="bpw-kernel-")
            resources = dict(resources or {})
            metadata = resources.get("metadata") or {}
            resources["metadata"] = dict(metadata, path=scratch)
            try:
                nb, resources = super().preprocess(nb, resources, km)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            resources["metadata"] = metadata
            return nb, resources

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type == "code" and self._stopped:
                cell.outputs = [_error_output("KernelStopped", self._stopped)]
                return cell, resources
            try:
                return super().preprocess_cell(cell, resources, index)
            except DeadKernelError as error:
                self._stopped = f"the kernel died ({error or 'over its time or memory limit?'})"
                cell.outputs = list(cell.get("outputs", [])) + [_error_output("DeadKernelError", self._stopped)]
                return cell, resources

    return Execute


@functools.cache
def _overwrite_cells_class():
    from nbgrader.api import MissingEntry
    from nbgrader.preprocessors import ClearHiddenTests
    from nbgrader.preprocessors import OverwriteCells as NbgraderOverwriteCells

    def release_text(source: str) -> str:
        cell = nbformat.v4.new_code_cell(source)
        ClearHiddenTests()._remove_hidden_test_region(cell)
        return "\n".join(line.rstrip() for line in cell.source.strip().splitlines())

    class OverwriteCells(NbgraderOverwriteCells):
        """nbgrader's OverwriteCells, without its checksum warning for test cells handed in as released.

        A hidden test's cell reaches students without its hidden part, so its checksum always differs from
        the source's: nbgrader warns "Attribute 'checksum' for cell … has changed!" for every hidden test of
        every hand-in, which buries the warnings about cells a student did change.  Those stay.
        """

        def preprocess_cell(self, cell, resources, cell_index):
            self._as_released = False
            grade_id = _meta(cell).get("grade_id")
            if grade_id and cell.get("cell_type") == "code":
                try:
                    source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id).source
                except MissingEntry:
                    source = None
                if source is not None and source != cell.source:
                    handed_in = "\n".join(line.rstrip() for line in cell.source.strip().splitlines())
                    self._as_released = handed_in == release_text(source)
            return super().preprocess_cell(cell, resources, cell_index)

        def report_change(self, name, attr, old, new):
            if attr == "checksum" and getattr(self, "_as_released", False):
                self.log.debug("cell %s handed in as released (its hidden tests put back)", name)
                return
            super().report_change(name, attr, old, new)

    return OverwriteCells


def __getattr__(name: str):
    if name == "Execute":
        return _execute_class()
    if name == "OverwriteCells":
        return _overwrite_cells_class()
    raise AttributeError(name)
