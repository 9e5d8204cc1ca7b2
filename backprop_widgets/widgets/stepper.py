"""``BackwardStepper``: the backward pass one chain-rule product per click."""

from __future__ import annotations

import ast
import html
import math

import ipywidgets as widgets

from ..engine import format_number
from ..engine.arrays import ndim, numpy, shape
from ..exercises.compare import judge_array
from ..palette import PALETTE
from ..render import value_text
from .graph import GraphView, with_static_copy
from .options import STEPPER_CONTROLS, resolve, resolve_hide
from .walk import BackwardWalk, ForwardWalk, GroupStep, _tex

__all__ = ["BackwardStepper", "ForwardStepper"]

CONTROL_NAMES = STEPPER_CONTROLS  # the names hide= knows (one home: options.CONTROLS)


class BackwardStepper(widgets.VBox):
    """The graph of ``root`` with buttons that walk its backward pass.

    Each Step adds one contribution, ``upstream gradient × local gradient``,
    to one input's gradient; the picture highlights that edge and the panel
    shows the product as a formula and as numbers.  ``step()``, ``back()``,
    ``reset()`` and ``run()`` do what the buttons do, so a lesson or a test can
    drive it too.

    Constants (numbers written in the formula, data points, targets) get no
    steps: their gradients are never used; ``walk_constants=True`` walks them too.
    ``quiz=True`` asks the student for each step's numbers before showing them
    (a move clears the last question).  A gradient shows "?" until the walk
    reaches it.  ``hide_gradients=True`` starts at step 0, every gradient "?";
    ``hide_gradients=False`` starts at the end of the pass, every gradient
    shown (Reset or Back to step through it; a quiz still starts at step 0);
    left unset, the stepper starts at step 0.  ``hide=("run", "play")`` hides
    those controls, added to the notebook-wide ones (names: ``CONTROL_NAMES``).
    ``None`` means the notebook-wide default (see ``configure``; in its
    assessment mode "Run to end", Play, its speed and the End key are gone).
    """

    children: tuple  # VBox's trait (ipywidgets has no type hints): the picture, then the controls

    def __init__(
        self,
        root,
        *,
        quiz: bool | None = None,
        hide_gradients: bool | None = None,
        hide=None,
        show_local: bool = False,
        interval: int = 900,
        view: GraphView | None = None,
        walk_constants: bool = False,
    ) -> None:
        self.quiz = bool(resolve("quiz", quiz, "BackwardStepper"))
        shown = resolve("hide_gradients", hide_gradients, "BackwardStepper") is False  # False, not None
        self.hide_gradients = not shown
        self.hidden = hidden = set(resolve_hide(hide, STEPPER_CONTROLS, "BackwardStepper"))
        self.walk_constants = walk_constants
        self.view = view if view is not None else GraphView(root, show_grad=True, show_local=show_local)
        self.view.on_refold(self._on_refold)
        self.walk = self._make_walk(root)
        self.view.on_key(self._on_key)
        self._syncing = False
        self._shown = 0  # the position the picture shows
        self.reset_button = widgets.Button(description="Reset", icon="fast-backward", tooltip="back to the start")
        self.back_button = widgets.Button(description="Back", icon="step-backward", tooltip="undo one step")
        self.step_button = widgets.Button(
            description="Step", icon="step-forward", tooltip="one chain-rule product", button_style="primary"
        )
        self.play = widgets.Play(
            value=0,
            min=0,
            max=len(self.walk),
            step=1,
            interval=interval,
            show_repeat=False,
            description="Play",
            tooltip="play / pause",
        )
        self.speed = widgets.FloatSlider(
            value=interval / 1000,
            min=0.1,
            max=3.0,
            step=0.1,
            description="s / step",
            readout_format=".1f",
            layout=widgets.Layout(width="220px"),
        )
        self.run_button = widgets.Button(description="Run to end", icon="fast-forward", tooltip="all remaining steps")
        self.position_label = widgets.Label()
        # The chain rule as a formula (typeset only when the step changes) and its numbers as plain
        # text (a slider move changes only these: no typesetting on every move).
        self.panel = widgets.HTMLMath()
        self.numbers = widgets.HTML()
        self.panel_box = widgets.VBox([self.panel, self.numbers])
        self.panel_box.add_class("bpw-panel")

        self.reset_button.on_click(lambda _: self.reset())
        self.back_button.on_click(lambda _: self.back())
        self.step_button.on_click(lambda _: self.step())
        self.run_button.on_click(lambda _: self.run())
        self.play.observe(self._on_play, names="value")
        self.speed.observe(lambda change: setattr(self.play, "interval", int(change["new"] * 1000)), names="value")

        if self.quiz:  # the quiz's own controls exist only in a quiz (about 20 widget models fewer otherwise)
            self._build_quiz()
        self.asked = ""  # the question on screen, as plain text
        self._stage = "local"

        controls = {
            "reset": self.reset_button,
            "back": self.back_button,
            "step": self.step_button,
            "play": self.play,
            "speed": self.speed,
            "run": self.run_button,
            "position": self.position_label,
            "panel": self.panel_box,
        }
        for name in hidden & set(controls):
            controls[name].layout.display = "none"
        if self.quiz:  # a quiz is answered step by step
            for button in (self.run_button, self.play, self.speed):
                button.layout.display = "none"
        bar = widgets.HBox(
            [
                self.reset_button,
                self.back_button,
                self.step_button,
                self.play,
                self.speed,
                self.run_button,
                self.position_label,
            ],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        super().__init__([self.view, bar, self.panel_box, *([self.quiz_box] if self.quiz else [])])
        self.add_class("bpw-stepper")
        if shown and not self.quiz:  # hide_gradients=False: the pass done, every gradient shown
            self.walk.run()
            self._shown = self.walk.position
        self._show()

    # ---- public actions --------------------------------------------------------

    @property
    def position(self) -> int:
        return self.walk.position

    @property
    def current(self):
        """The step just taken (a ``Step``: node, parent, local_grad, upstream_grad, contribution), or None."""
        return self.walk.current

    def explain(self) -> dict:
        """What the chain-rule panel shows for the current step: formula, numbers, sum, rule."""
        return self.walk.explain()

    @property
    def total(self) -> int:
        """How many steps the backward pass has."""
        return len(self.walk)

    def step(self) -> None:
        """One more chain-rule product (in quiz mode: ask for it first)."""
        if self.quiz and not self.walk.done:
            self._ask()
            return
        self._advance()

    def back(self) -> None:
        self.goto(self.walk.position - 1)

    def reset(self) -> None:
        self.goto(0)

    def run(self) -> None:
        """All remaining steps: every gradient is then the engine's."""
        self.goto(len(self.walk))

    def goto(self, position: int) -> None:
        self._stage = "local"  # a quiz asks each step's local gradient first
        if self.quiz:  # a clean screen at each question: a move drops the last question and its verdict
            self.question.value = self.feedback.value = self.array_box.value = ""
            self.asked = ""
        self.walk.goto(position)
        self._show()

    def answer(self, value) -> bool:
        """Quiz mode: check the student's answer to the question on screen; a right answer moves on.

        On a scalar step the quiz asks three things in turn, as the lessons
        teach them: the local gradient, the product upstream × local, and, where
        the input collects a second contribution (a branch), the sum so far.
        On a Tensor step the answer is an array (a list, nested lists or a numpy
        array): the contribution the step adds to its input's gradient.
        """
        if not self.quiz:
            raise ValueError("answer() is for quiz mode: make the stepper with quiz=True")
        step = self.walk.steps[self.walk.position] if not self.walk.done else None
        if step is None:
            return False
        expected = self._quiz_target(step)
        hint = html.escape(
            {
                "local": _without_number(self.walk.local_said(step)),
                "product": "multiply the upstream gradient by the local gradient.",
                "sum": "add this contribution to what the input had already received.",
            }[self._stage]
        )
        if ndim(expected) > 0:
            verdict = judge_array(value, expected, rel_tol=1e-3, abs_tol=1e-6)
            ok, reason = bool(verdict), verdict.reason
        else:
            ok = _close(value, expected)
            reason = f"not {format_number(float(value), 6)}." if _is_number(value) else "give a number."
        if ok:
            following = self._next_stage(step)
            if following is None:
                self._advance()
            else:
                self._stage = following
                self._ask()
            self.feedback.value = f'<span style="color:{PALETTE["result"][0]}">✔ right</span>'
        else:
            self.feedback.value = (
                f'<span style="color:{PALETTE["current"][0]}">✘ {html.escape(reason)}</span> Hint: {hint}'
            )
        return ok

    def _typed_answer(self):
        if self.array_box.layout.display == "none":
            return self.answer_box.value
        try:
            return ast.literal_eval(self.array_box.value.strip() or "None")  # numbers and lists only, never code
        except (ValueError, SyntaxError):
            return self.array_box.value

    def rebuild(self, root=None) -> None:
        """Walk the graph again after its values changed (or walk a new graph)."""
        position = self.walk.position
        if root is not None and root is not self.walk.root:
            self.walk = self._make_walk(root)
            self.view = GraphView(root, show_grad=True, show_local=self.view.show_local)
            self.view.on_key(self._on_key)
            self.view.on_refold(self._on_refold)
            self.children = (self.view, *self.children[1:])
        else:  # same structure: keep the names, redo the numbers
            self.walk = self._make_walk(self.walk.root, names=self.walk.names)
            self.walk.goto(position)
        self.play.max = len(self.walk)
        self._show()

    # ---- internals ---------------------------------------------------------------

    def _build_quiz(self) -> None:
        """The quiz's controls: the question, an answer box (a number, or an array typed as a list), Check, Reveal."""
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
        self.reveal_button.on_click(lambda _: self._advance())
        self.quiz_box = widgets.VBox(
            [
                self.question,
                widgets.HBox([self.answer_box, self.array_box, self.check_button, self.reveal_button]),
                self.feedback,
            ]
        )

    def _advance(self) -> None:
        self.goto(self.walk.position + 1)

    def _quiz_target(self, step):
        # a Tensor step: its local gradient is a Jacobian, so the quiz asks the contribution it adds
        if _asks_array(step):
            return numpy.asarray(step.contribution, dtype=float)
        return {"local": step.local_grad, "product": step.contribution, "sum": step.total}[self._stage]

    def _next_stage(self, step) -> str | None:
        """What the quiz asks after a right answer: local, then the product, then (at a branch) the sum."""
        if _asks_array(step):
            return None
        if self._stage == "local":
            return "product"
        earlier = self.walk.grad_state(step.parent).parts  # contributions already arrived at the input
        if self._stage == "product" and earlier:
            return "sum"
        return None

    def _ask(self) -> None:
        step = self.walk.steps[self.walk.position]
        if isinstance(step, GroupStep):  # a folded group: nothing to ask inside it, so it is shown
            self._advance()
            return
        names = self.walk.names
        expected = self._quiz_target(step)
        tensor = ndim(expected) > 0
        self.answer_box.layout.display = "none" if tensor else None
        self.array_box.layout.display = None if tensor else "none"
        if tensor:
            dims = "×".join(str(n) for n in shape(expected))
            self.question.value = (
                f"Step {self.walk.position + 1}: what does this step add to "
                rf"$\frac{{\partial {_tex(names[self.walk.root])}}}{{\partial {_tex(names[step.parent])}}}$? "
                f"Type a {dims} array as a nested list (upstream gradient through the {html.escape(step.node.op)} "
                "node's local rule)."
            )
            self.feedback.value = ""
            self.view.highlight(node=step.node, edge=(step.node, step.index))
            return
        node, parent, out = names[step.node], names[step.parent], names[self.walk.root]
        k = self.walk.position + 1
        if self._stage == "local":
            self.asked = (
                f"Step {k}: what is the local gradient ∂{node}/∂{parent} of this {step.node.op} node "
                f"with respect to {parent}?"
            )
        elif self._stage == "product":
            self.asked = (
                f"Step {k}: right, ∂{node}/∂{parent} = {format_number(step.local_grad)}. The upstream "
                f"gradient ∂{out}/∂{node} is {format_number(step.upstream_grad)}: what does this step "
                f"contribute to ∂{out}/∂{parent} (upstream × local)?"
            )
        else:
            arrived = self.walk.grad_state(step.parent).parts
            before = " + ".join(format_number(part) for _, part in arrived)
            self.asked = (
                f"Step {k}: {parent} is used twice or more, so its gradient adds up. It has received "
                f"{before} so far, and now {format_number(step.contribution)}: what is ∂{out}/∂{parent} "
                "now?"
            )
        self.question.value = html.escape(self.asked)
        self.answer_box.value = 0.0
        self.feedback.value = ""
        self.view.highlight(node=step.node, edge=(step.node, step.index))

    def _on_play(self, change) -> None:
        if not self._syncing:
            self.goto(change["new"])

    def _make_walk(self, root, names: dict | None = None):
        plan = self.view._plan  # a folded group is stepped as one
        return BackwardWalk(root, names=names, walk_constants=self.walk_constants, folded=plan.owner, boxes=plan.boxes)

    def _on_refold(self) -> None:
        """The picture folded or unfolded a group: walk it anew, as far along the backward pass as before."""
        done = self.walk.edges_done
        self.walk = self._make_walk(self.walk.root, names=self.walk.names)
        self.walk.goto_edges(done)
        self.play.max = len(self.walk)
        self._shown = self.walk.position
        self._show()

    def _flow(self, step) -> None:
        """The step's contribution travels back along its edge into its input's gradient."""
        if isinstance(step, GroupStep):
            return  # a folded group's inside is not drawn
        before = self.view.texts(step.parent).get("grad", "?")
        after = self.walk.grad_state(step.parent).value
        self.view.send_flow(step, before, value_text(after) if after is not None else "?")

    def _highlight(self, step) -> None:
        if step is None:
            self.view.highlight(node=self.walk.root)
        elif isinstance(step, GroupStep):
            self.view.highlight(node=step.box)
        else:
            self.view.highlight(node=step.parent, edge=(step.node, step.index))

    def _on_key(self, key: str) -> None:
        """Keys pressed on the picture: Right steps, Left goes back, Home and End go to either end."""
        if key == "ArrowRight":
            self.step()
        elif key == "ArrowLeft":
            self.back()
        elif key == "Home":
            self.reset()
        elif key == "End" and self.run_button.layout.display != "none":  # not in a quiz, nor when hidden
            self.run()

    def _show(self) -> None:
        walk = self.walk
        step = walk.current
        view = self.view
        with view.batch():
            if step is not None and walk.position == self._shown + 1:  # one step on: the contribution flows
                self._flow(step)
            view.update(grads=walk.grads())  # a gradient shows "?" until the walk reaches it
            self._highlight(step)
            view.say(walk.spoken())
        self._shown = walk.position
        self.position_label.value = f"step {walk.position} of {len(walk)}"
        text = walk.explain()
        formula = f"$${text['formula']}$$"
        if self.panel.value != formula:
            self.panel.value = formula
        parts = []
        if text["local_text"]:
            parts.append(f'<div style="text-align:center">{html.escape(text["local_text"])}</div>')
        if text["numbers_text"]:
            suffix = "" if isinstance(walk, ForwardWalk) else " = contribution"
            parts.append(
                f'<div style="font-size:115%;text-align:center">{html.escape(text["numbers_text"])}{suffix}</div>'
            )
        if text["sum"]:
            parts.append(f'<div style="text-align:center"><b>{html.escape(text["sum"])}</b></div>')
        if not text["local_text"]:  # the start: say what it means
            parts.append(f'<div style="color:#595959;text-align:center">{html.escape(text["rule"])}</div>')
        self.numbers.value = "".join(parts)
        self.back_button.disabled = self.reset_button.disabled = walk.position == 0
        self.step_button.disabled = self.run_button.disabled = walk.done
        self._syncing = True
        try:
            self.play.value = walk.position
        finally:
            self._syncing = False

    @property
    def picture(self) -> GraphView:
        """The graph picture (the same widget as ``view``)."""
        return self.view

    def _repr_mimebundle_(self, **kwargs):
        return with_static_copy(super()._repr_mimebundle_(**kwargs), self.view)

    def __repr__(self) -> str:
        return f"BackwardStepper(step {self.walk.position} of {len(self.walk)})"


def _asks_array(step) -> bool:
    """A step whose local gradient is not one number (a Tensor op's): the quiz asks its contribution, an array."""
    factor = step.local_grad.factor
    return factor is None or ndim(factor) > 0 or ndim(step.contribution) > 0


def _without_number(said: str) -> str:
    """``∂f/∂x = y = 7`` -> ``∂f/∂x = y``: the rule in the node's names, not the answer."""
    head, _, tail = said.rpartition(" = ")
    return head if " = " in head else "see the op table's rule for this node"


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _close(value, expected) -> bool:
    try:
        value = float(value)
        expected = float(expected)
    except (TypeError, ValueError):
        return False
    if math.isnan(expected):
        return math.isnan(value)
    return math.isclose(value, expected, rel_tol=1e-3, abs_tol=1e-6)


class ForwardStepper(BackwardStepper):
    """Forward mode one node at a time, with respect to one input ``wrt``: the mirror of the backward stepper.

    It starts at ``wrt`` (tangent 1) and walks towards the output; each Step
    computes one node's tangent, Σ local gradient × tangent of its input, and
    the picture's gradient row shows the tangents ("?" until reached, 0 where a
    node does not depend on ``wrt``).  A whole walk is one forward pass: it
    gives the derivative of every node with respect to ``wrt`` alone.
    """

    def __init__(self, root, wrt, conceal=None, **options) -> None:
        self.wrt = wrt
        self.conceal = conceal  # a function giving the nodes whose tangent must stay "?" (quiz, hidden gradients)
        options["quiz"] = False  # the quiz asks backward steps
        super().__init__(root, **options)
        self.add_class("bpw-forward-stepper")

    def _make_walk(self, root, names: dict | None = None):
        walk = ForwardWalk(root, self.wrt, names=names)
        walk.hidden = set(self.conceal()) if self.conceal is not None else set()
        return walk

    def _flow(self, step) -> None:
        index, parent, *_ = step.terms[-1]
        before = self.view.texts(step.node).get("grad", "?")
        self.view.send_flow(
            step,
            before,
            value_text(step.tangent),
            edge=(step.node, index),
            into=step.node,
            text=value_text(step.terms[-1][4]),
            forward=True,
        )

    def _highlight(self, step) -> None:
        if step is None:
            self.view.highlight(node=self.wrt)
        else:
            self.view.highlight(node=step.node, edges=[(step.node, index) for index, *_ in step.terms])

    def __repr__(self) -> str:
        return f"ForwardStepper(∂/∂{self.walk.names[self.wrt]}, step {self.walk.position} of {len(self.walk)})"
