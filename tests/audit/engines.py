"""Student engines for the audit tests: the micrograd lecture's Value, right, and with one catalogue bug each."""

from __future__ import annotations

import collections
import math

BUGS = ("overwrites", "forgets_upstream", "too_early", "wrong_local", "recursion")


def make_engine(bug: str | None = None) -> type:
    """The lecture's Value class (add, mul, sub, neg, pow, tanh, exp, relu, constants on both sides), with ``bug``."""

    def add_to(node, amount):
        if bug == "overwrites":
            node.grad = amount
        else:
            node.grad += amount

    def upstream(out):
        return 1.0 if bug == "forgets_upstream" else out.grad

    class Value:
        def __init__(self, data, _children=(), _op="", label=""):
            self.data = data
            self.grad = 0.0
            self._backward = lambda: None
            self._prev = set(_children)
            self._op = _op
            self.label = label

        def __repr__(self):
            return f"Value(data={self.data})"

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other), "+")

            def _backward():
                add_to(self, 1.0 * upstream(out))
                add_to(other, 1.0 * upstream(out))

            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other), "*")

            def _backward():
                add_to(self, other.data * upstream(out))
                add_to(other, self.data * upstream(out))

            out._backward = _backward
            return out

        def __pow__(self, k):
            out = Value(self.data**k, (self,), f"**{k}")

            def _backward():
                add_to(self, k * self.data ** (k - 1) * upstream(out))

            out._backward = _backward
            return out

        def tanh(self):
            t = math.tanh(self.data)
            out = Value(t, (self,), "tanh")

            def _backward():
                local = (1 - t) if bug == "wrong_local" else (1 - t**2)
                add_to(self, local * upstream(out))

            out._backward = _backward
            return out

        def exp(self):
            out = Value(math.exp(self.data), (self,), "exp")

            def _backward():
                add_to(self, out.data * upstream(out))

            out._backward = _backward
            return out

        def relu(self):
            out = Value(self.data if self.data > 0 else 0.0, (self,), "ReLU")

            def _backward():
                add_to(self, (out.data > 0) * upstream(out))

            out._backward = _backward
            return out

        def __neg__(self):
            return self * -1

        def __radd__(self, other):
            return self + other

        def __sub__(self, other):
            return self + (-other)

        def __rsub__(self, other):
            return other + (-self)

        def __rmul__(self, other):
            return self * other

        def backward(self):
            if bug == "too_early":  # each node as soon as it is reached, breadth first: no topological order
                self.grad = 1.0
                seen, queue = {self}, collections.deque([self])
                while queue:
                    v = queue.popleft()
                    v._backward()
                    for child in v._prev:
                        if child not in seen:
                            seen.add(child)
                            queue.append(child)
                return
            topo, visited = [], set()
            if bug == "recursion":

                def build(v):
                    if v not in visited:
                        visited.add(v)
                        for child in v._prev:
                            build(child)
                        topo.append(v)

                build(self)
            else:  # a loop and a stack: no recursion limit
                stack = [(self, False)]
                while stack:
                    v, done = stack.pop()
                    if done:
                        topo.append(v)
                    elif v not in visited:
                        visited.add(v)
                        stack.append((v, True))
                        stack.extend((c, False) for c in v._prev)
            self.grad = 1.0
            for v in reversed(topo):
                v._backward()

    Value.__name__ = Value.__qualname__ = "Value" if bug is None else f"Value_{bug}"
    return Value
