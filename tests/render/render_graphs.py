"""Graphs the render tests draw (a module, so that a subprocess can build them too)."""

from backprop_widgets import Value


def make_ab_bc():
    """E6: f = (a + b)(b + c) at a = -1, b = 3, c = 4, after backward()."""
    a, b, c = Value(-1.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    x = a + b
    x.label = "x"
    y = b + c
    y.label = "y"
    f = x * y
    f.label = "f"
    f.backward()
    return f, (a, b, c, x, y)


def make_e3():
    """E3: g = (4x + 1)^2 at x = 1, after backward()."""
    x = Value(1.0, label="x")
    g = (4 * x + 1) ** 2
    g.label = "g"
    g.backward()
    return g, x


def random_graph(seed: int, size: int):
    """A random graph of about ``size`` nodes: a DAG of + × tanh σ over a few inputs, or a scalar MLP.

    Even seeds give DAGs, odd seeds MLPs on one point (their widths chosen to land near ``size``).
    """
    import random

    rng = random.Random(seed)
    if seed % 2 == 0:
        nodes = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(rng.randint(2, 5))]
        while len(nodes) < size:  # each node feeds the next, so every one reaches the output
            a, b = nodes[-1], rng.choice(nodes[:3] + nodes[-8:])  # edges back to the inputs or nearby
            kind = rng.choice("+*ts")
            nodes.append(a + b if kind == "+" else a * b if kind == "*" else a.tanh() if kind == "t" else a.sigmoid())
        return nodes[-1]
    width = 2
    while 3 * width * width + 13 * width + 4 < size:  # nodes of a 2-width-width-1 MLP
        width += 1
    sizes = [2, width, width, 1]
    x = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(sizes[0])]
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:], strict=False)):
        out = []
        for j in range(n_out):
            total = Value(0.0, label=f"b{layer}{j}")
            for i in range(n_in):
                total = total + Value(rng.uniform(-1, 1), label=f"w{layer}{j}{i}") * x[i]
            out.append(total.tanh())
        x = out
    return x[0]
