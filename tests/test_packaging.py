"""Does the repository install the way the README says?"""

from __future__ import annotations

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


def test_ci_runs_the_readme_test_command():
    """Does .ci/run call `make test`, the command the README gives?"""
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
