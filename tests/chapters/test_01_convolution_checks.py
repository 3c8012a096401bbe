"""Chapter 01's own checks, run from the solution notebook: do they tell right from wrong?

The bank harness grades exercises; these cells are not exercises: the explorer
check (a flipped corr2d must fail it, which a symmetric kernel cannot show) and
the check-yourself tests (an equivalent answer -- a list, numpy ints -- must
pass; a wrong one must fail without printing the right answer).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import cnnkit  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions" / "01_convolution" / "01_convolution.ipynb"


def _cell(grade_id: str) -> str:
    for cell in nbformat.read(str(NOTEBOOK), as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            lines = [line for line in cell.source.splitlines()
                     if not line.lstrip().startswith(("%", "### BEGIN", "### END"))]
            return "\n".join(lines)
    raise KeyError(grade_id)


def _namespace(**names) -> dict:
    namespace: dict = {}
    exec(_cell("code_02"), namespace)
    namespace.update(names)
    return namespace


def test_the_explorer_check_passes_a_right_corr2d_and_fails_a_flipped_one():
    """The flipped corr2d kept the point while the check used only 'sharpen': does it lose it now?"""
    exec(_cell("test_widget_kernel_explorer"), _namespace(corr2d=cnnkit.corr2d))
    flipped = lambda x, k: cnnkit.corr2d(x, np.asarray(k)[::-1, ::-1])  # noqa: E731
    with pytest.raises(AssertionError, match="vertical edge \\(Sobel\\)"):
        exec(_cell("test_widget_kernel_explorer"), _namespace(corr2d=flipped))


@pytest.mark.parametrize("name, right, equivalents, wrong", [
    ("output_shape", (8, 16, 28, 28), [[8, 16, 28, 28], np.array([8, 16, 28, 28]),
                                       tuple(np.int64(v) for v in (8, 16, 28, 28))], [(8, 16, 32, 32), (16, 8, 28, 28)]),
    ("same_under_flip", {"a", "b", "c", "f"}, [["a", "b", "c", "f"], ("f", "c", "b", "a"), {"A", "b ", "c", "f"}],
     [{"a", "c", "f"}, {"a", "b", "c", "d", "f"}]),
    ("params", (1792, 36928), [[1792, 36928], np.array([1792, 36928])], [(1728, 36864), (36928, 1792)]),
    ("mult_adds", 940800, [np.int64(940800), 940800.0], [884736, 47040]),
    ("learned_kernel", [[4, 3], [2, 1]], [((4, 3), (2, 1)), np.array([[4.0, 3.0], [2.0, 1.0]])],
     [[[1, 2], [3, 4]], [[4, 2], [3, 1]]]),
])
def test_check_yourself_accepts_equivalent_answers_and_never_prints_the_answer(name, right, equivalents, wrong):
    source = _cell(f"test_q_{name}")
    for answer in [right, *equivalents]:
        exec(source, _namespace(**{f"answer_{name}": answer}))
    for answer in [None, *wrong]:
        with pytest.raises(AssertionError) as info:
            exec(source, _namespace(**{f"answer_{name}": answer}))
        message = str(info.value)
        assert message and str(right) not in message and all(
            str(v) not in message for v in np.ravel(np.asarray(sorted(right) if isinstance(right, set) else right)) if isinstance(v, (int, np.integer)) and v > 10)
