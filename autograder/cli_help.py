"""The help texts of the command line (:mod:`autograder.cli`): commands, exit codes, caching."""

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
                            an nbgrader course for formgrader, and DIR/.results/
                            (per-submission results reused by a re-run or an
                            interrupted run while nothing that decides the grade
                            changed; --force or --student ID grade again; hand
                            scores are kept). Ctrl-C (or SIGTERM/SIGHUP) stops
                            the workers and their kernels within seconds, keeps
                            every finished result and exits 130.
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
  python -m autograder formgrader graded/
  python -m autograder feedback graded/
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
  130  interrupted (Ctrl-C; grade: also SIGTERM, SIGHUP); grade: re-run to resume
"""

GRADE_EPILOG = """\
what is cached:
  DIR/.results/ holds one result per submission, saved the moment it is
  graded. A run reuses it while nothing that decides the grade changed: the
  submitted files, the assignment's source folder, cnnkit, the grader's code,
  the versions of Python, numpy and nbgrader and the limits. Hand scores
  (formgrader) live in the gradebook and are kept by every re-grade.
  --force grades everything again; --student ID grades that student again.
  A grader error (nbgrader failed, a worker died, the scratch folder vanished,
  ...) is retried once and never cached: its row says "grader error ... (not
  cached; re-run to retry)".

interrupting:
  Ctrl-C, SIGTERM or SIGHUP stops the workers and their kernels within
  seconds, keeps every finished result, prints "interrupted: N of M graded;
  re-run to resume" and exits 130; grades.csv and the gradebook are written
  only by a run that ends (a signal during that writing waits for its end).
  Run the same command again to resume. No temporary folder is left behind.
"""
