"""SIGTERM and SIGHUP stop ``grade`` the way Ctrl-C does.

A service manager or ``kill PID`` sends SIGTERM; a closed terminal sends SIGHUP.
Inside :class:`StopSignals` both raise ``KeyboardInterrupt`` in the parent, as
SIGINT does, so they take Ctrl-C's path: the workers stop their kernels, every
finished result is kept, the temporary folders go, exit code 130. A second
signal while it stops is ignored. After :meth:`StopSignals.hold` (the run's
bookkeeping: the graded course, the gradebook, grades.csv, the feedback pages)
a stop signal is only noted, so nothing is left half-written; the caller
stops when the bookkeeping is done. Worker processes ignore SIGINT and SIGHUP
(the parent decides, :mod:`autograder.pool`).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

#: The signals that stop ``grade``.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopSignals:
    """Context manager: stop signals raise ``KeyboardInterrupt`` until :meth:`hold`; ``held`` names one noted after.

    Does nothing outside the main thread (only it may set signal handlers).
    """

    def __init__(self):
        self.held: str | None = None
        self._previous: dict = {}

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            self._previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
            for number in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(number, self._interrupt)
        return self

    def __exit__(self, *exception) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _interrupt(self, number, frame) -> None:
        for other in (signal.SIGTERM, signal.SIGHUP):  # once: a second signal must not cut the stop short
            signal.signal(other, signal.SIG_IGN)
        raise KeyboardInterrupt

    def _note(self, number, frame) -> None:
        self.held = self.held or signal.Signals(number).name

    def hold(self) -> None:
        """From now on a stop signal (Ctrl-C too) is noted in ``held`` instead of raised."""
        if self._previous:
            for number in STOP_SIGNALS:
                signal.signal(number, self._note)


@contextmanager
def started_deaf(signals=STOP_SIGNALS):
    """A context: processes started inside it ignore ``signals`` (their parent decides when to stop).

    ``signals`` are ignored here while it lasts, and a child inherits an
    ignored signal across exec (a handler it would not), so a Ctrl-C that reaches
    the whole process group cannot kill a child half-way through its start-up.
    A stop signal that arrives in that moment is lost. Does nothing outside the
    main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in signals}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
