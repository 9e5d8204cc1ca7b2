"""Grading a class with nbgrader: numbers of one's own, answers judged outside the student's kernel, a sandbox.

Three parts, used by ``assignments/nbgrader_config.py``:

- ``numbers``: every student gets numbers of their own, drawn from a seed made of the
  assignment and the student id they type (``my_numbers``), so answers cannot be
  passed around; grading draws the same numbers from the id it verifies.
- ``judge``: two nbgrader preprocessors.  Before the hand-in runs, ``SealTests``
  replaces every test cell with a *probe* that only reports the student's answers
  (values, and what their functions return at inputs drawn at grading time); after
  it ran, ``JudgeAnswers`` runs the instructor's tests on those reports in the
  nbgrader process, which never runs student code.  Nothing a notebook does to
  its own kernel (patching the kit, input transformers, hooks) changes a verdict.
- ``sandbox``: a Jupyter kernel that runs a hand-in under bubblewrap, seeing only
  the installed packages and folders of its own (size-limited, in memory), with an
  environment of its own, without network, within limits for the whole process
  tree (one cgroup where the machine allows it); also the fresh process in which
  ``judge`` calls a student's functions, without the kit.
- ``engines``: a student's own ``Value`` class (``your_own_engine``), judged from its code in a fresh
  sandboxed process with the standard library only; only numbers come back (``engine_runner``).
- ``intake``: nbgrader's Autograde on a checked copy of each hand-in folder (regular
  notebooks only; no link is followed, copied or chmod-ed).
- ``sanitize``: graded notebooks' outputs made safe to show (no script, no handlers,
  nothing loaded from elsewhere, no widget state).
- ``collect``: zip_collect for Moodle's and Canvas's downloads, by the roster.
- ``grade``: ``nbgrader autograde`` for a class in parallel, with a table per test.
"""

from .numbers import grading_seed, my_numbers, seed_for

__all__ = ["my_numbers", "seed_for", "grading_seed"]
