"""``grade``: grade a folder of submissions with a pool of worker processes.

Concurrency: each worker grades in its own scratch course with its own
temporary gradebook (:mod:`autograder.worker`, :mod:`autograder.pool`); only
the parent writes the results: ``DIR/.results/<key>.json`` per submission as
soon as it is graded (:mod:`autograder.cache`: an interrupted run resumes, a
re-run reuses what did not change), then ``DIR/grades.csv`` and the run's
gradebook (:mod:`autograder.gradebook`). Everything temporary (unpacked zips,
the workers' folders) lives in one ``autograder-run-*`` folder, removed at the
end of the run, whether it finishes, fails or is interrupted; the folder of a
run that was killed goes when the next run starts (:mod:`autograder.owned_folders`).
"""

from __future__ import annotations

from pathlib import Path

from autograder.cache import ResultCache, tree_digest
from autograder.config import SOURCE_DIRECTORY, Limits, list_assignments
from autograder.errors import GradebookNotWritten, UsageError
from autograder.feedback import write_feedback
from autograder.graded_course import is_kept, keep_run, staged_dir
from autograder.notebooks import graded_cells, read_notebook
from autograder.owned_folders import owned_folder
from autograder.intake.options import IntakeOptions, run_intake
from autograder.ledger import record_run
from autograder.report import Progress, summary_table
from autograder.stop_signals import StopSignals
from autograder.worker import Task, failed, is_grader_error

#: What a result that failed on every attempt because of the grader adds to its reason.
NOT_CACHED = " (not cached; re-run to retry)"


class GradingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped ``grade``; ``graded`` of ``total`` submissions have a saved result."""

    def __init__(self, graded: int, total: int):
        super().__init__(f"interrupted: {graded} of {total} graded; re-run to resume")
        self.graded, self.total = graded, total


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
        self.digests = {name: tree_digest(self.source_directory / name) for name in self.assignments}

    def max_score(self, assignment: str) -> float:
        """Points of the autograded cells of ``assignment``."""
        return sum(c.points for c in self.cells.get(assignment, []) if c.autograded)

    def question_columns(self, assignments) -> list[str]:
        columns = []
        for name in self.assignments:
            if name in assignments:
                columns += [c.grade_id for c in self.cells[name] if c.grade_id not in columns]
        return columns


def _check_students(students, found) -> None:
    unknown = sorted(set(students) - {submission.student_id for submission in found})
    if unknown:
        known = sorted({submission.student_id for submission in found})
        shown = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10 else "")
        raise UsageError(f"grade: --student {', '.join(unknown)}: no such submission (students found: {shown})")


def run_grade(submissions: Path, out: Path, *, source_directory: Path = SOURCE_DIRECTORY, jobs: int = 1,
              limits: Limits | None = None, db_url: str | None = None, feedback: bool = True,
              force: bool = False, students=(), progress_stream=None, intake: IntakeOptions | None = None,
              preflight_stream=None, scheduler: str | None = None) -> list[dict]:
    """Grade every submission under ``submissions`` into ``out``; return this run's grades.csv rows.

    Intake runs first (its preflight goes to ``preflight_stream`` and ``out/preflight.txt``);
    grades.csv is then rebuilt from every result ever recorded in ``out`` (:mod:`autograder.ledger`).

    Parameters
    ----------
    submissions, out : Path
        The SUBMISSIONS folder and the output folder DIR.
    source_directory : Path
        The instructor notebooks.
    jobs : int
        Worker processes.
    limits : Limits, optional
    db_url : str, optional
        Gradebook URL (default ``sqlite:///DIR/gradebook.db``; ``"none"`` skips it).
    feedback : bool
        Write the feedback pages.
    force : bool
        Grade every submission again, ignoring cached results.
    students : sequence of str
        Grade these students again, ignoring their cached results; the others
        are taken from the cache when it holds their current result.
    progress_stream : file, optional
        Where progress goes (default stderr).
    intake : IntakeOptions, optional
        Course file, roster, pattern, assignment, strictness (:mod:`autograder.intake`).
    preflight_stream : file, optional
        Where the preflight table goes.
    scheduler : str, optional
        A dask scheduler's address (``tcp://HOST:PORT``): grade on its workers
        instead of ``jobs`` local processes (:mod:`autograder.dask_grading`).

    Raises
    ------
    UsageError
        Bad arguments, no submissions, a student with no submission.
    GradingInterrupted
        Ctrl-C, SIGTERM or SIGHUP (:mod:`autograder.stop_signals`); every result that finished is saved.
    GradebookNotWritten
        The results are saved and grades.csv written, but the gradebook could not be.
    """
    from autograder.gradebook_db import check_database
    from autograder.pool import grade_all

    if not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"grade: --jobs must be a positive int, got {jobs!r}")
    limits = limits or Limits()
    check_database(db_url)
    if scheduler:
        from functools import partial

        from autograder.dask_grading import grade_on_dask

        grade_all = partial(grade_on_dask, scheduler=scheduler, stream=progress_stream)
    course = Course(source_directory)
    out = Path(out)
    cache = ResultCache(out / ".results", course.digests, limits)
    intake = intake or IntakeOptions()
    settings = intake.settings(out)
    with StopSignals() as stop, owned_folder("autograder-run-") as scratch:
        found = run_intake(Path(submissions), course.source_directory, Path(scratch) / "intake", intake, settings,
                           out, preflight_stream).submissions
        if not found:
            raise UsageError(f"no submissions found in {submissions} to grade (the preflight lists what it holds)")
        _check_students(students, found)
        results, pending, chosen = {}, [], {}
        for submission in found:
            key = cache.key(submission)
            chosen[key] = submission
            task = Task(student_id=submission.student_id, assignment=submission.assignment,
                        notebooks=dict(submission.notebooks),
                        source_assignment=str(course.source_directory / submission.assignment), limits=limits)
            if submission.problem:
                results[key] = failed(task, submission.problem)
                continue
            cached = None if force or submission.student_id in students else cache.load(key)
            if cached and (cached["status"] == "failed"
                           or is_kept(out, key, submission.student_id, submission.assignment)):
                results[key] = cached
                continue
            task.autograded_dir = str(staged_dir(out, key))
            pending.append((key, task))
        progress = Progress(len(pending), progress_stream)

        def finished(index: int, result: dict) -> None:
            key, task = pending[index]
            if not cache.save(key, result) and is_grader_error(result):
                result["reason"] += NOT_CACHED
            results[key] = result
            progress.update(f"{task.student_id}/{task.assignment}: {result['status']} "
                            f"({result.get('seconds', 0):.1f}s)")

        try:
            grade_all([task for _, task in pending], jobs=jobs, scratch=Path(scratch), on_result=finished)
        except KeyboardInterrupt:
            raise GradingInterrupted(len(results), len(found)) from None
        stop.hold()  # nothing below is cut short: a stop signal now ends the run once it is written
        db_url, records = keep_run(out, course, chosen, results, db_url)
        not_written = _record(db_url, course, records, out) if db_url else None
        rows = record_run(out, course, chosen, results, settings, hand=not_written is None)
        if feedback and not not_written:  # a page needs the hand grades of the gradebook
            write_feedback(out, {(s.assignment, s.student_id) for s in chosen.values()}, jobs=jobs)
    if not_written:
        raise not_written
    if stop.held:
        raise GradingInterrupted(len(results), len(found))
    return rows


def _record(db_url: str, course: Course, records: list[dict], out: Path) -> GradebookNotWritten | None:
    """Record ``records`` in the gradebook (hand grades kept); the error to raise once grades.csv is written."""
    from autograder.gradebook import record_results

    try:
        record_results(db_url, course, records)
    except Exception as error:
        cause = error
        while cause.__cause__ or cause.__context__:  # nbgrader's own message hides the reason
            cause = cause.__cause__ or cause.__context__
        not_written = GradebookNotWritten(
            f"could not record the results in the gradebook {db_url}: {type(cause).__name__}: "
            f"{str(cause).splitlines()[0] if str(cause) else ''} ({out / 'grades.csv'}, without hand scores, and "
            f"{out / '.results'} are written, the feedback pages are not; re-run to record them)")
        not_written.__cause__ = error
        return not_written
    return None


def print_summary(rows: list[dict], stream) -> None:
    """The summary table, written to ``stream``."""
    stream.write(summary_table(rows))
