"""Collecting a learning platform's download with ``nbgrader zip_collect``: whose notebook is whose, by the roster.

Moodle and Canvas name each hand-in by a number of their own (Moodle's participant number, Canvas's user id),
not by the course's student id.  ``RosterCollector`` reads that number from the place the platform writes it,
never from the part of the name the student chose, and looks it up in the roster's ``lms_user_id`` column
(``nbgrader db student import roster.csv``).  A file it cannot place is skipped with a warning; two files for
one student and notebook are reported for that student, and the collection goes on for everyone else.

>>> match(LAYOUTS["moodle"], "/c/extracted/all/Ada Lovelace_1001_assignsubmission_file_/sigmoid_tree.ipynb")
('1001', 'sigmoid_tree.ipynb')
>>> match(LAYOUTS["moodle"], "/c/extracted/all/Bo Li_1002_assignsubmission_file_/x_1001_assignsubmission_file_sigmoid_tree.ipynb")
('1002', 'x_1001_assignsubmission_file_sigmoid_tree.ipynb')
>>> match(LAYOUTS["moodle"], "/c/extracted/all/Bo Li_1002_assignsubmission_file_x_1001_assignsubmission_file_s.ipynb")
('1002', 'x_1001_assignsubmission_file_s.ipynb')
>>> match(LAYOUTS["canvas"], "/c/extracted/all/lovelaceada_LATE_2001_90001_sigmoid_tree-1.ipynb")
('2001', 'sigmoid_tree.ipynb')
"""

from __future__ import annotations

import re

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Unicode

__all__ = ["LAYOUTS", "match", "RosterCollector"]

LAYOUTS = {
    # "Download all submissions": a folder per participant, "<full name>_<participant>_assignsubmission_file_/",
    # holding the files as uploaded (older Moodle: the folder's name and the file's, joined, without the folder).
    "moodle": re.compile(r"/[^/]*?_(?P<number>\d+)_assignsubmission_file_/?(?P<file_id>[^/]+\.ipynb)\Z"),
    # "Download submissions": "<lastfirst>[_LATE]_<user id>_<submission id>_<file as uploaded>[-N].ipynb"
    "canvas": re.compile(r"/[a-z]+(?:_LATE)?_(?P<number>\d+)_\d+_(?P<file_id>[^/]+?)(?:-\d+)?\.ipynb\Z"),
}


def match(layout: re.Pattern, path: str) -> tuple[str, str] | None:
    """(the platform's number, the notebook's name) in a path of a download, or None."""
    found = layout.search(path)
    if not found:
        return None
    name = found.group("file_id")
    return found.group("number"), name if name.endswith(".ipynb") else f"{name}.ipynb"


class RosterCollector(FileNameCollectorPlugin):
    """zip_collect's file-name plugin for Moodle's and Canvas's downloads, mapped through the roster."""

    layout = Unicode("", help="moodle or canvas: where the platform writes each hand-in's number").tag(config=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._roster: dict[str, str] | None = None
        self._seen: dict[tuple[str, str], str] = {}

    def roster(self) -> dict[str, str]:
        """The platform's number (``lms_user_id``) -> the course's student id."""
        if self._roster is None:
            from nbgrader.api import Gradebook

            db_url = self.parent.coursedir.db_url
            with Gradebook(db_url) as gradebook:
                self._roster = {str(s.lms_user_id).strip(): s.id for s in gradebook.students if s.lms_user_id}
        return self._roster

    def collect(self, submitted_file: str) -> dict | None:
        if self.layout not in LAYOUTS:
            if self.named_regexp:
                return super().collect(submitted_file)
            raise ValueError("set --RosterCollector.layout=moodle or canvas (or give a named_regexp)")
        found = match(LAYOUTS[self.layout], submitted_file)
        if found is None:
            self.log.warning("Skipped (not a %s hand-in's notebook): %s", self.layout, submitted_file)
            return None
        number, file_id = found
        student = self.roster().get(number)
        if student is None:
            self.log.warning(
                "Skipped: number %s is not on the roster (its lms_user_id column): %s", number, submitted_file
            )
            return None
        if (student, file_id) in self._seen:
            self.log.warning(
                "Student %s handed in %s twice: kept %s, skipped %s; check this student by hand",
                student,
                file_id,
                self._seen[student, file_id],
                submitted_file,
            )
            return None
        self._seen[student, file_id] = submitted_file
        return {"student_id": student, "file_id": file_id}
