"""conv_and_pool_catalogue: every variant of the course, its numbers measured by calling the ops."""

import pytest

import cnnkit
from cnnkit.catalogue import conv_and_pool_catalogue
from cnnkit.checking import ForbiddenCall, forbid

#: The variants chapter 08's closing map must show (issue 14).
EXPECTED = {
    "convolution": {"standard", "dilated", "strided", "grouped", "depthwise", "1x1", "transposed",
                    "3-D", "locally connected (unshared)", "full (wide)"},
    "pooling": {"max", "average", "L2 (Lp, p = 2)", "global average", "global max",
                "spatial pyramid (SPP)", "VLAD", "NetVLAD"},
}


@pytest.fixture(scope="module")
def rows():
    return {row["name"]: row for row in conv_and_pool_catalogue()}


def test_every_variant_is_there_once(rows):
    """One row per variant of the course, each with its kind and a description."""
    assert {kind: {n for n, r in rows.items() if r["kind"] == kind} for kind in EXPECTED} == EXPECTED
    assert len(rows) == len(conv_and_pool_catalogue())
    assert all(row["changes"] and row["call"].startswith("cnnkit.") for row in rows.values())


def test_numbers_agree_with_the_formulas(rows):
    """Parameter counts and output sizes are those of the course's formulas (C = F = 4, K = 3, 8 x 8)."""
    expected = {
        "standard": (4 * 4 * 9 + 4, (1, 4, 6, 6)),
        "strided": (148, (1, 4, 3, 3)),
        "dilated": (148, (1, 4, 4, 4)),
        "full (wide)": (148, (1, 4, 10, 10)),                    # grows by K - 1 = 2
        "1x1": (4 * 4 + 4, (1, 4, 8, 8)),
        "grouped": (4 * 2 * 9 + 4, (1, 4, 6, 6)),
        "depthwise": (4 * 9 + 4, (1, 4, 6, 6)),
        "transposed": (148, (1, 4, 17, 17)),                     # (8 - 1) * 2 + 3
        "3-D": (4 * 4 * 27 + 4, (1, 4, 2, 6, 6)),
        "locally connected (unshared)": (36 * 148, (1, 4, 6, 6)),   # one bank per position
        "max": (0, (1, 4, 4, 4)),
        "global average": (0, (1, 4, 1, 1)),
        "global max": (0, (1, 4, 1, 1)),
        "spatial pyramid (SPP)": (0, (1, 4 * (1 + 4 + 16))),
        "VLAD": (8 * 4, (1, 8 * 4)),
        "NetVLAD": (8 * (2 * 4 + 1), (1, 8 * 4)),
    }
    for name, (parameters, shape) in expected.items():
        assert (rows[name]["parameters"], rows[name]["output_shape"]) == (parameters, shape), name


@pytest.mark.parametrize("op", ["conv3d", "locally_connected2d", "netvlad", "spatial_pyramid_pool"])
def test_the_numbers_come_from_calling_the_ops(op):
    """Forbidding an op makes the catalogue fail: its rows are measured, not typed."""
    with forbid(op), pytest.raises(ForbiddenCall):
        conv_and_pool_catalogue()


def test_is_public():
    assert cnnkit.conv_and_pool_catalogue is conv_and_pool_catalogue
