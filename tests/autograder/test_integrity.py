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
from autograder.integrity import CHECK_SOURCE, build_manifest, check_cell_setup, check_cell_source
from autograder.verdicts import MARKER, VerdictChannel, read_verdicts, token
from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE, LIMITS, autograder, read_grades

SECRET = b"s" * 32


@pytest.fixture(scope="module")
def manifest():
    return build_manifest()


def _problems(manifest):
    namespace = {"__name__": "autograder_integrity"}
    exec(CHECK_SOURCE, namespace)
    return namespace["run_check"](manifest)


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


def _line(index, verdict, notebook="nb", secret=SECRET):
    return f"{MARKER} {notebook} {index} {token(secret, notebook, index)} {verdict}\n"


def test_missing_doubled_forged_or_foreign_verdicts_are_problems():
    """Is a check without a verdict, with two, with another run's token, or junk on the channel reported?"""
    checks = {("nb", i): False for i in range(5)}
    text = (_line(0, "ok") + _line(2, "ok") + _line(2, "ok") + _line(3, "ok", secret=b"other")
            + _line(4, "FLAG numpy.max redefined") + "hello\n")
    assert read_verdicts(checks, text, SECRET) == [
        "a forged integrity verdict was written to the verdict channel",
        "integrity check 1 of nb sent no verdict (suppressed or broken)",
        "integrity check 2 of nb sent 2 verdicts instead of 1",
        "integrity check 3 of nb sent no verdict (suppressed or broken)",
        "numpy.max redefined",
        "the verdict channel received data that is not a verdict",
    ]
    assert read_verdicts({("nb", 0): True}, "", SECRET) == []  # a timed-out check is not evidence
    assert read_verdicts({("nb", 0): False}, _line(0, "ok"), SECRET, flooded=True) == ["the verdict channel was flooded"]


def test_the_check_cell_writes_past_patched_print_streams_and_os_write(manifest, monkeypatch):
    """With print, sys.stdout/stderr and os.write rewriting FLAG into ok, does the FLAG still reach the worker?"""
    def rewrite(text):
        return re.sub(r"FLAG [^\n]*", "ok", text)

    real_print, real_write = builtins.print, os.write
    monkeypatch.setattr(builtins, "print", lambda *a, **k: real_print(*(rewrite(str(x)) for x in a), **k))
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, rewrite(data.decode()).encode()))
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    channel = VerdictChannel()
    try:
        source = check_cell_source(check_cell_setup(channel.write_fd, manifest, {}), "nb", 0, token(SECRET, "nb", 0))
        exec(source, {})
    finally:
        text = channel.close()
    assert "FLAG" in text and sys.stdout.getvalue() == ""
    problems = read_verdicts({("nb", 0): False}, text, SECRET)
    assert "numpy.allclose redefined" in problems and "builtins.print redefined" in problems


# Each notebook turns any "FLAG ..." it can reach into "ok" through one channel, and patches numpy.
_PATCH_NUMPY = "np.allclose = lambda *a, **k: True\n"
CHANNEL_ATTACKS = {
    "print": ("import builtins, re\nimport numpy as np\n_print = builtins.print\n\n\n"
              "def _ok(*args, **kwargs):\n"
              "    return _print(*(re.sub(r'FLAG .*', 'ok', str(a)) for a in args), **kwargs)\n\n\n"
              "builtins.print = _ok\n" + _PATCH_NUMPY),
    "streams": ("import re, sys\nimport numpy as np\n\n\nclass _Rewrite:\n"
                "    def __init__(self, stream):\n        self.stream = stream\n\n"
                "    def write(self, text):\n        return self.stream.write(re.sub(r'FLAG [^\\n]*', 'ok', text))\n\n"
                "    def __getattr__(self, name):\n        return getattr(self.stream, name)\n\n\n"
                "sys.stdout, sys.stderr = _Rewrite(sys.stdout), _Rewrite(sys.stderr)\n" + _PATCH_NUMPY),
    "display": ("import re, sys\nimport numpy as np\nshell = get_ipython()\n_publish = shell.display_pub.publish\n\n\n"
                "def _publish_ok(data, *args, **kwargs):\n"
                "    data = {k: re.sub(r'FLAG .*', 'ok', v) if isinstance(v, str) else v for k, v in data.items()}\n"
                "    return _publish(data, *args, **kwargs)\n\n\n"
                "shell.display_pub.publish = _publish_ok\n_hook = sys.displayhook\n"
                "sys.displayhook = lambda v: _hook(re.sub(r'FLAG .*', 'ok', v) if isinstance(v, str) else v)\n"
                "_session = shell.kernel.session\n_send = _session.send\n\n\n"
                "def _send_ok(stream, msg, content=None, *args, **kwargs):\n"
                "    if isinstance(content, dict) and isinstance(content.get('text'), str):\n"
                "        content = dict(content, text=re.sub(r'FLAG [^\\n]*', 'ok', content['text']))\n"
                "    return _send(stream, msg, content, *args, **kwargs)\n\n\n"
                "_session.send = _send_ok\n" + _PATCH_NUMPY),
    "os-write": ("import os, posix, re\nimport numpy as np\n_write = os.write\n\n\n"
                 "def _write_ok(fd, data):\n    return _write(fd, re.sub(rb'FLAG [^\\n]*', b'ok', bytes(data)))\n\n\n"
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
