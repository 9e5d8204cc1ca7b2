"""Every row of the scalar op table: its local gradients against central differences.

The test is parametrised over the table itself, so an op is tested the day it is added.
"""

import inspect
import itertools
import math
import warnings

import pytest

from backprop_widgets.engine import SCALAR_OPS

from ..numerical import difference_quotient

# Constants for the ops that take them.  A new op with a constant must be given one here.
PARAMS = {
    "pow": [{"n": 2.0}, {"n": 3.0}, {"n": -1.0}, {"n": 0.5}, {"n": 0.0}],
    "leaky_relu": [{"slope": 0.01}, {"slope": 0.2}],
}
POINTS = [-1.7, -0.6, 0.3, 0.9, 2.2]  # away from kinks at 0
H = 1e-6


def cases():
    for name, op in SCALAR_OPS.items():
        constants = [p for p in inspect.signature(op.forward).parameters][op.arity :]
        params_list = PARAMS.get(name, [{}])
        for params in params_list:
            missing = set(constants) - set(params)
            assert not missing, f"op {name!r} takes {missing}: add example values to PARAMS"
            for xs in itertools.product(POINTS, repeat=op.arity):
                yield pytest.param(name, xs, params, id=f"{name}-{params}-{xs}")


@pytest.mark.parametrize("name, xs, params", list(cases()))
def test_local_gradients_match_central_differences(name, xs, params):
    op = SCALAR_OPS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = op.forward(*xs, **params)
        if not math.isfinite(out):
            pytest.skip("outside the op's domain (nan or inf), checked elsewhere")
        local = op.local(*xs, out=out, **params)
    assert len(local) == op.arity
    for i in range(op.arity):
        numeric = difference_quotient(lambda v, i=i: op.forward(*xs[:i], v, *xs[i + 1 :], **params), xs[i], H)
        assert math.isclose(local[i], numeric, rel_tol=1e-6, abs_tol=1e-7), (
            f"{name}{xs} input {i}: table says {local[i]}, finite differences {numeric}"
        )


@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
def test_every_op_has_a_symbol_and_a_rule(name):
    op = SCALAR_OPS[name]
    assert op.name == name
    assert op.symbol and op.rule
    assert "∂" in op.rule


def test_title_fills_in_constants():
    assert SCALAR_OPS["pow"].title({"n": 2.0}) == "^2"
    assert SCALAR_OPS["mul"].title() == "×"
