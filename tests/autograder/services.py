"""Real servers for the grader's tests: a Dask scheduler with workers, a PostgreSQL server.

Each runs as subprocesses on 127.0.0.1 at free ports and is stopped (by its
own process ids) when its ``with`` block ends. A missing tool skips the test
with the reason, except on CI (``CI=true``), where it fails: CI must run them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest


def require(problem: str | None) -> None:
    """Skip with ``problem`` (fail on CI) when there is one."""
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run this test: {problem}")
        pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(condition, seconds: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {process.returncode}")
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up after {seconds}s waiting for {what}")


def stop(process: subprocess.Popen) -> None:
    """SIGKILL ``process``'s process group (it was started in its own session) and reap it."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
    process.wait(timeout=30)


def dask_problem() -> str | None:
    """Why a Dask cluster cannot be started here, or None."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return "dask.distributed is not installed (pip install '.[scale]')"
    if not (Path(sys.executable).parent / "dask").is_file():
        return f"no dask command beside {sys.executable}"
    return None


class DaskCluster:
    """A ``dask scheduler`` and ``dask worker --nthreads 1`` processes on 127.0.0.1.

    Parameters
    ----------
    folder : Path
        Where the workers keep their local directories.
    workers : int
    environment : dict, optional
        Extra environment variables of the scheduler (e.g. allowed failures).
    """

    def __init__(self, folder: Path, workers: int, environment: dict | None = None):
        self.folder, self.count, self.environment = Path(folder), workers, environment or {}
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.dask = str(Path(sys.executable).parent / "dask")
        self.scheduler = None
        self.workers: list[subprocess.Popen] = []

    def _start(self, *arguments, env=None) -> subprocess.Popen:
        log = open(self.folder / f"{arguments[0]}-{len(self.workers)}.log", "w")
        return subprocess.Popen([self.dask, *arguments], stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})}, start_new_session=True)

    def __enter__(self) -> "DaskCluster":
        from distributed import Client

        port = self.address.rsplit(":", 1)[1]
        self.scheduler = self._start("scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard",
                                     env=self.environment)
        try:
            for _ in range(self.count):
                self.workers.append(self._start("worker", self.address, "--nthreads", "1", "--host", "127.0.0.1",
                                                "--no-dashboard", "--local-directory", str(self.folder)))
            with Client(self.address, timeout=60) as client:
                client.wait_for_workers(self.count, timeout=120)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for process in [*self.workers, self.scheduler]:
            if process is not None:
                stop(process)


def postgres_problem() -> str | None:
    """Why a PostgreSQL server cannot be started here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install '.[postgres]')"
    if not _postgres_binary("initdb"):
        return "PostgreSQL's server is not installed (Debian: apt-get install postgresql)"
    return None


def _postgres_binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@contextmanager
def postgres_server(database: str = "gradebook"):
    """A throwaway PostgreSQL server on 127.0.0.1; yields the URL of an empty ``database``.

    As root it runs as the ``postgres`` user (made if missing: PostgreSQL
    refuses to run as root) on a data folder in the temporary folder that
    belongs to that user; trust authentication, no fsync.
    """
    import psycopg

    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        user = "postgres"
    folder = Path(tempfile.mkdtemp(prefix="postgres-test-"))
    data = folder / "data"
    data.mkdir()
    if user:
        for path in (folder, data):
            shutil.chown(path, user, user)
    port = free_port()
    server = None
    try:
        subprocess.run([_postgres_binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--no-sync"], user=user, check=True, capture_output=True, cwd=folder)
        log = open(folder / "server.log", "w")
        server = subprocess.Popen([_postgres_binary("postgres"), "-D", str(data), "-p", str(port),
                                   "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={folder}",
                                   "-c", "fsync=off"], user=user, stdout=log, stderr=subprocess.STDOUT,
                                  cwd=folder, start_new_session=True)

        def connected():
            try:
                return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
            except psycopg.OperationalError:
                return None

        connection = _wait(connected, 60, f"PostgreSQL on port {port}", server)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{database}"')
        connection.close()
        yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)
