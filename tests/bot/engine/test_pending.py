"""The pending state is a typed value, stored as the same strings as before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.engine.contacts import find_contact, switch_language
from bot.engine.turn.context import Pending
from bot.service import Service
from bot.storage.models import Session
from tests.support.chat import Chat


@pytest.mark.parametrize(
    ("stored", "pending"),
    [
        (None, None),
        ("", None),
        ("language", Pending.LANGUAGE),
        ("bilingual", Pending.BILINGUAL_CONSENT),
        ("sensitive:health", Pending.SENSITIVE_CONSENT),
        ("no-such-state", None),
    ],
)
def test_stored_values_read_as_pending_states(stored: str | None, pending: Pending | None) -> None:
    assert Pending.from_column(stored) is pending


def test_pending_states_are_stored_as_before() -> None:
    assert Pending.LANGUAGE.column(None) == "language"
    assert Pending.BILINGUAL_CONSENT.column(None) == "bilingual"
    assert Pending.SENSITIVE_CONSENT.column("ethnicity") == "sensitive:ethnicity"


def stored_pending(service: Service) -> str | None:
    with service.database.sessions() as session:
        return session.scalars(select(Session.pending)).one()


def test_a_language_menu_is_closed_by_a_choice_made_elsewhere(service: Service) -> None:
    chat = Chat(service.engine, channel="webchat", address="page-1")
    chat.send("REPAIR")
    chat.send("LANGUAGE")
    assert stored_pending(service) == "language"
    now = service.engine.clock()
    with service.database.engine.connect() as connection, connection.begin():
        assert switch_language(connection, "webchat", "page-1", "cy", now)
        contact = find_contact(connection, "webchat", "page-1")
    assert stored_pending(service) is None
    assert contact is not None and contact.session_language == "cy"
    assert contact.session_id is not None and not contact.opted_out
