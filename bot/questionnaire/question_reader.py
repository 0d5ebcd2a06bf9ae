"""Reading one question: type, text, choices, skip logic, constraints and links."""

from __future__ import annotations

from bot.questionnaire.concern_rules import read_concern_rule
from bot.questionnaire.expressions import Expression, ExpressionError, parse
from bot.questionnaire.fields import FieldReader, Reporter, TextReader, did_you_mean
from bot.questionnaire.located import LocatedList, LocatedMap, Position
from bot.questionnaire.model import (
    SENSITIVE_CATEGORIES,
    ChoiceList,
    Constraint,
    Measure,
    ProfileLink,
    Question,
    QuestionType,
    Scale,
    Sensitive,
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
    "concern",
    "easy_read",
)


class QuestionReader:
    def __init__(self, reporter: Reporter, texts: TextReader, lines: list[str]) -> None:
        self.reporter = reporter
        self.texts = texts
        self.lines = lines
        self.expression_positions: dict[tuple[str, str], Position] = {}

    def read(self, item: LocatedMap, index: int, lists: dict[str, ChoiceList]) -> Question | None:
        label = item.get("name") if isinstance(item.get("name"), str) else f"question {index + 1}"
        reader = FieldReader(item, self.reporter, str(label))
        reader.check_keys(QUESTION_KEYS, "a question")
        name = reader.identifier("name", required=True, example="name: overall_satisfaction")
        context = name or str(label)
        qtype = self._type(reader)
        text = self.texts.read(item, "text", context, required=True)
        hint = self.texts.read(item, "hint", context, required=False)
        easy_read = self.texts.read(item, "easy_read", context, required=False)
        required = reader.boolean("required", default=False)
        choices = self._question_choices(reader, qtype, lists)
        relevant = self._expression(item, "relevant", context)
        constraints = self._constraints(item, context)
        scale = self._scale(reader, qtype)
        sensitive = self._sensitive(reader, context)
        profile = self._profile(reader)
        measure = self._measure(reader, choices, qtype)
        concern = read_concern_rule(reader, self.reporter, self.texts.languages, choices, qtype)
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
            concern=concern,
            easy_read=easy_read,
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
