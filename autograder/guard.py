"""The allow-list guard: while an exercise runs, cnnkit computes only what the exercise may call.

At grading time the check cell before every test cell calls :func:`guard_exercises`:
each name an exercise defines (its function, or the methods of its class) is
replaced by a wrapper. While a wrapped function runs, a profile hook
(``sys.setprofile``) sees every Python call; a call into cnnkit's compute code
that the exercise's ``**You may call:**`` line does not allow raises
:class:`cnnkit.checking.ForbiddenCall`.

The hook compares **code objects**, not function objects, so aliases, bound
methods and clones built with ``types.FunctionType(cnnkit.corr2d.__code__, ...)``
are all caught. Who called decides, walking up the stack from the forbidden
frame to the wrapper:

- cnnkit's own compute code (an allowed op calling its helpers): allowed;
- a callable the test handed to the student's function (``numerical_gradient(lambda v:
  cnnkit.conv2d(v, w), ...)``): allowed;
- the instructor's cells (test cells, demo cells the student left unchanged) and
  libraries (numpy, the standard library): looked through;
- the student's cells, code built by ``exec``, or reaching the wrapper: forbidden.

A student who catches ``ForbiddenCall`` or removes the hook still fails: the
wrapper raises when the function returns. Infrastructure that is not a
computation (``cnnkit.nn.Parameter``, the ``cnnkit.nn.Layer`` base class,
``cnnkit.nn.init``) is always allowed. Only calls made while an exercise's
function runs count: tests and explorers call cnnkit as the reference outside it.
"""

from __future__ import annotations

import functools
import os
import sys
import types
import weakref

from autograder.cnnkit_code import codes_of, compute_codes, functions_in, resolve

#: Always allowed: building blocks an exercise's scaffold uses, not computations.
ALWAYS_ALLOWED = ("cnnkit.nn.Parameter", "cnnkit.nn.Layer", "cnnkit.nn.init")

_GUARDED: "weakref.WeakSet" = weakref.WeakSet()
_CACHE: dict = {}


class Rules:
    """What one exercise may call.

    Parameters
    ----------
    exercise : str
        Its grade_id, named in the error.
    allowed : sequence of str
        Public cnnkit names from its ``**You may call:**`` line.
    """

    def __init__(self, exercise: str, allowed):
        self.exercise = exercise
        self.allowed = tuple(allowed)
        compute = compute_codes()
        permitted, self.functions = set(), []
        for name in self.allowed + ALWAYS_ALLOWED:
            value = resolve(name)
            if value is None:
                raise ValueError(f"guard: {exercise} allows {name!r}, which is not a public cnnkit name")
            codes_of(value, permitted)
            self.functions += functions_in(value)
        self.compute = compute
        self.forbidden = frozenset(code for code in compute if code not in permitted)

    def describe(self) -> str:
        if not self.allowed:
            return "numpy only"
        return "numpy, " + ", ".join(self.allowed)


def _given_codes(args, kwargs) -> set:
    """Code objects of the callables handed to the exercise's function by its caller."""
    found = set()
    for value in list(args) + list(kwargs.values()):
        while isinstance(value, functools.partial):
            value = value.func
        if isinstance(value, types.MethodType):
            value = value.__func__
        if not isinstance(value, types.FunctionType) and callable(value) and not isinstance(value, type):
            value = getattr(type(value), "__call__", None)
        if isinstance(value, types.FunctionType) and value not in _GUARDED:
            codes_of(value, found)
    return found


class _Watch:
    """The state of one guarded call: its rules, the callables it was given, what it did wrong."""

    def __init__(self, rules: Rules, given: set, trusted_cells: frozenset):
        self.rules, self.given, self.trusted_cells = rules, given, trusted_cells
        self.violation = None

    def judge(self, frame) -> None:
        """Raise ForbiddenCall if the forbidden ``frame`` was called on the student's behalf."""
        code = frame.f_code
        if code in self.given:
            return
        caller = frame.f_back
        while caller is not None and caller.f_code is not _run_guarded.__code__:
            kind = self._kind(caller.f_code)
            if kind == "allow":
                return
            if kind == "student":
                break
            caller = caller.f_back
        from cnnkit.checking import ForbiddenCall

        name = self.rules.compute.get(code, code.co_qualname)
        self.violation = (f"{self.rules.exercise} called {name}, which its 'You may call' line does not "
                          f"allow ({self.rules.describe()})")
        raise ForbiddenCall(self.violation)

    def _kind(self, code) -> str:
        if code in self.rules.compute or code in self.given:
            return "allow"
        return _origin(code, self.trusted_cells)


def _origin(code, trusted_cells) -> str:
    """``"student"`` for code from the student's cells (or built by exec), else ``"look-through"``."""
    filename = code.co_filename
    if filename.startswith("<"):
        return "student"
    if os.path.dirname(filename) == _cell_directory():
        stem = os.path.splitext(os.path.basename(filename))[0]
        return "look-through" if stem in trusted_cells else "student"
    return "look-through"


def _cell_directory() -> str | None:
    """Where ipykernel says the code of notebook cells comes from (None outside a kernel)."""
    if "cells" not in _CACHE:
        try:
            from ipykernel.compiler import get_tmp_directory
            _CACHE["cells"] = get_tmp_directory()
        except ImportError:
            _CACHE["cells"] = None
    return _CACHE["cells"]


def _run_guarded(function, watch: _Watch, args, kwargs):
    """Call ``function`` with the profile hook on; its frame is where the stack walk stops."""
    from cnnkit.checking import ForbiddenCall, allowing

    forbidden, judge = watch.rules.forbidden, watch.judge

    def hook(frame, event, arg):
        if event == "call" and frame.f_code in forbidden:
            judge(frame)

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        with allowing(watch.rules.functions):
            result = function(*args, **kwargs)
    except BaseException:
        sys.setprofile(previous)
        if watch.violation:
            raise ForbiddenCall(watch.violation) from None
        raise
    installed = sys.getprofile()
    sys.setprofile(previous)
    if watch.violation:
        raise ForbiddenCall(watch.violation)
    if installed is not hook:
        raise ForbiddenCall(f"{watch.rules.exercise} removed the grader's guard (sys.setprofile) while it ran")
    return result


def guarded(function, rules: Rules, trusted_cells=frozenset()):
    """``function`` wrapped so that it runs under ``rules``; wrapping twice is a no-op."""
    if function in _GUARDED:
        return function

    def wrapper(*args, **kwargs):
        # callables count as handed in only when the caller is not the student (a test, cnnkit, an explorer)
        caller = sys._getframe(1).f_code
        given = set() if _origin(caller, trusted_cells) == "student" else _given_codes(args, kwargs)
        return _run_guarded(function, _Watch(rules, given, trusted_cells), args, kwargs)

    try:
        functools.update_wrapper(wrapper, function)
    except (AttributeError, TypeError):
        pass
    _GUARDED.add(wrapper)
    return wrapper


def _guard_class(klass: type, rules: Rules, trusted_cells) -> type:
    """Guard a class's methods: the notebook's own, and inherited cnnkit ones the rules forbid.

    A class defined in the notebook is changed in place; any other class (one of
    cnnkit's, bound to the exercise's name) is replaced by a guarded subclass.
    """
    resolved = {}
    for base in klass.__mro__:
        for name, value in vars(base).items():
            resolved.setdefault(name, (base, value))
    chosen = {name: value for name, (base, value) in resolved.items()
              if isinstance(value, types.FunctionType) and value not in _GUARDED
              and (base.__module__ == "__main__" or value.__code__ in rules.forbidden)}
    if not chosen:
        return klass
    wrapped = {name: guarded(value, rules, trusted_cells) for name, value in chosen.items()}
    if klass.__module__ == "__main__":
        for name, value in wrapped.items():
            setattr(klass, name, value)
        return klass
    subclass = type(klass.__name__, (klass,), wrapped)
    _GUARDED.add(subclass)
    return subclass


def guard_exercises(namespace: dict, exercises: dict, trusted_cells=()) -> None:
    """Guard every name the exercises define in ``namespace`` (a notebook's user namespace).

    Parameters
    ----------
    namespace : dict
        ``get_ipython().user_ns``.
    exercises : dict
        ``{grade_id: {"names": [...], "allowed": ["cnnkit.conv2d", ...]}}``.
    trusted_cells : iterable of str
        ipykernel's file names of the instructor's code cells (see :func:`autograder.safeguards.cell_file_name`).
    """
    trusted = frozenset(trusted_cells)
    for exercise, spec in exercises.items():
        key = (exercise, tuple(spec["allowed"]))
        if key not in _CACHE:
            _CACHE[key] = Rules(exercise, spec["allowed"])
        rules = _CACHE[key]
        for name in spec["names"]:
            value = namespace.get(name)
            if value is None or value in _GUARDED:
                continue
            if isinstance(value, type):
                namespace[name] = _guard_class(value, rules, trusted)
            elif callable(value):
                namespace[name] = guarded(value, rules, trusted)
