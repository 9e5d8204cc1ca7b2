"""Steppers: a pass over the graph one step per click, backward (``BackwardStepper``) or forward (``ForwardStepper``)."""

from __future__ import annotations

import html
from contextlib import ExitStack, contextmanager
from pathlib import Path

import ipywidgets as widgets

from ..engine import topological_order
from ..engine.foreign import as_graph, mirror_of
from ..engine.gates import FAN_OUT, FAN_OUT_FORWARD, gate_sentence, uses
from ..render import backend, value_text
from . import recorded
from .graph import GraphView, with_static_copy
from .options import STEPPER_CONTROLS, resolve, resolve_hide
from .quiz import Quiz
from .walk import BackwardWalk, ForwardWalk, GroupStep, node_names, tangent_name

__all__ = ["Stepper", "BackwardStepper", "ForwardStepper"]

CONTROL_NAMES = STEPPER_CONTROLS  # the names hide= knows (one home: options.CONTROLS)
# the class of a control that needs Python running: the page greys it out while it steps a recorded walk
NEEDS_KERNEL = "bpw-needs-kernel"


class Stepper(widgets.VBox):
    """A picture of a graph with buttons that walk a pass over it, one step per click.

    What a step is, and what the picture and panel say of it, is the walk's
    business (``_make_walk``, ``_flow``, ``_highlight`` in a subclass): this base
    knows the buttons, the panel, the keys, folding and rebuilding, whichever
    way the pass goes.  ``step()``, ``back()``, ``reset()`` and ``run()`` do
    what the buttons do, so a lesson or a test can drive it too.
    """

    children: tuple  # VBox's trait (ipywidgets has no type hints): the picture, then the controls
    NUMBERS_SUFFIX = ""  # what follows the numbers line in the panel

    def __init__(
        self,
        root,
        *,
        hide_gradients: bool | None = None,
        hide=None,
        show_local: bool = False,
        interval: int = 900,
        view: GraphView | None = None,
        quiz: Quiz | None = None,
        record: bool | None = None,
        gates: bool = False,
    ) -> None:
        root = as_graph(root)  # a student's own engine: one mirror for the picture and the walk
        widget = type(self).__name__
        if record and quiz is not None:
            raise ValueError(f"{widget}: a recorded walk shows every answer, so it cannot be a quiz (quiz=False)")
        # record=True (or configure(record=True)): the walk goes into the output's HTML too (an export, the book);
        # left unset, a walk of at most REPLAY_STEPS steps is recorded into the widget only; False: not at all
        record = resolve("record", record, widget)
        self.recorded = bool(record) and quiz is None
        self.replays = quiz is None and record is not False
        self._replay_any_length = bool(record)
        self._recorded_numbers: tuple = ()
        shown = resolve("hide_gradients", hide_gradients, widget) is False  # False, not None
        self.hide_gradients = not shown
        self.hidden = hidden = set(resolve_hide(hide, STEPPER_CONTROLS, widget))
        self.view = view if view is not None else GraphView(root, show_grad=self._row_name(root), show_local=show_local)
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
        # the gate patterns (CS231n's words) on the picture and in the panel, on a toggle
        self.gates_button = widgets.ToggleButton(
            value=False, description="Gate patterns", icon="random", tooltip="name the pattern each step makes"
        )
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
        self.gates_button.observe(lambda change: self.show_gates(change["new"]), names="value")

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
        # the front end finds them by these classes when it steps a recorded walk with no kernel
        for name, button in (("home", self.reset_button), ("back", self.back_button), ("next", self.step_button)):
            button.add_class(f"bpw-go-{name}")
        self.run_button.add_class("bpw-go-end")
        self.position_label.add_class("bpw-position")
        for control in (self.play, self.speed, self.gates_button):
            control.add_class(NEEDS_KERNEL)
        if quiz is not None:  # a quiz is answered step by step
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
                self.gates_button,
            ],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        # a quiz's question sits right under the panel that shows the step it asks about
        super().__init__([self.view, bar, self.panel_box, *([quiz.box] if quiz is not None else [])])
        self.add_class("bpw-stepper")
        if shown and quiz is None:  # hide_gradients=False: the pass done, every value shown
            self.walk.run()
            self._shown = self.walk.position
        self._show()
        self.gates_button.value = gates
        self._record_replay()

    # ---- what a subclass says ----------------------------------------------------

    def _make_walk(self, root, names: dict | None = None, order: list | None = None, like=None):
        """The walk over ``root`` (``like``: the last walk of the same graph, whose shape a rebuild may reuse)."""
        raise NotImplementedError

    def _flow(self, step) -> None:
        """The step's number travels along its edge (an animation in the picture)."""

    def _highlight(self, step) -> None:
        raise NotImplementedError

    def _row_name(self, root) -> bool | str:
        """What the picture's second row is called (True: "grad")."""
        return True

    GATES: bool | str = True  # how the picture marks the gate patterns (GraphView.show_gates): backward's

    def gate_text(self) -> str:
        """The current step's gate pattern in words ("" where there is none to say)."""
        return ""

    # ---- the gate patterns ---------------------------------------------------------

    def show_gates(self, on: bool = True) -> None:
        """Name the pattern of each step (add distributes, multiply swaps, max routes, a copy passes, a fan-out adds;
        going forward, what each does to a tangent)."""
        if self.gates_button.value != on:
            self.gates_button.value = on  # the toggle calls back here, and the second call does the rest
            return
        self.view.show_gates(self.GATES if on else False)
        self._show_panel(self.walk.explain())
        self._record_replay()  # a new picture (the patterns marked) and new panel text

    # ---- public actions --------------------------------------------------------

    @property
    def position(self) -> int:
        return self.walk.position

    @property
    def current(self):
        """The step just taken, or None."""
        return self.walk.current

    def explain(self) -> dict:
        """What the panel shows for the current step: formula, numbers, sum, rule."""
        return self.walk.explain()

    @property
    def total(self) -> int:
        """How many steps the pass has."""
        return len(self.walk)

    def step(self) -> None:
        """One more step."""
        self.advance()

    def advance(self) -> None:
        """One more step, whatever a quiz would ask first."""
        self.goto(self.walk.position + 1)

    def back(self) -> None:
        self.goto(self.walk.position - 1)

    def reset(self) -> None:
        self.goto(0)

    def run(self) -> None:
        """All remaining steps."""
        self.goto(len(self.walk))

    def goto(self, position: int) -> None:
        self.walk.goto(position)
        self._show()

    def rebuild(self, root=None) -> None:
        """Walk the graph again after its values changed (or walk a new graph)."""
        position = self.walk.position
        if root is not None and root is not self.walk.root:
            self.walk = self._make_walk(root)
            self.view = GraphView(root, show_grad=self._row_name(root), show_local=self.view.show_local)
            self.view.on_key(self._on_key)
            self.view.on_refold(self._on_refold)
            self.children = (self.view, *self.children[1:])
            if self.gates_button.value:  # the new picture marks the patterns too
                self.view.show_gates(self.GATES)
        else:  # same structure: keep the names and the order, redo the numbers
            self.walk = self._make_walk(self.walk.root, names=self.walk.names, order=self.walk.order, like=self.walk)
            self.walk.goto(position)
        self.play.max = len(self.walk)
        self._show()
        if self.view.replay and self._numbers() != self._recorded_numbers:
            self.view.replay = {}  # recorded with other numbers (recording again would cost every slider move)

    # ---- internals ---------------------------------------------------------------

    def _on_play(self, change) -> None:
        if not self._syncing:
            self.goto(change["new"])

    def _on_refold(self) -> None:
        """The picture folded or unfolded a group: walk it anew, as far along the pass as before."""
        done = self.walk.progress
        self.walk = self._make_walk(self.walk.root, names=self.walk.names)
        self.walk.goto_progress(done)
        self.play.max = len(self.walk)
        self._shown = self.walk.position
        self._show()
        self._record_replay()

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
            if step is not None and walk.position == self._shown + 1:  # one step on: its number flows
                self._flow(step)
            view.update(grads=walk.grads())  # a value shows "?" until the walk reaches it
            self._highlight(step)
            view.say(walk.spoken())
        self._shown = walk.position
        self.position_label.value = f"step {walk.position} of {len(walk)}"
        self._show_panel(walk.explain())
        self.back_button.disabled = self.reset_button.disabled = walk.position == 0
        self.step_button.disabled = self.run_button.disabled = walk.done
        self._syncing = True
        try:
            self.play.value = walk.position
        finally:
            self._syncing = False

    def _show_panel(self, text: dict) -> None:
        formula = f"$${text['formula']}$$"
        if self.panel.value != formula:
            self.panel.value = formula
        parts = []
        if text["local_text"]:
            parts.append(f'<div style="text-align:center">{html.escape(text["local_text"])}</div>')
        if text["numbers_text"]:
            parts.append(
                f'<div style="font-size:115%;text-align:center">'
                f"{html.escape(text['numbers_text'])}{self.NUMBERS_SUFFIX}</div>"
            )
        if text["sum"]:
            parts.append(f'<div style="text-align:center"><b>{html.escape(text["sum"])}</b></div>')
        if text["rule"] and not text["local_text"]:  # the start (or a question): say what it means
            parts.append(f'<div style="color:#595959;text-align:center">{html.escape(text["rule"])}</div>')
        gate = self.gate_text() if self.gates_button.value else ""
        if gate:
            parts.append(f'<div class="bpw-gate" style="text-align:center;color:#595959">{html.escape(gate)}</div>')
        self.numbers.value = "".join(parts)

    @property
    def picture(self) -> GraphView:
        """The graph picture (the same widget as ``view``)."""
        return self.view

    # ---- the walk without a kernel (see recorded.py) -----------------------------

    def record(self) -> dict:
        """Every step of the walk as the picture and panel show it: what a page needs to step with no kernel."""
        return recorded.record(self)

    @contextmanager
    def unsent(self):
        """Nothing changed inside the block reaches the page until it ends (a recording walks there and back)."""
        with ExitStack() as held:
            held.enter_context(self.view.unsent())
            for control in (self.play, self.position_label, self.panel, self.numbers, *self.children[1].children):
                held.enter_context(control.hold_sync())
            yield self

    def _record_replay(self) -> None:
        """Record the walk into the widget's state (see ``recorded.replay_state``), if this stepper replays."""
        if self.replays and (self._replay_any_length or len(self.walk) <= recorded.REPLAY_STEPS):
            self.view.replay = recorded.replay_state(self)
            self._recorded_numbers = self._numbers()

    def _numbers(self) -> tuple:
        """The values the walk's numbers come from (a recorded walk stays right while they stay)."""
        return tuple(node.data.tobytes() if hasattr(node.data, "tobytes") else node.data for node in self.walk.order)

    def save_html(self, path) -> Path:
        """Write the walk as one self-contained HTML page that steps by buttons and keys (no network, no kernel)."""
        return recorded.save_html(self, path)

    def save_svg(self, path, *, animate: bool = False, seconds: float = 1.5, width: int | None = None) -> Path:
        """Write the picture as SVG: as it is now, or (``animate=True``) one frame per step, ``seconds`` each,
        ``width`` pixels wide (None: Graphviz's own size)."""
        return recorded.save_svg(self, path, animate=animate, seconds=seconds, width=width)

    def save_gif(self, path, *, width: int = 800, seconds: float = 1.5) -> Path:
        """Write the walk as an animated GIF, one frame per step, ``width`` pixels wide (the ``slides`` extra)."""
        return recorded.save_gif(self, path, width=width, seconds=seconds)

    def _repr_mimebundle_(self, **kwargs):
        bundle = with_static_copy(super()._repr_mimebundle_(**kwargs), self.view)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if self.recorded and data and backend() is not None:  # where no widget runs, the recorded walk steps
            data["text/html"] = recorded.player_html(self)
        return bundle


class BackwardStepper(Stepper):
    """The graph of ``root`` with buttons that walk its backward pass.

    Each Step adds one contribution, ``upstream gradient × local gradient``,
    to one input's gradient; the picture highlights that edge and the panel
    shows the product as a formula and as numbers.  ``step()``, ``back()``,
    ``reset()`` and ``run()`` do what the buttons do, so a lesson or a test can
    drive it too.

    Constants (numbers written in the formula, data points, targets) get no
    steps: their gradients are never used; ``walk_constants=True`` walks them too.
    ``quiz=True`` asks the student for each step's numbers before showing them
    (a move clears the last question; see ``quiz.Quiz``).  A gradient shows "?"
    until the walk reaches it.  ``hide_gradients=True`` starts at step 0, every
    gradient "?"; ``hide_gradients=False`` starts at the end of the pass, every
    gradient shown (Reset or Back to step through it; a quiz still starts at
    step 0); left unset, the stepper starts at step 0.  ``hide=("run", "play")``
    hides those controls, added to the notebook-wide ones (names:
    ``CONTROL_NAMES``).  ``None`` means the notebook-wide default (see
    ``configure``; in its assessment mode "Run to end", Play, its speed and the
    End key are gone).  A PyTorch loss steps PyTorch's own backward graph
    (``engine.torch_graph``); ``model=`` names its parameters as the model does.
    """

    NUMBERS_SUFFIX = " = contribution"

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
        record: bool | None = None,
        model=None,
        gates: bool = False,
    ) -> None:
        root = as_graph(root, model=model)  # a PyTorch loss: model= names its parameters and folds its layers
        self.quiz = bool(resolve("quiz", quiz, "BackwardStepper"))
        self.walk_constants = walk_constants
        # the quiz's own controls exist only in a quiz (about 20 widget models fewer otherwise)
        self._quiz = Quiz(self) if self.quiz else None
        if self._quiz is not None:  # its controls, by the names lessons and tests use
            q = self._quiz
            self.question, self.feedback, self.quiz_box = q.question, q.feedback, q.box
            self.answer_box, self.array_box = q.answer_box, q.array_box
            self.check_button, self.reveal_button = q.check_button, q.reveal_button
        super().__init__(
            root,
            hide_gradients=hide_gradients,
            hide=hide,
            show_local=show_local,
            interval=interval,
            view=view,
            quiz=self._quiz,
            record=record,
            gates=gates,
        )

    def gate_text(self) -> str:
        """The current step's pattern in words ("" at the start, or for a folded group)."""
        step = self.walk.current
        if step is None or isinstance(step, GroupStep):
            return ""
        text = gate_sentence(step.node.op)
        expected = self.walk.grad_state(step.parent).expected
        if expected > 1:
            text += "; " + FAN_OUT.format(name=self.walk.names[step.parent], count=expected)
        return text[0].upper() + text[1:] + "."

    @property
    def asked(self) -> str:
        """The quiz's question on screen, as plain text ("" when none)."""
        return self._quiz.asked if self._quiz is not None else ""

    def step(self) -> None:
        """One more chain-rule product (in quiz mode: ask for it first)."""
        if self._quiz is not None and not self.walk.done:
            self._quiz.ask()
            return
        self.advance()

    def goto(self, position: int) -> None:
        if self._quiz is not None:  # a clean screen at each question
            self._quiz.clear()
        super().goto(position)

    def answer(self, value) -> bool:
        """Quiz mode: check the student's answer to the question on screen; a right answer moves on.

        On a scalar step the quiz asks three things in turn, as the lessons
        teach them: the local gradient, the product upstream × local, and, where
        the input collects a second contribution (a branch), the sum so far.
        On a Tensor step the answer is an array (a list, nested lists or a numpy
        array): the contribution the step adds to its input's gradient.
        """
        if self._quiz is None:
            raise ValueError("answer() is for quiz mode: make the stepper with quiz=True")
        return self._quiz.answer(value)

    def show_question(self, step) -> None:
        """The panel shows the step a question asks about (its formula, not yet its numbers)."""
        self.position_label.value = f"question on step {self.walk.position + 1} of {len(self.walk)}"
        self._show_panel(self.walk.asking(step))

    def _make_walk(self, root, names: dict | None = None, order: list | None = None, like=None):
        plan = self.view._plan  # a folded group is stepped as one
        return BackwardWalk(
            root,
            names=names,
            walk_constants=self.walk_constants,
            folded=plan.owner,
            boxes=plan.boxes,
            order=order,
            like=like,
        )

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

    def __repr__(self) -> str:
        return f"BackwardStepper(step {self.walk.position} of {len(self.walk)})"


class ForwardStepper(Stepper):
    """Forward mode one node at a time, with respect to one input ``wrt``: the mirror of the backward stepper.

    It starts at ``wrt`` (tangent 1) and walks towards the output; each Step
    computes one node's tangent with the engine's forward rule (``forward_steps``),
    Σ local gradient × tangent of its input, and the picture's second row,
    named for the tangent (``∂·/∂b``), shows the tangents ("?" until reached, 0
    where a node does not depend on ``wrt``).  A whole walk is one forward pass:
    it gives the derivative of every node with respect to ``wrt`` alone.  On a
    ``Tensor`` graph each tangent is the full derivative (one pass per entry of
    ``wrt``), or, given ``tangent``, the move along it.

    A student's own graph (micrograd-style, ``wrt`` one of the student's nodes) is
    walked with the local gradients the backward stepper shows: the student's own,
    read from each node's ``_backward``, so the tangent it reaches at the output
    is what a right backward pass gives for ``wrt``.
    """

    def __init__(self, root, wrt, conceal=None, *, tangent=None, **options) -> None:
        root = as_graph(root)  # a student's own engine: its mirror, and wrt's mirror in it
        wrt = mirror_of(root, wrt)
        self.wrt = wrt
        self.tangent = tangent
        self.conceal = conceal  # a function giving the nodes whose tangent must stay "?" (quiz, hidden gradients)
        options.pop("quiz", None)  # the quiz asks backward steps
        options.pop("walk_constants", None)
        super().__init__(root, **options)
        self.add_class("bpw-forward-stepper")

    def _row_name(self, root) -> str:
        return tangent_name(node_names(topological_order(root))[self.wrt])

    GATES = "forward"  # the picture marks what each op does to a tangent, and a fan-out "copies"

    def gate_text(self) -> str:
        """What the current step's op does to the tangents coming in, and where an input fans out,
        that its tangent is copied to every use ("" at the start)."""
        step = self.walk.current
        if step is None:
            return ""
        text = gate_sentence(step.node.op, forward=True)
        counts = uses(self.walk.root)
        for _, parent, *_ in step.terms:
            if counts.get(parent, 0) > 1:
                text += "; " + FAN_OUT_FORWARD.format(name=self.walk.names[parent], count=counts[parent])
        return text[0].upper() + text[1:] + "."

    def _make_walk(self, root, names: dict | None = None, order: list | None = None, like=None):
        walk = ForwardWalk(root, self.wrt, names=names, tangent=self.tangent)
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
