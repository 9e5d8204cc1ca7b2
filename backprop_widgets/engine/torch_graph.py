"""A PyTorch backward graph as a kit graph: each ``grad_fn`` one node, each contribution PyTorch's own number.

``torch_graph(loss)`` follows PyTorch's own backward graph from ``loss.grad_fn``
through ``next_functions`` to the ``AccumulateGrad`` leaves (the tensors that
require grad) and mirrors it into ``TorchNode``s, the kit's kind of node, so
``draw``, ``BackwardStepper`` and ``PathView`` take a torch loss as they take a
``Tensor``.  A node's local gradient is a ``TorchVJP``: applied to an upstream
gradient it calls the ``grad_fn`` itself (under ``torch.no_grad()``, so no
graph of the backward pass is built), so every contribution a stepper shows is
the number PyTorch computes in ``loss.backward()``.

Stepping keeps the graph, with retain-graph semantics: calling a ``grad_fn``
directly runs its backward formula and never frees its saved tensors (only
PyTorch's engine does that, after ``backward()`` without ``retain_graph``), runs
no hooks and touches no ``.grad``; ``AccumulateGrad`` nodes are never called.
So ``loss.backward()`` afterwards works and gives the same ``.grad``.  Nothing
here changes PyTorch's global state: grad mode is switched off only inside the
call, and no hook is registered.

PyTorch stays optional: this module imports torch only when a torch tensor
arrives (``is_torch`` reads the type's module name, importing nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any, ClassVar

import numpy as np

from .groups import group, tag
from .ops import ATOM, PRODUCT, SUM, LocalGrad, Op, format_number
from .tensor import Tensor

__all__ = [
    "TorchNode",
    "TorchVJP",
    "TorchGraphError",
    "torch_graph",
    "is_torch",
    "TORCH_WORDS",
    "TORCH_MISSING",
    "NotKept",
]

TORCH_MISSING = (
    "this is a PyTorch object, and PyTorch is not installed here: "
    "pip install 'backprop_widgets[torch]' (or pip install torch) and restart the kernel."
)

# What the common nodes are called in PyTorch's graph, what a picture writes in their circle, and the
# words a student needs: grad_fn name -> (symbol, words).  A node not listed still steps, by its name.
# fmt: off
TORCH_WORDS: dict[str, tuple[str, str]] = {
    "AddmmBackward0":       ("@ +",      "matmul + add: bias + x @ Wᵀ, as nn.Linear computes it"),
    "MmBackward0":          ("@",        "matmul: a @ b"),
    "MvBackward0":          ("@",        "matrix × vector: W @ x"),
    "BmmBackward0":         ("@",        "batched matmul"),
    "DotBackward0":         ("·",        "dot product"),
    "AddBackward0":         ("+",        "add"),
    "AddBackward1":         ("+",        "add a number"),
    "SubBackward0":         ("−",        "subtract"),
    "RsubBackward1":        ("−",        "a number minus a tensor"),
    "MulBackward0":         ("×",        "multiply, entry by entry"),
    "MulBackward1":         ("×",        "multiply by a number"),
    "DivBackward0":         ("÷",        "divide, entry by entry"),
    "DivBackward1":         ("÷",        "divide by a number"),
    "NegBackward0":         ("−",        "negate"),
    "PowBackward0":         ("pow",      "power with a constant exponent"),
    "PowBackward1":         ("^",        "power with a tensor exponent"),
    "ExpBackward0":         ("exp",      "exponential"),
    "LogBackward0":         ("log",      "natural logarithm"),
    "TanhBackward0":        ("tanh",     "tanh"),
    "SigmoidBackward0":     ("σ",        "sigmoid"),
    "ReluBackward0":        ("relu",     "relu: passes the gradient where the output is positive"),
    "LeakyReluBackward0":   ("lrelu",    "leaky relu"),
    "GeluBackward0":        ("gelu",     "gelu"),
    "TBackward0":           ("ᵀ",        "transpose (nn.Linear's Wᵀ)"),
    "TransposeBackward0":   ("ᵀ",        "transpose two axes"),
    "PermuteBackward0":     ("perm",     "reorder the axes"),
    "ViewBackward0":        ("view",     "reshape (a view): the gradient is reshaped back"),
    "ReshapeAliasBackward0": ("reshape", "reshape: the gradient is reshaped back"),
    "UnsafeViewBackward0":  ("view",     "reshape: the gradient is reshaped back"),
    "ExpandBackward0":      ("bcast",    "broadcast: the gradient is summed back"),
    "SqueezeBackward0":     ("squeeze",  "drop an axis of length 1"),
    "SqueezeBackward1":     ("squeeze",  "drop an axis of length 1"),
    "UnsqueezeBackward0":   ("unsqz",    "add an axis of length 1"),
    "CloneBackward0":       ("copy",     "copy"),
    "SumBackward0":         ("Σ",        "sum of every entry: each entry gets the upstream gradient"),
    "SumBackward1":         ("Σ",        "sum along an axis"),
    "MeanBackward0":        ("mean",     "mean of every entry: each entry gets upstream / n"),
    "MeanBackward1":        ("mean",     "mean along an axis"),
    "SelectBackward0":      ("[i]",      "pick one index"),
    "IndexBackward0":       ("[idx]",    "pick entries by index"),
    "SliceBackward0":       ("[:]",      "a slice"),
    "CatBackward0":         ("cat",      "concatenate"),
    "StackBackward0":       ("stack",    "stack"),
    "SplitBackward0":       ("split",    "split into pieces"),
    "SplitWithSizesBackward0": ("split", "split into pieces of given sizes"),
    "UnbindBackward0":      ("unbind",   "split into slices"),
    "SoftmaxBackward0":     ("softmax",  "softmax"),
    "LogSoftmaxBackward0":  ("logsm",    "log-softmax: logits minus their log-sum-exp"),
    "NllLossBackward0":     ("nll",      "negative log-likelihood: minus the mean log-probability of the targets"),
    "MseLossBackward0":     ("mse",      "mean squared error"),
    "BinaryCrossEntropyWithLogitsBackward0": ("bce", "binary cross-entropy on logits"),
    "ConvolutionBackward0": ("conv",     "convolution (with its bias)"),
    "MaxPool2DWithIndicesBackward0": ("max", "max pooling: the gradient goes to each window's largest entry"),
    "AvgPool2DBackward0":   ("avg",      "average pooling"),
    "NativeBatchNormBackward0": ("bn",   "batch normalization"),
    "NativeLayerNormBackward0": ("ln",   "layer normalization"),
    "NativeDropoutBackward0": ("drop",   "dropout: the gradient passes where the entry was kept, scaled"),
}
# fmt: on

# The saved tensors that explain each node's local gradient, by the input they are (PyTorch's names
# without ``_saved_``): where a node's output is not kept by PyTorch, its consumer's saved input is it.
SAVED_INPUTS: dict[str, dict[str, int]] = {
    "AddmmBackward0": {"mat1": 1, "mat2": 2},
    "MmBackward0": {"self": 0, "mat2": 1},
    "MvBackward0": {"self": 0, "vec": 1},
    "BmmBackward0": {"self": 0, "mat2": 1},
    "ConvolutionBackward0": {"input": 0, "weight": 1},
    "MaxPool2DWithIndicesBackward0": {"self": 0},
    "NllLossBackward0": {"self": 0},
    "MseLossBackward0": {"self": 0, "target": 1},
    "BinaryCrossEntropyWithLogitsBackward0": {"self": 0, "target": 1},
}
GENERIC_INPUTS = {"self": 0, "other": 1}  # most of PyTorch's ops call their inputs so

INFIX = {"+": SUM, "−": SUM, "×": PRODUCT, "÷": PRODUCT, "@": PRODUCT}  # how tightly each operator holds

FREED = (
    "the graph of this loss was freed by backward() (PyTorch frees its saved tensors after a backward pass): "
    "call loss.backward(retain_graph=True) to keep it, or compute the loss again."
)


class TorchGraphError(ValueError):
    """Why a torch tensor cannot be stepped, in one sentence (no traceback in Jupyter)."""

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of the traceback
        return [f"{type(self).__name__}: {self}"]


def is_torch(obj: Any) -> bool:
    """Is ``obj`` a PyTorch object (a tensor, a parameter, a module)?  Read from its type, importing nothing.

    >>> is_torch(3.0), is_torch([1, 2])
    (False, False)
    """
    return type(obj).__module__.split(".")[0] == "torch"


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise TorchGraphError(TORCH_MISSING) from None
    return torch


def _numpy(t: Any) -> np.ndarray:
    """A torch tensor's numbers as a float64 array of the kit's own (never sharing torch's memory)."""
    return np.array(t.detach().cpu().numpy(), dtype=np.float64)


class NotKept(np.ndarray):
    """The value of a node PyTorch did not keep (the backward pass needs only its shape): zeros, drawn as
    ``4×2 (not kept)``, so that a picture never shows a number PyTorch does not have."""

    not_kept = True


def _brief(x: np.ndarray, entries: int = 3) -> str:
    """An array as the pictures write one (render's ``value_text``, which the engine does not import)."""
    if x.ndim == 0:
        return format_number(float(x))
    shown = ", ".join(format_number(float(v)) for v in x.ravel()[:entries])
    return "×".join(map(str, x.shape)) + f" [{shown}{', …' if x.size > entries else ''}]"


def _not_kept(shape: tuple) -> np.ndarray:
    return np.zeros(shape).view(NotKept)


class TorchVJP(LocalGrad):
    """One input's local gradient at a PyTorch node: PyTorch's own backward of that node, waiting for its
    upstream gradient.  ``vjp * upstream`` calls the ``grad_fn`` and gives this input's contribution.
    ``factor`` is None (a Jacobian never formed); ``rule`` names the call; ``text`` adds the saved
    tensors that the local gradient is made of."""

    __slots__ = ("node", "index")
    factor = None  # type: ignore[assignment]  # a Jacobian never formed

    def __init__(self, node: TorchNode, index: int) -> None:
        self.node = node
        self.index = index

    @property
    def rule(self) -> str:
        return f"{self.node.op}(upstream)"

    @property
    def text(self) -> str:
        summed = self.node.summed.get(self.index)
        rule = f"{self.rule}, summed to {summed}" if summed else self.rule  # as PyTorch's engine sums it
        saved = self.node.saved_text()
        return f"{rule}, saved {saved}" if saved else rule

    def __mul__(self, upstream: Any) -> Any:
        return self.node.contributions(upstream)[self.index]

    def jvp(self, tangent: Any) -> Any:
        raise TorchGraphError("forward mode is not offered on a PyTorch graph: PyTorch's nodes hold backward rules.")

    def __repr__(self) -> str:
        return f"TorchVJP({self.text})"


class TorchNode(Tensor):
    """A mirror of one node of PyTorch's backward graph: its shapes and the numbers PyTorch keeps.

    ``student`` is the user's own object: the tensor for a leaf (a parameter, an
    input that requires grad), the ``grad_fn`` for an inner node.  ``fn`` and
    ``slot`` are the ``grad_fn`` and which of its outputs this node is (an op
    with several outputs, such as ``split``, is one node per output).
    ``saved`` holds the saved tensors that explain its local gradient.
    """

    __slots__ = ("student", "fn", "slot", "saved", "summed", "_memo")
    ops: ClassVar[dict] = {}  # filled as names are met: one row per grad_fn name (see _row)
    student: Any
    fn: Any
    slot: int
    saved: dict
    summed: dict  # input index -> its shape, where the grad_fn's output is summed back to it (a broadcast)
    _memo: tuple | None  # the last upstream gradient and what the grad_fn sent for it

    def local_grads(self) -> tuple:
        return tuple(TorchVJP(self, i) for i in range(len(self.parents)))

    def vjp(self, local_grads: tuple | None = None) -> Callable[[int, Any], Any]:
        return lambda index, upstream: self.contributions(upstream)[index]

    def vjp_args(self) -> list:
        return []  # nothing: PyTorch's grad_fn makes the contributions from the numbers it saved

    def contribution(self, index: int, upstream: Any, args: Any) -> Any:
        return self.contributions(upstream)[index]

    def contributions(self, upstream: Any) -> tuple:
        """What PyTorch's ``grad_fn`` sends each input for this upstream gradient (one call per upstream)."""
        memo = self._memo
        if memo is not None and memo[0] is upstream:
            return memo[1]
        torch = _torch()
        meta = self.fn._input_metadata
        custom = not callable(self.fn)  # a custom autograd.Function's node: its ctx.apply calls backward
        grads: list = [
            torch.zeros(tuple(m.shape), dtype=m.dtype) if custom else None for m in meta
        ]  # only this node's output carries an upstream gradient
        grads[self.slot] = torch.as_tensor(np.asarray(upstream), dtype=meta[self.slot].dtype)
        try:
            with torch.no_grad():  # no graph of the backward pass (grad mode is put back after)
                out = self.fn.apply(*grads) if custom else self.fn(*grads)
        except RuntimeError as error:
            if "freed" in str(error) or "second time" in str(error):
                raise TorchGraphError(FREED) from None
            raise
        out = out if isinstance(out, tuple) else (out,)
        if custom and len(out) != len(self.fn.next_functions):  # one per forward input: keep the tensors'
            out = tuple(g for g, needs in zip(out, self.fn.needs_input_grad, strict=False) if needs)
        wanted = [k for k, (next_fn, _) in enumerate(self.fn.next_functions) if next_fn is not None]
        for i, (k, parent) in enumerate(zip(wanted, self.parents, strict=True)):
            if k < len(out) and out[k] is not None and tuple(out[k].shape) != parent.data.shape:
                self.summed[i] = parent.data.shape
        result = tuple(
            _numpy(_as_engine_does(out[k], parent.data.shape))
            if k < len(out) and out[k] is not None
            # no gradient from this node to that input (PyTorch's undefined gradient): zero
            else np.zeros(parent.data.shape)
            for k, parent in zip(wanted, self.parents, strict=True)
        )
        self._memo = (upstream, result)
        return result

    def saved_text(self) -> str:
        """The saved tensors in the kit's tensor style: ``mat1 = 4×5 [0, 0.02619, 1.3, …]``."""
        return ", ".join(f"{name} = {_brief(value)}" for name, value in self.saved.items())

    def recompute(self) -> None:
        raise TorchGraphError("a PyTorch graph is not recomputed by the kit: run the model again.")

    def push_forward(self, tangents: list) -> Any:
        raise TorchGraphError("forward mode is not offered on a PyTorch graph: PyTorch's nodes hold backward rules.")

    def one(self) -> np.ndarray:
        return np.ones(self.data.shape)  # as loss.backward() starts: ones of the loss's shape

    def __repr__(self) -> str:
        what = self.label or self.op or "leaf"
        return f"TorchNode({what}, shape={self.data.shape})"


def _as_engine_does(grad: Any, shape: tuple) -> Any:
    """What PyTorch's engine makes of a node's output before passing it on (its ``validate_outputs``):
    a gradient of a broadcast input (a Linear's bias in ``addmm``) summed back to the input's shape."""
    return grad if tuple(grad.shape) == shape else grad.sum_to_size(shape)


def _row(name: str) -> Op:
    """The op row of a ``grad_fn`` name: its symbol and words (a name the kit does not know: the name itself)."""
    row = TorchNode.ops.get(name)
    if row is None:
        symbol, words = TORCH_WORDS.get(name, (name.removesuffix("Backward0").removesuffix("Backward")[:8], ""))
        rule = (
            f"{name}: {words}. The contribution is PyTorch's own: its {name} called with the upstream gradient."
            if words
            else f"{name}: a node the kit has no words for (a custom autograd.Function, or a rarer op); "
            "its numbers are PyTorch's own."
        )
        binds = INFIX.get(symbol)  # an operator: the stepper names its node a + b, as the kit's own
        infix = (f" {symbol} ", f" {symbol} ") if binds is not None else None
        row = Op(name, symbol, _no_forward, (), rule, infix=infix, binds=binds if binds is not None else ATOM)
        TorchNode.ops[name] = row
    return row


def _no_forward(*inputs: Any, **params: Any) -> Any:
    raise TorchGraphError("a PyTorch graph is not recomputed by the kit: run the model again.")


def torch_graph(loss: Any, *, model: Any = None) -> TorchNode:
    """The backward graph of the torch tensor ``loss`` as kit nodes (see the module's docstring).

    ``model`` (a ``torch.nn.Module``) names its parameters as the model does
    (``0.weight``, ``fc2.bias``) and groups the nodes that read them by module,
    so a network folds into its layers (``0 (Linear)``, ``1 (ReLU)``: a module
    without parameters is placed by the module tree, see ``_group_by_module``).  Refused, each in a sentence: a tensor without ``grad_fn``, a graph
    freed by ``backward()``, complex or sparse tensors, and double backward
    (a graph holding PyTorch's ``...BackwardBackward`` nodes; a gradient built
    of ordinary ops with ``create_graph=True`` is stepped as the function it is).
    """
    torch = _torch()
    if not isinstance(loss, torch.Tensor):
        raise TorchGraphError(f"this takes a torch tensor (a loss with a grad_fn), not a {type(loss).__name__}")
    _check_tensor(loss, "the loss")
    if loss.grad_fn is None:
        why = (
            "it is a leaf (a tensor you made, with requires_grad=True): nothing was computed from it yet"
            if loss.requires_grad
            else "it was computed under torch.no_grad() or from tensors that do not require grad"
        )
        raise TorchGraphError(
            f"this tensor has no grad_fn, so there is no backward pass to step: {why}. "
            "Compute the loss from tensors with requires_grad=True (a model's parameters have it)."
        )
    names = {id(p): name for name, p in model.named_parameters()} if model is not None else {}
    root_key = (loss.grad_fn, loss.output_nr)
    order = _backward_order(root_key)
    consumers: dict[tuple, list] = {}
    for key in order:
        for k, entry in enumerate(_inputs_of(key[0])):
            consumers.setdefault(entry, []).append((key[0], k))
    mirrors: dict[tuple, TorchNode] = {}
    for key in order:  # inputs first
        mirrors[key] = _mirror(key, [mirrors[e] for e in _inputs_of(key[0])], consumers, names, loss, root_key)
    if model is not None:
        _group_by_module(order, mirrors, names, model)
    return mirrors[root_key]


def _check_tensor(t: Any, what: str) -> None:
    if t.is_complex():
        raise TorchGraphError(f"{what} is complex: the kit steps real numbers only (gradients of real losses).")
    if t.layout is not _torch().strided:
        raise TorchGraphError(f"{what} is a sparse tensor ({t.layout}): the kit steps dense tensors only.")


def _inputs_of(fn: Any) -> list[tuple]:
    return [(next_fn, nr) for next_fn, nr in fn.next_functions if next_fn is not None]


def _backward_order(root_key: tuple) -> list[tuple]:
    """Every (grad_fn, output) of the graph, inputs first, iteratively (a 10,000-node chain is fine)."""
    order: list[tuple] = []
    done: set[tuple] = set()
    stack = [(root_key, iter(_inputs_of(root_key[0])))]
    seen = {root_key}
    while stack:
        key, pending = stack[-1]
        for child in pending:
            if child not in seen:
                seen.add(child)
                stack.append((child, iter(_inputs_of(child[0]))))
                break
        else:
            stack.pop()
            done.add(key)
            order.append(key)
    return order


def _mirror(key: tuple, parents: list, consumers: dict, names: dict, loss: Any, root_key: tuple) -> TorchNode:
    fn, slot = key
    name = fn.name()
    if "BackwardBackward" in name:
        raise TorchGraphError(
            f"this loss was computed from gradients ({name}: a double backward, create_graph=True): "
            "the kit steps a first backward pass only."
        )
    node = TorchNode.__new__(TorchNode)
    node.fn, node.slot, node.parents, node.params = fn, slot, tuple(parents), {}
    node.constant, node.label, node._memo = False, None, None
    node.saved, node.summed = {}, {}
    if hasattr(fn, "variable"):  # AccumulateGrad: a leaf, the user's own tensor
        variable = fn.variable
        _check_tensor(variable, "a tensor of the graph")
        node.student, node.op, node.data = variable, None, _numpy(variable)
        node.label = names.get(id(variable))
        node.grad = np.zeros(node.data.shape)
        tag(node)
        return node
    node.student = fn
    node.op = _row(name).name
    meta = fn._input_metadata
    shape = tuple(meta[slot].shape) if slot < len(meta) else ()
    if any(m.dtype.is_complex for m in meta):
        raise TorchGraphError(f"the {name} node's output is complex: the kit steps real numbers only.")
    node.saved = _saved(fn, SAVED_INPUTS.get(name, GENERIC_INPUTS).keys() | {"result"})
    if key == root_key:
        node.data = _numpy(loss)
    elif "result" in node.saved and len(meta) == 1:
        node.data = node.saved["result"]
    else:
        found = _value_from_consumers(key, shape, consumers)
        node.data = found if found is not None else _not_kept(shape)
    node.grad = np.zeros(node.data.shape)
    tag(node)
    return node


def _saved(fn: Any, wanted: Any) -> dict:
    """The saved tensors of ``fn`` among ``wanted`` (PyTorch's names, without ``_saved_``), as arrays."""
    torch = _torch()
    found = {}
    for name in sorted(wanted):
        try:
            value = getattr(fn, f"_saved_{name}", None)
        except RuntimeError as error:  # read after backward() freed it
            if "freed" in str(error) or "second time" in str(error):
                raise TorchGraphError(FREED) from None
            raise
        if isinstance(value, torch.Tensor):
            found[name] = _numpy(value)
    if not callable(fn) and hasattr(fn, "saved_tensors"):  # a custom Function: ctx.save_for_backward's tensors
        try:
            for k, value in enumerate(fn.saved_tensors):
                if isinstance(value, torch.Tensor):
                    found[f"saved_tensors[{k}]"] = _numpy(value)
        except RuntimeError as error:
            raise TorchGraphError(FREED) from error
    return found


def _value_from_consumers(key: tuple, shape: tuple, consumers: dict) -> Any:
    """A node's value where PyTorch did not keep its output but a node using it saved it as an input."""
    for fn, position in consumers.get(key, []):
        for saved_name, index in SAVED_INPUTS.get(fn.name(), GENERIC_INPUTS).items():
            if index != _argument_index(fn, position):
                continue
            try:
                value = getattr(fn, f"_saved_{saved_name}", None)
            except RuntimeError:
                return None
            if value is not None and hasattr(value, "shape") and tuple(value.shape) == shape:
                return _numpy(value)
    return None


def _argument_index(fn: Any, position: int) -> int:
    """Which of the op's arguments the ``position``-th non-None input of ``fn`` is."""
    real = [k for k, (next_fn, _) in enumerate(fn.next_functions) if next_fn is not None]
    return real[position]


def _group_by_module(order: list, mirrors: dict, names: dict, model: Any) -> None:
    """Mark each node with the module that made it, so pictures fold a network into its layers.

    A node that reads a module's parameters is that module's (``0.weight`` is read in module ``0``); a
    node of a module without parameters (``ReLU``, ``Tanh``, ``Dropout``) leaves no such mark, so it is
    placed by the module tree: the first such module registered after the module its input comes from,
    if the node's op is of that module's kind (``ReluBackward0`` for ``ReLU``).  A group is named by the
    module's name and class, ``0 (Linear)``, ``1 (ReLU)``; a node of a function called in ``forward``
    (``torch.tanh(x)``), of no module, stays outside every group.
    """
    modules = [(name, m) for name, m in model.named_modules() if name and next(m.children(), None) is None]
    position = {name: k for k, (name, _) in enumerate(modules)}
    kinds = {name: type(m).__name__ for name, m in model.named_modules() if name}
    placed: dict[TorchNode, str] = {}  # node -> the dotted name of its module ("" for none)
    for key in order:
        node = mirrors[key]
        if not node.parents:
            placed[node] = node.label.rpartition(".")[0] if node.label else ""
            continue
        found = {placed[p] for p in node.parents if not p.parents or p.op == "TBackward0"} - {""}
        placed[node] = found.pop() if len(found) == 1 else _parameterless_module(node, placed, modules, position)
    for node, name in placed.items():
        if name:
            parts = name.split(".")
            parts[-1] = f"{parts[-1]} ({kinds[name]})"
            with ExitStack() as stack:
                for part in parts:
                    stack.enter_context(group(part))
                tag(node)


# A parameterless module whose nodes are not named after it: its class -> the grad_fn names it makes.
MODULE_NODES = {
    "Flatten": ("ViewBackward0", "ReshapeAliasBackward0", "UnsafeViewBackward0"),
    "Unflatten": ("ViewBackward0",),
    "Dropout": ("MulBackward0",),  # on the CPU, dropout in training is a multiplication by a scaled mask
}


def _parameterless_module(node: TorchNode, placed: dict, modules: list, position: dict) -> str:
    """The module without parameters that made ``node``: the first one after its input's module, of its kind."""
    before = [position[placed[p]] for p in node.parents if placed.get(p) in position]
    if not before:
        return ""
    for name, module in modules[max(before) + 1 :]:
        if next(module.parameters(recurse=False), None) is not None:
            return ""  # the next layer with parameters: nothing between them made this node
        kind = type(module).__name__
        if node.op in MODULE_NODES.get(kind, ()) or kind.lower() in str(node.op).lower():
            return name
    return ""
