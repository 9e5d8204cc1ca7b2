"""How an ``Audit`` shows in Jupyter: its sentence, expected and got, and the picture marked at the first wrong node."""

from __future__ import annotations

import html
from typing import Any

from ..engine.foreign import mirror_of
from ..engine.ops import format_number

__all__ = ["audit_html", "audit_view", "show"]


def audit_html(found: Any) -> str:
    """The verdict as HTML: the sentence, then expected and got where a node is wrong."""
    colour = "#1b7837" if found.ok else "#b2182b"
    rows = ""
    if found.first_wrong is not None and found.expected is not None:
        got = "None" if found.got is None else format_number(float(found.got), 6)
        rows = f"<div>expected grad <b>{format_number(found.expected, 6)}</b>, got <b>{html.escape(got)}</b></div>"
    notes = "".join(f"<div>{html.escape(note)}</div>" for note in found.notes)
    return (
        f'<div class="bpw-audit" style="color:{colour}"><div>{html.escape(found.cause)}</div>{rows}'
        f'<div style="color:#555">{notes}</div></div>'
    )


def audit_view(found: Any):
    """The verdict above a stepper on the student's graph, opened at the first wrong node and marking it."""
    import ipywidgets as widgets

    from ..widgets import BackwardStepper

    verdict = widgets.HTML(audit_html(found))
    if found.mirror is None:
        return widgets.VBox([verdict])
    stepper = BackwardStepper(found.mirror)
    wrong = mirror_of(found.mirror, found.first_wrong)
    if wrong is not None:
        arrived = [k for k, step in enumerate(stepper.walk.steps) if getattr(step, "parent", None) is wrong]
        stepper.goto(arrived[-1] + 1 if arrived else 0)
        stepper.view.highlight(node=wrong)
        stepper.view.title = f"first wrong gradient: {found.cause.split(':')[0].lstrip('✘ ')}"
    else:
        stepper.run()
    box = widgets.VBox([verdict, stepper])
    box.add_class("bpw-audit-view")
    box.stepper = stepper  # for a lesson or a test to drive
    return box


def show(found: Any) -> None:
    """Display the audit (the widget where widgets run; its sentence in any case)."""
    from IPython.display import display

    display(audit_view(found))
