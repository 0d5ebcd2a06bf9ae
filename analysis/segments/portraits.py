"""What sets each segment apart (its pen portrait), a plain label, and how to reach it.

Labels describe how a group likes to be contacted, never who they are: no words about age,
income, disability or "hard to reach" (the toolkit warns that labels can stigmatise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.segments.contact import CHANNELS

# One spelling per channel across portraits, labels and the report: SMS, Telegram, web chat.
CHANNEL_WORDS = {
    "sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram", "webchat": "web chat",
    "web_chat": "web chat", "phone": "a phone call", "email": "email", "letter": "a letter",
}  # fmt: skip
CHANNEL_TITLES = {
    "sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram", "webchat": "Web chat",
    "phone": "Phone call",
    "letter": "Letter", "email": "Email",
}  # fmt: skip
BAND_WORDS = {
    "morning": "on weekday mornings", "afternoon": "on weekday afternoons",
    "evening": "on weekday evenings", "weekend": "at weekends", "night": "late at night",
}  # fmt: skip
# Contact windows for campaigns, in the tenant's own time zone; night replies map to evening.
WINDOWS = {
    "morning": {"days": "mon-fri", "start": "09:00", "end": "12:00"},
    "afternoon": {"days": "mon-fri", "start": "12:00", "end": "17:00"},
    "evening": {"days": "mon-fri", "start": "17:00", "end": "20:00"},
    "weekend": {"days": "sat-sun", "start": "10:00", "end": "16:00"},
}
AGE_WORDS = {1: "16 to 24", 2: "25 to 34", 3: "35 to 44", 4: "45 to 54", 5: "55 to 64",
             6: "65 to 74", 7: "75 to 84", 8: "85 or over"}  # fmt: skip
# Words no label may use: they describe people, not how they like to be contacted.
STIGMATISING = ("hard to reach", "disengaged", "non-respon", "elderly", "vulnerable",
                "excluded", "problem", "difficult", "breadline", "poor", "low", "old",
                "lazy", "ignor", "unresponsive", "silent")  # fmt: skip
OFFLINE_THRESHOLD = 0.3  # expected reply chance below which a stated phone/letter wins
PORTRAIT_FACTS = 4
MIN_SUPPORT = 10  # tenants who must have told us something before a portrait says it
SUPPORT_SHARE = 0.1


@dataclass
class Description:
    label: str
    portrait: list[str]
    summary: dict[str, Any]
    channel: str
    channel_ranking: list[str]
    window_name: str
    window: dict[str, str] = field(default_factory=dict)


def _numbers(values: pd.Series) -> np.ndarray:
    """Any numeric or true/false column (with gaps) as floats with NaN for the gaps."""
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        # Straight to floats: going through Python objects cost a second per run at 100k.
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    numeric = pd.to_numeric(values.astype(object), errors="coerce").astype("Float64")
    return numeric.to_numpy(dtype=np.float64, na_value=np.nan)


def _share(values: pd.Series) -> float:
    numbers = _numbers(values)
    return float(np.nanmean(numbers)) if np.isfinite(numbers).any() else math.nan


def _spread(values: pd.Series) -> float:
    numbers = _numbers(values)
    return float(np.nanstd(numbers)) if np.isfinite(numbers).sum() > 1 else math.nan


def _pct(value: float) -> str:
    return "unknown" if math.isnan(value) else f"{round(100 * value)}%"


def _duration(minutes: float) -> str:
    if math.isnan(minutes):
        return "unknown"
    if minutes < 90:
        return f"{max(1, round(minutes))} minutes"
    if minutes < 48 * 60:
        return f"{round(minutes / 60)} hours"
    return f"{round(minutes / 1440)} days"


def _enough(known: int, size: int) -> bool:
    """A fact about what tenants told us needs enough of the segment to have told us."""
    return known >= max(MIN_SUPPORT, SUPPORT_SHARE * size)


def _score(mine: float, all_: float, spread: float) -> float:
    """Distance from everyone in standard deviations; being above average reads better in a
    portrait ("most reply at weekends") than being below it, so it counts double."""
    distance = abs(mine - all_) / max(spread, 1e-9)
    return distance if mine > all_ else distance / 2


def _facts(members: pd.DataFrame, everyone: pd.DataFrame) -> list[tuple[float, str]]:
    """(how far the segment stands from everyone; the sentence saying so)."""
    facts: list[tuple[float, str]] = []
    size = len(members)

    def share_fact(column: str, sentence: str) -> None:
        numbers = _numbers(members[column])
        known = int(np.isfinite(numbers).sum())
        mine, all_ = _share(members[column]), _share(everyone[column])
        spread = _spread(everyone[column])
        if not _enough(known, size) or math.isnan(all_) or not spread > 0:
            return
        facts.append((_score(mine, all_, spread), sentence.format(mine=_pct(mine), all=_pct(all_))))

    def told_fact(values: pd.Series, every: pd.Series, sentence: str) -> None:
        """A share among those who told us (`values` true/false, gaps for not told)."""
        known = values.dropna()
        every_known = every.dropna()
        if not _enough(len(known), size) or every_known.empty:
            return
        mine, all_ = float(known.mean()), float(every_known.mean())
        spread = math.sqrt(max(all_ * (1 - all_), 1e-9))
        facts.append((_score(mine, all_, spread), sentence.format(mine=_pct(mine), all=_pct(all_))))

    for channel in CHANNELS:
        share_fact(f"reply_share_{channel}", f"{{mine}} of the surveys they answer come by "
                   f"{CHANNEL_WORDS[channel]} (all tenants: {{all}}).")  # fmt: skip
    share_fact("response_rate", "They answer {mine} of the surveys that reach them "
               "(all tenants: {all}).")  # fmt: skip
    share_fact("completion_after_reply", "Once started, they finish {mine} of surveys "
               "(all tenants: {all}).")  # fmt: skip
    for band, words in BAND_WORDS.items():
        share_fact(f"replies_{band}", f"{{mine}} of their replies come {words} "
                   "(all tenants: {all}).")  # fmt: skip
    stated, every_stated = members["stated_channel"], everyone["stated_channel"]
    if stated.notna().any():
        top = str(stated.dropna().value_counts().idxmax())
        told_fact((stated == top).where(stated.notna()), (every_stated == top).where(
            every_stated.notna()), f"{{mine}} of those who told us prefer "
            f"{CHANNEL_WORDS.get(top, top)} (all tenants: {{all}}).")  # fmt: skip
    language, every_language = members["language"], everyone["language"]
    told_fact((language == "cy").where(language.notna()),
              (every_language == "cy").where(every_language.notna()),
              "{mine} have Welsh as their main language (all tenants: {all}).")  # fmt: skip
    told_fact((~language.isin(["en", "cy"])).where(language.notna()),
              (~every_language.isin(["en", "cy"])).where(every_language.notna()),
              "{mine} have a main language other than English or Welsh "
              "(all tenants: {all}).")  # fmt: skip
    for column, sentence in (
        ("digital_none", "{mine} of those who told us have no smartphone, computer or home "
         "internet (all tenants: {all})."),
        ("digital_computer_or_tablet", "{mine} of those who told us have a computer or tablet "
         "(all tenants: {all})."),
        ("has_communication_need", "{mine} of those who told us have a communication need, "
         "such as large print or an interpreter (all tenants: {all})."),
    ):  # fmt: skip
        told_fact(pd.Series(_numbers(members[column])), pd.Series(_numbers(everyone[column])),
                  sentence)  # fmt: skip
    latency = pd.Series(_numbers(members["first_reply_minutes"])).dropna()
    every_latency = pd.Series(_numbers(everyone["first_reply_minutes"])).dropna()
    if _enough(len(latency), size) and len(every_latency) > 1:
        logs = np.log1p(every_latency.to_numpy())
        mine_log = float(np.median(np.log1p(latency.to_numpy())))
        distance = abs(mine_log - float(np.median(logs))) / max(float(logs.std()), 1e-9)
        facts.append((distance, f"Their first reply usually comes within "
                      f"{_duration(float(latency.median()))} (all tenants: "
                      f"{_duration(float(every_latency.median()))})."))  # fmt: skip
    ages = pd.Series(_numbers(members["age_order"])).dropna()
    every_age = pd.Series(_numbers(everyone["age_order"])).dropna()
    if _enough(len(ages), size) and len(every_age) > 1:
        distance = abs(float(ages.mean()) - float(every_age.mean())) / max(
            float(every_age.std()), 1e-9
        )
        facts.append((distance, f"Of those who told us, most often aged "
                      f"{AGE_WORDS[round(float(ages.median()))]} (all tenants: "
                      f"{AGE_WORDS[round(float(every_age.median()))]})."))  # fmt: skip
    return facts


def recommend(members: pd.DataFrame) -> tuple[str, list[str]]:
    """The channel most likely to get a reply (held × answered there), unless replies are
    rare and the segment told us it prefers a call or a letter."""
    overall = _share(members["response_rate"])
    chances: dict[str, float] = {}
    for channel in CHANNELS:
        rate = _share(members[f"response_rate_{channel}"])
        held = _share(members[f"holds_{channel}"])
        chances[channel] = held * (overall if math.isnan(rate) else rate)
    ranking = sorted(CHANNELS, key=lambda c: (-np.nan_to_num(chances[c]), CHANNELS.index(c)))
    stated = members["stated_channel"].dropna().value_counts(normalize=True)
    offline = {name: float(stated.get(name, 0.0)) for name in ("phone", "letter")}
    digital = float(stated.drop(labels=["phone", "letter"], errors="ignore").sum())
    best_offline = max(offline, key=lambda name: offline[name])
    if chances[ranking[0]] < OFFLINE_THRESHOLD and offline[best_offline] > digital:
        return best_offline, [best_offline, *ranking]
    return ranking[0], ranking


def best_window(members: pd.DataFrame) -> str:
    scores = {}
    for band in WINDOWS:
        replied = _share(members[f"replies_{band}"])
        if band == "evening":
            replied += np.nan_to_num(_share(members["replies_night"]))
        stated = _share(members[f"stated_{band}"])
        scores[band] = np.nan_to_num(replied) + 0.5 * np.nan_to_num(stated)
    return max(WINDOWS, key=lambda band: (scores[band], -list(WINDOWS).index(band)))


def describe(members: pd.DataFrame, everyone: pd.DataFrame) -> Description:
    channel, ranking = recommend(members)
    window = best_window(members)
    facts = sorted(_facts(members, everyone), key=lambda fact: -fact[0])
    chosen = [sentence for distance, sentence in facts if distance >= 0.3][:PORTRAIT_FACTS]
    size = len(members)
    portrait = [
        f"{size:,} tenants ({_pct(size / max(len(everyone), 1))} of those segmented).",
        *chosen,
        f"Best reached by {CHANNEL_WORDS[channel]} {BAND_WORDS[window]}.",
    ]
    summary: dict[str, float | int | None] = {
        "tenants": size,
        "response_rate": _share(members["response_rate"]),
        "completion_after_reply": _share(members["completion_after_reply"]),
        "first_reply_minutes": float(members["first_reply_minutes"].median()),
        **{f"reply_share_{c}": _share(members[f"reply_share_{c}"]) for c in CHANNELS},
        **{f"replies_{band}": _share(members[f"replies_{band}"]) for band in BAND_WORDS},
    }
    summary = {  # JSON has no NaN: unknown is null
        k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in summary.items()
    }
    label = label_for(channel, window, summary)
    return Description(label, portrait, summary, channel, ranking, window, WINDOWS[window])


def label_for(channel: str, window: str, summary: dict[str, Any], detail: int = 1) -> str:
    """A short, neutral name: the channel, then what stands out (speed, then time)."""
    title = CHANNEL_TITLES[channel]
    if channel in ("phone", "letter"):
        title = "Phone call or letter"
    qualifiers = []
    minutes = summary.get("first_reply_minutes")
    if isinstance(minutes, float | int) and minutes <= 30:
        qualifiers.append("quick replies")
    elif isinstance(minutes, float | int) and minutes >= 18 * 60:
        qualifiers.append("in their own time")
    time_words = {"morning": "mornings", "afternoon": "afternoons", "evening": "evenings",
                  "weekend": "weekends"}  # fmt: skip
    daytime = (summary.get("replies_morning") or 0) + (summary.get("replies_afternoon") or 0)
    qualifiers.insert(0 if daytime < 0.7 else len(qualifiers),
                      "daytime" if daytime >= 0.7 else time_words[window])  # fmt: skip
    return ", ".join([title, *qualifiers[:detail]])


def is_neutral(label: str) -> bool:
    lowered = label.lower()
    return not any(word in lowered for word in STIGMATISING)
