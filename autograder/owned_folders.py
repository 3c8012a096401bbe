"""Scratch folders that name their owner, so that the ones a killed grader left behind can go.

Every ``autograder-*`` scratch folder the grader makes in the temporary folder
(a grading run, a worker, a sandboxed kernel's jail, a release, a check, an
intake, a gradebook's templates) is removed when its command ends. A process
that is killed (SIGKILL from the OOM killer, a Dask nanny or ``kill -9``;
SIGTERM, which only ``grade`` handles) removes nothing: its folder, with the
copies of student notebooks in it, stays. :func:`make_owned_folder` writes an
``OWNER`` file into each folder: host, boot, PID namespace, process id and that
process's start time. :func:`remove_orphans`, called when the next folder of its kind
is made, removes a folder only when that file proves its owner is gone: same
host, same boot, same PID namespace, and no process with that id and start time.
A folder without the file (another program's, an older grader's), or whose owner
cannot be checked (no ``/proc``: macOS), is left alone.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path

OWNER_FILE = "OWNER"


def _start_time(pid: int) -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (``/proc/PID/stat``), or None if there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # field 22; the command name may hold spaces and parentheses


def _this_machine() -> dict | None:
    """Host, boot and PID namespace of this process, or None where they cannot be read."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return None
    return {"host": socket.gethostname(), "boot": boot, "pid_namespace": namespace}


def make_owned_folder(prefix: str, parent=None) -> Path:
    """``tempfile.mkdtemp(prefix=prefix, dir=parent)`` with an ``OWNER`` file naming this process."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    machine = _this_machine()
    if machine is not None:
        owner = {**machine, "pid": os.getpid(), "started": _start_time(os.getpid())}
        (folder / OWNER_FILE).write_text(json.dumps(owner))
    return folder


def owner_is_gone(folder: Path) -> bool:
    """Whether ``folder``'s ``OWNER`` file proves that the process that made it has ended."""
    machine = _this_machine()
    try:
        owner = json.loads((Path(folder) / OWNER_FILE).read_text())
    except (OSError, ValueError):
        return False
    if machine is None or not isinstance(owner, dict) or any(owner.get(k) != v for k, v in machine.items()):
        return False
    pid, started = owner.get("pid"), owner.get("started")
    if not isinstance(pid, int) or started is None:
        return False
    return _start_time(pid) != started  # none with that id now, or a later process that reuses it


def remove_orphans(parent, prefix: str) -> list[Path]:
    """Remove the ``prefix*`` folders in ``parent`` whose owner is gone (:func:`owner_is_gone`); return them."""
    removed = []
    for folder in sorted(Path(parent).glob(f"{prefix}*")):
        if folder.is_dir() and not folder.is_symlink() and owner_is_gone(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def fresh_owned_folder(prefix: str, parent=None) -> Path:
    """:func:`make_owned_folder` in ``parent`` (default: the temporary folder), after :func:`remove_orphans` there."""
    parent = Path(parent or tempfile.gettempdir())
    remove_orphans(parent, prefix)
    return make_owned_folder(prefix, parent)


@contextmanager
def owned_folder(prefix: str, parent=None):
    """A context: :func:`fresh_owned_folder`, removed at the end."""
    folder = fresh_owned_folder(prefix, parent)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
