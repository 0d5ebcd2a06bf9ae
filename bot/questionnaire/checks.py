"""Checks that look across questions: references, reachability, types, SMS cost."""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

from bot.i18n.sms_encoding import sms_cost, to_gsm7_where_possible
from bot.questionnaire.expressions import Expression, ValueKind, check_types
from bot.questionnaire.fields import PLACEHOLDER, Reporter, did_you_mean
from bot.questionnaire.located import Position
from bot.questionnaire.model import LocalText, Question, Questionnaire, QuestionType

BUILT_IN_NAMES = frozenset({"landlord"})
SELECTED_BY_NAME = re.compile(r"selected\(\s*\$\{\s*(\w+)\s*\}\s*,\s*['\"]([^'\"]*)['\"]")

KINDS = {
    QuestionType.TEXT: ValueKind.TEXT,
    QuestionType.INTEGER: ValueKind.NUMBER,
    QuestionType.DECIMAL: ValueKind.NUMBER,
    QuestionType.SCALE: ValueKind.NUMBER,
    QuestionType.DATE: ValueKind.DATE,
    QuestionType.YES_NO: ValueKind.BOOLEAN,
    QuestionType.SELECT_ONE: ValueKind.CHOICES,
    QuestionType.SELECT_MULTIPLE: ValueKind.CHOICES,
    QuestionType.NOTE: ValueKind.UNKNOWN,
}


@dataclass(frozen=True)
class Positions:
    questions: dict[str, Position]
    expressions: dict[tuple[str, str], Position]  # (question, expression source)


def run_all(
    questionnaire: Questionnaire,
    positions: Positions,
    reporter: Reporter,
    landlord_name: str,
) -> None:
    checker = _Checker(questionnaire, positions, reporter)
    checker.cycles()
    checker.nothing_asked()
    for question in questionnaire.questions:
        checker.expressions(question)
        checker.placeholders(question)
        checker.sensitive_choices(question)
    checker.unreachable()
    from bot.engine.render import sms_prompt  # the renderer imports the model, not this

    if "sms" not in questionnaire.channels:
        return
    for question in questionnaire.questions:
        for language in questionnaire.languages:
            prompt = sms_prompt(
                question, language, landlord_name, easy_read=questionnaire.easy_read
            )
            checker.sms_length(question, language, prompt)


class _Checker:
    def __init__(
        self, questionnaire: Questionnaire, positions: Positions, reporter: Reporter
    ) -> None:
        self.q = questionnaire
        self.positions = positions
        self.reporter = reporter
        self.kinds = {question.name: KINDS[question.type] for question in questionnaire.questions}
        self.in_cycle: set[str] = set()

    def where(self, question: Question, expression: Expression | None = None) -> Position:
        if expression is not None:
            found = self.positions.expressions.get((question.name, expression.source))
            if found is not None:
                return found
        return self.positions.questions.get(question.name, Position(1, 1))

    def expressions(self, question: Question) -> None:
        own_index = self.q.index[question.name]
        named: list[tuple[str, Expression]] = []
        if question.relevant is not None:
            named.append(("relevant", question.relevant))
        named.extend(("rule", constraint.rule) for constraint in question.constraints)
        for key, expression in named:
            for reference in sorted(expression.references):
                self._reference(question, key, expression, reference, own_index)
            current = KINDS[question.type] if key == "rule" else None
            for problem in check_types(expression, self.kinds, current):
                self.reporter.error(
                    self.where(question, expression),
                    question.name,
                    f"{key} '{expression.source}': {problem.message}",
                    problem.fix,
                )
            self._selected_names(question, key, expression)

    def _reference(
        self, question: Question, key: str, expression: Expression, name: str, own: int
    ) -> None:
        where = self.where(question, expression)
        if name not in self.q.index:
            hint = did_you_mean(name, self.q.index)
            self.reporter.error(
                where,
                question.name,
                f"{key} '{expression.source}' refers to ${{{name}}}, which is not a question",
                hint or "use the name of an earlier question",
            )
        elif name == question.name and key == "relevant":
            self.reporter.error(
                where,
                question.name,
                "relevant refers to the question itself",
                "base relevant on earlier answers only",
            )
        elif self.q.index[name] > own and key == "relevant" and name not in self.in_cycle:
            self.reporter.warning(
                where,
                question.name,
                f"relevant refers to ${{{name}}}, which is asked later, so it is never answered "
                "in time",
                f"move {name} above {question.name}, or base relevant on earlier answers",
            )

    def _selected_names(self, question: Question, key: str, expression: Expression) -> None:
        for target, choice_name in SELECTED_BY_NAME.findall(expression.source):
            names = self.q.choice_names.get(target)
            if names is not None and choice_name not in names:
                hint = did_you_mean(choice_name, names)
                self.reporter.error(
                    self.where(question, expression),
                    question.name,
                    f"{key} uses selected(${{{target}}}, '{choice_name}') but {target} has no "
                    f"choice named '{choice_name}'",
                    hint or f"use one of: {', '.join(sorted(names))}",
                )

    def placeholders(self, question: Question) -> None:
        own_index = self.q.index[question.name]
        texts: list[LocalText] = [question.text]
        if question.hint is not None:
            texts.append(question.hint)
        for text in texts:
            for value in text.texts.values():
                for name in PLACEHOLDER.findall(value):
                    if name in BUILT_IN_NAMES:
                        continue
                    if name not in self.q.index or self.q.index[name] >= own_index:
                        self.reporter.error(
                            self.where(question),
                            question.name,
                            f"the text pipes ${{{name}}}, which is not an earlier question",
                            "pipe only answers to earlier questions, or ${landlord}",
                        )

    def sensitive_choices(self, question: Question) -> None:
        if question.sensitive is None or question.choices is None:
            return
        if not any(c.missing == "prefer_not_to_say" for c in question.choices.choices):
            self.reporter.error(
                self.where(question),
                question.name,
                f"sensitive question offers no 'prefer not to say' in list {question.choices.name}",
                "add a choice such as {code: 99, name: prefer_not_to_say, missing: "
                "prefer_not_to_say}",
            )

    def cycles(self) -> None:
        """Questions whose `relevant` conditions wait on each other are never asked."""
        graph = {
            question.name: {
                name
                for name in question.relevant.references
                if name in self.q.index and name != question.name
            }
            for question in self.q.questions
            if question.relevant is not None
        }
        while True:
            try:
                TopologicalSorter(graph).prepare()
                return
            except CycleError as error:
                cycle: list[str] = list(error.args[1])  # [a, b, ..., a]
            names = cycle[:-1]
            self.in_cycle.update(names)
            first = min(names, key=self.q.index.__getitem__)
            self.reporter.error(
                self.where(self.q.question(first), self.q.question(first).relevant),
                first,
                "relevant conditions wait on each other in a circle, so none of these "
                f"questions is ever asked: {' → '.join(reversed(cycle))}",
                "base each relevant on answers to questions asked before it",
            )
            for name in names:
                graph[name] -= set(names)

    def nothing_asked(self) -> None:
        """Warn when a tenant could consent and then be asked nothing at all."""
        for question in self.q.questions:
            relevant = question.relevant
            always = relevant is None or (not relevant.references and relevant.evaluate_bool({}))
            # Answers filled from a fresh profile count: the tenant has answered before.
            if question.answerable and always and question.sensitive is None:
                return
        first = self.q.questions[0] if self.q.questions else None
        self.reporter.warning(
            self.where(first) if first else Position(1, 1),
            "questionnaire",
            "a tenant may consent and then be asked nothing: every question depends on a "
            "relevant condition or on consent to a sensitive question",
            "let at least one question be asked without conditions",
        )

    def unreachable(self) -> None:
        unreachable: set[str] = set()
        for question in self.q.questions:
            relevant = question.relevant
            if relevant is None:
                continue
            references = relevant.references
            if not references <= set(self.q.index):
                continue  # reported as an unknown reference already
            never = (not references or references <= unreachable) and not relevant.evaluate_bool({})
            if never:
                unreachable.add(question.name)
                self.reporter.warning(
                    self.where(question, relevant),
                    question.name,
                    f"this question can never be asked: relevant '{relevant.source}' is always "
                    "false",
                    "fix the condition or remove the question",
                )

    def sms_length(self, question: Question, language: str, prompt: str) -> None:
        cost = sms_cost(to_gsm7_where_possible(prompt))
        budget = self.q.sms_budget(language)
        if cost.segments > budget:
            forcing = "".join(cost.non_gsm_characters[:8])
            why = f" ({cost.encoding.value} because of {forcing})" if forcing else ""
            self.reporter.warning(
                self.where(question),
                question.name,
                f"the {language} SMS prompt takes {cost.segments} segments{why}",
                f"shorten the {language} text or option labels to fit {budget} segments, "
                "or set sms_max_segments if the landlord accepts the cost",
            )
