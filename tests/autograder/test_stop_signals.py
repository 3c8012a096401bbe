"""StopSignals with real signals sent to this process (fast; grade's own runs are in test_interrupt.py)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from autograder.stop_signals import StopSignals


def _deliver(number: int) -> None:
    """Send ``number`` to this process and give Python the moment it needs to run the handler."""
    os.kill(os.getpid(), number)
    time.sleep(0.05)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_interrupts_once_then_is_ignored_and_handlers_come_back(number):
    before = signal.getsignal(number)
    with StopSignals():
        with pytest.raises(KeyboardInterrupt):
            _deliver(number)
        _deliver(number)  # a second one while stopping: ignored, nothing raised
    assert signal.getsignal(number) == before


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_after_hold_a_stop_signal_is_noted_not_raised(number):
    with StopSignals() as stop:
        stop.hold()
        _deliver(number)
        _deliver(signal.SIGTERM)
        assert stop.held == signal.Signals(number).name, "the first signal is the one named"
    assert signal.getsignal(signal.SIGINT) == signal.default_int_handler
