"""Every chapter has a bank of wrong implementations, and the bank covers every exercise.

The slow ``test_banks.py`` grades each bank it finds; this fast check fails when a
chapter in ``solutions/`` has no ``tests/banks/NN_name.py`` at all, or when an
exercise (check-yourself questions ``q_*`` aside) has no entries in its bank.
See CONTRIBUTING.md, "Banks of wrong implementations".
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

from autograder.config import list_assignments
from autograder.notebooks import is_exercise_cell, nbgrader_metadata

REPO = Path(__file__).resolve().parents[2]
BANKS = REPO / "tests" / "banks"
CHAPTERS = list_assignments(REPO / "solutions")


def _bank(chapter: str) -> dict:
    spec = importlib.util.spec_from_file_location(f"bank_{chapter}", BANKS / f"{chapter}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXERCISES


def test_there_are_chapters():
    assert len(CHAPTERS) >= 8, CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_chapter_has_a_bank_covering_every_exercise(chapter):
    """tests/banks/<chapter>.py exists; each exercise has >= 3 wrong and >= 1 correct entries."""
    assert (BANKS / f"{chapter}.py").is_file(), f"{chapter} has no tests/banks/{chapter}.py"
    bank = _bank(chapter)
    notebook = nbformat.read(REPO / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    answer_cells = [nbgrader_metadata(cell)["grade_id"] for cell in notebook.cells if is_exercise_cell(cell)]
    exercises = [name for name in answer_cells if not name.startswith("q_")]
    assert exercises, f"{chapter} has no exercise"
    for exercise in exercises:
        kinds = bank.get(exercise, {})
        assert len(kinds.get("wrong", {})) >= 3, f"{chapter}: {exercise} has < 3 wrong entries"
        assert len(kinds.get("correct", {})) >= 1, f"{chapter}: {exercise} has no correct entry"
    unknown = set(bank) - set(answer_cells)  # a bank may also hold answers to check-yourself questions
    assert not unknown, f"the bank names answer cells the notebook lacks: {sorted(unknown)}"
