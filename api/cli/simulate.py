"""`doorstep simulate`: a conversation in the terminal through the same engine and storage."""

from __future__ import annotations

import datetime
import uuid

from rich.console import Console
from sqlalchemy import update

from bot.engine.contacts import find_contact, switch_language
from bot.engine.engine import SessionAlreadyOpen
from bot.engine.messages import InboundMessage, OutboundMessage
from bot.i18n.languages import LANGUAGES
from bot.questionnaire.model import Questionnaire
from bot.service import Service, build_service
from bot.storage.models import OutboundRecord, OutboundStatus, table

CHANNEL = "terminal"
console = Console(highlight=False)


def _show(messages: list[OutboundMessage]) -> None:
    for message in messages:
        console.print(f"[bold cyan]Doorstep:[/] {message.body}")
        if message.buttons:
            console.print(
                "  " + "   ".join(f"[{button.reply}] {button.label}" for button in message.buttons)
            )


def run_simulation(questionnaire_id: str, *, language: str | None, address: str) -> None:
    service = build_service()
    try:
        questionnaire = service.registry.latest(questionnaire_id)
    except KeyError as error:
        console.print(f"[red]{error.args[0]}[/]")
        raise SystemExit(1) from None
    console.print(
        f"Simulating [bold]{questionnaire.id}[/] {questionnaire.version} on "
        f"{service.settings.database_url}. Type your replies; Ctrl-D or an empty line ends."
    )
    try:
        messages = service.engine.start(
            channel=CHANNEL,
            address=address,
            questionnaire_id=questionnaire.id,
            language=language,
        )
    except SessionAlreadyOpen:
        messages = _resume(service, questionnaire, language=language, address=address)
    while True:
        _mark_displayed(service, messages)
        _show(messages)
        try:
            text = input("You: ")
        except EOFError:
            break
        if not text.strip():
            break
        inbound = InboundMessage(
            channel=CHANNEL,
            address=address,
            provider_id=uuid.uuid4().hex,
            text=text,
            received_at=datetime.datetime.now(datetime.UTC),
            locale_hint=language,
        )
        messages = service.engine.handle(inbound)
    console.print("Conversation saved. Run it again to resume where you left off.")


def _resume(
    service: Service, questionnaire: Questionnaire, *, language: str | None, address: str
) -> list[OutboundMessage]:
    """Carry on the unfinished conversation, in the language asked for when it has one."""
    note = "You have an unfinished conversation; carrying on where you left off"
    if language is not None:
        with service.database.engine.begin() as connection:
            contact = find_contact(connection, CHANNEL, address)
            current = contact.session_language if contact is not None else None
            if language not in questionnaire.languages:
                note += f" in {current}: {questionnaire.id} has no text in {language!r}"
            elif current != language:
                now = datetime.datetime.now(datetime.UTC)
                switch_language(connection, CHANNEL, address, language, now)
                note += f", now in {_language_name(language)}"
    console.print(note + ".", markup=False)
    return service.engine.remind(channel=CHANNEL, address=address)


def _language_name(code: str) -> str:
    language = LANGUAGES.get(code)
    return language.english_name if language is not None else code


def _mark_displayed(service: Service, messages: list[OutboundMessage]) -> None:
    """The terminal shows replies itself: mark them so no dispatcher ever sends them."""
    ids = [message.id for message in messages]
    if not ids:
        return
    with service.database.engine.begin() as connection:
        connection.execute(
            update(table(OutboundRecord))
            .where(table(OutboundRecord).c.id.in_(ids))
            .values(status=OutboundStatus.DISPLAYED.value)
        )
