"""The grader's CheckCellMetadata decides exactly as nbgrader's own, on good and broken notebooks.

It only compiles nbgrader's metadata schema once per process (nbgrader checks the
schema itself before every cell); the peer is nbgrader's preprocessor, run on the
same notebook.
"""

from __future__ import annotations

import copy
import logging

import nbformat
import pytest
from nbgrader.nbgraderformat import ValidationError
from nbgrader.preprocessors import CheckCellMetadata as NbgradersCheck

from autograder.config import SOURCE_DIRECTORY
from autograder.preprocessors import CheckCellMetadata


def _chapter():
    return nbformat.read(str(SOURCE_DIRECTORY / "01_convolution" / "01_convolution.ipynb"), as_version=4)


def _graded_cells(nb):
    return [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")]


def _break_points(nb):
    _graded_cells(nb)[0].metadata.nbgrader["points"] = "two"


def _drop_points(nb):
    del _graded_cells(nb)[0].metadata.nbgrader["points"]


def _duplicate_grade_id(nb):
    first, second = _graded_cells(nb)[:2]
    second.metadata.nbgrader["grade_id"] = first.metadata.nbgrader["grade_id"]


def _newer_schema(nb):
    _graded_cells(nb)[0].metadata.nbgrader["schema_version"] = 99


def _older_schema(nb):
    _graded_cells(nb)[0].metadata.nbgrader["schema_version"] = 1


def _unknown_key_type(nb):
    _graded_cells(nb)[0].metadata.nbgrader["locked"] = "yes"


def _markdown_grade_without_solution(nb):
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": False, "points": 1,
                                 "grade_id": "written_x", "schema_version": 3}


BREAKAGES = [_break_points, _drop_points, _duplicate_grade_id, _newer_schema, _older_schema,
             _unknown_key_type, _markdown_grade_without_solution]


def _outcome(check_class, nb):
    try:
        check_class().preprocess(copy.deepcopy(nb), {})
    except Exception as error:  # noqa: BLE001 - the kind and message are what we compare
        return type(error).__name__, str(error)
    return "valid", ""


def test_a_chapter_passes_both_checks():
    nb = _chapter()
    assert _outcome(NbgradersCheck, nb) == _outcome(CheckCellMetadata, nb) == ("valid", "")


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__.strip("_"))
def test_broken_metadata_fails_as_nbgrader_fails_it(breakage, caplog):
    nb = _chapter()
    breakage(nb)
    with caplog.at_level(logging.ERROR):
        expected = _outcome(NbgradersCheck, nb)
        theirs = [r.getMessage().splitlines()[-1] for r in caplog.records]
        caplog.clear()
        ours = _outcome(CheckCellMetadata, nb)
        mine = [r.getMessage().splitlines()[-1] for r in caplog.records]
    assert expected[0] != "valid", f"{breakage.__name__} did not break the notebook for nbgrader"
    assert ours == expected
    assert mine == theirs


def test_the_schema_is_checked_once_per_process(monkeypatch):
    """The speed-up itself: a second notebook builds no new validator."""
    import jsonschema

    checks = []
    original = jsonschema.validators.Draft4Validator.check_schema
    for name in ("Draft4Validator", "Draft6Validator", "Draft7Validator", "Draft202012Validator"):
        validator = getattr(jsonschema.validators, name)
        monkeypatch.setattr(validator, "check_schema",
                            classmethod(lambda cls, schema, *a, **k: checks.append(cls) or original.__func__(cls, schema)))
    CheckCellMetadata().preprocess(_chapter(), {})
    before = len(checks)
    CheckCellMetadata().preprocess(_chapter(), {})
    assert len(checks) == before
    NbgradersCheck().preprocess(_chapter(), {})
    assert len(checks) > before, "the probe does not see nbgrader's own schema checks"
