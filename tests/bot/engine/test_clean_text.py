"""What the engine keeps of a message's text: no control characters, a bounded length."""

from __future__ import annotations

import datetime
import random

from bot.engine.messages import MAX_INBOUND_TEXT, InboundMessage, clean_text

CONTROL = {chr(code) for code in [*range(32), 127]} - {"\n", "\t"}


def test_control_characters_go_and_newlines_and_tabs_stay() -> None:
    assert clean_text("REPAIR\x00\x07") == "REPAIR"
    assert clean_text("Line one\nline\ttwo\x1b[0m\x7f") == "Line one\nline\ttwo[0m"
    assert clean_text("Dw i'n hapus 👍 ąę ہاں") == "Dw i'n hapus 👍 ąę ہاں"


def test_random_texts_lose_exactly_their_control_characters() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(chr(rng.randrange(0, 400)) for _ in range(rng.randrange(0, 30)))
        assert clean_text(text) == "".join(char for char in text if char not in CONTROL)


def test_long_texts_are_cut_to_the_limit() -> None:
    assert clean_text("a" * (MAX_INBOUND_TEXT + 10)) == "a" * MAX_INBOUND_TEXT
    assert clean_text("\x00" + "b" * MAX_INBOUND_TEXT) == "b" * MAX_INBOUND_TEXT
    assert clean_text("+44\x0077009", 5) == "+4477"


def test_a_clean_message_is_used_as_it_is_and_a_dirty_one_is_cleaned() -> None:
    now = datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)
    clean = InboundMessage("sms", "+447700900001", "SM1", "yes", now)
    assert clean.cleaned() is clean
    dirty = InboundMessage("sms", "+447700900001\x00", "SM1" + "x" * 200, "ye\x00s", now)
    cleaned = dirty.cleaned()
    assert (cleaned.address, cleaned.text) == ("+447700900001", "yes")
    assert cleaned.provider_id == ("SM1" + "x" * 200)[:128]
