"""Problems found in a questionnaire file, printed as `file:line:col: question: what — fix`."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    question: str
    message: str
    fix: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        prefix = "" if self.severity is Severity.ERROR else "warning: "
        return (
            f"{self.file}:{self.line}:{self.column}: {self.question}: "
            f"{prefix}{self.message} — {self.fix}"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "question": self.question,
            "message": self.message,
            "fix": self.fix,
            "severity": self.severity.value,
        }


class QuestionnaireInvalid(Exception):
    """Raised when a questionnaire with errors is loaded; carries every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [problem for problem in problems if problem.severity is Severity.ERROR]
        lines = "\n".join(str(problem) for problem in errors)
        super().__init__(f"the questionnaire has {len(errors)} error(s):\n{lines}")
