"""The best channel to invite a tenant on, with fallbacks; used by campaigns and repairs.

Order tried: the tenant's preferred channel (profile attribute `preferred_channel`), the
channel their segment recommends (`recommended_channel`, written by the segmentation), then
the fallback order (the campaign's policy, else `DOORSTEP_CHANNEL_FALLBACK_ORDER`). A channel
is skipped when the tenant has no identity on it, every identity there opted out or is on the
do-not-contact list, no sender for it is configured, or the questionnaire is not offered on it.

Web chat cannot be pushed: a tenant is reached there through an SMS carrying a personal web
chat link (`via_link=True`), also when the questionnaire is not offered by SMS itself. Email
also carries a web chat link (channel `email`, `via_link=True`); it is tried where the tenant
prefers it or the fallback order names it (`bot/outreach/email_addresses.py`):

    choice = choose_channel(connection, respondent_id, questionnaire.channels)
    if choice:      # ChannelChoice; a NoChannel is falsy and carries `reason`
        ...
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, select

from bot.outreach.email_addresses import EMAIL, usable_email
from bot.settings import Settings, get_settings
from bot.storage.tables import DNC, IDENTITIES, PROFILE
from bot.tenants.vocabulary import canonical

MESSAGING_CHANNELS = ("sms", "telegram", "whatsapp", "webchat")
# A tenant who asked for phone or letter (and gave no messaging channel as well) is not
# messaged for surveys; the campaign lists them for officers with this reason.
NOT_BY_MESSAGE = {
    "letter": "The tenant asked to be contacted by letter, not by message: write to them.",
    "phone": "The tenant asked to be contacted by phone, not by message: call them.",
}
PREFERENCE_ATTRIBUTES = (("preferred_channel", "preferred"), ("recommended_channel", "recommended"))
_ALIASES = {
    "sms": "sms",
    "text": "sms",
    "textmessage": "sms",
    "mobile": "sms",
    "telegram": "telegram",
    "whatsapp": "whatsapp",
    "webchat": "webchat",
    "chat": "webchat",
    "online": "webchat",
    "email": EMAIL,
}


def normalise_channel(value: Any) -> str | None:
    """ "web_chat", "Web chat", "SMS", "E-mail" -> the channel name; None for phone, letter."""
    if not isinstance(value, str):
        return None
    key = "".join(character for character in value.lower() if character.isalnum())
    return _ALIASES.get(key)


@dataclass(frozen=True)
class ChannelChoice:
    channel: str  # the channel the invitation goes out on
    address: str  # personal: never log it
    via_link: bool = False  # an SMS with a personal web chat link, not the questions by SMS
    source: str = "fallback"  # "preferred", "recommended" or "fallback"

    @property
    def kind(self) -> str:
        return "webchat_link" if self.via_link and self.channel == "sms" else self.channel


@dataclass(frozen=True)
class NoChannel:
    reason: str  # a sentence for officers, without addresses
    asked_for: str | None = None  # "letter" or "phone": the tenant asked not to be messaged

    def __bool__(self) -> bool:
        return False


def choose_channel(
    connection: Connection,
    respondent_id: int,
    questionnaire_channels: Collection[str],
    *,
    policy: Sequence[str] | None = None,
    use_preferences: bool = True,
    available: Collection[str] | None = None,
    links: bool = True,
    settings: Settings | None = None,
) -> ChannelChoice | NoChannel:
    """The channel and address to invite on (see the module).

    `available`: the channels with a configured sender (None: all). `links=False` for a
    caller that cannot send a web chat link: web chat is then skipped like a missing channel.
    """
    order = list(policy) if policy is not None else None
    if order is None:
        order = list((settings or get_settings()).channel_fallback_order)
    wanted: list[tuple[str, str]] = []
    if use_preferences:
        stated = _stated(connection, respondent_id)
        asked = next((item for item in stated if item in NOT_BY_MESSAGE), None)
        if asked is not None and not any(map(normalise_channel, stated)):
            return NoChannel(NOT_BY_MESSAGE[asked], asked_for=asked)
        wanted += _preferences(connection, respondent_id)
    wanted += [(name, "fallback") for name in map(normalise_channel, order) if name]
    usable = _usable_addresses(connection, respondent_id)
    problems: dict[str, str] = {}
    tried: set[str] = set()
    for channel, source in wanted:
        if channel in tried:
            continue
        tried.add(channel)
        if channel == EMAIL:
            choice, problem = _try_email(
                connection, respondent_id, source, questionnaire_channels, available, links
            )
        else:
            choice, problem = _try(
                channel, source, usable, questionnaire_channels, available, links
            )
        if choice is not None:
            return choice
        problems[channel] = problem
    if not problems:
        return NoChannel("No channel is configured to try.")
    details = "; ".join(f"{channel}: {problem}" for channel, problem in problems.items())
    return NoChannel(f"No usable channel ({details}).")


def best_channel(
    connection: Connection,
    respondent_id: int,
    questionnaire_channels: Collection[str],
    **options: Any,
) -> ChannelChoice | None:
    """`choose_channel` for callers that need no reason."""
    choice = choose_channel(connection, respondent_id, questionnaire_channels, **options)
    return choice if isinstance(choice, ChannelChoice) else None


def _try(
    channel: str,
    source: str,
    usable: dict[str, list[str]],
    allowed: Collection[str],
    available: Collection[str] | None,
    links: bool,
) -> tuple[ChannelChoice | None, str]:
    sms_ready = bool(usable.get("sms")) and (available is None or "sms" in available)
    if channel == "webchat":
        if not links:
            return None, "web chat links are not sent here"
        if "webchat" not in allowed:
            return None, "the questionnaire is not offered in web chat"
        if not sms_ready:
            return None, "a web chat link needs a usable mobile number"
        return ChannelChoice("sms", usable["sms"][0], via_link=True, source=source), ""
    if available is not None and channel not in available:
        return None, "no sender is configured"
    if not usable.get(channel):
        return None, "no identity that has not opted out or been blocked"
    if channel in allowed:
        return ChannelChoice(channel, usable[channel][0], source=source), ""
    if channel == "sms" and "webchat" in allowed and links:
        return ChannelChoice("sms", usable["sms"][0], via_link=True, source=source), ""
    return None, "the questionnaire is not offered on this channel"


def _try_email(
    connection: Connection,
    respondent_id: int,
    source: str,
    allowed: Collection[str],
    available: Collection[str] | None,
    links: bool,
) -> tuple[ChannelChoice | None, str]:
    """An email with a personal web chat link, the only way a survey goes by email."""
    if not links:
        return None, "web chat links are not sent here"
    if "webchat" not in allowed:
        return None, "an email carries a web chat link, and the questionnaire is not offered there"
    if available is not None and EMAIL not in available:
        return None, "no sender is configured"
    address, problem = usable_email(connection, respondent_id)
    if address is None:
        return None, problem
    return ChannelChoice(EMAIL, address, via_link=True, source=source), ""


def _profile_values(connection: Connection, respondent_id: int) -> dict[str, Any]:
    rows = connection.execute(
        select(PROFILE.c.name, PROFILE.c.value).where(
            PROFILE.c.respondent_id == respondent_id,
            PROFILE.c.name.in_([name for name, _ in PREFERENCE_ATTRIBUTES]),
            PROFILE.c.superseded_at.is_(None),
        )
    ).all()
    return {row.name: row.value for row in rows}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _stated(connection: Connection, respondent_id: int) -> list[str]:
    """What the tenant said (`preferred_channel`, one value or several), in stored form."""
    value = _profile_values(connection, respondent_id).get("preferred_channel")
    return [canonical("preferred_channel", item) for item in _as_list(value)]


def _preferences(connection: Connection, respondent_id: int) -> list[tuple[str, str]]:
    values = _profile_values(connection, respondent_id)
    found = []
    for attribute, source in PREFERENCE_ATTRIBUTES:
        for item in _as_list(values.get(attribute)):
            channel = normalise_channel(item)
            if channel is not None:
                found.append((channel, source))
    return found


def _usable_addresses(connection: Connection, respondent_id: int) -> dict[str, list[str]]:
    """Addresses per channel, oldest first, without opted-out or do-not-contact ones."""
    rows = connection.execute(
        select(IDENTITIES.c.channel, IDENTITIES.c.address)
        .outerjoin(
            DNC,
            and_(DNC.c.channel == IDENTITIES.c.channel, DNC.c.address == IDENTITIES.c.address),
        )
        .where(
            IDENTITIES.c.respondent_id == respondent_id,
            IDENTITIES.c.opted_out_at.is_(None),
            IDENTITIES.c.failed_at.is_(None),
            DNC.c.id.is_(None),
        )
        .order_by(IDENTITIES.c.id)
    ).all()
    usable: dict[str, list[str]] = {}
    for row in rows:
        usable.setdefault(row.channel, []).append(row.address)
    return usable
