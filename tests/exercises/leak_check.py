"""Does a piece of feedback give the answer away?  Shared by the exercise tests."""

from __future__ import annotations

import math
import re

import numpy as np

from backprop_widgets.engine import format_number

# A number standing on its own: not the 2 of "x2" or "W2", not a digit inside a longer word.
NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text`` (a unicode minus before a digit counts as a sign)."""
    text = re.sub(r"−(?=\d)", "-", text)
    return [float(token) for token in NUMBER.findall(text)]


def reveals(text: str, answer, *, integers_count: bool = True) -> bool:
    """Whether ``text`` contains the answer (or its size): any number in it within 0.1% of an answer entry.

    ``integers_count=False`` ignores whole numbers in the text (counts such as "3 of 5 test points")
    when the answer is made of random non-integer values.
    """
    if isinstance(answer, (bool, np.bool_)):
        return re.search(rf"\b{answer}\b", text) is not None
    values = np.ravel(np.asarray(answer, dtype=float))
    found = [t for t in numbers_in(text) if integers_count or not float(t).is_integer()]
    for value in values:
        for number in found:
            if math.isclose(abs(number), abs(value), rel_tol=1e-3, abs_tol=1e-12):
                return True
        if not float(value).is_integer():
            for spelled in {repr(float(value)), format_number(value), format_number(value, 6), f"{value:.3f}"}:
                if spelled in text:
                    return True
    return False
