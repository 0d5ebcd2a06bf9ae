"""WhatsApp's approved Content templates: which one a message goes as, and its variables.

WhatsApp lets a business write freely only within 24 hours of the tenant's last message.
Outside that window, and for every invitation and reminder, a message goes as an approved
template (`ContentSid` plus `ContentVariables`). Templates are approved per language, so
`DOORSTEP_WHATSAPP_TEMPLATES` maps each purpose and language to a Content SID:

    {"invitation": {"en": "HX…", "cy": "HX…"}, "reminder": {"en": "HX…"}, "reopen": {"en": "HX…"}}

A language without its own template falls back to the English one; a purpose without any
is not sent, and the outbox row says so in a sentence an officer reads.

Every template has the same two variables: {{1}} the landlord's name and {{2}} the message
the conversation would have sent (the consent question, the question being reminded of),
on one line, since WhatsApp refuses line breaks in a variable. `TEMPLATE_TEXTS` are the
texts to submit for approval; `doorstep whatsapp templates` prints them in every language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.engine.messages import OutboundMessage
from bot.i18n.texts import N_
from channels.sms.render import option_lines

FALLBACK_LANGUAGE = "en"
MAX_VARIABLE = 900  # WhatsApp allows 1,024 characters in a template body, text included
_SPACES = re.compile(r"\s+")

TEMPLATE_TEXTS = {
    "invitation": N_(
        "Hello, this is {{1}} about your home. {{2}} You can reply STOP at any time to stop "
        "these messages."
    ),
    "reminder": N_(
        "A reminder from {{1}}: we would still like to hear from you. {{2}} Reply STOP to stop "
        "these messages."
    ),
    "reopen": N_("{{1}} has a question waiting for you. {{2}} Reply STOP to stop these messages."),
}
PURPOSE_NAMES = {"invitation": "invitations", "reminder": "reminders", "reopen": "re-openings"}


@dataclass(frozen=True)
class Template:
    purpose: str
    language: str
    content_sid: str


class NoTemplate(Exception):
    """No approved template for this purpose: the message cannot go outside the window."""


@dataclass(frozen=True)
class TemplateBook:
    templates: Mapping[str, Mapping[str, str]]

    def choose(self, purpose: str, language: str) -> Template:
        """The template for this purpose in this language, else in English."""
        by_language = self.templates.get(purpose) or {}
        for candidate in (language, language.split("-")[0], FALLBACK_LANGUAGE):
            sid = by_language.get(candidate)
            if sid:
                return Template(purpose, candidate, sid)
        raise NoTemplate(
            f"no WhatsApp template is configured for {PURPOSE_NAMES.get(purpose, purpose)} "
            "(DOORSTEP_WHATSAPP_TEMPLATES), so the message was not sent"
        )


def one_line(message: OutboundMessage) -> str:
    """The message and its numbered options as one line (a template variable's rules)."""
    lines = [message.body, *option_lines(message.body, message.buttons)]
    text = _SPACES.sub(" ", " ".join(line.strip() for line in lines if line.strip())).strip()
    if len(text) > MAX_VARIABLE:
        text = text[: MAX_VARIABLE - 1].rstrip() + "…"
    return text


def variables(message: OutboundMessage, landlord: str) -> dict[str, str]:
    return {"1": _SPACES.sub(" ", landlord).strip(), "2": one_line(message)}
