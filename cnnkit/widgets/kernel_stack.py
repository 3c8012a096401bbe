"""Kernel-stack explorer (chapter 08): receptive field and weight count of a stack of layers.

Sliders pick how many stride-1 layers, their kernel side and the channel count C
(every layer C -> C). The picture shows what one top cell depends on; the table
line sets the stack beside one layer with a kernel as large as its receptive
field. The status line compares the student's ``stack_cost`` with the formula.

>>> explorer = KernelStackExplorer(stack_cost_formula)
>>> explorer.controls["layers"].value = 2
>>> explorer.receptive_field, explorer.weights, explorer.single_kernel_weights
(5, 73728, 102400)
"""

from __future__ import annotations

import html

from cnnkit.widgets._base import Explorer, call_student, figure_to_png, ipywidgets

__all__ = ["KernelStackExplorer", "stack_cost_formula"]


def stack_cost_formula(kernel_sizes, channels) -> tuple[int, int]:
    """``(1 + sum(k - 1), sum(k * k * c_in * c_out))`` of a stride-1 stack without biases.

    Parameters
    ----------
    kernel_sizes : sequence of int, length L
    channels : sequence of int, length L + 1
        Layer ``l`` maps ``channels[l]`` to ``channels[l + 1]`` channels.
    """
    if len(channels) != len(kernel_sizes) + 1:
        raise ValueError(f"stack_cost_formula: channels needs len(kernel_sizes) + 1 = {len(kernel_sizes) + 1} "
                         f"entries, got {len(channels)}")
    field = 1 + sum(k - 1 for k in kernel_sizes)
    weights = sum(k * k * c_in * c_out for k, c_in, c_out in zip(kernel_sizes, channels[:-1], channels[1:]))
    return int(field), int(weights)


class KernelStackExplorer(Explorer):
    """Sliders for the number of layers, the kernel side and C, with the student's count beside the formula's.

    Parameters
    ----------
    student : callable or None
        ``stack_cost(kernel_sizes, channels)`` returning ``(receptive_field, weights)``.

    Attributes
    ----------
    controls : dict
        ``layers``, ``kernel_size``, ``channels`` (IntSliders).
    receptive_field, weights : int
        The formula's numbers for the stack shown.
    single_kernel_weights : int
        Weights of one layer whose kernel is as large as the receptive field (field² C²).
    comparison : ipywidgets.HTML
        The stack against the single layer, in words.
    """

    title = "Stacking small kernels: receptive field and weights"

    def __init__(self, student=None):
        super().__init__()
        widgets = ipywidgets()
        self.student = student
        self.receptive_field = self.weights = self.single_kernel_weights = 0

        def slider(name, value, low, high, step=1):
            return widgets.IntSlider(value=value, min=low, max=high, step=step, description=name,
                                     continuous_update=False)

        self.controls = {
            "layers": slider("layers", 2, 1, 6),
            "kernel_size": slider("kernel k", 3, 1, 7),
            "channels": slider("channels C", 64, 1, 512),
        }
        self.comparison = widgets.HTML()
        self._assemble([self.comparison])

    def stack(self) -> tuple[list[int], list[int]]:
        """``(kernel_sizes, channels)`` of the stack the sliders describe."""
        layers, k, c = (self.controls[name].value for name in ("layers", "kernel_size", "channels"))
        return [k] * layers, [c] * (layers + 1)

    def refresh(self) -> None:
        from cnnkit.plotting.connections import show_stack_receptive_field

        sizes, channels = self.stack()
        self.receptive_field, self.weights = stack_cost_formula(sizes, channels)
        c, field = channels[0], self.receptive_field
        self.single_kernel_weights = field * field * c * c
        ratio = self.weights / self.single_kernel_weights
        self.comparison.value = html.escape(
            f"{len(sizes)} layers of {sizes[0]}x{sizes[0]}: receptive field {field}x{field}, "
            f"{self.weights:,} weights ({len(sizes)} x {sizes[0] ** 2} C²) | one {field}x{field} layer: "
            f"{self.single_kernel_weights:,} weights ({field ** 2} C²) | ratio {ratio:.2f}")
        self.image.value = figure_to_png(show_stack_receptive_field(sizes))
        self._compare(sizes, channels)

    def _compare(self, sizes, channels) -> None:
        outcome = call_student(self.student, list(sizes), list(channels), name="your stack_cost")
        if outcome.kind != "ok":
            self.set_status(outcome.kind, outcome.message)
            return
        expected = (self.receptive_field, self.weights)
        try:
            given = tuple(int(v) for v in outcome.value)
            same = given == expected and all(float(v) == g for v, g in zip(outcome.value, given))
        except (TypeError, ValueError):
            given, same = outcome.value, False
        if same:
            self.set_status("ok", f"your stack_cost gives (field, weights) = {expected}, as the formula does")
        else:
            self.set_status("differs", f"your stack_cost gives {given!r}, the formula gives {expected}")
