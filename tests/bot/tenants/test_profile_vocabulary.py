"""One vocabulary for profile values: survey answers, imports and filters share one form."""

from __future__ import annotations

import datetime

from sqlalchemy import select

from bot.questionnaire.profile_values import from_profile, to_profile
from bot.service import Service
from bot.storage import migrate
from bot.storage.tables import ANSWERS, PROFILE
from bot.tenants.vocabulary import canonical
from tests.support.campaigns import add_tenant, create, outbox, phone, tick
from tests.support.chat import Chat
from tests.support.services import Clock


def _current(service: Service, respondent_id: int, name: str) -> object:
    with service.database.engine.connect() as connection:
        return connection.execute(
            select(PROFILE.c.value).where(
                PROFILE.c.respondent_id == respondent_id,
                PROFILE.c.name == name,
                PROFILE.c.superseded_at.is_(None),
            )
        ).scalar_one()


def _answer_preferences(chat: Chat) -> None:
    assert "YES" in chat.start("communication_preferences")
    chat.send("yes")  # consent
    chat.send("2")  # preferred channel: option 2 is Telegram
    chat.send("1,3")  # mornings and evenings
    chat.send("1")  # English
    chat.send("no")  # no communication need
    assert "Thank you" in chat.send("1")  # contact frequency: as needed


def test_a_telegram_answer_by_option_number_is_honoured_in_the_next_campaign(
    service: Service, clock: Clock
) -> None:
    tenant = add_tenant(service, "T1", sms=phone(1), telegram="5550001")
    add_tenant(service, "T9", sms=phone(9), attributes={"preferred_channel": "sms"})
    _answer_preferences(Chat(service.engine, address=phone(1)))
    assert _current(service, tenant, "preferred_channel") == "telegram"
    assert _current(service, tenant, "preferred_times") == ["morning", "evening"]
    assert _current(service, tenant, "language") == "en"

    before = len(outbox(service))
    create(service, clock, audience={"attributes": {"preferred_channel": "Telegram"}})
    assert tick(service, clock).invited == 1
    (invitation,) = outbox(service)[before:]
    assert (invitation.channel, invitation.address) == ("telegram", "5550001")


def test_an_imported_name_fills_in_the_answer_as_its_code(service: Service) -> None:
    """A value imported as a name is reused as the questionnaire's answer (an export shows
    it), and the question is not asked again."""
    add_tenant(service, "T2", sms=phone(2), attributes={"preferred_channel": "Telegram"})
    chat = Chat(service.engine, address=phone(2))
    chat.start("communication_preferences")
    assert "best time" in chat.send("yes").lower()  # the channel question is skipped
    with service.database.engine.connect() as connection:
        value, source = connection.execute(
            select(ANSWERS.c.value, ANSWERS.c.channel).where(
                ANSWERS.c.question == "preferred_channel"
            )
        ).one()
    assert (value, source) == (2, "profile")
    question = service.registry.latest("communication_preferences").question("preferred_channel")
    assert from_profile(question, 6) == 6  # a value an older version kept as a code
    assert from_profile(question, "pigeon") is None
    assert to_profile(question, 6) == "letter"


def test_typed_values_are_read_in_the_stored_form() -> None:
    assert canonical("preferred_channel", "Web chat") == "web_chat"
    assert canonical("preferred_channel", "WhatsApp") == "whatsapp"
    assert canonical("language", "Welsh") == "cy"
    assert canonical("preferred_times", ["Evening", "weekend"]) == ["evening", "weekend"]
    assert canonical("tenure", "LCRA") == "low_cost_rental"
    assert canonical("area", "North") == "North"


def test_the_migration_turns_stored_survey_codes_into_names(service: Service) -> None:
    tenant = add_tenant(service, "T4", sms=phone(4), attributes={"tenure": "low_cost_rental"})
    engine = service.database.engine
    rows = [
        ("preferred_channel", 2, "questionnaire:communication_preferences:1.1"),
        ("preferred_times", [1, 3], "questionnaire:communication_preferences:1.1"),
        ("household_size", 3, "questionnaire:tenant_profile:1.0"),
        ("area", "North", "import"),
    ]
    with engine.begin() as connection:
        for name, value, source in rows:
            connection.execute(
                PROFILE.insert().values(
                    respondent_id=tenant, name=name, value=value, source=source,
                    recorded_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
                )
            )  # fmt: skip
    migrate.downgrade(engine, "0001")
    assert _current(service, tenant, "preferred_channel") == 2
    migrate.upgrade(engine)
    assert _current(service, tenant, "preferred_channel") == "telegram"
    assert _current(service, tenant, "preferred_times") == ["morning", "evening"]
    assert _current(service, tenant, "household_size") == 3
    assert _current(service, tenant, "area") == "North"
    assert _current(service, tenant, "tenure") == "low_cost_rental"
