"""A network of scalar ``Value``s, with the names of the micrograd lecture: ``Neuron``, ``Layer``, ``MLP``.

Every node a neuron makes (its weights, its bias, the products, the sum, the
activation) is marked with the groups ``("layer 1", "neuron 3")``, so that a
picture can fold each neuron, or each layer, into one box.  Pure Python: no
numpy needed.

>>> net = MLP(2, [3, 1], seed=0)
>>> y = net([1.0, -2.0])
>>> len(net.parameters()), y.label
(13, 'y')
>>> from backprop_widgets.engine import group_of
>>> group_of(net.layers[0].neurons[2].w[0])
('layer 1', 'neuron 3')
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from ..engine import Value, group

__all__ = ["Neuron", "Layer", "MLP"]

ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear")


class Neuron:
    """One unit: ``activation(w · x + b)``, with a weight per input."""

    def __init__(
        self,
        n_inputs: int,
        *,
        activation: str = "tanh",
        rng: random.Random | None = None,
        name: str = "neuron",
        tag: str = "",
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, not {activation!r}")
        rng = rng or random.Random(0)
        self.name, self.activation, self.tag = name, activation, tag.rstrip(".")
        with group(name):
            self.w = [Value(rng.uniform(-1, 1), label=f"w{tag}{i}") for i in range(n_inputs)]
            self.b = Value(0.0, label=f"b{self.tag}")

    def __call__(self, x: Sequence) -> Value:
        with group(self.name):
            total = self.b
            for w, xi in zip(self.w, x, strict=True):
                total = total + w * xi
            total.label = f"z{self.tag}"  # the weighted sum, as the lectures call it
            if self.activation == "linear":
                return total
            out = getattr(total, self.activation)()
            out.label = f"h{self.tag}"
            return out

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)} inputs, {self.activation})"


class Layer:
    """A row of neurons, each seeing every input."""

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        *,
        activation: str = "tanh",
        rng: random.Random | None = None,
        name: str = "layer",
        number: int = 1,
    ) -> None:
        rng = rng or random.Random(0)
        self.name = name
        with group(name):
            self.neurons = [
                Neuron(n_inputs, activation=activation, rng=rng, name=f"neuron {j + 1}", tag=f"{number}.{j + 1}.")
                for j in range(n_outputs)
            ]

    def __call__(self, x: Sequence) -> list[Value]:
        with group(self.name):
            return [neuron(x) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return f"Layer({len(self.neurons)} neurons)"


class MLP:
    """Layers one after another: ``MLP(2, [4, 4, 1])`` is the 2-4-4-1 network.

    Hidden layers use ``activation`` (tanh, as in the micrograd lecture); the
    last layer uses ``output_activation``.  A one-neuron output is returned as
    one ``Value``, labelled ``y``.
    """

    def __init__(
        self,
        n_inputs: int,
        sizes: Sequence[int],
        *,
        activation: str = "tanh",
        output_activation: str = "tanh",
        seed: int = 0,
    ) -> None:
        rng = random.Random(seed)
        widths = [n_inputs, *sizes]
        self.layers = [
            Layer(
                widths[k],
                widths[k + 1],
                rng=rng,
                name=f"layer {k + 1}",
                number=k + 1,
                activation=output_activation if k == len(sizes) - 1 else activation,
            )
            for k in range(len(sizes))
        ]

    def __call__(self, x: Sequence):
        x = [xi if isinstance(xi, Value) else Value(float(xi), label=f"x{i}", constant=True) for i, xi in enumerate(x)]
        for layer in self.layers:
            x = layer(x)
        if len(x) == 1:
            x[0].label = "y"
            return x[0]
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        widths = [len(self.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in self.layers]
        return f"MLP({'-'.join(map(str, widths))})"
