"""nbgrader configuration for instructors who run nbgrader's own tools (formgrader, CLI).

`python -m autograder` does not read this file: it builds the same settings in
code (autograder/config.py) for scratch courses. This file mirrors them for the
repository itself: solutions/ is the source directory, course/ the release
directory, and the gradebook lives outside the tracked tree.
"""

import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

_ROOT = os.path.dirname(os.path.abspath(__file__))
# The formgrader opens the gradebook at start-up: its folder must exist (it is gitignored).
os.makedirs(os.path.join(_ROOT, ".nbgrader"), exist_ok=True)

c.CourseDirectory.root = _ROOT
c.CourseDirectory.course_id = "cnn-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_ROOT, ".nbgrader", "gradebook.db")

# Restore deleted or edited test cells from the source when autograding.
c.OverwriteCells.add_missing_cells = True
# Per-cell timeout in seconds (nbgrader ignores --ExecutePreprocessor.timeout when this is set).
c.Execute.timeout = 60
# Feedback never shows hidden tests.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
