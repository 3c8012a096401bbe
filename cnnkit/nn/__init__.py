"""cnnkit.nn: layers, loss, optimisers and a training loop built on cnnkit's ops (chapter 07).

>>> import cnnkit.nn as nn
>>> model = nn.lenet_digits(seed=0)
>>> nn.count_params(model)
6090
"""

from .augment import random_shifts, shift_images
from .containers import Sequential, count_params
from .data import DigitSplit, load_digits_nchw
from .dropout import Dropout
from .layers import AvgPool2d, Conv2d, Flatten, Layer, Linear, MaxPool2d, Parameter, ReLU
from .losses import SoftmaxCrossEntropy, log_softmax, softmax, softmax_cross_entropy
from .models import lenet_digits
from .optim import SGD, Adam
from .train import History, ProgressBar, accuracy, fit, predict, train_step
from . import init

__all__ = [
    "Adam", "AvgPool2d", "Conv2d", "DigitSplit", "Dropout", "Flatten", "History", "Layer", "Linear",
    "MaxPool2d", "Parameter", "ProgressBar", "ReLU", "SGD", "Sequential", "SoftmaxCrossEntropy",
    "accuracy", "count_params", "fit", "init", "lenet_digits", "load_digits_nchw", "log_softmax",
    "predict", "random_shifts", "shift_images", "softmax", "softmax_cross_entropy", "train_step",
]
