"""``grade --scheduler tcp://HOST:PORT``: grade on the workers of a dask.distributed cluster.

The parent does everything it does for a local run (intake, the result cache,
grades.csv, the gradebook); only the grading of each submission moves. Each
:class:`RemoteTask` carries what a worker needs and nothing of the parent's
file system: the submitted notebooks' bytes, the chapter's source files with
their digest, the limits (the sandbox included) and the parent's grading
environment. On the worker, :func:`grade_remote` writes them into the worker's
own folder and hands a plain :class:`autograder.worker.Task` to the same
:class:`autograder.worker.Worker` that the local pool runs; the result record
comes back with the autograded notebooks in it, and the parent stages them.

Failures:

- a grader error is resubmitted once (:data:`autograder.pool.ATTEMPTS`), as
  in the local pool, and never cached;
- a worker that dies mid-notebook (killed, out of memory, its machine gone):
  the scheduler gives the task to another worker. A notebook whose grading
  killed ``distributed.scheduler.allowed-failures`` workers (default 3) gets
  a grader error that says so (``KilledWorker``), not a hang;
- a worker whose Python, numpy, nbgrader, cnnkit or autograder differs from
  the parent's, or that cannot sandbox the kernel when the run must, returns
  a grader error naming why (its grades would not match the parent's cache key,
  or its kernels would fail as if the notebooks had killed them).

Workers: ``dask worker tcp://HOST:PORT --nthreads 1`` with this package
installed (``pip install '.[scale]'``) and bubblewrap; see docs/scale.md.
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from autograder.errors import UsageError
from autograder.worker import Task, grader_error, is_grader_error

#: Submissions sent to the scheduler at a time (their notebooks and sources are in memory there).
IN_FLIGHT = 256
_LOCK = threading.Lock()
_STATE: dict = {}


@dataclass
class RemoteTask:
    """A :class:`Task` with the files it names, for a worker on another machine.

    Attributes
    ----------
    task : Task
        As the parent built it (its paths are the parent's).
    notebooks : dict of str to (bytes or None)
        Notebook name -> the submitted file's bytes (None: missing).
    source : dict of str to bytes
        The chapter's source files, relative path -> bytes.
    source_digest : str
        :func:`autograder.cache.tree_digest` of the source folder.
    environment : str
        The parent's :func:`autograder.cache.grading_environment`, as JSON.
    """

    task: Task
    notebooks: dict
    source: dict
    source_digest: str
    environment: str


def _files_in(folder: Path) -> dict:
    """Every file under ``folder`` (caches aside): relative path -> bytes."""
    skipped = {"__pycache__", ".ipynb_checkpoints"}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not skipped & set(p.relative_to(folder).parts)}


class RemoteTasks:
    """Makes the :class:`RemoteTask` of each task on demand, from the parent's files.

    Each chapter's source is read (and its digest taken) once; the notebooks
    when their task is sent, so a large batch is not all in memory at once.
    """

    def __init__(self, tasks: list[Task]):
        from autograder.cache import grading_environment

        self.tasks = tasks
        self.environment = json.dumps(grading_environment(), sort_keys=True)
        self._sources: dict = {}

    def __getitem__(self, index: int) -> RemoteTask:
        from autograder.cache import tree_digest

        task = self.tasks[index]
        if task.source_assignment not in self._sources:
            folder = Path(task.source_assignment)
            self._sources[task.source_assignment] = (_files_in(folder), tree_digest(folder))
        notebooks = {name: None if path is None else Path(path).read_bytes() for name, path in task.notebooks.items()}
        return RemoteTask(task, notebooks, *self._sources[task.source_assignment], self.environment)


def _worker_state() -> dict:
    """This process's Worker, its folder and its grading environment (made on first use)."""
    if not _STATE:
        from autograder.cache import grading_environment
        from autograder.worker import Worker

        try:
            from distributed import get_worker

            parent = Path(get_worker().local_directory)
        except (ImportError, ValueError):  # called outside a dask worker (tests, debugging)
            parent = None
        worker = Worker(parent)
        _STATE.update(worker=worker, environment=json.dumps(grading_environment(), sort_keys=True),
                      files=Path(tempfile.mkdtemp(prefix="remote-", dir=worker.scratch.parent)))
    return _STATE


def _differences(mine: str, theirs: str) -> str:
    mine, theirs = json.loads(mine), json.loads(theirs)
    names = [f"{group} {name}" for group in ("versions", "packages")
             for name in sorted(set(mine[group]) | set(theirs[group]))
             if mine[group].get(name) != theirs[group].get(name)]
    return ", ".join(names) or "the grading environment"


def _materialize(remote: RemoteTask, files: Path) -> tuple[Task, Path]:
    """Write the remote task's files under ``files``: the Task that names them, and its own folder."""
    from autograder.cache import tree_digest

    assignment = remote.task.assignment
    source = files / "sources" / remote.source_digest / assignment
    if not source.is_dir():
        staging = Path(tempfile.mkdtemp(prefix="source-", dir=files))
        for relative, data in remote.source.items():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).write_bytes(data)
        if tree_digest(staging) != remote.source_digest:
            raise RuntimeError(f"the source of {assignment} arrived damaged (digest differs)")
        source.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(source)
    inbox = Path(tempfile.mkdtemp(prefix="submission-", dir=files))
    notebooks = {}
    for name, data in remote.notebooks.items():
        notebooks[name] = None if data is None else str(inbox / f"{name}.ipynb")
        if data is not None:
            Path(notebooks[name]).write_bytes(data)
    autograded = str(inbox / "autograded") if remote.task.autograded_dir else None
    return replace(remote.task, notebooks=notebooks, source_assignment=str(source), autograded_dir=autograded), inbox


def grade_remote(remote: RemoteTask) -> dict:
    """Grade ``remote`` with this process's Worker (runs on a dask worker); never raises.

    Returns
    -------
    dict
        The result record, plus ``autograded_files`` (path relative to the
        autograded folder -> bytes) when the task asks to keep the autograded
        notebooks: the parent stages them, as a local worker would.
    """
    import shutil

    from autograder.sandbox import sandbox_problem

    with _LOCK:  # a Worker changes process-wide state: one notebook at a time per process
        try:
            state = _worker_state()
            if state["environment"] != remote.environment:
                return grader_error(remote.task, f"worker {_worker_name()} grades with a different "
                                                 f"{_differences(state['environment'], remote.environment)} "
                                                 "than the parent: install the same course and packages")
            if remote.task.limits.sandbox and sandbox_problem():  # else every kernel would "die", a student's fault
                return grader_error(remote.task, f"worker {_worker_name()} cannot sandbox the kernel "
                                                 f"(--sandbox is on): {sandbox_problem()}")
            task, inbox = _materialize(remote, state["files"])
        except Exception as error:
            return grader_error(remote.task, f"worker {_worker_name()}: {type(error).__name__}: {error}")
        try:
            result = state["worker"].grade(task)
            if task.autograded_dir and Path(task.autograded_dir).is_dir():
                result["autograded_files"] = _files_in(Path(task.autograded_dir))
            return result
        finally:
            shutil.rmtree(inbox, ignore_errors=True)


def _worker_name() -> str:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return "(not a dask worker)"


def _client(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("grade: --scheduler needs dask.distributed: pip install 'cnn-course[scale]'") from None
    try:
        return Client(scheduler, timeout=30, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise UsageError(f"grade: --scheduler {scheduler}: cannot reach the dask scheduler ({error})") from None


def grade_on_dask(tasks: list[Task], *, scheduler: str, on_result: Callable[[int, dict], None],
                  stream=None, **_ignored) -> None:
    """Grade ``tasks`` on the cluster at ``scheduler``; call ``on_result(index, result)`` as each ends.

    The same contract as :func:`autograder.pool.grade_all`: results arrive in
    this process, in the order they finish; a grader error is tried again once.

    Parameters
    ----------
    tasks : list of Task
    scheduler : str
        The scheduler's address, ``tcp://HOST:PORT``.
    on_result : callable
        Called with the task's index and its final result (its autograded notebooks already staged).
    stream : file, optional
        Where a warning about workers with several threads goes (default stderr).

    Raises
    ------
    UsageError
        dask.distributed is not installed, or the scheduler cannot be reached.
    KeyboardInterrupt
        On Ctrl-C, after cancelling what was not graded yet.
    """
    from autograder.graded_course import stage_files
    from autograder.pool import ATTEMPTS

    if not tasks:
        return
    client = _client(scheduler)
    try:
        from distributed import KilledWorker, as_completed

        threaded = sorted(address for address, threads in client.nthreads().items() if threads > 1)
        if threaded:
            (stream or sys.stderr).write(f"dask: workers {', '.join(threaded)} have several threads; each "
                                         "process grades one notebook at a time (start them with --nthreads 1)\n")
        remotes, run = RemoteTasks(tasks), uuid.uuid4().hex[:12]
        tries, index_of, submitted = [0] * len(tasks), {}, []
        futures = as_completed(loop=client.loop)
        waiting = iter(range(len(tasks)))

        def submit(index: int | None) -> None:
            if index is None:
                return
            tries[index] += 1
            future = client.submit(grade_remote, remotes[index], pure=False,
                                   key=f"autograder-{run}-{index}-{tries[index]}")
            index_of[future.key] = index
            submitted.append(future)
            futures.add(future)

        for index in itertools.islice(waiting, IN_FLIGHT):
            submit(index)
        try:
            for future in futures:
                index = index_of.pop(future.key)
                try:
                    result = future.result()
                except KilledWorker as error:  # dask already gave it to allowed-failures workers
                    result = grader_error(tasks[index], f"its grading killed dask workers ({error})")
                    tries[index] = ATTEMPTS
                except Exception as error:
                    result = grader_error(tasks[index], f"dask: {type(error).__name__}: {error}")
                future.release()
                if is_grader_error(result) and tries[index] < ATTEMPTS:
                    submit(index)
                    continue
                files = result.pop("autograded_files", None)
                if tasks[index].autograded_dir and files is not None:
                    stage_files(files, Path(tasks[index].autograded_dir))
                on_result(index, result)
                submit(next(waiting, None))
        except BaseException:
            client.cancel(submitted)
            raise
    finally:
        client.close()
