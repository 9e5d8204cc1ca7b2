"""The quiz: asks a student for each backward step's numbers before the stepper shows them.

It is one part of a ``BackwardStepper`` (made with ``quiz=True``): its question,
answer boxes, Check and Reveal, and what it asks at each stage of a step.  On a
scalar step it asks three things in turn, as the lessons teach them: the local
gradient, the product upstream × local, and, where the input collects a second
contribution (a branch), the sum.  On a Tensor step the answer is an array: the
contribution the step adds to its input's gradient.
"""

from __future__ import annotations

import ast
import html
from typing import Any

import ipywidgets as widgets

from ..engine import format_number
from ..engine.arrays import ndim, numpy, shape
from ..exercises.compare import close, judge_array
from ..palette import PALETTE
from .walk import GroupStep, _tex

__all__ = ["Quiz", "REL_TOL", "ABS_TOL"]

REL_TOL, ABS_TOL = 1e-3, 1e-6  # how close a quiz answer must be (exercises.compare.close's rule)


class Quiz:
    """The quiz's controls and its state, for one stepper (``stepper`` gives the walk, the picture and the moves)."""

    def __init__(self, stepper: Any) -> None:
        self.stepper = stepper
        self.stage = "local"  # what is asked of the next step: "local", "product" or "sum"
        self.asked = ""  # the question on screen, as plain text
        self.answer_box = widgets.FloatText(
            description="your answer", style={"description_width": "initial"}, layout=widgets.Layout(width="220px")
        )
        self.check_button = widgets.Button(description="Check", icon="check")
        self.reveal_button = widgets.Button(description="Reveal", tooltip="show this step without answering")
        self.feedback = widgets.HTML()
        self.question = widgets.HTMLMath()
        # a Tensor step's answer is an array, typed as a nested list
        self.array_box = widgets.Text(
            description="your answer",
            placeholder="e.g. [[0.1, -0.2]]",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="320px"),
        )
        self.array_box.layout.display = "none"
        self.check_button.on_click(lambda _: self.answer(self._typed_answer()))
        self.reveal_button.on_click(lambda _: stepper.advance())
        self.box = widgets.VBox(
            [
                self.question,
                widgets.HBox([self.answer_box, self.array_box, self.check_button, self.reveal_button]),
                self.feedback,
            ]
        )

    @property
    def walk(self) -> Any:
        return self.stepper.walk

    def clear(self) -> None:
        """A clean screen at each question: a move drops the last question and its verdict."""
        self.stage = "local"
        self.question.value = self.feedback.value = self.array_box.value = ""
        self.asked = ""

    def next_step(self) -> Any:
        """The step the quiz asks about (the one after the current position), or None at the end."""
        walk = self.walk
        return None if walk.done else walk.steps[walk.position]

    def answer(self, value: Any) -> bool:
        """Check the student's answer to the question on screen; a right answer moves on."""
        step = self.next_step()
        if step is None:
            return False
        expected = self._target(step)
        hint = html.escape(
            {
                "local": _without_number(self.walk.local_said(step)),
                "product": "multiply the upstream gradient by the local gradient.",
                "sum": "add this contribution to what the input had already received.",
            }[self.stage]
        )
        if ndim(expected) > 0:
            verdict = judge_array(value, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL)
            ok, reason = bool(verdict), verdict.reason
        else:
            ok = _is_number(value) and bool(close(float(value), float(expected), REL_TOL, ABS_TOL))
            reason = f"not {format_number(float(value), 6)}." if _is_number(value) else "give a number."
        if ok:
            following = self._next_stage(step)
            if following is None:
                self.stepper.advance()
            else:
                self.stage = following
                self.ask()
            self.feedback.value = f'<span style="color:{PALETTE["result"][0]}">✔ right</span>'
        else:
            self.feedback.value = (
                f'<span style="color:{PALETTE["current"][0]}">✘ {html.escape(reason)}</span> Hint: {hint}'
            )
        return ok

    def ask(self) -> None:
        """Put the question about the next step on screen, beside that step (its edge lit, its formula shown)."""
        step = self.next_step()
        if step is None:
            return
        if isinstance(step, GroupStep):  # a folded group: nothing to ask inside it, so it is shown
            self.stepper.advance()
            return
        walk, view = self.walk, self.stepper.view
        names = walk.names
        expected = self._target(step)
        tensor = ndim(expected) > 0
        self.answer_box.layout.display = "none" if tensor else None
        self.array_box.layout.display = None if tensor else "none"
        k = walk.position + 1
        if tensor:
            dims = "×".join(str(n) for n in shape(expected))
            self.asked = (
                f"Step {k}: what does this step add to ∂{names[walk.root]}/∂{names[step.parent]}? "
                f"Type a {dims} array as a nested list (upstream gradient through the {step.node.op} "
                "node's local rule)."
            )
            self.question.value = (
                f"Step {k}: what does this step add to "
                rf"$\frac{{\partial {_tex(names[walk.root])}}}{{\partial {_tex(names[step.parent])}}}$? "
                f"Type a {dims} array as a nested list (upstream gradient through the {html.escape(step.node.op)} "
                "node's local rule)."
            )
        else:
            self.asked = self._question(step, k)
            self.question.value = html.escape(self.asked)
            self.answer_box.value = 0.0
        self.feedback.value = ""
        self.stepper.show_question(step)
        view.highlight(node=step.node, edge=(step.node, step.index))

    def _question(self, step: Any, k: int) -> str:
        names = self.walk.names
        node, parent, out = names[step.node], names[step.parent], names[self.walk.root]
        if self.stage == "local":
            return (
                f"Step {k}: what is the local gradient ∂{node}/∂{parent} of this {step.node.op} node "
                f"with respect to {parent}?"
            )
        if self.stage == "product":
            return (
                f"Step {k}: right, ∂{node}/∂{parent} = {step.local_grad.text}. The upstream "
                f"gradient ∂{out}/∂{node} is {format_number(step.upstream_grad)}: what does this step "
                f"contribute to ∂{out}/∂{parent} (upstream × local)?"
            )
        # the sum: the student adds what the picture shows so far to the product just found (no numbers given)
        return (
            f"Step {k}: {parent} is used twice or more, so its gradient adds up: add this step's contribution "
            f"to what it has received so far. What is ∂{out}/∂{parent} now?"
        )

    def _target(self, step: Any) -> Any:
        if _asks_array(step):  # a Tensor step: its local gradient is a Jacobian, so the contribution is asked
            return numpy.asarray(step.contribution, dtype=float)
        return {"local": step.local_grad, "product": step.contribution, "sum": step.total}[self.stage]

    def _next_stage(self, step: Any) -> str | None:
        """What the quiz asks after a right answer: local, then the product, then (at a branch) the sum."""
        if _asks_array(step):
            return None
        if self.stage == "local":
            return "product"
        earlier = self.walk.grad_state(step.parent).parts  # contributions already arrived at the input
        if self.stage == "product" and earlier:
            return "sum"
        return None

    def _typed_answer(self) -> Any:
        if self.array_box.layout.display == "none":
            return self.answer_box.value
        try:
            return ast.literal_eval(self.array_box.value.strip() or "None")  # numbers and lists only, never code
        except (ValueError, SyntaxError):
            return self.array_box.value


def _asks_array(step: Any) -> bool:
    """A step whose local gradient is not one number (a Tensor op's): the quiz asks its contribution, an array."""
    factor = step.local_grad.factor
    return factor is None or ndim(factor) > 0 or ndim(step.contribution) > 0


def _without_number(said: str) -> str:
    """``∂f/∂x = y = 7`` -> ``∂f/∂x = y``: the rule in the node's names, not the answer."""
    head, _, tail = said.rpartition(" = ")
    return head if " = " in head else "see the op table's rule for this node"


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
