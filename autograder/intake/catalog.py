"""The course's assignments and notebooks, and how a submitted file is matched to one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from autograder.intake.names import match_notebook_name


@dataclass
class Catalog:
    """Known assignments -> notebook names -> the ``grade_id``s of their nbgrader cells.

    Attributes
    ----------
    notebooks : dict of str to dict of str to frozenset
    """

    notebooks: dict

    @classmethod
    def from_source(cls, source_directory: Path) -> "Catalog":
        """The catalog of ``solutions/``-like ``source_directory`` (``NN_name/NN_name.ipynb``)."""
        from autograder.config import list_assignments

        source_directory = Path(source_directory)
        notebooks = {}
        for assignment in list_assignments(source_directory):
            notebooks[assignment] = {path.stem: _grade_ids(path)
                                     for path in sorted((source_directory / assignment).glob("*.ipynb"))}
        return cls(notebooks)

    def names(self, assignment: str = "") -> dict:
        """Notebook name -> its assignment (of one assignment, or of all)."""
        return {nb: a for a, nbs in self.notebooks.items() if not assignment or a == assignment for nb in nbs}

    def match(self, path: Path, file_name: str, assignment: str = "") -> tuple[str, str, str, int] | None:
        """(assignment, notebook, how, re-upload number) for a submitted notebook, or None.

        By name first (see :func:`autograder.intake.names.match_notebook_name`),
        then by content: the notebook whose graded cells' ids make up most of the
        file's (more than half of them).
        """
        names = self.names(assignment)
        stem = file_name[:-len(".ipynb")] if file_name.lower().endswith(".ipynb") else file_name
        found = match_notebook_name(stem, names)
        if found:
            return names[found.notebook], found.notebook, f"by {found.how}", found.resubmission
        ids = _grade_ids(path)
        scores = sorted(((len(ids & known) / len(known), nb) for nb, known in
                         ((nb, self.notebooks[a][nb]) for nb, a in names.items()) if known), reverse=True)
        if ids and scores and scores[0][0] > 0.5 and (len(scores) == 1 or scores[1][0] < scores[0][0]):
            share, notebook = scores[0]
            return names[notebook], notebook, f"by content ({share:.0%} of {notebook}'s graded cells)", 0
        return None


def _grade_ids(path: Path) -> frozenset:
    """The nbgrader ``grade_id``s in a notebook file (empty when it is not readable JSON)."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        return frozenset(c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in cells
                         if isinstance(c, dict) and c.get("metadata", {}).get("nbgrader", {}).get("grade_id"))
    except (OSError, ValueError, AttributeError):
        return frozenset()
