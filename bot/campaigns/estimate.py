"""What a campaign would do before it is launched: who it reaches, on which channel, how many
SMS parts in each language, what that costs and how long sending takes inside the allowed
hours, and who cannot be reached and why. The console and `doorstep campaign create
--dry-run` both show it.

It runs the same audience, sample and channel choice as the campaign itself, without writing
anything. SMS parts are counted on the invitation's real text in each tenant's language: one
Welsh ŵ or any Urdu letter sends the whole message as UCS-2 (70 characters a part, not 160).
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Connection

from bot.campaigns.audience import select_targets
from bot.campaigns.links import tenant_language
from bot.campaigns.offline import offline_preferences
from bot.campaigns.pacing import rate_per_second
from bot.campaigns.sampling import random_sample, sample_size, tsm_margin
from bot.campaigns.spec import CampaignSpec
from bot.campaigns.texts import LINK_INVITATION
from bot.engine.render import opening_text, sms_prompt
from bot.i18n.languages import LANGUAGES
from bot.i18n.sms_encoding import Encoding, sms_cost, to_gsm7_where_possible
from bot.i18n.translate import translator
from bot.outreach.channel_choice import ChannelChoice, choose_channel
from bot.outreach.invites import TOKEN_BYTES, invite_url
from bot.outreach.quiet_hours import zone
from bot.questionnaire.model import Questionnaire
from bot.settings import Settings

KIND_NAMES = {
    "sms": "SMS questions",
    "webchat_link": "SMS with a web chat link",
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "email": "Email with a web chat link",
}
Key = TypeVar("Key", str, tuple[str, bool])
CHANNEL_SAMPLE = 2000
_TOKEN_LENGTH = math.ceil(TOKEN_BYTES * 4 / 3)  # a urlsafe base64 token without padding


@dataclass(frozen=True)
class LanguageParts:
    """SMS invitations in one language and what each costs in parts."""

    code: str
    name: str  # in its own script
    invitations: int
    parts_each: int  # the invitation
    conversation_parts: int  # the invitation and every question by SMS, answered fully
    encoding: str  # "GSM-7" or "UCS-2"
    forcing: str  # characters that force UCS-2

    @property
    def parts(self) -> int:
        return self.invitations * self.parts_each


@dataclass
class Estimate:
    population: int = 0
    sample: int = 0
    sample_note: str = ""
    responses_needed: int | None = None
    channels: dict[str, int] = field(default_factory=dict)  # kind -> invitations
    languages: list[LanguageParts] = field(default_factory=list)
    unreachable: dict[str, int] = field(default_factory=dict)  # reason -> tenants
    offline: dict[str, int] = field(default_factory=dict)  # "letter"/"phone" -> tenants
    sms_parts: int = 0
    cost: float = 0.0
    currency: str = "GBP"
    priced: bool = False
    sending_minutes: float = 0.0
    finishes_at: datetime.datetime | None = None
    fits: bool = True  # sending ends before the campaign does
    scaled_from: int | None = None  # channels worked out for this many tenants, then scaled

    @property
    def invitations(self) -> int:
        return sum(self.channels.values())

    @property
    def unreachable_count(self) -> int:
        return sum(self.unreachable.values())


def estimate_campaign(
    connection: Connection,
    questionnaire: Questionnaire,
    spec: CampaignSpec,
    settings: Settings,
    now: datetime.datetime,
    *,
    available: Collection[str] | None,
) -> Estimate:
    """The estimate for `spec` as it stands now (nothing is written)."""
    selection = select_targets(connection, spec.audience, spec.sample, spec.seed, now)
    chosen = [respondent_id for respondent_id, _ in selection.chosen]
    result = Estimate(
        population=selection.population,
        sample=len(chosen),
        sample_note=selection.sample_note,
        responses_needed=_responses_needed(spec, selection.population),
        currency=settings.price_currency,
    )
    sms_languages: Counter[tuple[str, bool]] = Counter()
    channel_counts: Counter[str] = Counter()
    unreachable: Counter[str] = Counter()
    looked_at = chosen
    if len(chosen) > CHANNEL_SAMPLE:  # a channel choice is a few queries: sample, then scale
        looked_at = random_sample(chosen, CHANNEL_SAMPLE, spec.seed)
        result.scaled_from = len(looked_at)
    for respondent_id in looked_at:
        choice = choose_channel(
            connection,
            respondent_id,
            questionnaire.channels,
            policy=spec.channels,
            use_preferences=spec.use_preferences,
            available=available,
            settings=settings,
        )
        if not isinstance(choice, ChannelChoice):
            unreachable[choice.reason] += 1
            continue
        channel_counts[choice.kind] += 1
        if choice.channel == "sms":
            language = tenant_language(connection, respondent_id, questionnaire)
            sms_languages[(language, choice.via_link)] += 1
    scale = len(chosen) / len(looked_at) if looked_at else 1.0
    sms_languages = _scaled(sms_languages, scale)
    result.channels = dict(_scaled(channel_counts, scale).most_common())
    result.unreachable = dict(_scaled(unreachable, scale).most_common())
    result.offline = dict(Counter(offline_preferences(connection, chosen).values()))
    result.languages = _language_parts(questionnaire, settings, sms_languages)
    result.sms_parts = sum(language.parts for language in result.languages)
    _price(result, settings)
    _timing(result, spec, settings)
    return result


def _scaled(counts: Counter[Key], scale: float) -> Counter[Key]:
    return Counter({key: round(count * scale) for key, count in counts.items()})


def _responses_needed(spec: CampaignSpec, population: int) -> int | None:
    sample = spec.sample
    if sample is None or sample.margin is None or population == 0:
        return None
    margin = tsm_margin(population) if sample.margin == "tsm" else float(sample.margin)
    return sample_size(population, margin, sample.confidence)


def _invitation(questionnaire: Questionnaire, settings: Settings, language: str, link: bool) -> str:
    if not link:
        return opening_text(questionnaire, settings, language)
    landlord = settings.landlord_name
    return translator(language)(
        LINK_INVITATION,
        landlord=landlord,
        title=questionnaire.title.filled(language, landlord),
        minutes=questionnaire.estimated_minutes,
        url=invite_url(settings, "x" * _TOKEN_LENGTH),
    )


def _parts(text: str, settings: Settings) -> tuple[int, str, str]:
    if settings.sms_gsm7_replacements:
        text = to_gsm7_where_possible(text)
    cost = sms_cost(text)
    forcing = "".join(cost.non_gsm_characters[:12]) if cost.encoding is Encoding.UCS2 else ""
    return cost.segments, cost.encoding.value, forcing


def _language_parts(
    questionnaire: Questionnaire, settings: Settings, counts: Counter[tuple[str, bool]]
) -> list[LanguageParts]:
    merged: dict[str, LanguageParts] = {}
    for (code, link), invitations in sorted(counts.items()):
        each, encoding, forcing = _parts(_invitation(questionnaire, settings, code, link), settings)
        conversation = each
        if not link:  # the questions follow by SMS too
            conversation += sum(
                _parts(sms_prompt(q, code, settings.landlord_name), settings)[0]
                for q in questionnaire.questions
                if q.answerable
            )
        language = LANGUAGES.get(code)
        found = LanguageParts(
            code,
            language.native_name if language else code,
            invitations,
            each,
            conversation,
            encoding,
            forcing,
        )
        earlier = merged.get(code)
        if earlier is not None:  # links and questions in one language: the dearer one shown
            found = LanguageParts(
                code,
                found.name,
                earlier.invitations + invitations,
                max(earlier.parts_each, each),
                max(earlier.conversation_parts, conversation),
                encoding if each >= earlier.parts_each else earlier.encoding,
                earlier.forcing or forcing,
            )
        merged[code] = found
    return sorted(merged.values(), key=lambda item: (-item.invitations, item.code))


def _price(result: Estimate, settings: Settings) -> None:
    result.priced = settings.sms_price_per_part > 0 or settings.price_per_message > 0
    result.cost = round(
        result.sms_parts * settings.sms_price_per_part
        + result.invitations * settings.price_per_message,
        2,
    )


def _timing(result: Estimate, spec: CampaignSpec, settings: Settings) -> None:
    """Channels send side by side, each at its rate, only inside the allowed hours."""
    seconds = 0.0
    by_channel: Counter[str] = Counter()
    for kind, count in result.channels.items():
        by_channel["sms" if kind == "webchat_link" else kind] += count
    for channel, count in by_channel.items():
        rate = rate_per_second(channel, spec.send_rate_per_minute, settings)
        if rate > 0:
            seconds = max(seconds, count / rate)
    result.sending_minutes = seconds / 60
    if not by_channel:
        return
    result.finishes_at = _finish(spec, seconds)
    result.fits = result.finishes_at is not None and result.finishes_at <= (
        spec.ends_at or result.finishes_at
    )


def _finish(spec: CampaignSpec, seconds: float) -> datetime.datetime | None:
    """When `seconds` of sending is done, counting only allowed days and hours."""
    hours = spec.quiet_hours()
    tz = zone(spec.timezone)
    left = datetime.timedelta(seconds=seconds)
    day = spec.starts_at.astimezone(tz).date()
    for offset in range(3660):
        today = day + datetime.timedelta(days=offset)
        if today.weekday() not in hours.days:
            continue
        opens = datetime.datetime.combine(today, hours.start, tz)
        closes = datetime.datetime.combine(today, hours.end, tz)
        opens = max(opens, spec.starts_at.astimezone(tz))
        if closes <= opens:
            continue
        if closes - opens >= left:
            return (opens + left).astimezone(datetime.UTC)
        left -= closes - opens
    return None
