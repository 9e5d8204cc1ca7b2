"""nbgrader's settings for this kit's assignments: run nbgrader from this folder, the course's root."""

import os

import nbgrader.apps.autogradeapp
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from backprop_widgets.grading import sandbox
from backprop_widgets.grading.collect import RosterCollector
from backprop_widgets.grading.intake import SafeAutograde
from backprop_widgets.grading.judge import Execute, JudgeAnswers, NormalizeCells, OverwriteCells, SealTests
from backprop_widgets.grading.sanitize import SanitizeOutputs

c = get_config()  # noqa: F821 (nbgrader provides get_config when it reads this file)

# `nbgrader autograde` grades a checked copy of each hand-in, never the folder under submitted/ itself: only the
# assignment's notebooks, each a regular file (not a link, not a hard link, at most 20 MB), are read; links and
# other files are never followed, copied or chmod-ed (backprop_widgets/grading/intake.py).
nbgrader.apps.autogradeapp.Autograde = SafeAutograde

c.CourseDirectory.course_id = "backprop_widgets"
# Student versions, hand-ins, grades and feedback go in folders next to source/ (see .gitignore).
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# Each cell may run this many seconds when autograding (a cell here takes well under one).
c.Execute.timeout = 60
# A failed test shows only its last line, "AssertionError: ✘ Not yet: <the reason>", not the lines of
# the test around it. (Delete "--InteractiveShell..." for full tracebacks.)
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--InteractiveShell.xmode=Minimal"]

# Autograding: the tests never run in the student's kernel. SealTests puts a probe in place of each test
# cell (it only reports the answers), Execute runs the hand-in, JudgeAnswers runs the tests here, on
# those reports (backprop_widgets/grading/judge.py).
# OverwriteCells: nbgrader's, except that it no longer warns "Attribute 'checksum' for cell ... has changed!"
# for every hidden test of every hand-in (their released version lacks the hidden part); a warning now
# means that a student changed a read-only cell (which autograding puts back anyway).
c.Autograde.sanitize_preprocessors = [
    NormalizeCells,  # copied, re-flagged or added cells: the source's settings back, said in a note (judge.py)
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    OverwriteCells,
    CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    SealTests,
    Execute,
    JudgeAnswers,
    SanitizeOutputs,  # outputs that run and load nothing in feedback pages and formgrader; no widget state
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]

# The hand-in runs in the sandboxed kernel (bubblewrap): it sees its own folder and the installed packages
# only, has no network, and has time and memory limits. Install the kernel spec once:
#     python -m backprop_widgets.grading.sandbox install
# BPW_GRADING_SANDBOX=off grades without the sandbox (the tests still run outside the kernel, but the hand-in
# can then read the sources and rewrite gradebook.db: only for trying things out, never for a class).
if os.environ.get("BPW_GRADING_SANDBOX", "on").lower() not in ("off", "0", "no", "false"):
    _works, _why = sandbox.bwrap_works()
    if not _works:
        raise SystemExit(f"nbgrader_config.py: the grading sandbox cannot run: {_why}. See INSTRUCTORS.md.")
    c.Execute.kernel_name = sandbox.KERNEL_NAME
    c.KernelManager.transport = "ipc"  # the sandbox has no network; the kernel talks over Unix sockets,
    c.KernelManager.ip = sandbox.socket_prefix()  # made in a private folder

# zip_collect: whose notebook is whose comes from the number Moodle or Canvas gives each hand-in, looked up in the
# roster's lms_user_id column (`nbgrader zip_collect sigmoid_tree --RosterCollector.layout=moodle`, or canvas);
# files whose names are not the assignment's notebooks are skipped (backprop_widgets/grading/collect.py).
c.ZipCollectApp.collector_plugin = RosterCollector
c.ZipCollectApp.strict = True

# Feedback shows each test's verdict and the scores, but not the hidden tests' code, so an assignment can be
# given again next term. (nbgrader warns that ClearHiddenTests does not know `display_data_priority`, once
# per command: harmless.)
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, SanitizeOutputs, CSSHTMLHeaderPreprocessor]
