"""BackwardWalk: the stepper's state, without any widget."""

from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_widgets import Value
from backprop_widgets.engine import evaluate
from backprop_widgets.parse import parse, variables
from backprop_widgets.widgets import BackwardWalk


def test_positions_and_known_gradients(abc):
    a, b, c, x, y, f = abc
    walk = BackwardWalk(f)
    assert len(walk) == 6 and walk.position == 0
    assert walk.grads()[f] == 1.0 and walk.grads()[a] is None
    walk.goto(2)
    assert walk.grads()[x] == 7.0 and walk.grads()[y] == 2.0 and walk.grads()[b] is None
    walk.goto(4)
    state = walk.grad_state(b)
    assert state.value == 7.0 and not state.complete and state.expected == 2
    walk.step()
    assert walk.grad_state(b).complete and walk.running_sum(b) == "x: 7 + y: 2 = 9"
    walk.goto(99)
    assert walk.done and walk.grads() == {n: n.grad for n in walk.order}
    walk.goto(-5)
    assert walk.position == 0


def test_explain_e3_step_as_formula_and_numbers():
    x = Value(1.0, label="x")
    c = 4 * x + 1
    c.label = "e"
    g = c**2
    g.label = "g"
    walk = BackwardWalk(g)
    walk.step()
    text = walk.explain()
    assert r"\frac{\partial g}{\partial e}" in text["formula"]
    assert text["numbers"] == r"1 \times 10 = 10"
    assert "n·aⁿ⁻¹" in text["rule"]
    walk.run()
    assert walk.current.parent is x and walk.explain()["numbers"] == r"10 \times 4 = 40"


def test_explain_running_sum_at_a_branch(abc):
    a, b, c, x, y, f = abc
    walk = BackwardWalk(f)
    walk.goto(4)
    assert walk.explain()["sum"] == "b collects 2 contributions: x: 7 (so far)"
    walk.goto(5)
    assert walk.explain()["sum"] == "b collects 2 contributions: x: 7 + y: 2 = 9"
    assert r"\mathrel{+}=" in walk.explain()["formula"]


def test_repr():
    walk = BackwardWalk(Value(2.0) * 3)  # the constant 3 gets no step
    walk.step()
    assert repr(walk) == "BackwardWalk(step 1 of 1)"
    assert len(BackwardWalk(Value(2.0) * 3, walk_constants=True)) == 2


FORMULAS = ["(a + b)*(b + c)", "max(a, b)*a + tanh(a*b)", "a*a*a + 2*a/b", "e^(-a) + 1/(1 + e^(-b*c))"]


def _same_step(one, other) -> bool:
    fields = ("node", "parent", "index")
    numbers = ("local_grad", "upstream_grad", "contribution", "total")
    return all(getattr(one, f) is getattr(other, f) for f in fields) and all(
        float(getattr(one, f)) == float(getattr(other, f)) for f in numbers
    )


def _same_at(lazy, made, position: int) -> None:
    """The walk that makes its steps when asked shows what the walk with every step made shows."""
    lazy.goto(position)
    made.goto(position)
    assert len(lazy) == len(made) and lazy.done == made.done and lazy.edges_done == made.edges_done
    assert lazy.grads() == made.grads()
    if position:
        assert _same_step(lazy.current, made.current)
    else:
        assert lazy.current is None and made.current is None
    assert lazy.explain() == made.explain() and lazy.spoken() == made.spoken()
    for node in made.order:
        assert lazy.grad_state(node) == made.grad_state(node)


@given(
    formula=st.sampled_from(FORMULAS),
    values=st.tuples(*[st.floats(0.25, 3.0) for _ in range(3)]),
    moved=st.floats(-3.0, 3.0).filter(lambda v: abs(v) > 0.1),
    walk_constants=st.booleans(),
)
@settings(max_examples=30, deadline=None)
def test_steps_made_when_asked_show_the_same_as_every_step_made(formula, values, moved, walk_constants):
    root = parse(formula, a=values[0], b=values[1], c=values[2])
    made = BackwardWalk(root, walk_constants=walk_constants)
    assert made.steps  # every step made now, as a folded or tensor walk makes them
    for position in (0, len(made)):  # the positions a slider move shows, with no step made
        _same_at(BackwardWalk(root, walk_constants=walk_constants), made, position)
    _same_at(BackwardWalk(root, walk_constants=walk_constants), made, len(made) // 2)  # between: made when asked
    # a rebuild after a slider move reuses the walk's shape and gives the new numbers
    lazy = BackwardWalk(root, walk_constants=walk_constants)
    variables(root)["a"].data = moved
    evaluate(root)
    again = BackwardWalk(root, names=lazy.names, order=lazy.order, walk_constants=walk_constants, like=lazy)
    assert again._links is lazy._links  # the shape, not walked again
    fresh = BackwardWalk(root, walk_constants=walk_constants)
    assert fresh.steps
    for position in (len(fresh), 0, 1):
        _same_at(again, fresh, position)
