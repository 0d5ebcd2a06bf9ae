"""Words for readers: every code, column name and flag a reader would otherwise see.

The tables behind the report keep their codes (the CSVs are for analysts and tools); the
page and the summary of approach show sentences and labels. One spelling per channel, tenure
and attribute lives here, below both the TSM layer and the report, so the TSM layer never
depends on the report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from analysis.frames.catalog import Catalog, filled
from bot.outreach.channel_names import CHANNEL_TITLES

CHANNEL_WORDS = {**CHANNEL_TITLES, "profile": "Tenant profile", "all": "All channels"}
TENURE_WORDS = {
    "low_cost_rental": "Low-cost rental (LCRA)",
    "shared_ownership": "Low-cost home ownership (LCHO)",
    "low_cost_home_ownership": "Low-cost home ownership (LCHO)",
}
# Tenure codes the regulator reports as low-cost home ownership.
LCHO = ("shared_ownership", "low_cost_home_ownership")
ATTRIBUTE_WORDS = {"age_band": "Age band", "tenure": "Tenure", "area": "Area",
                   "ethnicity": "Ethnic group", "channel": "Channel", "segment": "Segment",
                   "overall": "All tenants", "contractor": "Contractor",
                   "trade": "Trade"}  # fmt: skip
COLUMN_WORDS = {
    "measure": "Measure", "question": "Question", "breakdown": "Breakdown", "group": "Group",
    "positive": "Satisfied", "valid": "Valid answers", "excluded": "Don't know (left out)",
    "dont_know_counted": "Don't know (counted)", "percent": "% satisfied",
    "ci_low": "Interval from", "ci_high": "Interval to", "suppressed": "Too few to show",
    "relevant_homes": "Relevant homes", "accuracy_points": "Accuracy needed (± points)",
    "required": "Responses required", "achieved": "Responses achieved", "met": "Met",
    "achieved_margin_points": "Accuracy achieved (± points)", "attribute": "Characteristic",
    "tenants": "Tenants", "tenant_share": "% of tenants", "respondents": "Respondents",
    "respondent_share": "% of respondents", "difference_points": "Difference (points)",
    "flag": "Gap", "questionnaire": "Questionnaire", "version": "Version",
    "language": "Language", "status": "Translation", "code": "Code", "label": "Segment",
    "size": "Tenants", "recommended_channel": "Best reached by", "answered_surveys":
    "Answered surveys", "reached": "Surveys reached", "replied": "Surveys answered",
    "rate": "% answered", "month": "Month", "contractor": "Contractor", "trade": "Trade",
    "share_sms": "% SMS", "share_whatsapp": "% WhatsApp", "share_telegram": "% Telegram",
    "share_webchat": "% Web chat",
    "weighted_percent": "% satisfied (weighted)", "effective_n": "Effective sample size",
    "design_effect": "Design effect", "theme": "Theme", "comments": "Comments",
    "share": "% of comments", "period": "Period", "importance": "Importance (share of R²)",
    "importance_low": "Importance from", "importance_high": "Importance to",
    "satisfaction": "% satisfied", "small": "Small month", "homes": "Relevant homes",
    "change": "Change (points)", "previous": "Previous %", "current": "Latest %",
    "source": "Found by",
}  # fmt: skip
VALUE_WORDS = {"over": "over-represented", "under": "under-represented", "draft": "draft",
               "reviewed": "reviewed", "not known": "Not known", "all tenants": "All tenants",
               "not recorded": "Not recorded", "no segment yet": "No segment yet"}  # fmt: skip
LANGUAGE_WORDS = {"en": "English", "cy": "Welsh", "pl": "Polish", "ro": "Romanian",
                  "pa": "Punjabi", "ur": "Urdu", "pt": "Portuguese", "zh": "Chinese",
                  "ar": "Arabic", "bn": "Bengali"}  # fmt: skip
# Attributes whose values are names typed into the landlord's systems, often in lower case.
NAME_LIKE = frozenset({"trade", "contractor", "area"})
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def humanise(code: str) -> str:
    """A last resort for a code with no label: "age_35_44" -> "Age 35 44"."""
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


class Words:
    """Labels for one report: fixed words plus the choice labels of the questionnaires."""

    def __init__(self, catalog: Catalog | None = None, landlord: str = "your landlord") -> None:
        self.landlord = landlord
        self.choices: dict[str, dict[str, str]] = {}
        self.questions: dict[str, str] = {}  # measure code -> the regulator's wording
        self.titles: dict[str, str] = {}  # questionnaire id -> its title
        if catalog is not None:
            self._read(catalog)

    def _read(self, catalog: Catalog) -> None:
        for version_id in sorted(catalog.questionnaires):
            q = catalog.questionnaires[version_id]
            self.titles[q.id] = q.title.get(q.default_language) or humanise(q.id)
            for question in q.questions:
                if question.measure is not None:
                    text = question.text.get(q.default_language) or question.name
                    self.questions[question.measure.code] = filled(text, self.landlord)
                if question.profile is None or question.choices is None:
                    continue
                labels = self.choices.setdefault(question.profile.attribute, {})
                for choice in question.choices.choices:
                    labels[choice.name] = choice.label.get(q.default_language) or choice.name

    def value(self, text: object, attribute: str | None = None) -> str:
        """One cell's words: a channel, tenure, choice label, or the text itself."""
        if text is None or (not isinstance(text, str) and pd.isna(text)):  # type: ignore[call-overload]
            return ""
        if isinstance(text, bool):
            return "Yes" if text else "No"
        raw = str(text)
        for table in (
            self.titles if attribute == "questionnaire" else {},
            self.choices.get(attribute or "", {}), CHANNEL_WORDS, TENURE_WORDS,
            ATTRIBUTE_WORDS if attribute in (None, "breakdown", "attribute") else {},
            VALUE_WORDS, LANGUAGE_WORDS if attribute == "language" else {},
        ):  # fmt: skip
            if raw in table:
                return table[raw]
        for labels in self.choices.values():
            if raw in labels:
                return labels[raw]
        if SNAKE.fullmatch(raw) or (attribute in NAME_LIKE and raw.islower()):
            return humanise(raw)  # "plumbing" -> "Plumbing"
        return raw

    def measure(self, code: str) -> str:
        """ "TP01 Taking everything into account, …" (the code beside the regulator's words)."""
        wording = self.questions.get(code)
        return f"{code} {wording}" if wording else code

    def column(self, name: str) -> str:
        return COLUMN_WORDS.get(name, humanise(name))

    def frame(self, frame: pd.DataFrame, attribute_columns: Mapping[str, str] | None = None
              ) -> pd.DataFrame:  # fmt: skip
        """A copy with every text cell in words and every heading in words.

        `attribute_columns` maps a column to the column naming its attribute (e.g. the
        "group" column is read with the attribute in "breakdown"), or to the attribute itself."""
        shown = frame.copy()
        by = dict(attribute_columns or {})
        for column in shown.columns:
            series = shown[column]
            if series.dtype == bool or str(series.dtype) == "boolean":
                shown[column] = series.map(lambda v: "" if pd.isna(v) else ("Yes" if v else "No"))
            elif series.dtype.kind in "OSU" or str(series.dtype) in ("string", "category"):
                if column in by and by[column] in shown.columns:
                    keys = frame[by[column]].astype(str).tolist()  # the codes, not words
                    shown[column] = [self.value(v, k) for v, k in zip(series, keys, strict=True)]
                elif column in by:
                    shown[column] = [self.value(v, by[column]) for v in series]
                else:
                    shown[column] = [self.value(v, column) for v in series]
        return shown.rename(columns={c: self.column(c) for c in shown.columns})
