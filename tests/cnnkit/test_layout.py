"""cnnkit keeps CONTRIBUTING.md's layout: small modules, ops importing only from the rooms below."""

import ast
from pathlib import Path

import pytest

import cnnkit

PACKAGE = Path(cnnkit.__file__).resolve().parent

#: Over 300 lines for now, with the reason (CONTRIBUTING.md: "aim <= 300 lines").
TOO_LONG_FOR_NOW: dict[str, str] = {}

#: The rooms of CONTRIBUTING.md: what each base and op module may import from cnnkit.
BASE = {"_args": set(), "sizes": {"_args"}, "_im2col": set(), "_windows": {"_args", "sizes"}}
ROOMS_1_2 = set(BASE)
OPS = {name: ROOMS_1_2 for name in ("correlate", "conv", "conv_transpose", "matrix_view", "upsample",
                                     "max_pool", "avg_pool", "gradcheck", "volume_conv",
                                     "locally_connected", "vlad_pool")}
OPS.update({name: ROOMS_1_2 | {"max_pool", "avg_pool"}
            for name in ("lp_pool", "adaptive_pool", "pyramid_pool")})
OPS["catalogue"] = ROOMS_1_2 | set(OPS)   # it calls every op once to measure them
#: Room 4, teaching support: what each package may import from cnnkit besides itself and ``import cnnkit``
#: (a relative import inside a package names one of its own modules).
SUPPORT = {
    "checking": {"notebook_errors"},
    "plotting": {"sizes"},
    "mistakes": {"sizes", "images", "nn"},
    "nn": {"checking", "mistakes", "plotting", "sizes"},
    "widgets": {"checking", "images", "mistakes", "nn", "plotting", "sizes"},
}


def _cnnkit_imports(path: Path) -> set[str]:
    """The cnnkit modules ``path`` imports (first component below ``cnnkit``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.split(".")[0] == "cnnkit":
                parts = node.module.split(".")
                found.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "cnnkit":
                    found.add(parts[1] if len(parts) > 1 else "cnnkit")
    return found


def test_no_module_is_over_300_lines():
    """Every module of cnnkit fits the aim of CONTRIBUTING.md (the listed exceptions aside)."""
    too_long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        lines = len(path.read_text().splitlines())
        if lines > 300 and relative not in TOO_LONG_FOR_NOW:
            too_long[relative] = lines
    assert not too_long, f"modules over 300 lines: {too_long}"


@pytest.mark.parametrize("module, allowed", sorted({**BASE, **OPS}.items()))
def test_base_and_op_modules_import_only_the_rooms_below(module, allowed):
    """An op never imports teaching support (checking, plotting, widgets, nn) or a sibling op."""
    imported = _cnnkit_imports(PACKAGE / f"{module}.py")
    assert imported <= set(allowed), f"{module}.py imports {sorted(imported - set(allowed))}"


@pytest.mark.parametrize("package, allowed", sorted(SUPPORT.items()))
def test_teaching_support_imports_only_what_its_room_allows(package, allowed):
    """checking and plotting import no widget, nn or mistake; nothing in room 4 imports an op module directly."""
    own = {path.stem for path in (PACKAGE / package).glob("*.py")} | {package, "cnnkit"}
    for path in sorted((PACKAGE / package).glob("*.py")):
        extra = _cnnkit_imports(path) - own - allowed
        assert not extra, f"{package}/{path.name} imports {sorted(extra)}"


def test_every_op_module_is_in_a_room():
    """A new top-level module is placed in CONTRIBUTING.md's rooms (and in this test)."""
    support = {"__init__", "notebook_errors", "images"}
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    assert modules - support - set(BASE) - set(OPS) == set()
    packages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert packages == set(SUPPORT), f"packages not in a room: {sorted(packages ^ set(SUPPORT))}"


def test_every_loop_version_fits_on_one_screen():
    """A ``<op>_loops`` is read top to bottom: at most 40 lines, docstring included."""
    long = {}
    for module in OPS:
        for node in ast.parse((PACKAGE / f"{module}.py").read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_loops"):
                lines = node.end_lineno - node.lineno + 1
                if lines > 40:
                    long[f"{module}.{node.name}"] = lines
    assert not long, f"loop versions longer than a screen: {long}"
