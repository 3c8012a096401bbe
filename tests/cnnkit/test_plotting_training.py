"""Does the generalisation figure draw, per run, its training (dashed) and held-out (solid) accuracies?"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cnnkit.nn import History  # noqa: E402
from cnnkit.plotting import training  # noqa: E402


def test_generalisation_figure_has_two_curves_per_run_with_their_values():
    runs = {"plain": History(train_accuracy=[0.5, 0.9, 1.0], test_accuracy=[0.4, 0.8, 0.85]),
            "dropout 0.5": History(train_accuracy=[0.4, 0.8, 0.95], test_accuracy=[0.3, 0.8, 0.9])}
    figure = training.plot_generalisation(runs)
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["plain: training", "plain: held-out",
                                                    "dropout 0.5: training", "dropout 0.5: held-out"]
    assert [line.get_linestyle() for line in lines] == ["--", "-", "--", "-"]
    np.testing.assert_array_equal(lines[3].get_ydata(), [0.3, 0.8, 0.9])
    np.testing.assert_array_equal(lines[3].get_xdata(), [1, 2, 3])
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    plt.close(figure)
