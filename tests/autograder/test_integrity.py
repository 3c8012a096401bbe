"""The integrity check and its verdict channel: in this process, then through real grading."""

from __future__ import annotations

import builtins
import io
import os
import re
import shutil
import sys

import nbformat
import numpy as np
import pytest

import cnnkit.checking
from autograder.integrity import (CHECK_SOURCE, CHECKED_MODULES, SKIPPED, build_manifest, check_cell_setup,
                                  check_cell_source, parse_state, state_problems)
from autograder.verdicts import MARKER, VerdictChannel, read_verdicts, token
from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE, LIMITS, autograder, read_grades

SECRET = b"s" * 32


@pytest.fixture(scope="module")
def manifest():
    return build_manifest()


def _state():
    namespace = {"__name__": "autograder_integrity"}
    exec(CHECK_SOURCE, namespace)
    return namespace["state_text"](CHECKED_MODULES, SKIPPED)


def _problems(manifest):
    return state_problems(manifest, _state())


def test_clean_process_is_ok(manifest):
    """Does an untouched process pass its own manifest?"""
    assert _problems(manifest) == []


@pytest.mark.parametrize("module, name", [(np, "allclose"), (cnnkit.checking, "assert_close")])
def test_redefined_function_is_flagged(manifest, monkeypatch, module, name):
    """Is replacing a numpy function or a checking helper reported by name?"""
    monkeypatch.setattr(module, name, lambda *a, **k: True)
    assert f"{module.__name__}.{name} redefined" in _problems(manifest)


def test_forbid_leaves_no_trace(manifest):
    """After a forbid block, is cnnkit unchanged (so honest tests never flag)?"""
    with cnnkit.checking.forbid("conv_output_size"):
        pass
    assert _problems(manifest) == []


def test_a_function_the_notebook_adds_to_a_checked_module_is_flagged(manifest, monkeypatch):
    """Is a new name in numpy whose code the notebook defined reported, and a harmless new constant not?"""
    def helper():
        return True

    helper.__module__ = "__main__"
    monkeypatch.setattr(np, "my_helper", helper, raising=False)
    monkeypatch.setattr(np, "MY_CONSTANT", 3, raising=False)
    assert _problems(manifest) == ["numpy.my_helper added by the notebook"]


def test_names_with_line_breaks_or_separators_cannot_shift_the_state(manifest, monkeypatch):
    """Can a name holding the state's separators hide a redefinition or forge a verdict line?"""
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setitem(vars(cnnkit.checking), "x\x1enumpy\x1fallclose\x1dbuiltins.function:numpy:allclose\nX", 1)
    state = _state()
    assert "\n" not in state
    assert "numpy.allclose redefined" in state_problems(manifest, state)
    assert parse_state(state)["numpy"]["allclose"] != manifest["modules"]["numpy"]["allclose"]


def test_the_state_is_parsed_back_as_the_manifest_holds_it(manifest):
    """Does a clean process's state line parse to exactly the manifest's modules (one format, both ways)?"""
    assert parse_state(_state()) == manifest["modules"]


def _line(index, verdict, notebook="nb", secret=SECRET, state=""):
    return f"{MARKER} {notebook} {index} {token(secret, notebook, index)} {verdict}\x1c{state}\n"


def _no_state_problems(state):
    return []


def test_missing_doubled_forged_or_foreign_verdicts_are_problems():
    """Is a check without a verdict, with two, with another run's token, or junk on the channel reported?"""
    checks = {("nb", i): False for i in range(5)}
    text = (_line(0, "ok") + _line(2, "ok") + _line(2, "ok") + _line(3, "ok", secret=b"other")
            + _line(4, "FLAG numpy.max redefined") + "hello\n")
    assert read_verdicts(checks, text, SECRET, _no_state_problems) == [
        "a forged integrity verdict was written to the verdict channel",
        "integrity check 1 of nb sent no verdict (suppressed or broken)",
        "integrity check 2 of nb sent 2 verdicts instead of 1",
        "integrity check 3 of nb sent no verdict (suppressed or broken)",
        "numpy.max redefined",
        "the verdict channel received data that is not a verdict",
    ]
    assert read_verdicts({("nb", 0): True}, "", SECRET, _no_state_problems) == []  # a timed-out check is not evidence
    assert read_verdicts({("nb", 0): False}, _line(0, "ok"), SECRET, _no_state_problems,
                         flooded=True) == ["the verdict channel was flooded"]
    without_state = f"{MARKER} nb 0 {token(SECRET, 'nb', 0)} ok\n"
    assert read_verdicts({("nb", 0): False}, without_state, SECRET, _no_state_problems) == [
        "integrity check 0 of nb sent no verdict (suppressed or broken)",
        "the verdict channel received data that is not a verdict",
    ]


def test_each_state_is_compared_with_the_manifest_once():
    """Are the states that verdict lines carry checked, each distinct one once, its problems reported?"""
    seen = []

    def check_state(state):
        seen.append(state)
        return [f"{state} redefined"] if state else []

    checks = {("nb", i): False for i in range(4)}
    text = _line(0, "ok") + _line(1, "ok") + _line(2, "ok", state="numpy.max") + _line(3, "ok", state="numpy.max")
    assert read_verdicts(checks, text, SECRET, check_state) == ["numpy.max redefined"]
    assert seen == ["", "numpy.max"]


def test_the_check_cell_writes_past_patched_print_streams_and_os_write(manifest, monkeypatch):
    """With print, sys.stdout/stderr and os.write rewriting verdicts into a bare ok, does the state still reach the worker?"""
    def rewrite(text):
        return re.sub(r"(ok|FLAG [^\x1c\n]*)\x1c[^\n]*", "ok\x1c", text)

    real_print, real_write = builtins.print, os.write
    monkeypatch.setattr(builtins, "print", lambda *a, **k: real_print(*(rewrite(str(x)) for x in a), **k))
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, rewrite(data.decode()).encode()))
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    channel = VerdictChannel()
    try:
        source = check_cell_source(check_cell_setup(channel.write_fd, {}), "nb", 0, token(SECRET, "nb", 0))
        exec(source, {})
    finally:
        text = channel.close()
    assert sys.stdout.getvalue() == ""
    problems = read_verdicts({("nb", 0): False}, text, SECRET, lambda state: state_problems(manifest, state))
    assert "numpy.allclose redefined" in problems and "builtins.print redefined" in problems


# Each notebook turns any verdict line it can reach into "ok" without the module state (which names what
# was redefined) through one channel, and patches numpy.
_TO_OK = "(ok|FLAG [^\\x1c\\n]*)\\x1c[^\\n]*"
_PATCH_NUMPY = "np.allclose = lambda *a, **k: True\n"
CHANNEL_ATTACKS = {
    "print": ("import builtins, re\nimport numpy as np\n_print = builtins.print\n\n\n"
              "def _ok(*args, **kwargs):\n"
              "    return _print(*(re.sub(r'" + _TO_OK + "', 'ok\\x1c', str(a)) for a in args), **kwargs)\n\n\n"
              "builtins.print = _ok\n" + _PATCH_NUMPY),
    "streams": ("import re, sys\nimport numpy as np\n\n\nclass _Rewrite:\n"
                "    def __init__(self, stream):\n        self.stream = stream\n\n"
                "    def write(self, text):\n        return self.stream.write(re.sub(r'" + _TO_OK + "', 'ok\\x1c', text))\n\n"
                "    def __getattr__(self, name):\n        return getattr(self.stream, name)\n\n\n"
                "sys.stdout, sys.stderr = _Rewrite(sys.stdout), _Rewrite(sys.stderr)\n" + _PATCH_NUMPY),
    "display": ("import re, sys\nimport numpy as np\nshell = get_ipython()\n_publish = shell.display_pub.publish\n\n\n"
                "def _publish_ok(data, *args, **kwargs):\n"
                "    data = {k: re.sub(r'" + _TO_OK + "', 'ok\\x1c', v) if isinstance(v, str) else v for k, v in data.items()}\n"
                "    return _publish(data, *args, **kwargs)\n\n\n"
                "shell.display_pub.publish = _publish_ok\n_hook = sys.displayhook\n"
                "sys.displayhook = lambda v: _hook(re.sub(r'" + _TO_OK + "', 'ok\\x1c', v) if isinstance(v, str) else v)\n"
                "_session = shell.kernel.session\n_send = _session.send\n\n\n"
                "def _send_ok(stream, msg, content=None, *args, **kwargs):\n"
                "    if isinstance(content, dict) and isinstance(content.get('text'), str):\n"
                "        content = dict(content, text=re.sub(r'" + _TO_OK + "', 'ok\\x1c', content['text']))\n"
                "    return _send(stream, msg, content, *args, **kwargs)\n\n\n"
                "_session.send = _send_ok\n" + _PATCH_NUMPY),
    "os-write": ("import os, posix, re\nimport numpy as np\n_write = os.write\n\n\n"
                 "def _write_ok(fd, data):\n    return _write(fd, re.sub(rb'" + _TO_OK + "', b'ok\\x1c', bytes(data)))\n\n\n"
                 "os.write = posix.write = _write_ok\n" + _PATCH_NUMPY),
}


@pytest.mark.slow
def test_no_output_channel_turns_a_flag_into_ok(tmp_path):
    """Through patched print, replaced streams, display hooks and session, or os.write: is each still flagged?"""
    autograder("samples", ASSIGNMENT, "--out", tmp_path / "samples", "--source", FIXTURE_SOURCE)
    inbox = tmp_path / "inbox"
    for name, attack in CHANNEL_ATTACKS.items():
        folder = inbox / f"channel-{name}" / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copy(tmp_path / "samples" / "full" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder)
        path = folder / f"{ASSIGNMENT}.ipynb"
        nb = nbformat.read(path, as_version=4)
        first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        nb.cells.insert(first_code + 1, nbformat.v4.new_code_cell(attack))
        nbformat.write(nb, path)
    autograder("grade", inbox, "--out", tmp_path / "out", "--jobs", 2, *LIMITS, "--no-feedback",
               "--source", FIXTURE_SOURCE)
    grades = read_grades(tmp_path / "out" / "grades.csv")
    for name in CHANNEL_ATTACKS:
        row = grades[f"channel-{name}"]
        assert row["status"] == "flagged", (name, row)
        assert "integrity: " in row["reason"] and "numpy.allclose redefined" in row["reason"], (name, row["reason"])
