"""``samples``: a bundle of honest and hostile submissions built from ``solutions/``.

Every sample starts from the released notebook; most of them leave the first
exercise unfinished and then try to get its points anyway. Each such sample
must score exactly like ``partly-right`` (the same notebook without the trick).
Four attack the grader itself: ``forge`` rewrites the integrity verdict through
a patched ``print`` and patched numpy, ``clone`` answers an exercise with a
``types.FunctionType`` copy of cnnkit's function, ``borrow`` with another cnnkit
op, ``read-source`` prints the instructor's notebook from the grading folder.
:data:`EXPECTED` says what the grader must report for each sample; the tests
in ``tests/autograder/`` grade the bundle through the real CLI and check it.
"""

from __future__ import annotations

import ast
import copy
import json
import zipfile
from pathlib import Path

import nbformat

from autograder.notebooks import is_exercise_cell, is_test_cell, nbgrader_metadata, strip_solution_markers

#: sample -> (status, what the score must equal: "full", "zero", "partly-right" or None)
EXPECTED = {
    "full": ("graded", "full"),
    "blank": ("graded", "zero"),
    "partly-right": ("graded", "partly-right"),
    "deleted-test": ("graded", "partly-right"),
    "edited-test": ("graded", "partly-right"),
    "skip-execution": ("graded", "partly-right"),
    "raises-exception": ("graded", "partly-right"),
    "nbgrader-metadata": ("graded", "partly-right"),
    "calls-cnnkit": ("graded", None),  # and 0 on the test cells of the exercise it fakes
    "infinite-loop": ("graded", "partly-right"),
    "memory-bomb": ("graded", "partly-right"),
    "writes-parent": ("flagged", "full"),  # the static scan sees open() of a computed path
    "warns-in-tests": ("graded", "full"),
    "patch-numpy": ("flagged", None),
    "patch-checking": ("flagged", None),
    "hide-tracebacks": ("flagged", None),
    "forge": ("flagged", None),
    "clone": ("flagged", None),  # and 0 on the test cells of the exercise it clones
    "borrow": ("graded", None),  # and 0 on the test cells of the exercise it borrows for
    "read-source": ("flagged", "full"),
    "kernel-suicide": ("failed", None),
    "os-exit": ("failed", None),
    "corrupt-json": ("failed", None),
    "missing-notebook": ("failed", None),
    "zip-student": ("graded", "full"),
    "4242": ("graded", "full"),  # from the Canvas-style zip doejane_4242_99999_<assignment>.zip
}

_PATCHES = {
    "patch-numpy": "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n",
    "patch-checking": ("import cnnkit.checking\ncnnkit.checking.assert_close = lambda *a, **k: None\n"
                       "cnnkit.checking.check_function = lambda *a, **k: None\n"),
    "hide-tracebacks": "get_ipython().showtraceback = lambda *a, **k: None\n",
    "kernel-suicide": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
    "os-exit": "import os\nos._exit(0)\n",
    "forge": ("import builtins, re\nimport numpy as np\n_print = builtins.print\n\n\n"
              "def _rewriting_print(*args, **kwargs):\n"
              "    text = ' '.join(str(a) for a in args)\n"
              "    return _print(re.sub(r'(ok|FLAG [^\\x1c]*)\\x1c.*', 'ok\\x1c', text), **kwargs)\n\n\n"
              "builtins.print = _rewriting_print\nnp.allclose = lambda *a, **k: True\n"
              "np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n"),
    "read-source": ("import glob\nfor _path in glob.glob('../../../source/*/*.ipynb'):\n"
                    "    with open(_path) as _handle:\n        print(_handle.read())\n"),
    "writes-parent": ("import os\nfor _up in ('..', '../..', '../../..', '../../../..'):\n"
                      "    try:\n        with open(os.path.join(_up, 'escaped.txt'), 'w') as _f:\n"
                      "            _f.write('student was here')\n    except OSError:\n        pass\n"),
}
_WARNS = ("\n\n_quiet_{name} = {name}\n\n\ndef {name}(*args, **kwargs):\n"
          "    np.log(np.zeros(1))  # RuntimeWarning: divide by zero, raised inside the test cells\n"
          "    import warnings\n    warnings.warn('a warning from the student')\n"
          "    return _quiet_{name}(*args, **kwargs)\n")
_CLONE = ("import types\nimport cnnkit\n\n{name} = types.FunctionType(cnnkit.{name}.__code__, cnnkit.{name}.__globals__,"
          " '{name}', cnnkit.{name}.__defaults__)\n{name}.__kwdefaults__ = cnnkit.{name}.__kwdefaults__\n")
#: exercise -> body that computes it with another cnnkit op (any other exercise calls cnnkit.rel_error first).
_BORROWED = {
    "corr2d": "    return cnnkit.conv2d(np.asarray(x, float)[None, None], np.asarray(k, float)[None, None])[0, 0]\n",
    "conv_output_size": ("    return cnnkit.conv2d(np.zeros((1, 1, 1, size)), np.zeros((1, 1, 1, kernel_size)),\n"
                         "                         stride=(1, stride), padding=(0, padding)).shape[-1]\n"),
    "avg_pool2d": ("    k = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)\n"
                   "    w = np.ones((x.shape[1], 1) + k) / (k[0] * k[1])\n"
                   "    return cnnkit.conv2d(x, w, stride=kernel_size if stride is None else stride,\n"
                   "                         padding=padding, groups=x.shape[1])\n"),
}
_BOMB = ("def _eat_memory():\n    blocks = []\n    while True:\n"
         "        blocks.append(np.ones(2**27))  # 1 GiB each, touched\n_eat_memory()\n")


def _exercises(source_nb) -> list[tuple[str, str]]:
    """(grade_id, solution source without markers) of every exercise, in order."""
    return [(nbgrader_metadata(c)["grade_id"], strip_solution_markers(c.source))
            for c in source_nb.cells if is_exercise_cell(c)]


def _function_call(solution: str) -> tuple[str, str] | None:
    """(name, "name(arg, ...)") of the first function the exercise defines."""
    for node in ast.parse(solution).body:
        if isinstance(node, ast.FunctionDef):
            args = [a.arg for a in node.args.args]
            return node.name, f"{node.name}({', '.join(args)})"
    return None


def _with_solutions(released, solutions: dict, blank=()):
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if is_exercise_cell(cell) and grade_id in solutions and grade_id not in blank:
            cell.source = solutions[grade_id]
    return nb


def _replaced(released, solutions: dict, exercise: str, source: str):
    """The full solution, except ``exercise``'s cell, which holds ``source``."""
    nb = _with_solutions(released, solutions)
    for cell in nb.cells:
        if nbgrader_metadata(cell).get("grade_id") == exercise:
            cell.source = source
    return nb


def _tests_of(nb, exercise: str) -> list:
    return [c for c in nb.cells if is_test_cell(c) and nbgrader_metadata(c)["grade_id"].startswith(f"test_{exercise}")]


def _insert_after_setup(nb, source: str) -> None:
    """Put a student cell right after the first code cell (the imports)."""
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code + 1, nbformat.v4.new_code_cell(source))


def build_samples(source_notebook: Path, released_text: str, assignment: str, out: Path) -> dict:
    """Write the bundle under ``out`` (nbgrader layout plus two zips) and ``out/EXPECTED.json``.

    Returns
    -------
    dict
        ``{"expected": EXPECTED, "exercise": the exercise most samples leave
        unfinished, "calls_cnnkit_exercise": the exercise calls-cnnkit, clone and
        borrow fake, "zero_on_target": those three samples}``.
    """
    import cnnkit

    source_nb = nbformat.read(str(source_notebook), as_version=4)
    released = nbformat.reads(released_text, as_version=4)
    solutions = dict(_exercises(source_nb))
    tested = [name for name in solutions if _tests_of(released, name)]
    if not tested:
        raise ValueError(f"{source_notebook}: no exercise has a test cell named test_<exercise>")
    first = tested[0]
    with_counterpart = [n for n in tested if (_function_call(solutions[n]) or ("", ""))[0] in cnnkit.__all__]
    notebooks = {"full": _with_solutions(released, solutions), "blank": copy.deepcopy(released)}
    for name in ("partly-right", "deleted-test", "edited-test", "skip-execution", "raises-exception",
                 "nbgrader-metadata", "patch-numpy", "patch-checking", "hide-tracebacks"):
        notebooks[name] = _with_solutions(released, solutions, blank=[first])
    tests = {name: _tests_of(nb, first) for name, nb in notebooks.items()}
    notebooks["deleted-test"].cells.remove(tests["deleted-test"][0])
    for cell in tests["edited-test"]:
        cell.source = "assert True"
    for cell in tests["skip-execution"]:
        cell.metadata.setdefault("tags", []).append("skip-execution")
    for cell in tests["raises-exception"]:
        cell.metadata.setdefault("tags", []).append("raises-exception")
    for cell in tests["nbgrader-metadata"]:
        cell.metadata["nbgrader"].update(grade=False, locked=False, points=0)
        cell.source = "pass"
    notebooks["forge"] = _with_solutions(released, solutions, blank=[first])
    for name in ("patch-numpy", "patch-checking", "hide-tracebacks", "forge"):
        _insert_after_setup(notebooks[name], _PATCHES[name])
    target = with_counterpart[0] if with_counterpart else first
    calls = _with_solutions(released, solutions)
    function_name, call = _function_call(solutions[target]) or (target, f"{target}()")
    header = solutions[target].split(":\n", 1)[0] + ":\n"
    for cell in calls.cells:
        if nbgrader_metadata(cell).get("grade_id") == target:
            cell.source = f"import cnnkit\n\n{header}    return cnnkit.{call}\n"
    notebooks["calls-cnnkit"] = calls
    notebooks["clone"] = _replaced(released, solutions, target, _CLONE.format(name=function_name))
    body = _BORROWED.get(function_name)
    if body is None:  # no recipe: the solution, after a call to another cnnkit op
        head, _, rest = solutions[target].partition(":\n")
        borrowed = f"{head}:\n    cnnkit.rel_error(np.zeros(1), np.zeros(1))\n{rest}"
    else:
        borrowed = header + body
    notebooks["borrow"] = _replaced(released, solutions, target, "import cnnkit\nimport numpy as np\n\n" + borrowed)
    for name, prefix in (("infinite-loop", "while True:\n    pass\n"), ("memory-bomb", _BOMB)):
        nb = _with_solutions(released, solutions)
        for cell in nb.cells:
            if nbgrader_metadata(cell).get("grade_id") == first:
                cell.source = prefix + cell.source
        notebooks[name] = nb
    warns = _with_solutions(released, solutions)
    for cell in warns.cells:
        if nbgrader_metadata(cell).get("grade_id") == target:
            cell.source += _WARNS.format(name=function_name)
    notebooks["warns-in-tests"] = warns
    for name in ("kernel-suicide", "os-exit", "writes-parent", "read-source"):
        notebooks[name] = _with_solutions(released, solutions)
        _insert_after_setup(notebooks[name], _PATCHES[name])

    out = Path(out)
    for student, nb in notebooks.items():
        folder = out / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(folder / f"{assignment}.ipynb"))
    corrupt = out / "corrupt-json" / assignment
    corrupt.mkdir(parents=True, exist_ok=True)
    full_text = nbformat.writes(notebooks["full"])
    (corrupt / f"{assignment}.ipynb").write_text(full_text[: len(full_text) // 2])
    (out / "missing-notebook" / assignment).mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out / "zip-student.zip", "w") as archive:
        archive.writestr(f"{assignment}/{assignment}.ipynb", full_text)
    with zipfile.ZipFile(out / f"doejane_4242_99999_{assignment}.zip", "w") as archive:
        archive.writestr(f"{assignment}.ipynb", full_text)
    plan = {"expected": EXPECTED, "exercise": first, "calls_cnnkit_exercise": target,
            "zero_on_target": ["calls-cnnkit", "clone", "borrow"]}
    (out / "EXPECTED.json").write_text(json.dumps(plan, indent=1, sort_keys=True) + "\n")
    return plan
