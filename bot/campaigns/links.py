"""An SMS carrying a personal web chat link: how a questionnaire not offered by SMS (or a
tenant who prefers web chat) is reached on a mobile number."""

from __future__ import annotations

import datetime

from sqlalchemy import Connection, insert, select

from bot.campaigns.texts import LINK_INVITATION, LINK_REMINDER
from bot.i18n.languages import base_language
from bot.i18n.translate import translator
from bot.outreach.invites import create_invite, invite_url
from bot.questionnaire.model import Questionnaire
from bot.settings import Settings
from bot.storage.models import OutboundStatus
from bot.storage.tables import OUTBOUND, RESPONDENTS


def tenant_language(
    connection: Connection, respondent_id: int, questionnaire: Questionnaire
) -> str:
    stored = connection.execute(
        select(RESPONDENTS.c.language).where(RESPONDENTS.c.id == respondent_id)
    ).scalar_one_or_none()
    language = base_language(stored) if stored else ""
    return language if language in questionnaire.languages else questionnaire.default_language


def write_link_message(
    connection: Connection,
    settings: Settings,
    questionnaire: Questionnaire,
    *,
    respondent_id: int,
    address: str,
    due: datetime.datetime,
    expires: datetime.datetime,
    now: datetime.datetime,
    reminder: bool = False,
) -> int:
    """A fresh link (only its hash is stored, so a reminder needs a new one) in an SMS
    written to the outbox, due at `due`; returns the outbox row id."""
    token = create_invite(connection, respondent_id, questionnaire.id, expires, now=now)
    language = tenant_language(connection, respondent_id, questionnaire)
    tr = translator(language)
    body = tr(
        LINK_REMINDER if reminder else LINK_INVITATION,
        landlord=settings.landlord_name,
        title=questionnaire.title.get(language).replace("${landlord}", settings.landlord_name),
        minutes=questionnaire.estimated_minutes,
        url=invite_url(settings, token),
    )
    return int(
        connection.execute(
            insert(OUTBOUND)
            .values(
                respondent_id=respondent_id,
                session_id=None,
                in_reply_to=None,
                channel="sms",
                address=address,
                body=body,
                buttons=[],
                multiple=False,
                language=tr.language,
                status=OutboundStatus.PENDING.value,
                attempts=0,
                due_at=max(due, now),
                created_at=now,
            )
            .returning(OUTBOUND.c.id)
        ).scalar_one()
    )
