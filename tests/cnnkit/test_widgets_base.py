"""The explorer base: does it report every state of a student's function plainly, headless?"""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is needed for the explorers")

from cnnkit.widgets import _base


class Doubler(_base.Explorer):
    """A minimal explorer: doubles a slider's value with the student's function."""

    title = "Doubler"

    def __init__(self, student):
        super().__init__()
        self.student = student
        widgets = _base.ipywidgets()
        self.controls = {"n": widgets.IntSlider(value=2, min=1, max=5)}
        self._assemble()

    def refresh(self):
        x = np.arange(self.controls["n"].value, dtype=float)
        outcome = _base.call_student(self.student, x, name="double")
        self.set_status(*_base.compare_outcome(outcome, 2 * x, name="double"))


def test_importing_widgets_does_not_import_ipywidgets():
    """Does `import cnnkit.widgets` stay light (ipywidgets only on first explorer)?"""
    import subprocess

    code = "import cnnkit, cnnkit.widgets, sys; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("student, kind, phrase", [
    (lambda x: 2 * x, "ok", "matches the reference"),
    (lambda x: 2 * x + (x == 1), "differs", "first mismatch at index (1,)"),
    (lambda x: x[:1], "differs", "gave shape (1,)"),
    (None, "missing", "not implemented yet"),
    (lambda x: (_ for _ in ()).throw(NotImplementedError()), "missing", "not implemented yet"),
    (lambda x: x[99], "error", "raised IndexError"),
    (lambda x: None, "error", "returned None"),
])
def test_status_line_for_each_kind_of_student_function(student, kind, phrase):
    """Is each outcome shown as its kind, with a one-line message and its CSS class?"""
    explorer = Doubler(student)
    explorer.controls["n"].value = 3  # the observer refreshes, as a slider drag would
    assert explorer.status_kind == kind
    assert phrase in explorer.status.value
    assert f"cnnkit-status-{kind}" in explorer.status._dom_classes
    assert sum(c.startswith("cnnkit-status-") for c in explorer.status._dom_classes) == 1
    assert "Traceback" not in explorer.status.value


def test_explorer_box_carries_its_css_class():
    """Can the browser tests find every explorer by its class?"""
    assert "cnnkit-explorer" in Doubler(lambda x: 2 * x).widget._dom_classes


def test_set_status_rejects_unknown_kinds():
    """Is a typo in an explorer's status kind caught?"""
    with pytest.raises(ValueError, match="kind must be one of"):
        Doubler(None).set_status("fine", "x")


def test_figure_to_png_renders_and_closes():
    """Does a figure become PNG bytes without leaking open figures?"""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure()
    data = _base.figure_to_png(figure)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(figure.number)


def test_pictures_off_closes_the_figure_unrendered_and_keeps_the_verdict(monkeypatch):
    """With CNNKIT_PICTURES=0 (the grader's kernels), does an explorer skip only its picture?"""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cnnkit.widgets.kernel_explorer import KernelExplorer

    drawn = KernelExplorer()
    monkeypatch.setenv(_base.PICTURES_VARIABLE, "0")
    figure = plt.figure()
    assert _base.figure_to_png(figure) == b""
    assert not plt.fignum_exists(figure.number)
    blind = KernelExplorer()
    assert drawn.image.value[:4] == b"\x89PNG" and blind.image.value == b""
    assert blind.image.layout.display == "none"
    assert (blind.status_kind, blind.status_message) == (drawn.status_kind, drawn.status_message)
    assert plt.get_fignums() == []


def test_status_message_is_the_plain_text_of_the_status_line():
    """Can a graded check quote what the explorer says without HTML tags?"""
    explorer = Doubler(lambda x: x[99])
    assert explorer.status_message.startswith("your double raised IndexError")
    assert "<" not in explorer.status_message


def test_hold_applies_several_changes_with_one_refresh():
    """Does `with explorer.hold()` redraw once, after the last change?"""
    calls = []
    explorer = Doubler(lambda x: calls.append(len(x)) or 2 * x)
    calls.clear()
    with explorer.hold():
        explorer.controls["n"].value = 4
        explorer.controls["n"].value = 5
        assert calls == []
    assert calls == [5]
    explorer.controls["n"].value = 3
    assert calls == [5, 3]


def test_picture_is_hidden_until_something_is_drawn():
    """Does an explorer without a picture show no (broken) image, and one with a picture show it?"""
    explorer = Doubler(lambda x: 2 * x)
    assert explorer.image.layout.display == "none"
    explorer.image.value = _base.figure_to_png(__import__("matplotlib.pyplot").pyplot.figure())
    assert explorer.image.layout.display is None
