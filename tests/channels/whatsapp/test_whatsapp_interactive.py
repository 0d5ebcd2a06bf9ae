"""Which choices WhatsApp can show as buttons, within its limits."""

from __future__ import annotations

from bot.engine.messages import OutboundMessage
from bot.engine.render import Button
from channels.whatsapp.interactive import choices_for


def message(*labels: str, multiple: bool = False, language: str = "en") -> OutboundMessage:
    buttons = tuple(Button(str(n), label) for n, label in enumerate(labels, start=1))
    return OutboundMessage(1, "whatsapp", "+447700900456", "Which?", language, buttons, multiple)


def test_up_to_three_short_options_are_quick_replies_with_their_numbers() -> None:
    found = choices_for(message("Yes, fully", "Partly", "No"))
    assert found is not None and found.kind == "twilio/quick-reply"
    assert found.options == (("1", "1 Yes, fully"), ("2", "2 Partly"), ("3", "3 No"))


def test_up_to_ten_options_are_a_list_picker_opened_by_words_in_the_tenants_language() -> None:
    found = choices_for(message(*(f"Option {n}" for n in range(10)), language="cy"))
    assert found is not None and found.kind == "twilio/list-picker"
    assert len(found.options) == 10 and found.button and len(found.button) <= 20
    assert found.button != "Choose an answer"  # Welsh words, from the catalog
    assert found.types()["twilio/list-picker"]["items"][0] == {
        "id": "1", "item": "1 Option 0", "description": "",
    }  # fmt: skip


def test_numbered_text_where_whatsapp_has_no_buttons_for_it() -> None:
    assert choices_for(message(*(f"Option {n}" for n in range(11)))) is None  # too many
    assert choices_for(message("Neither satisfied nor dissatisfied", "No")) is None  # too long
    assert choices_for(message("Gas", "Water", multiple=True)) is None  # several answers
    assert choices_for(message()) is None
    skip_only = OutboundMessage(
        1, "whatsapp", "+44", "Text?", "en", (Button("SKIP", "Skip", True),)
    )
    assert choices_for(skip_only) is None  # commands are words in the text, never buttons


def test_one_content_per_set_of_buttons_and_language() -> None:
    first = choices_for(message("Yes", "No"))
    again = choices_for(message("Yes", "No"))
    welsh = choices_for(message("Yes", "No", language="cy"))
    assert first == again and first is not None and welsh is not None
    assert first.friendly_name == again.friendly_name != welsh.friendly_name
