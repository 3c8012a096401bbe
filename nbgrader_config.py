"""nbgrader configuration of this repository, for nbgrader's own tools.

The formgrader, the Validate button and nbgrader's CLI (``nbgrader
generate_assignment``, ``autograde``, ``generate_feedback``) read this file. It
holds no setting of its own: it calls :func:`autograder.config.repository_config`,
the same builder ``python -m autograder`` grades with, so every path gets the
same limits, kernel, restored test cells and feedback rules (hidden tests and
the tracebacks of test cells are removed from feedback). Layout: solutions/ is
the source folder, course/ the release folder, the gradebook is
.nbgrader/gradebook.db (not tracked).
"""

import os
import sys

_ROOT = os.path.dirname(os.path.abspath(__file__))
if _ROOT not in sys.path:  # grade with this checkout's autograder, installed or not
    sys.path.insert(0, _ROOT)

from autograder.config import repository_config  # noqa: E402

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
c.merge(repository_config(_ROOT))
