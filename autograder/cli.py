"""The command line: ``python -m autograder {release,grade,check,samples}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.config import RELEASE_DIRECTORY, SOURCE_DIRECTORY, Limits, resolve_assignments

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
                            after the late penalty, raw_score (autograded and
                            hand scores), max_score (every graded cell),
                            to_grade (points still to grade by hand), late,
                            penalty, submitted, status, reason, then one column
                            per graded cell), DIR/preflight.txt,
                            DIR/feedback/<student>/<assignment>/
                            <nb>.html (no hidden test source), the gradebook
                            DIR/gradebook.db, DIR/autograded/ and the rest of
                            an nbgrader course for formgrader, and
                            DIR/.results/ (per-submission results reused by a
                            re-run or an interrupted run).
  export DIR                rebuild DIR/grades.csv and write the LMS files in
                            DIR/lms/: canvas-import.csv (Canvas gradebook
                            import), canvas-feedback-<assignment>.zip and
                            moodle-feedback-<assignment>.zip (bulk feedback
                            upload).
  formgrader DIR            open nbgrader's formgrader on DIR (JupyterLab, as
                            make lab does) to grade written answers by hand;
                            hand scores are kept by every later grade.
  feedback DIR              rebuild DIR/grades.csv with the hand grades and
                            write every feedback page again (written answers
                            nobody graded yet show as "to be graded").
  public-repo DEST          write the repository students get to DEST: every
                            tracked file but solutions/ and the tests that
                            need them; refuses when a notebook would leak.
  check NOTEBOOK            grade one notebook with the full hidden tests and
                            print points per question with the failure messages.
  samples ASSIGNMENT --out DIR
                            write a bundle of honest and hostile submissions
                            (see autograder/samples.py) for testing the grader.

status in grades.csv:
  graded    scored normally; reason notes cell timeouts or memory-cap hits.
  flagged   scored, but the notebook tampered with numpy, cnnkit's checking
            helpers or IPython's error display; reason names what changed.
  failed    could not be graded (corrupt or missing notebook, kernel died,
            wall limit exceeded); score 0, reason says which.
"""

EPILOG = """\
examples:
  python -m autograder release
  python -m autograder release --check
  python -m autograder intake downloads/ --course course.toml --strict
  python -m autograder grade exports/ --out graded/ --jobs 2
  python -m autograder formgrader graded/
  python -m autograder feedback graded/
  python -m autograder export graded/
  python -m autograder grade exports/ --out graded/ --timeout 30 --memory 1024
  python -m autograder check course/01_convolution/01_convolution.ipynb

exit codes:
  0  release/grade: done (per-student outcomes are in grades.csv);
     release --check: course/ is up to date; check: full autograded marks
  1  release --check: course/ is stale; check: points missing or flagged;
     intake/grade --strict: intake found something ambiguous
  2  usage error (bad option, unknown assignment, no submissions found)
  3  check: the notebook could not be graded (corrupt, kernel died, ...)
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
                                description="Grade every submission in SUBMISSIONS into DIR.")
    grade.add_argument("submissions", type=Path, metavar="SUBMISSIONS")
    grade.add_argument("--out", type=Path, required=True, metavar="DIR")
    grade.add_argument("--jobs", type=_positive, default=1, metavar="N",
                       help="worker processes grading in parallel (default: %(default)s)")
    grade.add_argument("--db", default=None, metavar="URL",
                       help="gradebook database URL (default: sqlite DIR/gradebook.db; 'none' skips it)")
    grade.add_argument("--no-feedback", action="store_true", help="do not write feedback HTML")
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
        stale = release(args.source, args.release_dir, names, check=True)
        for line in stale:
            print(f"stale: {args.release_dir / line}")
        if stale:
            print("course/ is stale: run `python -m autograder release`", file=sys.stderr)
        return 1 if stale else 0
    for line in release(args.source, args.release_dir, names):
        print(f"wrote {args.release_dir / line}")
    return 0


def _grade(args) -> int:
    from autograder.grade import print_summary, run_grade

    limits = Limits(args.timeout, args.wall, args.memory)
    rows = run_grade(args.submissions, args.out, args.source, args.jobs, limits, args.db,
                     feedback=not args.no_feedback, intake=_intake_options(args), preflight_stream=sys.stdout)
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


def _formgrader(args) -> int:
    from autograder.formgrader import run_formgrader

    run_formgrader(args.out, args.port, args.token, not args.no_browser)
    return 0


def _feedback(args) -> int:
    from autograder.feedback import write_feedback

    if not (args.out / ".latest").is_dir():
        raise ValueError(f"feedback: DIR {args.out} holds no graded results "
                         f"(run `python -m autograder grade SUBMISSIONS --out {args.out}`)")
    pages = write_feedback(args.out)
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

    return run_check(args.notebook, args.source, args.assignment, Limits(args.timeout, args.wall, args.memory),
                     sys.stdout)


def _samples(args) -> int:
    from autograder.release import build_release
    from autograder.samples import build_samples

    [name] = resolve_assignments(args.source, [args.assignment])
    released = build_release(args.source, [name])[f"{name}/{name}.ipynb"].decode()
    plan = build_samples(args.source / name / f"{name}.ipynb", released, name, args.out)
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
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
