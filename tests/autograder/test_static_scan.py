"""The static scan of the student's cells: what it flags, what it leaves alone, and no false flags."""

from __future__ import annotations

import glob
import importlib.util
from pathlib import Path

import nbformat
import pytest

from autograder.notebooks import is_exercise_cell, nbgrader_metadata, strip_solution_markers
from autograder.static_scan import module_names, scan_notebook, scan_source

REPO = Path(__file__).resolve().parents[2]
MODULES = {"np": "numpy", "cnnkit": "cnnkit", "nn": "cnnkit.nn", "check": "cnnkit.checking"}


def findings(source: str) -> list[str]:
    found, error = scan_source(source, "corr2d cell", MODULES)
    assert error is None, error
    return [str(f) for f in found]


@pytest.mark.parametrize("source, expected", [
    ("x = 1\nf = cnnkit.corr2d.__code__", "corr2d cell line 2: uses __code__ (introspection)"),
    ("import types\nf = types.FunctionType(c, g)", "line 2: uses types.FunctionType (introspection)"),
    ("g = corr2d.__globals__", "uses __globals__ (introspection)"),
    ("d = np.__dict__", "uses __dict__ (introspection)"),
    ("__builtins__['print'] = p", "uses __builtins__ (introspection)"),
    ("import builtins\nbuiltins.print = p", "line 1: uses builtins (patching)"),
    ("import builtins\nbuiltins.print = p", "line 2: assigns builtins.print (patching a module)"),
    ("import sys\nm = sys.modules['numpy']", "line 2: uses sys.modules (introspection)"),
    ("import sys\nf = sys._getframe(1)", "uses sys._getframe (introspection)"),
    ("import sys\nsys.setprofile(None)", "uses sys.setprofile (introspection)"),
    ("import gc\nobjs = gc.get_objects()", "uses gc (introspection)"),
    ("import inspect", "uses inspect (introspection)"),
    ("import ctypes", "uses ctypes (introspection)"),
    ("import importlib", "uses importlib (dynamic code)"),
    ("m = __import__('os')", "uses __import__ (dynamic code)"),
    ("exec('x = 1')", "uses exec (dynamic code)"),
    ("y = eval('1')", "uses eval (dynamic code)"),
    ("c = compile('1', 'f', 'eval')", "uses compile (dynamic code)"),
    ("setattr(np, 'allclose', f)", "uses setattr on something other than self (patching)"),
    ("delattr(np, 'allclose')", "uses delattr on something other than self (patching)"),
    ("f = getattr(cnnkit.corr2d, '__co' + 'de__')", "uses getattr with a computed or special name"),
    ("v = vars(np)", "uses vars (introspection)"),
    ("get_ipython().showtraceback = None", "uses get_ipython (IPython internals)"),
    ("import os\nos.write(1, b'ok')", "line 2: uses os.write (files or processes outside the submission)"),
    ("from os import write", "uses os.write (files or processes outside the submission)"),
    ("text = open('/etc/passwd').read()", "opens a file by a computed, absolute or '..' path"),
    ("text = open('../../../source/a/a.ipynb').read()", "opens a file by a computed, absolute or '..' path"),
    ("text = open(name).read()", "opens a file by a computed, absolute or '..' path"),
    ("a = np.load(path)", "opens a file by a computed, absolute or '..' path"),
    ("import pathlib", "uses pathlib (files outside the submission)"),
    ("import glob", "uses glob (files outside the submission)"),
    ("import subprocess", "uses subprocess (other processes)"),
    ("import socket", "uses socket (network)"),
    ("import threading", "uses threading (threads the grader does not watch)"),
    ("np.allclose = lambda *a, **k: True", "assigns numpy.allclose (patching a module)"),
    ("m = np\nm.isclose = f", "line 2: assigns numpy.isclose (patching a module)"),
    ("check.assert_close = f", "assigns cnnkit.checking.assert_close (patching a module)"),
    ("print(In[3])", "uses In (IPython internals)"),
    ("print(_ii)", "uses _ii (IPython's record of earlier cells)"),
    ("!cat ../../../source/*/*.ipynb", "runs a shell command (other processes)"),
    ("%%bash\ncat /etc/passwd", "uses the %bash magic (IPython internals)"),
    ("def print(*args):\n    pass", "rebinds the builtin print (patching)"),
    ("class Fake:\n    def __array__(self):\n        return 0", "line 2: defines __array__"),
    ("import autograder.guard", "uses autograder.guard (the grader's machinery)"),
])
def test_each_construct_is_flagged_with_its_line(source, expected):
    """Is every introspection, patching, dynamic-code, process, network and file construct named with its line?"""
    found = findings(source)
    assert any(expected in f for f in found), found


@pytest.mark.parametrize("source", [
    "%matplotlib inline\nimport numpy as np",
    "np.pad?",
    "for _i in range(3):\n    print(_i)",
    "class L(nn.Layer):\n    def __init__(self):\n        super().__init__()\n    def __repr__(self):\n"
    "        return self.__class__.__name__",
    "if __name__ == '__main__':\n    pass",
    "with open('out.txt', 'w') as f:\n    f.write('x')",
    "import os\np = os.path.join('a', 'b')",
    "w = np.lib.stride_tricks.as_strided(x, shape=(2, 2), strides=(8, 8))",
    "from IPython.display import display\ndisplay(x)",
    "import warnings\nwarnings.warn('careful')",
    "import math\ny = math.floor(2.5)",
    "def corr2d(x, k):\n    out = cnnkit.corr2d(x, k)  # not cheating here: the guard judges calls\n    return out",
    "w = getattr(layer, 'weight')",
    "setattr(self, 'weight', w)",
])
def test_honest_code_is_not_flagged(source):
    """Are magics for plots and help, loop variables named _i, classes, and ordinary file names left alone?"""
    assert findings(source) == []


def test_a_syntax_error_in_an_answer_cell_is_reported_with_its_line():
    """Does a broken corr2d cell give 'corr2d cell line 2: syntax error: ...' and no findings?"""
    source = nbformat.read(REPO / "tests/fixtures/solutions/99_fixture/99_fixture.ipynb", as_version=4)
    submitted = nbformat.from_dict(source)
    for cell in submitted.cells:
        if nbgrader_metadata(cell).get("grade_id") == "conv_output_size":
            cell.source = "def conv_output_size(size, kernel_size):\n    return (size - kernel_size // 1\n"
    result = scan_notebook(submitted, source)
    error = result.syntax_errors["conv_output_size"]
    assert error.cell == "conv_output_size cell" and error.line >= 2 and "syntax error" in error.what
    assert result.findings == []


def test_only_the_students_cells_are_scanned():
    """Are test cells, locked cells and untouched instructor cells skipped, and added or edited cells scanned?"""
    source = nbformat.read(REPO / "tests/fixtures/solutions/99_fixture/99_fixture.ipynb", as_version=4)
    submitted = nbformat.from_dict(source)
    for cell in submitted.cells:
        grade_id = nbgrader_metadata(cell).get("grade_id", "")
        if grade_id.startswith("test_"):
            cell.source += "\nimport gc"  # restored from the source at grading: not the student's
    submitted.cells.insert(2, nbformat.v4.new_code_cell("import inspect"))
    submitted.cells.append(nbformat.v4.new_code_cell("import ctypes"))
    found = [str(f) for f in scan_notebook(submitted, source).findings]
    assert found == ["cell 3 line 1: uses inspect (introspection)",
                     f"cell {len(submitted.cells)} line 1: uses ctypes (introspection)"]


def _correct_entries():
    for bank in sorted(glob.glob(str(REPO / "tests/banks/*.py"))) + sorted(glob.glob(str(REPO / "tests/fixtures/banks/*.py"))):
        spec = importlib.util.spec_from_file_location(f"bank_{Path(bank).stem}", bank)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for exercise, kinds in module.EXERCISES.items():
            for name, source in kinds.get("correct", {}).items():
                yield f"{Path(bank).stem}:{exercise}:{name}", exercise, source


def _solution_answers():
    for path in sorted(REPO.glob("solutions/*/*.ipynb")) + [REPO / "tests/fixtures/solutions/99_fixture/99_fixture.ipynb"]:
        nb = nbformat.read(path, as_version=4)
        modules = module_names(nb)
        for cell in nb.cells:
            if is_exercise_cell(cell):
                grade_id = nbgrader_metadata(cell)["grade_id"]
                yield f"{path.stem}:{grade_id}", grade_id, strip_solution_markers(cell.source), modules


def test_no_correct_answer_is_flagged():
    """Is the false-flag rate 0 over every correct bank entry and every solution's answer cells?"""
    checked, flagged = 0, []
    for where, exercise, source in _correct_entries():
        found, error = scan_source(source, f"{exercise} cell", MODULES)
        checked += 1
        if found or error:
            flagged.append(f"{where}: {[str(f) for f in found]} {error}")
    for where, exercise, source, modules in _solution_answers():
        found, error = scan_source(source, f"{exercise} cell", modules)
        checked += 1
        if found or error:
            flagged.append(f"{where}: {[str(f) for f in found]} {error}")
    print(f"static scan: {len(flagged)} false flags in {checked} correct answers")
    assert checked > 100 and not flagged, "\n".join(flagged)
