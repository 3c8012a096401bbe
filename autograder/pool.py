"""The worker processes of ``grade`` and ``check``, under the parent's control.

Each process runs one :class:`autograder.worker.Worker` and grades the tasks
the parent sends it over a pipe, one at a time, so the parent always knows
which task each process holds. (concurrent.futures cannot do this: a process
that dies breaks its pool for every queued task, and running workers cannot be
stopped.)

- A grader error, or a process that dies while grading, puts the task back
  once (:data:`ATTEMPTS`); a dead process is replaced. When the retry fails
  too, the grader error is the task's result.
- Ctrl-C: the processes ignore SIGINT and SIGHUP (a terminal sends them to the
  whole process group), so the parent decides (:mod:`autograder.stop_signals`).
  It sends SIGTERM; a worker then kills its kernel, removes its folder and
  exits. One still alive after :data:`STOP_SECONDS` is killed. Then ``KeyboardInterrupt`` propagates to
  the caller, after every result that finished was handed over.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable

from autograder.stop_signals import started_deaf
from autograder.worker import Task, Worker, grader_error, is_grader_error

#: Tries per task: a grader error is retried once.
ATTEMPTS = 2
#: Seconds a worker gets to stop after SIGTERM before it is killed.
STOP_SECONDS = 5


def _serve(connection, parent: str) -> None:
    """Main of a worker process: grade the tasks received on ``connection`` until ``None``."""
    for number in (signal.SIGINT, signal.SIGHUP):  # a terminal's Ctrl-C or hang-up: the parent decides when to stop
        signal.signal(number, signal.SIG_IGN)
    worker = Worker(Path(parent))

    def stop(signum, frame):
        worker.abort()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    with worker:
        try:
            while (task := connection.recv()) is not None:
                connection.send(worker.grade(task))
        except (EOFError, OSError):  # the parent is gone
            pass


@dataclass
class _Process:
    process: multiprocessing.process.BaseProcess
    connection: object
    job: tuple[int, Task] | None = None


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _start(context, scratch: Path) -> _Process:
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(theirs, str(scratch)), daemon=True,
                              name="autograder-worker")
    with started_deaf((signal.SIGINT,)):  # a Ctrl-C while it starts cannot hit it (it handles the others itself)
        process.start()
    theirs.close()
    return _Process(process, ours)


def _outcome(slot: _Process) -> dict | None:
    """The result ``slot`` sent, a grader error if its process died, or None while it works."""
    if slot.connection.poll():
        try:
            return slot.connection.recv()
        except (EOFError, OSError):
            pass
    elif slot.process.is_alive():
        return None
    slot.process.join()
    code = slot.process.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return {**grader_error(slot.job[1], f"worker process died ({how})"), "worker_died": True}


def grade_all(tasks: list[Task], *, jobs: int, scratch: Path, on_result: Callable[[int, dict], None]) -> None:
    """Grade ``tasks`` in up to ``jobs`` processes; call ``on_result(index, result)`` as each ends.

    Parameters
    ----------
    tasks : list of Task
    jobs : int
        Processes grading at the same time.
    scratch : Path
        Where the workers make their folders (the caller removes it at the end).
    on_result : callable
        Called in this process with the task's index and its final result.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C, once every worker (and its kernel) has stopped.
    """
    context = multiprocessing.get_context("spawn")
    queue, tries, slots = deque(enumerate(tasks)), Counter(), []
    try:
        while queue or any(slot.job for slot in slots):
            while queue and len(slots) < jobs:
                slots.append(_start(context, scratch))
            for slot in slots:
                if slot.job is None and queue:
                    slot.job = queue.popleft()
                    tries[slot.job[0]] += 1
                    try:
                        slot.connection.send(slot.job[1])
                    except OSError:  # it died before its first task: _outcome reports it
                        pass
            busy = [slot for slot in slots if slot.job]
            wait([slot.connection for slot in busy] + [slot.process.sentinel for slot in busy])
            for slot in busy:
                result = _outcome(slot)
                if result is None:
                    continue
                (index, task), slot.job = slot.job, None
                if result.pop("worker_died", False):
                    slots.remove(slot)
                    slot.connection.close()
                if is_grader_error(result) and tries[index] < ATTEMPTS:
                    queue.appendleft((index, task))
                else:
                    on_result(index, result)
    except BaseException:
        _stop(slots, now=True)
        raise
    _stop(slots, now=False)


def _stop(slots: list[_Process], now: bool) -> None:
    """Stop every worker: politely when the queue is done, with SIGTERM (then SIGKILL) when ``now``."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if now and _in_main_thread() else None
    try:
        for slot in slots:
            try:
                if now:
                    slot.process.terminate()
                else:
                    slot.connection.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + (STOP_SECONDS if now else 60)
        for slot in slots:
            slot.process.join(max(0.0, deadline - time.monotonic()))
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join()
            slot.connection.close()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
