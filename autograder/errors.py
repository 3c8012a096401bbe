"""Errors the command line reports in one line instead of a traceback."""

from __future__ import annotations


class UsageError(ValueError):
    """Bad input from the person running a command (exit code 2): the message names it."""


class GradebookNotWritten(RuntimeError):
    """``grade`` finished, but its results could not be recorded in the gradebook (exit code 1)."""
