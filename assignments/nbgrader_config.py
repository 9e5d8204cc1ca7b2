"""nbgrader's settings for this kit's assignments: run nbgrader from this folder, the course's root."""

import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 (nbgrader provides get_config when it reads this file)

c.CourseDirectory.course_id = "backprop_widgets"
# Student versions, hand-ins, grades and feedback go in folders next to source/ (see .gitignore).
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# Each cell may run this many seconds when autograding (a cell here takes well under one).
c.Execute.timeout = 60
# A failed test shows only its last line, "AssertionError: ✘ Not yet: <the reason>", not the lines of
# the test around it, which for a hidden test would be its code. (Delete "--InteractiveShell..." for
# full tracebacks.)
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--InteractiveShell.xmode=Minimal"]
# Feedback shows each failed test's reason and the scores, but not the hidden tests' code, so an
# assignment can be given again next term. (nbgrader then warns that ClearHiddenTests does not know
# `display_data_priority`: harmless.)
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
