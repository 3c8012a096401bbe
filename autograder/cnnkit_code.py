"""What cnnkit's compute code is: its public names, its functions, their code objects.

The allow-list guard (:mod:`autograder.guard`) compares code objects, so it
needs every code object of cnnkit's compute modules (nested lambdas and
comprehensions included) and those of the names an exercise may call. This
module imports nothing heavy: it runs inside every grading kernel.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import types
from pathlib import Path

#: cnnkit modules (and packages) that are not computations: test helpers, figures, explorers.
NOT_COMPUTE = ("cnnkit.checking", "cnnkit.nn.checking", "cnnkit.plotting", "cnnkit.widgets")
_CACHE: dict = {}


def resolve(name: str):
    """The object a public dotted cnnkit name stands for, or None.

    The last step must be listed in its module's ``__all__`` (``cnnkit.conv2d``,
    ``cnnkit.nn.Sequential``, ``cnnkit.nn.init``, ``cnnkit.images.to_grayscale``) or
    be a subpackage (``cnnkit.nn``); steps before it are modules not named ``_*``.
    """
    parts = name.split(".")
    if parts[0] != "cnnkit" or len(parts) < 2 or any(not p.isidentifier() or p.startswith("_") for p in parts):
        return None
    value = importlib.import_module("cnnkit")
    for index, part in enumerate(parts[1:], start=1):
        last = index == len(parts) - 1
        if part in getattr(value, "__all__", ()):
            value = getattr(value, part)
            continue
        try:
            value = importlib.import_module(".".join(parts[: index + 1]))
        except ImportError:
            return None
        if last and not hasattr(value, "__path__"):
            return None
    return value


def _nested(code, found: set) -> None:
    if code in found:
        return
    found.add(code)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _nested(const, found)


def functions_in(value) -> list:
    """The Python functions of a function, a class (its methods along the cnnkit MRO) or a module (what it defines)."""
    if isinstance(value, types.FunctionType):
        return [value]
    found = []
    if isinstance(value, types.ModuleType):
        for item in list(vars(value).values()):
            if getattr(item, "__module__", None) == value.__name__ and (isinstance(item, (type, types.FunctionType))):
                found += functions_in(item)
    elif isinstance(value, type):
        for klass in value.__mro__:
            if klass is not value and not str(klass.__module__).startswith("cnnkit"):
                continue
            for item in list(vars(klass).values()):
                if isinstance(item, (staticmethod, classmethod)):
                    item = item.__func__
                parts = (item.fget, item.fset, item.fdel) if isinstance(item, property) else (item,)
                found += [part for part in parts if isinstance(part, types.FunctionType)]
    return found


def codes_of(value, found: set | None = None) -> set:
    """Code objects of :func:`functions_in` ``value``, nested code (lambdas, comprehensions) included."""
    found = set() if found is None else found
    for function in functions_in(value):
        _nested(function.__code__, found)
    return found


def compute_modules() -> list:
    """cnnkit's compute modules, imported (the packages' ``__init__`` only re-export, so they are skipped)."""
    import cnnkit

    found, todo = [], [(cnnkit.__path__, "cnnkit.")]
    while todo:
        path, prefix = todo.pop()
        for info in pkgutil.iter_modules(path, prefix):
            if any(info.name == m or info.name.startswith(m + ".") for m in NOT_COMPUTE):
                continue
            module = importlib.import_module(info.name)
            if info.ispkg:
                todo.append((module.__path__, info.name + "."))
            else:
                found.append(module)
    return found


def _in_cnnkit(code) -> bool:
    """Is ``code`` written in cnnkit's folder? contextlib's, a namedtuple's or a dataclass's shared
    wrapper code is reachable from cnnkit functions but is everybody's, not cnnkit computation."""
    return _file_in_cnnkit(code.co_filename)


@functools.cache
def _file_in_cnnkit(filename: str) -> bool:
    import cnnkit

    return Path(filename).resolve().is_relative_to(Path(cnnkit.__file__).resolve().parent)


def compute_codes() -> dict:
    """Every code object of cnnkit's compute modules -> ``"module.qualname"`` (computed once)."""
    if "compute" not in _CACHE:
        # Named by the module that defines each function, not the one whose class inherits it:
        # cnnkit.mistakes subclasses nn.ReLU, and nn.ReLU.__init__ is still cnnkit.nn.layers'.
        _CACHE["compute"] = {code: f"{function.__module__}.{code.co_qualname}"
                             for module in compute_modules() for function in functions_in(module)
                             for code in codes_of(function) if _in_cnnkit(code)}
    return _CACHE["compute"]
