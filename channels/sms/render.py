"""An outbox message as an SMS: numbered options instead of buttons, and what it costs.

SMS has no buttons, so options become "1 Label" lines under the text (the words and numbers
come from the engine, so every channel says the same thing). Typographic quotes, dashes and
ellipses would force the whole message into UCS-2 (70 characters a part instead of 160), so
with `DOORSTEP_SMS_GSM7_REPLACEMENTS` they are swapped for their GSM-7 look-alikes in
languages written in Latin script, unless that would make the message longer in parts.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.messages import OutboundMessage
from bot.engine.render import Button
from bot.i18n.languages import base_language
from bot.i18n.sms_encoding import MAX_SMS_CHARACTERS, Encoding, sms_cost, to_gsm7_where_possible

# Languages whose text can be GSM-7 at all; the others (Gurmukhi, Urdu and Arabic script,
# Chinese, Bengali) go as UCS-2 whatever we do, so their typography is left as written.
LATIN_SCRIPT_LANGUAGES = frozenset({"en", "cy", "pl", "ro", "pt"})


@dataclass(frozen=True)
class SmsText:
    """The exact text handed to Twilio, with its alphabet and number of parts."""

    body: str
    encoding: Encoding
    segments: int
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)

    @property
    def too_long(self) -> bool:
        return len(self.body) > MAX_SMS_CHARACTERS


def option_lines(body: str, buttons: tuple[Button, ...]) -> list[str]:
    """The "1 Label" lines an SMS needs for these buttons (none if the text has them).

    Yes/no and scale buttons send their own label ("Yes", "3"), which the reply line in the
    text already names, so only options answered by a different reply get a line.
    """
    lines = [f"{button.reply} {button.label}" for button in buttons if button.numbered]
    if lines and all(line in body.splitlines() for line in lines):
        return []  # the language menu lists its options in the text already
    return lines


def sms_body(message: OutboundMessage) -> str:
    return "\n".join([message.body, *option_lines(message.body, message.buttons)])


def render_sms(message: OutboundMessage, *, gsm7_replacements: bool = True) -> SmsText:
    body = sms_body(message)
    cost = sms_cost(body)
    if (
        gsm7_replacements
        and cost.encoding is Encoding.UCS2
        and base_language(message.language) in LATIN_SCRIPT_LANGUAGES
    ):
        plain = to_gsm7_where_possible(body)
        plain_cost = sms_cost(plain)
        if plain_cost.segments <= cost.segments:
            body, cost = plain, plain_cost
    return SmsText(body=body, encoding=cost.encoding, segments=cost.segments, units=cost.units)
