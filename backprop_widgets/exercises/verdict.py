"""What ``check`` answers: a ``Verdict`` (right or not, and why), and ``Text`` for hints and solutions."""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..palette import TEXT_COLOURS

__all__ = ["Verdict", "Text"]

RIGHT_COLOUR = TEXT_COLOURS["right"]
PENDING_COLOUR = TEXT_COLOURS["pending"]
WRONG_COLOUR = TEXT_COLOURS["wrong"]
NOTE_COLOUR = TEXT_COLOURS["note"]


@dataclass(frozen=True)
class Verdict:
    """The result of checking an answer: true when it is right, with the reason in words.

    It is truthy exactly when the answer is right, so ``assert ex.check(answer)``
    works; ``notes`` are gentle remarks that don't change the verdict (such as
    "you gave a Value; I used its .data").  In a notebook it shows as a green ✔ or
    red ✘ line, elsewhere as the same line in plain text.  A question not answered
    yet (the placeholder still in place) is ``answered=False``: not right, but no
    failure either, so it shows as a grey ○ line in neutral words.

    >>> Verdict(False, "the sign is wrong.")
    ✘ Not yet: the sign is wrong.
    >>> bool(Verdict(True, "well done."))
    True
    >>> Verdict(False, "put your answer in place of None.", answered=False)
    ○ No answer yet: put your answer in place of None.
    """

    correct: bool
    reason: str
    notes: tuple[str, ...] = ()
    answered: bool = True

    def __bool__(self) -> bool:
        return self.correct

    @property
    def headline(self) -> str:
        if not self.answered:
            return "○ No answer yet"
        return "✔ Right" if self.correct else "✘ Not yet"

    @property
    def text(self) -> str:
        """The verdict in plain text, one line plus one line per note."""
        lines = [f"{self.headline}: {self.reason}"]
        lines += [f"  (note: {note})" for note in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        colour = PENDING_COLOUR if not self.answered else RIGHT_COLOUR if self.correct else WRONG_COLOUR
        parts = [f'<div style="color:{colour}"><b>{html.escape(self.headline)}</b>: {html.escape(self.reason)}</div>']
        parts += [f'<div style="color:{NOTE_COLOUR}">note: {html.escape(note)}</div>' for note in self.notes]
        return "\n".join(parts)


class Text(str):
    """A string that shows as itself: no quotes in a notebook or at the prompt, Markdown in Jupyter.

    >>> Text("Use the chain rule.")
    Use the chain rule.
    >>> Text("a") + "b"
    'ab'
    """

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_markdown_(self) -> str:
        return str.__str__(self)
