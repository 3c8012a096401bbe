"""How late a submission is, and what the late policy takes off.

Only a trusted time decides lateness: the exchange's ``timestamp.txt``. A
Canvas ``LATE`` mark without a time counts as one started day (the least it
can mean). File modification times never count (a download or copy changes them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from autograder.course_file import CourseFile


@dataclass
class Lateness:
    """How late one submission is.

    Attributes
    ----------
    late : str
        For grades.csv: '' when on time or not known, ``1d 02:15`` (days, hours:minutes
        after the due time), or ``LATE mark (no time)``.
    days : int
        Started days late, as the penalty counts them.
    penalty : float
        Percent taken off the total (0 to 100).
    known : bool
        False when no trusted time was available.
    """

    late: str = ""
    days: int = 0
    penalty: float = 0.0
    known: bool = True


def _clock(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 1440}d {minutes % 1440 // 60:02d}:{minutes % 60:02d}"


def lateness(course: CourseFile, assignment: str, aliases, stamp: dict) -> Lateness:
    """The lateness of a submission with ``stamp`` (see :class:`autograder.intake.Stamp`).

    Parameters
    ----------
    course : CourseFile
    assignment : str
    aliases : set of str
        Every id of the student (extensions may name any of them).
    stamp : dict
        ``submitted`` (ISO time or ''), ``late_mark`` (bool).
    """
    due = course.deadline(assignment, aliases)
    if stamp.get("submitted") and due is not None:
        over = datetime.fromisoformat(stamp["submitted"]) - due
        if over <= course.grace:
            return Lateness()
        days = math.ceil(over / timedelta(days=1))
        return Lateness(_clock(over), days, penalty_percent(course, days))
    if stamp.get("late_mark"):
        return Lateness("LATE mark (no time)", 1, penalty_percent(course, 1))
    return Lateness(known=bool(stamp.get("submitted")) or due is None)


def penalty_percent(course: CourseFile, days: int) -> float:
    """Percent off for ``days`` started days late: ``percent_per_day`` each, 100 past ``zero_after_days``."""
    if course.zero_after_days is not None and days > course.zero_after_days:
        return 100.0
    return min(100.0, course.percent_per_day * days)
