"""The kernel manager nbgrader's Execute uses: it launches :mod:`autograder.kernel`.

The kernel runs with the same interpreter as the grader (``sys.executable``),
so ``import cnnkit`` works inside it when cnnkit is installed in that
environment. The kernel inherits the verdict channel of :mod:`autograder.verdicts`.
With ``sandbox`` on it runs under bubblewrap
(:mod:`autograder.sandbox`) and talks to the grader over unix sockets.

Every kernel this process starts is registered until it is cleaned up, so the
wall limit can kill it (:func:`kill_running_kernels`) on Linux and macOS alike:
jupyter_client starts each kernel in its own session, and killing that process
group takes the kernel, its children and the sandbox around it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, List, Unicode

from autograder.config import Limits

_RUNNING: set["CappedKernelManager"] = set()
_RUNNING_LOCK = threading.Lock()


class CappedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel has a memory cap, quiet warnings and maybe a sandbox."""

    memory_mb = Integer(Limits().memory_mb, help="Address-space cap of the kernel in MiB.").tag(config=True)
    sandbox = Bool(False, help="Run the kernel under bubblewrap (see autograder.sandbox).").tag(config=True)
    sandbox_readable = List(Unicode(), help="Files the sandboxed kernel may read besides Python "
                                            "(none when grading: the check cells compare in the worker).").tag(config=True)
    sandbox_scratch = Unicode("", help="Folder for the sandbox's sockets and the kernel's working "
                                       "copy (default: the temporary folder).").tag(config=True)

    _jail = None

    async def _async_pre_start_kernel(self, **kw):
        if self.sandbox and self._jail is None:
            from autograder.sandbox import KernelJail

            self._jail = KernelJail(kw.get("cwd") or os.getcwd(), self.sandbox_scratch or None,
                                    self.sandbox_readable)
            self.transport, self.ip = "ipc", self._jail.socket_prefix
            self.connection_file = self._jail.connection_file
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        """``python -m autograder.kernel --memory-mb N -f <connection file> [extra...]``, maybe jailed."""
        command = [sys.executable, "-m", "autograder.kernel", "--memory-mb", str(self.memory_mb),
                   "-f", self.connection_file, *(extra_arguments or [])]
        return self._jail.wrap(command) if self._jail else command

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        """Launch the kernel with the write end of the grader's verdict channel open in it."""
        from autograder.verdicts import kernel_fds

        kw["pass_fds"] = tuple(kw.get("pass_fds", ())) + kernel_fds()
        await super()._async_launch_kernel(kernel_cmd, **kw)
        with _RUNNING_LOCK:
            _RUNNING.add(self)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        with _RUNNING_LOCK:
            _RUNNING.discard(self)
        await super()._async_cleanup_resources(restart=restart)
        if self._jail is not None and not restart:
            self._jail.remove()
            self._jail = None

    cleanup_resources = _async_cleanup_resources  # the base class binds its own function to the public name


def kill_running_kernels() -> int:
    """SIGKILL the process group of every kernel this process started that still runs; how many."""
    with _RUNNING_LOCK:
        managers = list(_RUNNING)
    killed = 0
    for manager in managers:
        process = getattr(manager.provisioner, "process", None)
        if process is None or process.poll() is not None:  # gone (and reaped): its id may be reused
            continue
        try:
            if hasattr(os, "killpg"):
                os.killpg(manager.provisioner.pgid or process.pid, signal.SIGKILL)
            else:
                process.kill()
            killed += 1
        except OSError:
            pass
        if manager._jail is not None:  # a jail may sit in /tmp, outside the run's folder: no cleanup runs after a kill
            manager._jail.remove()
    return killed
