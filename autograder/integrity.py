"""Detect student code that tampers with numpy, cnnkit or the test machinery.

Student code runs in the same kernel as the tests, so it could redefine
``np.allclose``, replace ``cnnkit.checking.assert_close`` or silence
``get_ipython().showtraceback`` before the tests run. The grader does not try
to make every test immune; it *detects* tampering and flags the submission:

1. The worker computes a manifest of numpy, ``numpy.testing``,
   ``numpy.linalg``, ``numpy.random``, ``builtins`` and every cnnkit module in
   its own clean process (:func:`build_manifest`): one descriptor per attribute
   (type, defining module, qualified name, and the file and name of its code
   object, so swapping ``__code__`` shows while editing cnnkit's source does not).
2. At grading time only, a check cell is inserted before every test cell and at
   the end (:mod:`autograder.preprocessors`). It compares the kernel's modules
   with the manifest, inspects IPython's error display (``showtraceback``,
   ``sys.excepthook``, AST/input transformers, event callbacks, tracing) and
   prints one line ``AUTOGRADER-INTEGRITY <nonce> <index> ok|FLAG <problems>``.
3. The worker reads those lines (:func:`read_verdicts`); a problem, or a check
   cell that printed no verdict with the run's random nonce, flags the
   submission. The check cells are removed before feedback is generated.

This defeats monkeypatching from the notebook. It is not a sandbox: code that
reads the grading files from disk could forge a verdict; run the grader under
a separate OS user if that matters.
"""

from __future__ import annotations

import json
import re

MARKER = "AUTOGRADER-INTEGRITY"
CELL_METADATA_KEY = "autograder_integrity"
CHECKED_MODULES = ("numpy", "numpy.testing", "numpy.linalg", "numpy.random", "builtins")
#: builtins that IPython or ipykernel replace legitimately.
_BUILTINS_REPLACED_BY_IPYTHON = ("open", "input", "help", "exit", "quit", "copyright", "credits",
                                 "license", "display", "get_ipython", "breakpoint")

# Executed in the grading kernel (with NONCE, INDEX, MANIFEST bound) and in the
# worker (to build the manifest): one definition of what "unchanged" means.
CHECK_SOURCE = r'''
import sys as _sys, hashlib as _hashlib, json as _json

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

def run_check(nonce, index, manifest_path):
    with open(manifest_path) as handle:
        manifest = _json.load(handle)
    problems = ipython_problems()
    for module_name in checked_module_names(manifest["fixed_modules"]):
        expected = manifest["modules"].get(module_name)
        state = module_state(module_name, manifest["skip"].get(module_name, ()))
        if expected is None or state is None:
            continue
        for key, text in state.items():
            if key in expected and expected[key] != text:
                problems.append(module_name + "." + key + " redefined")
            elif key not in expected and ":__main__:" in text:
                problems.append(module_name + "." + key + " added by the notebook")
    verdict = "ok" if not problems else "FLAG " + "; ".join(sorted(set(problems)))
    print("AUTOGRADER-INTEGRITY", nonce, index, verdict, flush=True)
'''


# Executed in the grading kernel before each test cell: every exercise whose name
# is a cnnkit function is wrapped so that, while it runs, that cnnkit function
# (and its ``_loops`` twin) raises -- an exercise that merely calls its cnnkit
# counterpart earns nothing, whether or not a test cell uses ``forbid`` itself.
GUARD_SOURCE = r'''
import functools as _functools

def _guarded(function, name, forbid):
    def guarded(*args, **kwargs):
        with forbid(name):
            return function(*args, **kwargs)
    _functools.update_wrapper(guarded, function)
    guarded.__autograder_guarded__ = True
    return guarded

def guard_exercises(names):
    import cnnkit, cnnkit.checking
    user_ns = get_ipython().user_ns
    for name in names:
        function = user_ns.get(name)
        if (callable(function) and name in cnnkit.__all__
                and not getattr(function, "__autograder_guarded__", False)):
            user_ns[name] = _guarded(function, name, cnnkit.checking.forbid)
'''


def build_manifest() -> dict:
    """Descriptors of every checked module in this (clean) process; see the module docstring."""
    import importlib
    import pkgutil

    import numpy  # noqa: F401
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401
    import numpy.testing  # noqa: F401
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
    skip = {"builtins": list(_BUILTINS_REPLACED_BY_IPYTHON)}
    modules = {}
    for module_name in namespace["checked_module_names"](CHECKED_MODULES):
        state = namespace["module_state"](module_name, skip.get(module_name, ()))
        if state is not None:
            modules[module_name] = state
    return {"fixed_modules": list(CHECKED_MODULES), "skip": skip, "modules": modules}


def check_cell_source(nonce: str, index: int, manifest_path: str, exercises=()) -> str:
    """The source of the check cell number ``index``.

    It checks for tampering first, then guards the notebook's ``exercises``
    (grade_ids of its answer cells) against calling their cnnkit counterparts.
    """
    call = f"run_check({nonce!r}, {index}, {manifest_path!r})\nguard_exercises({list(exercises)!r})"
    return f"exec({(CHECK_SOURCE + GUARD_SOURCE + call)!r}, {{'__name__': 'autograder_integrity'}})"


_VERDICT = re.compile(rf"^{MARKER} (\S+) (\d+) (ok|FLAG (.*))$")


def read_verdicts(nb, nonce: str) -> list[str]:
    """Problems reported by the check cells of an executed notebook (empty when clean).

    A check cell that ran but printed no verdict carrying ``nonce`` is itself a
    problem (its output was suppressed or forged).
    """
    problems = []
    for cell in nb.cells:
        index = cell.get("metadata", {}).get(CELL_METADATA_KEY)
        if index is None:
            continue
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        verdicts = [_VERDICT.match(line) for line in text.splitlines()]
        verdicts = [m for m in verdicts if m and m.group(1) == nonce and int(m.group(2)) == index]
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors and any(o.get("ename") == "CellTimeoutError" for o in errors):
            continue  # the kernel was still busy with a student's loop; not evidence of tampering
        if len(verdicts) != 1:
            problems.append(f"integrity check {index} printed no verdict (output redirected or check broken)")
        elif verdicts[0].group(4):
            problems.extend(p.strip() for p in verdicts[0].group(4).split(";"))
    return sorted(set(problems))


def remove_check_cells(nb) -> None:
    """Drop the injected check cells (in place), so feedback shows the student's notebook."""
    nb.cells = [cell for cell in nb.cells if CELL_METADATA_KEY not in cell.get("metadata", {})]


def write_manifest(path) -> None:
    """Write :func:`build_manifest` as JSON to ``path``."""
    with open(path, "w") as handle:
        json.dump(build_manifest(), handle, sort_keys=True)
