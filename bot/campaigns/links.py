"""An SMS or an email carrying a personal web chat link: how a questionnaire not offered by
SMS (or a tenant who prefers web chat or email) is reached on a mobile number or a mailbox."""

from __future__ import annotations

import datetime

from sqlalchemy import Connection, insert, select

from bot.campaigns.texts import LINK_INVITATION, LINK_REMINDER
from bot.i18n.languages import base_language
from bot.i18n.translate import translator
from bot.outreach.email_addresses import EMAIL, ensure_identity, unsubscribe_token
from bot.outreach.email_message import Invitation, compose
from bot.outreach.invites import create_invite, invite_url, unsubscribe_url
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
    channel: str = "sms",
) -> int:
    """A fresh link (only its hash is stored, so a reminder needs a new one) in an SMS or
    (`channel="email"`) an email written to the outbox, due at `due`; returns its row id."""
    token = create_invite(connection, respondent_id, questionnaire.id, expires, now=now)
    language = tenant_language(connection, respondent_id, questionnaire)
    tr = translator(language)
    title = questionnaire.title.filled(language, settings.landlord_name)
    if channel == EMAIL:
        identity_id = ensure_identity(connection, respondent_id, address, now)
        unsubscribe = unsubscribe_token(settings, identity_id)
        invitation = Invitation(
            landlord=settings.landlord_name,
            title=title,
            minutes=questionnaire.estimated_minutes,
            url=invite_url(settings, token),
            unsubscribe_url=unsubscribe_url(settings, unsubscribe),
            unsubscribe=unsubscribe,
            brand_colour=settings.brand_colour,
            reminder=reminder,
        )
        body = compose(tr, invitation).to_body()
    else:
        body = tr(
            LINK_REMINDER if reminder else LINK_INVITATION,
            landlord=settings.landlord_name,
            title=title,
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
                channel=channel,
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
