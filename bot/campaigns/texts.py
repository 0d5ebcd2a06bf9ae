"""The campaign messages a tenant sees that no questionnaire holds: web chat link SMS.

Marked for the gettext catalogs (`doorstep i18n extract` collects them from here).
Translators: keep the {url} placeholder whole; the link must stay on one line.
"""

from __future__ import annotations

from bot.i18n.texts import N_

LINK_INVITATION = N_(
    "{landlord} would like your views: {title}. It takes about {minutes} minutes. "
    "Answer here: {url} Reply STOP to opt out."
)
LINK_REMINDER = N_(
    "A reminder from {landlord}: we would still like your views ({title}). "
    "Answer here: {url} Reply STOP to opt out."
)
