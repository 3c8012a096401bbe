"""Does training on the digits reduce the loss, deterministically, and is the data split sound?"""

import io

import numpy as np
import pytest

import cnnkit.nn as nn


@pytest.fixture(scope="module")
def digits():
    pytest.importorskip("sklearn", reason="the digits ship with scikit-learn")
    return nn.load_digits_nchw(seed=0)


def test_split_is_stratified_scaled_and_fixed_by_seed(digits):
    assert digits.x_train.shape == (1347, 1, 8, 8) and digits.x_test.shape == (450, 1, 8, 8)
    assert digits.x_train.dtype == np.float32 and 0 <= digits.x_train.min() and digits.x_train.max() <= 1
    counts = np.bincount(digits.y_test, minlength=10)
    assert counts.min() >= 43 and counts.max() <= 47  # about 45 per class
    again = nn.load_digits_nchw(seed=0)
    np.testing.assert_array_equal(again.y_test, digits.y_test)
    assert not np.array_equal(nn.load_digits_nchw(seed=1).y_test, digits.y_test)


@pytest.mark.parametrize("test_fraction, seed", [(0.25, 0), (0.25, 1), (0.2, 0)])
def test_the_split_is_scikit_learns_without_importing_it(test_fraction, seed):
    """The same images, labels and split as scikit-learn's load_digits + train_test_split; (0.25, 0) is stored."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=test_fraction,
                                                        random_state=seed, stratify=digits.target)
    ours = nn.load_digits_nchw(test_fraction, seed)
    for theirs, mine in zip((x_train, y_train, x_test, y_test), ours):
        np.testing.assert_array_equal(mine, theirs)


def test_the_chapters_digits_load_without_scikit_learn():
    """The chapters' split is read from scikit-learn's data file and the stored indices: no sklearn import (1.3 s)."""
    import subprocess
    import sys

    code = ("import sys, cnnkit.nn as nn; d = nn.load_digits_nchw(seed=0); "
            "print(d.x_train.shape, sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "(1347, 1, 8, 8) []"


def test_training_on_a_subset_reduces_the_loss(digits):
    """Two epochs of Adam on 300 digits: the loss falls by more than half and accuracy beats chance."""
    model = nn.lenet_digits(seed=0)
    x, y = digits.x_train[:300], digits.y_train[:300]
    before, _ = nn.softmax_cross_entropy(nn.predict(model, x), y)
    history = nn.fit(model, nn.softmax_cross_entropy, nn.Adam(model.parameters(), lr=0.01),
                     x, y, epochs=3, batch_size=20, seed=0, verbose=False)
    after, _ = nn.softmax_cross_entropy(nn.predict(model, x), y)
    assert after < 0.5 * before
    assert history.train_accuracy[-1] > 0.5
    assert len(history.step_loss) == 3 * 15 and len(history.epoch_loss) == 3


def test_training_is_deterministic_under_a_seed(digits):
    runs = []
    for _ in range(2):
        model = nn.lenet_digits(seed=5)
        history = nn.fit(model, nn.softmax_cross_entropy, nn.SGD(model.parameters(), lr=0.1, momentum=0.9),
                         digits.x_train[:200], digits.y_train[:200], epochs=1, batch_size=32, seed=9,
                         verbose=False)
        runs.append((history.step_loss, [p.value.copy() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)


def test_train_step_updates_with_fresh_gradients(digits):
    """Each train_step zeroes the gradients first: two steps equal two manual zero/forward/backward/steps."""
    xb, yb = digits.x_train[:16], digits.y_train[:16]
    model, manual = nn.lenet_digits(seed=2, dtype=np.float64), nn.lenet_digits(seed=2, dtype=np.float64)
    optimizer, manual_optimizer = nn.SGD(model.parameters(), lr=0.5), nn.SGD(manual.parameters(), lr=0.5)
    for _ in range(2):
        nn.train_step(model, nn.softmax_cross_entropy, optimizer, xb, yb)
        manual_optimizer.zero_grad()
        _, dlogits = nn.softmax_cross_entropy(manual.forward(xb), yb)
        manual.backward(dlogits)
        manual_optimizer.step()
    for a, b in zip(model.parameters(), manual.parameters()):
        np.testing.assert_allclose(a.value, b.value)


def test_learning_rate_decays_every_epoch(digits):
    model = nn.lenet_digits(seed=0)
    optimizer = nn.Adam(model.parameters(), lr=0.01)
    nn.fit(model, nn.softmax_cross_entropy, optimizer, digits.x_train[:64], digits.y_train[:64],
           epochs=3, batch_size=32, lr_decay=0.5, verbose=False)
    assert optimizer.lr == pytest.approx(0.01 * 0.5 ** 3)


def test_progress_bar_prints_one_line_per_epoch_off_a_terminal():
    stream = io.StringIO()
    bar = nn.ProgressBar(10, stream=stream)
    for step in range(10):
        bar.update(step + 1)
    bar.line("epoch 1/1 done")
    assert stream.getvalue() == "epoch 1/1 done\n"


def test_count_params_of_lenet():
    """(1*9+1)*16 + (16*9+1)*32 + (128+1)*10 = 160 + 4640 + 1290; and the narrow variant."""
    assert nn.count_params(nn.lenet_digits()) == 6090
    assert nn.count_params(nn.lenet_digits(conv1=8, conv2=16)) == 80 + 1168 + 650


def test_fit_refuses_mismatched_data(digits):
    model = nn.lenet_digits()
    with pytest.raises(ValueError, match="1347 images but y_train 10"):
        nn.fit(model, nn.softmax_cross_entropy, nn.SGD(model.parameters()), digits.x_train,
               digits.y_train[:10])


def test_progress_widget_follows_every_batch():
    """In a notebook the bar is an ipywidgets progress bar that moves with each batch and ends green."""
    pytest.importorskip("ipywidgets", reason="the notebook progress bar is an ipywidget")
    stream = io.StringIO()
    bar = nn.ProgressBar(4, stream=stream, widget=True)
    bar.update(1, "(epoch 1/2, loss 2.000)")
    assert bar.widget is not None and bar._bar.value == 1
    assert bar._label.value == "1/4 batches (epoch 1/2, loss 2.000)"
    bar.update(4)
    assert bar._bar.bar_style == "success"
    bar.line("epoch 2/2 done")
    assert stream.getvalue() == "epoch 2/2 done\n"


def test_no_widget_outside_a_notebook():
    """Under pytest (no Jupyter kernel) no widget is made."""
    assert nn.ProgressBar(3, stream=io.StringIO()).widget is None
