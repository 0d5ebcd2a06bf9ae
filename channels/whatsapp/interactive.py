"""Choices as WhatsApp buttons: quick replies (up to 3) or a list picker (up to 10).

Inside the 24-hour window a question with a few options goes as interactive content, so
the tenant can tap as well as type. Twilio sends such content by its `ContentSid`, so each
set of buttons (in one language) is created once through the Content API and its SID kept
for this process; the question's own text is the content's one variable, {{1}}, so one
content serves every wording of the question. Where WhatsApp's limits do not fit (more
than ten options, a label longer than a button allows, several answers at once) the
options stay numbered text, as by SMS. Either way the words say "Reply with a number"
and the buttons show the number, so tapping and typing are the same answer: a tap comes
back with the button's id (`ButtonPayload`), which is the reply the engine expects.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from twilio.rest.content.v1.content import ContentList

from bot.engine.messages import OutboundMessage
from bot.i18n.texts import CHAT_CHOOSE_ANSWER
from bot.i18n.translate import translator

QUICK_REPLIES = 3
QUICK_REPLY_TITLE = 20  # characters WhatsApp shows on a quick-reply button
LIST_ITEMS = 10
LIST_ITEM_TITLE = 24  # characters of a list-picker item
LIST_BUTTON = 20  # characters of the button that opens the list
MAX_BODY = 1024  # characters of the text above the buttons


@dataclass(frozen=True)
class Choices:
    """One set of buttons in one language: what a content resource is created for."""

    kind: str  # "twilio/quick-reply" or "twilio/list-picker"
    language: str
    options: tuple[tuple[str, str], ...]  # (id the tap sends back, title shown)
    button: str = ""  # the list picker's "open the list" words

    @property
    def friendly_name(self) -> str:
        digest = hashlib.sha256(repr(self).encode()).hexdigest()[:16]
        return f"doorstep_{self.kind.split('/')[1].replace('-', '_')}_{self.language}_{digest}"

    def types(self) -> dict[str, Any]:
        if self.kind == "twilio/quick-reply":
            actions = [{"id": reply, "title": title} for reply, title in self.options]
            return {"twilio/quick-reply": {"body": "{{1}}", "actions": actions}}
        items = [{"id": reply, "item": title, "description": ""} for reply, title in self.options]
        return {"twilio/list-picker": {"body": "{{1}}", "button": self.button, "items": items}}


def choices_for(message: OutboundMessage) -> Choices | None:
    """The buttons this message can carry on WhatsApp, or None for numbered text."""
    if message.multiple or len(message.body) > MAX_BODY:
        return None
    answers = [button for button in message.buttons if not button.command]
    if not answers:
        return None
    options = tuple(
        (button.reply, f"{button.reply} {button.label}" if button.numbered else button.label)
        for button in answers
    )
    longest = max(len(title) for _, title in options)
    if len(options) <= QUICK_REPLIES and longest <= QUICK_REPLY_TITLE:
        return Choices("twilio/quick-reply", message.language, options)
    if len(options) <= LIST_ITEMS and longest <= LIST_ITEM_TITLE:
        words = translator(message.language).for_channel("whatsapp")(CHAT_CHOOSE_ANSWER)
        return Choices("twilio/list-picker", message.language, options, words[:LIST_BUTTON])
    return None


class ContentBook:
    """The content SIDs this process created, by set of buttons (the API is asked once)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._sids: dict[Choices, str] = {}
        self._lock = threading.Lock()

    def sid(self, choices: Choices) -> str:
        """Runs in a worker thread: creating content is a blocking REST call."""
        with self._lock:
            known = self._sids.get(choices)
            if known is not None:
                return known
            request = ContentList.ContentCreateRequest(
                {
                    "friendly_name": choices.friendly_name,
                    "language": choices.language,
                    "variables": {"1": "question"},
                    "types": choices.types(),
                }
            )
            created = self.client.content.v1.contents.create(content_create_request=request)
            self._sids[choices] = str(created.sid)
            return self._sids[choices]
