"""The integrity verdicts' channel: a pipe from the grading kernel to the worker.

A check cell does not ``print`` its verdict: student code that ran before it
could rewrite anything printed (a patched ``builtins.print``, a replaced
``sys.stdout``, IPython's display hooks, the kernel's session). Instead:

- the worker opens a pipe for each submission (:class:`VerdictChannel`) and the
  kernel inherits its write end (``pass_fds``, see
  :mod:`autograder.kernel_manager`); its number is only in the check cells;
- a check cell writes one line per check straight to that file descriptor with
  ``_io.FileIO``, found by walking the subclasses of ``object`` through
  ``type``'s own descriptors (:data:`WRITER_SOURCE`): no module attribute,
  builtin or stream that student code can replace is on that path;
- each line carries a token that is an HMAC of the check's position under a
  per-submission secret the kernel never sees (:func:`token`), so knowing one
  check's token does not forge another's; the worker drains the pipe in a
  thread, so filling it cannot block a check;
- :func:`read_verdicts` wants exactly one line with the right token per check
  cell that ran: a missing, doubled or foreign line is itself a problem. After
  the verdict a line carries the kernel's module state, which the worker
  compares with its manifest (:func:`autograder.integrity.state_problems`).

What this cannot stop -- code that hooks the execution of the check cell itself
(IPython input transformers, ``exec`` replaced, audit hooks) -- needs
constructs that :mod:`autograder.static_scan` flags.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading

from autograder.integrity import STATE

MARKER = "AUTOGRADER-INTEGRITY"
#: Stop keeping channel data past this many bytes (a flood is itself reported); a check's line is ~150 KB.
MAX_BYTES = 1 << 26

_KERNEL_FDS: list[int] = []

# Executed in the grading kernel. Uses only literals and the descriptors of
# built-in types, which Python code cannot change.
WRITER_SOURCE = r'''
def write_verdict(fd, line):
    kind = ().__class__.__class__
    flags, name = kind.__dict__["__flags__"].__get__, kind.__dict__["__name__"].__get__
    module, subclasses = kind.__dict__["__module__"].__get__, kind.__dict__["__subclasses__"]
    todo = [().__class__.__mro__[-1]]
    while todo:
        klass = todo.pop()
        if not flags(klass) & 512 and name(klass) == "FileIO" and module(klass) == "_io":
            raw = klass(fd, "w", closefd=False)
            klass.__dict__["write"](raw, (line + "\n").encode())
            return
        todo.extend(subclasses(klass))
'''


def token(secret: bytes, notebook: str, index: int) -> str:
    """The token of check ``index`` of ``notebook``: 16 hex digits of HMAC-SHA256."""
    return hmac.new(secret, f"{notebook}:{index}".encode(), hashlib.sha256).hexdigest()[:16]


def kernel_fds() -> tuple:
    """File descriptors a grading kernel must inherit (the write end of the open channel)."""
    return tuple(_KERNEL_FDS)


class VerdictChannel:
    """A pipe whose write end grading kernels inherit, drained by a thread of the worker."""

    def __init__(self):
        self._read, self.write_fd = os.pipe()
        self._chunks, self._size, self.flooded = [], 0, False
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()
        _KERNEL_FDS.append(self.write_fd)

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self._read, 65536)
            except OSError:
                return
            if not chunk:
                return
            if self._size + len(chunk) > MAX_BYTES:
                self.flooded = True
                continue
            self._chunks.append(chunk)
            self._size += len(chunk)

    def close(self) -> str:
        """Close the worker's write end and return what the kernels wrote (after they exited)."""
        if self.write_fd in _KERNEL_FDS:
            _KERNEL_FDS.remove(self.write_fd)
            os.close(self.write_fd)
        self._thread.join(timeout=5)  # a process the student forked may hold the write end open
        if not self._thread.is_alive():
            os.close(self._read)
        return b"".join(self._chunks).decode("utf-8", "replace")


_LINE = re.compile(rf"^{MARKER} (\S+) (\d+) ([0-9a-f]{{16}}) (ok|FLAG ([^{STATE}]*)){STATE}(.*)$", re.DOTALL)


def read_verdicts(check_cells: dict, text: str, secret: bytes, check_state, flooded: bool = False) -> list[str]:
    """Problems found by the check cells (empty when clean).

    Parameters
    ----------
    check_cells : dict
        ``{(notebook, index): timed_out}`` for every check cell that was executed.
    text : str
        What the channel received.
    secret : bytes
        The submission's secret (see :func:`token`).
    check_state : callable
        ``check_state(state) -> list of problems`` for the module state a verdict
        line carries (:func:`autograder.integrity.state_problems` with the manifest);
        called once per distinct state.
    flooded : bool
        The channel received more than :data:`MAX_BYTES`.
    """
    problems, seen, checked = [], {}, {}
    lines = text.split("\n")  # not splitlines: the state's separators are line breaks to it
    if lines[-1] == "":
        lines.pop()
    for line in lines:
        match = _LINE.match(line)
        if not match:
            problems.append("the verdict channel received data that is not a verdict")
            continue
        notebook, index, given = match.group(1), int(match.group(2)), match.group(3)
        if (notebook, index) not in check_cells or not hmac.compare_digest(given, token(secret, notebook, index)):
            problems.append("a forged integrity verdict was written to the verdict channel")
            continue
        seen.setdefault((notebook, index), []).append(match.group(5))
        state = match.group(6)
        if state not in checked:
            checked[state] = check_state(state)
        problems.extend(checked[state])
    for (notebook, index), timed_out in sorted(check_cells.items()):
        verdicts = seen.get((notebook, index), [])
        if not verdicts and timed_out:
            continue  # the kernel was still busy with a student's loop; not evidence of tampering
        if not verdicts:
            problems.append(f"integrity check {index} of {notebook} sent no verdict (suppressed or broken)")
        elif len(verdicts) > 1:
            problems.append(f"integrity check {index} of {notebook} sent {len(verdicts)} verdicts instead of 1")
        elif verdicts[0] is not None:
            named = [p.strip() for p in verdicts[0].split(";") if p.strip()]
            problems.extend(named or [f"integrity check {index} of {notebook} found a problem it could not name"])
    if flooded:
        problems.append("the verdict channel was flooded")
    return sorted(set(problems))
