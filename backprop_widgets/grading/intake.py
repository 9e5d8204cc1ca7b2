"""Taking in hand-ins without trusting the folder they are in.

A hand-in folder (``submitted/<student>/<assignment>/``) is written by students, by
``zip_collect`` or by a JupyterHub exchange: it may hold symbolic links (to the
source notebook, to ``gradebook.db``, to another student's hand-in), hard links,
folders that are links, huge files, or files that are not notebooks.  nbgrader
reads, copies and ``chmod``-s what it finds there, following links.  So before
nbgrader sees a hand-in, ``stage`` copies it into a private folder of the grader:

- each folder on the way (``<student>``, ``<assignment>``) must be a real folder,
  not a link (``lstat``);
- only the assignment's notebooks (their names come from ``source/``, the
  instructor's tree) are taken, each opened with ``O_NOFOLLOW`` relative to its
  folder, and must be a regular file with one link and at most ``MAX_BYTES``;
  its bytes are read once and must be a notebook (JSON, nbformat 4);
- ``timestamp.txt`` is taken the same way (a few bytes); nothing else is:
  other files, links or not, are never opened, copied or ``chmod``-ed.

A notebook that fails a check is replaced by the assignment's own notebook with
its answers empty, and ``refusal`` says why: the grader scores it 0 with that
sentence (``judge.SealTests``).  nbgrader then grades the staged copy, and writes
its results under ``autograded/`` as new files (``SafeAutograde``).
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = ["MAX_BYTES", "Staged", "stage", "read_regular", "SafeAutograde"]

MAX_BYTES = 20 * 2**20  # a hand-in notebook with outputs is well under 1 MB; one with widget state about 1 MB
TIMESTAMP_BYTES = 200
KEY = "backprop_widgets.grading.intake"  # resources[KEY]["refused"]: why the hand-in was not read


class Refused(Exception):
    """A file of a hand-in that the grader does not read; the message says why, for the instructor."""


def read_regular(folder_fd: int, name: str, limit: int) -> bytes:
    """The bytes of ``name`` in the open folder ``folder_fd``: a regular file, not a link, one link, at most ``limit``."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder_fd)
    except OSError as error:
        info = _lstat(name, folder_fd)
        if info is not None and stat.S_ISLNK(info.st_mode):
            raise Refused(f"{name} is a symbolic link, not a file") from None
        raise Refused(f"{name} cannot be opened ({error.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{name} is not a regular file")
        if info.st_nlink != 1:
            raise Refused(f"{name} is a hard link (the same file is also elsewhere, {info.st_nlink} names)")
        if info.st_size > limit:
            raise Refused(f"{name} is {info.st_size / 2**20:.1f} MB, over the limit of {limit / 2**20:.0f} MB")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise Refused(f"{name} grew over the limit of {limit / 2**20:.0f} MB while it was read")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _lstat(name: str, folder_fd: int | None = None) -> os.stat_result | None:
    try:
        return os.lstat(name, dir_fd=folder_fd)
    except OSError:
        return None


def _open_folder(path: Path, parent_fd: int | None = None) -> int:
    """An fd for a real folder (not a link), or ``Refused``."""
    name = path.name if parent_fd is not None else str(path)
    info = _lstat(name, parent_fd)
    if info is None:
        raise Refused(f"{path.name}/ does not exist")
    if stat.S_ISLNK(info.st_mode):
        raise Refused(f"the folder {path.name}/ is a symbolic link")
    if not stat.S_ISDIR(info.st_mode):
        raise Refused(f"{path.name} is not a folder")
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent_fd)


@dataclass
class Staged:
    """Where the staged hand-ins are, and why some notebooks were replaced: (student, assignment, notebook) -> reason."""

    root: Path
    refusals: dict[tuple[str, str, str], str] = field(default_factory=dict)
    ignored: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def blank_notebook(source_path: Path) -> nbformat.NotebookNode:
    """The instructor's notebook with every answer emptied: what a refused hand-in is graded as (it scores 0)."""
    nb = nbformat.read(source_path, as_version=4)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            cell.source = ""
        cell.outputs = [] if cell.cell_type == "code" else cell.get("outputs")
        if cell.cell_type != "code":
            cell.pop("outputs", None)
    return nb


def stage_one(submitted: Path, student: str, assignment: str, notebooks: dict[str, Path], into: Path, staged: Staged):
    """Copy one hand-in's notebooks (checked) and timestamp into ``into/<student>/<assignment>/``."""
    target = into / student / assignment
    target.mkdir(parents=True)
    problem = None
    fds: list[int] = []
    try:
        try:
            fds.append(_open_folder(submitted / student))
            fds.append(_open_folder(submitted / student / assignment, fds[-1]))
        except Refused as why:
            problem = str(why)
        folder_fd = fds[-1] if len(fds) == 2 and problem is None else None
        names = set(os.listdir(folder_fd)) if folder_fd is not None else set()
        for name, source_path in notebooks.items():
            filename = f"{name}.ipynb"
            reason = problem
            nb = None
            if reason is None:
                if filename not in names:
                    continue  # missing: nbgrader gives it 0
                try:
                    data = read_regular(folder_fd, filename, MAX_BYTES)  # type: ignore[arg-type]
                    nb = nbformat.reads(data.decode("utf-8"), as_version=4)
                    if not isinstance(nb.get("cells"), list):
                        raise Refused(f"{filename} has no cells")
                except Refused as why:
                    reason = str(why)
                except Exception as error:  # not UTF-8, not JSON, not a notebook (its message may quote the file)
                    reason = f"{filename} cannot be read as a notebook ({type(error).__name__})"
            if reason is not None:
                staged.refusals[student, assignment, name] = reason
                nb = blank_notebook(source_path)
            (target / filename).write_text(nbformat.writes(nb), encoding="utf-8")
        if folder_fd is not None:
            if "timestamp.txt" in names:
                try:
                    text = read_regular(folder_fd, "timestamp.txt", TIMESTAMP_BYTES).decode("utf-8", "replace")
                    (target / "timestamp.txt").write_text(text)
                except Refused as why:
                    staged.ignored.setdefault((student, assignment), []).append(f"timestamp.txt ({why})")
            others = sorted(names - {f"{n}.ipynb" for n in notebooks} - {"timestamp.txt"})
            if others:
                staged.ignored.setdefault((student, assignment), []).extend(others)
    finally:
        for fd in reversed(fds):
            os.close(fd)


def stage(submitted: Path, source: Path, students: list[str], assignments: list[str], into: Path) -> Staged:
    """Stage every (student, assignment) hand-in found in ``submitted`` into the private folder ``into``."""
    staged = Staged(into)
    for assignment in assignments:
        notebooks = {p.stem: p for p in sorted((source / assignment).glob("*.ipynb"))}
        for student in students:
            entry = submitted / student / assignment
            if os.path.lexists(entry) or os.path.islink(submitted / student):
                stage_one(submitted, student, assignment, notebooks, into, staged)
    return staged


def _names(folder: Path, pattern: str) -> list[str]:
    """Names in ``folder`` matching an nbgrader id pattern (``*`` or an id), links included, never followed."""
    import fnmatch

    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(n for n in names if fnmatch.fnmatchcase(n, pattern) and not n.startswith("."))


@functools.cache
def _safe_autograde_class():
    from nbgrader.converters import Autograde
    from traitlets import Unicode

    class SafeAutograde(Autograde):
        """nbgrader's Autograde on a staged copy of ``submitted/`` (see this module): it never reads a hand-in
        folder itself, and writes each graded notebook as a new file."""

        student_file = Unicode("", help="a file with the students to grade, one id a line (grade.py's groups)").tag(
            config=True
        )
        _staged: Staged | None = None
        _staging_dir: str | None = None

        @property
        def _input_directory(self) -> str:
            if self._sanitizing and self._staged is not None:
                return str(self._staged.root)
            return super()._input_directory

        def init_notebooks(self) -> None:
            coursedir = self.coursedir
            if coursedir.directory_structure != os.path.join("{nbgrader_step}", "{student_id}", "{assignment_id}"):
                raise RuntimeError("backprop_widgets' grader needs nbgrader's default directory_structure")
            submitted = Path(coursedir.format_path(coursedir.submitted_directory, ".", ".")).resolve()
            source = Path(coursedir.format_path(coursedir.source_directory, ".", ".")).resolve()
            assignments = _names(source, coursedir.assignment_id or "*")
            students = _names(submitted, coursedir.student_id or "*")
            if self.student_file:
                wanted = set(Path(self.student_file).read_text().split())
                students = [s for s in students if s in wanted]
            self._staging_dir = tempfile.mkdtemp(prefix="bpw-staged-")
            self._staged = stage(submitted, source, students, assignments, Path(self._staging_dir) / "submitted")
            for (student, assignment, name), reason in self._staged.refusals.items():
                self.log.warning("%s/%s: %s.ipynb not graded: %s (it scores 0)", assignment, student, name, reason)
            for (student, assignment), names in self._staged.ignored.items():
                self.log.info("%s/%s: ignored (never opened): %s", assignment, student, ", ".join(names))
            super().init_notebooks()

        def start(self) -> None:
            try:
                super().start()
            finally:
                if self._staging_dir:
                    shutil.rmtree(self._staging_dir, ignore_errors=True)

        def init_single_notebook_resources(self, notebook_filename: str) -> dict:
            resources = super().init_single_notebook_resources(notebook_filename)
            info = resources["nbgrader"]
            if self._staged is not None:
                reason = self._staged.refusals.get((info["student"], info["assignment"], info["notebook"]))
                if reason:
                    resources.setdefault(KEY, {})["refused"] = reason
            return resources

        def write_single_notebook(self, output: str, resources: dict) -> None:
            dest = Path(self._format_dest(resources["nbgrader"]["assignment"], resources["nbgrader"]["student"]))
            path = dest / f"{resources['unique_key']}{self.exporter.file_extension}"
            if os.path.lexists(path):
                os.unlink(path)  # a new file, never one a link points to
            super().write_single_notebook(output, resources)

        def set_permissions(self, assignment_id: str, student_id: str) -> None:
            dest = os.path.normpath(self._format_dest(assignment_id, student_id))
            permissions = int(str(self.permissions), 8)
            for dirname, _, filenames in os.walk(dest):
                for filename in filenames:
                    path = os.path.join(dirname, filename)
                    if not os.path.islink(path):
                        os.chmod(path, permissions, follow_symlinks=False)

    return SafeAutograde


def __getattr__(name: str):
    if name == "SafeAutograde":
        return _safe_autograde_class()
    raise AttributeError(name)
