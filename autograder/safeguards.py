"""The integrity measures of one submission, as the worker sees them.

:class:`Safeguards` ties together, for one submission:

- the static scan of the student's cells (:mod:`autograder.static_scan`), run
  before grading;
- the check cells' configuration: a per-submission secret, the verdict channel
  (:mod:`autograder.verdicts`), the manifest and each exercise's allow-list
  (:mod:`autograder.exercises`, enforced by :mod:`autograder.guard`);
- what they add to the result: problems that flag the submission, a note per
  forbidden call and per answer cell with a syntax error, and test messages
  that name the syntax error instead of a ``NameError``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from autograder.exercises import exercise_of_test, source_exercises
from autograder.notebooks import is_exercise_cell, is_test_cell, nbgrader_metadata, read_notebook
from autograder.preprocessors import instructor_lines
from autograder.static_scan import ScanResult, scan_notebook
from autograder.verdicts import VerdictChannel, read_verdicts

_SOURCES: dict = {}
#: Findings shown in a reason before "and N more".
SHOWN_FINDINGS = 5


def cell_file_name(source: str) -> str:
    """The name (without ``.py``) under which ipykernel compiles a cell with this source."""
    from ipykernel.compiler import get_tmp_hash_seed, murmur2_x86

    return str(murmur2_x86(source, get_tmp_hash_seed()))


def _source(source_assignment: Path) -> tuple[dict, dict, list]:
    """(exercises spec, {notebook name: source notebook}, trusted cell names) of an assignment, read once.

    Trusted cells are the instructor's code cells other than answers: test cells
    (restored from the source at grading) and demo cells the student left as they were.
    """
    key = str(source_assignment)
    if key not in _SOURCES:
        spec = {e.grade_id: {"names": list(e.names), "allowed": list(e.allowed)}
                for e in source_exercises(source_assignment)}
        notebooks = {p.stem: read_notebook(p) for p in sorted(Path(source_assignment).glob("*.ipynb"))}
        trusted = sorted({cell_file_name(c.source) for nb in notebooks.values() for c in nb.cells
                          if c.cell_type == "code" and not is_exercise_cell(c)})
        _SOURCES[key] = (spec, notebooks, trusted)
    return _SOURCES[key]


class Safeguards:
    """Static scan, check-cell configuration and verdicts of one submission.

    Parameters
    ----------
    source_assignment : Path
        ``solutions/NN_name``.
    manifest_path : str
        The worker's manifest (:func:`autograder.integrity.write_manifest`).
    """

    def __init__(self, source_assignment: Path, manifest_path: str):
        self.exercises, self.sources, self.trusted_cells = _source(Path(source_assignment))
        self.manifest_path = manifest_path
        self.secret = secrets.token_bytes(32)
        self.scan = ScanResult([], {})
        self.channel: VerdictChannel | None = None
        self.received = ""

    def open(self, config, submitted: Path) -> None:
        """Scan the submitted notebooks, open the verdict channel and configure the check cells."""
        findings, syntax_errors = [], {}
        for name, source in self.sources.items():
            path = Path(submitted) / f"{name}.ipynb"
            if path.is_file():
                result = scan_notebook(read_notebook(path), source)
                findings += result.findings
                syntax_errors.update(result.syntax_errors)
        self.scan = ScanResult(findings, syntax_errors)
        self.channel = VerdictChannel()
        config.InjectIntegrityChecks.secret = self.secret.hex()
        config.InjectIntegrityChecks.verdict_fd = self.channel.write_fd
        config.InjectIntegrityChecks.exercises = self.exercises
        config.InjectIntegrityChecks.trusted_cells = self.trusted_cells
        config.ScrubTestOutputs.instructor_lines = [line for nb in self.sources.values()
                                                    for line in instructor_lines(nb)]

    def close(self) -> None:
        """Close the channel (the kernels have exited) and keep what it received."""
        if self.channel is not None:
            self.received = self.channel.close()

    def problems(self, executed_checks: dict) -> list[str]:
        """The reasons to flag the submission: runtime problems, then static findings."""
        from autograder.integrity import load_manifest, state_problems

        manifest = load_manifest(self.manifest_path)
        runtime = read_verdicts(executed_checks, self.received, self.secret, lambda state: state_problems(manifest, state),
                                self.channel is not None and self.channel.flooded)
        parts = [f"integrity: {', '.join(runtime)}"] if runtime else []
        if self.scan.findings:
            shown = [str(f) for f in self.scan.findings[:SHOWN_FINDINGS]]
            more = len(self.scan.findings) - len(shown)
            parts.append("static scan: " + ", ".join(shown) + (f" and {more} more" if more > 0 else ""))
        return parts

    def notes(self) -> list[str]:
        """One note per answer cell that does not parse."""
        return [f"syntax error in the {f.cell}, line {f.line}: {f.what.removeprefix('syntax error: ')}"
                for f in self.scan.syntax_errors.values()]

    def explain(self, nb) -> list[str]:
        """Rewrite (in place) the errors of test cells whose exercise did not parse; return forbidden-call notes.

        A test of an exercise whose cell has a syntax error fails with
        ``NameError``; its error becomes ``SyntaxError: the corr2d cell has a
        syntax error (line 4: ...), so it never ran``.
        """
        notes = []
        for cell in nb.cells:
            grade_id = nbgrader_metadata(cell).get("grade_id")
            if not is_test_cell(cell) or not grade_id:
                continue
            exercise = exercise_of_test(grade_id, self.scan.syntax_errors)
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                if output.get("ename") == "ForbiddenCall":
                    notes.append(f"forbidden call: {output.get('evalue', '')}")
                if exercise and output.get("ename") == "NameError":
                    error = self.scan.syntax_errors[exercise]
                    output["ename"] = "SyntaxError"
                    output["evalue"] = (f"the {error.cell} has a syntax error (line {error.line}: "
                                        f"{error.what.removeprefix('syntax error: ')}), so it never ran")
                    output["traceback"] = [f"SyntaxError: {output['evalue']}"]
        return notes
