"""CONTRIBUTING.md's layout table matches the tree."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _layout_paths() -> list[str]:
    """The paths in the first column of the layout table (``cnnkit/max_pool.py``, ``avg_pool.py`` -> both)."""
    text = (ROOT / "CONTRIBUTING.md").read_text()
    table = text[text.index("## Layout"):text.index("## The rooms")]
    paths = []
    for line in table.splitlines():
        if not line.startswith("| `"):
            continue
        folder = ""
        for name in re.findall(r"`([^`]+)`", line.split("|")[1]):
            path = name if "/" in name else folder + name
            folder = path.rsplit("/", 1)[0] + "/" if "/" in path.rstrip("/") else folder
            paths.append(path)
    return paths


def test_every_path_in_the_layout_table_exists():
    """A path named in the table is in the tree (NN_name stands for every chapter)."""
    missing = []
    for path in _layout_paths():
        pattern = path.replace("NN_name", "[0-9][0-9]_*").rstrip("/")
        if not any(ROOT.glob(pattern)):
            missing.append(path)
    assert not missing, f"CONTRIBUTING.md names paths that do not exist: {missing}"


def test_every_cnnkit_module_and_top_folder_is_in_the_layout_table():
    """A new cnnkit module or package, or a new top-level folder, gets a row."""
    named = {path.rstrip("/") for path in _layout_paths()}
    cnnkit = {f"cnnkit/{p.name}" for p in (ROOT / "cnnkit").iterdir()
              if p.suffix == ".py" or (p / "__init__.py").is_file()}
    tops = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")
            and p.name not in ("artifacts", "build") and not p.name.endswith(".egg-info")}
    listed_tops = {path.split("/")[0] for path in named}
    assert cnnkit - named == set(), f"cnnkit modules without a row: {sorted(cnnkit - named)}"
    assert tops - listed_tops == set(), f"folders without a row: {sorted(tops - listed_tops)}"
