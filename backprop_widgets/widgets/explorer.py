"""``Explorer``: type a formula (or pass a graph), drag its inputs, and watch every gradient change."""

from __future__ import annotations

import html
import re
from typing import Any, cast

import ipywidgets as widgets

from ..engine import Value, evaluate, format_number, forward_derivatives, gradcheck, topological_order
from ..engine.foreign import ForeignNode, as_graph, is_foreign
from ..palette import OKABE_ITO, TEXT_COLOURS
from ..parse import ParseError, parse, to_formula, variables
from .graph import GraphView, with_static_copy
from .options import EXPLORER_CONTROLS, STEPPER_CONTROLS, in_assessment, resolve, resolve_hide
from .stepper import NEEDS_KERNEL, BackwardStepper, ForwardStepper
from .walk import node_names

__all__ = ["Explorer"]

MODES = {
    "reverse": "Reverse mode (backprop)",
    "forward": "Forward mode",
    "check": "Gradient check",
}
VERDICT_COLOURS = {
    "right": OKABE_ITO["bluish_green"],
    "probably right": OKABE_ITO["sky_blue"],
    "doubtful": OKABE_ITO["orange"],
    "wrong": OKABE_ITO["vermillion"],
}


def starting_values(names: list[str], taken: set[float]) -> dict[str, float]:
    """Values for new variables: 1, 2, 3, ... in turn, skipping values other variables hold.

    Distinct, so that ``max(a, b)`` does not open on a tie (where its local gradient is ½).

    >>> starting_values(["a", "b"], set()), starting_values(["z"], {1.0, 3.0}), starting_values(["y", "z"], {2.0})
    ({'a': 1.0, 'b': 2.0}, {'z': 2.0}, {'y': 1.0, 'z': 3.0})
    """
    found: dict[str, float] = {}
    candidate = 1.0
    for name in names:
        while candidate in taken:
            candidate += 1.0
        found[name] = candidate
        candidate += 1.0
    return found


def slider_range(value: float) -> tuple[float, float, float]:
    """A slider range that holds ``value`` with room either side: (min, max, step).

    >>> slider_range(1.0), slider_range(-30.0)
    ((-5.0, 5.0, 0.01), (-50.0, 50.0, 0.1))
    """
    reach = 5.0
    while abs(value) > 0.8 * reach:
        reach *= 2.5 if str(reach).startswith("2") else 2.0  # 5, 10, 20, 50, 100, ...
    step = 0.01 if reach <= 10 else 0.1 if reach <= 100 else 1.0
    return (-reach, reach, step)


class Explorer(widgets.VBox):
    """A formula box, one slider per variable, and the live graph with its backward pass.

    ``Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)`` or ``Explorer(some_value)``, or a graph of a
    student's own engine (micrograd-style, see ``engine.foreign``): ``Explorer(out)``.
    Typing a new formula (then Enter) rebuilds the graph and the sliders; a new
    variable starts at 1, 2, 3, ... (a value no other variable holds).  A
    formula that does not parse shows why beside the box and keeps the last good
    graph, greyed and marked as out of date until a formula parses again.  Moving a slider recomputes the forward and backward passes and
    updates the picture in place.  Modes: reverse (step through backprop),
    forward (one pass per input), gradient check (every gradient against finite
    differences, beside the picture with every gradient filled in).

    ``ranges={"x": (-2, 2, 0.1)}`` sets slider ranges; ``hide_gradients``,
    ``quiz`` and ``hide`` are as for ``BackwardStepper``, with the extra control
    names ``"formula"``, ``"sliders"`` and ``"modes"``.  With ``quiz`` or
    ``hide_gradients`` on, the forward and check modes show a gradient of f only
    once the backward walk has reached it ("?" before); in assessment mode
    (``configure(assessment=True)``) the gradient check is not offered.

    On a student's own graph a slider moves a leaf of the kit's mirror, never
    the student's object: each node is then recomputed by the student's own code
    (its op re-run on copies of its inputs, ``ForeignNode.recompute``) and its
    local gradients read again from the new node's ``_backward``.  So every value
    and gradient shown is what the student's engine gives for the new numbers,
    and the gradient check holds the student's backward rules against finite
    differences of the student's forward rules.  Its sliders are its labelled
    leaves (every leaf where none has a label).
    """

    def __init__(
        self,
        formula_or_value: Any = "(4*x + 1)^2",
        *,
        ranges: dict | None = None,
        hide_gradients: bool | None = None,
        quiz: bool | None = None,
        hide=None,
        **values: float,
    ) -> None:
        self.ranges = dict(ranges or {})
        self.hide_gradients = bool(resolve("hide_gradients", hide_gradients, "Explorer"))
        self.quiz = bool(resolve("quiz", quiz, "Explorer"))
        self.hidden = set(resolve_hide(hide, EXPLORER_CONTROLS, "Explorer"))
        self.values = {name: float(v) for name, v in values.items()}
        self.forward_passes: list[str] = []
        self._quiet = False

        self.formula = widgets.Text(
            description="f =",
            continuous_update=False,
            placeholder="e.g. (a+b)*(b+c)  or  1/(1+e^(-x))",
            layout=widgets.Layout(width="420px"),
        )
        self.error = widgets.HTML()
        self.error.add_class("bpw-error")
        self.sliders_box = widgets.VBox()
        offered = [key for key in MODES if not (key == "check" and in_assessment())]  # graded: no check
        self.mode = widgets.ToggleButtons(
            options=[(MODES[key], key) for key in offered], value="reverse", style={"button_width": "auto"}
        )
        self.wrt = widgets.Dropdown(description="∂ / ∂", layout=widgets.Layout(width="200px"))
        self.forward_button = widgets.Button(
            description="Whole pass",
            icon="play",
            tooltip="every step of the forward pass for this input at once",
            layout=widgets.Layout(width="auto"),
        )
        self.forward_report = widgets.HTMLMath()
        self.forward_report.add_class("bpw-forward-report")
        self.forward_box = widgets.HBox([self.wrt, self.forward_button])
        self.forward_stepper: ForwardStepper | None = None
        self.check_button = widgets.Button(
            description="Check every gradient",
            icon="check",
            layout=widgets.Layout(width="auto", align_self="flex-start"),
        )  # as wide as its text: not cut, not stretched across the column
        self.check_report = widgets.HTML()
        self.check_box = widgets.VBox([self.check_button, self.check_report])
        self.check_view: GraphView | None = None  # the picture the gradient check checks (made when first shown)
        self.stale = widgets.HTML(layout=widgets.Layout(display="none"))  # shown while the formula does not parse
        self.stale.add_class("bpw-stale-note")

        self.formula.observe(self._on_formula, names="value")
        self.mode.observe(lambda _: self._show_mode(), names="value")
        self.forward_button.on_click(lambda _: self.forward_pass())
        self.wrt.observe(lambda _: self._forward_mode(), names="value")
        self.check_button.on_click(lambda _: self.check())

        # set by _set_graph, which the formula (or the Value) below always reaches, as are self.inputs
        self.root: Any  # a Value, or the mirror of a student's own graph
        self.stepper: BackwardStepper
        self.body = widgets.VBox()
        self.drawn = ""  # the formula the picture shows, as typed ("" when there is none)
        self.sliders: dict[str, widgets.FloatSlider] = {}

        if isinstance(formula_or_value, str):
            root = self._parse_or_none(formula_or_value)
            if root is None:  # a bad formula at the start still gives a working widget
                self._set_graph(Value(0.0, label="?"))
            self.formula.value = formula_or_value
        elif isinstance(formula_or_value, Value):
            self._set_graph(formula_or_value)
            try:
                self._quiet = True  # show the graph's formula without rebuilding the graph
                self.formula.value = self.drawn = to_formula(formula_or_value)
            except ValueError:
                self._quiet = False
                self.formula.placeholder = "(a graph built in Python; type a formula to replace it)"
        elif (
            isinstance(formula_or_value, ForeignNode)
            or is_foreign(formula_or_value)
            and not _is_torch(formula_or_value)
        ):
            self._set_graph(as_graph(formula_or_value))  # a student's own engine: its mirror is what moves
            self.formula.placeholder = "(your own engine's graph: drag its inputs; type a formula to replace it)"
        else:
            raise TypeError(
                "Explorer takes a formula (str), a Value or a graph of your own engine, "
                f"not {type(formula_or_value).__name__}"
            )

        top = widgets.HBox([self.formula, self.error], layout=widgets.Layout(align_items="center"))
        parts = {"formula": top, "sliders": self.sliders_box, "modes": self.mode}
        for name in self.hidden & set(parts):
            parts[name].layout.display = "none"
        super().__init__([top, self.sliders_box, self.mode, self.stale, self.body])
        self.add_class("bpw-explorer")
        for control in (top, self.sliders_box, self.mode, self.forward_box, self.check_button):
            control.add_class(NEEDS_KERNEL)  # greyed out while the page steps a recorded walk with no kernel
        self._show_mode()

    # ---- building ------------------------------------------------------------------

    def _parse_or_none(self, text: str) -> Value | None:
        """The graph of a formula; ``g = (4x + 1)^2`` names its output g (else it is f)."""
        named = _NAMED.match(text)
        name, text = (named[1], named[2]) if named else (None, text)
        try:
            root = parse(text, **self.values)
            names = list(variables(root))
            new = [n for n in names if n not in self.values]
            if new:  # parse would start them all at 1: give each a value of its own
                self.values.update(starting_values(new, {self.values[n] for n in names if n in self.values}))
                root = parse(text, **self.values)
            if name is not None:
                root.label = name
            return root
        except ParseError as error:
            self.error.value = (
                f'<pre style="color:{OKABE_ITO["vermillion"]};margin:0;line-height:1.2">{html.escape(str(error))}</pre>'
            )
            return None

    def _on_formula(self, change) -> None:
        if self._quiet:
            self._quiet = False
            return
        root = self._parse_or_none(change["new"])
        if root is None:
            self._mark_stale(True)
            return
        self.error.value = ""
        self._mark_stale(False)
        self.drawn = change["new"]
        self._set_graph(root)
        self._show_mode()

    def _mark_stale(self, stale: bool) -> None:
        """Grey the picture and say it is out of date while the formula in the box does not parse."""
        if not stale:
            self.stale.layout.display = "none"
            self.stale.value = ""
            self.body.remove_class("bpw-stale")
            self.body.layout.border = None
            return
        said = (
            f"Out of date: the picture below is still of <code>{html.escape(self.drawn)}</code>, the last formula that parsed."
            if self.drawn
            else "Out of date: the picture below is not of the formula in the box."
        )
        self.stale.value = (
            "<style>.bpw-stale { opacity: 0.45; filter: grayscale(1); }</style>"
            f'<div role="status" style="color:{TEXT_COLOURS["wrong"]};font-weight:bold">⚠ {said} '
            "Fix the formula above (then Enter) to redraw it.</div>"
        )
        self.stale.layout.display = None
        self.body.add_class("bpw-stale")
        self.body.layout.border = f"2px dashed {OKABE_ITO['vermillion']}"

    def _set_graph(self, root: Any) -> None:
        self.root = root
        self.forward_passes = []
        self.forward_stepper = None
        self.inputs = self._inputs(root)
        self._make_sliders()
        stepper = BackwardStepper(
            root, quiz=self.quiz, hide_gradients=self.hide_gradients, hide=tuple(self.hidden & set(STEPPER_CONTROLS))
        )
        if not self.hide_gradients and not self.quiz:
            stepper.run()  # the live graph shows every gradient; Reset to step through
        self.stepper = stepper
        self.wrt.options = list(self.inputs)
        self.wrt.value = next(iter(self.inputs), None)

    def _inputs(self, root: Any) -> dict[str, Any]:
        named = variables(root)
        if named:
            return named
        order = cast("list[Value]", topological_order(root))  # a graph of Values holds only Values
        names = node_names(order)
        return {names[n]: n for n in order if not n.parents and not n.constant}

    def _make_sliders(self) -> None:
        old = {name: s for name, s in self.sliders.items()}
        self.sliders = {}
        for name, leaf in self.inputs.items():
            slider = old.get(name)
            if slider is None:
                low, high, step = self.ranges.get(name, slider_range(leaf.data))
                slider = widgets.FloatSlider(
                    description=name,
                    min=low,
                    max=high,
                    step=step,
                    continuous_update=True,
                    readout_format=".3g",
                    layout=widgets.Layout(width="420px"),
                )
                slider.observe(self._on_slider, names="value")
            slider.min, slider.max = min(slider.min, leaf.data), max(slider.max, leaf.data)
            slider._bpw_updating = True
            slider.value = leaf.data
            slider._bpw_updating = False
            self.sliders[name] = slider
        self.sliders_box.children = list(self.sliders.values())

    # ---- moving inputs --------------------------------------------------------------

    def set_value(self, name: str, value: float) -> None:
        """Give input ``name`` a new value and recompute everything (what a slider does)."""
        if name not in self.inputs:
            raise KeyError(f"no input named {name!r}; the inputs are {list(self.inputs)}")
        self.values[name] = float(value)
        self.inputs[name].data = float(value)
        evaluate(self.root, self.stepper.walk.order)  # the walk's order: no traversal on a slider move
        self.forward_passes = []
        self.stepper.rebuild()
        if self.forward_stepper is not None:
            self.forward_stepper.rebuild()  # the same input, the same step, the new numbers
        self._refresh_mode_reports()

    def _on_slider(self, change) -> None:
        slider = change["owner"]
        if getattr(slider, "_bpw_updating", False):
            return
        self.set_value(slider.description, change["new"])

    # ---- modes ----------------------------------------------------------------------

    def forward_pass(self, name: str | None = None) -> dict:
        """Forward mode, all at once: the derivative of every node with respect to one input.

        (What "Whole forward pass" does; Step walks the same pass one node at a time.)
        """
        name = name or self.wrt.value
        if not self.inputs:
            self.forward_report.value = "This formula has no inputs to take derivatives with respect to."
            return {}
        if name not in self.inputs:
            raise KeyError(f"no input named {name!r}; the inputs are {list(self.inputs)}")
        if self.mode.value != "forward":
            self.mode.value = "forward"
        self.wrt.value = name
        self._forward_mode()
        assert self.forward_stepper is not None  # made by _forward_mode for an input of this graph
        self.forward_stepper.run()
        return forward_derivatives(self.root, wrt=self.inputs[name])

    def _forward_mode(self) -> None:
        """Forward mode for the input chosen in the menu: its own stepper, from the input towards the output."""
        if self.mode.value != "forward" or not self.inputs or self.wrt.value not in self.inputs:
            return
        wrt = self.inputs[self.wrt.value]
        stepper = self.forward_stepper
        if stepper is None or stepper.wrt is not wrt or stepper.walk.root is not self.root:
            stepper = ForwardStepper(
                self.root,
                wrt,
                hide=tuple(self.hidden & set(STEPPER_CONTROLS)),
                conceal=lambda: [] if self._known(self.forward_stepper_wrt()) else [self.root],
            )
            stepper.play.observe(lambda _: self._forward_text(), names="value")
            self.forward_stepper = stepper
        else:
            stepper.rebuild()  # what a quiz may show has changed since
        self.body.children = [self.forward_box, stepper, self.forward_report]
        self._forward_text()

    def forward_stepper_wrt(self):
        return self.inputs.get(self.wrt.value)

    def _forward_text(self) -> None:
        """The pass counter: forward mode needs one pass per input, reverse mode one for all of them."""
        stepper = self.forward_stepper
        name = self.wrt.value
        if stepper is not None and stepper.walk.done and (not self.forward_passes or self.forward_passes[-1] != name):
            self.forward_passes.append(name)
        done = list(dict.fromkeys(self.forward_passes))
        n = len(self.inputs)
        marks = ", ".join(f"{html.escape(i)} {'✓' if i in done else '·'}" for i in self.inputs)
        value = stepper.walk.grads()[self.root] if stepper is not None else None
        out = self.stepper.walk.names[self.root]
        lines = [
            f"One forward pass follows one input: ∂{html.escape(out)}/∂{html.escape(name)} = "
            f"{'?' if value is None else html.escape(format_number(value, 6))}"
            + ("" if stepper is None or stepper.walk.done else " (step on to the output)"),
            f"<b>Forward passes done: {len(done)} of {n} inputs</b> ({marks}); "
            f"<b>backward passes needed for all {n}: 1</b>.",
        ]
        self.forward_report.value = "<br>".join(lines)

    def check(self):
        """Gradient check: every node's gradient against a central difference."""
        report = gradcheck(self.root)
        names = node_names(topological_order(self.root))
        rows = "".join(
            f"<tr><td>{html.escape(_describe(row.node, names))}</td><td>{html.escape(format_number(row.analytic, 8))}</td>"
            f"<td>{html.escape(format_number(row.numeric, 8))}</td><td>{row.rel_error:.1e}</td>"
            f'<td style="color:{VERDICT_COLOURS[row.verdict]};font-weight:bold">{row.verdict}</td></tr>'
            if self._known(row.node)
            # quiz / hide_gradients: only the gradients walked to so far
            else f"<tr><td>{html.escape(_describe(row.node, names))}</td><td>?</td><td>?</td><td></td>"
            "<td>step the backward pass to this node first</td></tr>"
            for row in report
        )
        self.check_report.value = (
            '<table class="bpw-check"><tr><th>node</th><th>backprop</th><th>numerical</th>'
            f"<th>relative error</th><th>verdict</th></tr>{rows}</table>"
            f"<div>{'All gradients agree with finite differences.' if report.ok else 'Some gradients disagree.'}"
            "</div>"
        )
        self.stepper.rebuild()
        if self.check_view is not None and self.check_view.root is self.root:
            self.check_view.update()  # the gradients the table checks, after its backward pass
        return report

    def _known(self, node) -> bool:
        """Whether a mode may show ``node``'s gradient: always, unless quiz or hide_gradients hides it
        until the backward walk has reached it."""
        return not (self.quiz or self.hide_gradients) or self.stepper.walk.grad_state(node).complete

    def _refresh_mode_reports(self) -> None:
        mode = self.mode.value
        if mode == "forward":
            self._forward_text()
        elif mode == "check":
            self.check()

    def _show_mode(self) -> None:
        mode = self.mode.value
        self.check_report.value = ""
        if mode == "forward":  # the whole widget switches: picture, panel and controls follow the input
            self._forward_mode()
            return
        if mode == "check" and not (self.quiz or self.hide_gradients):
            # the picture the table checks: every gradient filled in (the stepper keeps its place for reverse mode)
            if self.check_view is None or self.check_view.root is not self.root:
                self.check_view = GraphView(self.root, show_grad=True, show_local=self.stepper.view.show_local)
            self.body.children = [self.check_view, self.check_box]
            self.check()
            return
        self.body.children = [self.stepper, *([self.check_box] if mode == "check" else [])]
        if mode == "check":
            self.check()
        else:
            self.stepper.rebuild()

    def _repr_mimebundle_(self, **kwargs):
        return with_static_copy(super()._repr_mimebundle_(**kwargs), self.stepper.view)

    def __repr__(self) -> str:
        text = self.formula.value or "a graph built in Python"
        return f"Explorer({text!r}, {', '.join(f'{n}={format_number(v.data, 6)}' for n, v in self.inputs.items())})"


_NAMED = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=(?!=)\s*(.*)$", re.S)  # "g = ..." names the output


def _is_torch(obj: Any) -> bool:
    """A PyTorch object (read from its type: the scalar path imports neither torch nor numpy)."""
    return type(obj).__module__.split(".")[0] == "torch"


def _describe(node, names) -> str:
    """``x``, ``n3 (×)`` or ``constant 1``: a node as the check table names it."""
    if node.op is not None:
        return f"{names[node]} ({node.ops[node.op].title(node.params)})"
    if node.constant and node.label is None:
        return f"constant {format_number(node.data)}"
    return names[node]
