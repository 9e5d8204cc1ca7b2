"""The stepper's panel reads like the worked example on the board: exact texts, so a regression shows."""

from backprop_widgets import BackwardStepper, Tensor, Value, parse
from backprop_widgets.widgets.walk import BackwardWalk


def walk_texts(root, **options):
    walk = BackwardWalk(root, **options)
    lines = [walk.explain()["rule"]]
    for _ in range(len(walk)):
        walk.step()
        text = walk.explain()
        lines.append(" | ".join(part for part in (text["local_text"], text["numbers_text"], text["sum"]) if part))
    return lines


def ab_bc():
    a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    x, y = a + b, b + c
    x.label, y.label = "x", "y"
    f = x * y
    f.label = "f"
    return f


def test_the_branch_walk_of_a_plus_b_times_b_plus_c():
    assert walk_texts(ab_bc()) == [
        "∂f/∂f = 1: the output's gradient with respect to itself. The backward pass starts here.",
        "local: ∂f/∂x = y = 7 | upstream × local = 1 × 7 = 7",
        "local: ∂f/∂y = x = 2 | upstream × local = 1 × 2 = 2",
        "local: ∂x/∂a = 1 | upstream × local = 7 × 1 = 7",
        "local: ∂x/∂b = 1 | upstream × local = 7 × 1 = 7 | b collects 2 contributions: x: 7 (so far)",
        "local: ∂y/∂b = 1 | upstream × local = 2 × 1 = 2 | b collects 2 contributions: x: 7 + y: 2 = 9",
        "local: ∂y/∂c = 1 | upstream × local = 2 × 1 = 2",
    ]


def test_four_x_plus_one_squared_names_its_nodes_by_what_they_compute_and_skips_constants():
    x = Value(1.0, label="x")
    g = (4 * x + 1) ** 2
    g.label = "g"
    assert walk_texts(g) == [
        "∂g/∂g = 1: the output's gradient with respect to itself. The backward pass starts here.",
        "local: ∂g/∂(4·x + 1) = 2·(4·x + 1) = 10 | upstream × local = 1 × 10 = 10",
        "local: ∂(4·x + 1)/∂(4·x) = 1 | upstream × local = 10 × 1 = 10",
        "local: ∂(4·x)/∂x = 4 | upstream × local = 10 × 4 = 40",
    ]
    assert len(BackwardWalk(g)) == 3 and len(BackwardWalk(g, walk_constants=True)) == 5


def test_the_sigmoid_tree():
    sigma = parse("1/(1+e^(-x))", x=1.0)
    sigma.label = "σ"
    assert walk_texts(sigma) == [
        "∂σ/∂σ = 1: the output's gradient with respect to itself. The backward pass starts here.",
        "local: ∂σ/∂(1 + e^(−x)) = −1/(1 + e^(−x))² = -0.5344 | upstream × local = 1 × -0.5344 = -0.5344",
        "local: ∂(1 + e^(−x))/∂(e^(−x)) = 1 | upstream × local = -0.5344 × 1 = -0.5344",
        "local: ∂(e^(−x))/∂(−x) = e^(−x)·ln e = 0.3679 | upstream × local = -0.5344 × 0.3679 = -0.1966",
        "local: ∂(−x)/∂x = -1 | upstream × local = -0.1966 × -1 = 0.1966",
    ]
    assert len(BackwardWalk(sigma, walk_constants=True)) == 7  # and 4 with the constants e, 1 and 1 skipped


def test_the_panel_labels_upstream_and_local_in_the_formula_and_writes_the_numbers_as_text():
    s = BackwardStepper(ab_bc())
    assert r"\frac{\partial f}{\partial f} = 1" in s.panel.value and "starts here" in s.numbers.value
    s.step()
    assert r"\underbrace{\frac{\partial f}{\partial f}}_{\text{upstream}}" in s.panel.value
    assert r"\underbrace{\frac{\partial f}{\partial x}}_{\text{local}}" in s.panel.value
    assert (
        "local: ∂f/∂x = y = 7" in s.numbers.value and "upstream × local = 1 × 7 = 7 = contribution" in s.numbers.value
    )
    for _ in range(4):
        s.step()
    assert r"\mathrel{+}=" in s.panel.value and "x: 7 + y: 2 = 9" in s.numbers.value


def test_tensor_steps_show_numbers_and_names_never_internal_ids():
    w = Tensor([[1.0, 2.0], [3.0, 4.0]], label="W")
    x = Tensor([[1.0, -1.0]], label="x", constant=True)
    z = x @ w
    loss = z.sigmoid().sum()
    loss.label = "L"
    lines = walk_texts(loss)
    assert lines[1:] == [
        "local: ∂L/∂σ(x @ W): contribution = upstream copied to every summand | upstream = 1; through the "
        "local rule, upstream copied to every summand = [[1, 1]] (1×2)",
        "local: ∂σ(x @ W)/∂(x @ W) = [[0.105, 0.105]] (1×2) | upstream × local = [[1, 1]] (1×2) × "
        "[[0.105, 0.105]] (1×2) = [[0.105, 0.105]] (1×2)",
        "local: ∂(x @ W)/∂W: contribution = xᵀ @ upstream | upstream = [[0.105, 0.105]] (1×2); through the "
        "local rule, xᵀ @ upstream = [[0.105, 0.105], [-0.105, -0.105]] (2×2)",
    ]
    assert not any(name.startswith("n") and name[1:].isdigit() for name in BackwardWalk(loss).names.values())


def test_a_big_array_is_summarised_with_its_shape_and_norm():
    import numpy

    from backprop_widgets.widgets.walk import _plain

    assert _plain(numpy.ones((4, 4))) == "4×4 [1, 1, 1, …], norm 4"
