"""Run Python code in a child process where some packages cannot be imported (as where they are not installed)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs first in the child: any import of a blocked package raises ImportError.
BLOCKER = """
import sys

class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError(f"{{name}} cannot be imported here")
        return None

sys.meta_path.insert(0, Blocked())
"""


def blocker(*packages: str) -> str:
    """The code that makes ``packages`` unimportable for the rest of a program."""
    return BLOCKER.format(blocked=tuple(packages))


def run_without(packages: tuple[str, ...], code: str) -> subprocess.CompletedProcess:
    """Run ``code`` (dedented) with ``packages`` unimportable, from the checkout's root."""
    source = blocker(*packages) + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", source], cwd=ROOT, capture_output=True, text=True, timeout=120)
