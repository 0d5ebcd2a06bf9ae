"""Opening cases from answers: the property link, the nation, the row, and the tenant's reply.

The clock starts when the answer arrived. The case keeps a copy of the home's estate, area
and postcode, so the duty to act outlives the tenant's personal data (erasure keeps an open
case, anonymised). The tenant is told, in their language, who will contact them and by
when; an anonymous respondent is told that nobody can.
"""

from __future__ import annotations

import datetime

from babel.dates import format_date
from sqlalchemy import Connection, insert, select

from bot.concerns.deadlines import LONDON, deadlines, nation_of, next_due
from bot.concerns.detect import Finding
from bot.concerns.models import ConcernStatus
from bot.i18n import texts
from bot.i18n.translate import Translator
from bot.storage.tables import CONCERNS, PROFILE

PROPERTY_ATTRIBUTES = ("estate", "area", "postcode")  # the home, not the person
NATION_ATTRIBUTE = "nation"


def _profile(connection: Connection, respondent_id: int) -> dict[str, str]:
    rows = connection.execute(
        select(PROFILE.c.name, PROFILE.c.value).where(
            PROFILE.c.respondent_id == respondent_id,
            PROFILE.c.name.in_((*PROPERTY_ATTRIBUTES, NATION_ATTRIBUTE)),
            PROFILE.c.superseded_at.is_(None),
        )
    ).all()
    return {row.name: str(row.value) for row in rows if row.value not in (None, "")}


def home_of(connection: Connection, respondent_id: int) -> tuple[str | None, str]:
    """The property link ("Riverside, North, AB1 2CD") and the nation whose bank holidays
    count: the profile's `nation` if known, else one named in the area, else England."""
    known = _profile(connection, respondent_id)
    parts = [known[name] for name in PROPERTY_ATTRIBUTES if name in known]
    nation = nation_of(known.get(NATION_ATTRIBUTE))
    if NATION_ATTRIBUTE not in known:
        area = known.get("area", "").lower()
        nation = next((n for n in ("wales", "scotland") if n in area), nation)
        nation = "wales" if "cymru" in area else nation
    return (", ".join(parts)[:300] or None), nation


def open_cases(
    connection: Connection,
    findings: list[Finding],
    *,
    respondent_id: int,
    session_id: int,
    questionnaire_id: str,
    question: str,
    now: datetime.datetime,
) -> datetime.datetime | None:
    """One case per finding; returns when the tenant will be contacted at the latest."""
    if not findings:
        return None
    property_ref, nation = home_of(connection, respondent_id)
    for found in findings:
        connection.execute(
            insert(CONCERNS).values(
                respondent_id=respondent_id,
                session_id=session_id,
                questionnaire_id=questionnaire_id,
                question=question,
                reason=found.reason[:200],
                raised_at=now,
                status=ConcernStatus.OPEN.value,
                category=found.category.value,
                severity=found.severity.value,
                nation=nation,
                property_ref=property_ref,
            )
        )
    dues = [next_due(deadlines(found.severity, now, nation, {})) for found in findings]
    return min((due for due in dues if due is not None), default=None)


def acknowledgement(
    tr: Translator, landlord: str, contact_by: datetime.datetime | None, anonymous: bool
) -> str:
    """What the tenant hears back, in their language (`tr` is their translator)."""
    if anonymous or contact_by is None:
        return tr(texts.CASE_ACK_ANONYMOUS, landlord=landlord)
    language = tr.language
    day = contact_by.astimezone(LONDON).date()
    try:
        shown = format_date(day, "long", locale=language if language != "en" else "en_GB")
    except (ValueError, LookupError):
        shown = format_date(day, "long", locale="en_GB")
    return tr(texts.CASE_ACK, landlord=landlord, date=shown)
