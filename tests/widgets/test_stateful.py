"""Random sequences of what a student does to an Explorer; the widget must stay consistent."""

import math

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from backprop_widgets import Explorer
from backprop_widgets.engine import topological_order
from backprop_widgets.render.dot import value_text

FORMULAS = ["(a+b)*(b+c)", "(4x+1)^2", "1/(1+e^(-x))", "x*x*y", "tanh(a*b) + a", "sigmod(x)", "(x+", "3"]


class StudentAtAnExplorer(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.explorer = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)

    @property
    def stepper(self):
        return self.explorer.stepper

    @rule()
    def step(self):
        self.stepper.step_button.click()

    @rule()
    def back(self):
        self.stepper.back_button.click()

    @rule()
    def reset(self):
        self.stepper.reset_button.click()

    @rule()
    def run(self):
        self.stepper.run_button.click()
        self.check_run_to_end()

    @rule(data=st.data())
    def move_slider(self, data):
        if not self.explorer.sliders:
            return
        name = data.draw(st.sampled_from(sorted(self.explorer.sliders)))
        slider = self.explorer.sliders[name]
        slider.value = data.draw(st.floats(slider.min, slider.max, allow_nan=False))

    @rule(formula=st.sampled_from(FORMULAS))
    def edit_formula(self, formula):
        self.explorer.formula.value = formula

    @rule(mode=st.sampled_from(["reverse", "forward", "check"]))
    def switch_mode(self, mode):
        self.explorer.mode.value = mode

    def check_run_to_end(self):
        """After Run to end, the gradients shown are the engine's."""
        stepper = self.stepper
        root = stepper.walk.root
        for node, shown in stepper.walk.grads().items():
            if node.constant and not node.parents and node is not root:  # constants get no steps
                assert shown is None
                continue
            assert shown == node.grad or (math.isnan(shown) and math.isnan(node.grad))
        expected = {value_text(node.grad) for node in topological_order(root) if not node.constant}
        cells = set(stepper.view.cells)
        assert expected <= cells, expected - cells

    @invariant()
    def position_in_range(self):
        stepper = self.stepper
        assert 0 <= stepper.position <= stepper.total
        assert stepper.position_label.value == f"step {stepper.position} of {stepper.total}"

    @invariant()
    def values_follow_the_sliders(self):
        for name, slider in self.explorer.sliders.items():
            assert self.explorer.inputs[name].data == slider.value


StudentAtAnExplorer.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestStudentAtAnExplorer = StudentAtAnExplorer.TestCase
