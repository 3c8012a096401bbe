"""The command line: ``python -m autograder COMMAND`` (help texts in :mod:`autograder.cli_help`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.cli_help import DESCRIPTION, EPILOG, GRADE_EPILOG
from autograder.config import RELEASE_DIRECTORY, SOURCE_DIRECTORY, Limits, resolve_assignments
from autograder.errors import GradebookNotWritten, UsageError


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
                       help="worker processes grading in parallel, and rendering the feedback pages "
                            "(default: %(default)s)")
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

    formgrader = commands.add_parser("formgrader", help="grade written answers by hand in nbgrader's formgrader",
                                     description="Open nbgrader's formgrader on a graded folder DIR.")
    formgrader.add_argument("out", type=Path, metavar="DIR")
    formgrader.add_argument("--port", type=_positive, default=None, help="port on 127.0.0.1 (default: 8888 or next)")
    formgrader.add_argument("--token", default=None, help="access token (default: a random one)")
    formgrader.add_argument("--no-browser", action="store_true", help="do not open a browser tab")

    feedback = commands.add_parser("feedback", help="write the feedback pages again, hand grades included",
                                   description="Rebuild DIR/grades.csv and every feedback page of DIR.")
    feedback.add_argument("out", type=Path, metavar="DIR")
    feedback.add_argument("--jobs", type=_positive, default=1, metavar="N",
                          help="processes rendering pages in parallel (default: %(default)s)")

    public = commands.add_parser("public-repo", help="write the student-facing repository",
                                 description="Copy the tracked files students need (no solutions/, no hidden "
                                             "tests) to DEST.")
    public.add_argument("dest", type=Path, metavar="DEST")

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
    from autograder.intake.options import run_intake
    from autograder.owned_folders import owned_folder

    options = _intake_options(args)
    with owned_folder("autograder-intake-") as scratch:
        run_intake(args.submissions, args.source, scratch / "intake", options, options.settings())
    return 0


def _export(args) -> int:
    from autograder.lms import export

    for path in export(args.out, args.course, args.roster):
        print(f"wrote {path}")
    return 0


def _formgrader(args) -> int:
    from autograder.formgrader import run_formgrader

    run_formgrader(args.out, args.port, args.token, not args.no_browser)
    return 0


def _feedback(args) -> int:
    from autograder.feedback import write_feedback

    if not (args.out / ".latest").is_dir():
        raise UsageError(f"feedback: DIR {args.out} holds no graded results "
                         f"(run `python -m autograder grade SUBMISSIONS --out {args.out}`)")
    pages = write_feedback(args.out, jobs=args.jobs)
    print(f"wrote {len(pages)} feedback page(s) in {args.out / 'feedback'} and {args.out / 'grades.csv'}")
    return 0


def _public_repo(args) -> int:
    from autograder.publish import publish

    files = publish(args.dest)
    print(f"wrote {len(files)} files to {args.dest} (no solutions/, no hidden tests); "
          f"next: cd {args.dest} && git init && git add . && git commit")
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
                "samples": _samples, "formgrader": _formgrader, "feedback": _feedback, "public-repo": _public_repo}
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
