"""Does the kernel explorer run the student's corr2d beside cnnkit's and say plainly what happened?"""

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the explorers need ipywidgets")

import cnnkit  # noqa: E402
from cnnkit.widgets.kernel_explorer import CUSTOM, KERNELS, KernelExplorer, parse_kernel  # noqa: E402


def _corr2d_flipped(x, k):
    """A classic mistake: true convolution instead of cross-correlation."""
    return cnnkit.corr2d(x, np.asarray(k)[::-1, ::-1])


def test_reference_matches_and_readout_is_the_window_sum():
    explorer = KernelExplorer(cnnkit.corr2d)
    explorer.controls["kernel"].value = "sharpen"
    explorer.controls["row"].value, explorer.controls["col"].value = 12, 30
    assert explorer.status_kind == "ok"
    photo = explorer.photos["grace_hopper"]
    expected = np.sum(photo[12:15, 30:33] * np.array(KERNELS["sharpen"]))
    assert f"= {expected:.4g}; yours: {expected:.4g}" in explorer.readout.value
    assert explorer.image.value[:4] == b"\x89PNG"
    assert "cnnkit-status-ok" in explorer.status._dom_classes


def test_flipped_kernel_differs_only_for_asymmetric_kernels():
    explorer = KernelExplorer(_corr2d_flipped)
    explorer.controls["kernel"].value = "box blur"
    assert explorer.status_kind == "ok"
    explorer.controls["kernel"].value = "vertical edge (Sobel)"
    assert explorer.status_kind == "differs"
    assert "first mismatch" in explorer.status.value


@pytest.mark.parametrize("student, kind, words", [
    (None, "missing", "not implemented yet"),
    (lambda x, k: (_ for _ in ()).throw(NotImplementedError()), "missing", "not implemented yet"),
    (lambda x, k: 1 / 0, "error", "ZeroDivisionError"),
    (lambda x, k: np.zeros((3, 3)), "differs", "shape (3, 3)"),
])
def test_student_states(student, kind, words):
    explorer = KernelExplorer(student)
    assert explorer.status_kind == kind
    assert words in explorer.status.value


def test_custom_kernel_and_photo_change_resize_the_sliders():
    explorer = KernelExplorer(cnnkit.corr2d)
    explorer.controls["photo"].value = "present"          # 64 x 64 after shrinking
    explorer.controls["kernel"].value = CUSTOM
    explorer.controls["custom"].value = "1 1 1 1 1; -1 -1 -1 -1 -1"
    assert explorer.status_kind == "ok"
    assert explorer.kernel.shape == (2, 5)
    assert explorer.controls["row"].max == 62 and explorer.controls["col"].max == 59
    explorer.controls["custom"].value = "1 2; three"
    assert explorer.status_kind == "error" and "cannot read" in explorer.status.value


def test_parse_kernel_reads_fractions_and_rejects_ragged_rows():
    np.testing.assert_allclose(parse_kernel("1/9, 1/9\n-1 .5"), [[1 / 9, 1 / 9], [-1, 0.5]])
    with pytest.raises(ValueError, match="same number of entries"):
        parse_kernel("1 2 3; 4 5")
    with pytest.raises(ValueError, match="empty"):
        parse_kernel(" ; ")
