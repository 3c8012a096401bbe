"""Does the repository install the way the README says?"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _split_requirement(text: str) -> tuple[str, str]:
    """'numpy>=1.26' -> ('numpy', '>=1.26'); names normalised as PEP 503 does."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", text)
    assert match, f"cannot parse requirement {text!r}"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    spec = ",".join(sorted(part.strip() for part in match.group(2).split(",") if part.strip()))
    return name, spec


def test_environment_yml_lists_the_same_runtime_dependencies_as_pyproject():
    """Do the conda route and the pip route install the same packages at the same versions?"""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())

    from_pip = dict(_split_requirement(r) for r in project["dependencies"])
    conda_entries = [d for d in environment["dependencies"] if isinstance(d, str)]
    from_conda = dict(_split_requirement(d) for d in conda_entries)
    python_spec = from_conda.pop("python")
    from_conda.pop("pip")

    assert from_conda == from_pip
    assert python_spec == project["requires-python"]
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert any(re.search(r"(-e|--editable)\s+\.", line) for line in pip_section), (
        "environment.yml must install the project itself with pip"
    )
    assert environment["channels"] == ["conda-forge"]


def test_the_two_packages_are_installed_from_this_checkout():
    """Are cnnkit and autograder importable, from this repository (editable install)?"""
    for package in ("cnnkit", "autograder"):
        location = subprocess.run(
            [sys.executable, "-c", f"import {package}; print({package}.__file__)"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        assert Path(location).resolve().is_relative_to(ROOT), (package, location)


#: Imported where the grader drives nbgrader, but the notebook stack's own API: installed and
#: pinned by nbgrader and jupyterlab, so declaring them again could only conflict.
NOTEBOOK_STACK = {"IPython", "ipykernel", "jinja2", "jupyter_client", "nbclient", "nbconvert", "nbformat",
                  "sqlalchemy", "traitlets"}
#: Declared but run rather than imported: ``python -m jupyterlab`` (tools/lab.py).
APPLICATIONS = {"jupyterlab"}
SOURCES = ("cnnkit", "autograder", "tests", "benchmarks", "tools")


def _imported_modules() -> set[str]:
    """Top-level modules the project's code imports, ``pytest.importorskip(...)`` included."""
    found = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
                elif (isinstance(node, ast.Call) and node.args
                      and getattr(node.func, "attr", "") == "importorskip"
                      and isinstance(node.args[0], ast.Constant)):
                    found.add(node.args[0].value.split(".")[0])
    paths = [path for folder in SOURCES for path in (ROOT / folder).rglob("*")]
    local = {path.stem for path in paths if path.suffix == ".py"}
    local |= {path.name for path in paths if path.is_dir()}
    return found - set(sys.stdlib_module_names) - local - NOTEBOOK_STACK


def _declared() -> set[str]:
    """Every distribution pyproject.toml declares: dependencies and every extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return {_split_requirement(r)[0] for r in requirements}


def _distributions(module: str) -> set[str]:
    """The distributions that install ``module`` (its own name when none is installed)."""
    providers = importlib.metadata.packages_distributions().get(module, [module])
    return {_split_requirement(name)[0] for name in providers}


def test_every_imported_package_is_declared():
    """Is every third-party module the code and the tests import declared in pyproject.toml?"""
    declared = _declared()
    undeclared = {module: sorted(_distributions(module)) for module in _imported_modules()
                  if not _distributions(module) & declared}
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_every_declared_package_is_used():
    """Is every declared distribution imported somewhere (or run, for the applications)?"""
    used = set().union(*(_distributions(module) for module in _imported_modules()))
    unused = _declared() - used - APPLICATIONS
    assert not unused, f"declared in pyproject.toml but never imported: {sorted(unused)}"


def test_ci_runs_the_readme_test_command():
    """Does .ci/run call `make test`, the command the README gives?"""
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
