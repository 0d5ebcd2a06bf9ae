"""What each prompt costs as SMS, per language (`doorstep validate --sms-cost`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.render import sms_prompt
from bot.i18n.sms_encoding import Encoding, sms_cost, to_gsm7_where_possible
from bot.questionnaire.model import Questionnaire


@dataclass(frozen=True)
class LanguageCost:
    language: str
    prompts: int
    total_segments: int
    most_segments: int
    costliest: str  # the question with the most segments
    ucs2_prompts: int
    forcing_characters: str  # characters that force UCS-2, in order of first appearance

    @property
    def average(self) -> float:
        return self.total_segments / self.prompts if self.prompts else 0.0


def sms_costs(questionnaire: Questionnaire, landlord: str) -> list[LanguageCost]:
    costs = []
    for language in questionnaire.languages:
        total = most = ucs2 = 0
        costliest = ""
        forcing: list[str] = []
        answerable = [q for q in questionnaire.questions if q.answerable]
        for question in answerable:
            prompt = sms_prompt(question, language, landlord, easy_read=questionnaire.easy_read)
            cost = sms_cost(to_gsm7_where_possible(prompt))
            total += cost.segments
            if cost.segments > most:
                most, costliest = cost.segments, question.name
            if cost.encoding is Encoding.UCS2:
                ucs2 += 1
                forcing.extend(c for c in cost.non_gsm_characters if c not in forcing)
        shown = "".join(forcing[:12]) + (
            f" (+{len(forcing) - 12} more)" if len(forcing) > 12 else ""
        )
        costs.append(LanguageCost(language, len(answerable), total, most, costliest, ucs2, shown))
    return costs
