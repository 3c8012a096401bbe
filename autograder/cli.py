"""The command line: ``python -m autograder {release,grade,check,samples}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.config import RELEASE_DIRECTORY, SOURCE_DIRECTORY, Limits, resolve_assignments
from autograder.errors import GradebookNotWritten, UsageError

DESCRIPTION = """\
Release, grade and check the notebooks of the CNN course with nbgrader.

The course layout is configuration: instructor notebooks (nbgrader source
format) live in solutions/NN_name/NN_name.ipynb, the student copies that
`release` generates in course/NN_name/NN_name.ipynb.

commands:
  intake SUBMISSIONS        list every file in SUBMISSIONS with the student and
                            assignment it maps to, its time, lateness, what is
                            ignored and why, and which duplicate wins (the
                            latest submission). Reads nbgrader's submitted/
                            (with timestamp.txt), per-student folders and zips,
                            Canvas bulk downloads (submissions.zip or its loose
                            <name>[_LATE]_<id>_<attachment>_<file> files, -N
                            re-uploads) and Moodle's <Full Name>_<id>_
                            assignsubmission_file_ folders. --strict exits 1
                            when anything is ambiguous.
  release [ASSIGNMENT...]   regenerate course/ from solutions/ (all assignments
                            when none is named); byte-identical on re-run.
                            --check only compares and names the stale files.
  grade SUBMISSIONS --out DIR
                            run intake, then grade every submission it found.
                            Writes DIR/grades.csv, rebuilt from every batch
                            ever graded into DIR (one row per student and
                            assignment: student_id, name, assignment, score
                            after the late penalty, raw_score, max_score, late,
                            penalty, submitted, status, reason, then one column
                            per graded cell), DIR/preflight.txt,
                            DIR/feedback/<student>/<assignment>/
                            <nb>.html (no hidden test source), the gradebook
                            DIR/gradebook.db, and DIR/.results/ (per-submission
                            results reused by a re-run or an interrupted run
                            while nothing that decides the grade changed;
                            --force or --student ID grade again).
                            Ctrl-C stops the workers and their kernels within
                            seconds, keeps every finished result and exits 130.
  export DIR                rebuild DIR/grades.csv and write the LMS files in
                            DIR/lms/: canvas-import.csv (Canvas gradebook
                            import), canvas-feedback-<assignment>.zip and
                            moodle-feedback-<assignment>.zip (bulk feedback
                            upload).
  check NOTEBOOK            grade one notebook with the full hidden tests and
                            print points per question with the failure messages.
  samples ASSIGNMENT --out DIR
                            write a bundle of honest and hostile submissions
                            (see autograder/samples.py) for testing the grader.

status in grades.csv:
  graded    scored normally; reason notes cell timeouts or memory-cap hits.
  flagged   scored, but the notebook tampered with numpy, cnnkit's checking
            helpers or IPython's error display, or its cells use introspection
            or patching (static scan); reason names what and where.
  failed    could not be graded (corrupt or missing notebook, kernel died,
            wall limit exceeded); score 0, reason says which. When the
            grader itself failed twice (reason "grader error ... (not
            cached; re-run to retry)"), nothing is cached: a re-run retries.
"""

EPILOG = """\
examples:
  python -m autograder release
  python -m autograder release --check
  python -m autograder intake downloads/ --course course.toml --strict
  python -m autograder grade exports/ --out graded/ --jobs 2
  python -m autograder export graded/
  python -m autograder grade exports/ --out graded/ --timeout 30 --memory 1024
  python -m autograder grade exports/ --out graded/ --sandbox on
  python -m autograder grade exports/ --out graded/ --scheduler tcp://10.0.0.5:8786 \
      --db postgresql://grader@db.example/gradebook
  python -m autograder grade exports/ --out graded/ --student alice --student 4242
  python -m autograder check course/01_convolution/01_convolution.ipynb

exit codes:
  0  release/grade: done (per-student outcomes are in grades.csv);
     release --check: course/ is up to date; check: full autograded marks
  1  release --check: course/ is stale; check: points missing or flagged;
     intake/grade --strict: intake found something ambiguous;
     grade: the gradebook could not be written (grades.csv is)
  2  usage error (bad option, unknown assignment, no submissions found)
  3  check: the notebook could not be graded (corrupt, kernel died, ...)
  130  interrupted (Ctrl-C); grade: re-run to resume
"""

GRADE_EPILOG = """\
what is cached:
  DIR/.results/ holds one result per submission, saved the moment it is
  graded. A run reuses it while nothing that decides the grade changed: the
  submitted files, the assignment's source folder, cnnkit, the grader's code,
  the versions of Python, numpy and nbgrader, the limits and --no-feedback.
  --force grades everything again; --student ID grades that student again.
  A grader error (nbgrader failed, a worker died, the scratch folder vanished,
  ...) is retried once and never cached: its row says "grader error ... (not
  cached; re-run to retry)".

interrupting:
  Ctrl-C stops the workers and their kernels within seconds, keeps every
  finished result, prints "interrupted: N of M graded; re-run to resume" and
  exits 130; grades.csv and the gradebook are written only by a run that ends.
  Run the same command again to resume. No temporary folder is left behind.
"""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _add_source(parser) -> None:
    parser.add_argument("--source", type=Path, default=SOURCE_DIRECTORY, metavar="DIR",
                        help="instructor notebooks (default: %(default)s)")


def _add_limits(parser) -> None:
    defaults = Limits()
    parser.add_argument("--timeout", type=_positive, default=defaults.cell_timeout, metavar="SECONDS",
                        help="per-cell timeout; the cell is interrupted (default: %(default)s)")
    parser.add_argument("--wall", type=_positive, default=defaults.wall_limit, metavar="SECONDS",
                        help="per-notebook wall limit; the kernel is killed and the "
                             "submission fails (default: %(default)s)")
    parser.add_argument("--memory", type=_positive, default=defaults.memory_mb, metavar="MB",
                        help="kernel memory cap; a bigger allocation raises MemoryError "
                             "in the student's cell (default: %(default)s)")
    parser.add_argument("--sandbox", choices=("auto", "on", "off"), default="auto",
                        help="run student code under bubblewrap: it sees its own folder, not the "
                             "hidden tests, the gradebook, other submissions or the network; auto = "
                             "on where bubblewrap works, says which on stderr (default: %(default)s)")


def _limits(args) -> Limits:
    from autograder.sandbox import resolve_sandbox

    return Limits(cell_timeout=args.timeout, wall_limit=args.wall, memory_mb=args.memory,
                  sandbox=resolve_sandbox(args.sandbox))


def _add_intake(parser) -> None:
    parser.add_argument("--course", type=Path, default=None, metavar="FILE",
                        help="course file: due dates, extensions, late policy, roster (see docs/instructors.md)")
    parser.add_argument("--roster", type=Path, default=None, metavar="CSV",
                        help="roster: LMS id, login, name (Canvas's gradebook export works)")
    parser.add_argument("--pattern", default=None, metavar="REGEX",
                        help="entry names of any other layout, with (?P<id>...) and optional "
                             "(?P<name>...), (?P<assignment>...)")
    parser.add_argument("--assignment", default="", metavar="NAME",
                        help="take every notebook as this assignment's (one LMS assignment's download)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when intake finds anything ambiguous")


def _intake_options(args):
    from autograder.intake.options import IntakeOptions

    return IntakeOptions(args.course, args.roster, args.pattern, args.assignment, args.strict)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    release = commands.add_parser("release", help="regenerate course/ from solutions/",
                                  description="Regenerate course/ from solutions/ through nbgrader.")
    release.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    release.add_argument("--check", action="store_true",
                         help="write nothing; exit 1 and name the stale files if course/ differs")
    release.add_argument("--release-dir", type=Path, default=RELEASE_DIRECTORY, metavar="DIR",
                         help="student copies (default: %(default)s)")
    _add_source(release)

    grade = commands.add_parser("grade", help="grade a folder of submissions",
                                description="Grade every submission in SUBMISSIONS into DIR.",
                                epilog=GRADE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_argument("submissions", type=Path, metavar="SUBMISSIONS",
                       help="<student>/<assignment>/<notebook>.ipynb folders and/or per-student zips")
    grade.add_argument("--out", type=Path, required=True, metavar="DIR",
                       help="where grades.csv, feedback/, gradebook.db and .results/ go")
    grade.add_argument("--jobs", type=_positive, default=1, metavar="N",
                       help="worker processes grading in parallel (default: %(default)s)")
    grade.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                       help="grade on the workers of this dask scheduler instead of --jobs local "
                            "processes (pip install '.[scale]'; see docs/scale.md)")
    grade.add_argument("--db", default=None, metavar="URL",
                       help="gradebook database URL (default: sqlite DIR/gradebook.db; 'none' skips it; "
                            "postgresql://USER@HOST:PORT/DB with pip install '.[postgres]')")
    grade.add_argument("--no-feedback", action="store_true", help="do not write feedback HTML")
    grade.add_argument("--force", action="store_true",
                       help="grade every submission again, ignoring the cached results in DIR/.results")
    grade.add_argument("--student", action="append", default=[], metavar="ID",
                       help="grade this student's submissions again, ignoring their cached results "
                            "(repeatable); the others keep their cached results")
    _add_intake(grade)
    _add_limits(grade)
    _add_source(grade)

    intake = commands.add_parser("intake", help="show what a folder of submissions holds",
                                 description="List every file in SUBMISSIONS and what intake makes of it.")
    intake.add_argument("submissions", type=Path, metavar="SUBMISSIONS")
    _add_intake(intake)
    _add_source(intake)

    export = commands.add_parser("export", help="rebuild grades.csv and write the LMS files",
                                 description="Rebuild DIR/grades.csv from every graded batch and write "
                                             "DIR/lms/ (Canvas import CSV, Canvas and Moodle feedback zips).")
    export.add_argument("out", type=Path, metavar="DIR")
    export.add_argument("--course", type=Path, default=None, metavar="FILE",
                        help="course file (default: the one grade was given)")
    export.add_argument("--roster", type=Path, default=None, metavar="CSV", help="roster (default: as for --course)")

    check = commands.add_parser("check", help="grade one notebook and explain the score",
                                description="Grade one notebook with the hidden tests; exit 0 only on full marks.")
    check.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    check.add_argument("--assignment", default=None, help="assignment name (default: the notebook's file name)")
    _add_limits(check)
    _add_source(check)

    samples = commands.add_parser("samples", help="write the sample bundle of submissions",
                                  description="Write honest and hostile submissions built from solutions/.")
    samples.add_argument("assignment", metavar="ASSIGNMENT")
    samples.add_argument("--out", type=Path, required=True, metavar="DIR")
    _add_source(samples)
    return parser


def _release(args) -> int:
    from autograder.release import release

    names = resolve_assignments(args.source, args.assignments)
    if args.check:
        stale = release(source_directory=args.source, release_directory=args.release_dir, assignments=names,
                        check=True)
        for line in stale:
            print(f"stale: {args.release_dir / line}")
        if stale:
            print("course/ is stale: run `python -m autograder release`", file=sys.stderr)
        return 1 if stale else 0
    for line in release(source_directory=args.source, release_directory=args.release_dir, assignments=names):
        print(f"wrote {args.release_dir / line}")
    return 0


def _grade(args) -> int:
    from autograder.grade import print_summary, run_grade

    rows = run_grade(args.submissions, args.out, source_directory=args.source, jobs=args.jobs,
                     limits=_limits(args), db_url=args.db, feedback=not args.no_feedback,
                     force=args.force, students=args.student, intake=_intake_options(args),
                     preflight_stream=sys.stdout, scheduler=args.scheduler)
    print_summary(rows, sys.stdout)
    print(f"wrote {args.out / 'grades.csv'}")
    return 0


def _intake(args) -> int:
    import tempfile

    from autograder.intake.options import run_intake

    options = _intake_options(args)
    with tempfile.TemporaryDirectory(prefix="autograder-intake-") as unpack:
        run_intake(args.submissions, args.source, Path(unpack), options, options.settings())
    return 0


def _export(args) -> int:
    from autograder.lms import export

    for path in export(args.out, args.course, args.roster):
        print(f"wrote {path}")
    return 0


def _check(args) -> int:
    from autograder.check import run_check

    return run_check(args.notebook, source_directory=args.source, assignment=args.assignment,
                     limits=_limits(args), stream=sys.stdout)


def _samples(args) -> int:
    from autograder.release import build_release
    from autograder.samples import build_samples

    [name] = resolve_assignments(args.source, [args.assignment])
    released = build_release(args.source, [name])[f"{name}/{name}.ipynb"].decode()
    plan = build_samples(source_notebook=args.source / name / f"{name}.ipynb", released_text=released,
                         assignment=name, out=args.out)
    print(f"wrote {len(plan['expected'])} samples to {args.out} (expectations in EXPECTED.json)")
    return 0


def main(argv=None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {"release": _release, "intake": _intake, "grade": _grade, "export": _export, "check": _check,
                "samples": _samples}
    from autograder.intake.options import AmbiguousIntake

    try:
        return handlers[args.command](args)
    except AmbiguousIntake as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except GradebookNotWritten as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as error:  # grade says how far it got; the rest just stops
        print(("\n" if sys.stderr.isatty() else "") + (str(error) or "interrupted"), file=sys.stderr)
        return 130
