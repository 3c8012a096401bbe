"""What ``grade`` shows and writes: the progress bar, grades.csv, the summary table."""

from __future__ import annotations

import csv
import io
import sys
import time

FIXED_COLUMNS = ["student_id", "name", "assignment", "score", "raw_score", "max_score", "to_grade", "late",
                 "penalty", "submitted", "status", "reason"]


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """A progress bar with ETA on a terminal; one plain line per notebook otherwise."""

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total, self.done, self.width = total, 0, width
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.monotonic()

    def update(self, label: str) -> None:
        """Count one more finished notebook, described by ``label``."""
        self.done += 1
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        if self.tty:
            filled = int(self.width * self.done / max(self.total, 1))
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total}  elapsed {_clock(elapsed)}  ETA {_clock(eta)} ")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {label}  (elapsed {_clock(elapsed)}, ETA {_clock(eta)})\n")
        self.stream.flush()


def format_number(value) -> str:
    """Scores as short stable text: ``2``, ``0.5``; empty for None."""
    return "" if value is None else format(float(value), "g")


def row_of(result: dict, max_score: float, name: str = "", late=None, submitted: str = "", hand=None) -> dict:
    """One grades.csv row for a result (see :func:`autograder.collect.collect_result`).

    ``raw_score`` sums every graded cell: autograded scores, and hand scores where
    ``hand`` (an :class:`autograder.gradebook.HandGrading`) has them (a hand score
    replaces an autograded one; extra credit adds). ``to_grade`` counts the points
    of cells that wait for a hand score (a written answer left as released already
    scores 0). ``score`` is what is left of ``raw_score`` after the late penalty
    (``late`` is an :class:`autograder.late.Lateness`, None when on time).
    """
    failed = result["status"] == "failed"
    questions = result.get("questions", {})
    max_points = result.get("max_points", {})
    grades = hand.grades if hand else {}
    values, to_grade, review = {}, 0.0, []
    for grade_id, auto in questions.items():
        mark = grades.get(grade_id)
        value = mark.value(auto) if mark else auto
        if value is None and not failed:
            to_grade += max_points.get(grade_id, 0.0)
        if mark and mark.review:
            review.append(grade_id)
        values[grade_id] = value
    raw = 0.0 if failed else sum(v or 0.0 for v in values.values())
    penalty = late.penalty if late else 0.0
    reason = result.get("reason", "")
    if review:
        reason = "; ".join(filter(None, [reason, f"hand score to review (answer changed): {', '.join(review)}"]))
    row = {"student_id": result["student_id"], "name": name, "assignment": result["assignment"],
           "score": format_number(round(raw * (1 - penalty / 100), 4)), "raw_score": format_number(raw),
           "max_score": format_number(max_score), "to_grade": format_number(to_grade) if to_grade else "",
           "late": late.late if late else "", "penalty": f"{format_number(penalty)}%" if penalty else "",
           "submitted": submitted, "status": result["status"], "reason": reason}
    for grade_id, value in values.items():
        row[grade_id] = format_number(value)
    return row


def grades_csv_text(rows: list[dict], question_columns: list[str]) -> str:
    """grades.csv: fixed columns, then one per graded cell; rows sorted by assignment and student."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, FIXED_COLUMNS + question_columns, restval="", lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: (r["assignment"], r["student_id"])):
        writer.writerow(row)
    return buffer.getvalue()


def summary_table(rows: list[dict]) -> str:
    """Counts and mean score per assignment, how many wait for hand grading, every failed or flagged notebook."""
    lines = [f"{'assignment':<24} {'graded':>6} {'flagged':>7} {'failed':>6} {'mean score':>10}"]
    for assignment in sorted({r["assignment"] for r in rows}):
        mine = [r for r in rows if r["assignment"] == assignment]
        count = {s: sum(r["status"] == s for r in mine) for s in ("graded", "flagged", "failed")}
        scores = [float(r["score"]) / float(r["max_score"]) for r in mine if r["max_score"] not in ("", "0")]
        mean = f"{100 * sum(scores) / len(scores):.0f}%" if scores else "-"
        lines.append(f"{assignment:<24} {count['graded']:>6} {count['flagged']:>7} {count['failed']:>6} {mean:>10}")
    waiting = sum(1 for r in rows if r.get("to_grade"))
    if waiting:
        lines.append(f"{waiting} submission(s) have written answers to grade by hand "
                     "(to_grade in grades.csv; `python -m autograder formgrader` on the --out folder)")
    trouble = [r for r in sorted(rows, key=lambda r: (r["assignment"], r["student_id"])) if r["status"] != "graded"]
    if trouble:
        lines.append("")
        for row in trouble:
            lines.append(f"{row['status']:<8} {row['student_id']}/{row['assignment']}: {row['reason']}")
    return "\n".join(lines) + "\n"
