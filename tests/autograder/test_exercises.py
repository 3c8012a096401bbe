"""The '**You may call:**' line of every exercise: present once, well formed, honest."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import cnnkit
from autograder.exercises import exercise_of_test, read_exercises, resolve, source_exercises

REPO = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p.parent for p in REPO.glob("solutions/*/*.ipynb")) + [REPO / "tests/fixtures/solutions/99_fixture"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_every_exercise_declares_what_it_may_call(chapter):
    """Does every exercise have exactly one line naming real public cnnkit names, and define something?"""
    exercises = source_exercises(chapter)
    assert exercises, f"{chapter.name} has no exercise"
    for exercise in exercises:
        assert exercise.names, f"{chapter.name}: exercise {exercise.grade_id} defines no function or class"
        for name in exercise.allowed:
            assert resolve(name) is not None, name


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_no_exercise_may_call_the_op_it_implements(chapter):
    """Is an exercise named like a cnnkit op (or nn layer) never allowed that op?"""
    import cnnkit.nn as nn

    for exercise in source_exercises(chapter):
        for name in exercise.names:
            own = [f"cnnkit.{name}"] if name in cnnkit.__all__ else []
            own += [f"cnnkit.nn.{name}"] if name in nn.__all__ else []
            assert not set(own) & set(exercise.allowed), (chapter.name, exercise)


def _notebook(line_cells):
    cells = []
    for text in line_cells:
        cells.append(nbformat.v4.new_markdown_cell(text) if text is not None else nbformat.v4.new_code_cell("x = 1"))
    exercise = nbformat.v4.new_code_cell("def corr2d(x, k):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION")
    exercise.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": "corr2d",
                                     "schema_version": 3}
    return nbformat.v4.new_notebook(cells=cells + [exercise])


def test_a_well_formed_line_is_read():
    """Are the cnnkit names of the line read, and 'numpy only' read as none?"""
    [one] = read_exercises(_notebook(["## corr2d\n\n**You may call:** numpy, `cnnkit.conv2d`, `cnnkit.nn.Sequential`."]))
    assert one.grade_id == "corr2d" and one.names == ("corr2d",)
    assert one.allowed == ("cnnkit.conv2d", "cnnkit.nn.Sequential")
    [none] = read_exercises(_notebook(["**You may call:** numpy only (no cnnkit)."]))
    assert none.allowed == ()


@pytest.mark.parametrize("cells, message", [
    (["## corr2d, no line"], "found 0"),
    (["**You may call:** numpy only (no cnnkit).\n**You may call:** numpy, `cnnkit.conv2d`."], "found 2"),
    (["**You may call:** numpy only (no cnnkit).", None], "must be a markdown cell"),
    (["**You may call:** numpy, `cnnkit.conv9`."], "`cnnkit.conv9` is not a public cnnkit name"),
    (["**You may call:** numpy, `cnnkit._im2col`."], "`cnnkit._im2col` is not a public cnnkit name"),
    (["**You may call:** anything."], "should start with 'numpy'"),
    (["**You may call:** numpy."], "must read 'numpy only (no cnnkit).'"),
])
def test_a_missing_or_malformed_line_is_an_error_naming_the_exercise(cells, message):
    """Does a missing, doubled, misplaced or wrong line raise ValueError naming the exercise?"""
    with pytest.raises(ValueError, match="exercise corr2d") as error:
        read_exercises(_notebook(cells))
    assert message in str(error.value)


def test_resolve_only_public_names():
    """Are cnnkit.conv2d, cnnkit.nn.Sequential and cnnkit.nn.init public, and private or foreign names not?"""
    import cnnkit.nn as nn

    assert resolve("cnnkit.conv2d") is cnnkit.conv2d
    assert resolve("cnnkit.nn.Sequential") is nn.Sequential
    assert resolve("cnnkit.nn.init") is nn.init
    for name in ("cnnkit.nope", "cnnkit._args", "cnnkit.conv._helper", "numpy.sum"):
        assert resolve(name) is None, name


def test_tests_belong_to_the_longest_matching_exercise():
    """Is test_conv2d_backward_dx the test of conv2d_backward, not of conv2d?"""
    exercises = ["conv2d", "conv2d_backward", "pad"]
    assert exercise_of_test("test_conv2d_backward_dx", exercises) == "conv2d_backward"
    assert exercise_of_test("test_conv2d", exercises) == "conv2d"
    assert exercise_of_test("test_conv2dx", exercises) is None
