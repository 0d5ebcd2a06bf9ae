"""`doorstep campaign create --dry-run`: the pre-launch estimate, printed; nothing stored."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bot.campaigns.estimate import KIND_NAMES, Estimate, estimate_campaign
from bot.campaigns.spec import CampaignSpec
from bot.service import Service
from bot.storage.models import utcnow
from channels.registry import build_channels


def compute(service: Service, spec: CampaignSpec) -> Estimate:
    """The estimate with the channels this configuration can send on."""
    questionnaire = service.registry.latest(spec.questionnaire)
    available = list(build_channels(service.settings).senders())
    with service.database.engine.connect() as connection:
        return estimate_campaign(
            connection, questionnaire, spec, service.settings, utcnow(), available=available
        )


def show(out: Console, spec: CampaignSpec, found: Estimate) -> None:
    out.print(f"Estimate for {spec.name!r} (nothing was stored):", markup=False)
    out.print(
        f"  {found.population} tenants in the audience; {found.sample} invited "
        f"({found.sample_note}).",
        markup=False,
    )
    if found.responses_needed is not None:
        out.print(f"  {found.responses_needed} responses needed.", markup=False)
    for kind, count in found.channels.items():
        out.print(f"  {KIND_NAMES.get(kind, kind)}: {count} invitations", markup=False)
    if found.languages:
        table = Table("Language", "Invitations", "Parts each", "Encoding", "Parts")
        for item in found.languages:
            table.add_row(
                f"{item.name} ({item.code})",
                str(item.invitations),
                str(item.parts_each),
                item.encoding,
                str(item.parts),
            )
        out.print(table)
    cost = f"{found.cost:.2f} {found.currency}" if found.priced else "no prices are set"
    out.print(f"  SMS parts: {found.sms_parts}; cost: {cost}.", markup=False)
    if found.finishes_at is not None:
        minutes = round(found.sending_minutes)
        out.print(
            f"  Sending takes about {minutes} minutes at the set rates; the last invitation "
            f"goes by {found.finishes_at:%Y-%m-%d %H:%M} UTC"
            f"{'' if found.fits else ', after the campaign ends'}.",
            markup=False,
        )
    for reason, count in found.unreachable.items():
        out.print(f"  Cannot be reached ({count}): {reason}", markup=False)
    for wants, count in found.offline.items():
        out.print(f"  Asked for {'a letter' if wants == 'letter' else 'a call'}: {count}")
