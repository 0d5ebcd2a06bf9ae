"""The one vocabulary of profile values: each attribute's value set and its stored form.

Imports, survey answers (choice code -> the choice's stable name, see
`bot.questionnaire.profile_values`) and officers all store the names below, so that audience
filters, exports, the segmentation's features and the channel picker read one form.
`canonical` turns what a person typed (`"Web chat"`, `"TELEGRAM"`, `"Welsh"`) into it.
"""

from __future__ import annotations

from typing import Any

from bot.tenants import values

CHANNELS = ("sms", "telegram", "whatsapp", "web_chat", "phone", "email", "letter")
# Channels a survey can be sent on; phone and letter are for a person, email for a link.
MESSAGING = ("sms", "telegram", "whatsapp", "web_chat")
TIMES = ("morning", "afternoon", "evening", "weekend")
AGE_BANDS = (
    "age_16_24", "age_25_34", "age_35_44", "age_45_54", "age_55_64", "age_65_74",
    "age_75_84", "age_85_plus", "prefer_not_to_say",
)  # fmt: skip
YES_NO = (True, False)

VALUE_SETS: dict[str, tuple[Any, ...]] = {
    "preferred_channel": CHANNELS,
    "recommended_channel": CHANNELS,
    "preferred_times": TIMES,
    "age_band": AGE_BANDS,
    "tenure": ("low_cost_rental", "shared_ownership"),
    "contact_frequency": ("as_needed", "monthly", "quarterly", "yearly", "essential_only"),
}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def _one(attribute: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    key = "".join(character for character in value.casefold() if character.isalnum())
    if attribute in ("preferred_channel", "recommended_channel"):
        return values.CHANNEL_VALUES.get(key, value.strip().casefold())
    if attribute == "language":
        try:
            code, other = values.language(value)
        except ValueError:
            return value
        return code if other is None else value
    if attribute == "tenure":
        return values.TENURE_VALUES.get(key, value)
    if value.strip().casefold() in _YES | _NO and attribute.startswith(("has_", "is_")):
        return value.strip().casefold() in _YES
    known = VALUE_SETS.get(attribute)
    folded = value.strip().casefold().replace(" ", "_").replace("-", "_")
    if known is not None and folded in known:
        return folded
    return value


def canonical(attribute: str, value: Any) -> Any:
    """`value` in the stored form of `attribute`; unknown values come back unchanged."""
    if isinstance(value, list):
        return [_one(attribute, item) for item in value]
    return _one(attribute, value)
