"""The console's campaign form as campaign settings (the same spec the CLI and API take).

Blank fields keep their defaults. Percentages are typed as officers say them (4 for ±4%).
Profile attribute values are matched by their names as officers read them.
"""

from __future__ import annotations

import datetime
from typing import Any

from bot.campaigns.attributes import AttributeValue, wanted_values
from bot.campaigns.spec import CampaignSpecError
from bot.outreach.channel_names import channel_title

DEFAULTS = {
    "days": "mon-sat",
    "hours": "09:00-20:00",
    "timezone": "Europe/London",
    "reminders": "1",
    "reminder_interval_hours": "72",
    "session_expiry_days": "14",
    "sample": "all",
    "sample_method": "random",
    "response_rate": "100",
    "use_preferences": "1",
}
SAMPLES = (
    ("all", "Everyone in the audience"),
    ("size", "A fixed number of tenants"),
    ("margin", "Enough for a margin of error"),
    ("tsm", "The TSM rule (the regulator's margin for the audience's size)"),
)
RATE_CHANNELS = {name: channel_title(name) for name in ("sms", "whatsapp", "telegram")}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _field(form: dict[str, str], name: str) -> str:
    return form.get(name, "").strip()


def _percent(form: dict[str, str], name: str, label: str) -> float:
    try:
        value = float(_field(form, name).rstrip("%"))
    except ValueError:
        raise CampaignSpecError([f"{label}: write it as a percentage such as 4 for ±4%."]) from None
    return value / 100


def _audience(form: dict[str, str], attributes: dict[str, list[AttributeValue]]) -> dict[str, Any]:
    audience: dict[str, Any] = {}
    for name in ("area", "estate", "tenure", "segment"):
        if _field(form, name):
            audience[name] = wanted_values(attributes.get(name, []), _split(form[name]))
    attribute = _field(form, "attribute")
    if attribute and _field(form, "attribute_values"):
        typed = _split(form["attribute_values"])
        audience["attributes"] = {attribute: wanted_values(attributes.get(attribute, []), typed)}
    if _field(form, "not_surveyed_days"):
        audience["not_surveyed_days"] = _field(form, "not_surveyed_days")
    if _field(form, "tenant_refs"):
        audience["tenant_refs"] = _split(form["tenant_refs"].replace(" ", ","))
    return audience


def _sample(form: dict[str, str]) -> dict[str, Any] | None:
    kind = _field(form, "sample") or "all"
    if kind == "all":
        return None
    sample: dict[str, Any] = {"method": _field(form, "sample_method") or "random"}
    if sample["method"] == "stratified":
        sample["by"] = _field(form, "stratify_by") or None
    if kind == "size":
        sample["size"] = _field(form, "sample_size") or None
    elif kind == "tsm":
        sample["margin"] = "tsm"
    else:
        sample["margin"] = _percent(form, "margin", "Margin of error")
    if _field(form, "response_rate"):
        sample["response_rate"] = _percent(form, "response_rate", "Expected response rate")
    return sample


def spec_from_form(
    form: dict[str, str],
    attributes: dict[str, list[AttributeValue]] | None = None,
    *,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    """The form as campaign settings. With `now` (an estimate), a missing name or start is
    filled in, so the estimate shows before the form is finished."""
    data: dict[str, Any] = {
        "name": _field(form, "name") or ("(estimate)" if now else ""),
        "questionnaire": _field(form, "questionnaire"),
        "starts_at": _field(form, "starts_at") or (now.isoformat() if now else ""),
        "use_preferences": _field(form, "use_preferences") == "1",
    }
    for name in ("ends_at", "days", "hours", "timezone", "reminders"):
        if _field(form, name):
            data[name] = _field(form, name)
    for name in ("reminder_interval_hours", "session_expiry_days"):
        if _field(form, name):
            data[name] = _field(form, name)
    if _field(form, "channels"):
        data["channels"] = _split(form["channels"])
    rates = {name: _field(form, f"rate_{name}") for name in RATE_CHANNELS}
    if any(rates.values()):
        data["send_rate_per_minute"] = {name: rate for name, rate in rates.items() if rate}
    audience = _audience(form, attributes or {})
    if audience:
        data["audience"] = audience
    sample = _sample(form)
    if sample is not None:
        data["sample"] = sample
    return data
