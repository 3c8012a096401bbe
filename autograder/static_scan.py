"""Static scan of a submission's own cells, outside the kernel, before grading.

The runtime check (:mod:`autograder.integrity`) sees what student code changed;
this scan sees *how* it could have: the constructs an honest answer never needs
and an attack on the grader always does. It reads the abstract syntax tree of
every code cell the student wrote or changed (answer cells, added cells, edited
demo cells; test and locked cells are restored from the source, untouched
instructor cells are skipped) after IPython's own rewriting of ``%magics`` and
``!shell`` lines, and reports each finding with its cell and line::

    corr2d cell line 4: uses __code__ (introspection)

What it flags: dunder attributes and names (``__code__``, ``__globals__``,
``__builtins__``, ``__dict__``...), modules for introspection, patching, dynamic
code, other processes, threads, the network and files (``builtins``, ``gc``,
``inspect``, ``ctypes``, ``importlib``, ``types.FunctionType``, ``sys.modules``,
``sys._getframe``, ``os.write``, ``subprocess``, ``socket``, ``pathlib``,
``glob``...), ``exec``/``eval``/``compile``, ``setattr``/``delattr``, assignments
to a module's attributes, ``get_ipython`` and IPython's input history (``In``,
``_i``: previous cells, hidden tests included), rebinding builtins the grader
relies on, classes that define ``__array__``-like hooks, and file reads by a
computed, absolute or ``..`` path. A syntax error in an answer cell is reported
as such. :func:`scan_notebook` is the entry point.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from autograder.notebooks import is_exercise_cell, is_test_cell, nbgrader_metadata
from autograder.scan_rules import (ALLOWED_ATTRIBUTES, CRITICAL_BUILTINS, DUNDER_METHODS_OK, DUNDERS_OK,
                                   FILE_READERS, HARMLESS_MAGICS, MODULES, MODULES_OK, NAMES, NUMPY_FORBIDDEN)

_PREVIOUS_INPUT = re.compile(r"^_i{1,3}$|^_i\d+$")
_DUNDER = re.compile(r"^__\w+__$")


@dataclass(frozen=True)
class Finding:
    """Something found in one cell: ``"corr2d cell line 4: uses __code__ (introspection)"``."""

    cell: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.cell} line {self.line}: {self.what}"


@dataclass
class ScanResult:
    """What :func:`scan_notebook` found.

    Attributes
    ----------
    findings : list of Finding
        Constructs that flag the submission.
    syntax_errors : dict
        ``{grade_id: Finding}`` for answer cells that do not parse.
    """

    findings: list
    syntax_errors: dict


def python_source(source: str) -> str:
    """The cell as IPython runs it: ``%magic`` and ``!shell`` lines become ``get_ipython()`` calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _safe_path(node) -> bool:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    path = node.value
    return not (path.startswith(("/", "~", "\\")) or ".." in path or ":" in path or any(c in path for c in "*?["))


class _Visitor(ast.NodeVisitor):
    def __init__(self, label: str, modules: dict):
        self.label, self.modules, self.found = label, dict(modules), {}
        self.depth, self.roots_seen = 0, set()

    def flag(self, node, what: str) -> None:
        self.found.setdefault((node.lineno, what), Finding(self.label, node.lineno, what))

    def dotted(self, node) -> str | None:
        """``numpy.linalg.norm`` for ``np.linalg.norm`` when ``np`` names a module, else None."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.modules:
            return ".".join([self.modules[node.id], *reversed(parts)])
        if isinstance(node, ast.Name) and node.id == "open" and not parts:
            return "open"
        return None

    def check_module_use(self, node, dotted: str) -> None:
        root, _, rest = dotted.partition(".")
        if any(dotted == ok or dotted.startswith(ok + ".") for ok in MODULES_OK):
            return
        if root in MODULES:
            if root not in self.roots_seen:  # once per module and cell
                self.roots_seen.add(root)
                self.flag(node, f"uses {dotted} ({MODULES[root]})")
        elif root in ALLOWED_ATTRIBUTES and rest and rest not in ALLOWED_ATTRIBUTES[root] \
                and rest.split(".")[0] not in ALLOWED_ATTRIBUTES[root] - {"path"}:
            kind = "files or processes outside the submission" if root == "os" else "introspection"
            self.flag(node, f"uses {dotted} ({kind})")
        elif root == "numpy" and rest.split(".")[0] in NUMPY_FORBIDDEN:
            self.flag(node, f"uses {dotted} (introspection)")

    # imports -----------------------------------------------------------
    def visit_Import(self, node):
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            self.modules[bound] = alias.name if alias.asname else alias.name.split(".")[0]
            self.check_module_use(node, alias.name)
            self.check_rebinding(node, bound)

    def visit_ImportFrom(self, node):
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            full = f"{module}.{alias.name}"
            self.check_module_use(node, full if alias.name != "*" else module)
            if _DUNDER.match(alias.name) and alias.name not in DUNDERS_OK:
                self.flag(node, f"imports {alias.name} (introspection)")
            self.modules[alias.asname or alias.name] = full
            self.check_rebinding(node, alias.asname or alias.name)

    # names and attributes ---------------------------------------------
    def visit_Name(self, node):
        if node.id in NAMES:
            self.flag(node, f"uses {node.id} ({NAMES[node.id]})")
        elif _DUNDER.match(node.id) and node.id not in DUNDERS_OK:
            self.flag(node, f"uses {node.id} (introspection)")
        elif _PREVIOUS_INPUT.match(node.id) and isinstance(node.ctx, ast.Load) and node.id not in self.stored:
            self.flag(node, f"uses {node.id} (IPython's record of earlier cells)")

    def visit_Attribute(self, node):
        if _DUNDER.match(node.attr) and node.attr not in DUNDERS_OK:
            self.flag(node, f"uses {node.attr} (introspection)")
        dotted = self.dotted(node)
        if dotted:
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                self.flag(node, f"assigns {dotted} (patching a module)")
            else:
                self.check_module_use(node, dotted)
            return  # the chain is judged as a whole
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and _DUNDER.match(node.value) and node.value not in DUNDERS_OK:
            self.flag(node, f"mentions {node.value!r} (introspection)")

    # calls ---------------------------------------------------------------
    def visit_Call(self, node):
        magic = _magic_call(node)
        if magic is not None:
            if magic in ("system", "getoutput"):
                self.flag(node, "runs a shell command (other processes)")
            elif magic not in HARMLESS_MAGICS:
                self.flag(node, f"uses the %{magic} magic (IPython internals)")
            return
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in ("getattr", "hasattr", "setattr", "delattr"):
            attribute = node.args[1] if len(node.args) > 1 else None
            literal = isinstance(attribute, ast.Constant) and isinstance(attribute.value, str)
            if not literal or _DUNDER.match(attribute.value):
                self.flag(node, f"uses {name} with a computed or special name (introspection)")
            elif name in ("setattr", "delattr") and not (node.args and isinstance(node.args[0], ast.Name)
                                                         and node.args[0].id == "self"):
                self.flag(node, f"uses {name} on something other than self (patching)")
        reader = self.dotted(node.func)
        if reader in FILE_READERS or (isinstance(node.func, ast.Attribute)
                                      and node.func.attr in ("read_text", "read_bytes")):
            path = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg in ("file", "fname", "filename", "path")), None)
            if not _safe_path(path):
                self.flag(node, "opens a file by a computed, absolute or '..' path (files outside the submission)")
        self.generic_visit(node)

    # definitions and bindings -----------------------------------------
    def check_rebinding(self, node, name: str) -> None:
        if self.depth == 0 and name in CRITICAL_BUILTINS:
            self.flag(node, f"rebinds the builtin {name} (patching)")

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.check_rebinding(node, target.id)
                if self.dotted(node.value):
                    self.modules[target.id] = self.dotted(node.value)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if self.depth and self.in_class and _DUNDER.match(node.name) and node.name not in DUNDER_METHODS_OK:
            self.flag(node, f"defines {node.name} (an object that imitates a result)")
        self._visit_definition(node, in_class=False)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._visit_definition(node, in_class=True)

    def _visit_definition(self, node, in_class: bool) -> None:
        self.check_rebinding(node, node.name)
        self.depth += 1
        outer, self.in_class = self.in_class, in_class
        self.generic_visit(node)
        self.depth -= 1
        self.in_class = outer

    in_class = False
    stored: frozenset = frozenset()


def _magic_call(node) -> str | None:
    """``"matplotlib"`` for ``get_ipython().run_line_magic('matplotlib', ...)``, ``"system"`` for ``!ls``."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython"):
        return None
    if func.attr in ("run_line_magic", "run_cell_magic") and node.args and isinstance(node.args[0], ast.Constant):
        return str(node.args[0].value)
    return func.attr


def scan_source(source: str, label: str, modules: dict | None = None) -> tuple[list, Finding | None]:
    """Findings of one cell's source, and its syntax error (a Finding) if it does not parse.

    Parameters
    ----------
    source : str
        The cell as the student wrote it (IPython syntax allowed).
    label : str
        How findings name the cell: ``"corr2d cell"``.
    modules : dict, optional
        Names bound to modules by other cells (``{"np": "numpy"}``).
    """
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError as error:
        return [], Finding(label, error.lineno or 1, f"syntax error: {error.msg}")
    visitor = _Visitor(label, modules or {})
    visitor.stored = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load))
    visitor.visit(tree)
    return sorted(visitor.found.values(), key=lambda f: (f.line, f.what)), None


def module_names(nb) -> dict:
    """Names that the notebook's code cells bind to modules by ``import`` (``{"np": "numpy"}``)."""
    found = {}
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(python_source(cell.source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def scan_notebook(submitted, source) -> ScanResult:
    """Scan the cells of ``submitted`` that the student wrote or changed.

    Parameters
    ----------
    submitted, source : nbformat.NotebookNode
        The student's notebook and the instructor's source notebook.
    """
    restored = {nbgrader_metadata(c)["grade_id"] for c in source.cells
                if c.cell_type == "code" and (is_test_cell(c) or nbgrader_metadata(c).get("locked"))}
    answers = {nbgrader_metadata(c)["grade_id"] for c in source.cells if is_exercise_cell(c)}
    given = {c.source.strip() for c in source.cells if c.cell_type == "code" and not is_exercise_cell(c)}
    modules = module_names(submitted)
    findings, syntax_errors = [], {}
    for position, cell in enumerate(submitted.cells, start=1):
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if cell.get("cell_type") != "code" or grade_id in restored or cell.source.strip() in given:
            continue
        label = f"{grade_id} cell" if grade_id in answers else f"cell {position}"
        found, error = scan_source(cell.source, label, modules)
        findings += found
        if error is not None and grade_id in answers:
            syntax_errors[grade_id] = error
    return ScanResult(findings, syntax_errors)
