"""Turn one questionnaire file into a `Questionnaire`, reporting every problem on the way."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from bot.questionnaire import checks
from bot.questionnaire.choice_lists import ChoiceListReader
from bot.questionnaire.concern_rules import read_keywords
from bot.questionnaire.fields import FieldReader, Reporter, TextReader
from bot.questionnaire.located import LocatedMap, Position, YamlProblem, load_located
from bot.questionnaire.model import (
    ChoiceList,
    LocalText,
    Question,
    Questionnaire,
    TranslationStatus,
)
from bot.questionnaire.problems import Problem
from bot.questionnaire.question_reader import QuestionReader

TOP_LEVEL_KEYS = (
    "id",
    "version",
    "title",
    "default_language",
    "languages",
    "purpose",
    "consent",
    "retention_days",
    "estimated_minutes",
    "expiry_days",
    "keywords",
    "anonymous",
    "intro",
    "outro",
    "choice_lists",
    "questions",
    "channels",
    "sms_max_segments",
    "concern_keywords",
    "easy_read",
)
CHANNELS = ("sms", "whatsapp", "telegram", "webchat")
QUESTIONNAIRE = "questionnaire"


@dataclass(frozen=True)
class CompileResult:
    questionnaire: Questionnaire | None
    problems: list[Problem]


def compile_file(path: Path, *, landlord_name: str = "Your landlord") -> CompileResult:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem(
            str(path),
            1,
            1,
            QUESTIONNAIRE,
            _unreadable(error),
            "check the path, and save the file as UTF-8 text",
        )
        return CompileResult(None, [problem])
    return compile_text(text, str(path), landlord_name=landlord_name, folder=path.parent)


def _unreadable(error: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read, in words (never the exception's name)."""
    if isinstance(error, FileNotFoundError):
        return "the file does not exist"
    if isinstance(error, UnicodeDecodeError):
        return "the file is not UTF-8 text"
    if isinstance(error, IsADirectoryError):
        return "this is a folder, not a file"
    return "the file cannot be read (check its permissions)"


def compile_text(
    text: str, filename: str, *, landlord_name: str = "Your landlord", folder: Path | None = None
) -> CompileResult:
    """Compile questionnaire text; pictures are checked in `folder` (the file's folder)."""
    reporter = Reporter(filename)
    try:
        root, duplicate_keys = load_located(text)
    except YamlProblem as problem:
        reporter.error(problem.position, QUESTIONNAIRE, problem.message, problem.fix)
        return CompileResult(None, reporter.problems)
    for duplicate in duplicate_keys:
        reporter.error(duplicate.position, QUESTIONNAIRE, duplicate.message, duplicate.fix)
    if not isinstance(root, LocatedMap):
        reporter.error(
            Position(1, 1),
            QUESTIONNAIRE,
            "the file is not a questionnaire",
            "start with 'id:', 'version:' and the other settings in docs/questionnaire-format.md",
        )
        return CompileResult(None, reporter.problems)
    builder = _Builder(root, reporter, text.splitlines(), folder)
    questionnaire = builder.build(filename, hashlib.sha256(text.encode()).hexdigest())
    checks.run_all(
        questionnaire,
        checks.Positions(builder.positions, builder.question_reader.expression_positions),
        reporter,
        landlord_name,
    )
    result = questionnaire if not reporter.has_errors else None
    return CompileResult(result, sorted(reporter.problems, key=lambda p: (p.line, p.column)))


class _Builder:
    def __init__(
        self, root: LocatedMap, reporter: Reporter, lines: list[str], folder: Path | None
    ) -> None:
        self.root = root
        self.folder = folder
        self.reporter = reporter
        self.lines = lines
        self.positions: dict[str, Position] = {}
        self.texts = TextReader(reporter, ("en",), "en")
        self.question_reader = QuestionReader(reporter, self.texts, lines)

    def build(self, filename: str, source_hash: str) -> Questionnaire:
        top = FieldReader(self.root, self.reporter, QUESTIONNAIRE)
        top.check_keys(TOP_LEVEL_KEYS, "the questionnaire settings")
        qid = top.identifier("id", required=True, example="id: post_repair")
        version = top.string("version", required=True, example='version: "1.0"')
        languages = self._languages(top)
        default = top.string("default_language", required=True, example="default_language: en")
        if default is not None and languages and default not in languages:
            self.reporter.error(
                top.at("default_language"),
                QUESTIONNAIRE,
                f"the default language '{default}' is not in languages",
                f"add {default} to languages or choose one of {', '.join(languages)}",
            )
        default = default or next(iter(languages), "en")
        self.texts = TextReader(self.reporter, tuple(languages) or (default,), default)
        self.question_reader = QuestionReader(self.reporter, self.texts, self.lines)
        title = self.texts.read(self.root, "title", QUESTIONNAIRE, required=True)
        purpose_code, purpose = self._purpose(top)
        consent_version, consent = self._consent(top)
        choice_lists = ChoiceListReader(self.reporter, self.texts, self.folder).read(top)
        questions = self._questions(top, choice_lists)
        keywords = self._keywords(top)
        channels = self._channels(top)
        settings = {
            "retention_days": top.integer("retention_days", default=730, minimum=1),
            "estimated_minutes": top.integer("estimated_minutes", default=None, minimum=1),
            "expiry_days": top.integer("expiry_days", default=7, minimum=1, maximum=365),
        }
        if settings["estimated_minutes"] is None:
            top.require("estimated_minutes", "estimated_minutes: 2 (tenants are told this)")
        # A missing setting is already an error (so this never loads); stand-ins let the
        # cross-question checks still run, reporting every problem in one pass.
        blank = LocalText({}, default)
        return Questionnaire(
            id=qid or QUESTIONNAIRE,
            version=version or "",
            title=title or blank,
            default_language=default,
            languages=languages,
            purpose_code=purpose_code or "",
            purpose=purpose or blank,
            consent_version=consent_version or "",
            consent=consent or blank,
            retention_days=settings["retention_days"] or 730,
            estimated_minutes=settings["estimated_minutes"] or 1,
            expiry_days=settings["expiry_days"] or 7,
            questions=tuple(questions),
            choice_lists=choice_lists,
            keywords=keywords,
            concern_keywords=read_keywords(
                self.root, "concern_keywords", self.reporter, QUESTIONNAIRE, tuple(languages)
            ),
            channels=channels,
            sms_max_segments=self._sms_budget(top, languages),
            anonymous=top.boolean("anonymous", default=False),
            intro=self.texts.read(self.root, "intro", QUESTIONNAIRE, required=False),
            outro=self.texts.read(self.root, "outro", QUESTIONNAIRE, required=False),
            easy_read=top.boolean("easy_read", default=False),
            picture_folder=str(self.folder.resolve()) if self.folder is not None else "",
            pictures=frozenset(
                choice.picture.image
                for choices in choice_lists.values()
                for choice in choices.choices
                if choice.picture is not None and choice.picture.image is not None
            ),
            source_path=filename,
            source_hash=source_hash,
        )

    # -- settings ---------------------------------------------------------------------------

    def _languages(self, top: FieldReader) -> dict[str, TranslationStatus]:
        block = top.mapping_at("languages", required=True, example="languages: {en: reviewed}")
        result: dict[str, TranslationStatus] = {}
        for code, status in (block or {}).items():
            assert block is not None
            try:
                Locale.parse(code)
            except (UnknownLocaleError, ValueError):
                self.reporter.error(
                    block.key_at(code),
                    QUESTIONNAIRE,
                    f"'{code}' is not a language code",
                    "use a code such as en, cy, pl, ro, pa, ur, pt, zh, ar or bn",
                )
                continue
            if status not in tuple(TranslationStatus):
                self.reporter.error(
                    block.value_at(code),
                    QUESTIONNAIRE,
                    f"the status of '{code}' is '{status}'",
                    "write reviewed (checked by a qualified translator) or draft",
                )
                continue
            result[code] = TranslationStatus(status)
        return result

    def _purpose(self, top: FieldReader) -> tuple[str | None, LocalText | None]:
        block = top.mapping_at("purpose", required=True, example="purpose: {code: ..., text: ...}")
        if block is None:
            return None, None
        reader = FieldReader(block, self.reporter, "purpose")
        reader.check_keys(("code", "text"), "purpose")
        code = reader.identifier("code", required=True, example="code: repair_feedback")
        return code, self.texts.read(block, "text", "purpose", required=True)

    def _consent(self, top: FieldReader) -> tuple[str | None, LocalText | None]:
        block = top.mapping_at("consent", required=True, example="consent: {version: ..., text:}")
        if block is None:
            return None, None
        reader = FieldReader(block, self.reporter, "consent")
        reader.check_keys(("version", "text"), "consent")
        version = reader.string("version", required=True, example='version: "2026-11"')
        return version, self.texts.read(block, "text", "consent", required=True)

    def _sms_budget(
        self, top: FieldReader, languages: dict[str, TranslationStatus]
    ) -> dict[str, int]:
        """`sms_max_segments: 3` for every language, or `{default: 2, ur: 4}` per language."""
        value = top.mapping.get("sms_max_segments")
        if value is None:
            return {}
        if isinstance(value, int) and not isinstance(value, bool):
            value = {"default": value}
        if not isinstance(value, dict):
            value = {"default": None}
        budget: dict[str, int] = {}
        for language, segments in value.items():
            where = top.at("sms_max_segments")
            if language != "default" and language not in languages:
                self.reporter.error(
                    where, QUESTIONNAIRE,
                    f"sms_max_segments names '{language}', which is not in languages",
                    "use default or a language from languages",
                )  # fmt: skip
            elif (
                isinstance(segments, bool)
                or not isinstance(segments, int)
                or not (1 <= segments <= 10)
            ):
                self.reporter.error(
                    where, QUESTIONNAIRE, "sms_max_segments must be a number from 1 to 10",
                    "write sms_max_segments: 3 or sms_max_segments: {default: 2, ur: 4}",
                )  # fmt: skip
            else:
                budget[language] = segments
        return budget

    def _keywords(self, top: FieldReader) -> tuple[str, ...]:
        items = top.list_at("keywords", required=False, example="keywords: [REPAIR]")
        keywords = []
        for index, word in enumerate(items or []):
            if not isinstance(word, str) or not word.strip() or " " in word.strip():
                assert items is not None
                self.reporter.error(
                    items.item_at(index),
                    QUESTIONNAIRE,
                    f"keyword {word!r} is not one word",
                    "use single words such as REPAIR",
                )
                continue
            keywords.append(word.strip().upper())
        return tuple(keywords)

    def _channels(self, top: FieldReader) -> tuple[str, ...]:
        items = top.list_at("channels", required=False, example="channels: [sms, webchat]")
        if items is None:
            return CHANNELS
        for index, channel in enumerate(items):
            if channel not in CHANNELS:
                self.reporter.error(
                    items.item_at(index),
                    QUESTIONNAIRE,
                    f"unknown channel {channel!r}",
                    f"use some of: {', '.join(CHANNELS)}",
                )
        return tuple(channel for channel in items if channel in CHANNELS)

    # -- choice lists -----------------------------------------------------------------------

    def _questions(self, top: FieldReader, lists: dict[str, ChoiceList]) -> list[Question]:
        items = top.list_at("questions", required=True, example="questions: [- name: ...]")
        questions: list[Question] = []
        first_seen: dict[str, Position] = {}
        for index, item in enumerate(items or []):
            assert items is not None
            where = items.item_at(index)
            if not isinstance(item, LocatedMap):
                self.reporter.error(
                    where,
                    f"question {index + 1}",
                    "a question must be a block of keys",
                    "start it with '- name: ...' and 'type: ...'",
                )
                continue
            name = item.get("name")
            if isinstance(name, str) and name in first_seen:
                earlier = first_seen[name]
                self.reporter.error(
                    item.key_at("name"),
                    name,
                    f"the name '{name}' is already used by the question on line {earlier.line}",
                    "give every question its own name",
                )
                continue
            question = self.question_reader.read(item, index, lists)
            if question is not None:
                first_seen[question.name] = item.key_at("name")
                self.positions[question.name] = item.key_at("name")
                questions.append(question)
        if items is not None and not items:
            self.reporter.error(
                items.position, QUESTIONNAIRE, "there are no questions", "add at least one question"
            )
        return questions
