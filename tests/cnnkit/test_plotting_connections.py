"""Do the connection figures of chapter 08 count the weights the chapter's table states?"""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from cnnkit.plotting.connections import (PATTERNS, connection_weights, show_connection_patterns,  # noqa: E402
                                         show_stack_receptive_field)


@pytest.mark.parametrize("pattern, distinct", [("fully connected", 24), ("locally connected", 12),
                                               ("convolution", 3), ("local convolution", 6)])
def test_six_inputs_window_three(pattern, distinct):
    """6 inputs, 4 outputs, window 3, tiles of 2: 24, 12, 3 and 6 distinct weights."""
    ids = connection_weights(pattern, 6, 3, tile=2)
    assert ids.shape == (4, 6)
    assert len(np.unique(ids[ids >= 0])) == distinct == ids.max() + 1


def test_local_patterns_read_only_their_window():
    for pattern in PATTERNS[1:]:
        ids = connection_weights(pattern, 7, 3)
        assert ((ids >= 0).sum(axis=1) == 3).all()
        assert all((ids[i, i:i + 3] >= 0).all() for i in range(ids.shape[0]))


def test_unknown_pattern_is_named():
    with pytest.raises(ValueError, match="pattern must be one of"):
        connection_weights("dense", 6, 3)


def test_figures_draw():
    import matplotlib.pyplot as plt

    assert len(show_connection_patterns().axes) == 4
    figure = show_stack_receptive_field([3, 3, 3])
    assert "receptive field 7x7" in figure.axes[0].get_title()
    plt.close("all")
