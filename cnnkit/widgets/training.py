"""Chapter 07 explorers: check an assembled network layer by layer, and look at one digit.

:class:`NetworkCheckExplorer` builds the learner's network, gives it the weights
of cnnkit's reference network, and runs every layer forward and backward on the
same input as the reference layer (each layer gets the reference's activation,
so one wrong layer does not hide the others; the comparison is
:func:`cnnkit.nn.diagnosis.check_layers`, as in the notebook's tests, and names
a known mistake of the layer when the learner's result equals one). The "Check my network" button or
the ``batch`` control re-runs the check; ``explorer.rows`` holds one verdict per
layer.

:class:`DigitExplorer` shows a digit of the held-out set and the network's class
probabilities; its "next mistake" button jumps to the next digit the network gets wrong.

>>> from cnnkit.widgets.training import NetworkCheckExplorer
>>> NetworkCheckExplorer(None).status_kind
'missing'
"""

from __future__ import annotations

import html
from typing import Callable

import numpy as np

from cnnkit.nn.diagnosis import check_layers
from cnnkit.widgets._base import Explorer, call_student, figure_to_png, ipywidgets

__all__ = ["NetworkCheckExplorer", "DigitExplorer", "check_layers"]

_MARK = {"ok": "✔", "differs": "✘", "missing": "✎", "error": "⚠"}


class NetworkCheckExplorer(Explorer):
    """The "Check my network" explorer.

    Parameters
    ----------
    build_network : callable or None
        ``build_network()`` returns the learner's assembled network (a Sequential);
        ``None`` or a NotImplementedError shows "not implemented yet".
    build_reference : callable, optional
        ``build_reference()`` returns cnnkit's network; :func:`cnnkit.nn.lenet_digits` in float64.
    images : ndarray, shape (N, C, H, W), optional
        Inputs to check with (the first ``batch`` are used); random by default.
    """

    title = "Check my network: every layer forward and backward against cnnkit"

    def __init__(self, build_network: Callable | None, build_reference: Callable | None = None,
                 images: np.ndarray | None = None) -> None:
        super().__init__()
        widgets = ipywidgets()
        import cnnkit.nn as nn

        self.build_network = build_network
        self.build_reference = build_reference or (lambda: nn.lenet_digits(seed=0, dtype=np.float64))
        self.images = images
        self.rows: list[dict] = []
        self.controls["batch"] = widgets.IntSlider(value=4, min=1, max=16, description="batch")
        self.button = widgets.Button(description="Check my network", button_style="primary")
        self.button.on_click(lambda _button: self.refresh())
        self.table = widgets.HTML()
        self._assemble(extra=[self.button, self.table])

    def _inputs(self, reference, batch: int) -> np.ndarray:
        if self.images is not None:
            return np.asarray(self.images[:batch], dtype=np.float64)
        first = list(reference)[0]
        channels = first.weight.value.shape[1] if hasattr(first, "weight") else 1
        return np.random.default_rng(1).random((batch, channels, 8, 8))

    def refresh(self) -> None:
        outcome = call_student(self.build_network, name="network")
        if outcome.kind != "ok":
            self.rows = []
            self.table.value = ""
            self.set_status(outcome.kind, outcome.message)
            return
        reference = self.build_reference()
        self.rows = check_layers(outcome.value, reference,
                                 self._inputs(reference, self.controls["batch"].value))
        self.table.value = self._table_html()
        verdicts = [row[step] for row in self.rows for step in ("forward", "backward")]
        for kind in ("error", "differs", "missing"):
            if kind in verdicts:
                first = next(r for r in self.rows if kind in (r["forward"], r["backward"]))
                message = first["message"]
                if not message.startswith(first["layer"]):
                    message = f"layer {first['layer']}: {message}"
                self.set_status(kind, message)
                return
        batch = self.controls["batch"].value
        self.set_status("ok", f"all {len(self.rows)} layers match the reference forward and backward "
                              f"on a batch of {batch} image{'s' if batch > 1 else ''}")

    def _table_html(self) -> str:
        cells = "".join(
            f"<tr><td>{html.escape(r['layer'])}</td><td>{_MARK[r['forward']]} {r['forward']}</td>"
            f"<td>{_MARK[r['backward']]} {r['backward']}</td><td>{html.escape(r['message'])}</td></tr>"
            for r in self.rows)
        return ("<table class='cnnkit-layer-table'><tr><th>layer</th><th>forward</th>"
                f"<th>backward</th><th>note</th></tr>{cells}</table>")


class DigitExplorer(Explorer):
    """Pick a held-out digit: see it and the network's probabilities; jump to the next mistake.

    Parameters
    ----------
    model : Sequential or None
        A trained network (``None`` shows "not implemented yet").
    images : ndarray, shape (N, 1, H, W)
    labels : ndarray of int, shape (N,)

    Attributes
    ----------
    prediction : int or None
        The class the network gives the selected digit.
    next_button : ipywidgets.Button
        "next mistake": moves the slider to the next digit the network gets wrong
        (after the current one, wrapping around).
    """

    title = "A digit through your network"

    def __init__(self, model, images: np.ndarray, labels: np.ndarray) -> None:
        super().__init__()
        widgets = ipywidgets()
        self.model, self.images, self.labels = model, images, labels
        self.prediction = None
        self._wrong = None
        self.controls["index"] = widgets.IntSlider(value=0, min=0, max=len(images) - 1,
                                                   description="digit #")
        self.next_button = widgets.Button(description="next mistake", icon="forward")
        self.next_button.on_click(lambda _button: self.next_mistake())
        self._assemble(extra=[self.next_button])

    def wrong_indices(self) -> np.ndarray | None:
        """Indices of the digits the network gets wrong (computed once), or None if it cannot run."""
        if self._wrong is None:
            import cnnkit.nn as nn

            outcome = call_student(lambda: nn.predict(self.model, self.images), name="network's forward")
            if outcome.kind != "ok":
                return None
            self._wrong = np.flatnonzero(np.asarray(outcome.value).argmax(axis=1) != self.labels)
        return self._wrong

    def next_mistake(self) -> None:
        """Show the next wrongly read digit after the current one (the first again after the last)."""
        wrong = self.wrong_indices()
        if wrong is None:
            self.refresh()
        elif not len(wrong):
            self.set_status("ok", f"no mistakes: the network reads all {len(self.labels)} digits right")
        else:
            later = wrong[wrong > self.controls["index"].value]
            target = int(later[0] if len(later) else wrong[0])
            if target == self.controls["index"].value:
                self.refresh()
            self.controls["index"].value = target

    def refresh(self) -> None:
        import cnnkit.nn as nn
        from cnnkit.plotting import training as figures

        index = self.controls["index"].value
        image, label = self.images[index:index + 1], int(self.labels[index])
        forward = getattr(self.model, "forward", None)
        outcome = call_student(forward, image, name="network's forward")
        if outcome.kind != "ok":
            self.prediction = None
            self.set_status(outcome.kind, outcome.message)
            return
        probabilities = nn.softmax(np.asarray(outcome.value, dtype=np.float64))[0]
        self.prediction = int(probabilities.argmax())
        self.image.value = figure_to_png(figures.plot_prediction(image, probabilities, label))
        verdict = "right" if self.prediction == label else "wrong"
        if verdict == "wrong" and self._wrong is not None and index in self._wrong:
            verdict += f" (mistake {int(np.searchsorted(self._wrong, index)) + 1} of {len(self._wrong)})"
        self.set_status("ok" if verdict == "right" else "differs",
                        f"digit #{index}: true {label}, predicted {self.prediction} "
                        f"({probabilities.max():.0%} sure) -- {verdict}")
