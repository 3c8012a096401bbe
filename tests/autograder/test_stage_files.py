"""Autograded notebooks that arrive as bytes (from a Dask worker) are staged as a local worker stages them."""

from __future__ import annotations

from autograder.graded_course import stage_files


def test_files_are_staged_whole_and_nothing_leaves_the_target(tmp_path):
    """Are the files written under the target, an old copy replaced, and a path with .. dropped?"""
    target = tmp_path / "out" / ".staged" / "key"
    target.mkdir(parents=True)
    (target / "old.ipynb").write_text("from an earlier grading")
    stage_files({"99_fixture.ipynb": b"{}", "sub/extra.txt": b"x", "../../escaped.txt": b"no"}, target)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == [
        "99_fixture.ipynb", "sub/extra.txt"]
    assert (target / "99_fixture.ipynb").read_bytes() == b"{}"
    assert not list(tmp_path.rglob("escaped.txt")) and not list(tmp_path.rglob("*.partial"))
