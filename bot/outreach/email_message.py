"""The invitation email: subject, plain text and accessible HTML in the tenant's language.

The outbox holds it as JSON in `body` (subject, text, html, unsubscribe token), so the
email channel only wraps and sends it. The HTML is written for screen readers and small
screens: `lang` and `dir` on the root, real text (no images), one link whose words say
where it goes, the landlord's colour behind white text (checked for 4.5:1 at start-up).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from html import escape

from bot.i18n.texts import N_, NP_
from bot.i18n.translate import Translator

RIGHT_TO_LEFT = frozenset({"ar", "ur", "fa", "he", "ps", "ckb"})

# Translators: {title} is the survey's name; {landlord} the landlord's; keep them whole.
EMAIL_SUBJECT = N_("{landlord} would like your views: {title}")
EMAIL_REMINDER_SUBJECT = N_("A reminder from {landlord}: {title}")
EMAIL_INTRO = NP_(
    "{landlord} would like to hear what you think: {title}. It takes about {count} minute.",
    "{landlord} would like to hear what you think: {title}. It takes about {count} minutes.",
)
EMAIL_REMINDER_INTRO = NP_(
    "We would still like to hear what you think: {title}. It takes about {count} minute.",
    "We would still like to hear what you think: {title}. It takes about {count} minutes.",
)
EMAIL_START = N_("Start the survey")
EMAIL_LINK_HINT = N_("If the button does not work, copy this address into your browser:")
EMAIL_WHY = N_("You are getting this email because you are a tenant of {landlord}.")
EMAIL_STOP = N_("Stop survey emails to this address")
# The unsubscribe page (`/email/unsubscribe/...`).
UNSUBSCRIBE_ASK = N_("Press the button to stop survey emails from {landlord} to this address.")
UNSUBSCRIBE_DONE = N_("Done: {landlord} will not send survey emails to this address again.")
UNSUBSCRIBE_INVALID = N_(
    "This unsubscribe link is not valid. Check that the whole link was copied."
)


# Inline styles (mail programs drop <style>): dark text on white, white on the brand colour.
_BODY = (
    "margin:0;padding:0;background:#ffffff;color:#1a1a1a;"
    "font-family:Arial,sans-serif;font-size:18px;line-height:1.5"
)
_HEADER = "margin:0;padding:16px;color:#ffffff;font-size:22px;font-weight:bold;"
_BUTTON = (
    "display:inline-block;padding:12px 20px;color:#ffffff;"
    "font-weight:bold;text-decoration:underline;"
)
_LINK = "color:#0b4f8a;text-decoration:underline"


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str
    unsubscribe: str  # the signed token for List-Unsubscribe; never logged

    def to_body(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_body(cls, body: str) -> EmailContent:
        data = json.loads(body)
        return cls(**{key: str(data[key]) for key in ("subject", "text", "html", "unsubscribe")})


@dataclass(frozen=True)
class Invitation:
    landlord: str
    title: str
    minutes: int
    url: str  # the personal web chat link
    unsubscribe_url: str
    unsubscribe: str
    brand_colour: str
    reminder: bool = False


def compose(tr: Translator, invitation: Invitation) -> EmailContent:
    names = {"landlord": invitation.landlord, "title": invitation.title}
    subject = tr(EMAIL_REMINDER_SUBJECT if invitation.reminder else EMAIL_SUBJECT, **names)
    intro = tr.plural(
        EMAIL_REMINDER_INTRO if invitation.reminder else EMAIL_INTRO, invitation.minutes, **names
    )
    start, hint = tr(EMAIL_START), tr(EMAIL_LINK_HINT)
    why, stop = tr(EMAIL_WHY, **names), tr(EMAIL_STOP)
    text = "\n\n".join(
        [intro, f"{start}: {invitation.url}", f"{why}\n{stop}: {invitation.unsubscribe_url}"]
    )
    return EmailContent(
        subject=subject,
        text=text + "\n",
        html=_html(tr.language, invitation, subject, intro, start, hint, why, stop),
        unsubscribe=invitation.unsubscribe,
    )


def _html(
    language: str,
    invitation: Invitation,
    subject: str,
    intro: str,
    start: str,
    hint: str,
    why: str,
    stop: str,
) -> str:
    direction = "rtl" if language in RIGHT_TO_LEFT else "ltr"
    brand = escape(invitation.brand_colour)
    url, unsubscribe_url = escape(invitation.url), escape(invitation.unsubscribe_url)
    header = f"{_HEADER}background:{brand}"
    button = f"{_BUTTON}background:{brand}"
    return f"""<!DOCTYPE html>
<html lang="{escape(language)}" dir="{direction}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{escape(subject)}</title></head>
<body style="{_BODY}">
<div role="article" aria-label="{escape(subject)}" style="max-width:600px;margin:0 auto">
<p style="{header}">{escape(invitation.landlord)}</p>
<div style="padding:16px">
<p>{escape(intro)}</p>
<p><a href="{url}" style="{button}">{escape(start)}</a></p>
<p>{escape(hint)}<br><a href="{url}" style="{_LINK};word-break:break-all">{url}</a></p>
<p style="font-size:16px;color:#333333">{escape(why)}<br>
<a href="{unsubscribe_url}" style="{_LINK}">{escape(stop)}</a></p>
</div></div>
</body>
</html>
"""
