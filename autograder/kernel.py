"""Boot a grading kernel: ``python -m autograder.kernel --memory-mb N -f CONNECTION_FILE``.

Applied before ipykernel starts, so the student's code inherits them:

- ``RLIMIT_AS`` of ``N`` MiB: an allocation over the cap raises ``MemoryError``
  in the student's cell instead of endangering the machine;
- warnings are ignored, so a numpy ``RuntimeWarning`` never writes to stderr
  (nbgrader gives 0 points to a test cell with any stderr output);
- matplotlib draws off-screen (``MPLBACKEND=Agg``), BLAS uses one thread, and the
  cnnkit explorers render no pictures (``CNNKIT_PICTURES=0``: nobody sees them);
- SIGINT raises ``KeyboardInterrupt`` again (a sandboxed kernel starts with it
  ignored, see :mod:`autograder.sandbox`), so the cell timeout interrupts the cell.

macOS accepts but does not enforce ``RLIMIT_AS`` (and may refuse it): there
the cap is best effort.

This module imports nothing heavy: it runs in every kernel.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import warnings

KERNEL_ENVIRONMENT = {
    "MPLBACKEND": "Agg",
    "PYTHONWARNINGS": "ignore",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "PYTHONHASHSEED": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "JUPYTER_PLATFORM_DIRS": "1",
}
#: Only in the kernel (the worker applies KERNEL_ENVIRONMENT to itself too): explorers skip
#: rendering pictures nobody sees (``cnnkit.widgets._base.pictures_enabled``).
KERNEL_ONLY_ENVIRONMENT = {"CNNKIT_PICTURES": "0"}


def cap_memory(megabytes: int) -> None:
    """Limit this process's address space to ``megabytes`` MiB (``RLIMIT_AS``)."""
    limit = int(megabytes) * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        if sys.platform != "darwin":
            raise


def main(argv: list[str]) -> None:
    """Parse ``--memory-mb N``, apply the limits, then hand the rest of argv to ipykernel."""
    if len(argv) < 2 or argv[0] != "--memory-mb":
        raise SystemExit("usage: python -m autograder.kernel --memory-mb N -f CONNECTION_FILE")
    os.environ.update(KERNEL_ENVIRONMENT)
    os.environ.update(KERNEL_ONLY_ENVIRONMENT)
    warnings.simplefilter("ignore")
    cap_memory(int(argv[1]))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from ipykernel import kernelapp

    sys.argv = [sys.argv[0], *argv[2:], "--IPKernelApp.log_level=ERROR"]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
