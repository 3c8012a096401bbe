"""Feedback HTML with one exporter per worker.

nbgrader's GenerateFeedback builds a new HTMLExporter (and compiles its Jinja
templates) on every ``start()``; a worker (:class:`autograder.worker.Worker`)
that grades many notebooks keeps one converter and one exporter and only points
them at the next scratch course.
The preprocessors are those of :func:`autograder.config.nbgrader_config`
(GetGrades, ScrubTestOutputs, ClearHiddenTests, CSS header).
"""

from __future__ import annotations

import os

from nbconvert.writers import FilesWriter
from nbgrader.converters import GenerateFeedback


class ReusableFeedback(GenerateFeedback):
    """GenerateFeedback that keeps its exporter between runs."""

    def write(self, coursedir) -> None:
        """Generate the feedback of ``coursedir``'s assignment and student (its ``feedback/`` folder)."""
        self.coursedir = coursedir
        self.force = True
        self.start()

    def start(self) -> None:
        self.init_notebooks()
        self.writer = FilesWriter(parent=self, config=self.config)
        if getattr(self, "_kept_exporter", None) is None:
            self._kept_exporter = self.exporter_class(parent=self, config=self.config)
            for preprocessor in self.preprocessors:
                self._kept_exporter.register_preprocessor(preprocessor)
        self.exporter = self._kept_exporter
        here = os.getcwd()
        os.chdir(self.coursedir.root)
        try:
            self.convert_notebooks()
        finally:
            os.chdir(here)
