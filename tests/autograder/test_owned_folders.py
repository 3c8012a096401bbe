"""A grader killed with SIGKILL leaves its folder; the next one removes it, and nothing that is not provably orphaned.

Real processes are started and killed; the folders live in the test's own tmp_path.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.owned_folders import OWNER_FILE, make_owned_folder, owned_folder, remove_orphans

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="owners are checked through /proc (Linux only)")


def _killed_owner(code: str, parent: Path) -> Path:
    """Run ``code`` (which prints a folder and sleeps) in a new Python, SIGKILL it, return the folder it printed."""
    process = subprocess.Popen([sys.executable, "-c", code, str(parent)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    folder = Path(process.stdout.readline().strip())
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert folder.is_dir(), "SIGKILL gives the owner no chance to clean up"
    return folder


MAKE_AND_SLEEP = ("import sys, time; from autograder.owned_folders import make_owned_folder; "
                  "print(make_owned_folder('autograder-worker-', sys.argv[1]), flush=True); time.sleep(60)")


def test_the_folder_of_a_killed_owner_is_removed_and_a_live_ones_is_kept(tmp_path):
    orphan = _killed_owner(MAKE_AND_SLEEP, tmp_path)
    live = make_owned_folder("autograder-worker-", tmp_path)
    assert remove_orphans(tmp_path, "autograder-worker-") == [orphan]
    assert not orphan.exists() and live.is_dir()


def test_folders_whose_owner_cannot_be_proved_gone_are_kept(tmp_path):
    """No OWNER file, a broken one, another boot, another host: left alone; a reused process id: removed."""
    def folder(name: str, owner) -> Path:
        path = tmp_path / f"autograder-worker-{name}"
        path.mkdir()
        if owner is not None:
            (path / OWNER_FILE).write_text(owner if isinstance(owner, str) else json.dumps(owner))
        return path

    mine = json.loads((make_owned_folder("autograder-worker-", tmp_path) / OWNER_FILE).read_text())
    kept = [folder("no-owner", None), folder("broken", "{not json"),
            folder("other-boot", {**mine, "pid": 999_999_999, "boot": "another"}),
            folder("other-host", {**mine, "pid": 999_999_999, "host": "elsewhere"}),
            folder("other-namespace", {**mine, "pid": 999_999_999, "pid_namespace": 1})]
    reused = folder("reused-pid", {**mine, "started": "1"})  # our pid, but we started later: the owner is gone
    assert remove_orphans(tmp_path, "autograder-worker-") == [reused]
    assert all(path.is_dir() for path in kept)


def test_owned_folder_removes_earlier_orphans_and_its_own_folder(tmp_path):
    code = MAKE_AND_SLEEP.replace("autograder-worker-", "autograder-run-")
    orphan = _killed_owner(code, tmp_path)
    with owned_folder("autograder-run-", tmp_path) as folder:
        assert not orphan.exists() and folder.is_dir()
    assert not folder.exists()


def test_a_new_worker_removes_the_folder_of_a_worker_that_was_killed(tmp_path):
    """The Dask case: a worker process SIGKILLed mid-run leaves its scratch with a student's notebook in it."""
    code = ("import sys, time, shutil; from pathlib import Path; from autograder.worker import Worker; "
            "w = Worker(Path(sys.argv[1])); (w.scratch / 'submission-x').mkdir(); "
            "print(w.scratch, flush=True); time.sleep(60)")
    orphan = _killed_owner(code, tmp_path)
    from autograder.worker import Worker

    with Worker(tmp_path) as worker:
        assert not orphan.exists()
        assert worker.scratch.is_dir()
    assert list(tmp_path.iterdir()) == []


def test_a_release_removes_the_folder_of_a_release_that_was_killed(tmp_path, monkeypatch):
    """The folder the project check found: a release killed by SIGTERM left its scratch gradebook in /tmp."""
    from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE

    from autograder.release import build_release

    orphan = _killed_owner(MAKE_AND_SLEEP.replace("autograder-worker-", "autograder-release-"), tmp_path)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert build_release(FIXTURE_SOURCE, [ASSIGNMENT])
    assert list(tmp_path.iterdir()) == []


def test_every_scratch_folder_the_grader_makes_in_the_temporary_folder_names_its_owner():
    """An ``autograder-*`` folder made by tempfile directly would outlive a killed grader for good."""
    unowned = [f"{path.relative_to(REPO)}:{number}"
               for path in sorted((REPO / "autograder").rglob("*.py")) if path.name != "owned_folders.py"
               for number, line in enumerate(path.read_text().splitlines(), 1)
               if ("TemporaryDirectory(" in line or "mkdtemp(" in line) and '"autograder-' in line]
    assert unowned == [], "use autograder.owned_folders.owned_folder or fresh_owned_folder"
