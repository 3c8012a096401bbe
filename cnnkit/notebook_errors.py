"""Say "your cell has a syntax error" where a notebook would only say "name is not defined".

When an exercise cell has a syntax error, Python never runs it, so the function
it defines does not exist and every test cell below fails with
``NameError: name 'corr2d' is not defined`` -- which points away from the
mistake. Importing :mod:`cnnkit.checking` inside IPython installs a handler
(:func:`install`) that, for a ``NameError`` raised by a cell's own top-level
code, looks back through the cells run so far for the last one defining that
name; if that cell does not compile, the error message says so, with the line
and Python's own description::

    NameError: name 'corr2d' is not defined: the cell where you define corr2d
    has a SyntaxError on line 3 (invalid syntax): `for i in range(out_h)`.
    Fix that cell and run it again.

Everything else is shown exactly as IPython shows it.
"""

from __future__ import annotations

import re

__all__ = ["explain_undefined_name", "install"]


def _defines(name: str):
    escaped = re.escape(name)
    return re.compile(rf"^\s*(?:async\s+)?(?:def|class)\s+{escaped}\b|^{escaped}\s*(?::[^=]*)?=[^=]",
                      re.MULTILINE)


def explain_undefined_name(name: str, cells, transform=None) -> str | None:
    """Why ``name`` is undefined, if the last cell defining it has a syntax error.

    Parameters
    ----------
    name : str
        The name of the ``NameError``.
    cells : sequence of str
        The sources of the cells run so far, oldest first.
    transform : callable, optional
        Turns a cell's source into Python (IPython's ``transform_cell``, which
        removes ``%magics``); identity by default.

    Returns
    -------
    str or None
        ``"the cell where you define <name> has a SyntaxError on line L (message):
        `code`. Fix that cell and run it again."``, or None when the last cell
        defining ``name`` compiles (or no cell defines it).

    Examples
    --------
    >>> explain_undefined_name("f", ["def f(x):\\n    return x +\\n"])
    'the cell where you define f has a SyntaxError on line 2 (invalid syntax): `return x +`. Fix that cell and run it again.'
    """
    pattern = _defines(name)
    for source in reversed(list(cells)):
        if not source or not pattern.search(source):
            continue
        try:
            compile(transform(source) if transform else source, "<cell>", "exec")
        except SyntaxError as error:
            where = f"line {error.lineno}" if error.lineno else "a line"
            text = (error.text or "").strip()
            shown = f": `{text}`" if text else ""
            return (f"the cell where you define {name} has a {type(error).__name__} on {where} "
                    f"({error.msg}){shown}. Fix that cell and run it again.")
        return None
    return None


def _raised_at_top_level(tb) -> bool:
    """True when the innermost frame is a cell's own code, not inside a function."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_name == "<module>"


def _handler(shell, etype, value, tb, tb_offset=None):
    try:
        name = getattr(value, "name", None)
        if name and _raised_at_top_level(tb):
            reason = explain_undefined_name(name, shell.history_manager.input_hist_raw[:-1],
                                            transform=shell.transform_cell)
            if reason and value.args:
                value.args = (f"{value.args[0]}: {reason}",) + tuple(value.args[1:])
    finally:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    return []


def install(shell=None) -> bool:
    """Register the handler in the running IPython shell (once; never over another handler).

    Parameters
    ----------
    shell : IPython InteractiveShell, optional
        Defaults to the current one; outside IPython nothing happens.

    Returns
    -------
    bool
        Whether the handler is (now) installed.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    current = getattr(shell, "custom_exceptions", ())
    if current == (NameError,) and getattr(shell, "_cnnkit_name_errors", False):
        return True
    if current:
        return False
    shell.set_custom_exc((NameError,), _handler)
    shell._cnnkit_name_errors = True
    return True
