"""The one error every bad input turns into: a file, a line and the problem."""

from __future__ import annotations

from pathlib import Path


class AnnotationError(Exception):
    """A problem in an annotation file. Loading stops, and nothing of the load is written."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {problem}")
