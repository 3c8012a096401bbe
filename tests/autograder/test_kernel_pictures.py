"""The grading kernel turns the explorers' pictures off; the grader's own process does not."""

from __future__ import annotations

import os
import sys

from autograder import kernel


def test_grading_kernel_turns_pictures_off_before_ipykernel_starts(monkeypatch):
    """Does ``python -m autograder.kernel`` set CNNKIT_PICTURES=0 before the student's code can run?"""
    from ipykernel import kernelapp

    from cnnkit.widgets._base import pictures_enabled

    seen = {}
    monkeypatch.setattr(os, "environ", os.environ.copy())  # main() updates the environment
    monkeypatch.delenv("CNNKIT_PICTURES", raising=False)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(kernel, "cap_memory", lambda megabytes: seen.update(cap=megabytes))
    monkeypatch.setattr(kernelapp, "launch_new_instance", lambda: seen.update(pictures=pictures_enabled()))
    assert pictures_enabled()
    kernel.main(["--memory-mb", "64", "-f", "kernel.json"])
    assert seen == {"cap": 64, "pictures": False}


def test_the_worker_process_keeps_pictures_on():
    """The worker applies KERNEL_ENVIRONMENT to itself: an explorer test in the same process must still draw."""
    assert "CNNKIT_PICTURES" not in kernel.KERNEL_ENVIRONMENT
    assert kernel.KERNEL_ONLY_ENVIRONMENT == {"CNNKIT_PICTURES": "0"}
