"""The kernel manager nbgrader's Execute uses: it launches :mod:`autograder.kernel`.

The kernel runs with the same interpreter as the grader (``sys.executable``),
so ``import cnnkit`` works inside it when cnnkit is installed in that
environment.
"""

from __future__ import annotations

import sys

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

from autograder.config import Limits


class CappedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel has a memory cap and quiet warnings."""

    memory_mb = Integer(Limits().memory_mb, help="Address-space cap of the kernel in MiB.").tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None):
        """``python -m autograder.kernel --memory-mb N -f <connection file> [extra...]``."""
        command = [sys.executable, "-m", "autograder.kernel", "--memory-mb", str(self.memory_mb),
                   "-f", self.connection_file]
        return command + list(extra_arguments or [])
