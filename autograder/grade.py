"""``grade``: grade a folder of submissions with a pool of worker processes.

Concurrency: each worker grades in its own scratch course with its own
temporary gradebook (:mod:`autograder.worker`); only the parent writes the
results: ``DIR/.results/<key>.json`` per submission (so an interrupted run
resumes, and a re-run reuses what did not change), ``DIR/grades.csv``, and the
run's gradebook (:mod:`autograder.gradebook`). The key hashes the submitted
files, the assignment's source folder, the limits and the grader's own code.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from autograder.config import Limits, list_assignments
from autograder.feedback import write_feedback
from autograder.graded_course import is_kept, keep_run, staged_dir
from autograder.notebooks import graded_cells, read_notebook
from autograder.intake.options import IntakeOptions, run_intake
from autograder.ledger import record_run
from autograder.report import Progress, summary_table
from autograder.worker import Task, failed, grade_task, initialise_worker


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Course:
    """What the parent knows about the source: notebooks, graded cells, points."""

    def __init__(self, source_directory: Path):
        self.source_directory = Path(source_directory)
        self.assignments = list_assignments(self.source_directory)
        self.notebooks, self.cells = {}, {}
        for name in self.assignments:
            paths = sorted((self.source_directory / name).glob("*.ipynb"))
            self.notebooks[name] = [p.stem for p in paths]
            self.cells[name] = [cell for p in paths for cell in graded_cells(read_notebook(p))]
        self.digests = {name: _tree_digest(self.source_directory / name) for name in self.assignments}

    def max_score(self, assignment: str) -> float:
        """Points of the autograded cells of ``assignment``."""
        return sum(c.points for c in self.cells.get(assignment, []) if c.autograded)

    def question_columns(self, assignments) -> list[str]:
        columns = []
        for name in self.assignments:
            if name in assignments:
                columns += [c.grade_id for c in self.cells[name] if c.grade_id not in columns]
        return columns


def _cache_key(submission, course: Course, limits: Limits, feedback: bool) -> str:
    grader = _tree_digest(Path(__file__).parent)
    payload = json.dumps([submission.digest(), course.digests.get(submission.assignment), asdict(limits),
                          feedback, grader], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _save(path: Path, result: dict) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(result, sort_keys=True, indent=1))
    os.replace(temporary, path)


def run_grade(submissions: Path, out: Path, source_directory: Path, jobs: int = 1,
              limits: Limits | None = None, db_url: str | None = None, feedback: bool = True,
              progress_stream=None, intake: IntakeOptions | None = None, preflight_stream=None) -> list[dict]:
    """Grade every submission under ``submissions`` into ``out``; return this run's grades.csv rows.

    Intake runs first (its preflight goes to ``preflight_stream`` and ``out/preflight.txt``);
    grades.csv is then rebuilt from every result ever recorded in ``out`` (:mod:`autograder.ledger`).
    """
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"grade: --jobs must be a positive int, got {jobs!r}")
    limits = limits or Limits()
    course = Course(source_directory)
    out = Path(out)
    results_dir = out / ".results"
    results_dir.mkdir(parents=True, exist_ok=True)
    intake = intake or IntakeOptions()
    settings = intake.settings(out)
    with tempfile.TemporaryDirectory(prefix="autograder-intake-") as unpack:
        found = run_intake(Path(submissions), course.source_directory, Path(unpack), intake, settings, out,
                           preflight_stream).submissions
        if not found:
            raise ValueError(f"no submissions found in {submissions} to grade (the preflight lists what it holds)")
        results, pending, chosen = {}, [], {}
        for submission in found:
            key = _cache_key(submission, course, limits, feedback)
            chosen[key] = submission
            if submission.problem:
                results[key] = failed(Task(submission.student_id, submission.assignment, {}, ""), submission.problem)
                continue
            cached = results_dir / f"{key}.json"
            if cached.is_file() and (_failed(cached) or is_kept(out, key, submission.student_id, submission.assignment)):
                results[key] = json.loads(cached.read_text())
                continue
            task = Task(submission.student_id, submission.assignment, dict(submission.notebooks),
                        str(course.source_directory / submission.assignment), limits, str(staged_dir(out, key)))
            pending.append((key, task))
        progress = Progress(len(pending), progress_stream)
        if pending:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=context,
                                     initializer=initialise_worker) as pool:
                futures = {pool.submit(grade_task, task): (key, task) for key, task in pending}
                for future in as_completed(futures):
                    key, task = futures[future]
                    try:
                        result = future.result()
                        _save(results_dir / f"{key}.json", result)
                    except Exception as error:  # a crashed worker: report, do not cache
                        result = failed(task, f"grader worker crashed: {type(error).__name__}")
                    results[key] = result
                    progress.update(f"{task.student_id}/{task.assignment}: {result['status']} "
                                    f"({result.get('seconds', 0):.1f}s)")
        keep_run(out, course, chosen, results, db_url)
    rows = record_run(out, course, chosen, results, settings)
    if feedback:
        write_feedback(out, {(s.assignment, s.student_id) for s in chosen.values()})
    return rows


def _failed(cached: Path) -> bool:
    return json.loads(cached.read_text()).get("status") == "failed"


def print_summary(rows: list[dict], stream) -> None:
    """The summary table, written to ``stream``."""
    stream.write(summary_table(rows))
