"""Neural networks on ``Tensor``: layers, losses, optimisers, toy datasets, a training step and a training run.

Built on the engine only (no drawing, no widgets).
"""

from .by_hand import MatMulLayer, sigmoid_network_gradients
from .data import DATASETS, make_circles, make_moons, make_spiral, make_xor
from .layers import ACTIVATIONS, MLP, Linear, as_input
from .losses import LOSSES, binary_cross_entropy, cross_entropy, hinge, l1, mse
from .norm import BatchNorm1d, LayerNorm, batch_norm, layer_norm
from .optim import OPTIMIZERS, SGD, Adam, Momentum, Optimizer
from .run import Record, TrainingRun
from .train import accuracy, fit, train_step

__all__ = [
    "Linear",
    "MLP",
    "ACTIVATIONS",
    "as_input",
    "MatMulLayer",
    "sigmoid_network_gradients",
    "mse",
    "l1",
    "binary_cross_entropy",
    "hinge",
    "cross_entropy",
    "batch_norm",
    "layer_norm",
    "BatchNorm1d",
    "LayerNorm",
    "LOSSES",
    "Optimizer",
    "SGD",
    "Momentum",
    "Adam",
    "OPTIMIZERS",
    "make_moons",
    "make_circles",
    "make_xor",
    "make_spiral",
    "DATASETS",
    "train_step",
    "fit",
    "accuracy",
    "TrainingRun",
    "Record",
]
