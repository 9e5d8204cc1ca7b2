"""configure() and the widget options (issue 13): checked at once, one table of control names, an
explicit hide= that adds, assessment mode, the dashboard following them, hide_gradients that shows."""

import pytest
from traitlets import TraitError

from backprop_widgets import BackwardStepper, Explorer, TrainingDashboard, configure
from backprop_widgets.widgets import options
from backprop_widgets.widgets import stepper as stepper_module
from backprop_widgets.widgets.options import (
    CONTROLS,
    DASHBOARD_CONTROLS,
    EXPLORER_CONTROLS,
    STEPPER_CONTROLS,
    defaults,
)


def grad_texts(stepper):
    return {node.label: stepper.view.texts(node).get("grad") for node in stepper.walk.order if node.label}


# ---- 1. checked at once, against one table of names --------------------------------------------------


@pytest.mark.parametrize("option", ["quiz", "hide_gradients", "assessment"])
@pytest.mark.parametrize("bad", ["yes", 1, "False"])
def test_configure_rejects_a_flag_that_is_not_true_or_false(option, bad):
    with pytest.raises(TypeError, match=rf"{option} must be True or False"):
        configure(**{option: bad})
    assert defaults() == options._FACTORY  # nothing was set


def test_configure_rejects_an_unknown_control_naming_the_known_ones():
    with pytest.raises(ValueError, match="unknown control") as error:
        configure(hide=("runn",))
    for name in ("run", "play", "formula", "modes", "training", "learning_rate"):
        assert name in str(error.value)
    with pytest.raises(ValueError, match="runn"):
        configure(hide="runn")
    with pytest.raises(TypeError, match="hide must be"):
        configure(hide=3)
    with pytest.raises(TypeError, match="unknown option"):
        configure(quizz=True)
    assert defaults()["hide"] == ()


def test_widgets_check_their_own_arguments_at_once(abc):
    *_, f = abc
    with pytest.raises(TypeError, match="BackwardStepper: quiz must be True or False"):
        BackwardStepper(f, quiz="yes")
    with pytest.raises(TypeError, match="Explorer: hide_gradients must be True or False"):
        Explorer("x*y", x=1, y=2, hide_gradients="no")
    with pytest.raises(ValueError, match="TrainingDashboard: hide: unknown control"):
        TrainingDashboard(points=20, hide=("runn",))
    with pytest.raises(TypeError, match="TrainingDashboard: quiz"):
        TrainingDashboard(points=20, quiz="yes")
    # a name must be the widget's own: the stepper has no formula box
    with pytest.raises(ValueError, match="known: reset, back, step, play, speed, run, position, panel"):
        BackwardStepper(f, hide=("formula",))


def test_the_control_names_have_one_home():
    assert stepper_module.CONTROL_NAMES is STEPPER_CONTROLS
    for names in (STEPPER_CONTROLS, EXPLORER_CONTROLS, DASHBOARD_CONTROLS):
        assert set(names) <= set(CONTROLS)
    assert set(CONTROLS) == set(EXPLORER_CONTROLS) | set(DASHBOARD_CONTROLS)


def test_every_stepper_name_hides_a_control(abc):
    *_, f = abc
    for name in STEPPER_CONTROLS:
        s = BackwardStepper(f, hide=(name,))
        hidden = [
            w
            for w in (
                s.reset_button,
                s.back_button,
                s.step_button,
                s.play,
                s.speed,
                s.run_button,
                s.position_label,
                s.panel_box,
            )
            if w.layout.display == "none"
        ]
        assert len(hidden) == 1, name


def test_a_name_another_widget_knows_is_ignored_where_it_does_not_apply(abc):
    *_, f = abc
    configure(hide=("formula", "learning_rate", "back"))
    s = BackwardStepper(f)  # no error: the notebook-wide list is for every widget
    assert s.back_button.layout.display == "none"
    e = Explorer("x*y", x=1, y=2)
    assert e.children[0].layout.display == "none" and e.stepper.back_button.layout.display == "none"


# ---- 2. an explicit hide= adds to the configured list ------------------------------------------------


def test_an_explicit_hide_adds_to_the_configured_one(abc):
    *_, f = abc
    configure(hide=("back",))
    s = BackwardStepper(f, hide=("run",))
    assert s.back_button.layout.display == "none" and s.run_button.layout.display == "none"
    e = Explorer("x*y", x=1, y=2, hide=("sliders",))
    assert e.sliders_box.layout.display == "none" and e.stepper.back_button.layout.display == "none"
    configure(hide=("modes",))
    e = Explorer("x*y", x=1, y=2, hide="formula")
    assert e.mode.layout.display == "none" and e.children[0].layout.display == "none"


def test_an_explicit_hide_adds_on_the_dashboard_too():
    configure(hide=("back",))
    dash = TrainingDashboard(points=20, seed=0, hide=("learning_rate", "reset"))
    assert dash.stepper.back_button.layout.display == "none"
    assert dash.stepper.reset_button.layout.display == "none"
    assert dash.lr_slider.layout.display == "none"
    assert dash.reset_button.layout.display != "none"  # "reset" is the stepper's; "training" is the dashboard's
    dash = TrainingDashboard(points=20, seed=0, hide=("training", "point", "batch_size"))
    assert {
        dash.play.layout.display,
        dash.step_button.layout.display,
        dash.point_slider.layout.display,
        dash.batch_menu.layout.display,
    } == {"none"}


# ---- 3. assessment mode ------------------------------------------------------------------------------------


def test_assessment_mode_means_a_quiz_with_hidden_gradients_and_no_run_to_end(abc):
    *_, f = abc
    configure(assessment=True)
    assert defaults()["quiz"] and defaults()["hide_gradients"]
    s = BackwardStepper(f)
    assert s.quiz and s.position == 0
    assert {s.run_button.layout.display, s.play.layout.display, s.speed.layout.display} == {"none"}
    s._on_key("End")  # the picture's End key runs to the end no more
    assert s.position == 0
    # even where a widget turns the quiz off, nothing runs the whole pass at once
    s = BackwardStepper(f, quiz=False)
    assert {s.run_button.layout.display, s.play.layout.display} == {"none"}
    s._on_key("End")
    assert s.position == 0
    s._on_key("ArrowRight")
    assert s.position == 1


def test_assessment_mode_offers_no_gradient_check():
    e = Explorer("x*y", x=2, y=3, quiz=False, hide_gradients=False)
    assert "check" in [key for _, key in e.mode.options]
    configure(assessment=True)
    e = Explorer("x*y", x=2, y=3, quiz=False, hide_gradients=False)
    assert [key for _, key in e.mode.options] == ["reverse", "forward"]
    assert e.stepper.run_button.layout.display == "none"
    with pytest.raises(TraitError):
        e.mode.value = "check"


def test_assessment_mode_keeps_options_set_in_the_same_call_and_restores():
    configure(assessment=True, quiz=False)
    assert defaults()["assessment"] and not defaults()["quiz"] and defaults()["hide_gradients"]
    before = defaults()
    configure(reset=True)
    configure(**before)  # what the grader does to put the widget defaults back
    assert defaults() == before
    configure(reset=True)
    assert defaults() == options._FACTORY


def test_assessment_mode_reaches_the_dashboard():
    configure(assessment=True)
    dash = TrainingDashboard(points=20, seed=0)
    assert dash.stepper.quiz and dash.stepper.position == 0
    assert dash.stepper.run_button.layout.display == "none"


# ---- 4. the dashboard takes quiz, hide, hide_gradients ------------------------------------------------------


def test_the_dashboard_takes_quiz_and_hide_gradients():
    dash = TrainingDashboard(points=20, seed=0)
    assert dash.stepper.position == dash.stepper.total  # its own default: every gradient shown
    dash = TrainingDashboard(points=20, seed=0, hide_gradients=True)
    assert dash.stepper.position == 0 and "not reached yet" in dash.deltas.value
    dash = TrainingDashboard(points=20, seed=0, quiz=True)
    assert dash.stepper.quiz and dash.stepper.position == 0
    dash.stepper.step()
    assert "Step 1" in dash.stepper.question.value


def test_the_dashboard_follows_configure_hide_gradients():
    configure(hide_gradients=True)
    dash = TrainingDashboard(points=20, seed=0)
    assert dash.stepper.position == 0 and "not reached yet" in dash.deltas.value
    assert set(grad_texts(dash.stepper).values()) - {"?", None} == {"1"}  # only L's own gradient, 1
    dash.step()  # training redraws the point's graph at the same position
    assert dash.stepper.position == 0
    dash = TrainingDashboard(points=20, seed=0, hide_gradients=False)  # an explicit False wins
    assert dash.stepper.position == dash.stepper.total


# ---- 5. hide_gradients True and False draw different steppers --------------------------------------------


def test_hide_gradients_false_starts_with_every_gradient_shown(abc):
    a, b, c, x, y, f = abc
    shown = BackwardStepper(f, hide_gradients=False)
    hidden = BackwardStepper(f, hide_gradients=True)
    assert shown.position == shown.total and hidden.position == 0
    assert grad_texts(shown) == {"a": "7", "b": "9", "c": "2", "x": "7", "y": "2", "f": "1"}
    assert set(grad_texts(hidden).values()) == {"?", "1"}
    shown.reset()  # and it can still be stepped through
    assert grad_texts(shown) == grad_texts(hidden)


def test_unset_hide_gradients_starts_at_step_0_as_lessons_expect(abc):
    *_, f = abc
    assert BackwardStepper(f).position == 0
    configure(hide_gradients=False)
    s = BackwardStepper(f)
    assert s.position == s.total
    assert BackwardStepper(f, hide_gradients=True).position == 0  # an explicit True wins


def test_a_quiz_starts_at_step_0_even_with_gradients_shown(abc):
    *_, f = abc
    s = BackwardStepper(f, quiz=True, hide_gradients=False)
    assert s.position == 0


# ---- 6. a clean screen at each question ------------------------------------------------------------------


def test_back_clears_the_later_steps_question(abc):
    *_, f = abc
    s = BackwardStepper(f, quiz=True)
    s.step()
    assert "Step 1" in s.question.value
    s.reveal_button.click()  # step 1 taken without answering
    assert s.position == 1
    s.step()
    assert "Step 2" in s.question.value
    s.back_button.click()
    assert s.position == 0
    assert s.question.value == "" and s.feedback.value == ""
    s.step()
    assert "Step 1" in s.question.value
    assert not s.answer(12345.0)
    assert "✘" in s.feedback.value
    s.reset()
    assert s.question.value == "" and s.feedback.value == ""


# ---- the Explorer's other modes respect quiz and hide_gradients -----------------------------------------


@pytest.mark.parametrize("setting", [{"hide_gradients": True}, {"quiz": True}])
def test_the_gradient_check_shows_only_the_gradients_walked_to(setting):
    e = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4, **setting)
    e.mode.value = "check"
    assert "?" in e.check_report.value and ">7<" not in e.check_report.value and ">9<" not in e.check_report.value
    e.stepper.goto(e.stepper.total)
    e.check_button.click()
    assert (
        ">7<" in e.check_report.value
        and ">9<" in e.check_report.value
        and "step the backward" not in e.check_report.value
    )


def test_the_gradient_check_shows_everything_by_default():
    e = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)
    e.mode.value = "check"
    assert ">7<" in e.check_report.value and "step the backward" not in e.check_report.value


@pytest.mark.parametrize("setting", [{"hide_gradients": True}, {"quiz": True}])
def test_a_forward_pass_hides_the_gradient_not_yet_walked_to(setting):
    e = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4, **setting)
    e.mode.value = "forward"
    derivatives = e.forward_pass("a")
    assert derivatives[e.root] == 7.0  # the value is computed; the widget does not show it
    assert e.forward_stepper.view.texts(e.root)["grad"] == "?"
    assert "= ?" in e.forward_report.value and "= 7" not in e.forward_report.value
    e.stepper.goto(e.stepper.total)
    e.forward_pass("a")
    assert e.forward_stepper.view.texts(e.root)["grad"] == "7" and "= 7" in e.forward_report.value


def test_a_forward_pass_shows_the_gradient_by_default():
    e = Explorer("(a+b)*(b+c)", a=-1, b=3, c=4)
    e.mode.value = "forward"
    e.forward_pass("a")
    assert e.forward_stepper.view.texts(e.root)["grad"] == "7" and "= 7" in e.forward_report.value


def test_a_with_options_block_sets_defaults_for_its_widgets_only_and_leaves_nothing_behind(abc):
    from backprop_widgets.widgets.options import configured, in_assessment, options

    *_, f = abc
    configure(hide=("back",))
    with options(quiz=True):
        assert BackwardStepper(f).quiz
        configure(assessment=True)  # a notebook's cell run inside the block: the block's own
        assert in_assessment() and configured()["hide"] == ("back",)
        with options(reset=True):
            assert configured() == {**configured(), "quiz": False, "assessment": False, "hide": ()}
        assert in_assessment()
    assert configured()["quiz"] is False and not in_assessment() and configured()["hide"] == ("back",)
    assert not BackwardStepper(f).quiz
    with pytest.raises(RuntimeError), options(quiz=True):
        raise RuntimeError("a test that fails inside the block")
    assert configured()["quiz"] is False
    with pytest.raises(TypeError, match="options: quiz must be True or False"), options(quiz="yes"):
        pass
