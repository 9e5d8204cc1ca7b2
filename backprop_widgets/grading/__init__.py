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
  its own folder and the installed packages, without network, within time and
  memory limits.
"""

from .numbers import grading_seed, my_numbers, seed_for

__all__ = ["my_numbers", "seed_for", "grading_seed"]
