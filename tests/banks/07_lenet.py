"""Bank of chapter 07 (LeNet capstone): wrong and correct versions of every exercise cell.

Each string is the whole source of one exercise cell of solutions/07_lenet/07_lenet.ipynb.
Every "wrong" entry must lose points on its own test_<exercise>* cells; every "correct"
entry must earn every point of the notebook (including the trained network's accuracy).
"""

_RELU = '''
class ReLU(nn.Layer):
    """max(x, 0) elementwise."""

    def forward(self, x):
{forward}

    def backward(self, dout):
{backward}
'''

_LINEAR = '''
class Linear(nn.Layer):
    """Dense layer y = x W^T + b."""

    def __init__(self, in_features, out_features, rng=None, dtype=np.float32):
        self.weight = nn.Parameter(nn.init.he_normal((out_features, in_features), rng, dtype), "weight")
        self.bias = nn.Parameter(np.zeros(out_features, dtype=dtype), "bias")

    def forward(self, x):
{forward}

    def backward(self, dout):
{backward}
'''

_CONV = '''
class Conv2d(nn.Layer):
    """Convolution layer with weights (out_channels, in_channels, k, k) and one bias per filter."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, rng=None,
                 dtype=np.float32, forward_fn=None, backward_fn=None):
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = nn.Parameter(nn.init.he_normal(shape, rng, dtype), "weight")
        self.bias = nn.Parameter(np.zeros(out_channels, dtype=dtype), "bias")
        self.stride, self.padding = stride, padding
        self.forward_fn = forward_fn or OPS["conv2d"]
        self.backward_fn = backward_fn or OPS["conv2d_backward"]

    def forward(self, x):
{forward}

    def backward(self, dout):
{backward}
'''


def _layer(template, forward, backward):
    indent = lambda body: "\n".join("        " + line for line in body.strip("\n").splitlines())
    return template.format(forward=indent(forward), backward=indent(backward)).strip("\n") + "\n"


_RELU_FORWARD = "self.mask = x > 0\nreturn np.where(self.mask, x, 0).astype(x.dtype)"
_RELU_BACKWARD = "return np.where(self.mask, dout, 0).astype(dout.dtype)"
_LINEAR_FORWARD = "self.x = x\nreturn x @ self.weight.value.T + self.bias.value"
_LINEAR_BACKWARD = ("self.weight.grad += dout.T @ self.x\nself.bias.grad += dout.sum(axis=0)\n"
                    "return dout @ self.weight.value")
_CONV_FORWARD = ("self.x = x\nreturn self.forward_fn(x, self.weight.value, self.bias.value, "
                 "stride=self.stride, padding=self.padding)")
_CONV_BACKWARD = ("dx, dw, db = self.backward_fn(dout, self.x, self.weight.value, stride=self.stride, "
                  "padding=self.padding)\nself.weight.grad += dw\nself.bias.grad += db\nreturn dx")

_SCE = '''
def softmax_cross_entropy(logits, labels):
    """Mean softmax cross-entropy and its gradient."""
    n = logits.shape[0]
{body}
'''


def _sce(body):
    return _SCE.format(body="\n".join("    " + line for line in body.strip("\n").splitlines())).strip("\n") + "\n"


_SCE_PROBS = """shifted = logits - logits.max(axis=1, keepdims=True)
exps = np.exp(shifted)
probs = exps / exps.sum(axis=1, keepdims=True)
rows = np.arange(n)
"""

_COUNT = '''
def count_params(model):
    """Number of trainable numbers in a model."""
{body}
'''


def _count(body):
    return _COUNT.format(body="\n".join("    " + line for line in body.strip("\n").splitlines())).strip("\n") + "\n"


_STEP = '''
def train_step(model, loss_fn, optimizer, xb, yb):
    """One gradient update on one mini-batch; returns the loss before the update."""
{body}
'''


def _step(body):
    return _STEP.format(body="\n".join("    " + line for line in body.strip("\n").splitlines())).strip("\n") + "\n"


# Check-yourself answers: equivalent forms (numpy ints, whole floats, capitals) earn the point.
_ANSWERS = {
    "q_lenet_params": {
        "wrong": {"weights_only": "answer_lenet_params = 6032", "conv_only": "answer_lenet_params = 4800"},
        "correct": {"numpy_int": "answer_lenet_params = np.int64(6090)",
                    "sum": "answer_lenet_params = (1 * 9 + 1) * 16 + (16 * 9 + 1) * 32 + (128 + 1) * 10"},
    },
    "q_biggest_layer": {
        "wrong": {"dense": 'answer_biggest_layer = "dense"'},
        "correct": {"capitals_and_spaces": 'answer_biggest_layer = " Conv2"'},
    },
    "q_dropout_factors": {
        "wrong": {"keeps_p": "answer_dropout_factors = (1 / 0.2, 1.0)",
                  "scales_at_evaluation": "answer_dropout_factors = (1.0, 0.8)"},
        "correct": {"fractions": "answer_dropout_factors = (1 / (1 - 0.2), 1)",
                    "list": "answer_dropout_factors = [1.25, 1.0]"},
    },
    "q_flat_features": {
        "wrong": {"no_pooling": "answer_flat_features = 1024", "old_width": "answer_flat_features = 128"},
        "correct": {"whole_float": "answer_flat_features = 256.0", "product": "answer_flat_features = np.prod((64, 2, 2))"},
    },
}

def _shift(body):
    """The whole shift_images exercise cell with ``body`` as its function body."""
    indented = "\n".join("    " + line for line in body.strip("\n").splitlines())
    return ('def shift_images(images, dy, dx):\n'
            '    """Move every image dy pixels down and dx pixels right; the uncovered border is 0."""\n'
            + indented + "\n")


_SHIFT_SLICES = ("height, width = images.shape[2:]\nout = np.zeros_like(images)\n"
                 "out[:, :, max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \\\n"
                 "    images[:, :, max(-dy, 0):height - max(dy, 0), max(-dx, 0):width - max(dx, 0)]\n"
                 "return out")


EXERCISES = {
    "relu": {
        "wrong": {
            "backward_passes_everything": _layer(_RELU, _RELU_FORWARD, "return dout"),
            "backward_masks_with_dout": _layer(_RELU, _RELU_FORWARD, "return np.where(dout > 0, dout, 0)"),
            "backward_multiplies_by_output": _layer(
                _RELU, "self.out = np.maximum(x, 0)\nreturn self.out", "return dout * self.out"),
            "forward_in_place": _layer(
                _RELU, "self.mask = x > 0\nx[~self.mask] = 0\nreturn x", _RELU_BACKWARD),
            "passes_gradient_at_zero": _layer(
                _RELU, "self.keep = x >= 0\nreturn np.maximum(x, 0)", "return dout * self.keep"),
            "forward_abs": _layer(_RELU, "self.mask = x > 0\nreturn np.abs(x)", _RELU_BACKWARD),
        },
        "correct": {
            "where": _layer(_RELU, _RELU_FORWARD, _RELU_BACKWARD),
            "multiply_by_mask": _layer(_RELU, "self.x = x\nreturn x * (x > 0)", "return dout * (self.x > 0)"),
            "python_loops": _layer(
                _RELU, "self.x = x\nout = np.zeros_like(x)\nflat_x, flat_out = x.reshape(-1), out.reshape(-1)\n"
                "for i in range(flat_x.size):\n    if flat_x[i] > 0:\n        flat_out[i] = flat_x[i]\nreturn out",
                "dx = np.zeros_like(dout)\nflat_x, flat_d, flat_dx = self.x.reshape(-1), dout.reshape(-1), dx.reshape(-1)\n"
                "for i in range(flat_x.size):\n    if flat_x[i] > 0:\n        flat_dx[i] = flat_d[i]\nreturn dx"),
            "clip": _layer(_RELU, "self.x = x\nreturn np.clip(x, 0, None)",
                           "dx = dout.copy()\ndx[self.x <= 0] = 0\nreturn dx"),
            "float32": _layer(_RELU, "self.mask = (x > 0).astype(np.float32)\nreturn (x * self.mask).astype(x.dtype)",
                              "return (dout * self.mask).astype(dout.dtype)"),
        },
    },
    "linear": {
        "wrong": {
            "transposed_weight_grad": _layer(
                _LINEAR, _LINEAR_FORWARD,
                "self.weight.grad += (self.x.T @ dout).reshape(self.weight.value.shape)\n"
                "self.bias.grad += dout.sum(axis=0)\nreturn dout @ self.weight.value"),
            "overwrites_grads": _layer(
                _LINEAR, _LINEAR_FORWARD,
                "self.weight.grad = dout.T @ self.x\nself.bias.grad = dout.sum(axis=0)\n"
                "return dout @ self.weight.value"),
            "bias_grad_mean": _layer(
                _LINEAR, _LINEAR_FORWARD,
                "self.weight.grad += dout.T @ self.x\nself.bias.grad += dout.mean(axis=0)\n"
                "return dout @ self.weight.value"),
            "forgets_bias": _layer(_LINEAR, "self.x = x\nreturn x @ self.weight.value.T", _LINEAR_BACKWARD),
            "dx_with_transposed_weight": _layer(
                _LINEAR, _LINEAR_FORWARD,
                "self.weight.grad += dout.T @ self.x\nself.bias.grad += dout.sum(axis=0)\n"
                "return dout @ self.weight.value.T"),
        },
        "correct": {
            "matmul": _layer(_LINEAR, _LINEAR_FORWARD, _LINEAR_BACKWARD),
            "einsum": _layer(
                _LINEAR, "self.x = x\nreturn np.einsum('nk,jk->nj', x, self.weight.value) + self.bias.value",
                "self.weight.grad += np.einsum('nj,nk->jk', dout, self.x)\n"
                "self.bias.grad += np.einsum('nj->j', dout)\n"
                "return np.einsum('nj,jk->nk', dout, self.weight.value)"),
            "loops": _layer(
                _LINEAR,
                "self.x = x\nout = np.zeros((x.shape[0], self.weight.value.shape[0]), dtype=x.dtype)\n"
                "for n in range(x.shape[0]):\n    out[n] = self.weight.value @ x[n] + self.bias.value\nreturn out",
                "dx = np.zeros_like(self.x)\nfor n in range(dout.shape[0]):\n"
                "    self.weight.grad += np.outer(dout[n], self.x[n])\n    self.bias.grad += dout[n]\n"
                "    dx[n] = self.weight.value.T @ dout[n]\nreturn dx"),
        },
    },
    "conv2d_layer": {
        "wrong": {
            "overwrites_grads": _layer(
                _CONV, _CONV_FORWARD,
                "dx, dw, db = self.backward_fn(dout, self.x, self.weight.value, stride=self.stride, "
                "padding=self.padding)\nself.weight.grad = dw\nself.bias.grad = db\nreturn dx"),
            "backward_drops_stride_and_padding": _layer(
                _CONV, _CONV_FORWARD,
                "dx, dw, db = self.backward_fn(dout, self.x, self.weight.value)\n"
                "self.weight.grad += dw\nself.bias.grad += db\nreturn dx"),
            "returns_dw": _layer(
                _CONV, _CONV_FORWARD,
                "dx, dw, db = self.backward_fn(dout, self.x, self.weight.value, stride=self.stride, "
                "padding=self.padding)\nself.weight.grad += dw\nself.bias.grad += db\nreturn dw"),
            "forward_without_bias": _layer(
                _CONV, "self.x = x\nreturn self.forward_fn(x, self.weight.value, None, stride=self.stride, "
                "padding=self.padding)", _CONV_BACKWARD),
            "swaps_dout_and_x": _layer(
                _CONV, _CONV_FORWARD,
                "dx, dw, db = self.backward_fn(self.x, dout, self.weight.value, stride=self.stride, "
                "padding=self.padding)\nself.weight.grad += dw\nself.bias.grad += db\nreturn dx"),
        },
        "correct": {
            "keywords": _layer(_CONV, _CONV_FORWARD, _CONV_BACKWARD),
            "positional": _layer(
                _CONV, "self.cache = (x,)\nreturn self.forward_fn(x, self.weight.value, self.bias.value, "
                "self.stride, self.padding)",
                "(x,) = self.cache\ngrads = self.backward_fn(dout, x, self.weight.value, self.stride, "
                "self.padding)\nnp.add(self.weight.grad, grads[1], out=self.weight.grad)\n"
                "np.add(self.bias.grad, grads[2], out=self.bias.grad)\nreturn grads[0]"),
        },
    },
    "softmax_cross_entropy": {
        "wrong": {
            "gradient_not_divided_by_batch": _sce(
                _SCE_PROBS + "loss = float(-np.mean(np.log(probs[rows, labels])))\n"
                "dlogits = probs.copy()\ndlogits[rows, labels] -= 1\nreturn loss, dlogits"),
            "forgets_one_hot": _sce(
                _SCE_PROBS + "loss = float(-np.mean(np.log(probs[rows, labels])))\nreturn loss, probs / n"),
            "loss_summed_not_averaged": _sce(
                _SCE_PROBS + "loss = float(-np.sum(np.log(probs[rows, labels])))\n"
                "dlogits = probs.copy()\ndlogits[rows, labels] -= 1\nreturn loss, dlogits / n"),
            "indexes_every_row_with_every_label": _sce(
                _SCE_PROBS + "loss = float(-np.mean(np.log(probs[:, labels])))\n"
                "dlogits = probs.copy()\ndlogits[:, labels] -= 1\nreturn loss, dlogits / n"),
            "loss_without_log": _sce(
                _SCE_PROBS + "loss = float(-np.mean(probs[rows, labels]))\n"
                "dlogits = probs.copy()\ndlogits[rows, labels] -= 1\nreturn loss, dlogits / n"),
            "no_max_shift": _sce(
                "exps = np.exp(logits)\nprobs = exps / exps.sum(axis=1, keepdims=True)\n"
                "loss = -np.log(probs[np.arange(n), labels]).mean()\n"
                "probs[np.arange(n), labels] -= 1\nreturn loss, probs / n"),
            "softmax_over_columns": _sce(
                "shifted = logits - logits.max(axis=0, keepdims=True)\nexps = np.exp(shifted)\n"
                "probs = exps / exps.sum(axis=0, keepdims=True)\nrows = np.arange(n)\n"
                "loss = float(-np.mean(np.log(probs[rows, labels])))\n"
                "dlogits = probs.copy()\ndlogits[rows, labels] -= 1\nreturn loss, dlogits / n"),
            "dlogits_zeros_like_logits": _sce(
                _SCE_PROBS + "loss = float(-np.mean(np.log(probs[rows, labels])))\n"
                "dlogits = np.zeros_like(logits)\ndlogits[...] = probs\ndlogits[rows, labels] -= 1\n"
                "return loss, dlogits / n"),
            "dlogits_cast_to_logits_dtype": _sce(
                _SCE_PROBS + "loss = float(-np.mean(np.log(probs[rows, labels])))\n"
                "dlogits = probs.copy()\ndlogits[rows, labels] -= 1\n"
                "return loss, (dlogits / n).astype(logits.dtype)"),
        },
        "correct": {
            "vectorised": _sce(
                _SCE_PROBS + "loss = float(-np.mean(np.log(probs[rows, labels])))\n"
                "dlogits = probs.copy()\ndlogits[rows, labels] -= 1\nreturn loss, dlogits / n"),
            "one_hot_matrix_and_log_sum_exp": _sce(
                "one_hot = np.eye(logits.shape[1])[labels]\n"
                "shifted = logits - logits.max(axis=1, keepdims=True)\n"
                "log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
                "loss = -np.sum(one_hot * log_probs) / n\n"
                "return loss, (np.exp(log_probs) - one_hot) / n"),
            "keeps_float32": _sce(
                "dtype = logits.dtype if logits.dtype.kind == 'f' else np.float64\n"
                "z = logits.astype(dtype)\nz = z - z.max(axis=1, keepdims=True)\n"
                "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\nrows = np.arange(n)\n"
                "loss = float(-np.log(p[rows, labels]).mean())\np[rows, labels] -= 1\nreturn loss, p / n"),
            "loops_float32": _sce(
                "loss = 0.0\ndlogits = np.zeros_like(logits, dtype=np.float32)\nfor i in range(n):\n"
                "    z = logits[i].astype(np.float32) - logits[i].max()\n    p = np.exp(z) / np.exp(z).sum()\n"
                "    loss -= np.log(p[labels[i]]) / n\n    p[labels[i]] -= 1\n    dlogits[i] = p / n\n"
                "return float(loss), dlogits"),
        },
    },
    "count_params": {
        "wrong": {
            "weights_only": _count("return sum(p.value.size for p in model.parameters() if p.value.ndim > 1)"),
            "counts_arrays": _count("return len(model.parameters())"),
            "counts_first_axis": _count("return sum(len(p.value) for p in model.parameters())"),
            "counts_layers": _count("return len(model.layers)"),
        },
        "correct": {
            "sum_of_sizes": _count("return int(sum(p.value.size for p in model.parameters()))"),
            "loop_prod": _count("total = 0\nfor p in model.parameters():\n    total += int(np.prod(p.value.shape))\n"
                                "return total"),
        },
    },
    "train_step": {
        "wrong": {
            "never_zeroes_gradients": _step(
                "logits = model.forward(xb)\nloss, dlogits = loss_fn(logits, yb)\nmodel.backward(dlogits)\n"
                "optimizer.step()\nreturn float(loss)"),
            "steps_before_backward": _step(
                "optimizer.zero_grad()\nlogits = model.forward(xb)\nloss, dlogits = loss_fn(logits, yb)\n"
                "optimizer.step()\nmodel.backward(dlogits)\nreturn float(loss)"),
            "zeroes_between_backward_and_step": _step(
                "logits = model.forward(xb)\nloss, dlogits = loss_fn(logits, yb)\nmodel.backward(dlogits)\n"
                "optimizer.zero_grad()\noptimizer.step()\nreturn float(loss)"),
            "ignores_loss_fn": _step(
                "optimizer.zero_grad()\nlogits = model.forward(xb)\n"
                "loss, dlogits = nn.softmax_cross_entropy(logits, yb)\nmodel.backward(dlogits)\n"
                "optimizer.step()\nreturn float(loss)"),
            "backward_of_logits": _step(
                "optimizer.zero_grad()\nlogits = model.forward(xb)\nloss, dlogits = loss_fn(logits, yb)\n"
                "model.backward(logits / len(yb))\noptimizer.step()\nreturn float(loss)"),
        },
        "correct": {
            "in_order": _step(
                "optimizer.zero_grad()\nlogits = model.forward(xb)\nloss, dlogits = loss_fn(logits, yb)\n"
                "model.backward(dlogits)\noptimizer.step()\nreturn float(loss)"),
            "zero_each_parameter": _step(
                "for p in model.parameters():\n    p.grad[...] = 0\nloss, dlogits = loss_fn(model.forward(xb), yb)\n"
                "model.backward(dlogits)\noptimizer.step()\nreturn float(loss)"),
        },
    },
    "shift_images": {
        "wrong": {
            "wraps_around": _shift("return np.roll(images, (dy, dx), axis=(2, 3))"),
            "swaps_axes": _shift(_SHIFT_SLICES.replace("dy", "DY").replace("dx", "dy").replace("DY", "dx")),
            "opposite_direction": _shift(
                "pad_y, pad_x = abs(dy), abs(dx)\n"
                "padded = np.pad(images, ((0, 0), (0, 0), (pad_y, pad_y), (pad_x, pad_x)))\n"
                "return padded[:, :, pad_y + dy:pad_y + dy + images.shape[2], pad_x + dx:pad_x + dx + images.shape[3]]"),
            "repeats_edge": _shift(
                "pad_y, pad_x = abs(dy), abs(dx)\n"
                "padded = np.pad(images, ((0, 0), (0, 0), (pad_y, pad_y), (pad_x, pad_x)), mode='edge')\n"
                "return padded[:, :, pad_y - dy:pad_y - dy + images.shape[2], pad_x - dx:pad_x - dx + images.shape[3]]"),
            "writes_into_images": _shift(
                "height, width = images.shape[2:]\nmoved = images[:, :, max(-dy, 0):height - max(dy, 0), "
                "max(-dx, 0):width - max(dx, 0)].copy()\nimages[...] = 0\n"
                "images[:, :, max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = moved\n"
                "return images"),
        },
        "correct": {
            "slices": _shift(_SHIFT_SLICES),
            "loops": _shift(
                "n_images, channels, height, width = images.shape\nout = np.zeros_like(images)\n"
                "for i in range(height):\n    for j in range(width):\n"
                "        if 0 <= i - dy < height and 0 <= j - dx < width:\n"
                "            out[:, :, i, j] = images[:, :, i - dy, j - dx]\nreturn out"),
            "pad_and_crop_float32": _shift(
                "pad_y, pad_x = abs(dy), abs(dx)\n"
                "padded = np.pad(images.astype(np.float32), ((0, 0), (0, 0), (pad_y, pad_y), (pad_x, pad_x)))\n"
                "return padded[:, :, pad_y - dy:pad_y - dy + images.shape[2], pad_x - dx:pad_x - dx + images.shape[3]]"),
            "roll_then_zero": _shift(
                "out = np.roll(images, (dy, dx), axis=(2, 3))\n"
                "if dy > 0:\n    out[:, :, :dy] = 0\nelif dy < 0:\n    out[:, :, dy:] = 0\n"
                "if dx > 0:\n    out[:, :, :, :dx] = 0\nelif dx < 0:\n    out[:, :, :, dx:] = 0\nreturn out"),
        },
    },
    **_ANSWERS,
}
