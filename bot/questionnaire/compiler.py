"""Turn one questionnaire file into a `Questionnaire`, reporting every problem on the way."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from bot.questionnaire import checks
from bot.questionnaire.expressions import Expression, ExpressionError, parse
from bot.questionnaire.fields import SNAKE_CASE, FieldReader, Reporter, TextReader, did_you_mean
from bot.questionnaire.located import LocatedList, LocatedMap, Position, YamlProblem, load_located
from bot.questionnaire.model import (
    MISSING_KINDS,
    SENSITIVE_CATEGORIES,
    Choice,
    ChoiceList,
    Constraint,
    LocalText,
    Measure,
    ProfileLink,
    Question,
    Questionnaire,
    QuestionType,
    Scale,
    Sensitive,
    TranslationStatus,
)
from bot.questionnaire.problems import Problem

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
)
QUESTION_KEYS = (
    "name",
    "type",
    "text",
    "hint",
    "choices",
    "required",
    "relevant",
    "constraints",
    "scale",
    "sensitive",
    "profile",
    "measure",
)
CHOICE_KEYS = ("code", "name", "label", "aliases", "missing")
CHANNELS = ("sms", "telegram", "webchat")
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
            f"cannot read the file ({error.__class__.__name__})",
            "save it as UTF-8 text and check the path",
        )
        return CompileResult(None, [problem])
    return compile_text(text, str(path), landlord_name=landlord_name)


def compile_text(
    text: str, filename: str, *, landlord_name: str = "Your landlord"
) -> CompileResult:
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
    builder = _Builder(root, reporter, text.splitlines())
    questionnaire = builder.build(filename, hashlib.sha256(text.encode()).hexdigest())
    if questionnaire is not None:
        checks.run_all(
            questionnaire,
            checks.Positions(builder.positions, builder.expression_positions),
            reporter,
            landlord_name,
        )
    result = questionnaire if not reporter.has_errors else None
    return CompileResult(result, sorted(reporter.problems, key=lambda p: (p.line, p.column)))


class _Builder:
    def __init__(self, root: LocatedMap, reporter: Reporter, lines: list[str]) -> None:
        self.root = root
        self.reporter = reporter
        self.lines = lines
        self.positions: dict[str, Position] = {}
        self.expression_positions: dict[tuple[str, str], Position] = {}
        self.texts = TextReader(reporter, ("en",), "en")

    def build(self, filename: str, source_hash: str) -> Questionnaire | None:
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
        title = self.texts.read(self.root, "title", QUESTIONNAIRE, required=True)
        purpose_code, purpose = self._purpose(top)
        consent_version, consent = self._consent(top)
        choice_lists = self._choice_lists(top)
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
        if None in (qid, version, title, purpose, consent, purpose_code, consent_version):
            return None
        assert qid and version and title and purpose and consent
        assert purpose_code and consent_version
        return Questionnaire(
            id=qid,
            version=version,
            title=title,
            default_language=default,
            languages=languages,
            purpose_code=purpose_code,
            purpose=purpose,
            consent_version=consent_version,
            consent=consent,
            retention_days=settings["retention_days"] or 730,
            estimated_minutes=settings["estimated_minutes"] or 1,
            expiry_days=settings["expiry_days"] or 7,
            questions=tuple(questions),
            choice_lists=choice_lists,
            keywords=keywords,
            channels=channels,
            sms_max_segments=top.integer("sms_max_segments", default=2, minimum=1, maximum=10) or 2,
            anonymous=top.boolean("anonymous", default=False),
            intro=self.texts.read(self.root, "intro", QUESTIONNAIRE, required=False),
            outro=self.texts.read(self.root, "outro", QUESTIONNAIRE, required=False),
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

    def _choice_lists(self, top: FieldReader) -> dict[str, ChoiceList]:
        block = top.mapping_at("choice_lists", required=False, example="choice_lists: {...}")
        result: dict[str, ChoiceList] = {}
        for list_name, items in (block or {}).items():
            assert block is not None
            if not SNAKE_CASE.match(list_name):
                self.reporter.error(
                    block.key_at(list_name),
                    list_name,
                    "a choice list name is not lower_snake_case",
                    "use lower-case letters, digits and underscores",
                )
            if not isinstance(items, LocatedList) or not items:
                self.reporter.error(
                    block.value_at(list_name),
                    list_name,
                    "a choice list must be a list of choices",
                    "write '- {code: 1, name: yes, label: {en: Yes}}' lines under it",
                )
                continue
            choices = [self._choice(items, index, list_name) for index in range(len(items))]
            valid = tuple(choice for choice in choices if choice is not None)
            self._check_unique(items, valid, list_name)
            result[list_name] = ChoiceList(list_name, valid)
        return result

    def _choice(self, items: LocatedList, index: int, list_name: str) -> Choice | None:
        item = items[index]
        if not isinstance(item, LocatedMap):
            self.reporter.error(
                items.item_at(index),
                list_name,
                "a choice must be a block with code, name, label",
                "write '- {code: 1, name: very_satisfied, label: {en: Very satisfied}}'",
            )
            return None
        reader = FieldReader(item, self.reporter, list_name)
        reader.check_keys(CHOICE_KEYS, "a choice")
        code = item.get("code")
        if isinstance(code, bool) or not isinstance(code, int):
            self.reporter.error(
                item.value_at("code"),
                list_name,
                "a choice code must be a whole number",
                "give each choice a stable number, e.g. code: 1 (SPSS exports use it)",
            )
            code = None
        name = reader.identifier("name", required=True, example="name: very_satisfied")
        label = self.texts.read(item, "label", f"{list_name} choice {name}", required=True)
        aliases = self._aliases(item, list_name)
        missing = item.get("missing")
        if missing is not None and missing not in MISSING_KINDS:
            self.reporter.error(
                item.value_at("missing"),
                list_name,
                f"'missing: {missing}' is not known",
                f"use one of: {', '.join(MISSING_KINDS)}",
            )
            missing = None
        if code is None or name is None or label is None:
            return None
        return Choice(code=code, name=name, label=label, aliases=aliases, missing=missing)

    def _aliases(self, item: LocatedMap, list_name: str) -> dict[str, tuple[str, ...]]:
        block = item.get("aliases")
        if block is None:
            return {}
        if not isinstance(block, LocatedMap):
            self.reporter.error(
                item.value_at("aliases"),
                list_name,
                "aliases must be listed per language",
                "write aliases: {en: [word, other words]}",
            )
            return {}
        result: dict[str, tuple[str, ...]] = {}
        for language, words in block.items():
            if language not in self.texts.languages:
                self.reporter.error(
                    block.key_at(language),
                    list_name,
                    f"aliases in '{language}', which is not in languages",
                    f"add {language} to languages or remove these aliases",
                )
                continue
            word_list = [words] if isinstance(words, str) else words
            if not isinstance(word_list, list) or not all(isinstance(w, str) for w in word_list):
                self.reporter.error(
                    block.value_at(language),
                    list_name,
                    "aliases must be a list of words",
                    f"write {language}: [word, other words]",
                )
                continue
            result[language] = tuple(word_list)
        return result

    def _check_unique(self, items: LocatedList, choices: tuple[Choice, ...], name: str) -> None:
        seen_codes: set[int] = set()
        seen_names: set[str] = set()
        for index, choice in enumerate(choices):
            where = items.item_at(index)
            if choice.code in seen_codes:
                self.reporter.error(
                    where,
                    name,
                    f"the code {choice.code} is used twice in this list",
                    "give every choice its own code",
                )
            if choice.name in seen_names:
                self.reporter.error(
                    where,
                    name,
                    f"the name '{choice.name}' is used twice in this list",
                    "give every choice its own name",
                )
            seen_codes.add(choice.code)
            seen_names.add(choice.name)

    # -- questions --------------------------------------------------------------------------

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
            question = self._question(item, index, lists)
            if question is not None:
                first_seen[question.name] = item.key_at("name")
                self.positions[question.name] = item.key_at("name")
                questions.append(question)
        if items is not None and not items:
            self.reporter.error(
                items.position, QUESTIONNAIRE, "there are no questions", "add at least one question"
            )
        return questions

    def _question(
        self, item: LocatedMap, index: int, lists: dict[str, ChoiceList]
    ) -> Question | None:
        label = item.get("name") if isinstance(item.get("name"), str) else f"question {index + 1}"
        reader = FieldReader(item, self.reporter, str(label))
        reader.check_keys(QUESTION_KEYS, "a question")
        name = reader.identifier("name", required=True, example="name: overall_satisfaction")
        context = name or str(label)
        qtype = self._type(reader)
        text = self.texts.read(item, "text", context, required=True)
        hint = self.texts.read(item, "hint", context, required=False)
        required = reader.boolean("required", default=False)
        choices = self._question_choices(reader, qtype, lists)
        relevant = self._expression(item, "relevant", context)
        constraints = self._constraints(item, context)
        scale = self._scale(reader, qtype)
        sensitive = self._sensitive(reader, context)
        profile = self._profile(reader)
        measure = self._measure(reader, choices, qtype)
        if name is None or qtype is None or text is None:
            return None
        if qtype is QuestionType.NOTE and required:
            self.reporter.error(
                item.value_at("required"),
                name,
                "a note cannot be required",
                "remove 'required' (notes only show text)",
            )
        if sensitive is not None and required:
            self.reporter.error(
                item.value_at("required"),
                name,
                "a sensitive question cannot be required",
                "remove 'required: true'; special category questions are always optional",
            )
        return Question(
            name=name,
            type=qtype,
            text=text,
            hint=hint,
            choices=choices,
            required=required and qtype is not QuestionType.NOTE,
            relevant=relevant,
            constraints=constraints,
            scale=scale,
            sensitive=sensitive,
            profile=profile,
            measure=measure,
        )

    def _type(self, reader: FieldReader) -> QuestionType | None:
        value = reader.string("type", required=True, example="type: select_one")
        if value is None:
            return None
        try:
            return QuestionType(value)
        except ValueError:
            options = [member.value for member in QuestionType]
            hint = did_you_mean(value, options) or f"use one of: {', '.join(options)}"
            self.reporter.error(reader.at("type"), reader.context, f"unknown type '{value}'", hint)
            return None

    def _question_choices(
        self, reader: FieldReader, qtype: QuestionType | None, lists: dict[str, ChoiceList]
    ) -> ChoiceList | None:
        value = reader.mapping.get("choices")
        if qtype is not None and not qtype.has_choices:
            if value is not None:
                self.reporter.error(
                    reader.at("choices"),
                    reader.context,
                    f"a {qtype} question has no choices",
                    "remove 'choices', or make the type select_one or select_multiple",
                )
            return None
        if value is None:
            if qtype is not None:
                reader.require("choices", "choices: <name of a list under choice_lists>")
            return None
        if value not in lists:
            hint = did_you_mean(str(value), lists)
            self.reporter.error(
                reader.at("choices"),
                reader.context,
                f"there is no choice list '{value}'",
                hint or "add it under choice_lists, or fix the name",
            )
            return None
        return lists[str(value)]

    def _expression(self, item: LocatedMap, key: str, context: str) -> Expression | None:
        source = item.get(key)
        if source is None:
            return None
        return self.parse_expression(source, item.value_at(key), context, key)

    def parse_expression(
        self, source: object, where: Position, context: str, key: str
    ) -> Expression | None:
        if not isinstance(source, str):
            self.reporter.error(
                where,
                context,
                f"'{key}' must be an expression in quotes",
                f'write {key}: "${{other_question}} = 1"',
            )
            return None
        try:
            expression = parse(source)
        except ExpressionError as error:
            self.reporter.error(
                self._offset(where, error.offset),
                context,
                f"{key} '{source}': {error.message}",
                error.fix,
            )
            return None
        self.expression_positions[(context, source)] = where
        return expression

    def _offset(self, where: Position, offset: int) -> Position:
        line = self.lines[where.line - 1] if 0 < where.line <= len(self.lines) else ""
        quoted = where.column - 1 < len(line) and line[where.column - 1] in "'\""
        return Position(where.line, where.column + offset + (1 if quoted else 0))

    def _constraints(self, item: LocatedMap, context: str) -> tuple[Constraint, ...]:
        items = item.get("constraints")
        if items is None:
            return ()
        if not isinstance(items, LocatedList):
            self.reporter.error(
                item.value_at("constraints"),
                context,
                "constraints must be a list",
                "write '- rule: \". >= 1\"' and 'message: {en: ...}' under constraints",
            )
            return ()
        result = []
        for index, entry in enumerate(items):
            if not isinstance(entry, LocatedMap):
                self.reporter.error(
                    items.item_at(index),
                    context,
                    "a constraint needs a rule and a message",
                    "write '- rule: \". >= 1\"' with 'message: {en: ...}'",
                )
                continue
            FieldReader(entry, self.reporter, context).check_keys(("rule", "message"), "a rule")
            rule_source = entry.get("rule")
            if rule_source is None:
                self.reporter.error(
                    entry.position,
                    context,
                    "the constraint has no rule",
                    'add rule: ". >= 1" (the dot is the answer)',
                )
                continue
            rule = self.parse_expression(rule_source, entry.value_at("rule"), context, "rule")
            message = self.texts.read(entry, "message", context, required=True)
            if rule is not None and message is not None:
                result.append(Constraint(rule, message))
        return tuple(result)

    def _scale(self, reader: FieldReader, qtype: QuestionType | None) -> Scale | None:
        block = reader.mapping_at(
            "scale",
            required=qtype is QuestionType.SCALE,
            example="scale: {min: 1, max: 5, min_label: ..., max_label: ...}",
        )
        if block is None:
            return None
        if qtype is not QuestionType.SCALE:
            self.reporter.error(
                reader.at("scale"),
                reader.context,
                "only a scale question has 'scale'",
                "remove 'scale' or make the type scale",
            )
            return None
        sub = FieldReader(block, self.reporter, reader.context)
        sub.check_keys(("min", "max", "min_label", "max_label"), "scale")
        low = sub.integer("min", default=1, minimum=0, maximum=10)
        high = sub.integer("max", default=5, minimum=1, maximum=10)
        if low is not None and high is not None and low >= high:
            self.reporter.error(
                block.position,
                reader.context,
                f"the scale runs from {low} to {high}",
                "make min smaller than max, e.g. min: 1, max: 5",
            )
            return None
        min_label = self.texts.read(block, "min_label", reader.context, required=True)
        max_label = self.texts.read(block, "max_label", reader.context, required=True)
        if min_label is None or max_label is None or low is None or high is None:
            return None
        return Scale(low, high, min_label, max_label)

    def _sensitive(self, reader: FieldReader, context: str) -> Sensitive | None:
        block = reader.mapping_at(
            "sensitive", required=False, example="sensitive: {category: ethnicity, why: {en: ...}}"
        )
        if block is None:
            return None
        sub = FieldReader(block, self.reporter, context)
        sub.check_keys(("category", "why"), "sensitive")
        category = sub.string("category", required=True, example="category: ethnicity")
        if category is not None and category not in SENSITIVE_CATEGORIES:
            self.reporter.error(
                sub.at("category"),
                context,
                f"unknown sensitive category '{category}'",
                f"use one of: {', '.join(SENSITIVE_CATEGORIES)}",
            )
            category = None
        why = self.texts.read(block, "why", context, required=True)
        if category is None or why is None:
            return None
        return Sensitive(category, why)

    def _profile(self, reader: FieldReader) -> ProfileLink | None:
        block = reader.mapping_at(
            "profile",
            required=False,
            example="profile: {attribute: preferred_channel, fresh_days: 365}",
        )
        if block is None:
            return None
        sub = FieldReader(block, self.reporter, reader.context)
        sub.check_keys(("attribute", "fresh_days"), "profile")
        attribute = sub.identifier("attribute", required=True, example="attribute: household_size")
        fresh_days = sub.integer("fresh_days", default=None, minimum=0, maximum=36500)
        return ProfileLink(attribute, fresh_days) if attribute else None

    def _measure(
        self, reader: FieldReader, choices: ChoiceList | None, qtype: QuestionType | None
    ) -> Measure | None:
        block = reader.mapping_at(
            "measure", required=False, example="measure: {code: TP01, positive: [1, 2]}"
        )
        if block is None:
            return None
        sub = FieldReader(block, self.reporter, reader.context)
        sub.check_keys(("code", "positive"), "measure")
        code = sub.string("code", required=True, example="code: TP01")
        positive = block.get("positive")
        valid_codes = {choice.code for choice in choices.choices} if choices else set()
        if qtype not in (QuestionType.SELECT_ONE, QuestionType.SCALE, QuestionType.YES_NO):
            self.reporter.error(
                reader.at("measure"),
                reader.context,
                "a measure needs a single-choice answer",
                "use it on select_one, scale or yes_no questions",
            )
            return None
        if not isinstance(positive, list) or not all(isinstance(c, int) for c in positive):
            self.reporter.error(
                sub.at("positive"),
                reader.context,
                "'positive' must list the positive codes",
                "write positive: [1, 2]",
            )
            return None
        unknown = [c for c in positive if valid_codes and c not in valid_codes]
        if unknown:
            self.reporter.error(
                sub.at("positive"),
                reader.context,
                f"positive codes {unknown} are not choices",
                f"use codes from the list: {sorted(valid_codes)}",
            )
            return None
        return Measure(code, tuple(positive)) if code else None
