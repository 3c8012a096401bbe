"""Does the kernel-stack explorer count the receptive field and the weights right, and judge the student's?"""

import pytest

pytest.importorskip("ipywidgets", reason="the explorers need ipywidgets")

from cnnkit.widgets.kernel_stack import KernelStackExplorer, stack_cost_formula  # noqa: E402


def _set(explorer, **values):
    with explorer.hold():
        for name, value in values.items():
            explorer.controls[name].value = value


def test_two_3x3_against_one_5x5():
    """Two 3x3 layers on 64 channels: field 5, 18 C^2 = 73728 weights against 25 C^2 = 102400."""
    explorer = KernelStackExplorer(stack_cost_formula)
    _set(explorer, layers=2, kernel_size=3, channels=64)
    assert explorer.status_kind == "ok", explorer.status_message
    assert (explorer.receptive_field, explorer.weights, explorer.single_kernel_weights) == (5, 73728, 102400)
    assert "ratio 0.72" in explorer.comparison.value
    assert explorer.image.value, "the stack is drawn"


def test_three_3x3_against_one_7x7():
    explorer = KernelStackExplorer(stack_cost_formula)
    _set(explorer, layers=3, kernel_size=3, channels=10)
    assert (explorer.receptive_field, explorer.weights, explorer.single_kernel_weights) == (7, 2700, 4900)


@pytest.mark.parametrize("student, kind", [
    (None, "missing"),
    (lambda sizes, channels: (_ for _ in ()).throw(NotImplementedError()), "missing"),
    (lambda sizes, channels: (sum(sizes), 73728), "differs"),          # the field adds the kernel sizes
    (lambda sizes, channels: (5, 73728, 0), "differs"),                 # three numbers
    (lambda sizes, channels: 1 / 0, "error"),
    (lambda sizes, channels: (5.0, 73728.0), "ok"),                     # whole floats are the same numbers
])
def test_status_says_what_the_student_function_did(student, kind):
    explorer = KernelStackExplorer(student)
    _set(explorer, layers=2, kernel_size=3, channels=64)
    assert explorer.status_kind == kind, explorer.status_message
    if kind == "missing":
        assert "not implemented yet" in explorer.status_message


def test_formula_refuses_a_channel_list_of_the_wrong_length():
    with pytest.raises(ValueError, match="len\\(kernel_sizes\\) \\+ 1 = 3 entries, got 2"):
        stack_cost_formula([3, 3], [64, 64])
