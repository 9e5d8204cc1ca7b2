"""The Value API and the behaviour users of other engines trip over."""

import math
import subprocess
import sys
import warnings

import pytest

from backprop_widgets import NumericWarning, Value, backward_steps, forward_derivatives
from backprop_widgets.engine import topological_order


def test_e3_four_x_plus_one_squared_walked_backward():
    x = Value(1.0, label="x")
    four_x = 4 * x
    c = four_x + 1
    g = c**2
    assert (four_x.data, c.data, g.data) == (4.0, 5.0, 25.0)
    steps = list(backward_steps(g))
    # dg/de = 10 (e = 4x+1), de/dc = 1, dg/dc = 10, dc/db = 4, dg/dx = 40
    by_parent = {id(s.parent): s for s in steps}
    assert by_parent[id(c)].local_grad == 10.0 and by_parent[id(c)].contribution == 10.0
    assert by_parent[id(four_x)].local_grad == 1.0 and by_parent[id(four_x)].contribution == 10.0
    assert by_parent[id(x)].local_grad == 4.0 and by_parent[id(x)].contribution == 40.0
    assert x.grad == 40.0


def test_e3_negative_base_with_constant_exponent():
    x = Value(-1.0)
    g = (4 * x + 1) ** 2
    g.backward()
    assert g.data == 9.0
    assert x.grad == -24.0


def test_e5_product_sensitivity():
    x, y = Value(-2.0, label="x"), Value(3.0, label="y")
    f = x * y
    f.backward()
    assert (f.data, x.grad, y.grad) == (-6.0, 3.0, -2.0)


def test_e6_gradients_add_at_branches():
    a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    x = a + b
    y = b + c
    f = x * y
    f.backward()
    assert (x.data, y.data, f.data) == (2.0, 7.0, 14.0)
    assert (x.grad, y.grad) == (7.0, 2.0)
    assert (a.grad, b.grad, c.grad) == (7.0, 9.0, 2.0)
    into_b = [s.contribution for s in backward_steps(f) if s.parent is b]
    assert into_b == [7.0, 2.0]  # 7 + 2 = 9


def test_e7_forward_mode_needs_one_pass_per_input():
    a, b, c = Value(-1.0), Value(3.0), Value(4.0)
    f = (a + b) * (b + c)
    passes = [forward_derivatives(f, wrt=v)[f] for v in (a, b, c)]
    f.backward()
    assert passes == [a.grad, b.grad, c.grad] == [7.0, 9.0, 2.0]


def test_x_times_x_is_two_x():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_backward_twice_equals_once():
    a, b = Value(2.0), Value(-3.0)
    f = a * b + a.tanh() * a
    f.backward()
    first = (a.grad, b.grad)
    f.backward()
    assert (a.grad, b.grad) == first


def test_step_is_local_times_upstream_and_total_is_running_sum():
    a, b = Value(2.0), Value(5.0)
    f = (a * b) * a
    totals = {}
    for s in backward_steps(f):
        assert s.contribution == s.local_grad * s.upstream_grad
        totals[id(s.parent)] = totals.get(id(s.parent), 0.0) + s.contribution
        assert s.total == totals[id(s.parent)]
    assert a.grad == 2 * a.data * b.data


def test_long_chain_and_long_sum_do_not_recurse():
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    terms = [Value(float(i)) for i in range(3000)]
    total = sum(terms)
    total.backward()
    assert total.data == sum(range(3000))
    assert all(t.grad == 1.0 for t in terms)


PROGRAM = """
from backprop_widgets import Value
from backprop_widgets.engine import topological_order
a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
f = ((a + b) * (b + c)).tanh() + a.exp() / c
print([(n.label, n.op, n.data, tuple(topological_order(f).index(p) for p in n.parents))
       for n in topological_order(f)])
"""


def test_same_graph_same_order_in_every_process():
    runs = [
        subprocess.run(
            [sys.executable, "-c", PROGRAM],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
        ).stdout
        for seed in (1, 2)
    ]
    assert runs[0] == runs[1] and runs[0].startswith("[('a'")


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: Value(0.0).log(), -math.inf),
        (lambda: 1 / Value(0.0), math.inf),
        (lambda: Value(1000.0).exp(), math.inf),
        (lambda: Value(0.0) ** -1, math.inf),
        (lambda: Value(-1.0).log(), math.nan),
        (lambda: Value(-8.0) ** (1 / 3), math.nan),
        (lambda: Value(0.0) / 0, math.nan),
    ],
)
def test_bad_numbers_warn_instead_of_raising(make, expected):
    with pytest.warns(NumericWarning):
        out = make()
    if math.isnan(expected):
        assert math.isnan(out.data)
    else:
        assert out.data == expected
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericWarning)
        (out * 2).backward()  # does not crash


def test_number_on_either_side_and_powers():
    x = Value(2.0)
    assert (3 - x).data == 1.0 and (x - 3).data == -1.0
    assert (1 / x).data == 0.5 and (x / 4).data == 0.5
    z = 2**x
    z.backward()
    assert z.data == 4.0 and math.isclose(x.grad, 4 * math.log(2))
    y = Value(3.0)
    w = x**y
    w.backward()
    assert w.data == 8.0 and x.grad == 12.0 and math.isclose(y.grad, 8 * math.log(2))
    assert (-x).data == -2.0 and abs(Value(-2.5)).data == 2.5


def test_graph_fields_and_labels():
    x = Value(1.0, label="x")
    y = x * 2
    assert y.op == "mul" and y.parents[0] is x and isinstance(y.parents, tuple)
    assert y.parents[1].constant and y.parents[1].data == 2.0
    y.label = "y"
    assert y.label == "y"
    assert topological_order(y)[-1] is y


def test_repr_has_no_address():
    x = Value(1.5, label="x")
    assert repr(x) == "Value(data=1.5, grad=0, label='x')"
    assert "0x" not in repr(x * x)


def test_bad_operands_give_clear_errors():
    with pytest.raises(TypeError, match="real number"):
        Value("3")
    with pytest.raises(TypeError, match="number or a Value"):
        Value(1.0) + "2"


def test_activations():
    z = Value(0.0)
    assert z.sigmoid().data == 0.5 and z.tanh().data == 0.0 and z.relu().data == 0.0
    s = Value(1.0).sigmoid()
    x = s.parents[0]
    s.backward()
    assert s.data == 0.7310585786300049 and x.grad == 0.19661193324148185
    lr = Value(-2.0).leaky_relu(0.1)
    lr.backward()
    assert lr.data == -0.2 and lr.parents[0].grad == 0.1
