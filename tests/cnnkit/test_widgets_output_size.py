"""Does the output-size explorer get the formula, the unused rows and invalid combinations right?"""

import pytest

pytest.importorskip("ipywidgets", reason="the explorers need ipywidgets")

import cnnkit  # noqa: E402
from cnnkit.widgets.output_size import OutputSizeExplorer, unused_input_cells  # noqa: E402


def _formula(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def _set(explorer, **values):
    for name, value in values.items():
        explorer.controls[name].value = value


def test_stride_that_skips_the_last_row():
    """i=8, k=3, s=2: o = floor(5/2) + 1 = 3 and row 7 is never read."""
    explorer = OutputSizeExplorer(cnnkit.conv_output_size)
    _set(explorer, size=8, stride=2)
    assert explorer.status_kind == "ok"
    assert explorer.output_size == 3 and explorer.unused == [7]
    assert "never read" in explorer.verdict.value and "= 3" in explorer.verdict.value


def test_matches_cnnkit_on_every_valid_combination_it_offers():
    explorer = OutputSizeExplorer(_formula)
    for size, k, s, p, d in [(7, 3, 1, 0, 1), (14, 7, 4, 3, 1), (9, 3, 2, 1, 3), (1, 1, 1, 0, 1)]:
        _set(explorer, size=size, kernel_size=k, stride=s, padding=p, dilation=d)
        assert explorer.output_size == cnnkit.conv_output_size(size, k, stride=s, padding=p, dilation=d)
        assert explorer.status_kind == "ok"


@pytest.mark.parametrize("student, kind", [
    (cnnkit.conv_output_size, "ok"),        # raises ValueError: right
    (_formula, "differs"),                  # returns a number <= 0: the chapter asks for a ValueError
    (lambda size, kernel_size, **kw: 1, "differs"),
    (lambda size, kernel_size, **kw: [][0], "error"),
])
def test_invalid_combination_is_said_plainly(student, kind):
    """i=5, k=7, d=2 spans 13 cells > 5: no window fits."""
    explorer = OutputSizeExplorer(student)
    _set(explorer, size=5, kernel_size=7, dilation=2)
    assert explorer.output_size <= 0
    assert "Invalid" in explorer.verdict.value
    assert explorer.status_kind == kind
    if kind == "differs":
        assert "no window fits: raise a ValueError" in explorer.status_message


def test_off_by_one_and_missing_students():
    explorer = OutputSizeExplorer(lambda size, kernel_size, stride=1, padding=0, dilation=1:
                                  (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride)
    assert explorer.status_kind == "differs" and "the formula gives 5" in explorer.status.value
    assert OutputSizeExplorer(None).status_kind == "missing"


def test_unused_input_cells_by_hand():
    """i=7, k=2, s=3: windows cover 0-1 and 3-4; cells 2, 5, 6 are never read."""
    assert unused_input_cells(7, 2, stride=3) == [2, 5, 6]
    assert unused_input_cells(7, 3, stride=2) == []
