"""Detect student code that tampers with numpy, cnnkit or the test machinery.

Student code runs in the same kernel as the tests, so it could redefine
``np.allclose``, replace ``cnnkit.checking.assert_close`` or silence
``get_ipython().showtraceback`` before the tests run. The grader does not try
to make every test immune; it *detects* tampering and flags the submission:

1. The worker computes a manifest of numpy, ``numpy.testing``,
   ``numpy.linalg``, ``numpy.random``, ``builtins``, the grader's guard and every
   cnnkit module in its own clean process (:func:`build_manifest`): one
   descriptor per attribute (type, defining module, qualified name, and the file
   and name of its code object, so swapping ``__code__`` shows while editing
   cnnkit's source does not).
2. At grading time only, a check cell is inserted before every test cell and at
   the end (:mod:`autograder.preprocessors`). It describes the kernel's modules
   the same way, inspects IPython's error display (``showtraceback``,
   ``sys.excepthook``, AST/input transformers, event callbacks, tracing),
   installs the allow-list guard (:mod:`autograder.guard`) and writes one
   verdict line, with the modules' descriptors, to the verdict channel
   (:mod:`autograder.verdicts`), never to the cell's output.
3. The worker reads the channel and compares each check's descriptors with the
   manifest (:func:`state_problems`): a problem, or a check cell that sent no
   verdict with its token, flags the submission. The check cells are removed
   before feedback is generated.

The comparison happens in the worker, not in the kernel, so the manifest
(~150 KB) is not a literal in every check cell: ipykernel hashes each cell's
source in pure Python to name it, and parsing the literal cost as much again,
~80 ms a check cell, over a second a chapter notebook.

This defeats monkeypatching from the notebook; :mod:`autograder.static_scan`
flags the constructs (introspection, ``builtins``, IPython internals) that a
determined student would need to attack the check cell itself.
"""

from __future__ import annotations

import json

CELL_METADATA_KEY = "autograder_integrity"
CHECKED_MODULES = ("numpy", "numpy.testing", "numpy.linalg", "numpy.random", "builtins", "autograder.guard")
#: builtins that IPython or ipykernel replace legitimately.
_BUILTINS_REPLACED_BY_IPYTHON = ("open", "input", "help", "exit", "quit", "copyright", "credits",
                                 "license", "display", "get_ipython", "breakpoint")
#: Attributes not compared, by module.
SKIPPED = {"builtins": list(_BUILTINS_REPLACED_BY_IPYTHON)}
#: What separates, in a verdict line, the verdict from the state, and in the state (:func:`parse_state`) a
#: module, a key, a descriptor. CHECK_SOURCE writes the same characters as literals: it runs on its own.
STATE, MODULE, KEY, DESCRIPTOR = "\x1c", "\x1e", "\x1f", "\x1d"

# Executed in the grading kernel (by the check cells) and in the worker (to
# build the manifest): one definition of what "unchanged" means.
CHECK_SOURCE = r'''
import sys as _sys

def describe(value):
    kind = type(value)
    text = kind.__module__ + "." + kind.__qualname__
    if isinstance(value, (bool, int, float, complex, str, bytes, type(None))):
        return text + "=" + repr(value)[:80]
    try:
        name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
        owner = getattr(value, "__module__", None)
        code = getattr(value, "__code__", None)
    except Exception:
        return text
    text += ":" + str(owner) + ":" + str(name)
    if code is not None and hasattr(code, "co_filename"):
        text += ":" + str(code.co_filename) + ":" + str(code.co_name)
    return text

def module_state(module_name, skip=()):
    module = _sys.modules.get(module_name)
    if module is None:
        return None
    state = {}
    for key, value in list(vars(module).items()):
        if key.startswith("__") or key in skip or type(value).__name__ == "module":
            continue
        state[key] = describe(value)
    return state

def checked_module_names(fixed):
    return list(fixed) + sorted(m for m in list(_sys.modules) if m == "cnnkit" or m.startswith("cnnkit."))

def ipython_problems():
    problems = []
    shell = _sys.modules.get("IPython") and _sys.modules["IPython"].get_ipython()
    if shell is None:
        return problems
    for attr in ("showtraceback", "showsyntaxerror", "run_cell", "run_cell_async",
                 "run_code", "run_ast_nodes", "transform_cell", "should_run_async"):
        if attr in vars(shell):
            problems.append("get_ipython()." + attr + " replaced")
        owner = str(getattr(getattr(type(shell), attr, None), "__module__", ""))
        if not owner.startswith(("IPython", "ipykernel")):
            problems.append(type(shell).__name__ + "." + attr + " replaced")
    hook_owner = str(getattr(_sys.excepthook, "__module__", "sys"))
    if not hook_owner.startswith(("IPython", "ipykernel", "sys", "builtins")) and _sys.excepthook is not _sys.__excepthook__:
        problems.append("sys.excepthook replaced")
    if shell.ast_transformers:
        problems.append("AST transformers registered")
    for transform in list(shell.input_transformers_post) + list(shell.input_transformers_cleanup):
        if not str(getattr(transform, "__module__", "")).startswith("IPython"):
            problems.append("input transformer registered")
    for event, callbacks in shell.events.callbacks.items():
        for callback in callbacks:
            if not str(getattr(callback, "__module__", "")).startswith(("IPython", "ipykernel", "matplotlib", "ipywidgets", "matplotlib_inline")):
                problems.append("callback on " + event + " registered")
    if _sys.gettrace() is not None or _sys.getprofile() is not None:
        problems.append("trace or profile function installed")
    for stream in ("stdout", "stderr"):
        if not type(getattr(_sys, stream)).__module__.startswith("ipykernel"):
            problems.append("sys." + stream + " replaced")
    return problems

def clean(text):
    for mark in ("\n", "\x1c", "\x1d", "\x1e", "\x1f"):
        text = text.replace(mark, "?")
    return text

def state_text(fixed_modules, skip):
    parts = []
    for module_name in checked_module_names(fixed_modules):
        state = module_state(module_name, skip.get(module_name, ()))
        if state is not None:
            parts.append("\x1e" + clean(module_name))
            parts.extend("\x1f" + clean(key) + "\x1d" + clean(text) for key, text in state.items())
    return "".join(parts)
'''


# The end of a check cell: FIXED_MODULES, SKIP, EXERCISES, TRUSTED_CELLS, FD and PREFIX are bound before it.
_CHECK_CELL = r'''
def _main():
    try:
        problems, state = ipython_problems(), state_text(FIXED_MODULES, SKIP)
    except BaseException as error:
        problems, state = ["the integrity check failed (" + type(error).__name__ + ")"], ""
    try:
        from autograder.guard import guard_exercises
        guard_exercises(get_ipython().user_ns, EXERCISES, TRUSTED_CELLS)
    except BaseException as error:
        problems.append("the allow-list guard could not be installed (" + type(error).__name__ + ")")
    verdict = "ok" if not problems else "FLAG " + "; ".join(sorted(set(problems)))
    write_verdict(FD, PREFIX + clean(verdict) + "\x1c" + state)

_main()
'''


def build_manifest() -> dict:
    """Descriptors of every checked module in this (clean) process; see the module docstring."""
    import importlib
    import pkgutil

    import numpy  # noqa: F401
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401
    import numpy.testing  # noqa: F401
    import autograder.guard  # noqa: F401  (the check cells import it)
    import cnnkit

    for info in pkgutil.walk_packages(cnnkit.__path__, "cnnkit."):
        try:
            importlib.import_module(info.name)
        except Exception:  # an optional module (widgets without a display) must not stop grading
            continue
    for name in getattr(cnnkit, "__all__", ()):
        getattr(cnnkit, name, None)
    namespace: dict = {}
    exec(CHECK_SOURCE, namespace)
    modules = parse_state(namespace["state_text"](CHECKED_MODULES, SKIPPED))
    return {"modules": modules}  # what the check cells describe and skip is CHECKED_MODULES and SKIPPED


def parse_state(text: str) -> dict[str, dict[str, str]]:
    """``{module: {attribute: descriptor}}`` from a check cell's state (``state_text`` of :data:`CHECK_SOURCE`).

    The text comes from student-reachable code: anything that does not parse is
    dropped here, and a module missing from it is simply not compared.
    """
    modules: dict[str, dict[str, str]] = {}
    for block in text.split(MODULE)[1:]:
        name, *entries = block.split(KEY)
        state = modules.setdefault(name, {})
        for entry in entries:
            key, _, descriptor = entry.partition(DESCRIPTOR)
            state[key] = descriptor
    return modules


def state_problems(manifest: dict, text: str) -> list[str]:
    """What differs between a check cell's state (:func:`parse_state`) and ``manifest``.

    An attribute whose descriptor changed is "redefined"; one the manifest lacks
    counts only when the notebook defined it (``__main__``): modules gain
    attributes legitimately (lazy imports, caches).
    """
    problems = []
    for module_name, state in parse_state(text).items():
        expected = manifest["modules"].get(module_name)
        if expected is None:
            continue
        for key, descriptor in state.items():
            if key in expected and expected[key] != descriptor:
                problems.append(f"{module_name}.{key} redefined")
            elif key not in expected and ":__main__:" in descriptor:
                problems.append(f"{module_name}.{key} added by the notebook")
    return problems


def check_cell_setup(fd: int, exercises: dict, trusted_cells=()) -> str:
    """What every check cell of a submission runs before its own verdict line (see :func:`check_cell_source`).

    Parameters
    ----------
    fd : int
        The verdict channel's file descriptor in the kernel.
    exercises : dict
        ``{grade_id: {"names": [...], "allowed": [...]}}`` for :func:`autograder.guard.guard_exercises`.
    trusted_cells : sequence of str
        ipykernel's file names of the instructor's code cells.
    """
    from autograder.verdicts import WRITER_SOURCE

    return (CHECK_SOURCE + WRITER_SOURCE + f"FIXED_MODULES = {list(CHECKED_MODULES)!r}\nSKIP = {SKIPPED!r}\n"
            f"EXERCISES = {exercises!r}\nTRUSTED_CELLS = {sorted(trusted_cells)!r}\nFD = {int(fd)}\n")


def check_cell_source(setup: str, notebook: str, index: int, verdict_token: str) -> str:
    """The source of check cell ``index`` of ``notebook``: ``exec`` of ``setup`` and the check.

    ``verdict_token`` is :func:`autograder.verdicts.token` of this check.
    """
    from autograder.verdicts import MARKER

    prefix = f"PREFIX = {f'{MARKER} {notebook} {index} {verdict_token} '!r}\n"
    return f"exec({setup + prefix + _CHECK_CELL!r}, {{'__name__': 'autograder_integrity'}})"


def executed_checks(nb, notebook: str) -> dict:
    """``{(notebook, index): timed_out}`` for every check cell of an executed notebook."""
    found = {}
    for cell in nb.cells:
        index = cell.get("metadata", {}).get(CELL_METADATA_KEY)
        if index is not None:
            errors = {o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"}
            found[(notebook, int(index))] = "CellTimeoutError" in errors
    return found


def remove_check_cells(nb) -> None:
    """Drop the injected check cells (in place), so feedback shows the student's notebook."""
    nb.cells = [cell for cell in nb.cells if CELL_METADATA_KEY not in cell.get("metadata", {})]


def write_manifest(path) -> None:
    """Write :func:`build_manifest` as JSON to ``path``."""
    with open(path, "w") as handle:
        json.dump(build_manifest(), handle, sort_keys=True)


def load_manifest(path) -> dict:
    """The manifest :func:`write_manifest` wrote (read once per process and path)."""
    path = str(path)
    if path not in _MANIFESTS:
        with open(path) as handle:
            _MANIFESTS[path] = json.load(handle)
    return _MANIFESTS[path]


_MANIFESTS: dict = {}
