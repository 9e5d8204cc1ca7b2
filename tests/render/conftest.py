"""Fixtures: the graphs the render tests draw."""

import pytest

from .render_graphs import make_ab_bc, make_e3


@pytest.fixture
def ab_bc():
    return make_ab_bc()


@pytest.fixture
def e3():
    return make_e3()
