"""Every loop version cnnkit exports is named in the chapter prose that teaches its op."""

from __future__ import annotations

from pathlib import Path

import nbformat

import cnnkit

REPO = Path(__file__).resolve().parents[2]


def test_every_exported_loop_version_is_linked_from_a_chapter():
    """Is each ``cnnkit.*_loops`` named in some solution notebook's markdown?"""
    prose = "\n".join(cell.source for path in sorted((REPO / "solutions").glob("*/*.ipynb"))
                      for cell in nbformat.read(str(path), as_version=4).cells if cell.cell_type == "markdown")
    loops = sorted(name for name in cnnkit.__all__ if name.endswith("_loops"))
    assert loops, "cnnkit exports no loop versions: this test shows nothing"
    unlinked = [name for name in loops if f"cnnkit.{name}" not in prose]
    assert not unlinked, f"loop versions no chapter names: {unlinked}"
