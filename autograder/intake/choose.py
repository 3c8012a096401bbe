"""Which of two files of the same student and notebook is the later submission.

The latest submission wins. "Later" is decided by the first rule that can
tell the two apart:

1. the later exchange time (nbgrader's ``timestamp.txt``);
2. the higher Canvas attachment id (Canvas numbers uploads in order);
3. the higher re-upload number (``-2`` after ``-1`` after none);
4. the Canvas ``LATE`` mark (handed in after the other one);
5. the later file modification time (zip entry time);

and when none can, the last by name is taken and the choice is ambiguous.
"""

from __future__ import annotations

from autograder.intake.model import Duplicate, Found, Stamp

RULES = [
    ("submitted", "later exchange time (timestamp.txt)"),
    ("attachment", "higher Canvas attachment id (later upload)"),
    ("resubmission", "higher re-upload number (-N)"),
    ("late_mark", "Canvas LATE mark (handed in after the other)"),
    ("file_time", "later file time"),
]
TIE = "no rule tells them apart: took the last by name"


def later(first: Stamp, second: Stamp) -> tuple[int, str]:
    """Compare two stamps: (1 if ``first`` is later, -1 if ``second`` is, 0 if no rule tells), rule."""
    for attribute, rule in RULES:
        a, b = getattr(first, attribute), getattr(second, attribute)
        if a and b or attribute in ("resubmission", "late_mark"):
            if a != b:
                return (1 if a > b else -1), rule
    return 0, TIE


def choose(candidates: list[Found]) -> tuple[Found, list[Duplicate]]:
    """The latest of ``candidates`` (same student and notebook) and one Duplicate per loser."""
    ordered = sorted(candidates, key=lambda f: f.shown)
    winner, ambiguous = ordered[0], False
    for other in ordered[1:]:
        verdict, _ = later(other.stamp, winner.stamp)
        if verdict >= 0:
            winner, ambiguous = other, verdict == 0
    duplicates = []
    for loser in ordered:
        if loser is not winner:
            verdict, rule = later(winner.stamp, loser.stamp)
            duplicates.append(Duplicate(winner.student_id, winner.assignment, winner.shown, loser.shown,
                                        rule, verdict == 0))
    return winner, duplicates
