"""Pieces every explorer shares.

An explorer runs the student's function next to cnnkit's and says plainly what
happened: the student's result matches, differs (and where), is not written yet,
or raised. It never shows a traceback. Its parts are ordinary ipywidgets, so a
test drives it from code by setting ``explorer.controls[name].value`` and reads
``explorer.status_kind`` and ``explorer.status_message`` (plain text); several
changes at once go inside ``with explorer.hold():`` so the picture is redrawn
once.

CSS classes (stable, for the browser tests): every explorer's outer box has
``cnnkit-explorer``; its status line has ``cnnkit-status`` plus one of
``cnnkit-status-ok``, ``cnnkit-status-differs``, ``cnnkit-status-missing``,
``cnnkit-status-error``.
"""

from __future__ import annotations

import contextlib
import html
import io
import os
from typing import Any, Callable

import numpy as np

from cnnkit.checking import Outcome, call_learner, describe_mismatch

STATUS_KINDS = ("ok", "differs", "missing", "error")

_STATUS_STYLE = {
    "ok": ("#1b5e20", "#e8f5e9", "✔"),
    "differs": ("#b71c1c", "#ffebee", "✘"),
    "missing": ("#5d4037", "#fff8e1", "✎"),
    "error": ("#b71c1c", "#ffebee", "⚠"),
}


def ipywidgets():
    """Import ipywidgets on first use (keeps ``import cnnkit`` light)."""
    import ipywidgets as widgets

    return widgets


def call_student(function: Callable | None, *args, name: str = "function", **kwargs) -> Outcome:
    """Call the learner's ``function``: :func:`cnnkit.checking.call_learner`, as an explorer calls it.

    ``name`` is the bare name ("corr2d"): messages say "your corr2d ...".
    """
    return call_learner(function, args, kwargs, name=name)


def compare_outcome(outcome: Outcome, expected, *, name: str = "function") -> tuple[str, str]:
    """Compare a learner's outcome with the reference result: ``(kind, message)``."""
    if outcome.kind != "ok":
        return outcome.kind, outcome.message
    actual = np.asarray(outcome.value, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        return "differs", f"your {name} gave shape {actual.shape}, the reference gives {expected.shape}"
    problem = describe_mismatch(actual, expected)
    if problem is None:
        return "ok", f"your {name} matches the reference"
    return "differs", f"your {name} differs from the reference: {problem}"


#: Environment variable that turns the explorers' pictures off ("0"); the grader sets it in
#: its kernels, where nobody looks at them and rendering them costs most of a refresh.
PICTURES_VARIABLE = "CNNKIT_PICTURES"


def pictures_enabled() -> bool:
    """Whether explorers render their pictures (True unless ``CNNKIT_PICTURES=0``)."""
    return os.environ.get(PICTURES_VARIABLE, "1") != "0"


def figure_to_png(figure) -> bytes:
    """Render a matplotlib figure to PNG bytes and close it (for ``ipywidgets.Image``).

    With pictures off (:func:`pictures_enabled`) the figure is closed unrendered and the
    result is ``b""``: the explorer's image stays hidden, its status and numbers are the same.
    """
    import matplotlib.pyplot as plt

    if not pictures_enabled():
        plt.close(figure)
        return b""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


class Explorer:
    """Base class: a titled box with controls, a picture and a status line.

    Subclasses build ``self.controls`` (a dict of ipywidgets keyed by parameter
    name), call :meth:`_assemble` once, and implement :meth:`refresh`, which
    recomputes, redraws and calls :meth:`set_status`. Every control change calls
    :meth:`refresh`.
    """

    title = "Explorer"

    def __init__(self) -> None:
        widgets = ipywidgets()
        self.controls: dict[str, Any] = {}
        # flex-start: a narrow figure keeps its own size instead of being stretched blurry;
        # hidden until something is drawn, so an explorer without a picture shows no broken icon
        self.image = widgets.Image(format="png",
                                   layout=widgets.Layout(align_self="flex-start", display="none"))
        self.image.observe(self._show_image_when_drawn, names="value")
        self.status = widgets.HTML()
        self.status.add_class("cnnkit-status")
        self.status_kind = "missing"
        self.status_message = ""
        self.widget = None
        self._holding = False

    def _assemble(self, extra: list | None = None) -> None:
        widgets = ipywidgets()
        heading = widgets.HTML(f"<b>{html.escape(self.title)}</b>")
        controls = widgets.VBox(list(self.controls.values()))
        children = [heading, controls, *(extra or []), self.image, self.status]
        self.widget = widgets.VBox(children)
        self.widget.add_class("cnnkit-explorer")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    def _show_image_when_drawn(self, change) -> None:
        self.image.layout.display = None if change["new"] else "none"

    def _on_change(self, _change) -> None:
        if not self._holding:
            self.refresh()

    @contextlib.contextmanager
    def hold(self):
        """Apply several control changes with a single refresh at the end.

        >>> with explorer.hold():                        # doctest: +SKIP
        ...     explorer.controls["stride"].value = 2
        ...     explorer.controls["padding"].value = 1
        """
        previous, self._holding = self._holding, True
        try:
            yield self
        finally:
            self._holding = previous
        if not previous:
            self.refresh()

    def set_status(self, kind: str, message: str) -> None:
        """Show ``message`` in the status line, styled by ``kind`` (one of STATUS_KINDS)."""
        if kind not in STATUS_KINDS:
            raise ValueError(f"set_status: kind must be one of {STATUS_KINDS}, got {kind!r}")
        color, background, icon = _STATUS_STYLE[kind]
        for other in STATUS_KINDS:
            self.status.remove_class(f"cnnkit-status-{other}")
        self.status.add_class(f"cnnkit-status-{kind}")
        self.status_kind = kind
        self.status_message = message
        self.status.value = (
            f'<div style="color:{color};background:{background};padding:4px 8px;'
            f'border-radius:4px">{icon} {html.escape(message)}</div>'
        )

    def refresh(self) -> None:  # pragma: no cover - subclasses implement it
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
