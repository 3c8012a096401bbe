"""One feedback page: an autograded notebook as a self-contained HTML file.

- Math is turned into MathML when the page is written (latex2mathml), which every
  current browser draws: no script, no font and no stylesheet comes from the
  network, so a student reads the page offline as it was meant.
- Every graded cell becomes a section titled after what it checks
  (:func:`section_titles`: "Exercise 1: corr2d (hidden)"), with its score from
  grades.csv, or "to be graded" for a written answer nobody graded yet, and the
  grader's comment.
- Hidden tests (nbgrader's ClearHiddenTests), test tracebacks and any output
  quoting the instructor's notebook (:class:`autograder.preprocessors.ScrubTestOutputs`)
  are removed.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"
PENDING = "to be graded"


def mathml(tex: str, display: str) -> str:
    """MathML of the LaTeX ``tex`` (``display`` is ``"inline"`` or ``"block"``); the escaped TeX if it cannot be read."""
    import latex2mathml.converter

    try:
        return latex2mathml.converter.convert(tex, display=display)
    except Exception:  # latex2mathml raises many kinds on LaTeX it does not know
        return f'<code class="tex">{escape(tex)}</code>'


def _renderer_class():
    from nbconvert.filters.markdown_mistune import IPythonRenderer

    class MathMLRenderer(IPythonRenderer):
        """nbconvert's markdown renderer, with math as MathML instead of text for MathJax."""

        def block_math(self, body: str) -> str:
            return mathml(body, "block")

        def inline_math(self, body: str) -> str:
            return mathml(body, "inline")

        def latex_environment(self, name: str, body: str) -> str:
            return mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")

    return MathMLRenderer


def feedback_exporter():
    """An HTMLExporter that writes the page of ``templates/autograder_feedback`` (math as MathML)."""
    from jinja2 import pass_context
    from nbconvert.exporters import HTMLExporter
    from nbconvert.filters.markdown_mistune import MarkdownWithMath
    from traitlets.config import Config

    renderer_class = _renderer_class()

    class FeedbackExporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context, source):
            cell = context.get("cell", {})
            renderer = renderer_class(escape=False, attachments=cell.get("attachments", {}), embed_images=True,
                                      path=context.get("resources", {}).get("metadata", {}).get("path", ""),
                                      anchor_link_text=self.anchor_link_text,
                                      exclude_anchor_links=self.exclude_anchor_links, **self.lexer_options)
            return MarkdownWithMath(renderer=renderer).render(source)

    config = Config()
    config.HTMLExporter.template_name = "autograder_feedback"
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.embed_images = True
    config.HTMLExporter.exclude_anchor_links = True
    return FeedbackExporter(config=config)


def _last_heading(source: str) -> str:
    """The last markdown heading of ``source``, without markup ('' if none)."""
    headings = [line for line in source.splitlines() if line.startswith("#")]
    return re.sub(r"[`*]", "", headings[-1].lstrip("#")).strip() if headings else ""


def section_titles(nb) -> dict:
    """grade_id -> title of every graded cell, named after the exercise it checks.

    A test cell ``test_foo`` or ``test_foo_<what>`` checks exercise ``foo`` (the
    solution cell with that grade_id): its title is the heading above that
    exercise ("Exercise 1: corr2d"), naming ``foo`` if the heading does not, then
    ``(<what>)``. An explorer check ``test_widget_*`` and a written answer
    ``written_<what>`` take the heading above them ("Check yourself: written
    answer (sharing)"); any other graded cell, the heading and its grade_id.
    """
    from autograder.notebooks import nbgrader_metadata

    heading, headings, exercises, graded = "", {}, [], []
    for cell in nb.cells:
        meta = nbgrader_metadata(cell)
        if cell.cell_type == "markdown" and not meta.get("solution"):
            heading = _last_heading(cell.source) or heading
        grade_id = meta.get("grade_id")
        if grade_id and meta.get("solution"):
            exercises.append(grade_id)
        if grade_id:
            headings[grade_id] = heading
        if grade_id and meta.get("grade"):
            graded.append((grade_id, cell.cell_type, bool(meta.get("solution"))))
    titles = {}
    for grade_id, cell_type, solution in graded:
        checked = max((e for e in exercises if grade_id == f"test_{e}" or grade_id.startswith(f"test_{e}_")),
                      key=len, default=None)
        if checked and not solution:
            title = headings[checked] or checked
            if checked not in title:
                title = f"{title}: {checked}"
            what = grade_id[len(f"test_{checked}"):].strip("_").replace("_", " ")
            titles[grade_id] = f"{title} ({what})" if what else title
        elif grade_id.startswith("test_widget_"):
            titles[grade_id] = f"{headings[grade_id] or grade_id} (explorer check)"
        elif cell_type == "markdown" and solution:
            what = grade_id.removeprefix("written_").replace("_", " ")
            titles[grade_id] = f"{headings[grade_id] or 'Written answer'}: written answer ({what})"
        else:
            titles[grade_id] = f"{headings[grade_id]}: {grade_id}" if headings[grade_id] else grade_id
    return titles


def annotate(nb, row: dict, max_points: dict, comments: dict) -> list[dict]:
    """Mark each graded or commented cell of ``nb`` for the template; return the summary's sections.

    Parameters
    ----------
    nb : NotebookNode
        The autograded notebook (changed in place: ``cell.metadata.autograder``).
    row : dict
        The student's grades.csv row (scores as text; '' means "to be graded").
    max_points : dict
        grade_id -> points.
    comments : dict
        grade_id -> the grader's comment.
    """
    from autograder.notebooks import nbgrader_metadata

    titles, sections = section_titles(nb), []
    for cell in nb.cells:
        cell.metadata.pop("autograder", None)  # only the grader marks cells (a student's own mark is dropped)
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if not grade_id or (grade_id not in titles and not comments.get(grade_id)):
            continue
        mark = {"anchor": grade_id, "title": titles.get(grade_id, grade_id), "comment": comments.get(grade_id, ""),
                "pending": False, "score": ""}
        if grade_id in titles:
            value = row.get(grade_id, "")
            mark["pending"] = value == "" and row["status"] != "failed"
            points = float(max_points.get(grade_id, 0))
            mark["score"] = f"{PENDING} ({_points(points)})" if mark["pending"] else f"{value or 0} / {points:g}"
            sections.append(mark)
        else:
            mark["title"] = f"{grade_id}: your answer"
            sections.append(mark)
        cell.metadata["autograder"] = mark
    return sections


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def summary(row: dict, notebook: str, sections: list[dict]) -> dict:
    """What the top of the page says: the assignment's totals exactly as grades.csv has them."""
    notes = []
    if row.get("penalty"):
        notes.append({"kind": "penalty", "text": f"{row['raw_score']} points, less {row['penalty']} for a late "
                                                 f"submission ({row['late']})"})
    if row.get("to_grade"):
        notes.append({"kind": "pending", "text": f"{_points(float(row['to_grade']))} still to be graded by hand "
                                                 "(not counted yet); this page will be updated then."})
    title = row["assignment"] if notebook == row["assignment"] else f"{row['assignment']}: {notebook}"
    return {"title": title, "score": row["score"], "max_score": row["max_score"],
            "notes": notes, "sections": sections}


def render(notebook_path: Path, row: dict, max_points: dict, comments: dict, exporter=None,
           quoted: list[str] = ()) -> str:
    """The feedback page of one autograded notebook (see the module docstring).

    ``quoted``: lines of the instructor's solutions and hidden tests; an output quoting one is replaced
    by a notice (:func:`autograder.preprocessors.instructor_lines`).
    """
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests

    from autograder.preprocessors import ScrubTestOutputs

    exporter = exporter or feedback_exporter()
    nb = nbformat.read(str(notebook_path), as_version=4)
    resources = {"metadata": {"name": notebook_path.stem, "path": str(notebook_path.parent)}}
    for preprocessor in (ScrubTestOutputs(instructor_lines=list(quoted)), ClearHiddenTests(enforce_metadata=False)):
        nb, resources = preprocessor.preprocess(nb, resources)
    sections = annotate(nb, row, max_points, comments)
    resources["autograder"] = summary(row, notebook_path.stem, sections)
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    return html
