"""Reading typed fields out of a located YAML mapping while collecting problems.

Every reader returns a usable value (or None) and records a problem instead of raising, so
the validator can report every problem in a file at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.questionnaire.located import LocatedList, LocatedMap, Position
from bot.questionnaire.model import LocalText
from bot.questionnaire.problems import Problem, Severity

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
PLACEHOLDER = re.compile(r"\$\{\s*([^}]*?)\s*\}")


@dataclass
class Reporter:
    """Collects problems for one file."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, where: Position, question: str, message: str, fix: str) -> None:
        self.problems.append(
            Problem(self.file, where.line, where.column, question, message, fix, Severity.ERROR)
        )

    def warning(self, where: Position, question: str, message: str, fix: str) -> None:
        self.problems.append(
            Problem(self.file, where.line, where.column, question, message, fix, Severity.WARNING)
        )

    @property
    def has_errors(self) -> bool:
        return any(problem.severity is Severity.ERROR for problem in self.problems)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


@dataclass
class FieldReader:
    """Reads the fields of one mapping (the questionnaire, a question, a choice)."""

    mapping: LocatedMap
    reporter: Reporter
    context: str  # the question name, or a label such as "questionnaire"

    def check_keys(self, allowed: Iterable[str], where_label: str) -> None:
        allowed_set = set(allowed)
        for key in self.mapping:
            if key not in allowed_set:
                hint = did_you_mean(key, allowed_set)
                fix = hint or f"use one of: {', '.join(sorted(allowed_set))}"
                self.reporter.error(
                    self.mapping.key_at(key),
                    self.context,
                    f"unknown key '{key}' in {where_label}",
                    fix,
                )

    def at(self, key: str) -> Position:
        return self.mapping.value_at(key)

    def require(self, key: str, example: str) -> Any:
        if key not in self.mapping or self.mapping[key] is None:
            self.reporter.error(
                self.mapping.position, self.context, f"'{key}' is missing", f"add {example}"
            )
            return None
        return self.mapping[key]

    def string(self, key: str, *, required: bool, example: str) -> str | None:
        value = self.require(key, example) if required else self.mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.reporter.error(
                self.at(key), self.context, f"'{key}' must be plain text", f"write {example}"
            )
            return None
        return str(value)

    def identifier(self, key: str, *, required: bool, example: str) -> str | None:
        value = self.string(key, required=required, example=example)
        if value is not None and not SNAKE_CASE.match(value):
            self.reporter.error(
                self.at(key),
                self.context,
                f"'{value}' is not a valid {key}",
                "use lower-case letters, digits and underscores, starting with a letter",
            )
            return None
        return value

    def integer(
        self, key: str, *, default: int | None, minimum: int = 0, maximum: int = 10**9
    ) -> int | None:
        value = self.mapping.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.reporter.error(
                self.at(key), self.context, f"'{key}' must be a whole number", f"write {key}: 7"
            )
            return default
        if not minimum <= value <= maximum:
            self.reporter.error(
                self.at(key),
                self.context,
                f"'{key}' is {value}, outside {minimum}..{maximum}",
                f"choose a value between {minimum} and {maximum}",
            )
            return default
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self.mapping.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.reporter.error(
                self.at(key), self.context, f"'{key}' must be true or false", f"write {key}: true"
            )
            return default
        return value

    def mapping_at(self, key: str, *, required: bool, example: str) -> LocatedMap | None:
        value = self.require(key, example) if required else self.mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, LocatedMap):
            self.reporter.error(
                self.at(key), self.context, f"'{key}' must be a block of keys", f"write {example}"
            )
            return None
        return value

    def list_at(self, key: str, *, required: bool, example: str) -> LocatedList | None:
        value = self.require(key, example) if required else self.mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, LocatedList):
            self.reporter.error(
                self.at(key), self.context, f"'{key}' must be a list", f"write {example}"
            )
            return None
        return value


@dataclass
class TextReader:
    """Reads per-language text maps and checks them against the declared languages."""

    reporter: Reporter
    languages: tuple[str, ...]
    default_language: str

    def read(
        self, owner: LocatedMap, key: str, context: str, *, required: bool
    ) -> LocalText | None:
        value = owner.get(key)
        where = owner.value_at(key)
        if value is None:
            if required:
                self.reporter.error(
                    owner.position,
                    context,
                    f"'{key}' is missing",
                    f"add {key}: {{{self.default_language}: ...}} with text for every language",
                )
            return None
        if isinstance(value, str):
            if len(self.languages) > 1:
                self.reporter.error(
                    where,
                    context,
                    f"'{key}' is plain text but the questionnaire has {len(self.languages)} "
                    "languages",
                    f"write {key}: {{{', '.join(f'{code}: ...' for code in self.languages)}}}",
                )
            return LocalText({self.default_language: value}, self.default_language)
        if not isinstance(value, LocatedMap):
            self.reporter.error(
                where, context, f"'{key}' must be text per language", f"write {key}: {{en: ...}}"
            )
            return None
        texts: dict[str, str] = {}
        for language, text in value.items():
            if language not in self.languages:
                self.reporter.error(
                    value.key_at(language),
                    context,
                    f"'{key}' has text in '{language}', which is not in languages",
                    f"add {language} to languages, or remove this text",
                )
                continue
            if not isinstance(text, str) or not text.strip():
                self.reporter.error(
                    value.value_at(language),
                    context,
                    f"the {language} text of '{key}' is empty or not text",
                    "write the text, quoted if it contains a colon",
                )
                continue
            texts[language] = text.strip()
        for language in self.languages:
            if language not in texts and language not in value:
                self.reporter.warning(
                    where,
                    context,
                    f"'{key}' has no {language} text; tenants reading {language} "
                    f"will see {self.default_language}",
                    f"add {language}: ... to {key}",
                )
        if not texts:
            return None
        return LocalText(texts, self.default_language)
