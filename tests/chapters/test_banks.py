"""Every bank of wrong implementations, graded through the real pipeline.

For each ``tests/banks/NN_name.py`` (and the fixture bank of the grader's own
fixture course) one submission is built per bank entry -- the released notebook
with every exercise solved, except the entry's exercise, which holds the
entry's source -- plus the full solution and the blank released notebook. All
are graded in one ``python -m autograder grade --jobs 2`` run. A wrong entry
must lose points on its ``test_<exercise>*`` cells, a correct entry must earn
every autograded point, the solution every point and the blank notebook none.
See CONTRIBUTING.md, "Banks of wrong implementations".
"""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.config import list_assignments
from autograder.notebooks import graded_cells, is_exercise_cell, nbgrader_metadata, strip_solution_markers

REPO = Path(__file__).resolve().parents[2]
BANK_FOLDERS = [(REPO / "tests" / "banks", REPO / "solutions"),
                (REPO / "tests" / "fixtures" / "banks", REPO / "tests" / "fixtures" / "solutions")]


def _cases():
    cases = []
    for banks, source in BANK_FOLDERS:
        chapters = list_assignments(source) if source.is_dir() else []
        for bank in sorted(banks.glob("[0-9][0-9]_*.py")):
            marks = [pytest.mark.slow]
            if bank.stem not in chapters:
                marks.append(pytest.mark.skip(reason=f"{source.name}/{bank.stem} does not exist yet"))
            cases.append(pytest.param(bank, source, id=bank.stem, marks=marks))
    return cases


def _load_bank(path: Path) -> dict:
    spec = importlib.util.spec_from_file_location(f"bank_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXERCISES


def _autograder(*args):
    run = subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=REPO,
                         capture_output=True, text=True, timeout=3600)
    assert run.returncode == 0, f"autograder {args[0]} failed:\n{run.stdout}\n{run.stderr}"
    return run


def _own_columns(exercise: str, exercises, columns) -> list[str]:
    """The test_<exercise>* columns, without those of a longer exercise name (conv2d vs conv2d_backward)."""
    longer = [e for e in exercises if e != exercise and e.startswith(exercise)]
    return [c for c in columns if c.startswith(f"test_{exercise}")
            and not any(c.startswith(f"test_{e}") for e in longer)]


def _build_submissions(bank: dict, source_nb, released_nb, name: str, inbox: Path) -> dict:
    """Write one submission per bank entry; return student_id -> (exercise, kind)."""
    solutions = {nbgrader_metadata(c)["grade_id"]: strip_solution_markers(c.source)
                 for c in source_nb.cells if is_exercise_cell(c)}
    unknown = sorted(set(bank) - set(solutions))
    assert not unknown, f"the bank names exercises the notebook lacks: {unknown}"
    plan = {"full--solution": (None, "solution"), "blank--released": (None, "blank")}
    for exercise, kinds in bank.items():
        for kind in ("wrong", "correct"):
            for entry in kinds.get(kind, {}):
                plan[f"{exercise}--{kind}--{entry}"] = (exercise, kind)
    for student, (exercise, kind) in plan.items():
        nb = nbformat.from_dict(released_nb)
        if kind != "blank":
            for cell in nb.cells:
                grade_id = nbgrader_metadata(cell).get("grade_id")
                if is_exercise_cell(cell) and grade_id in solutions:
                    cell.source = bank[exercise][kind][student.split("--")[2]] if grade_id == exercise else solutions[grade_id]
        folder = inbox / student / name
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{name}.ipynb"))
    return plan


@pytest.mark.parametrize("bank_path, source", _cases())
def test_bank(bank_path: Path, source: Path, tmp_path: Path):
    """Do wrong entries lose points on their tests, and correct ones, the solution and the blank get what they should?"""
    name = bank_path.stem
    bank = _load_bank(bank_path)
    _autograder("release", name, "--source", source, "--release-dir", tmp_path / "course")
    released_nb = nbformat.read(str(tmp_path / "course" / name / f"{name}.ipynb"), as_version=4)
    source_nb = nbformat.read(str(source / name / f"{name}.ipynb"), as_version=4)
    plan = _build_submissions(bank, source_nb, released_nb, name, tmp_path / "inbox")
    _autograder("grade", tmp_path / "inbox", "--out", tmp_path / "graded", "--jobs", 2, "--no-feedback",
                "--db", "none", "--timeout", 120, "--wall", 600, "--source", source)
    with open(tmp_path / "graded" / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    points = {c.grade_id: c.points for c in graded_cells(source_nb) if c.autograded}
    columns = list(points)
    offending = []
    for student, (exercise, kind) in sorted(plan.items()):
        row = rows[student]
        scores = ", ".join(f"{c}={row[c] or '-'}/{points[c]:g}" for c in columns)
        summary = f"{student}: {row['status']} {row['score']}/{row['max_score']} [{scores}] {row['reason']}"
        if kind in ("correct", "solution") and (row["status"] != "graded" or
                                                any(float(row[c] or 0) != points[c] for c in columns)):
            offending.append(f"loses points: {summary}")
        elif kind == "blank" and float(row["score"]) != 0:
            offending.append(f"blank notebook earns points: {summary}")
        elif kind == "wrong":
            own = _own_columns(exercise, bank, columns)
            if not own:
                offending.append(f"no test_{exercise}* cell to lose points on: {summary}")
            elif row["status"] != "failed" and all(row[c] and float(row[c]) == points[c] for c in own):
                offending.append(f"wrong entry keeps every point of {', '.join(own)}: {summary}")
    assert not offending, f"{len(offending)} of {len(plan)} bank entries of {name} misbehave:\n" + "\n".join(offending)
